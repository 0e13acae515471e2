//! Secrets held for an msmtp account that names no password: msmtp then
//! looks in `~/.netrc` and in its own keyring item. Such a secret, found
//! there, is given to that account too, which then asks mailcred
//! (`passwordeval "mailcred get NAME"`, inserted after its `account` line):
//! what held it can then be emptied without msmtp noticing.

use secrecy::SecretString;

use super::found::{Change, Format, Found};
use super::sources::Source;

/// Gives `secret` to the msmtp account of `host` and `user` without a
/// password, if one of the msmtp files has it; `from` says where the
/// secret is, for the report. Whether one had it.
pub fn serve_msmtp(
    sources: &mut [Source],
    host: &str,
    user: &str,
    secret: &SecretString,
    from: &str,
) -> bool {
    let wanting = sources
        .iter_mut()
        .filter(|s| s.format == Format::Msmtp && s.parsed.refused.is_none())
        .find_map(|s| {
            let at = s
                .parsed
                .wanting
                .iter()
                .position(|w| w.user == user && w.server.host.eq_ignore_ascii_case(host))?;
            Some((s, at))
        });
    let Some((source, at)) = wanting else {
        return false;
    };
    let wanting = source.parsed.wanting.remove(at);
    source.parsed.found.push(Found {
        line: wanting.line,
        label: Some(wanting.label.clone()),
        what: format!("msmtp account \"{}\", from {from}", wanting.label),
        server: wanting.server,
        user: Some(wanting.user),
        secret: secret.clone(),
        git: None,
        change: Change::Edits {
            edits: vec![wanting.insert],
            per_account: None,
            git_urls: Vec::new(),
        },
    });
    true
}

/// The netrc and authinfo secrets of msmtp accounts without a password.
pub fn netrc(sources: &mut [Source], show: impl Fn(&std::path::Path) -> String) {
    let mut served = Vec::new();
    for source in sources
        .iter()
        .filter(|s| matches!(s.format, Format::Netrc | Format::Authinfo))
    {
        for found in &source.parsed.found {
            if let Some(user) = &found.user {
                served.push((
                    found.server.host.clone(),
                    user.clone(),
                    found.secret.clone(),
                    show(&source.path),
                ));
            }
        }
    }
    for (host, user, secret, from) in served {
        serve_msmtp(sources, &host, &user, &secret, &from);
    }
}

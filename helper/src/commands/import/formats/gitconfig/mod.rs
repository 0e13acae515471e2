//! git's configuration files (git-config(1), "Syntax"): `[section]` and
//! `[section "subsection"]` headers, `name = value` lines, `#` and `;`
//! comments outside double quotes, the escapes `\" \\ \n \t \b`, and a
//! backslash at the end of a line continuing the value. Section and key
//! names are compared without regard to case, subsections exactly.
//!
//! git send-email's `sendemail.smtpPass` (and each identity's,
//! `sendemail.NAME.smtpPass`) and git imap-send's `imap.pass` are deleted;
//! git then asks its credential helpers, and a `[credential "URL"]`
//! section hands those servers to mailcred. `include` and `includeIf`
//! are reported, not followed.

use secrecy::SecretString;

mod syntax;

use super::super::found::{Change, Edit, Found, Parsed, Server, Text};
use crate::accounts::{Protocol, Security};
pub use syntax::{Variable, variables};

/// Reads a git configuration file.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let vars = match variables(text) {
        Ok(vars) => vars,
        Err((line, why)) => {
            parsed.refuse(line, why);
            return parsed;
        }
    };
    for v in vars
        .iter()
        .filter(|v| v.section == "include" || v.section == "includeif")
    {
        if v.key == "path" {
            parsed.note(
                v.line,
                format!(
                    "includes {}: not followed (import it with --file gitconfig:PATH)",
                    v.value.as_deref().unwrap_or_default()
                ),
            );
        }
    }
    let mut identities: Vec<Option<&str>> = vec![None];
    for v in vars.iter().filter(|v| v.section == "sendemail") {
        if let Some(sub) = v.subsection.as_deref()
            && !identities.contains(&Some(sub))
        {
            identities.push(Some(sub));
        }
    }
    for identity in identities {
        sendemail(&mut parsed, &vars, identity);
    }
    imap(&mut parsed, &vars);
    parsed
}

/// The last value of `section.[sub.]key`.
fn last<'a>(
    vars: &'a [Variable],
    section: &str,
    sub: Option<&str>,
    key: &str,
) -> Option<&'a Variable> {
    vars.iter()
        .rev()
        .find(|v| v.section == section && v.subsection.as_deref() == sub && v.key == key)
}

/// git send-email's settings for `identity` (its own, else the plain
/// `[sendemail]` ones).
fn sendemail(parsed: &mut Parsed, vars: &[Variable], identity: Option<&str>) {
    let get = |key: &str| {
        identity
            .and_then(|id| last(vars, "sendemail", Some(id), key))
            .or_else(|| last(vars, "sendemail", None, key))
    };
    let Some(pass) = get("smtppass").filter(|p| p.value.as_deref().is_some_and(|v| !v.is_empty()))
    else {
        return;
    };
    let what = match identity {
        Some(id) => format!("git send-email identity \"{id}\""),
        None => "git send-email".to_owned(),
    };
    let Some(host) = get("smtpserver")
        .and_then(|v| v.value.clone())
        .filter(|h| !h.starts_with('/'))
    else {
        parsed.note(
            pass.line,
            format!("{what}: smtpPass without an SMTP smtpServer: not imported"),
        );
        return;
    };
    let port = match get("smtpserverport").and_then(|v| v.value.as_deref()) {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(p) => Some(p),
            Err(_) => {
                parsed.note(
                    pass.line,
                    format!("{what}: smtpServerPort {p:?} is not a port"),
                );
                return;
            }
        },
    };
    let security = match get("smtpencryption").and_then(|v| v.value.as_deref()) {
        Some("tls") => Some(Security::Starttls),
        Some("ssl") => Some(Security::Tls),
        _ => None,
    };
    let mut git_urls = vec![format!("smtp://{host}")];
    if let Some(port) = port {
        git_urls.insert(0, format!("smtp://{host}:{port}"));
    }
    parsed.found.push(Found {
        line: pass.line,
        label: identity.map(str::to_owned),
        what,
        server: Server {
            protocol: Some(Protocol::Smtp),
            host,
            port,
            security,
        },
        user: get("smtpuser")
            .and_then(|v| v.value.clone())
            .filter(|u| !u.is_empty()),
        secret: SecretString::from(pass.value.clone().unwrap_or_default()),
        git: None,
        change: delete(pass, git_urls),
    });
}

/// git imap-send's `[imap]` settings.
fn imap(parsed: &mut Parsed, vars: &[Variable]) {
    let get = |key: &str| last(vars, "imap", None, key);
    let Some(pass) = get("pass").filter(|p| p.value.as_deref().is_some_and(|v| !v.is_empty()))
    else {
        return;
    };
    let Some(url) = get("host").and_then(|v| v.value.clone()) else {
        parsed.note(
            pass.line,
            "git imap-send: imap.pass without imap.host: not imported",
        );
        return;
    };
    let (tls, host) = match (url.strip_prefix("imaps:"), url.strip_prefix("imap:")) {
        (Some(host), _) => (true, host),
        (None, Some(host)) => (false, host),
        (None, None) => (false, url.as_str()),
    };
    let host = host.trim_start_matches("//").to_owned();
    let port = get("port").and_then(|v| v.value.as_deref()?.parse::<u16>().ok());
    let scheme = if tls { "imaps" } else { "imap" };
    let mut git_urls = vec![format!("{scheme}://{host}")];
    if let Some(port) = port {
        git_urls.insert(0, format!("{scheme}://{host}:{port}"));
    }
    parsed.found.push(Found {
        line: pass.line,
        label: None,
        what: "git imap-send".into(),
        server: Server {
            protocol: Some(Protocol::Imap),
            host,
            port,
            security: Some(if tls {
                Security::Tls
            } else {
                Security::Starttls
            }),
        },
        user: get("user")
            .and_then(|v| v.value.clone())
            .filter(|u| !u.is_empty()),
        secret: SecretString::from(pass.value.clone().unwrap_or_default()),
        git: None,
        change: delete(pass, git_urls),
    });
}

fn delete(variable: &Variable, git_urls: Vec<String>) -> Change {
    Change::Edits {
        edits: vec![Edit {
            range: variable.delete.clone(),
            text: Text::Fixed(String::new()),
        }],
        per_account: None,
        git_urls,
    }
}

/// Whether `text` already has a `[credential "URL"]` section whose helper
/// is mailcred.
pub fn hands_to_mailcred(text: &str, url: &str) -> bool {
    variables(text).is_ok_and(|vars| {
        vars.iter().any(|v| {
            v.section == "credential"
                && v.subsection.as_deref() == Some(url)
                && v.key == "helper"
                && v.value
                    .as_deref()
                    .is_some_and(|h| h == "mailcred" || h.ends_with("/git-credential-mailcred"))
        })
    })
}

/// The section that hands `url` to mailcred alone: the empty helper first
/// resets those set elsewhere, so that git's `store` after a login copies
/// the password nowhere else (`git-credential-store` would put it back in
/// plaintext).
pub fn credential_section(url: &str) -> String {
    format!(
        "[credential {}]\n\t# added by mailcred import; the empty value resets helpers set elsewhere\n\thelper =\n\thelper = {}\n",
        crate::commands::snippets::git_quoted(url),
        super::super::found::COMMAND
    )
}

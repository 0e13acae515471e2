//! aerc's `accounts.conf` (go-ini): one `[ACCOUNT]` section per account,
//! `source = imaps://USER:PASS@HOST` and `outgoing = smtps://USER:PASS@HOST`
//! (the login percent-encoded; `+plain`, `+login` name the mechanism).
//!
//! The URL loses its `:PASS`, and `source-cred-cmd = mailcred get NAME`
//! (or `outgoing-cred-cmd`) follows it, as `mailcred config aerc` writes.

use percent_encoding::percent_decode_str;
use secrecy::SecretString;

use super::super::found::{COMMAND, Change, Edit, Found, Parsed, Server, Text};
use super::ini::{self, Entry};
use crate::accounts::{Protocol, Security};

/// Reads aerc's accounts.conf.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let entries = match ini::entries(text) {
        Ok(entries) => entries,
        Err(line) => {
            parsed.refuse(line, "a value continued on an indented line: not guessed");
            return parsed;
        }
    };
    for entry in entries
        .iter()
        .filter(|e| e.key == "source" || e.key == "outgoing")
    {
        found(&mut parsed, &entries, entry);
    }
    parsed
}

fn found(parsed: &mut Parsed, entries: &[Entry], entry: &Entry) {
    let value = &entry.value;
    let Some((scheme, rest)) = value.split_once("://") else {
        return;
    };
    let (base, mechanism) = scheme.split_once('+').unwrap_or((scheme, ""));
    let Some(protocol) = Protocol::from_scheme(base) else {
        return;
    };
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    let Some((userinfo, hostport)) = authority.rsplit_once('@') else {
        return;
    };
    let Some((user, password)) = userinfo.split_once(':') else {
        return;
    };
    let what = format!("aerc account \"{}\" {}", entry.section, entry.key);
    if value.starts_with(['"', '\'', '`']) {
        parsed.note(entry.line, format!("{what}: a quoted URL: not rewritten"));
        return;
    }
    if mechanism == "insecure" && protocol != Protocol::Smtp {
        parsed.note(
            entry.line,
            format!("{what} reads without TLS, which mailcred keeps no reader for: not imported"),
        );
        return;
    }
    let cred_cmd = format!("{}-cred-cmd", entry.key);
    if ini::get(entries, &entry.section, &cred_cmd).is_some() {
        parsed.note(
            entry.line,
            format!("{what}: the section has a {cred_cmd} too: not guessed"),
        );
        return;
    }
    let decode = |s: &str| {
        percent_decode_str(s)
            .decode_utf8()
            .ok()
            .map(|s| s.into_owned())
    };
    let (Some(user), Some(password)) = (decode(user), decode(password)) else {
        return;
    };
    if password.is_empty() {
        return;
    }
    let (host, port) = match hostport.rsplit_once(':') {
        Some((host, port)) => (host, port.parse::<u16>().ok()),
        None => (hostport, None),
    };
    let security = match (base.ends_with('s'), mechanism) {
        (true, _) => Security::Tls,
        (false, "insecure") => Security::NoneDangerous,
        _ => Security::Starttls,
    };
    // Offsets of `:PASS` inside the line.
    let value_at = entry.directive.end - value.len();
    let cut_start = value_at + scheme.len() + 3 + userinfo.find(':').expect("split above");
    let cut = cut_start..value_at + scheme.len() + 3 + userinfo.len();
    let (before, after) = if entry.has_newline {
        (format!("{cred_cmd} = {COMMAND} get "), "\n".to_owned())
    } else {
        (format!("\n{cred_cmd} = {COMMAND} get "), String::new())
    };
    parsed.found.push(Found {
        line: entry.line,
        label: Some(entry.section.clone()),
        what,
        server: Server {
            protocol: Some(protocol),
            host: host.to_owned(),
            port,
            security: Some(security),
        },
        user: Some(user).filter(|u| !u.is_empty()),
        secret: SecretString::from(password),
        git: None,
        change: Change::Edits {
            edits: vec![
                Edit {
                    range: cut,
                    text: Text::Fixed(String::new()),
                },
                Edit {
                    range: entry.end..entry.end,
                    text: Text::ask(before, after),
                },
            ],
            per_account: None,
            git_urls: Vec::new(),
        },
    });
}

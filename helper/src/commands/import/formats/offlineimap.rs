//! OfflineIMAP's `~/.offlineimaprc` (Python configparser, with `%`
//! interpolation): `[Repository NAME]` sections of `type = IMAP` (or
//! `Gmail`) with `remotehost`, `remoteport`, `remoteuser`, `remotepass`,
//! `ssl`; `[Account NAME]` naming its `remoterepository`.
//!
//! `remotepass = PASS` becomes the `remotepasseval` of `mailcred config
//! offlineimap`, which strips the newline `mailcred get` ends with.

use secrecy::SecretString;

use super::super::found::{COMMAND, Change, Edit, Found, Parsed, Server, Text};
use super::ini::{self, Entry};
use crate::accounts::{Protocol, Security};

/// Reads an OfflineIMAP configuration.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let entries = match ini::entries(text) {
        Ok(entries) => entries,
        Err(line) => {
            parsed.refuse(line, "a value continued on an indented line: not guessed");
            return parsed;
        }
    };
    for pass in entries.iter().filter(|e| e.key == "remotepass") {
        let Some(repository) = pass.section.strip_prefix("Repository ") else {
            continue;
        };
        found(&mut parsed, &entries, pass, repository.trim());
    }
    parsed
}

fn found(parsed: &mut Parsed, entries: &[Entry], pass: &Entry, repository: &str) {
    let get = |key: &str| ini::get(entries, &pass.section, key).map(|e| e.value.as_str());
    let what = format!("OfflineIMAP repository \"{repository}\"");
    let Some(secret) = uninterpolated(&pass.value) else {
        parsed.note(
            pass.line,
            format!("{what}: remotepass uses %(…)s interpolation: not guessed"),
        );
        return;
    };
    if secret.is_empty() {
        return;
    }
    let gmail = get("type").is_some_and(|t| t.eq_ignore_ascii_case("gmail"));
    let Some(host) = get("remotehost")
        .map(str::to_owned)
        .or(gmail.then(|| "imap.gmail.com".to_owned()))
    else {
        parsed.note(
            pass.line,
            format!("{what} has a remotepass but no remotehost: not imported"),
        );
        return;
    };
    let yes = |key: &str, default: bool| {
        get(key).map_or(default, |v| {
            matches!(v.to_ascii_lowercase().as_str(), "yes" | "true" | "on" | "1")
        })
    };
    let tls = yes("ssl", true);
    let port = match get("remoteport") {
        None => Some(if tls { 993 } else { 143 }),
        Some(p) => match p.parse::<u16>() {
            Ok(p) => Some(p),
            Err(_) => {
                parsed.note(
                    pass.line,
                    format!("{what}: remoteport {p:?} is not a number"),
                );
                return;
            }
        },
    };
    // The account using this repository names the mailcred account.
    let label = entries
        .iter()
        .find(|e| e.key == "remoterepository" && e.value == repository)
        .and_then(|e| e.section.strip_prefix("Account "))
        .map(|a| a.trim().to_owned())
        .or_else(|| Some(repository.to_owned()));
    parsed.found.push(Found {
        line: pass.line,
        label,
        what,
        server: Server {
            protocol: Some(Protocol::Imap),
            host,
            port,
            security: Some(if tls { Security::Tls } else { Security::Starttls }),
        },
        user: get("remoteuser").and_then(uninterpolated).filter(|u| !u.is_empty()),
        secret: SecretString::from(secret),
        git: None,
        change: Change::Edits {
            edits: vec![Edit {
                range: pass.directive.clone(),
                text: Text::ask(
                    format!("remotepasseval = __import__(\"subprocess\").check_output([\"{COMMAND}\", \"get\", \""),
                    "\"], text=True).removesuffix(\"\\n\")",
                ),
            }],
            per_account: None,
            git_urls: Vec::new(),
        },
    });
}

/// A value with configparser's `%%` undone; `None` when it interpolates.
fn uninterpolated(value: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '%' {
            match chars.next() {
                Some('%') => out.push('%'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

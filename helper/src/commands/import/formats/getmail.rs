//! getmail6's rc files (Python configparser, no interpolation): the
//! `[retriever]` section's `type`, `server`, `port`, `username` and
//! `password`.
//!
//! `password = PASS` becomes the `password_command` of `mailcred config
//! getmail`, run without a shell.

use secrecy::SecretString;

use super::super::found::{COMMAND, Change, Edit, Found, Parsed, Server, Text};
use super::ini;
use crate::accounts::{Protocol, Security};

/// Reads a getmail rc file.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let entries = match ini::entries(text) {
        Ok(entries) => entries,
        Err(line) => {
            parsed.refuse(line, "a value continued on an indented line: not guessed");
            return parsed;
        }
    };
    let get = |key: &str| ini::get(&entries, "retriever", key);
    let Some(pass) = get("password").filter(|p| !p.value.is_empty()) else {
        return parsed;
    };
    let kind = get("type").map(|t| t.value.clone()).unwrap_or_default();
    let what = format!("getmail retriever {kind}");
    let protocol = if kind.contains("IMAP") {
        Protocol::Imap
    } else if kind.contains("POP3") {
        Protocol::Pop
    } else {
        parsed.note(
            pass.line,
            format!("{what}: not a POP3 or IMAP retriever: not imported"),
        );
        return parsed;
    };
    let Some(host) = get("server").map(|s| s.value.clone()) else {
        parsed.note(
            pass.line,
            format!("{what} has a password but no server: not imported"),
        );
        return parsed;
    };
    let port = get("port").and_then(|p| p.value.parse::<u16>().ok());
    parsed.found.push(Found {
        line: pass.line,
        label: None,
        what,
        server: Server {
            protocol: Some(protocol),
            host,
            port,
            security: kind.contains("SSL").then_some(Security::Tls),
        },
        user: get("username")
            .map(|u| u.value.clone())
            .filter(|u| !u.is_empty()),
        secret: SecretString::from(pass.value.clone()),
        git: None,
        change: Change::Edits {
            edits: vec![Edit {
                range: pass.directive.clone(),
                text: Text::ask(
                    format!("password_command = (\"{COMMAND}\", \"get\", \""),
                    "\")",
                ),
            }],
            per_account: None,
            git_urls: Vec::new(),
        },
    });
    parsed
}

//! git-credential-store's file (git-credential-store(1), "Storage
//! format"): one `PROTOCOL://USER:PASSWORD@HOST[:PORT][/PATH]` URL a line,
//! user and password percent-encoded; lines that are no such URL are
//! ignored, as git ignores them.
//!
//! A mail server's line (`smtp`, `imap`, `imaps`, `pop`, `pops`) is
//! deleted, and a `[credential "URL"]` section hands that server to
//! mailcred: its empty `helper =` keeps `store` from writing the password
//! back after the next login. Other servers' lines (`https`) are found
//! too, as git credentials; the planner takes them only with `--all`.

use percent_encoding::percent_decode_str;
use secrecy::SecretString;

use super::super::found::{Change, Edit, Found, GitSlot, Parsed, Server, Text};
use super::super::lines;
use crate::accounts::{Protocol, Security};

/// Reads a credential-store file.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    for line in lines::lines(text) {
        let entry = line.text.trim();
        let Some((scheme, rest)) = entry.split_once("://") else {
            continue;
        };
        let protocol = Protocol::from_scheme(scheme);
        let (authority, path) = match rest.split_once('/') {
            Some((authority, path)) => (authority, Some(path)),
            None => (rest, None),
        };
        let Some((userinfo, hostport)) = authority.rsplit_once('@') else {
            continue;
        };
        let Some((user, password)) = userinfo.split_once(':') else {
            continue;
        };
        let decode = |s: &str| {
            percent_decode_str(s)
                .decode_utf8()
                .ok()
                .map(|s| s.into_owned())
        };
        let (Some(user), Some(password)) = (decode(user), decode(password)) else {
            parsed.note(
                line.number,
                "a URL whose percent-encoding is not UTF-8: not imported",
            );
            continue;
        };
        let Some(hostport) = decode(hostport) else {
            continue;
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((host, port)) => match port.parse::<u16>() {
                Ok(port) => (host, Some(port)),
                Err(_) => continue,
            },
            None => (hostport.as_str(), None),
        };
        if password.is_empty() {
            continue;
        }
        // git names the server as it asks for it: with the port when the
        // line has one.
        let url = match port {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        };
        let security = match scheme.to_ascii_lowercase().as_str() {
            "imaps" | "pops" | "smtps" => Some(Security::Tls),
            _ => None,
        };
        let git = protocol.is_none().then(|| GitSlot {
            protocol: scheme.to_owned(),
            host: hostport.clone(),
            path: path.filter(|p| !p.is_empty()).and_then(decode),
        });
        parsed.found.push(Found {
            line: line.number,
            label: None,
            what: format!("git credential {scheme}://{host}"),
            server: Server {
                protocol,
                host: host.to_owned(),
                port,
                security,
            },
            user: Some(user).filter(|u| !u.is_empty()),
            secret: SecretString::from(password),
            git,
            change: Change::Edits {
                edits: vec![Edit {
                    range: line.whole(),
                    text: Text::Fixed(String::new()),
                }],
                per_account: None,
                git_urls: vec![url],
            },
        });
    }
    parsed
}

//! mbsync's (isync's) configuration (mbsync(1), "Configuration"): `#`
//! comment lines, a keyword and its arguments per line, arguments with
//! spaces in double quotes, `"` and `\` escaped with a backslash; keywords
//! are case-insensitive. A section starts with its keyword (`IMAPAccount`,
//! or an `IMAPStore` holding the account settings itself) and ends at an
//! empty line or the end of the file.
//!
//! `Pass PASSWORD` becomes `PassCmd "mailcred get NAME"`.

use std::ops::Range;

use secrecy::SecretString;

use super::super::found::{COMMAND, Change, Edit, Found, Parsed, Server, Text};
use super::super::lines;
use crate::accounts::{Protocol, Security};

/// The keywords that start a section.
const SECTIONS: [&str; 6] = [
    "imapaccount",
    "imapstore",
    "maildirstore",
    "channel",
    "group",
    "mailboxes",
];

#[derive(Default)]
struct Section {
    kind: String,
    name: String,
    host: Option<String>,
    port: Option<(String, usize)>,
    user: Option<String>,
    pass: Option<(String, usize, Range<usize>)>,
    security: Option<String>,
    tunnel: bool,
}

/// Reads an mbsync configuration.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut current: Option<Section> = None;
    for line in lines::lines(text) {
        let body = line.text.trim();
        if body.is_empty() {
            if let Some(section) = current.take() {
                found(&mut parsed, section);
            }
            continue;
        }
        if body.starts_with('#') {
            continue;
        }
        let (keyword, rest) = body
            .split_once(|c: char| c.is_ascii_whitespace())
            .unwrap_or((body, ""));
        let keyword = keyword.to_ascii_lowercase();
        let argument = match unquote(rest.trim()) {
            Some(argument) => argument,
            None => {
                parsed.refuse(line.number, "a double quote that is not closed");
                return parsed;
            }
        };
        if SECTIONS.contains(&keyword.as_str()) {
            if let Some(section) = current.take() {
                found(&mut parsed, section);
            }
            current = Some(Section {
                kind: keyword,
                name: argument,
                ..Section::default()
            });
            continue;
        }
        let Some(section) = current.as_mut() else {
            continue;
        };
        let directive = line.range_of(body);
        match keyword.as_str() {
            "host" => section.host = Some(argument),
            "port" => section.port = Some((argument, line.number)),
            "user" => section.user = Some(argument),
            "pass" => section.pass = Some((argument, line.number, directive)),
            "ssltype" | "tlstype" => section.security = Some(argument.to_ascii_lowercase()),
            "tunnel" => section.tunnel = true,
            _ => {}
        }
    }
    if let Some(section) = current.take() {
        found(&mut parsed, section);
    }
    parsed
}

fn found(parsed: &mut Parsed, section: Section) {
    let Some((pass, line, directive)) = section.pass.filter(|(p, ..)| !p.is_empty()) else {
        return;
    };
    let what = format!(
        "mbsync {} \"{}\"",
        if section.kind == "imapaccount" {
            "IMAPAccount"
        } else {
            "IMAPStore"
        },
        section.name
    );
    if section.tunnel {
        parsed.note(
            line,
            format!("{what} reaches its server through a Tunnel: not imported"),
        );
        return;
    }
    let Some(host) = section.host.filter(|h| !h.is_empty()) else {
        parsed.note(line, format!("{what} has a Pass but no Host: not imported"));
        return;
    };
    let security = match section.security.as_deref() {
        Some("imaps") => Some(Security::Tls),
        Some("none") => {
            parsed.note(
                line,
                format!(
                    "{what} connects without TLS, which mailcred keeps no reader for: not imported"
                ),
            );
            return;
        }
        _ => Some(Security::Starttls),
    };
    let port = match section.port {
        None => Some(if security == Some(Security::Tls) {
            993
        } else {
            143
        }),
        Some((port, at)) => match port.parse::<u16>() {
            Ok(port) => Some(port),
            Err(_) => {
                parsed.note(at, format!("{what}: Port {port:?} is not a number"));
                return;
            }
        },
    };
    parsed.found.push(Found {
        line,
        label: Some(section.name.clone()),
        what,
        server: Server {
            protocol: Some(Protocol::Imap),
            host,
            port,
            security,
        },
        user: section.user.filter(|u| !u.is_empty()),
        secret: SecretString::from(pass),
        git: None,
        change: Change::Edits {
            edits: vec![Edit {
                range: directive,
                text: Text::ask(format!("PassCmd \"{COMMAND} get "), "\""),
            }],
            per_account: None,
            git_urls: Vec::new(),
        },
    });
}

/// An argument with its quotes and escapes undone; `None` when a quote is
/// left open.
fn unquote(argument: &str) -> Option<String> {
    let mut out = String::new();
    let mut quoted = false;
    let mut chars = argument.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' => out.push(chars.next()?),
            c => out.push(c),
        }
    }
    (!quoted).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::unquote;

    #[test]
    fn quotes_and_backslashes_are_undone() {
        assert_eq!(unquote(r#""a b\"c\\d""#).as_deref(), Some(r#"a b"c\d"#));
        assert_eq!(unquote("plain").as_deref(), Some("plain"));
        assert_eq!(unquote("\"open"), None);
    }
}

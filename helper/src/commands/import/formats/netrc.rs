//! `~/.netrc` (netrc(5)) and Emacs's `~/.authinfo`: `machine HOST login
//! USER password PASS` entries, tokens separated by blanks and line ends,
//! `default` for any other machine, `macdef` macros running to an empty
//! line; `#` starts a comment; authinfo adds `port` and double-quoted
//! tokens.
//!
//! msmtp, fetchmail and curl read passwords from here, and none can be
//! told to ask a program instead: the secrets of mail servers are stored,
//! and the file is left as it is (the report says so); an msmtp account
//! that reads its password here is made to ask mailcred (`wanting`).
//! Entries of other servers are not looked at.

use secrecy::SecretString;

use super::super::found::{Change, Found, Parsed, Server};
use super::super::lines::line_of;
use super::super::plan::server::protocol_by_name;
use crate::accounts::Protocol;

const KEEP: &str = "msmtp, fetchmail and curl read the password here and cannot ask a program \
                    for it; once nothing reads it here, delete it by hand";

/// A token and the offset it starts at.
struct Token {
    text: String,
    at: usize,
}

/// Reads a netrc or authinfo file.
pub fn parse(text: &str, authinfo: bool) -> Parsed {
    let mut parsed = Parsed::default();
    let tokens = match tokens(text, authinfo) {
        Ok(tokens) => tokens,
        Err(at) => {
            parsed.refuse(line_of(text, at), "a double quote that is not closed");
            return parsed;
        }
    };
    let mut others = 0;
    let mut at = 0;
    while at < tokens.len() {
        let start = &tokens[at];
        match start.text.as_str() {
            "machine" | "default" => {
                let is_default = start.text == "default";
                let mut host = None;
                at += 1;
                if !is_default {
                    host = tokens.get(at).map(|t| t.text.clone());
                    at += 1;
                }
                let (mut login, mut password, mut port) = (None, None, None);
                while let Some(token) = tokens.get(at) {
                    let value = tokens.get(at + 1).map(|t| t.text.clone());
                    match token.text.as_str() {
                        "machine" | "default" | "macdef" => break,
                        "login" | "user" => login = value,
                        "password" => password = value.map(|v| (v, token.at)),
                        "port" | "protocol" if authinfo => port = value,
                        "account" | "force" => {}
                        _ => {
                            at += 1;
                            continue;
                        }
                    }
                    at += 2;
                }
                let Some((password, password_at)) = password.filter(|(p, _)| !p.is_empty()) else {
                    continue;
                };
                let line = line_of(text, password_at);
                let Some(host) = host else {
                    parsed.note(
                        line,
                        "a `default` entry, for any server: not imported (it names none)",
                    );
                    continue;
                };
                let (protocol, port) = port_of(port.as_deref());
                let protocol = protocol.or_else(|| protocol_by_name(&host));
                if protocol.is_none() && !host.to_ascii_lowercase().starts_with("mail.") {
                    others += 1;
                    continue;
                }
                parsed.found.push(Found {
                    line,
                    label: None,
                    what: format!(
                        "{} machine {host}",
                        if authinfo { "authinfo" } else { "netrc" }
                    ),
                    server: Server {
                        protocol,
                        host,
                        port,
                        security: None,
                    },
                    user: login.filter(|l| !l.is_empty()),
                    secret: SecretString::from(password),
                    git: None,
                    change: Change::Keep(KEEP),
                });
            }
            "macdef" => {
                // The macro runs to the next empty line.
                let end = text[start.at..]
                    .find("\n\n")
                    .map_or(text.len(), |e| start.at + e);
                at += 1;
                while tokens.get(at).is_some_and(|t| t.at < end) {
                    at += 1;
                }
            }
            _ => at += 1,
        }
    }
    if others > 0 {
        let s = if others == 1 { "y" } else { "ies" };
        parsed.note(
            1,
            format!("{others} entr{s} for servers that are not mail servers: left alone"),
        );
    }
    parsed
}

/// What an authinfo `port` says: a mail protocol's name or usual port.
fn port_of(port: Option<&str>) -> (Option<Protocol>, Option<u16>) {
    let Some(port) = port else {
        return (None, None);
    };
    match port.parse::<u16>() {
        Ok(n @ (25 | 465 | 587)) => (Some(Protocol::Smtp), Some(n)),
        Ok(n @ (143 | 993)) => (Some(Protocol::Imap), Some(n)),
        Ok(n @ (110 | 995)) => (Some(Protocol::Pop), Some(n)),
        Ok(n) => (None, Some(n)),
        Err(_) => match port {
            "submission" => (Some(Protocol::Smtp), Some(587)),
            "smtps" => (Some(Protocol::Smtp), Some(465)),
            "imaps" => (Some(Protocol::Imap), Some(993)),
            "pop3s" => (Some(Protocol::Pop), Some(995)),
            name => (Protocol::from_scheme(name), None),
        },
    }
}

/// The tokens of `text`; `Err(offset)` for an unclosed quote.
fn tokens(text: &str, quotes: bool) -> Result<Vec<Token>, usize> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if c == '#' {
            for (_, c) in chars.by_ref() {
                if c == '\n' {
                    break;
                }
            }
            continue;
        }
        let mut token = String::new();
        if quotes && c == '"' {
            let mut closed = false;
            while let Some((_, c)) = chars.next() {
                match c {
                    '"' => {
                        closed = true;
                        break;
                    }
                    '\\' => token.extend(chars.next().map(|(_, c)| c)),
                    c => token.push(c),
                }
            }
            if !closed {
                return Err(at);
            }
        } else {
            token.push(c);
            while let Some((_, c)) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                token.push(*c);
                chars.next();
            }
        }
        out.push(Token { text: token, at });
    }
    Ok(out)
}

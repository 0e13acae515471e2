//! `~/.fetchmailrc` (fetchmail(1), "The run control file"): `poll HOST`
//! (or `skip HOST`, `defaults`) entries of keyword and value tokens, with
//! noise words (`with`, `and`, `has`, `wants`, `options`), `"…"` strings
//! with backslash escapes, `#` comments; `user NAME there with password
//! PASS is LOCAL here`.
//!
//! fetchmail cannot ask a program for a password: the secret is stored and
//! the file left as it is (the report says so).

use secrecy::SecretString;

use super::super::found::{Change, Found, Parsed, Server};
use super::super::lines::line_of;
use crate::accounts::{Protocol, Security};

const KEEP: &str = "fetchmail cannot ask a program for a password; it reads it only here (or \
                    from ~/.netrc, or asks on the terminal)";

struct Token {
    text: String,
    quoted: bool,
    at: usize,
}

/// Reads a fetchmail run control file.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let tokens = match tokens(text) {
        Ok(tokens) => tokens,
        Err(at) => {
            parsed.refuse(line_of(text, at), "a double quote that is not closed");
            return parsed;
        }
    };
    let entries: Vec<&[Token]> = {
        let starts: Vec<usize> = tokens
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                !t.quoted && matches!(t.text.as_str(), "poll" | "skip" | "defaults" | "set")
            })
            .map(|(i, _)| i)
            .collect();
        starts
            .iter()
            .enumerate()
            .map(|(n, s)| &tokens[*s..starts.get(n + 1).copied().unwrap_or(tokens.len())])
            .collect()
    };
    for entry in entries {
        if !matches!(entry[0].text.as_str(), "poll" | "skip") || entry.len() < 2 {
            continue;
        }
        server_entry(&mut parsed, text, entry);
    }
    parsed
}

fn server_entry(parsed: &mut Parsed, text: &str, entry: &[Token]) {
    let host = entry[1].text.clone();
    let (mut protocol, mut port, mut ssl) = (None, None, false);
    // Each user's remote login, and its password with where it is.
    type User = (Option<String>, Option<(String, usize)>);
    let mut users: Vec<User> = Vec::new();
    let mut at = 2;
    while at < entry.len() {
        let word = if entry[at].quoted {
            ""
        } else {
            entry[at].text.as_str()
        };
        let value = entry.get(at + 1).map(|t| t.text.clone());
        match word {
            "proto" | "protocol" => {
                protocol = value.as_deref().map(str::to_ascii_lowercase);
                at += 1;
            }
            "port" | "service" => {
                port = value.as_deref().and_then(|v| v.parse::<u16>().ok());
                at += 1;
            }
            "ssl" => ssl = true,
            "user" | "username" => {
                let mut name = value;
                // `user LOCAL here is REMOTE there`: the remote one counts.
                if entry.get(at + 2).is_some_and(|t| t.text == "here")
                    && entry.get(at + 3).is_some_and(|t| t.text == "is")
                {
                    name = entry.get(at + 4).map(|t| t.text.clone());
                    at += 3;
                }
                users.push((name, None));
                at += 1;
            }
            "pass" | "password" => {
                if let (Some(user), Some(value)) = (users.last_mut(), value) {
                    user.1 = Some((value, entry[at].at));
                }
                at += 1;
            }
            _ => {}
        }
        at += 1;
    }
    let protocol = match protocol.as_deref() {
        Some("pop3" | "apop" | "rpop" | "kpop" | "pop2" | "sdps") => Some(Protocol::Pop),
        Some("imap") => Some(Protocol::Imap),
        _ => None,
    };
    for (user, password) in users {
        let Some((password, password_at)) = password.filter(|(p, _)| !p.is_empty()) else {
            continue;
        };
        parsed.found.push(Found {
            line: line_of(text, password_at),
            label: None,
            what: format!("fetchmail poll {host}"),
            server: Server {
                protocol,
                host: host.clone(),
                port,
                security: ssl.then_some(Security::Tls),
            },
            user,
            secret: SecretString::from(password),
            git: None,
            change: Change::Keep(KEEP),
        });
    }
}

/// The tokens; `Err(offset)` for an unclosed quote. `:`, `;` and `,` are
/// noise, as are the noise words.
fn tokens(text: &str) -> Result<Vec<Token>, usize> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c.is_whitespace() || matches!(c, ':' | ';' | ',') {
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
        let quoted = c == '"' || c == '\'';
        if quoted {
            let mut closed = false;
            while let Some((_, d)) = chars.next() {
                if d == c {
                    closed = true;
                    break;
                }
                if d == '\\' {
                    token.extend(chars.next().map(|(_, e)| e));
                } else {
                    token.push(d);
                }
            }
            if !closed {
                return Err(at);
            }
        } else {
            token.push(c);
            while let Some((_, d)) = chars.peek() {
                if d.is_whitespace() || matches!(d, ':' | ';' | ',') {
                    break;
                }
                token.push(*d);
                chars.next();
            }
            if matches!(token.as_str(), "with" | "and" | "has" | "wants" | "options") {
                continue;
            }
        }
        out.push(Token {
            text: token,
            quoted,
            at,
        });
    }
    Ok(out)
}

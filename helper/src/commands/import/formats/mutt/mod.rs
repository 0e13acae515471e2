//! mutt's and neomutt's rc files (muttrc(5), neomuttrc(5), "Syntax of
//! Initialization Files"): commands separated by `;` or line ends, `#`
//! starting a comment outside quotes, `'…'` taken literally, `"…"` and bare
//! words with backslash escapes, backticks running a command and `$`
//! naming a variable (neither is a plaintext password).
//!
//! `set smtp_pass = "secret"` (and `imap_pass`, `pop_pass`) becomes
//! ``set smtp_pass = "`mailcred get NAME`"``, which both mutt and every
//! neomutt run while reading the file; a `user:pass@` in a URL (`smtp_url`,
//! `folder`, …) loses its `:pass`, and the `*_pass` line follows it.
//! `source` is reported, not followed; a password inside a hook or an
//! `ifdef` is not guessed at, and leaves the whole file alone.

use secrecy::SecretString;

mod words;

use super::super::found::{COMMAND, Change, Edit, Found, Parsed, Text};
use super::super::lines::{self, Line};
use crate::accounts::Protocol;
use words::{Token, Url, tokenize, url_password};

/// A `set NAME = VALUE` seen.
struct Assignment<'a> {
    line: Line<'a>,
    name: String,
    value: Token<'a>,
}

/// The protocol of a `*_pass` variable.
fn pass_protocol(name: &str) -> Option<Protocol> {
    match name {
        "smtp_pass" => Some(Protocol::Smtp),
        "imap_pass" => Some(Protocol::Imap),
        "pop_pass" => Some(Protocol::Pop),
        _ => None,
    }
}

/// Reads an rc file.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut sets: Vec<Assignment<'_>> = Vec::new();
    let mut continued = false;
    for line in lines::lines(text) {
        let joined = continued;
        continued = line.text.ends_with('\\') && !line.text.ends_with("\\\\");
        if (joined || continued) && looks_secret(line.text) {
            parsed.refuse(
                line.number,
                "a password on a line continued with a backslash: not guessed",
            );
            return parsed;
        }
        if joined {
            continue;
        }
        let commands = match tokenize(line.text) {
            Ok(commands) => commands,
            Err(why) => {
                parsed.refuse(line.number, why);
                return parsed;
            }
        };
        for command in commands {
            let Some(first) = command.first() else {
                continue;
            };
            match first.value.as_str() {
                "set" => assignments(&mut sets, line, &command[1..]),
                "source" => parsed.note(
                    line.number,
                    format!(
                        "sources {}: not followed (import it with --file neomutt:PATH)",
                        command.get(1).map_or("", |t| t.value.as_str())
                    ),
                ),
                _ if command[1..].iter().any(|t| hides_secret(&t.value)) => {
                    parsed.refuse(
                        line.number,
                        format!(
                            "a password inside `{}`, which runs later or not at all: not guessed",
                            first.value
                        ),
                    );
                    return parsed;
                }
                _ => {}
            }
        }
    }
    found(&mut parsed, &sets);
    parsed
}

/// Whether a hook's or an `ifdef`'s command sets a password: a literal
/// `*_pass`, or a URL with a password.
fn hides_secret(command: &str) -> bool {
    if command
        .split("://")
        .skip(1)
        .any(|rest| url_password(rest).is_some())
    {
        return true;
    }
    let Ok(commands) = tokenize(command) else {
        return looks_secret(command);
    };
    commands.iter().any(|c| {
        let mut sets = Vec::new();
        let line = lines::lines(command).next().expect("not empty");
        if c.first().is_some_and(|t| t.value == "set") {
            assignments(&mut sets, line, &c[1..]);
        }
        sets.iter().any(|s| {
            pass_protocol(&s.name).is_some() && !s.value.dynamic && !s.value.value.is_empty()
        }) || c.iter().skip(1).any(|t| hides_secret_inner(&t.value))
    })
}

/// One level down: a hook inside a hook's command is not looked into.
fn hides_secret_inner(value: &str) -> bool {
    value
        .split("://")
        .skip(1)
        .any(|rest| url_password(rest).is_some())
}

/// Whether text mentions a password variable or a URL with a password.
fn looks_secret(text: &str) -> bool {
    text.contains("_pass")
        || text
            .split("://")
            .skip(1)
            .any(|rest| url_password(rest).is_some())
}

/// `NAME = VALUE` pairs of a `set` command (`set a=1 b = 2`).
fn assignments<'a>(sets: &mut Vec<Assignment<'a>>, line: Line<'a>, tokens: &[Token<'a>]) {
    let mut at = 0;
    while at < tokens.len() {
        let name = tokens[at].value.clone();
        if tokens.get(at + 1).is_some_and(|t| t.raw == "=")
            && let Some(value) = tokens.get(at + 2)
        {
            sets.push(Assignment {
                line,
                name,
                value: value.clone(),
            });
            at += 3;
        } else {
            at += 1;
        }
    }
}

/// The secrets among the assignments.
fn found(parsed: &mut Parsed, sets: &[Assignment<'_>]) {
    let last = |name: &str| sets.iter().rev().find(|s| s.name == name);
    let mut logins: Vec<(Protocol, String, Option<String>)> = Vec::new();
    for set in sets {
        if let Some(protocol) = pass_protocol(&set.name) {
            if set.value.dynamic || set.value.value.is_empty() {
                continue;
            }
            let url = match protocol {
                Protocol::Smtp => last("smtp_url"),
                Protocol::Imap => last("folder")
                    .filter(|f| scheme(&f.value.value).is_some())
                    .or_else(|| last("spoolfile")),
                Protocol::Pop => last("pop_host"),
            };
            let Some(url) = url.and_then(|u| Url::parse(&u.value.value)) else {
                parsed.note(
                    set.line.number,
                    format!("{} has no server in this file: not imported", set.name),
                );
                continue;
            };
            let user_var = format!("{}_user", protocol.name());
            let user = last(&user_var)
                .map(|u| u.value.value.clone())
                .or(url.user.clone());
            logins.push((protocol, url.host.clone(), user.clone()));
            parsed.found.push(Found {
                line: set.line.number,
                label: None,
                what: format!("{} setting {}", "neomutt/mutt", set.name),
                server: url.server(protocol),
                user,
                secret: SecretString::from(set.value.value.clone()),
                git: None,
                change: edits(vec![Edit {
                    range: set.line.range_of(set.value.raw),
                    text: Text::ask(format!("\"`{COMMAND} get "), "`\""),
                }]),
            });
        } else if !set.value.dynamic
            && let Some(url) = Url::parse(&set.value.value)
            && let Some(password) = url.password.clone()
        {
            let Some(protocol) = scheme(&set.value.value) else {
                continue;
            };
            if set.value.escaped {
                parsed.note(
                    set.line.number,
                    format!("{}: a URL with backslash escapes: not rewritten", set.name),
                );
                continue;
            }
            let quote = usize::from(set.value.raw.starts_with(['"', '\'']));
            let token = set.line.range_of(set.value.raw);
            let cut =
                token.start + quote + url.password_at.0..token.start + quote + url.password_at.1;
            let (at, text) = lines::after(
                &set.line,
                &format!("set {}_pass = \"`{COMMAND} get ", protocol.name()),
            );
            let (before, after) = match text.strip_suffix('\n') {
                Some(before) => (before.to_owned(), "`\"\n".to_owned()),
                None => (text, "`\"".to_owned()),
            };
            logins.push((protocol, url.host.clone(), url.user.clone()));
            parsed.found.push(Found {
                line: set.line.number,
                label: None,
                what: format!("neomutt/mutt setting {}", set.name),
                server: url.server(protocol),
                user: url.user.clone(),
                secret: SecretString::from(password),
                git: None,
                change: edits(vec![
                    Edit {
                        range: cut,
                        text: Text::Fixed(String::new()),
                    },
                    Edit {
                        range: at..at,
                        text: Text::ask(before, after),
                    },
                ]),
            });
        }
    }
    // One `imap_pass` serves every IMAP connection: several logins in one
    // file without hooks cannot each get their own.
    for protocol in Protocol::ALL {
        let mut these: Vec<&(Protocol, String, Option<String>)> = Vec::new();
        for login in logins.iter().filter(|l| l.0 == protocol) {
            if !these.contains(&login) {
                these.push(login);
            }
        }
        if these.len() > 1 {
            let line = parsed.found.last().map_or(1, |f| f.line);
            parsed.found.clear();
            parsed.refuse(
                line,
                format!(
                    "several {} logins share one {}_pass here (no account hooks): not guessed",
                    protocol.name().to_ascii_uppercase(),
                    protocol.name()
                ),
            );
            return;
        }
    }
}

fn edits(edits: Vec<Edit>) -> Change {
    Change::Edits {
        edits,
        per_account: None,
        git_urls: Vec::new(),
    }
}

/// The mail protocol of a URL's scheme.
fn scheme(url: &str) -> Option<Protocol> {
    let (scheme, _) = url.split_once("://")?;
    Protocol::from_scheme(scheme)
}

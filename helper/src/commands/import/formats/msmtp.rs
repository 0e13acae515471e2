//! msmtp's configuration (msmtp(1), "Configuration files"): a command and
//! its argument per line; `#` starts a comment line; the argument is the
//! rest of the line without blanks at either end, and one pair of double
//! quotes around it is dropped (there are no escapes). `defaults` sets
//! values for every account defined after it; `account NAME : A, B` starts
//! from the defaults, then inherits everything A and B have.
//!
//! A `password` line becomes `passwordeval "mailcred get NAME"`. When the
//! line is inherited by accounts that become different mailcred accounts
//! (a password in `defaults`), it is deleted and each account gets a
//! `passwordeval` line of its own instead.

use std::collections::BTreeMap;
use std::ops::Range;

use secrecy::SecretString;

use super::super::found::{
    COMMAND, Change, Edit, Found, Parsed, PerAccount, Server, Text, Wanting,
};
use super::super::lines::{self, Line};
use crate::accounts::{Protocol, Security};

/// What a setting was set to, and where (no `Debug`: it may be a
/// password).
#[derive(Clone)]
struct Setting {
    value: String,
    line: usize,
    /// From the command to the end of its argument.
    directive: Range<usize>,
    /// The whole line, with its end.
    whole: Range<usize>,
}

/// The settings that matter here.
const KEYS: [&str; 9] = [
    "host",
    "port",
    "tls",
    "tls_starttls",
    "user",
    "password",
    "passwordeval",
    "protocol",
    "socket",
];

type Settings = BTreeMap<&'static str, Setting>;

struct Account {
    name: String,
    line: usize,
    settings: Settings,
    /// Where a line of its own goes: after its `account` line.
    insert_at: usize,
    insert_newline_first: bool,
}

enum Section {
    None,
    Defaults,
    Account(usize),
}

/// Reads an msmtp configuration.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut defaults = Settings::new();
    let mut accounts: Vec<Account> = Vec::new();
    let mut section = Section::None;
    for line in lines::lines(text) {
        let body = line.text.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let (command, rest) = body
            .split_once(|c: char| c.is_ascii_whitespace())
            .unwrap_or((body, ""));
        let argument = unquote(rest.trim());
        match command {
            "defaults" => section = Section::Defaults,
            "account" => match account(&line, argument, &defaults, &accounts) {
                Ok(new) => {
                    accounts.push(new);
                    section = Section::Account(accounts.len() - 1);
                }
                Err(why) => {
                    parsed.refuse(line.number, why);
                    return parsed;
                }
            },
            "eval" => {
                parsed.refuse(
                    line.number,
                    "`eval` makes this line from a command's output, which is not guessed",
                );
                return parsed;
            }
            _ => {
                let Some(key) = KEYS.iter().find(|k| **k == command) else {
                    continue;
                };
                let setting = Setting {
                    value: argument.to_owned(),
                    line: line.number,
                    directive: line.start + (line.text.len() - body.len())
                        ..line.start + line.text.trim_end().len(),
                    whole: line.whole(),
                };
                match section {
                    Section::Defaults => {
                        defaults.insert(key, setting);
                    }
                    Section::Account(at) => {
                        accounts[at].settings.insert(key, setting);
                    }
                    Section::None => {
                        parsed.refuse(
                            line.number,
                            format!(
                                "`{command}` comes before any `account` or `defaults` line, \
                                 which msmtp refuses"
                            ),
                        );
                        return parsed;
                    }
                }
            }
        }
    }
    for account in &accounts {
        found(&mut parsed, account);
    }
    parsed
}

/// `account NAME [: PARENT[, PARENT…]]`: the defaults, then what the
/// parents have.
fn account(
    line: &Line<'_>,
    argument: &str,
    defaults: &Settings,
    earlier: &[Account],
) -> Result<Account, String> {
    let (name, parents) = match argument.split_once(':') {
        Some((name, parents)) => (name.trim(), Some(parents)),
        None => (argument.trim(), None),
    };
    if name.is_empty() {
        return Err("an `account` line without a name".into());
    }
    if earlier.iter().any(|a| a.name == name) {
        return Err(format!(
            "account \"{name}\" is defined twice, which msmtp refuses"
        ));
    }
    let mut settings = defaults.clone();
    for parent in parents.into_iter().flat_map(|p| p.split(',')) {
        let parent = parent.trim();
        let Some(from) = earlier.iter().find(|a| a.name == parent) else {
            return Err(format!(
                "account \"{name}\" inherits from \"{parent}\", which is not defined before it"
            ));
        };
        settings.extend(from.settings.iter().map(|(k, v)| (*k, v.clone())));
    }
    Ok(Account {
        name: name.to_owned(),
        line: line.number,
        settings,
        insert_at: line.end,
        insert_newline_first: !line.has_newline,
    })
}

/// The secret of `account`, if it has one and a server to sign in to; or
/// the account as wanting one, when it names none.
fn found(parsed: &mut Parsed, account: &Account) {
    let get = |key: &str| account.settings.get(key);
    let name = &account.name;
    if get("protocol").is_some_and(|p| p.value == "lmtp") || get("socket").is_some() {
        return;
    }
    let Some(host) = get("host").filter(|h| !h.value.is_empty()) else {
        // A template other accounts inherit from: they are found themselves.
        return;
    };
    let on = |key: &str, default: bool| {
        get(key).map_or(default, |s| matches!(s.value.as_str(), "on" | ""))
    };
    let security = match (on("tls", false), on("tls_starttls", true)) {
        (false, _) => Security::NoneDangerous,
        (true, true) => Security::Starttls,
        (true, false) => Security::Tls,
    };
    let port = match get("port") {
        None => Some(if security == Security::Tls { 465 } else { 25 }),
        Some(port) => match port.value.parse::<u16>() {
            Ok(port) => Some(port),
            Err(_) => {
                parsed.note(
                    port.line,
                    format!("account \"{name}\": port {:?} is not a number", port.value),
                );
                return;
            }
        },
    };
    let server = Server {
        protocol: Some(Protocol::Smtp),
        host: host.value.clone(),
        port,
        security: Some(security),
    };
    let user = get("user")
        .map(|u| u.value.clone())
        .filter(|u| !u.is_empty());
    let ask = |before: &str, after: &str| {
        Text::ask(
            format!("{before}passwordeval \"{COMMAND} get "),
            format!("\"{after}"),
        )
    };
    let (newline_first, newline_after) = if account.insert_newline_first {
        ("\n", "")
    } else {
        ("", "\n")
    };
    let insert = Edit {
        range: account.insert_at..account.insert_at,
        text: ask(newline_first, newline_after),
    };
    let Some(password) = get("password").filter(|p| !p.value.is_empty()) else {
        if let (Some(user), None) = (user, get("passwordeval")) {
            parsed.wanting.push(Wanting {
                line: account.line,
                label: name.clone(),
                server,
                user,
                insert,
            });
        }
        return;
    };
    parsed.found.push(Found {
        line: password.line,
        label: Some(name.clone()),
        what: format!("msmtp account \"{name}\""),
        server,
        user,
        secret: SecretString::from(password.value.clone()),
        git: None,
        change: Change::Edits {
            edits: vec![Edit {
                range: password.directive.clone(),
                text: ask("", ""),
            }],
            per_account: Some(PerAccount {
                delete: password.whole.clone(),
                insert,
            }),
            git_urls: Vec::new(),
        },
    });
}

/// msmtp's one pair of double quotes around an argument.
fn unquote(argument: &str) -> &str {
    argument
        .strip_prefix('"')
        .and_then(|a| a.strip_suffix('"'))
        .unwrap_or(argument)
}

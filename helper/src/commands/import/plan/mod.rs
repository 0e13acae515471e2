//! The plan: for each secret found, the mail account it goes to (one that
//! exists, with the same secret or none yet, or a new one), or why it is
//! skipped; the account changes to make; and each file's new text.
//!
//! The plan is the same for a dry run and for `--apply`, which is what
//! makes a rerun safe: a secret already stored matches its account, and
//! only the rewrite of its file remains.

mod accounts;
mod conflicts;
mod credentials;
mod files;
pub mod server;

use std::collections::HashMap;
use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};

use super::found::{Found, GitSlot};
use super::sources::{Places, Source};
use crate::accounts::{self as mail, Account, Accounts, Protocol};
use crate::commands::CommandError;
use conflicts::{Slot, same_file, slot_owner, slots, winner};
pub use files::FileChange;
use server::Endpoint;

/// `--prefer`: which secret wins a conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prefer {
    /// The secret found at this line of this file.
    Place {
        /// The file, as given.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
    },
    /// The secret this existing account keeps.
    Account(String),
}

impl Prefer {
    /// `FILE:LINE`, else an account name.
    pub fn parse(value: &str) -> Self {
        if let Some((path, line)) = value.rsplit_once(':')
            && let Ok(line) = line.parse::<usize>()
            && !path.is_empty()
        {
            return Self::Place {
                path: path.into(),
                line,
            };
        }
        Self::Account(value.to_owned())
    }
}

/// Reads what mailcred keeps now: an account's secret by name.
pub type ReadAccount<'a> = dyn Fn(&str) -> Result<Option<SecretString>, CommandError> + 'a;
/// Reads what mailcred keeps now: a git credential's secret by slot and login.
pub type ReadCredential<'a> =
    dyn Fn(&GitSlot, &str) -> Result<Option<SecretString>, CommandError> + 'a;

/// What the planner needs besides the files.
pub struct Input<'a> {
    /// The files read, with what their readers found.
    pub sources: &'a [Source],
    /// Where HOME is.
    pub places: &'a Places,
    /// The accounts there are.
    pub existing: &'a Accounts,
    /// `--prefer`.
    pub prefer: &'a [Prefer],
    /// The secret an existing account keeps.
    pub stored: &'a ReadAccount<'a>,
    /// `--all`: other servers' git credentials too.
    pub all: bool,
    /// The secret mailcred keeps as a git credential for this slot and login.
    pub credential: &'a ReadCredential<'a>,
    /// When new accounts are added (RFC 3339).
    pub added: String,
}

/// One found secret and what becomes of it.
#[derive(Debug)]
pub struct Item {
    /// Its file, an index into the sources.
    pub source: usize,
    /// Its index among the file's finds.
    pub found: usize,
    /// The server, made whole.
    pub endpoint: Option<Endpoint>,
    /// What becomes of it.
    pub outcome: Outcome,
    /// What its file (and git's) turn into, for the report.
    pub changes: Vec<String>,
    /// The password its account serves once stored: its own, or the one
    /// `--prefer` chose.
    pub serves: Option<SecretString>,
}

/// What becomes of a found secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It goes to this account.
    Account {
        /// The account's name.
        name: String,
        /// How.
        how: How,
    },
    /// It goes into mailcred as a git credential (`--all`).
    Credential {
        /// `protocol://login@host`, for the report.
        url: String,
        /// How.
        how: How,
    },
    /// It is left where it is, for this reason.
    Skipped(String),
    /// Not decided yet: never in a finished plan.
    Pending,
}

/// How a secret goes to its account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// A new account.
    New,
    /// The account exists without a password, or `--prefer` chose this one.
    SetPassword,
    /// The account has the same password but no endpoint for this server.
    AddEndpoint,
    /// The account already keeps this password here.
    AlreadyStored,
}

/// One change of the accounts.
#[derive(Debug)]
pub enum Step {
    /// Add this account with this password.
    New {
        /// The account.
        account: Box<Account>,
        /// Its password.
        secret: SecretString,
    },
    /// Store this password into an existing account.
    SetPassword {
        /// The account.
        name: String,
        /// The password.
        secret: SecretString,
    },
    /// Store a git credential (`--all`).
    Credential {
        /// Its slot.
        slot: GitSlot,
        /// Its login.
        user: String,
        /// Its password.
        secret: SecretString,
    },
    /// Give an existing account these endpoints; its password stays.
    AddEndpoints {
        /// The account.
        name: String,
        /// The endpoints.
        endpoints: Vec<(Protocol, mail::Endpoint)>,
        /// Its password, the same as stored, stored again with the new
        /// endpoints' slots.
        secret: SecretString,
    },
}

/// Secrets that differ for one server and login.
#[derive(Debug)]
pub struct Conflict {
    /// `login on protocol://host`.
    pub slot: String,
    /// Who holds one: `FILE:LINE`, or `account "NAME"`.
    pub holders: Vec<String>,
}

/// The whole plan.
#[derive(Debug)]
pub struct Plan {
    /// Every found secret, file by file.
    pub items: Vec<Item>,
    /// The account changes, in order.
    pub steps: Vec<Step>,
    /// The conflicts left for the user.
    pub conflicts: Vec<Conflict>,
    /// The files to rewrite.
    pub files: Vec<FileChange>,
    /// What else to say.
    pub notes: Vec<String>,
}

/// Makes the plan.
pub fn plan(input: &Input<'_>) -> Result<Plan, CommandError> {
    let (mut items, notes) = items(input);
    let stored = Stored::new(input.stored);
    let mut used_prefers = vec![false; input.prefer.len()];
    let mut conflicts = Vec::new();
    let mut winners: Vec<(Slot, SecretString, Option<String>)> = Vec::new();
    for slot in slots(input, &items) {
        let existing = slot_owner(input.existing, &slot);
        if let Some(name) = existing
            && input.existing.get(name).is_some_and(|a| a.is_oauth())
        {
            for at in &slot.items {
                items[*at].outcome = Outcome::Skipped(format!(
                    "account \"{name}\" has this server and login, and signs in with OAuth2: \
                     a password does not replace its tokens"
                ));
            }
            continue;
        }
        let held = match existing {
            Some(name) => stored.get(name)?,
            None => None,
        };
        match winner(
            input,
            &items,
            &slot,
            existing,
            held.as_ref(),
            &mut used_prefers,
        )? {
            Ok(secret) => winners.push((slot, secret, existing.map(str::to_owned))),
            Err(holders) => {
                let text = format!("{} on {}://{}", slot.user, slot.protocol, slot.host);
                for at in &slot.items {
                    items[*at].outcome = Outcome::Skipped(format!(
                        "another password for {text} is found elsewhere: pick one with --prefer"
                    ));
                }
                conflicts.push(Conflict {
                    slot: text,
                    holders,
                });
            }
        }
    }
    let mut steps = accounts::assign(input, &stored, &mut items, winners)?;
    credentials::assign(
        input,
        &mut items,
        &mut steps,
        &mut conflicts,
        &mut used_prefers,
    )?;
    if let Some(at) = used_prefers.iter().position(|used| !used) {
        return Err(unused_prefer(&input.prefer[at]));
    }
    let files = files::changes(input, &mut items)?;
    Ok(Plan {
        items,
        steps,
        conflicts,
        files,
        notes,
    })
}

/// A `--prefer` that picked nothing.
fn unused_prefer(prefer: &Prefer) -> CommandError {
    CommandError::Usage(format!(
        "--prefer {}: no conflict of this import has that secret; the dry run lists the \
         conflicts and where each password is",
        match prefer {
            Prefer::Place { path, line } => format!("{}:{line}", path.display()),
            Prefer::Account(name) => name.clone(),
        }
    ))
}

/// Every secret of every file the readers understood, its server made
/// whole, or the reason it cannot be used; and what was left out.
fn items(input: &Input<'_>) -> (Vec<Item>, Vec<String>) {
    // A server another file names with its protocol tells a netrc entry's.
    let mut known: HashMap<String, Protocol> = HashMap::new();
    for source in input.sources {
        for found in &source.parsed.found {
            if let Some(p) = found.server.protocol {
                known
                    .entry(found.server.host.to_ascii_lowercase())
                    .or_insert(p);
            }
        }
    }
    let mut items = Vec::new();
    let mut notes = Vec::new();
    for (s, source) in input.sources.iter().enumerate() {
        if source.parsed.refused.is_some() {
            continue;
        }
        let others = source
            .parsed
            .found
            .iter()
            .filter(|f| f.git.is_some())
            .count();
        if others > 0 && !input.all {
            let s = if others == 1 { "" } else { "s" };
            notes.push(format!(
                "{}: {others} credential{s} of other servers (https, …) left alone; --all \
                 imports them as git credentials",
                input.places.show(&source.path)
            ));
        }
        for (f, found) in source.parsed.found.iter().enumerate() {
            if found.git.is_some() {
                if input.all {
                    items.push(Item {
                        source: s,
                        found: f,
                        endpoint: None,
                        outcome: Outcome::Pending,
                        changes: Vec::new(),
                        serves: None,
                    });
                }
                continue;
            }
            let protocol = found
                .server
                .protocol
                .or_else(|| server::protocol_by_name(&found.server.host))
                .or_else(|| known.get(&found.server.host.to_ascii_lowercase()).copied());
            let endpoint = protocol.map(|p| server::complete(&found.server, p));
            let outcome = unusable(found, protocol).map_or(Outcome::Pending, Outcome::Skipped);
            items.push(Item {
                source: s,
                found: f,
                endpoint,
                outcome,
                changes: Vec::new(),
                serves: None,
            });
        }
    }
    (items, notes)
}

/// Why a found secret cannot become an account's.
fn unusable(found: &Found, protocol: Option<Protocol>) -> Option<String> {
    let host = &found.server.host;
    if protocol.is_none() {
        return Some(format!(
            "cannot tell whether {host} is an SMTP, IMAP or POP server; not guessed"
        ));
    }
    if let Err(why) = mail::check_host(host) {
        return Some(format!(
            "{host:?} is not a server name mailcred keeps: {why}"
        ));
    }
    let Some(user) = &found.user else {
        return Some("the file names no login for it".into());
    };
    if let Err(why) = mail::check_login(user) {
        return Some(format!("the login {user:?} cannot be used: {why}"));
    }
    if crate::protocol::unsafe_value(found.secret.expose_secret()) {
        return Some(
            "the password holds a line break or NUL, which mailcred cannot hand out".into(),
        );
    }
    None
}

/// The find an item stands for.
fn found<'a>(input: &Input<'a>, item: &Item) -> &'a Found {
    &input.sources[item.source].parsed.found[item.found]
}

fn same(a: &SecretString, b: &SecretString) -> bool {
    a.expose_secret() == b.expose_secret()
}

/// The stored secrets of existing accounts, each read once.
pub(super) struct Stored<'a> {
    read: &'a dyn Fn(&str) -> Result<Option<SecretString>, CommandError>,
    cache: std::cell::RefCell<HashMap<String, Option<SecretString>>>,
}

impl<'a> Stored<'a> {
    fn new(read: &'a dyn Fn(&str) -> Result<Option<SecretString>, CommandError>) -> Self {
        Self {
            read,
            cache: Default::default(),
        }
    }

    /// The secret `name` keeps.
    pub(super) fn get(&self, name: &str) -> Result<Option<SecretString>, CommandError> {
        if let Some(known) = self.cache.borrow().get(name) {
            return Ok(known.clone());
        }
        let secret = (self.read)(name)?;
        self.cache
            .borrow_mut()
            .insert(name.to_owned(), secret.clone());
        Ok(secret)
    }
}

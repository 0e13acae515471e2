//! The mail account commands, in-process: `add`, `set-password`, `remove`
//! (src/commands/accounts.rs), `get` and `neomutt` (lookup.rs), `list` and
//! `show` (listing.rs), `config` (snippets/), and git's helper meeting a
//! mail account (git.rs). Each test gets an in-memory store, a temporary
//! folder for the index and the account file, and the transcripts' clock.
//!
//! - [`resolve`]: presets, the flags that override them, refused input;
//! - [`endpoints`]: the IMAP and POP endpoints of presets and `custom`;
//! - [`add`]: what `add` leaves behind, taken names, keyring failures;
//! - [`change`]: `set-password` and `remove`;
//! - [`lookup`]: `get` and `neomutt`;
//! - [`listing`]: `list` and `show`;
//! - [`snippets`]: `config msmtp|neomutt|git`;
//! - [`git`]: git's `get`, `store` and `erase` on an account's credential;
//! - [`one_secret`]: the one secret of every endpoint, as git imap-send
//!   and git send-email find, store and erase it;
//! - [`readers`]: `neomutt --type` for SMTP, IMAP and POP;
//! - [`reader_snippets`]: neomutt's IMAP folder and git imap-send.
//!
//! Every command runs through [`Setup::run`], which checks what holds for
//! all of them: a failing command prints nothing on stdout, and its error
//! message never repeats a password the test used.

mod add;
mod change;
mod endpoints;
mod git;
mod listing;
mod lookup;
mod oauth_snippets;
mod one_secret;
mod reader_snippets;
mod readers;
mod resolve;
mod snippets;

use std::cell::RefCell;
use std::path::PathBuf;

use mailcred::accounts::{Account, Provider};
use mailcred::commands::accounts::{self, NewAccount};
use mailcred::commands::{self, CommandError, Context};
use mailcred::oauth::FakeTokenSource;
use mailcred::store::{MemoryStore, SecretStore};
use mailcred::vault::{IndexEntry, IndexFile};
use secrecy::SecretString;

use crate::replay::NOW;

/// When every account of these tests was added.
pub const ADDED: &str = "2027-01-15T08:00:00Z";

/// The login of the accounts, an address so that URL escaping matters.
pub const USER: &str = "ann@example.org";

/// `mailcred add NAME --provider PROVIDER --user ann@example.org`, no other flag.
pub fn new_account(name: &str, provider: Provider) -> NewAccount {
    NewAccount::new(name, provider, USER)
}

/// What the binary would make of a command: its stdout, its exit status
/// from `CommandError::exit_code()`, and the one line `cli::finish` prints
/// on stderr.
#[derive(Debug)]
pub struct Outcome {
    /// Everything written to stdout.
    pub stdout: String,
    /// 0, or the failure's exit status.
    pub exit: u8,
    /// `mailcred: {:#}` of the error, or empty.
    pub stderr: String,
}

impl Outcome {
    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(self, what: &str) -> String {
        assert_eq!(
            self.exit, 0,
            "{what} must succeed, but it exited {} saying {:?}",
            self.exit, self.stderr
        );
        self.stdout
    }

    /// Asserts the exit status `exit` and returns the error line.
    #[track_caller]
    pub fn fails_with(self, exit: u8, why: &str) -> String {
        assert_eq!(
            self.exit, exit,
            "{why}; it exited {} saying {:?} (stdout {:?})",
            self.exit, self.stderr, self.stdout
        );
        self.stderr
    }
}

/// A temporary folder holding the index (`<tmp>/mailcred`) and the account
/// file (`<tmp>/mailcred/accounts`), an in-memory store, and every password
/// the test has used so far.
pub struct Setup {
    dir: tempfile::TempDir,
    /// The keyring.
    pub store: MemoryStore,
    /// The identity provider of OAuth2 accounts: access tokens valid for an
    /// hour from the transcripts' clock.
    pub tokens: FakeTokenSource,
    passwords: RefCell<Vec<String>>,
}

impl Setup {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temporary directory"),
            store: MemoryStore::default(),
            tokens: FakeTokenSource::new(NOW, 3600),
            passwords: RefCell::default(),
        }
    }

    /// The credential index.
    pub fn index(&self) -> IndexFile {
        IndexFile::in_dir(self.dir.path().join("mailcred"))
    }

    /// A command context over the in-memory store and the fake identity
    /// provider.
    pub fn ctx(&self) -> Context<'_> {
        Context::with_store(self.index(), NOW, &self.store).with_tokens(&self.tokens)
    }

    /// `accounts.json`, where `Context::with_store` keeps the accounts.
    pub fn account_file(&self) -> PathBuf {
        self.index().dir().join("accounts").join("accounts.json")
    }

    /// `password` as a secret, remembered so no error message may repeat it.
    pub fn password(&self, password: &str) -> SecretString {
        self.passwords.borrow_mut().push(password.to_owned());
        SecretString::from(password)
    }

    /// Runs a command against the in-memory store.
    pub fn run(
        &self,
        command: impl FnOnce(&Context<'_>, &mut Vec<u8>) -> Result<(), CommandError>,
    ) -> Outcome {
        self.run_on(&self.store, command)
    }

    /// Runs a command against another store, with the same files.
    pub fn run_on(
        &self,
        store: &dyn SecretStore,
        command: impl FnOnce(&Context<'_>, &mut Vec<u8>) -> Result<(), CommandError>,
    ) -> Outcome {
        let ctx = Context::with_store(self.index(), NOW, store).with_tokens(&self.tokens);
        let mut stdout = Vec::new();
        let result = command(&ctx, &mut stdout);
        let stdout = String::from_utf8(stdout).expect("commands print UTF-8");
        let outcome = match result {
            Ok(()) => Outcome {
                stdout,
                exit: 0,
                stderr: String::new(),
            },
            Err(e) => Outcome {
                stdout,
                exit: e.exit_code(),
                stderr: format!("mailcred: {:#}", anyhow::Error::from(e)),
            },
        };
        if outcome.exit != 0 {
            assert!(
                outcome.stdout.is_empty(),
                "a failing command must print nothing on stdout, which msmtp, neomutt and git \
                 would take as the answer; it printed {:?} and failed with {:?}",
                outcome.stdout,
                outcome.stderr
            );
        }
        for password in self.passwords.borrow().iter() {
            assert!(
                !outcome.stderr.contains(password.as_str()),
                "an error message must never carry a password, but {:?} repeats one",
                outcome.stderr
            );
        }
        // The fake identity provider's tokens are `access-N` and `refresh-N`.
        assert!(
            !outcome.stderr.contains("access-") && !outcome.stderr.contains("refresh-"),
            "an error message must never carry a token, but {:?} does",
            outcome.stderr
        );
        outcome
    }

    /// `mailcred add` as the binary runs it once the password is read:
    /// `resolve`, then `add`.
    pub fn add(&self, new: &NewAccount, password: &str) -> Outcome {
        self.add_on(&self.store, new, password)
    }

    /// `mailcred add` against another store.
    pub fn add_on(&self, store: &dyn SecretStore, new: &NewAccount, password: &str) -> Outcome {
        let password = self.password(password);
        self.run_on(store, |ctx, out| {
            let account = accounts::resolve(new, ADDED.into())?;
            accounts::add(ctx, account, password, out)
        })
    }

    /// Adds an account that must be accepted, and returns it as recorded.
    #[track_caller]
    pub fn added(&self, new: &NewAccount, password: &str) -> Account {
        self.add(new, password).ok("adding a valid account");
        self.ctx()
            .accounts
            .read()
            .expect("the account file reads")
            .get(&new.name)
            .cloned()
            .expect("an account just added is in the account file")
    }

    /// `mailcred get NAME`.
    pub fn get(&self, name: &str) -> Outcome {
        self.run(|ctx, out| commands::lookup::get(ctx, name, out))
    }

    /// `git-credential-mailcred ACTION` with `request` on stdin; a
    /// `password=` line is remembered as a password.
    pub fn git(&self, action: &str, request: &str) -> Outcome {
        for line in request.lines() {
            if let Some(password) = line.strip_prefix("password=") {
                self.passwords.borrow_mut().push(password.to_owned());
            }
        }
        self.run(|ctx, out| commands::git::run(action, request.as_bytes(), out, ctx))
    }

    /// The names in the account file, in order.
    pub fn account_names(&self) -> Vec<String> {
        self.ctx()
            .accounts
            .read()
            .expect("the account file reads")
            .accounts
            .into_iter()
            .map(|a| a.name)
            .collect()
    }

    /// The index as saved, newest first (none when it was never written).
    pub fn index_entries(&self) -> Vec<IndexEntry> {
        let index = self.index();
        match index.lock(false).expect("the index can be locked") {
            None => Vec::new(),
            Some(lock) => index.load(&lock).expect("the index loads").entries,
        }
    }

    /// Asserts that nothing at all is kept: no account, no index entry, no
    /// secret.
    #[track_caller]
    pub fn assert_nothing_stored(&self, why: &str) {
        assert_eq!(
            (
                self.account_names(),
                self.index_entries().len(),
                self.store.len()
            ),
            (Vec::<String>::new(), 0, 0),
            "{why}: expected no account, no index entry and no keyring secret; found \
             (accounts, index entries, secrets)"
        );
    }
}

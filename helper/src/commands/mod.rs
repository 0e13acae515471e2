//! The commands: thin functions joining the wire formats to the vault.

pub mod accounts;
pub mod book;
pub mod doctor;
pub mod git;
pub mod import;
pub mod listing;
pub mod login;
pub mod lookup;
mod resolve;
mod resolve_oauth;
pub mod snippets;
pub mod tokens;

use std::sync::Arc;

use crate::accounts::{AccountError, AccountFile, LookupError};
use crate::exit;
use crate::oauth::{Companion, Flow, NoTokenSource, TokenError, TokenRequest, TokenSource, Tokens};
use crate::protocol::ProtocolError;
use crate::secret_input::PasswordInputError;
use crate::settings::{self, SettingsError};
use crate::store::{Borrowed, LazyStore, SecretStore, StoreChoice, StoreError};
use crate::vault::{IndexError, IndexFile, IndexPlace, VaultError};
pub use book::{AccountBook, BookHeld};

/// Opens the store a command uses.
type Opener<'a> = dyn Fn() -> Result<Box<dyn SecretStore + 'a>, StoreError> + Send + Sync + 'a;

/// Everything a command needs from the outside world, injected so that tests
/// can substitute an in-memory store and a temporary index.
pub struct Context<'a> {
    /// The credential index.
    pub index: IndexPlace,
    /// The mail accounts.
    pub accounts: AccountBook<'a>,
    /// Seconds since the epoch, for expiry.
    pub now: u64,
    opener: Arc<Opener<'a>>,
    warning: Option<&'static str>,
    tokens: Arc<dyn TokenSource + 'a>,
}

impl<'a> Context<'a> {
    /// The real thing: the configured store, every call bounded by the
    /// configured deadline, and the user's index and accounts (local
    /// files, or documents in a store that keeps them).
    pub fn from_environment() -> Result<Context<'static>, CommandError> {
        let config = settings::store_config()?;
        let warning = config.choice.warning();
        let index = IndexFile::default_location().map_err(VaultError::from)?;
        let accounts = AccountFile::default_location()?;
        #[cfg(target_os = "linux")]
        if config.choice == StoreChoice::Pass {
            return in_password_store(config, &index, &accounts);
        }
        let keeps_documents = config.keeps_documents();
        let open = move || config.open();
        let context = if keeps_documents {
            // One store, opened on first use, for the secrets and the
            // documents alike.
            let shared: Arc<LazyStore<'static>> = Arc::new(LazyStore::new(open));
            let local = accounts.dir().to_owned();
            let opener = Arc::clone(&shared);
            Context {
                index: IndexPlace::Store { locks: index },
                accounts: AccountBook::Store {
                    store: shared,
                    local,
                },
                now: now(),
                opener: Arc::new(move || Ok(Box::new(Arc::clone(&opener)))),
                warning,
                tokens: Arc::new(Companion::default()),
            }
        } else {
            Context {
                index: index.into(),
                accounts: AccountBook::File(accounts, None),
                now: now(),
                opener: Arc::new(open),
                warning,
                tokens: Arc::new(Companion::default()),
            }
        };
        Ok(context)
    }

    /// A context whose index and accounts are documents in `store`, as
    /// for a store that [keeps documents](crate::store::StoreConfig::keeps_documents):
    /// for tests of several machines sharing one store. `local` is the
    /// machine's own folder (refresh locks only).
    pub fn sharing_store(local: &std::path::Path, now: u64, store: &'a dyn SecretStore) -> Self {
        Context {
            index: IndexPlace::Store {
                locks: IndexFile::in_dir(local),
            },
            accounts: AccountBook::Store {
                store: Arc::new(Borrowed(store)),
                local: local.to_owned(),
            },
            now,
            opener: Arc::new(move || Ok(Box::new(Borrowed(store)))),
            warning: None,
            tokens: Arc::new(NoTokenSource),
        }
    }

    /// A context over a given store, for tests; accounts are kept in an
    /// `accounts` folder inside the index's.
    pub fn with_store(index: IndexFile, now: u64, store: &'a dyn SecretStore) -> Context<'a> {
        Context {
            accounts: AccountBook::File(AccountFile::in_dir(index.dir().join("accounts")), None),
            index: index.into(),
            now,
            opener: Arc::new(move || Ok(Box::new(Borrowed(store)))),
            warning: None,
            tokens: Arc::new(NoTokenSource),
        }
    }

    /// The same context, fetching OAuth2 tokens from `source` (a fake, in
    /// tests).
    pub fn with_tokens(mut self, source: &'a dyn TokenSource) -> Self {
        self.tokens = Arc::new(BorrowedSource(source));
        self
    }

    /// Where OAuth2 tokens come from.
    pub fn tokens(&self) -> &dyn TokenSource {
        self.tokens.as_ref()
    }

    /// Connects to the store; only commands that need it call this, so a
    /// request answered without the store never waits for D-Bus.
    pub fn open_store(&self) -> Result<Box<dyn SecretStore + 'a>, CommandError> {
        Ok((self.opener)()?)
    }

    /// The store, connected only when a secret is actually read or written:
    /// lookups the index can answer alone never wait for D-Bus.
    pub fn lazy_store(&self) -> LazyStore<'a> {
        let opener = Arc::clone(&self.opener);
        LazyStore::new(move || opener())
    }

    /// The store's caveat, if it has one.
    pub fn warning(&self) -> Option<&'static str> {
        self.warning
    }

    /// Tells the user once, on stderr, when the store in use loses secrets.
    pub fn warn_about_store(&self) {
        if let Some(warning) = self.warning {
            eprintln!("mailcred: warning: {warning}");
        }
    }
}

/// The context of the pass store, whose index and accounts live in the
/// password store ([`crate::store::PassFolder`]); the files mailcred kept
/// in `index`'s and `accounts`' folders before are moved there once.
#[cfg(target_os = "linux")]
fn in_password_store(
    config: crate::store::StoreConfig,
    index: &IndexFile,
    accounts: &AccountFile,
) -> Result<Context<'static>, CommandError> {
    let folder = Arc::new(crate::store::PassFolder::new(
        &config.pass,
        config.deadline.mul_f64(0.9),
    ));
    folder
        .move_in(index.dir(), IndexFile::FILE, IndexFile::LOCK)
        .and_then(|()| folder.move_in(accounts.dir(), AccountFile::FILE, AccountFile::LOCK))
        .map_err(CommandError::Config)?;
    let warning = config.choice.warning();
    Ok(Context {
        index: IndexFile::in_dir(folder.path())
            .with_hook(folder.clone())
            .into(),
        accounts: AccountBook::File(AccountFile::in_dir(folder.path()), Some(folder)),
        now: now(),
        opener: Arc::new(move || config.open()),
        warning,
        tokens: Arc::new(Companion::default()),
    })
}

/// A borrowed token source, owned as the context's.
struct BorrowedSource<'a>(&'a dyn TokenSource);

impl TokenSource for BorrowedSource<'_> {
    fn login(&self, request: &TokenRequest<'_>, flow: Flow) -> Result<Tokens, TokenError> {
        self.0.login(request, flow)
    }

    fn refresh(
        &self,
        request: &TokenRequest<'_>,
        refresh_token: &secrecy::SecretString,
    ) -> Result<Tokens, TokenError> {
        self.0.refresh(request, refresh_token)
    }
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Why a command failed. Each maps to its own exit status (see [`exit`]).
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The request on stdin was refused.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    /// The keyring or the index failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// The configuration is wrong.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// A stored value would break the output's line structure.
    #[error(
        "refusing to answer: the stored {key} contains a line break or NUL; erase and store the credential again"
    )]
    UnsafeStoredValue {
        /// The field concerned.
        key: &'static str,
    },
    /// Writing the answer failed.
    #[error("cannot write the answer")]
    Output(#[from] std::io::Error),
    /// The store round trip of `doctor` failed.
    #[error("{0}")]
    Doctor(String),
    /// The account file failed.
    #[error(transparent)]
    Accounts(#[from] AccountError),
    /// No single account answers (by name, or by server and login).
    #[error(transparent)]
    Lookup(#[from] LookupError),
    /// The account exists but its password is not in the keyring.
    #[error(
        "no password is stored for mail account \"{name}\"; store one with `mailcred set-password {name}`"
    )]
    NoPassword {
        /// The account.
        name: String,
    },
    /// `add` of a name already taken.
    #[error(
        "a mail account named \"{name}\" already exists; change its password with `mailcred set-password {name}` or remove it first"
    )]
    AccountExists {
        /// The account.
        name: String,
    },
    /// `add` of an account with an endpoint (protocol, server, port and
    /// login) another account has: both would share one stored password.
    #[error(
        "mail account \"{existing}\" already keeps the password of {user} on {server}; a second account there would replace it. Use `mailcred set-password {existing}` to change that password"
    )]
    CredentialTaken {
        /// The account already there.
        existing: String,
        /// The login.
        user: String,
        /// `PROTOCOL://HOST:PORT`.
        server: String,
    },
    /// A command line that parses but makes no sense.
    #[error("{0}")]
    Usage(String),
    /// A setting that would be unsafe (plain http:// to another machine).
    #[error("{0}")]
    Config(String),
    /// The new password could not be read.
    #[error(transparent)]
    PasswordInput(#[from] PasswordInputError),
    /// Running `git config` failed.
    #[error("git config failed: {0}")]
    GitConfig(String),
    /// No OAuth2 tokens came (the companion said why, or this says).
    #[error(transparent)]
    Tokens(#[from] TokenError),
    /// The OAuth2 account has no usable refresh token.
    #[error(
        "mail account \"{name}\" must sign in again: {why}; sign in again with `mailcred login {name}`"
    )]
    SignInAgain {
        /// The account.
        name: String,
        /// What is missing.
        why: String,
    },
    /// A switch to OAuth2 stopped after the tokens were saved and before
    /// the account file said so.
    #[error(
        "the switch of mail account \"{name}\" to OAuth2 was interrupted; finish it with `mailcred login {name}`"
    )]
    SwitchUnfinished {
        /// The account.
        name: String,
    },
    /// A command for app passwords, on an OAuth2 account.
    #[error(
        "mail account \"{name}\" signs in with OAuth2 and keeps no app password; sign in again with `mailcred login {name}`"
    )]
    OAuthAccount {
        /// The account.
        name: String,
    },
    /// `mailcred import` failed.
    #[error(transparent)]
    Import(#[from] import::ImportError),
}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        Self::Vault(VaultError::Store(e))
    }
}

impl CommandError {
    /// The exit status for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Protocol(ProtocolError::Io(_)) | Self::Output(_) => exit::IO_ERROR,
            Self::Protocol(_) => exit::REFUSED_INPUT,
            Self::Settings(_) => exit::CONFIG,
            Self::UnsafeStoredValue { .. } => exit::DATA_DAMAGED,
            Self::Doctor(_) => exit::KEYRING_UNAVAILABLE,
            Self::Accounts(e) => e.exit_code(),
            Self::Lookup(e) => e.exit_code(),
            Self::NoPassword { .. } => exit::NO_PASSWORD,
            Self::AccountExists { .. } | Self::CredentialTaken { .. } => exit::EXISTS,
            Self::Usage(_) => exit::USAGE,
            Self::Config(_) => exit::CONFIG,
            Self::PasswordInput(_) => exit::REFUSED_INPUT,
            Self::GitConfig(_) => exit::SOFTWARE,
            Self::Tokens(e) => e.exit_code(),
            Self::SignInAgain { .. } | Self::SwitchUnfinished { .. } => exit::SIGN_IN_AGAIN,
            Self::OAuthAccount { .. } => exit::USAGE,
            Self::Import(e) => e.exit_code(),
            Self::Vault(v) => match v {
                VaultError::Store(s) => store_exit_code(s),
                VaultError::Index(IndexError::Corrupt { .. }) => exit::DATA_DAMAGED,
                VaultError::Index(IndexError::Newer { .. }) => exit::CONFIG,
                // Another mailcred held the index's or a refresh lock past the
                // bounded wait: trying again is the fix.
                VaultError::Index(IndexError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::TimedOut =>
                {
                    exit::TEMPORARY
                }
                VaultError::Ambiguous { .. } => exit::NO_ACCOUNT,
                VaultError::Index(_) => exit::IO_ERROR,
                VaultError::UnscopedErase => exit::REFUSED_INPUT,
                VaultError::Random => exit::SOFTWARE,
                VaultError::DamagedSecret { .. } => exit::DATA_DAMAGED,
            },
        }
    }

    /// Whether the user has been told already (by `mailcred-oauth`, on
    /// the stderr it shares): nothing more is printed then.
    pub fn already_told(&self) -> bool {
        matches!(self, Self::Tokens(e) if e.already_told())
    }

    /// Whether this is a broken pipe on the answer: the reader went away,
    /// which is not worth a message.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Self::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// The exit status for a store failure.
pub fn store_exit_code(e: &StoreError) -> u8 {
    match e {
        StoreError::Unavailable { .. } | StoreError::TimedOut { .. } => exit::KEYRING_UNAVAILABLE,
        StoreError::Locked { .. } => exit::KEYRING_LOCKED,
        StoreError::NoDefaultCollection { .. }
        | StoreError::Unsupported { .. }
        | StoreError::NotSetUp { .. }
        | StoreError::MissingKey { .. } => exit::CONFIG,
        StoreError::Ambiguous { .. } | StoreError::Damaged { .. } => exit::DATA_DAMAGED,
        StoreError::Conflict { .. }
        | StoreError::Contended { .. }
        | StoreError::Temporary { .. } => exit::TEMPORARY,
        StoreError::Denied { .. } => exit::NO_PERMISSION,
        StoreError::LoginExpired { .. } => exit::KEYRING_LOCKED,
        StoreError::BadAnswer { .. } => exit::PROTOCOL,
        // A full keyring is a keyring failure ("70: keyring failure"), told
        // apart by its message: what fills it and how to make room.
        StoreError::Failed { .. }
        | StoreError::Full { .. }
        | StoreError::NoCompareAndSet { .. } => exit::SOFTWARE,
    }
}

/// The store the configuration asks for (exposed for `--version` and `doctor`).
pub fn configured_store() -> Result<StoreChoice, CommandError> {
    Ok(settings::store_choice()?)
}

#[cfg(test)]
mod exit_tests {
    use super::*;

    fn index_io(kind: std::io::ErrorKind) -> CommandError {
        CommandError::Vault(VaultError::Index(IndexError::Io {
            action: "lock",
            path: "credentials.json".into(),
            source: std::io::Error::new(kind, "held"),
        }))
    }

    #[test]
    fn an_index_or_refresh_lock_held_past_the_wait_is_temporary() {
        assert_eq!(
            index_io(std::io::ErrorKind::TimedOut).exit_code(),
            exit::TEMPORARY,
            "another mailcred held the lock too long: trying again is the fix"
        );
        assert_eq!(
            index_io(std::io::ErrorKind::PermissionDenied).exit_code(),
            exit::IO_ERROR,
            "any other failure of the index's file stays an I/O error"
        );
    }
}

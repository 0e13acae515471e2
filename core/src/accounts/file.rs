//! The account file: `accounts.json` in the configuration folder
//! ([`crate::app_dirs`]: `$XDG_CONFIG_HOME/mailcred` on Linux), 0600,
//! replaced atomically under a lock.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Account;
use crate::private_files::{
    FileLock, JsonFileError, PrivateDir, Unreadable, VersionedJson, from_json_file_error,
    parse_json,
};

const FILE: &str = "accounts.json";
const LOCK: &str = "accounts.lock";

/// Why the account file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Reading or writing failed.
    #[error("cannot {action} {path}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is damaged; it is left as it is.
    #[error(
        "the account file {path} is damaged ({reason}); it was left untouched: fix or restore it"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        reason: String,
    },
    /// A newer mailcred wrote the file; it is left as it is.
    #[error(
        "the account file {path} was written by a newer mailcred (format {version}; this one \
         reads formats 1 to {supported}); it was left untouched: upgrade mailcred"
    )]
    Newer {
        /// The file.
        path: PathBuf,
        /// Its format version.
        version: u32,
        /// The newest this build reads.
        supported: u32,
    },
    /// No folder for configuration.
    #[error("cannot find a configuration directory: set HOME or XDG_CONFIG_HOME")]
    NoConfigDir,
}

from_json_file_error!(AccountError);

impl AccountError {
    /// The exit status (see [`crate::exit`]): a newer file is no damage
    /// but an installation older than its data, [`CONFIG`](crate::exit::CONFIG);
    /// a lock another mailcred held past the wait is
    /// [`TEMPORARY`](crate::exit::TEMPORARY): trying again is the fix.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Corrupt { .. } => crate::exit::DATA_DAMAGED,
            Self::Newer { .. } => crate::exit::CONFIG,
            Self::Io { source, .. } if source.kind() == std::io::ErrorKind::TimedOut => {
                crate::exit::TEMPORARY
            }
            Self::Io { .. } | Self::NoConfigDir => crate::exit::IO_ERROR,
        }
    }
}

/// The accounts, in the order they were added.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Accounts {
    /// File format version.
    pub version: u32,
    /// Every account.
    pub accounts: Vec<Account>,
    /// Accounts whose `add` has not finished: recorded before their secret
    /// is stored, so that an `add` killed in between (Ctrl-C at a keyring
    /// unlock prompt) leaves no account without a password. No lookup sees
    /// them; the next `add` of the same name or server and user replaces
    /// them, and `remove` takes them and whatever secret they left.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<Account>,
}

impl Accounts {
    /// Parses the contents of an account file, of this format or of
    /// format 1. The error says why it cannot be read (a position and a
    /// kind, never the file's contents).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Unreadable> {
        parse_json(bytes)
    }

    /// The account called `name`, if there is one (to ask "which one?",
    /// [`find`](Self::find) with its typed errors).
    pub fn get(&self, name: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.name == name)
    }

    /// Another account with an endpoint in the same git credential slot as
    /// one of `account`'s (same protocol, server, port and login): adding
    /// `account` would silently replace that account's password. The other
    /// account, and the protocol where they meet.
    pub fn sharing_credential(&self, account: &Account) -> Option<(&Account, super::Protocol)> {
        self.accounts
            .iter()
            .filter(|a| a.name != account.name)
            .find_map(|a| account.shares_slot_with(a).map(|p| (a, p)))
    }
}

/// Format 2: endpoints per protocol. Format 1 (mailcred 0.1) had one SMTP
/// server per account and is read by the private module `format1`.
impl VersionedJson for Accounts {
    const FORMAT_VERSION: u32 = 2;

    fn version_mut(&mut self) -> &mut u32 {
        &mut self.version
    }

    fn from_older(version: u32, bytes: &[u8]) -> Option<Result<Self, String>> {
        (version == 1).then(|| super::format1::read(bytes))
    }
}

/// The account file and its lock.
#[derive(Debug, Clone)]
pub struct AccountFile {
    dir: PrivateDir,
}

/// Held while reading or changing the accounts.
pub type AccountLock = FileLock;

impl AccountFile {
    /// The account file's name in its folder.
    pub const FILE: &'static str = FILE;
    /// Its lock file's name.
    pub const LOCK: &'static str = LOCK;

    /// The file in `dir`.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: PrivateDir::new(dir),
        }
    }

    /// The file in the user's configuration folder ([`crate::app_dirs`]),
    /// moved there from where mailcred 0.1 kept it on Windows.
    pub fn default_location() -> Result<Self, AccountError> {
        let dir = crate::app_dirs::config_dir().ok_or(AccountError::NoConfigDir)?;
        let earlier = crate::app_dirs::earlier_config_dir();
        crate::app_dirs::move_from_earlier(&dir, earlier.as_deref(), FILE)
            .map_err(|source| JsonFileError::io("move", dir.join(FILE), source))?;
        Ok(Self::in_dir(dir))
    }

    /// The folder holding the file.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// The file's path.
    pub fn path(&self) -> PathBuf {
        self.dir.path().join(FILE)
    }

    /// Reads every account without locking for long: the file is only ever
    /// replaced whole, so a reader sees the old or the new version.
    pub fn read(&self) -> Result<Accounts, AccountError> {
        Ok(self.dir.read_json(FILE)?)
    }

    /// Takes the lock for a change and reads the current accounts.
    pub fn lock(&self) -> Result<(AccountLock, Accounts), AccountError> {
        let lock = self
            .dir
            .lock(LOCK, true)
            .map_err(|e| JsonFileError::io("lock", self.path(), e))?;
        let accounts = self.read()?;
        Ok((lock, accounts))
    }

    /// Replaces the file.
    pub fn save(&self, lock: &AccountLock, accounts: &mut Accounts) -> Result<(), AccountError> {
        Ok(self.dir.write_json(FILE, accounts, lock)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io(kind: std::io::ErrorKind) -> AccountError {
        AccountError::Io {
            action: "lock",
            path: PathBuf::from("accounts.json"),
            source: std::io::Error::new(kind, "held"),
        }
    }

    #[test]
    fn a_lock_held_past_the_wait_is_temporary_and_other_io_failures_are_io_errors() {
        assert_eq!(
            io(std::io::ErrorKind::TimedOut).exit_code(),
            crate::exit::TEMPORARY,
            "another mailcred held the lock too long: trying again is the fix"
        );
        assert_eq!(
            io(std::io::ErrorKind::PermissionDenied).exit_code(),
            crate::exit::IO_ERROR
        );
    }
}

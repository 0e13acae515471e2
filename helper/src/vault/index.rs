//! The non-secret index: which credentials exist and under which keyring id.
//!
//! Platform stores can only look secrets up by (service, user); git's matching
//! needs protocol, host, path and username with absent and empty kept apart.
//! So the index holds those fields and the id of the keyring item holding the
//! secret parts. It never holds a secret.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::private_files::{
    FileLock, JsonFileError, PrivateDir, VersionedJson, from_json_file_error,
};

/// One stored credential, minus its secrets.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct IndexEntry {
    /// The keyring user name under which the secret parts are kept. Random
    /// and never reused, so a stale entry can only find nothing, never
    /// another credential's secret.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// `protocol`, absent when git sent none.
    pub protocol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// `host`, with port.
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// `path`.
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// `username`.
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// `password_expiry_utc`, as git sent it.
    pub password_expiry_utc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// `authtype`, kept only when the caller negotiated the capability.
    pub authtype: Option<String>,
    /// Seconds since the epoch when it was stored.
    pub stored_at: u64,
    /// The mail account (`mailcred add`) this credential belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Whether git's `erase` must leave it alone: an app password is shown
    /// once, and git send-email erases whenever AUTH fails, not only on a bad
    /// password.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub protected: bool,
}

impl IndexEntry {
    /// Whether two entries are the same credential slot for `store`.
    pub fn same_slot(&self, other: &IndexEntry) -> bool {
        self.protocol == other.protocol
            && self.host == other.host
            && self.path == other.path
            && self.username == other.username
    }

    /// Whether `other` is this mail account entry's credential spelled as
    /// git send-email spells it without `smtpServerPort`: the same protocol,
    /// path and username, and the account's `SERVER:PORT` given as `SERVER`.
    /// Such a credential has its one home in this entry.
    pub fn owns_port_less(&self, other: &IndexEntry) -> bool {
        let (Some(stored), Some(given)) = (self.host.as_deref(), other.host.as_deref()) else {
            return false;
        };
        self.account.is_some()
            && self.protocol == other.protocol
            && self.path == other.path
            && self.username == other.username
            && !given.contains(':')
            && stored
                .rsplit_once(':')
                .is_some_and(|(server, _port)| server == given)
    }

    /// A name for keyring managers: `smtp://user@host/path`, nothing secret.
    pub fn label(&self) -> String {
        let mut label = String::from("mailcred: ");
        label.push_str(self.protocol.as_deref().unwrap_or("?"));
        label.push_str("://");
        if let Some(user) = &self.username {
            label.push_str(user);
            label.push('@');
        }
        label.push_str(self.host.as_deref().unwrap_or(""));
        if let Some(path) = &self.path {
            label.push('/');
            label.push_str(path);
        }
        label
    }
}

/// The whole index file. Newest entries first, so the first match wins.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Index {
    /// File format version.
    pub version: u32,
    /// Every credential, newest first.
    pub entries: Vec<IndexEntry>,
}

/// Why the index could not be used.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The file or its folder could not be read or written.
    #[error("cannot {action} {path}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not an index this version understands. It is left alone.
    #[error(
        "the credential index {path} is damaged ({reason}); it was left untouched: restore it from a backup or move it aside"
    )]
    Corrupt {
        /// The file concerned.
        path: PathBuf,
        /// What the parser said (positions, never contents).
        reason: String,
    },
    /// No folder to keep the index in.
    #[error("cannot find a data directory: set HOME or XDG_DATA_HOME")]
    NoDataDir,
}

from_json_file_error!(IndexError);

impl VersionedJson for Index {
    const FORMAT_VERSION: u32 = 1;

    fn version_mut(&mut self) -> &mut u32 {
        &mut self.version
    }
}

const FILE: &str = "credentials.json";
const LOCK: &str = "credentials.lock";

/// The index file and its lock, in one private folder.
#[derive(Debug, Clone)]
pub struct IndexFile {
    dir: PrivateDir,
}

/// Held while reading or changing the index; released on drop.
pub type IndexLock = FileLock;

impl IndexFile {
    /// The index in `dir`, created lazily.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: PrivateDir::new(dir),
        }
    }

    /// The index in the user's data folder (`$XDG_DATA_HOME/mailcred`;
    /// `%LOCALAPPDATA%\mailcred` on Windows, see `mailcred_core::app_dirs`),
    /// moved there from where mailcred 0.1 kept it on Windows.
    pub fn default_location() -> Result<Self, IndexError> {
        use mailcred_core::app_dirs;
        let dir = app_dirs::data_dir().ok_or(IndexError::NoDataDir)?;
        app_dirs::move_from_earlier(&dir, app_dirs::earlier_data_dir().as_deref(), FILE)
            .map_err(|source| JsonFileError::io("move", dir.join(FILE), source))?;
        Ok(Self::in_dir(dir))
    }

    /// The folder holding the index.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// The index file's path.
    pub fn path(&self) -> PathBuf {
        self.dir.path().join(FILE)
    }

    /// Takes the lock shared (to read) or exclusive (to change). Returns
    /// `None` for a shared lock when nothing was ever stored, so a `get` on a
    /// fresh machine creates no files.
    ///
    /// Readers lock too: a writer replaces an entry in several steps (index,
    /// secret, index), and a reader between them could otherwise see neither
    /// the old nor the new secret.
    pub fn lock(&self, exclusive: bool) -> Result<Option<IndexLock>, IndexError> {
        if !exclusive && !self.path().exists() {
            return Ok(None);
        }
        self.dir
            .lock(LOCK, exclusive)
            .map(Some)
            .map_err(|source| JsonFileError::io("lock", self.path(), source).into())
    }

    /// Reads the index; a missing file is an empty index.
    pub fn load(&self, _lock: &IndexLock) -> Result<Index, IndexError> {
        Ok(self.dir.read_json(FILE)?)
    }

    /// Replaces the index atomically.
    pub fn save(&self, lock: &IndexLock, index: &mut Index) -> Result<(), IndexError> {
        Ok(self.dir.write_json(FILE, index, lock)?)
    }
}

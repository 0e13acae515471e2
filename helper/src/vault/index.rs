//! The non-secret index: which credentials exist and under which keyring id.
//!
//! Platform stores can only look secrets up by (service, user); git's matching
//! needs protocol, host, path and username with absent and empty kept apart.
//! So the index holds those fields and the id of the keyring item holding the
//! secret parts. It never holds a secret.
//!
//! A mail account is one entry, one keyring item, however many endpoints it
//! has: the entry lists every endpoint as git names it
//! ([`EndpointSlot`]), and git finds the one secret under any of them.

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::accounts::Protocol;
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
    /// A mail account's endpoints, each a slot git finds the account's one
    /// secret in (the entry's own protocol, host and username are absent).
    /// Empty for what git stored itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<EndpointSlot>,
    /// Whether the secret is an OAuth2 account's token pair (access token
    /// as `password`, refresh token, expiry). git may not replace it
    /// (`store` is ignored: git approves the access token it was handed),
    /// and `erase` drops only its access token, never the refresh token.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub oauth: bool,
}

/// One endpoint of a mail account, as git asks for its credential.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct EndpointSlot {
    /// The endpoint's protocol; git's `smtp`, `imap` and `imaps` name them
    /// (the `s` is TLS, not another endpoint).
    pub protocol: Protocol,
    /// `HOST:PORT`.
    pub host: String,
    /// The endpoint's login.
    pub username: String,
}

impl EndpointSlot {
    /// Whether `entry`, stored by git itself, is this endpoint's credential
    /// under another spelling (`imaps` for `imap`, the host without its
    /// port): a copy the account's secret replaces.
    pub fn covers(&self, entry: &IndexEntry) -> bool {
        let (Some(protocol), Some(host), Some(username)) = (
            entry.protocol.as_deref(),
            entry.host.as_deref(),
            entry.username.as_deref(),
        ) else {
            return false;
        };
        entry.account.is_none()
            && entry.path.is_none()
            && Protocol::from_scheme(protocol) == Some(self.protocol)
            && username == self.username
            && (host == self.host || self.server() == host)
    }

    /// The server, without the port.
    pub fn server(&self) -> &str {
        self.host
            .rsplit_once(':')
            .map_or(&self.host, |(server, _)| server)
    }
}

impl IndexEntry {
    /// Whether two entries are the same credential slot for `store`.
    pub fn same_slot(&self, other: &IndexEntry) -> bool {
        self.protocol == other.protocol
            && self.host == other.host
            && self.path == other.path
            && self.username == other.username
    }

    /// A name for keyring managers, nothing secret: `smtp://user@host/path`,
    /// or for a mail account its name and endpoints.
    pub fn label(&self) -> String {
        if let Some(account) = &self.account {
            let endpoints: Vec<String> = self
                .endpoints
                .iter()
                .map(|e| format!("{}://{}@{}", e.protocol, e.username, e.host))
                .collect();
            return format!("mailcred: {account} ({})", endpoints.join(", "));
        }
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
    /// A newer mailcred wrote the index. It is left alone.
    #[error(
        "the credential index {path} was written by a newer mailcred (format {version}; this \
         one reads formats 1 to {supported}); it was left untouched: upgrade mailcred"
    )]
    Newer {
        /// The file concerned.
        path: PathBuf,
        /// Its format version.
        version: u32,
        /// The newest this build reads.
        supported: u32,
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

/// Format 2: a mail account's entry lists its endpoints. In format 1
/// (mailcred 0.1) it was the account's one SMTP slot, in the entry's own
/// protocol, host and username; `from_format_1` moves them.
impl VersionedJson for Index {
    const FORMAT_VERSION: u32 = 2;

    fn version_mut(&mut self) -> &mut u32 {
        &mut self.version
    }

    fn from_older(version: u32, bytes: &[u8]) -> Option<Result<Self, String>> {
        (version == 1).then(|| from_format_1(bytes))
    }
}

/// Reads an index of format 1. Only account entries change: each keeps its
/// id, so its keyring item, untouched, is still found; git's own entries
/// read as they are.
fn from_format_1(bytes: &[u8]) -> Result<Index, String> {
    let mut index: Index = serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "format 1, line {}, column {}: {:?}",
            e.line(),
            e.column(),
            e.classify()
        )
    })?;
    for entry in index.entries.iter_mut().filter(|e| e.account.is_some()) {
        let slot = match (
            entry.protocol.take(),
            entry.host.take(),
            entry.username.take(),
        ) {
            (Some(protocol), Some(host), Some(username)) if protocol == "smtp" => EndpointSlot {
                protocol: Protocol::Smtp,
                host,
                username,
            },
            _ => {
                return Err(format!(
                    "format 1: the entry {} of a mail account is not an SMTP credential with a \
                     host and username",
                    entry.id
                ));
            }
        };
        entry.endpoints = vec![slot];
    }
    index.version = Index::FORMAT_VERSION;
    Ok(index)
}

const FILE: &str = "credentials.json";
const LOCK: &str = "credentials.lock";
/// The prefix of an OAuth2 account's refresh lock file.
const REFRESH_LOCK: &str = "refresh-";

/// The index file and its lock, in one private folder.
#[derive(Debug, Clone)]
pub struct IndexFile {
    dir: PrivateDir,
    after_save: Option<Arc<dyn SaveHook>>,
}

/// What else must happen once one of mailcred's files is saved: for the
/// pass store, whose files live in the password store, a commit to its git
/// repository, so that a shared store carries them to every machine.
pub trait SaveHook: Send + Sync + std::fmt::Debug {
    /// `file` was just replaced (under its lock, still held).
    fn saved(&self, file: &std::path::Path);
}

/// Held while reading or changing the index; released on drop.
pub type IndexLock = FileLock;

impl IndexFile {
    /// The index file's name in its folder.
    pub const FILE: &'static str = FILE;
    /// Its lock file's name.
    pub const LOCK: &'static str = LOCK;

    /// The index in `dir`, created lazily.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: PrivateDir::new(dir),
            after_save: None,
        }
    }

    /// The same index, `hook` told of every save.
    pub fn with_hook(mut self, hook: Arc<dyn SaveHook>) -> Self {
        self.after_save = Some(hook);
        self
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

    /// Takes the OAuth2 account `name`'s refresh lock (a file of its own in
    /// the index's folder), waiting at most as long as for the index.
    ///
    /// Held by whoever fetches new tokens for the account, from the check
    /// that they are needed until they are saved: readers of an expired
    /// token then wait for the one refresh instead of each making one, and
    /// a rotated refresh token is never used twice. Readers of a token that
    /// is still good never take it.
    pub fn refresh_lock(&self, name: &str) -> Result<FileLock, IndexError> {
        let file = refresh_lock_name(name);
        self.dir
            .lock(&file, true)
            .map_err(|source| JsonFileError::io("lock", self.dir().join(&file), source).into())
    }

    /// Reads the index; a missing file is an empty index.
    pub fn load(&self, _lock: &IndexLock) -> Result<Index, IndexError> {
        Ok(self.dir.read_json(FILE)?)
    }

    /// Replaces the index atomically.
    pub fn save(&self, lock: &IndexLock, index: &mut Index) -> Result<(), IndexError> {
        self.dir.write_json(FILE, index, lock)?;
        if let Some(hook) = &self.after_save {
            hook.saved(&self.path());
        }
        Ok(())
    }
}

/// The refresh lock's file name for the account `name`: a digest, since a
/// hand-edited account file may name an account with `/` or `..` in it.
fn refresh_lock_name(name: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(name.as_bytes());
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("{REFRESH_LOCK}{hex}.lock")
}

//! The JSON files of a [`PrivateDir`](super::PrivateDir): versioned, so that
//! a newer file is refused and an older one migrated, and their errors.

use std::io;
use std::path::PathBuf;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The contents of a JSON file kept in a [`PrivateDir`](super::PrivateDir), carrying its format
/// version so that a newer file is refused rather than misread, and an
/// older one is read through [`from_older`](Self::from_older).
///
/// Migration happens in memory only: reading an older file never writes it.
/// The next change writes the current format, under the file's lock and
/// atomically like every write, so a crash leaves the old file or the new
/// one, and a file nobody changes stays readable by the version that wrote it.
pub trait VersionedJson: Serialize + DeserializeOwned + Default {
    /// The format version this build writes.
    const FORMAT_VERSION: u32;

    /// The version field.
    fn version_mut(&mut self) -> &mut u32;

    /// Reads `bytes`, a file of the older format `version`, as the current
    /// one; `None` when this build cannot read that version. The error is
    /// why it is damaged (positions, never contents).
    fn from_older(version: u32, bytes: &[u8]) -> Option<Result<Self, String>> {
        let _ = (version, bytes);
        None
    }
}

/// Why a versioned JSON file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// It is damaged: a position and a kind, never the file's contents.
    Damaged(String),
    /// A newer mailcred wrote it, in this format version.
    Newer(u32),
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Damaged(reason) => f.write_str(reason),
            Self::Newer(version) => write!(f, "it is of the newer format version {version}"),
        }
    }
}

/// Why [`PrivateDir::read_json`](super::PrivateDir::read_json) or [`PrivateDir::write_json`](super::PrivateDir::write_json) failed. Each
/// file turns it into its own public error, whose message names the file.
#[derive(Debug)]
pub enum JsonFileError {
    /// Reading, encoding or writing failed.
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The file is damaged.
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Why (see [`parse_json`]).
        reason: String,
    },
    /// A newer mailcred wrote the file.
    Newer {
        /// The file.
        path: PathBuf,
        /// Its format version.
        version: u32,
        /// The newest this build reads.
        supported: u32,
    },
}

impl JsonFileError {
    /// An [`Io`](Self::Io) error: doing `action` on `path` failed.
    pub fn io(action: &'static str, path: PathBuf, source: io::Error) -> Self {
        Self::Io {
            action,
            path,
            source,
        }
    }
}

/// `From<JsonFileError>` for a file's own error enum, whose `Io`, `Corrupt`
/// and `Newer` variants have the fields of [`JsonFileError`]'s.
#[doc(hidden)]
#[macro_export]
macro_rules! from_json_file_error {
    ($error:ty) => {
        impl From<$crate::private_files::JsonFileError> for $error {
            fn from(error: $crate::private_files::JsonFileError) -> Self {
                use $crate::private_files::JsonFileError;
                match error {
                    JsonFileError::Io {
                        action,
                        path,
                        source,
                    } => Self::Io {
                        action,
                        path,
                        source,
                    },
                    JsonFileError::Corrupt { path, reason } => Self::Corrupt { path, reason },
                    JsonFileError::Newer {
                        path,
                        version,
                        supported,
                    } => Self::Newer {
                        path,
                        version,
                        supported,
                    },
                }
            }
        }
    };
}

/// Parses `bytes` as a `T`: of the current format version, or of an older
/// one that `T` migrates from. A newer version is refused as such, apart
/// from damage, so that its message can say to upgrade.
pub fn parse_json<T: VersionedJson>(bytes: &[u8]) -> Result<T, Unreadable> {
    /// Only the version: serde skips every other field.
    #[derive(serde::Deserialize)]
    struct Probe {
        version: u32,
    }
    let position = |e: serde_json::Error| {
        Unreadable::Damaged(format!(
            "line {}, column {}: {:?}",
            e.line(),
            e.column(),
            e.classify()
        ))
    };
    let Probe { version } = serde_json::from_slice(bytes).map_err(position)?;
    if version == T::FORMAT_VERSION {
        return serde_json::from_slice(bytes).map_err(position);
    }
    if version > T::FORMAT_VERSION {
        return Err(Unreadable::Newer(version));
    }
    match T::from_older(version, bytes) {
        Some(read) => read.map_err(Unreadable::Damaged),
        None => Err(Unreadable::Damaged(format!(
            "unknown format version {version}"
        ))),
    }
}

/// `bytes`, the contents of the file at `path` (or of a document a store
/// keeps, named by `path`), as a `T`; the error names `path`.
pub fn decode_json<T: VersionedJson>(bytes: &[u8], path: PathBuf) -> Result<T, JsonFileError> {
    parse_json(bytes).map_err(|problem| match problem {
        Unreadable::Damaged(reason) => JsonFileError::Corrupt { path, reason },
        Unreadable::Newer(version) => JsonFileError::Newer {
            path,
            version,
            supported: T::FORMAT_VERSION,
        },
    })
}

/// `value` as its file holds it: stamped with the current format version,
/// pretty JSON ending in a newline. The same bytes whether a file or a
/// store keeps them, so a document copied from one to the other reads the
/// same.
pub fn encode_json<T: VersionedJson>(value: &mut T) -> serde_json::Result<Vec<u8>> {
    *value.version_mut() = T::FORMAT_VERSION;
    let mut json = serde_json::to_vec_pretty(value)?;
    json.push(b'\n');
    Ok(json)
}

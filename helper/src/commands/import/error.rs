//! How an import fails: each cause with its exit status from the one table.

use std::path::PathBuf;

use super::rewrite::RewriteError;
use crate::exit;

/// Why `mailcred import` failed (after doing what it could).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A file could not be replaced; what was stored stays, and a rerun
    /// finishes the job.
    #[error("{0}; what was stored is kept, and running the import again finishes the job")]
    Rewrite(#[from] RewriteError),
    /// Files that could not be read.
    #[error("could not read {}: fix or remove them and run the import again", .files.join(", "))]
    Unreadable {
        /// Each file with the reason.
        files: Vec<String>,
    },
    /// An account does not serve the password its file's rewrite relies on.
    #[error(
        "`mailcred get {name}` does not answer with the password found in {path}, so the file was left as it is"
    )]
    NotServed {
        /// The account.
        name: String,
        /// The file.
        path: PathBuf,
    },
    /// Another import runs (or the lock cannot be taken).
    #[error("cannot take the import lock: {0}")]
    Lock(#[source] std::io::Error),
    /// No home folder to look in.
    #[error(
        "HOME is not set, so the usual configuration files cannot be found; name them with --file FORMAT:PATH"
    )]
    NoHome,
}

impl ImportError {
    /// The exit status for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Rewrite(_) | Self::Unreadable { .. } => exit::IO_ERROR,
            Self::Lock(e) if e.kind() == std::io::ErrorKind::TimedOut => exit::TEMPORARY,
            Self::Lock(_) => exit::IO_ERROR,
            Self::NotServed { .. } => exit::SOFTWARE,
            Self::NoHome => exit::CONFIG,
        }
    }
}

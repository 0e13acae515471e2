//! Where the index is kept: the local file under its lock, or the vault's
//! own store as a document ([`Document::Index`]) changed by compare-and-set.
//!
//! The vault's crash-safety order (an entry listed before its secret is
//! written, unlisted after it is deleted) holds in both: each step is one
//! change of the index, committed before the next step. With the file, a
//! writer holds the lock from its first step to its last, as it always has.
//! In the store nothing can be held across machines, so each step is a
//! change that recomputes itself from the index as it is then (list this
//! entry; unlist these ids), and is applied again when another machine
//! wrote in between ([`crate::store::documents::update`]).

use std::path::Path;

use super::index::{Index, IndexError, IndexFile, IndexLock};
use super::{Vault, VaultError};
use crate::private_files::FileLock;
use crate::store::documents::{self, Document, DocumentError};

/// Where the index is kept.
#[derive(Debug, Clone)]
pub enum IndexPlace {
    /// The local file, as always.
    File(IndexFile),
    /// In the vault's store. `locks` is the local folder of the OAuth2
    /// refresh locks only (one machine's readers wait for its one refresh;
    /// across machines compare-and-set on the token pair decides); nothing
    /// is written there but lock files, and only when a token is refreshed.
    Store {
        /// The folder of the refresh locks.
        locks: IndexFile,
    },
}

impl From<IndexFile> for IndexPlace {
    fn from(file: IndexFile) -> Self {
        Self::File(file)
    }
}

impl IndexPlace {
    /// The local folder: the index's, or the refresh locks'.
    pub fn dir(&self) -> &Path {
        self.local().dir()
    }

    /// Where it is, for `doctor`.
    pub fn describe(&self) -> String {
        match self {
            Self::File(file) => file.path().display().to_string(),
            Self::Store { .. } => format!("in the store (document \"{}\")", Document::Index.id()),
        }
    }

    /// Whether the index is kept in the store.
    pub fn in_store(&self) -> bool {
        matches!(self, Self::Store { .. })
    }

    /// Takes the OAuth2 account `name`'s refresh lock (see
    /// [`IndexFile::refresh_lock`]).
    pub fn refresh_lock(&self, name: &str) -> Result<FileLock, IndexError> {
        self.local().refresh_lock(name)
    }

    fn local(&self) -> &IndexFile {
        match self {
            Self::File(file) | Self::Store { locks: file } => file,
        }
    }
}

/// What a vault operation holds while it works on the index.
pub(super) enum Held {
    /// The file's lock.
    File(IndexLock),
    /// Nothing: each change is checked and set on its own.
    Store,
}

impl From<DocumentError> for VaultError {
    fn from(e: DocumentError) -> Self {
        match e {
            DocumentError::Store(e) => Self::Store(e),
            DocumentError::Json(e) => Self::Index(e.into()),
        }
    }
}

impl Vault<'_> {
    /// Takes the index for reading (`exclusive` false) or for changing.
    /// `None` when reading a local index that was never written, so that a
    /// `get` on a fresh machine creates no files.
    pub(super) fn hold(&self, exclusive: bool) -> Result<Option<Held>, VaultError> {
        Ok(match &self.index {
            IndexPlace::File(file) => file.lock(exclusive)?.map(Held::File),
            IndexPlace::Store { .. } => Some(Held::Store),
        })
    }

    /// The index as it is now.
    pub(super) fn load(&self, held: &Held) -> Result<Index, VaultError> {
        match (&self.index, held) {
            (IndexPlace::File(file), Held::File(lock)) => Ok(file.load(lock)?),
            _ => Ok(documents::read::<Index>(self.store, Document::Index)?.0),
        }
    }

    /// Applies `change` to the index as it is now and saves it, if it
    /// changed. In the store, `change` may run several times, each time on
    /// the index as another machine left it.
    pub(super) fn change<R>(
        &self,
        held: &Held,
        mut change: impl FnMut(&mut Index) -> Result<R, VaultError>,
    ) -> Result<R, VaultError> {
        match (&self.index, held) {
            (IndexPlace::File(file), Held::File(lock)) => {
                let mut index = file.load(lock)?;
                let before = index.entries.clone();
                let answer = change(&mut index)?;
                if index.entries != before {
                    file.save(lock, &mut index)?;
                }
                Ok(answer)
            }
            _ => documents::update(self.store, Document::Index, change),
        }
    }
}

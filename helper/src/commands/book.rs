//! Where the mail accounts are kept: the local account file under its
//! lock, or, for a store shared by several machines, a document in the
//! store ([`Document::Accounts`]) changed by compare-and-set.
//!
//! A command reads the accounts, then changes them with
//! [`AccountBook::update`]: a function of the accounts as they are when
//! it runs (add this pending record, put this account in place of its
//! name's). With the file it runs once, under the lock the command holds
//! from [`AccountBook::lock`] on, as it always has; in the store it runs
//! again whenever another machine wrote in between.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::CommandError;
use crate::accounts::{Account, AccountFile, AccountQuery, AccountSource, Accounts};
use crate::private_files::FileLock;
use crate::store::SecretStore;
use crate::store::documents::{self, Document, DocumentError};
use crate::vault::SaveHook;

/// Where the accounts are kept.
#[derive(Clone)]
pub enum AccountBook<'a> {
    /// The local account file, and what else happens when it is saved.
    File(AccountFile, Option<Arc<dyn SaveHook>>),
    /// The store's document, and the local folder for the lock files of
    /// what runs one at a time on a machine (`import`).
    Store {
        /// The store.
        store: Arc<dyn SecretStore + 'a>,
        /// The local configuration folder.
        local: PathBuf,
    },
}

/// What a command holds while it changes the accounts.
pub enum BookHeld {
    /// The file's lock.
    File(FileLock),
    /// Nothing: each change is checked and set on its own.
    Store,
}

impl From<DocumentError> for CommandError {
    fn from(e: DocumentError) -> Self {
        match e {
            DocumentError::Store(e) => e.into(),
            DocumentError::Json(e) => Self::Accounts(e.into()),
        }
    }
}

impl AccountBook<'_> {
    /// Every account, as one consistent snapshot.
    pub fn read(&self) -> Result<Accounts, CommandError> {
        match self {
            Self::File(file, _) => Ok(file.read()?),
            Self::Store { store, .. } => {
                Ok(documents::read::<Accounts>(store.as_ref(), Document::Accounts)?.0)
            }
        }
    }

    /// The one account answering `query`.
    pub fn find(&self, query: AccountQuery<'_>) -> Result<Account, CommandError> {
        match self {
            Self::File(file, _) => Ok(file.find(query)?),
            Self::Store { .. } => Ok(self.read()?.find(query)?.clone()),
        }
    }

    /// Holds the accounts for a change (the file's lock; nothing in the
    /// store) and reads them.
    pub fn lock(&self) -> Result<(BookHeld, Accounts), CommandError> {
        match self {
            Self::File(file, _) => {
                let (lock, all) = file.lock()?;
                Ok((BookHeld::File(lock), all))
            }
            Self::Store { .. } => Ok((BookHeld::Store, self.read()?)),
        }
    }

    /// Applies `change` to the accounts as they are now and saves them. In
    /// the store `change` may run several times, each time on the accounts
    /// as another machine left them; a failure of `change` writes nothing.
    pub fn update<R>(
        &self,
        held: &BookHeld,
        mut change: impl FnMut(&mut Accounts) -> Result<R, CommandError>,
    ) -> Result<R, CommandError> {
        match (self, held) {
            (Self::File(file, hook), BookHeld::File(lock)) => {
                let mut all = file.read()?;
                let before = (all.accounts.clone(), all.pending.clone());
                let answer = change(&mut all)?;
                if (&all.accounts, &all.pending) != (&before.0, &before.1) {
                    file.save(lock, &mut all)?;
                    if let Some(hook) = hook {
                        hook.saved(&file.path());
                    }
                }
                Ok(answer)
            }
            (Self::Store { store, .. }, _) => {
                documents::update(store.as_ref(), Document::Accounts, change)
            }
            (Self::File(..), BookHeld::Store) => {
                unreachable!("a lock of the account file comes from AccountBook::lock")
            }
        }
    }

    /// Whether the accounts are kept in the store.
    pub fn in_store(&self) -> bool {
        matches!(self, Self::Store { .. })
    }

    /// The local folder: the account file's, or the configuration folder.
    pub fn dir(&self) -> &Path {
        match self {
            Self::File(file, _) => file.dir(),
            Self::Store { local, .. } => local,
        }
    }

    /// Where they are, for messages: the file, or the store's document.
    pub fn describe(&self) -> String {
        match self {
            Self::File(file, _) => file.path().display().to_string(),
            Self::Store { store, .. } => Document::Accounts
                .place(store.as_ref())
                .display()
                .to_string(),
        }
    }
}

//! Credentials as git sees them, kept as a non-secret index plus one keyring
//! item of secret parts per entry.
//!
//! Crash safety comes from ordering, not transactions:
//! - an index entry is written *before* its secret, and removed *after* it;
//! - so every secret in the keyring is listed in the index, and an index
//!   entry whose secret is missing is simply skipped (its random id can never
//!   find another credential's secret) and tidied by the next write.
//!
//! A listed secret that is there but does not decode is another matter:
//! nothing mailcred does leaves one, so it is damage, and reported as such
//! rather than passed over as if nothing were stored.

mod index;
mod matching;
mod secret_parts;

pub use index::{Index, IndexEntry, IndexError, IndexFile};
pub use secret_parts::SecretParts;

use secrecy::ExposeSecret;

use crate::protocol::Credential;
use crate::store::{SecretStore, StoreError};

/// Why a vault operation failed.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The keyring failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// An erase that names no protocol, host, path or username would wipe
    /// everything.
    #[error("refusing to erase: the request names no protocol, host, path or username")]
    UnscopedErase,
    /// Could not draw a random id.
    #[error("cannot draw a random id for the keyring item")]
    Random,
    /// A listed keyring item holds something mailcred cannot decode.
    #[error(
        "the keyring item {id} of {owner} holds data mailcred cannot read (damaged, or not written by mailcred); {fix}"
    )]
    DamagedSecret {
        /// The item's id.
        id: String,
        /// Whose it is: the mail account, or the credential's label.
        owner: String,
        /// How to replace it.
        fix: String,
    },
}

/// A credential found for a `get`.
#[derive(Debug)]
pub struct Found {
    /// The index entry (protocol, host, username, expiry, authtype).
    pub entry: IndexEntry,
    /// Its secret parts.
    pub secrets: SecretParts,
}

/// What an erase did.
#[derive(Debug, Default)]
pub struct Erased {
    /// How many entries were removed.
    pub removed: usize,
    /// Protected mail accounts that matched and were kept.
    pub kept: Vec<String>,
}

/// The index and the secret store, used together.
pub struct Vault<'s> {
    index: IndexFile,
    store: &'s dyn SecretStore,
}

impl<'s> Vault<'s> {
    /// A vault over this index file and secret store.
    pub fn new(index: IndexFile, store: &'s dyn SecretStore) -> Self {
        Self { index, store }
    }

    /// The first (newest) entry matching the request that is not expired,
    /// still has its secret and can answer the caller: an entry holding only
    /// an `authtype` credential answers only callers that announced the
    /// capability. A matching entry whose secret does not decode is an
    /// error, never skipped: serving an older match instead, or nothing,
    /// would hide the damage.
    pub fn find(&self, request: &Credential, now: u64) -> Result<Option<Found>, VaultError> {
        let Some(lock) = self.index.lock(false)? else {
            return Ok(None);
        };
        let index = self.index.load(&lock)?;
        let wants_authtype = request.has_capability("authtype");
        for entry in &index.entries {
            if !matching::matches(request, entry) || matching::expired(entry, now) {
                continue;
            }
            let Some(blob) = self.store.read(&entry.id)? else {
                continue;
            };
            let Some(secrets) = SecretParts::decode(&blob.secret) else {
                return Err(damaged(entry));
            };
            let usable = secrets.password.is_some()
                || (wants_authtype && entry.authtype.is_some() && secrets.credential.is_some());
            if usable {
                return Ok(Some(Found {
                    entry: entry.clone(),
                    secrets,
                }));
            }
        }
        Ok(None)
    }

    /// Stores the credential, replacing the entry in the same slot. A mail
    /// account's slot stays that account's, and stays protected, when git
    /// stores into it after a successful login.
    pub fn store(&self, mut entry: IndexEntry, secrets: &SecretParts) -> Result<(), VaultError> {
        let lock = self
            .index
            .lock(true)?
            .expect("an exclusive lock is always taken");
        let mut index = self.index.load(&lock)?;
        entry.id = new_id()?;
        // A mail account's secret has one home however git spells its host:
        // git send-email without smtpServerPort stores `host=SERVER` after
        // AUTH proved the password, and that updates the account's
        // `SERVER:PORT` entry instead of making a second, unowned copy.
        if entry.account.is_none()
            && let Some(owner) = index
                .entries
                .iter()
                .find(|e| e.account.is_some() && (e.same_slot(&entry) || e.owns_port_less(&entry)))
        {
            entry.host.clone_from(&owner.host);
            entry.account.clone_from(&owner.account);
            entry.protected = owner.protected;
        }
        let label = entry.label();
        // What it replaces: its own slot, and for an account, copies that
        // older versions let git store under the port-less host.
        let old: Vec<IndexEntry> = index
            .entries
            .iter()
            .filter(|e| e.same_slot(&entry) || (e.account.is_none() && entry.owns_port_less(e)))
            .cloned()
            .collect();

        // 1. List the new entry first, so its secret is never unlisted.
        index.entries.insert(0, entry.clone());
        self.index.save(&lock, &mut index)?;

        // 2. Write the secret; on failure take the listing back. Not after
        // a timeout: the write may still land once we stopped waiting, and a
        // secret must never be unlisted. An entry whose secret never came is
        // skipped, and retired by the next store into its slot.
        if let Err(e) = self.store.write(&entry.id, &label, &secrets.encode()) {
            if !matches!(e, StoreError::TimedOut { .. }) {
                index.entries.retain(|e| e.id != entry.id);
                self.index.save(&lock, &mut index)?;
            }
            return Err(e.into());
        }

        // 3. Retire what it replaces: secret first, then listing.
        self.retire(&lock, &mut index, &old)
    }

    /// git's `erase`: removes every entry matching the request (and, when it
    /// carries a password, holding that password), except protected mail
    /// accounts, which are reported back instead.
    pub fn erase(&self, request: &Credential) -> Result<Erased, VaultError> {
        if request.protocol.is_none()
            && request.host.is_none()
            && request.path.is_none()
            && request.username.is_none()
        {
            return Err(VaultError::UnscopedErase);
        }
        self.erase_matching(request)
    }

    /// Removes a mail account's secret whatever its protection
    /// (`mailcred remove`), with every unowned copy of it that git stored
    /// under the port-less host before such copies were folded into the
    /// account: nothing that serves the password may stay behind.
    pub fn erase_account(&self, name: &str) -> Result<Erased, VaultError> {
        let Some(lock) = self.index.lock(true)? else {
            return Ok(Erased::default());
        };
        let mut index = self.index.load(&lock)?;
        let owned: Vec<IndexEntry> = index
            .entries
            .iter()
            .filter(|e| e.account.as_deref() == Some(name))
            .cloned()
            .collect();
        let doomed: Vec<IndexEntry> = index
            .entries
            .iter()
            .filter(|e| {
                e.account.as_deref() == Some(name)
                    || (e.account.is_none() && owned.iter().any(|o| o.owns_port_less(e)))
            })
            .cloned()
            .collect();
        self.retire(&lock, &mut index, &doomed)?;
        Ok(Erased {
            removed: doomed.len(),
            kept: Vec::new(),
        })
    }

    fn erase_matching(&self, request: &Credential) -> Result<Erased, VaultError> {
        let mut outcome = Erased::default();
        let Some(lock) = self.index.lock(true)? else {
            return Ok(outcome);
        };
        let mut index = self.index.load(&lock)?;
        let mut doomed = Vec::new();
        for entry in index
            .entries
            .iter()
            .filter(|e| matching::matches(request, e))
        {
            if let Some(wanted) = &request.password {
                // A read failure aborts the erase: nothing is deleted on doubt.
                let Some(blob) = self.store.read(&entry.id)? else {
                    doomed.push(entry.clone()); // dangling: nothing left to keep
                    continue;
                };
                let held = SecretParts::decode(&blob.secret).and_then(|s| s.password);
                if held.is_none_or(|p| p.expose_secret() != wanted.expose_secret()) {
                    continue;
                }
            }
            if entry.protected {
                outcome.kept.extend(entry.account.clone());
                continue;
            }
            doomed.push(entry.clone());
        }
        outcome.removed = doomed.len();
        self.retire(&lock, &mut index, &doomed)?;
        Ok(outcome)
    }

    /// Deletes the secrets of `entries`, then their listings.
    fn retire(
        &self,
        lock: &index::IndexLock,
        index: &mut Index,
        entries: &[IndexEntry],
    ) -> Result<(), VaultError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut deleted = Vec::new();
        let mut failure = None;
        for entry in entries {
            match self.store.delete(&entry.id) {
                Ok(()) => deleted.push(entry.id.as_str()),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        index.entries.retain(|e| !deleted.contains(&e.id.as_str()));
        self.index.save(lock, index)?;
        match failure {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }
}

/// The damage report for `entry`'s secret: its id and owner, never its bytes.
fn damaged(entry: &IndexEntry) -> VaultError {
    let (owner, fix) = match &entry.account {
        Some(name) => (
            format!("mail account \"{name}\""),
            format!("store the password again with `mailcred set-password {name}`"),
        ),
        None => (
            entry.label().trim_start_matches("mailcred: ").to_owned(),
            "store the credential again (git credential approve) or erase it (git credential reject)"
                .to_owned(),
        ),
    };
    VaultError::DamagedSecret {
        id: entry.id.clone(),
        owner,
        fix,
    }
}

/// A fresh 128-bit random id in hex.
fn new_id() -> Result<String, VaultError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| VaultError::Random)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests;

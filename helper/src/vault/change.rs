//! Writing and removing credentials: `store`, `erase`, `mailcred remove`.

use secrecy::ExposeSecret;

use super::index::{self, Index, IndexEntry};
use super::matching::{self, Fit};
use super::{Erased, SecretParts, Vault, VaultError, new_id};

impl Vault<'_> {
    /// Stores the credential, replacing the entry in the same slot.
    ///
    /// A mail account's entry (`entry.account` set, its endpoints listed)
    /// replaces the account's earlier entry, and every copy of one of its
    /// endpoints' credentials that git stored itself (under `imaps` for
    /// `imap`, or the server without its port). What git stores into one of
    /// an account's endpoints after a successful login updates the
    /// account's one secret, which stays the account's and stays protected;
    /// into an OAuth2 account's, it is ignored.
    ///
    /// The new entry's id, or `None` when the store was ignored.
    pub fn store(
        &self,
        mut entry: IndexEntry,
        secrets: &SecretParts,
    ) -> Result<Option<String>, VaultError> {
        let lock = self
            .index
            .lock(true)?
            .expect("an exclusive lock is always taken");
        let mut index = self.index.load(&lock)?;
        entry.id = new_id()?;
        if entry.account.is_none()
            && secrets.password.is_some()
            && let Some(owner) = owner(&index, &entry)?
        {
            if owner.oauth {
                // git approves the access token it was handed: storing it
                // would only lose the refresh token and the expiry.
                return Ok(None);
            }
            entry = IndexEntry {
                id: entry.id,
                password_expiry_utc: entry.password_expiry_utc,
                authtype: entry.authtype,
                stored_at: entry.stored_at,
                account: owner.account.clone(),
                protected: owner.protected,
                endpoints: owner.endpoints.clone(),
                ..IndexEntry::default()
            };
        }
        let label = entry.label();
        let old: Vec<IndexEntry> = match &entry.account {
            Some(name) => index
                .entries
                .iter()
                .filter(|e| {
                    e.account.as_ref() == Some(name)
                        || entry.endpoints.iter().any(|slot| slot.covers(e))
                })
                .cloned()
                .collect(),
            None => index
                .entries
                .iter()
                .filter(|e| e.account.is_none() && e.same_slot(&entry))
                .cloned()
                .collect(),
        };

        self.put(&lock, &mut index, &entry, &label, secrets, &old)?;
        Ok(Some(entry.id))
    }

    /// Lists `entry`, writes its secret, then retires `old`: a crash at any
    /// point leaves the old secret or the new one served, never neither.
    fn put(
        &self,
        lock: &index::IndexLock,
        index: &mut Index,
        entry: &IndexEntry,
        label: &str,
        secrets: &SecretParts,
        old: &[IndexEntry],
    ) -> Result<(), VaultError> {
        // 1. List the new entry first, so its secret is never unlisted.
        index.entries.insert(0, entry.clone());
        self.index.save(lock, index)?;

        // 2. Write the secret; on failure take the listing back. Not after
        // a timeout or a cut-off call (`may_have_written`): the write may
        // still land, or have landed, once we stopped waiting, and a
        // secret must never be unlisted. An entry whose secret never came is
        // skipped, and retired by the next store into its slot.
        if let Err(e) = self.store.write(&entry.id, label, &secrets.encode()) {
            if !e.may_have_written() {
                index.entries.retain(|e| e.id != entry.id);
                self.index.save(lock, index)?;
            }
            return Err(e.into());
        }

        // 3. Retire what it replaces: secret first, then listing.
        self.retire(lock, index, old)
    }

    /// git's `erase`: removes every entry matching the request (and, when it
    /// carries a password, holding that password), except protected mail
    /// accounts, which are reported back instead, whichever of their
    /// endpoints the request names.
    pub fn erase(&self, request: &crate::protocol::Credential) -> Result<Erased, VaultError> {
        if request.protocol.is_none()
            && request.host.is_none()
            && request.path.is_none()
            && request.username.is_none()
        {
            return Err(VaultError::UnscopedErase);
        }
        let mut outcome = Erased::default();
        let Some(lock) = self.index.lock(true)? else {
            return Ok(outcome);
        };
        let mut index = self.index.load(&lock)?;
        let mut doomed = Vec::new();
        let mut stale = Vec::new();
        for entry in index
            .entries
            .iter()
            .filter(|e| matching::matches(request, e))
        {
            let mut held = None;
            if request.password.is_some() || entry.oauth {
                // A read failure aborts the erase: nothing is deleted on doubt.
                let Some(blob) = self.store.read(&entry.id)? else {
                    doomed.push(entry.clone()); // dangling: nothing left to keep
                    continue;
                };
                held = SecretParts::decode(&blob.secret);
            }
            if let Some(wanted) = &request.password {
                let password = held.as_ref().and_then(|s| s.password.as_ref());
                if password.is_none_or(|p| p.expose_secret() != wanted.expose_secret()) {
                    continue;
                }
            }
            if entry.oauth {
                // An OAuth2 pair whose secret does not decode is left for
                // `get` to report as damaged, not erased on a guess.
                if let Some(parts) = held {
                    stale.push((entry.clone(), parts));
                }
                continue;
            }
            if entry.protected {
                outcome.kept.extend(entry.account.clone());
                continue;
            }
            doomed.push(entry.clone());
        }
        outcome.removed = doomed.len();
        self.retire(&lock, &mut index, &doomed)?;
        for (entry, parts) in stale {
            self.drop_access_token(&lock, &mut index, &entry, parts)?;
            outcome.expired.extend(entry.account.clone());
        }
        Ok(outcome)
    }

    /// Rewrites an OAuth2 pair without its access token, so that the next
    /// `get` refreshes; the refresh token (and client secret) stay.
    fn drop_access_token(
        &self,
        lock: &index::IndexLock,
        index: &mut Index,
        old: &IndexEntry,
        mut parts: SecretParts,
    ) -> Result<(), VaultError> {
        if parts.password.is_none() {
            return Ok(());
        }
        parts.password = None;
        parts.expires_at = None;
        let entry = IndexEntry {
            id: new_id()?,
            ..old.clone()
        };
        let label = entry.label();
        self.put(
            lock,
            index,
            &entry,
            &label,
            &parts,
            std::slice::from_ref(old),
        )
    }

    /// Removes a mail account's secret whatever its protection
    /// (`mailcred remove`), with every copy of one of its endpoints'
    /// credentials that git stored itself before such copies were folded
    /// into the account: nothing that serves the password may stay behind.
    pub fn erase_account(&self, name: &str) -> Result<Erased, VaultError> {
        let Some(lock) = self.index.lock(true)? else {
            return Ok(Erased::default());
        };
        let mut index = self.index.load(&lock)?;
        let owned: Vec<&IndexEntry> = index
            .entries
            .iter()
            .filter(|e| e.account.as_deref() == Some(name))
            .collect();
        let doomed: Vec<IndexEntry> = index
            .entries
            .iter()
            .filter(|e| {
                e.account.as_deref() == Some(name)
                    || owned
                        .iter()
                        .any(|o| o.endpoints.iter().any(|slot| slot.covers(e)))
            })
            .cloned()
            .collect();
        self.retire(&lock, &mut index, &doomed)?;
        Ok(Erased {
            removed: doomed.len(),
            kept: Vec::new(),
            expired: Vec::new(),
        })
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

/// The mail account whose endpoint git's `store` request names, if any:
/// exactly by `HOST:PORT`, else by the server without a port when one
/// account only has an endpoint there (several: [`VaultError::Ambiguous`],
/// and nothing is stored rather than a guess). The request must name the
/// login: a `store` without one never replaces an account's password.
fn owner<'i>(index: &'i Index, stored: &IndexEntry) -> Result<Option<&'i IndexEntry>, VaultError> {
    if stored.username.is_none() {
        return Ok(None);
    }
    let request = crate::protocol::Credential {
        protocol: stored.protocol.clone(),
        host: stored.host.clone(),
        path: stored.path.clone(),
        username: stored.username.clone(),
        ..Default::default()
    };
    let accounts = || index.entries.iter().filter(|e| e.account.is_some());
    if let Some(exact) =
        accounts().find(|e| matches!(matching::fit(&request, e), Some(Fit::Exact(_))))
    {
        return Ok(Some(exact));
    }
    let port_less: Vec<&IndexEntry> = accounts()
        .filter(|e| matches!(matching::fit(&request, e), Some(Fit::PortLess(_))))
        .collect();
    let mut names: Vec<String> = Vec::new();
    for name in port_less.iter().filter_map(|e| e.account.clone()) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.len() > 1 {
        return Err(VaultError::Ambiguous {
            protocol: request.protocol.unwrap_or_default(),
            host: request.host.unwrap_or_default(),
            accounts: names,
        });
    }
    Ok(port_less.first().copied())
}

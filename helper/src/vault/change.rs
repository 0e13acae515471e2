//! Writing and removing credentials: `store`, `erase`, `mailcred remove`.

use secrecy::ExposeSecret;

use super::index::{Index, IndexEntry};
use super::matching::{self, Fit};
use super::place::Held;
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
        entry: IndexEntry,
        secrets: &SecretParts,
    ) -> Result<Option<String>, VaultError> {
        let held = self
            .hold(true)?
            .expect("the index is always held for a change");
        let id = new_id()?;
        // Planned and listed in one change: which entries it replaces is
        // read from the index it is listed in (in the store, the index as
        // other machines left it, again on each attempt).
        let listed = self.change(&held, |index| {
            let Some((entry, old)) = plan(index, &entry, &id, secrets.password.is_some())? else {
                return Ok(None);
            };
            // 1. List the new entry first, so its secret is never unlisted.
            index.entries.insert(0, entry.clone());
            Ok(Some((entry, old)))
        })?;
        let Some((entry, old)) = listed else {
            return Ok(None);
        };
        self.write_listed(&held, &entry, secrets)?;
        // 3. Retire what it replaces: secret first, then listing.
        self.retire(&held, &old)?;
        Ok(Some(entry.id))
    }

    /// Lists `entry`, writes its secret, then retires `old`: a crash at any
    /// point leaves the old secret or the new one served, never neither.
    fn put(
        &self,
        held: &Held,
        entry: &IndexEntry,
        secrets: &SecretParts,
        old: &[IndexEntry],
    ) -> Result<(), VaultError> {
        self.change(held, |index| {
            index.entries.insert(0, entry.clone());
            Ok(())
        })?;
        self.write_listed(held, entry, secrets)?;
        self.retire(held, old)
    }

    /// Step 2: writes the secret of the listed `entry`; on failure takes
    /// the listing back. Not after a timeout or a cut-off call
    /// (`may_have_written`): the write may still land, or have landed, once
    /// we stopped waiting, and a secret must never be unlisted. An entry whose
    /// secret never came is skipped, and retired by the next store into
    /// its slot.
    fn write_listed(
        &self,
        held: &Held,
        entry: &IndexEntry,
        secrets: &SecretParts,
    ) -> Result<(), VaultError> {
        let Err(e) = self
            .store
            .write(&entry.id, &entry.label(), &secrets.encode())
        else {
            return Ok(());
        };
        if !e.may_have_written() {
            self.change(held, |index| {
                index.entries.retain(|listed| listed.id != entry.id);
                Ok(())
            })?;
        }
        Err(e.into())
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
        let Some(held) = self.hold(true)? else {
            return Ok(outcome);
        };
        let index = self.load(&held)?;
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
        self.retire(&held, &doomed)?;
        for (entry, parts) in stale {
            self.drop_access_token(&held, &entry, parts)?;
            outcome.expired.extend(entry.account.clone());
        }
        Ok(outcome)
    }

    /// Rewrites an OAuth2 pair without its access token, so that the next
    /// `get` refreshes; the refresh token (and client secret) stay.
    fn drop_access_token(
        &self,
        held: &Held,
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
        self.put(held, &entry, &parts, std::slice::from_ref(old))
    }

    /// Removes a mail account's secret whatever its protection
    /// (`mailcred remove`), with every copy of one of its endpoints'
    /// credentials that git stored itself before such copies were folded
    /// into the account: nothing that serves the password may stay behind.
    pub fn erase_account(&self, name: &str) -> Result<Erased, VaultError> {
        let Some(held) = self.hold(true)? else {
            return Ok(Erased::default());
        };
        let index = self.load(&held)?;
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
        self.retire(&held, &doomed)?;
        Ok(Erased {
            removed: doomed.len(),
            kept: Vec::new(),
            expired: Vec::new(),
        })
    }

    /// Deletes the secrets of `entries`, then their listings (by id: what
    /// others listed meanwhile stays).
    fn retire(&self, held: &Held, entries: &[IndexEntry]) -> Result<(), VaultError> {
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
        self.change(held, |index| {
            index.entries.retain(|e| !deleted.contains(&e.id.as_str()));
            Ok(())
        })?;
        match failure {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }
}

/// What storing `entry` (with a password, when `has_password`) under the
/// new `id` lists, and the entries it
/// replaces, as `index` is now; `None` when the store is to be ignored.
///
/// A mail account's entry replaces the account's earlier entries and
/// every copy of one of its endpoints' credentials that git stored itself;
/// git's `store` into one of an account's endpoints becomes the account's
/// (protected as it is), and into an OAuth2 account's is ignored.
fn plan(
    index: &Index,
    entry: &IndexEntry,
    id: &str,
    has_password: bool,
) -> Result<Option<(IndexEntry, Vec<IndexEntry>)>, VaultError> {
    let mut entry = IndexEntry {
        id: id.to_owned(),
        ..entry.clone()
    };
    if entry.account.is_none()
        && has_password
        && let Some(owner) = owner(index, &entry)?
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
    Ok(Some((entry, old)))
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

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
//!
//! The index is a local file, or, for a store shared by several machines,
//! a document in the store itself ([`IndexPlace`]); the order above holds
//! in both.
//!
//! A mail account is one entry and one secret for all its endpoints
//! (SMTP, IMAP, POP): git finds it under any endpoint, a git `store` into
//! any endpoint's slot updates it, and its protection from `erase` holds
//! whichever endpoint git names.

mod change;
mod index;
mod matching;
mod place;
mod secret_parts;

pub use index::{EndpointSlot, Index, IndexEntry, IndexError, IndexFile, SaveHook};
pub use place::IndexPlace;
pub use secret_parts::SecretParts;

use crate::protocol::Credential;
use crate::store::{SecretStore, StoreError};
use matching::Fit;

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
    /// A request names a mail server without its port, and endpoints of
    /// several mail accounts are there: guessing could hand one account's
    /// password to the other's login.
    #[error(
        "{protocol}://{host} (without a port) is a server of several mail accounts ({}); \
         name the port (HOST:PORT) or the login to pick one",
        accounts.join(", ")
    )]
    Ambiguous {
        /// What the request named.
        protocol: String,
        /// The server, as the request named it.
        host: String,
        /// The accounts with an endpoint there.
        accounts: Vec<String>,
    },
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
    /// The username to answer with: the entry's, or for a mail account the
    /// login of the endpoint that was asked for.
    pub username: Option<String>,
    /// Its secret parts.
    pub secrets: SecretParts,
    /// The version of its secret as read, for a store that has versions:
    /// what a rewrite of the same secret names so that it never replaces
    /// one written meanwhile.
    pub version: Option<crate::store::Version>,
}

/// What an erase did.
#[derive(Debug, Default)]
pub struct Erased {
    /// How many entries were removed.
    pub removed: usize,
    /// Protected mail accounts that matched and were kept.
    pub kept: Vec<String>,
    /// OAuth2 accounts whose cached access token was dropped (their
    /// refresh token kept).
    pub expired: Vec<String>,
}

/// The index and the secret store, used together.
pub struct Vault<'s> {
    index: IndexPlace,
    store: &'s dyn SecretStore,
}

/// How many times a lookup in an index kept in the store reads it again
/// when a listed secret was missing: a writer on another machine may have
/// replaced it between the reads (no lock spans machines).
const PASSES: usize = 3;

impl<'s> Vault<'s> {
    /// A vault over this index (a file, or in `store`) and secret store.
    pub fn new(index: impl Into<IndexPlace>, store: &'s dyn SecretStore) -> Self {
        Self {
            index: index.into(),
            store,
        }
    }

    /// Runs `lookup` on the index as it is now; for an index in the store,
    /// again (at most [`PASSES`] times) while it finds nothing because a
    /// listed secret was missing. A reader there holds no lock, so it may
    /// read the index before a writer's step and the secrets after it: the
    /// new secret not yet written, the old one already deleted. Read again,
    /// it sees the new one. With the local file the shared lock keeps
    /// writers out, and one pass is the answer.
    fn looking<T>(
        &self,
        lookup: impl Fn(&Index, &std::cell::Cell<bool>) -> Result<Option<T>, VaultError>,
    ) -> Result<Option<T>, VaultError> {
        let Some(held) = self.hold(false)? else {
            return Ok(None);
        };
        let passes = if self.index.in_store() { PASSES } else { 1 };
        for _ in 1..passes {
            let missing = std::cell::Cell::new(false);
            let found = lookup(&self.load(&held)?, &missing)?;
            if found.is_some() || !missing.get() {
                return Ok(found);
            }
        }
        lookup(&self.load(&held)?, &std::cell::Cell::new(false))
    }

    /// The credential answering the request, in two passes:
    ///
    /// 1. By git's rules, field for field (a mail account through any of its
    ///    endpoints): the first (newest) entry that is not expired, still
    ///    has its secret and can answer the caller. An entry holding only an
    ///    `authtype` credential answers only callers that announced the
    ///    capability.
    /// 2. Only when that finds nothing and the request's host has no port:
    ///    the mail account with an endpoint of that protocol on that server
    ///    (git send-email without `smtpServerPort`, git imap-send up to
    ///    2.50), when exactly one account has one; several are
    ///    [`VaultError::Ambiguous`].
    ///
    /// A matching entry whose secret does not decode is an error, never
    /// skipped: serving an older match instead, or nothing, would hide the
    /// damage.
    pub fn find(&self, request: &Credential, now: u64) -> Result<Option<Found>, VaultError> {
        self.looking(|index, missing| self.find_in(index, request, now, missing))
    }

    /// [`find`](Self::find) in `index`; sets `missing` when a listed
    /// secret was not there.
    fn find_in(
        &self,
        index: &Index,
        request: &Credential,
        now: u64,
        missing: &std::cell::Cell<bool>,
    ) -> Result<Option<Found>, VaultError> {
        let live = || index.entries.iter().filter(|e| !matching::expired(e, now));
        for entry in live() {
            if let Some(Fit::Exact(username)) = matching::fit(request, entry)
                && let Some(found) = self.serve(request, entry, username, missing)?
            {
                return Ok(Some(found));
            }
        }
        if request.host.as_deref().is_none_or(|h| h.contains(':')) {
            return Ok(None);
        }
        let port_less: Vec<(&IndexEntry, &str)> = live()
            .filter_map(|e| match matching::fit(request, e) {
                Some(Fit::PortLess(username)) => Some((e, username)),
                _ => None,
            })
            .collect();
        let mut accounts: Vec<String> = Vec::new();
        for (entry, _) in &port_less {
            let name = entry.account.clone().unwrap_or_default();
            if !accounts.contains(&name) {
                accounts.push(name);
            }
        }
        if accounts.len() > 1 {
            return Err(VaultError::Ambiguous {
                protocol: request.protocol.clone().unwrap_or_default(),
                host: request.host.clone().unwrap_or_default(),
                accounts,
            });
        }
        // One account; more than one entry only after an abandoned write.
        for (entry, username) in port_less {
            if let Some(found) = self.serve(request, entry, Some(username), missing)? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// The secret of the mail account `name` (`mailcred get NAME`), from
    /// its newest entry that still has a password, or that holds an OAuth2
    /// token pair.
    pub fn find_account(&self, name: &str) -> Result<Option<Found>, VaultError> {
        self.looking(|index, missing| self.find_account_in(index, name, missing))
    }

    fn find_account_in(
        &self,
        index: &Index,
        name: &str,
        missing: &std::cell::Cell<bool>,
    ) -> Result<Option<Found>, VaultError> {
        for entry in index
            .entries
            .iter()
            .filter(|e| e.account.as_deref() == Some(name))
        {
            let Some(blob) = self.store.read(&entry.id)? else {
                missing.set(true);
                continue;
            };
            let Some(secrets) = SecretParts::decode(&blob.secret) else {
                return Err(damaged(entry));
            };
            // An OAuth2 pair is the account's secret even without its access
            // token (erased, or never fetched): the caller refreshes it.
            if secrets.password.is_some() || entry.oauth {
                return Ok(Some(Found {
                    entry: entry.clone(),
                    username: None,
                    secrets,
                    version: blob.version,
                }));
            }
        }
        Ok(None)
    }

    /// `entry`'s secret, if it is there and can answer `request`.
    fn serve(
        &self,
        request: &Credential,
        entry: &IndexEntry,
        username: Option<&str>,
        missing: &std::cell::Cell<bool>,
    ) -> Result<Option<Found>, VaultError> {
        let Some(blob) = self.store.read(&entry.id)? else {
            missing.set(true);
            return Ok(None);
        };
        let Some(secrets) = SecretParts::decode(&blob.secret) else {
            return Err(damaged(entry));
        };
        let usable = secrets.password.is_some()
            || (entry.oauth && secrets.oauth_refresh_token.is_some())
            || (request.has_capability("authtype")
                && entry.authtype.is_some()
                && secrets.credential.is_some());
        Ok(usable.then(|| Found {
            entry: entry.clone(),
            username: username.map(str::to_owned),
            secrets,
            version: blob.version,
        }))
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
mod shared_tests;
#[cfg(test)]
mod tests;

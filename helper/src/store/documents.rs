//! mailcred's own documents (the credential index, the account list) kept
//! in a shared store beside the secrets, for a store whose configuration
//! [`keeps_documents`](super::StoreConfig::keeps_documents): every machine
//! pointed at it then sees the same accounts, with no local file copied.
//!
//! A document is an ordinary item under a reserved id ([`Document::id`]):
//! the same JSON bytes as its local file. Reserved ids can never be a
//! secret's (those are 32 hex digits), and every wrapper (deadline, lazy
//! opening, faults) passes them through untouched; a store that maps ids to
//! keys of its own (OpenBao: `secrets/<id>`) recognises them with
//! [`Document::from_id`] and keeps them under their own key instead.
//!
//! No lock spans machines, so a change is optimistic: read the document
//! with its version, apply the change, write it only if it is still at
//! that version ([`WriteIf::Unchanged`], or [`WriteIf::Absent`] for the
//! first write); when someone else wrote in between, read again and apply
//! the change again, to the fresh document. So a change must be a function
//! of the document it is given (insert this entry, remove these ids),
//! never a copy of what was read before. After [`ATTEMPTS`] lost races, the
//! change gives up with [`StoreError::Contended`] (exit 75: try again).

use std::path::PathBuf;
use std::time::Duration;

use mailcred_core::private_files::{JsonFileError, VersionedJson, decode_json, encode_json};

use super::{SecretStore, StoreError, Version, WriteIf};

/// How many times a change is tried before it gives up.
pub const ATTEMPTS: u32 = 64;

/// One of mailcred's documents kept in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// The credential index (the local `credentials.json`).
    Index,
    /// The account list (the local `accounts.json`).
    Accounts,
}

impl Document {
    /// The reserved store id it is kept under, and the key OpenBao keeps it
    /// under: `index`, `accounts`.
    pub const fn id(self) -> &'static str {
        match self {
            Self::Index => "index",
            Self::Accounts => "accounts",
        }
    }

    /// The document kept under the store id `id`, if `id` is reserved.
    pub fn from_id(id: &str) -> Option<Self> {
        [Self::Index, Self::Accounts]
            .into_iter()
            .find(|d| d.id() == id)
    }

    /// What it is, in messages.
    pub const fn what(self) -> &'static str {
        match self {
            Self::Index => "credential index",
            Self::Accounts => "account list",
        }
    }

    /// The label its item carries: readable, never secret.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Index => "mailcred: credential index (not secret)",
            Self::Accounts => "mailcred: account list (not secret)",
        }
    }

    /// How its errors name it, where a file's name its path.
    pub fn place(self, store: &dyn SecretStore) -> PathBuf {
        PathBuf::from(format!("\"{}\" in {}", self.id(), store.describe()))
    }
}

/// Why a document could not be read or changed: the store failed, or what
/// it holds is not a document this build reads.
#[derive(Debug)]
pub enum DocumentError {
    /// The store failed.
    Store(StoreError),
    /// The bytes are damaged or of a newer format.
    Json(JsonFileError),
}

impl From<StoreError> for DocumentError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// `document` as the store holds it now, with its version; a document
/// never written is `T::default()` and no version.
pub fn read<T: VersionedJson>(
    store: &dyn SecretStore,
    document: Document,
) -> Result<(T, Option<Version>), DocumentError> {
    let Some(stored) = store.read(document.id())? else {
        return Ok((T::default(), None));
    };
    let value = decode_json(&stored.secret, document.place(store)).map_err(DocumentError::Json)?;
    Ok((value, stored.version))
}

/// Applies `change` to `document` as the store holds it and writes the
/// result, if it differs, only if nobody wrote meanwhile; else again, to
/// the fresh document (see the module's documentation). What `change`
/// returned the last time, when it was written.
///
/// `change` may fail; that ends the change, nothing written.
pub fn update<T, R, E>(
    store: &dyn SecretStore,
    document: Document,
    mut change: impl FnMut(&mut T) -> Result<R, E>,
) -> Result<R, E>
where
    T: VersionedJson,
    E: From<DocumentError>,
{
    for attempt in 0..ATTEMPTS {
        let (mut value, version) = read::<T>(store, document)?;
        let before = encoded(&mut value, document, store)?;
        let answer = change(&mut value)?;
        let after = encoded(&mut value, document, store)?;
        if after == before {
            return Ok(answer);
        }
        let condition = match version {
            Some(version) => WriteIf::Unchanged(version),
            None => WriteIf::Absent,
        };
        match store.write_if(document.id(), document.label(), &after, condition) {
            Ok(_) => return Ok(answer),
            Err(StoreError::Conflict { .. }) => pause(attempt),
            Err(e) => return Err(DocumentError::Store(e).into()),
        }
    }
    Err(DocumentError::Store(StoreError::Contended {
        document: document.what(),
        attempts: ATTEMPTS,
    })
    .into())
}

fn encoded<T: VersionedJson>(
    value: &mut T,
    document: Document,
    store: &dyn SecretStore,
) -> Result<Vec<u8>, DocumentError> {
    encode_json(value).map_err(|e| {
        DocumentError::Json(JsonFileError::io("encode", document.place(store), e.into()))
    })
}

/// A short random pause before the next attempt, growing a little with
/// each: writers that collided once do not collide again in lockstep.
/// Random from `getrandom`, already a dependency for ids; no clock.
fn pause(attempt: u32) {
    let mut bytes = [0u8; 2];
    let jitter = match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from(u16::from_le_bytes(bytes)),
        Err(_) => 0,
    };
    let ceiling_us = 1_000 * u64::from(attempt.min(15) + 1);
    std::thread::sleep(Duration::from_micros(200 + jitter % ceiling_us));
}

#[cfg(test)]
mod tests;

//! Store failures, named by cause in words every backend shares; the
//! backend adds what it saw and a hint of its own (D-Bus and gnome-keyring
//! advice for the Secret Service, keyctl for keyutils, and so on).

use std::fmt;
use std::time::Duration;

/// What to do about a failure, chosen by the backend that saw it; shown
/// after the cause, as `; HINT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hint(Option<&'static str>);

impl Hint {
    /// No advice beyond the cause.
    pub const NONE: Hint = Hint(None);

    /// This advice.
    pub const fn new(text: &'static str) -> Self {
        Self(Some(text))
    }

    /// The advice, if any.
    pub const fn text(self) -> Option<&'static str> {
        self.0
    }
}

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(text) => write!(f, "; {text}"),
            None => Ok(()),
        }
    }
}

/// A deadline as people read it: "20 s", "0.05 s".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seconds(pub Duration);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} s", self.0.as_secs_f64())
    }
}

/// Why the store could not be used. Messages name the cause, then the
/// backend's hint; none carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Nothing answers where the store should be (no session bus, no
    /// Secret Service on it, no access to the kernel keyring).
    #[error("the keyring cannot be reached: {why}{hint}")]
    Unavailable {
        /// What the backend saw, in its own terms.
        why: String,
        /// What to do.
        hint: Hint,
    },
    /// The store is there but locked, and unlocking it would need a prompt.
    #[error("the keyring is locked{hint}")]
    Locked {
        /// How to unlock this kind of store.
        hint: Hint,
    },
    /// There is no default collection to keep items in.
    #[error("the keyring has no default collection to keep items in{hint}")]
    NoDefaultCollection {
        /// How to make one.
        hint: Hint,
    },
    /// Two items answer to one id; refusing to guess.
    #[error("two keyring items have the id {id}{hint}")]
    Ambiguous {
        /// The duplicated id.
        id: String,
        /// How to remove the duplicate.
        hint: Hint,
    },
    /// The store holds something under the id that it cannot hand back.
    #[error("the keyring item {id} holds data mailcred cannot read{hint}")]
    Damaged {
        /// The item.
        id: String,
        /// What to do.
        hint: Hint,
    },
    /// The store took the call and never answered within the deadline.
    #[error("the keyring did not answer within {limit}{hint}")]
    TimedOut {
        /// The deadline.
        limit: Seconds,
        /// Why a store of this kind hangs, and what to do.
        hint: Hint,
    },
    /// The store has no room for the secret and kept nothing of it
    /// (keyutils: the kernel's per-user key quota).
    #[error("the keyring is full: {why}; nothing was stored{hint}")]
    Full {
        /// What limit, and how much of it is used.
        why: String,
        /// How to make room.
        hint: Hint,
    },
    /// The store is there but not ready for secrets (pass: no password
    /// store in that folder, or no `.gpg-id` that says whom to encrypt to).
    #[error("the store is not set up: {why}{hint}")]
    NotSetUp {
        /// What is missing.
        why: String,
        /// How to set it up.
        hint: Hint,
    },
    /// gpg lacks a key the store needs: a secret key to decrypt an item,
    /// or a recipient's public key to encrypt one.
    #[error("gpg is missing a key: {why}{hint}")]
    MissingKey {
        /// Which key, and for what.
        why: String,
        /// How to get or add it.
        hint: Hint,
    },
    /// The store's server cannot answer now but should soon (OpenBao: no
    /// active node while its cluster elects a leader, or no answer within
    /// the companion's time): worth trying again in a moment.
    #[error("the store cannot answer now: {why}{hint}")]
    Temporary {
        /// What the server (or its client) said.
        why: String,
        /// What to do.
        hint: Hint,
    },
    /// The store's access policy refuses this (OpenBao: a 403 naming the
    /// path and the capability the token lacks).
    #[error("the store refused access: {why}{hint}")]
    Denied {
        /// Which path, and what was refused.
        why: String,
        /// Whom to ask.
        hint: Hint,
    },
    /// The store's login is no longer good (OpenBao: the token expired or
    /// was revoked, or AppRole refused the secret id): log in again.
    #[error("the store's login is no longer valid: {why}{hint}")]
    LoginExpired {
        /// What was refused, and how to log in again.
        why: String,
        /// What to do.
        hint: Hint,
    },
    /// The store, or the program mailcred reaches it through, answered
    /// something mailcred cannot read.
    #[error("the store answered something mailcred cannot use: {why}{hint}")]
    BadAnswer {
        /// What was wrong with it (never its bytes).
        why: String,
        /// What to do.
        hint: Hint,
    },
    /// A failure with no better name.
    #[error("the keyring failed: {reason}{hint}")]
    Failed {
        /// The store's own description of the failure (never a secret).
        reason: String,
        /// What to do.
        hint: Hint,
    },
    /// A conditional write found the secret changed, or present, or gone.
    #[error(
        "the keyring item {id} was changed by another program since it was read; nothing was written, try again"
    )]
    Conflict {
        /// The item.
        id: String,
    },
    /// A document kept in the store (the index, the accounts) was changed
    /// by other writers every time this one tried to change it.
    #[error(
        "the {document} in the store was changed by others too often ({attempts} attempts); nothing more was written, try again"
    )]
    Contended {
        /// What it keeps: "credential index", "account list".
        document: &'static str,
        /// How many times it was read and written.
        attempts: u32,
    },
    /// A conditional write asked of a store that offers none.
    #[error("{store} cannot write conditionally (no compare-and-set); nothing was written")]
    NoCompareAndSet {
        /// The store's description.
        store: String,
    },
    /// A store asked for by configuration cannot be built on this platform.
    #[error("the store \"{name}\" is not available in this build on this platform")]
    Unsupported {
        /// The requested store.
        name: String,
    },
}

impl StoreError {
    /// A failure described by `reason`, without a hint.
    pub fn failed(reason: impl Into<String>) -> Self {
        Self::Failed {
            reason: reason.into(),
            hint: Hint::NONE,
        }
    }

    /// Whether a write that failed so may still have landed, or land
    /// later: the call was cut off rather than refused. The vault then
    /// keeps the secret listed, since a secret must never be unlisted.
    pub const fn may_have_written(&self) -> bool {
        matches!(self, Self::TimedOut { .. } | Self::Temporary { .. })
    }

    /// A locked store, without a hint (test stores).
    pub const fn locked() -> Self {
        Self::Locked { hint: Hint::NONE }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hint_follows_the_cause_and_no_hint_adds_nothing() {
        let with = StoreError::Locked {
            hint: Hint::new("unlock it"),
        };
        assert_eq!(with.to_string(), "the keyring is locked; unlock it");
        assert_eq!(StoreError::locked().to_string(), "the keyring is locked");
    }

    #[test]
    fn a_deadline_reads_in_seconds() {
        let error = StoreError::TimedOut {
            limit: Seconds(Duration::from_secs(2)),
            hint: Hint::NONE,
        };
        assert_eq!(
            error.to_string(),
            "the keyring did not answer within 2 s",
            "the message users (and the e2e tests) look for"
        );
    }
}

//! Where secrets live: a small trait of our own over the platform keyrings.
//!
//! The vault above decides *what* to store; a store only keeps opaque secret
//! blobs under opaque ids, which every platform keyring can do. The trait is
//! shaped for stores that can do more, so that they fit without a redesign:
//! a store that keeps versions beside its secrets (OpenBao's KV v2) hands
//! out a [`Version`] with every read and can make a write conditional on it
//! ([`WriteIf`]); one that cannot (the Secret Service, keyutils, the
//! Keychain, Credential Manager) says so in its [`Capabilities`] and refuses
//! conditional writes instead of emulating them with a read and a write that
//! another process could slip between.
//!
//! # The contract
//!
//! Every store keeps any bytes (NUL, invalid UTF-8, all 256 values), from
//! one byte to at least 16 KiB, under an id (an empty secret it may refuse,
//! as keyutils does; the vault never writes one). A platform store whose
//! items hold less (Credential Manager: 2,560 bytes; a kernel key: 32,767)
//! keeps longer secrets in parts, through [`InParts`], which the factory
//! puts in front of it; beyond 16 KiB a store may refuse a secret only
//! because it is full ([`StoreError::Full`]: keyutils' per-user quota), and
//! then keeps nothing of it. `read` of an id never written, or deleted, is
//! `None`; `delete` of a missing id succeeds; a write replaces the whole
//! secret; several threads and processes may use one store at once. Every
//! store is `Send + Sync`: [`Deadline`] runs each call on a worker thread, so
//! that a keyring that never answers cannot hang `mailcred get` and the mail
//! program waiting on it. Failures are [`StoreError`]s that name the cause in
//! words every backend shares, with a hint the backend chooses. The
//! [`conformance`] suite checks all of this against any store.
//!
//! # Documents
//!
//! Ids are the vault's, random hex. Two ids are reserved: `index` and
//! `accounts` ([`Document`]) hold mailcred's credential index and account
//! list for a store that keeps them ([`StoreConfig::keeps_documents`]), as
//! plain (non-secret) JSON, changed only by conditional writes
//! ([`documents::update`]). They go through the same `read`, `write_if`
//! and `delete` as secrets, so every wrapper passes them on unchanged; a
//! store that maps ids to keys of its own maps these two to keys of their
//! own (OpenBao: `index` and `accounts`, beside `secrets/<id>`), told apart
//! with [`Document::from_id`].
//!
//! # Adding a store
//!
//! 1. Implement [`SecretStore`] in a file of its own. A keyring-core backend
//!    is one more arm in `keyring.rs` (its `build` and its `classify` with
//!    the backend's own hints); anything else, such as OpenBao's KV v2, is a
//!    type of its own: its version number becomes the [`Version`], `cas`
//!    implements [`WriteIf`], its custom metadata keeps the label.
//! 2. Give it a [`StoreChoice`] variant: a name, the platform, a summary, a
//!    place in [`StoreChoice::ALL`] and, under the `cfg` or cargo feature that
//!    builds it, in [`StoreChoice::compiled_in`]; open it in [`StoreConfig::open`].
//!    Settings, `--version` and the man page read that list.
//! 3. Run the suite on it: `conformance::run(&open).assert_passed()`, one
//!    line in a test that has the store's server at hand (the end-to-end
//!    crate's `store_conformance` tests do this for the real keyrings).

mod choice;
#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
mod deadline;
pub mod documents;
mod error;
mod faults;
mod keyring;
mod lazy;
mod memory;
pub(crate) mod openbao;
mod parts;
mod pass;

pub use choice::{StoreChoice, StoreConfig, UnknownStore};
pub use deadline::Deadline;
pub use documents::Document;
pub use error::{Hint, Seconds, StoreError};
pub use faults::{Faults, Op, WithFaults};
pub use keyring::KeyringStore;
#[cfg(target_os = "linux")]
pub use keyring::SecretServiceStore;
pub use lazy::LazyStore;
pub use memory::MemoryStore;
pub use openbao::{
    BadSetting, OpenBaoAuth, OpenBaoFile, OpenBaoSettings, OpenBaoStore, Ready, Surroundings,
};
pub use parts::InParts;
pub use pass::PassSettings;
#[cfg(target_os = "linux")]
pub use pass::{PassFolder, PassStore};

use zeroize::Zeroizing;

/// A place that keeps secret blobs by id.
pub trait SecretStore: Send + Sync {
    /// What this store is, for `doctor` and messages.
    fn describe(&self) -> String;
    /// What this store can do beyond keeping blobs.
    fn capabilities(&self) -> Capabilities;
    /// The secret kept under `id` with its version, or `None` when there is none.
    fn read(&self, id: &str) -> Result<Option<Stored>, StoreError>;
    /// Keeps `secret` under `id` when `condition` holds, replacing what was
    /// there, and returns the new version if the store has versions. `label`
    /// is a human-readable, non-secret name shown by keyring managers.
    ///
    /// A store without [`Capabilities::compare_and_set`] accepts only
    /// [`WriteIf::Always`] and fails anything else with
    /// [`StoreError::NoCompareAndSet`], writing nothing.
    fn write_if(
        &self,
        id: &str,
        label: &str,
        secret: &[u8],
        condition: WriteIf,
    ) -> Result<Option<Version>, StoreError>;
    /// Forgets the secret under `id`; forgetting a missing one succeeds.
    fn delete(&self, id: &str) -> Result<(), StoreError>;

    /// Keeps `secret` under `id` whatever was there.
    fn write(&self, id: &str, label: &str, secret: &[u8]) -> Result<(), StoreError> {
        self.write_if(id, label, secret, WriteIf::Always).map(drop)
    }

    /// Whether [`WriteIf::Absent`] and [`WriteIf::Unchanged`] are atomic here.
    fn supports_cas(&self) -> bool {
        self.capabilities().compare_and_set
    }
}

/// A secret as read, with the version a conditional write can name.
pub struct Stored {
    /// The blob, wiped when dropped.
    pub secret: Zeroizing<Vec<u8>>,
    /// The store's revision of it; `None` for stores without versions.
    pub version: Option<Version>,
}

impl Stored {
    /// A secret from a store that keeps no versions.
    pub fn unversioned(secret: Zeroizing<Vec<u8>>) -> Self {
        Self {
            secret,
            version: None,
        }
    }
}

/// Shows the size and version, never the bytes.
impl std::fmt::Debug for Stored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stored")
            .field("secret", &format_args!("<{} bytes>", self.secret.len()))
            .field("version", &self.version)
            .finish()
    }
}

/// A store's revision of one secret: opaque, compared only for equality, and
/// meaningful only to the store that issued it (OpenBao's version number, a
/// counter in memory). Never derived from the secret's bytes, so it can be
/// logged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version(String);

impl Version {
    /// A version with the store's own token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The store's token.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// When a write may happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteIf {
    /// Whatever is there: the only condition every store supports.
    Always,
    /// Only if nothing is kept under the id (create, never replace).
    Absent,
    /// Only if the secret is still at this version (replace what was read).
    Unchanged(Version),
}

/// What a store can do beyond keeping blobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// Reads return versions and conditional writes are atomic.
    pub compare_and_set: bool,
}

impl Capabilities {
    /// The platform keyrings: unconditional writes only, no versions.
    pub const UNCONDITIONAL_ONLY: Self = Self {
        compare_and_set: false,
    };
    /// A store with versions and compare-and-set.
    pub const COMPARE_AND_SET: Self = Self {
        compare_and_set: true,
    };
}

/// Fails any condition but [`WriteIf::Always`], for stores without
/// compare-and-set: honestly, rather than with a racy read-then-write.
pub fn refuse_conditions(store: &dyn SecretStore, condition: &WriteIf) -> Result<(), StoreError> {
    match condition {
        WriteIf::Always => Ok(()),
        WriteIf::Absent | WriteIf::Unchanged(_) => Err(StoreError::NoCompareAndSet {
            store: store.describe(),
        }),
    }
}

/// A shared store: one connection (one OpenBao companion) for a command's
/// secrets and documents alike.
impl<S: SecretStore + ?Sized> SecretStore for std::sync::Arc<S> {
    fn describe(&self) -> String {
        (**self).describe()
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
    fn read(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        (**self).read(id)
    }
    fn write_if(
        &self,
        id: &str,
        label: &str,
        secret: &[u8],
        condition: WriteIf,
    ) -> Result<Option<Version>, StoreError> {
        (**self).write_if(id, label, secret, condition)
    }
    fn delete(&self, id: &str) -> Result<(), StoreError> {
        (**self).delete(id)
    }
}

/// A borrowed store as an owned one, for contexts that hand out boxes.
pub struct Borrowed<'a>(pub &'a dyn SecretStore);

impl SecretStore for Borrowed<'_> {
    fn describe(&self) -> String {
        self.0.describe()
    }
    fn capabilities(&self) -> Capabilities {
        self.0.capabilities()
    }
    fn read(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        self.0.read(id)
    }
    fn write_if(
        &self,
        id: &str,
        label: &str,
        secret: &[u8],
        condition: WriteIf,
    ) -> Result<Option<Version>, StoreError> {
        self.0.write_if(id, label, secret, condition)
    }
    fn delete(&self, id: &str) -> Result<(), StoreError> {
        self.0.delete(id)
    }
}

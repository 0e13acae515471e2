//! Where secrets live: a small trait of our own over the platform keyring.
//!
//! The vault above it decides *what* to store; this layer only keeps opaque
//! secret blobs under opaque ids, which every platform store can do.

mod keyring;
mod lazy;
mod memory;

pub use keyring::{KeyringStore, StoreChoice};
pub use lazy::LazyStore;
pub use memory::MemoryStore;

use zeroize::Zeroizing;

/// A place that keeps secret blobs by id.
pub trait SecretStore {
    /// What this store is, for `doctor` and `--version`.
    fn describe(&self) -> String;
    /// The secret kept under `id`, or `None` when there is none.
    fn read(&self, id: &str) -> Result<Option<Zeroizing<Vec<u8>>>, StoreError>;
    /// Keeps `secret` under `id`, replacing what was there. `label` is a
    /// human-readable, non-secret name shown by keyring managers.
    fn write(&self, id: &str, label: &str, secret: &[u8]) -> Result<(), StoreError>;
    /// Forgets the secret under `id`; forgetting a missing one succeeds.
    fn delete(&self, id: &str) -> Result<(), StoreError>;
}

/// A borrowed store as an owned one, for contexts that hand out boxes.
pub struct Borrowed<'a>(pub &'a dyn SecretStore);

impl SecretStore for Borrowed<'_> {
    fn describe(&self) -> String {
        self.0.describe()
    }
    fn read(&self, id: &str) -> Result<Option<Zeroizing<Vec<u8>>>, StoreError> {
        self.0.read(id)
    }
    fn write(&self, id: &str, label: &str, secret: &[u8]) -> Result<(), StoreError> {
        self.0.write(id, label, secret)
    }
    fn delete(&self, id: &str) -> Result<(), StoreError> {
        self.0.delete(id)
    }
}

/// Why the store could not be used. Messages name the cause and the fix;
/// none carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No D-Bus session bus to talk to.
    #[error(
        "no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset or unreachable; run inside a desktop session, or start one with `dbus-run-session -- $SHELL`"
    )]
    NoSessionBus,
    /// The bus is there but nobody provides the Secret Service.
    #[error(
        "the Secret Service is not running on this session bus; start gnome-keyring-daemon (or KeePassXC with Secret Service enabled), or install gnome-keyring"
    )]
    NotRunning,
    /// The collection is locked and unlocking would need a prompt.
    #[error(
        "the keyring is locked; unlock it (log in to the desktop or unlock the login keyring in Seahorse; without a desktop, restart the daemon unlocked: `gnome-keyring-daemon --replace --daemonize --unlock --components=secrets` with the keyring password on stdin) and try again"
    )]
    Locked,
    /// There is no default (`login`) collection to keep items in.
    #[error(
        "the Secret Service has no default (login) collection; create one, e.g. by starting gnome-keyring-daemon with --unlock and a non-empty password"
    )]
    NoCollection,
    /// Two keyring items answer to one id; refusing to guess.
    #[error(
        "two keyring items have the id {id}; remove the duplicate with your keyring manager (service \"mailcred\")"
    )]
    Ambiguous {
        /// The duplicated id.
        id: String,
    },
    /// The keyring reported a failure we cannot classify.
    #[error("the keyring failed: {reason}")]
    Failed {
        /// The store's own description of the failure (never a secret).
        reason: String,
    },
    /// A store asked for by configuration cannot be built on this platform.
    #[error("the store \"{name}\" is not available in this build on this platform")]
    Unsupported {
        /// The requested store.
        name: String,
    },
}

//! The platform keyrings, through keyring-core: one [`KeyringStore`] over
//! whichever backend was chosen, and per backend the translation of its
//! errors into [`StoreError`]'s causes with that backend's hints.

#[cfg(target_os = "linux")]
mod dh;
#[cfg(target_os = "linux")]
mod lookup;
mod native;
#[cfg(target_os = "linux")]
mod quota;
mod secret_service;
#[cfg(target_os = "linux")]
mod secret_service_store;

#[cfg(target_os = "linux")]
pub use secret_service_store::SecretServiceStore;

use std::collections::HashMap;
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry, Error as KeyringError};
use zeroize::Zeroizing;

use super::{
    Capabilities, Hint, SecretStore, StoreChoice, StoreError, Stored, Version, WriteIf,
    refuse_conditions,
};

/// The keyring service name every mailcred item is filed under.
const SERVICE: &str = "mailcred";

/// A [`SecretStore`] over a keyring-core platform store. None of them has
/// versions or conditional writes.
pub struct KeyringStore {
    choice: StoreChoice,
    inner: Arc<CredentialStore>,
}

impl KeyringStore {
    /// Connects to the chosen platform store.
    pub fn open(choice: StoreChoice) -> Result<Self, StoreError> {
        let inner = build(choice)?;
        Ok(Self { choice, inner })
    }

    /// What to tell users when this backend does not answer in time.
    pub fn timeout_hint(choice: StoreChoice) -> Hint {
        match choice {
            StoreChoice::SecretService => secret_service::TIMED_OUT,
            other => native::timed_out(other),
        }
    }

    fn entry(&self, id: &str, label: Option<&str>) -> Result<Entry, StoreError> {
        let result = match (self.choice, label) {
            // Only the Secret Service shows a label; other stores reject the modifier.
            (StoreChoice::SecretService, Some(label)) => {
                let modifiers = HashMap::from([("label", label)]);
                Entry::new_in_store_with_modifiers(&self.inner, SERVICE, id, &modifiers)
            }
            // Kept on this machine, like the index that lists it (in
            // %LOCALAPPDATA%): credentials that roamed with the profile
            // while the index stayed behind, or the reverse, would be
            // secrets nobody lists and entries with nothing behind them.
            // The store crate's default, Enterprise, roams.
            (StoreChoice::CredentialManager, Some(_)) => {
                let modifiers = HashMap::from([("persistence", "Local")]);
                Entry::new_in_store_with_modifiers(&self.inner, SERVICE, id, &modifiers)
            }
            _ => Entry::new_in_store(&self.inner, SERVICE, id),
        };
        result.map_err(|e| classify(self.choice, &e, id))
    }

    /// Writes `secret`, waiting a little when keyutils' quota is full: it
    /// may be full only of keys deleted a moment ago (see `quota`).
    fn set_secret(&self, entry: &Entry, id: &str, secret: &[u8]) -> Result<(), StoreError> {
        let set = || {
            entry
                .set_secret(secret)
                .map_err(|e| classify(self.choice, &e, id))
        };
        #[cfg(target_os = "linux")]
        if self.choice == StoreChoice::Keyutils {
            for delay in quota::RETRY_DELAYS {
                match set() {
                    Err(StoreError::Full { .. }) => std::thread::sleep(delay),
                    other => return other,
                }
            }
            return match set() {
                Err(StoreError::Full { .. }) => Err(quota::full(Some(secret.len()))),
                other => other,
            };
        }
        set()
    }
}

impl SecretStore for KeyringStore {
    fn describe(&self) -> String {
        match self.choice {
            StoreChoice::SecretService => "Secret Service (D-Bus)".into(),
            StoreChoice::Keyutils => "Linux kernel keyutils (RAM only)".into(),
            StoreChoice::Keychain => "macOS Keychain".into(),
            StoreChoice::CredentialManager => "Windows Credential Manager".into(),
            StoreChoice::Pass => "pass (not a keyring-core store)".into(),
            StoreChoice::OpenBao => "OpenBao (not a keyring-core store)".into(),
        }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::UNCONDITIONAL_ONLY
    }

    fn read(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        match self.entry(id, None)?.get_secret() {
            Ok(secret) => Ok(Some(Stored::unversioned(Zeroizing::new(secret)))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(classify(self.choice, &e, id)),
        }
    }

    fn write_if(
        &self,
        id: &str,
        label: &str,
        secret: &[u8],
        condition: WriteIf,
    ) -> Result<Option<Version>, StoreError> {
        refuse_conditions(self, &condition)?;
        let entry = self.entry(id, Some(label))?;
        self.set_secret(&entry, id, secret)?;
        Ok(None)
    }

    fn delete(&self, id: &str) -> Result<(), StoreError> {
        match self.entry(id, None)?.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(e) => Err(classify(self.choice, &e, id)),
        }
    }
}

/// Turns a keyring error into a cause with the backend's hint. Only the
/// Secret Service's errors are read as D-Bus text.
///
/// Only the error's description is consulted, never its payload: some
/// variants (`BadEncoding`, `BadDataFormat`) carry the secret itself.
fn classify(choice: StoreChoice, error: &KeyringError, id: &str) -> StoreError {
    match choice {
        StoreChoice::SecretService => secret_service::classify(error, id),
        other => native::classify(other, error, id),
    }
}

/// An error and its sources as one line.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

#[cfg(target_os = "linux")]
fn build(choice: StoreChoice) -> Result<Arc<CredentialStore>, StoreError> {
    // The zbus store rather than the libdbus one. Both encrypt the session
    // with a Diffie-Hellman key exchange, but dbus-secret-service 4.1 draws
    // the private key from fastrand, a non-cryptographic generator (at most
    // 64 bits of state), while the zbus stack (secret-service 5) draws it from
    // the OS (getrandom). Measured in one run, a lookup costs the same with
    // either (6.6 ms against 6.5 ms); zbus is pure Rust, so building needs no
    // libdbus headers and the binary links no libdbus, for 1.3 MB more code.
    let store: Arc<CredentialStore> = match choice {
        StoreChoice::SecretService => {
            zbus_secret_service_keyring_store::Store::new().map_err(|e| classify(choice, &e, ""))?
        }
        StoreChoice::Keyutils => {
            linux_keyutils_keyring_store::Store::new().map_err(|e| classify(choice, &e, ""))?
        }
        other => return Err(unsupported(other)),
    };
    Ok(store)
}

#[cfg(target_os = "macos")]
fn build(choice: StoreChoice) -> Result<Arc<CredentialStore>, StoreError> {
    match choice {
        StoreChoice::Keychain => Ok(apple_native_keyring_store::keychain::Store::new()
            .map_err(|e| classify(choice, &e, ""))?),
        other => Err(unsupported(other)),
    }
}

#[cfg(target_os = "windows")]
fn build(choice: StoreChoice) -> Result<Arc<CredentialStore>, StoreError> {
    match choice {
        StoreChoice::CredentialManager => {
            Ok(windows_native_keyring_store::Store::new().map_err(|e| classify(choice, &e, ""))?)
        }
        other => Err(unsupported(other)),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn build(choice: StoreChoice) -> Result<Arc<CredentialStore>, StoreError> {
    Err(unsupported(choice))
}

fn unsupported(choice: StoreChoice) -> StoreError {
    StoreError::Unsupported {
        name: choice.name().into(),
    }
}

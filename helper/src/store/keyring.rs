use std::collections::HashMap;
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry, Error as KeyringError};
use zeroize::Zeroizing;

use super::{SecretStore, StoreError};

/// The keyring service name every mailcred item is filed under.
const SERVICE: &str = "mailcred";

/// Which platform store to use. Chosen explicitly, never by falling back: a
/// helper that quietly kept app passwords in memory would lose them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreChoice {
    /// The freedesktop Secret Service (GNOME Keyring, KeePassXC, KWallet).
    SecretService,
    /// The Linux kernel's key retention service: RAM only, gone at reboot.
    Keyutils,
    /// The macOS login keychain.
    Keychain,
    /// The Windows Credential Manager.
    CredentialManager,
}

impl StoreChoice {
    /// The default store of the platform this was built for.
    pub const fn platform_default() -> Self {
        if cfg!(target_os = "macos") {
            Self::Keychain
        } else if cfg!(target_os = "windows") {
            Self::CredentialManager
        } else {
            Self::SecretService
        }
    }

    /// Parses a name given by `MAILCRED_STORE` or the settings file.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "secret-service" => Some(Self::SecretService),
            "keyutils" => Some(Self::Keyutils),
            "keychain" => Some(Self::Keychain),
            "windows" | "credential-manager" => Some(Self::CredentialManager),
            _ => None,
        }
    }

    /// The name users type.
    pub const fn name(self) -> &'static str {
        match self {
            Self::SecretService => "secret-service",
            Self::Keyutils => "keyutils",
            Self::Keychain => "keychain",
            Self::CredentialManager => "credential-manager",
        }
    }

    /// The stores compiled into this build.
    pub fn compiled_in() -> &'static [StoreChoice] {
        if cfg!(target_os = "linux") {
            &[Self::SecretService, Self::Keyutils]
        } else if cfg!(target_os = "macos") {
            &[Self::Keychain]
        } else if cfg!(target_os = "windows") {
            &[Self::CredentialManager]
        } else {
            &[]
        }
    }

    /// A warning users must see when this store is in use, if any.
    pub const fn warning(self) -> Option<&'static str> {
        match self {
            Self::Keyutils => Some(
                "the keyutils store keeps secrets in kernel memory only: they are lost at reboot",
            ),
            _ => None,
        }
    }
}

/// A [`SecretStore`] over a keyring-core platform store.
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

    fn entry(&self, id: &str, label: Option<&str>) -> Result<Entry, StoreError> {
        let result = match (self.choice, label) {
            // Only the Secret Service shows a label; other stores reject the modifier.
            (StoreChoice::SecretService, Some(label)) => {
                let modifiers = HashMap::from([("label", label)]);
                Entry::new_in_store_with_modifiers(&self.inner, SERVICE, id, &modifiers)
            }
            _ => Entry::new_in_store(&self.inner, SERVICE, id),
        };
        result.map_err(|e| self.classify(&e, id))
    }

    fn classify(&self, error: &KeyringError, id: &str) -> StoreError {
        match (self.choice, classify_other(error, id)) {
            (StoreChoice::SecretService, _) => classify(error, id),
            (_, StoreError::Failed { reason }) => StoreError::Failed {
                reason: format!("{}: {reason}", self.describe()),
            },
            (_, other) => other,
        }
    }
}

impl SecretStore for KeyringStore {
    fn describe(&self) -> String {
        match self.choice {
            StoreChoice::SecretService => "Secret Service (D-Bus)".into(),
            StoreChoice::Keyutils => "Linux kernel keyutils (RAM only)".into(),
            StoreChoice::Keychain => "macOS Keychain".into(),
            StoreChoice::CredentialManager => "Windows Credential Manager".into(),
        }
    }

    fn read(&self, id: &str) -> Result<Option<Zeroizing<Vec<u8>>>, StoreError> {
        match self.entry(id, None)?.get_secret() {
            Ok(secret) => Ok(Some(Zeroizing::new(secret))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(self.classify(&e, id)),
        }
    }

    fn write(&self, id: &str, label: &str, secret: &[u8]) -> Result<(), StoreError> {
        self.entry(id, Some(label))?
            .set_secret(secret)
            .map_err(|e| self.classify(&e, id))
    }

    fn delete(&self, id: &str) -> Result<(), StoreError> {
        match self.entry(id, None)?.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(e) => Err(self.classify(&e, id)),
        }
    }
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
            zbus_secret_service_keyring_store::Store::new().map_err(|e| classify(&e, ""))?
        }
        StoreChoice::Keyutils => {
            linux_keyutils_keyring_store::Store::new().map_err(|e| classify_other(&e, ""))?
        }
        other => return Err(unsupported(other)),
    };
    Ok(store)
}

#[cfg(target_os = "macos")]
fn build(choice: StoreChoice) -> Result<Arc<CredentialStore>, StoreError> {
    match choice {
        StoreChoice::Keychain => {
            Ok(apple_native_keyring_store::keychain::Store::new().map_err(|e| classify(&e, ""))?)
        }
        other => Err(unsupported(other)),
    }
}

#[cfg(target_os = "windows")]
fn build(choice: StoreChoice) -> Result<Arc<CredentialStore>, StoreError> {
    match choice {
        StoreChoice::CredentialManager => {
            Ok(windows_native_keyring_store::Store::new().map_err(|e| classify(&e, ""))?)
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

/// Turns a keyring error into one that names a cause and a fix.
///
/// Only the error's description is consulted, never its payload: some
/// variants (`BadEncoding`, `BadDataFormat`) carry the secret itself.
fn classify(error: &KeyringError, id: &str) -> StoreError {
    let detail = match error {
        KeyringError::Ambiguous(_) => return StoreError::Ambiguous { id: id.into() },
        KeyringError::BadEncoding(_) | KeyringError::BadDataFormat(..) => {
            return StoreError::Failed {
                reason: format!("the keyring item {id} holds data mailcred cannot read"),
            };
        }
        KeyringError::PlatformFailure(e) | KeyringError::NoStorageAccess(e) => chain(e.as_ref()),
        other => other.to_string(),
    };
    let locked = matches!(error, KeyringError::NoStorageAccess(_));
    classify_text(&detail, locked)
}

/// Like [`classify`], for stores other than the Secret Service, whose
/// "no storage access" does not mean a locked collection.
fn classify_other(error: &KeyringError, id: &str) -> StoreError {
    match error {
        KeyringError::PlatformFailure(e) | KeyringError::NoStorageAccess(e) => StoreError::Failed {
            reason: chain(e.as_ref()),
        },
        _ => classify(error, id),
    }
}

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

/// Maps the D-Bus and Secret Service wording seen in practice to causes.
fn classify_text(detail: &str, no_access: bool) -> StoreError {
    let has = |needle: &str| detail.contains(needle);
    if has("ServiceUnknown")
        || has("not provided by any .service files")
        // The daemon died while answering (org.freedesktop.DBus.Error.NoReply).
        || has("disconnected from message bus without replying")
    {
        StoreError::NotRunning
    } else if has("DBUS_SESSION_BUS_ADDRESS")
        || has("autolaunch")
        || has("NoServer")
        || has("Failed to connect to socket")
        || has("Connection refused")
        || has("No such file or directory")
        || has("Disconnected")
    {
        StoreError::NoSessionBus
    } else if has("no such object")
        || has("NoSuchObject")
        || has("collection")
        // secret-service's NoResult: the `default` alias points nowhere.
        || has("result not returned from SS API")
    {
        StoreError::NoCollection
    } else if no_access || has("locked") || has("Locked") || has("Prompt") {
        StoreError::Locked
    } else {
        StoreError::Failed {
            reason: detail.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_bus_and_missing_service_are_told_apart() {
        assert!(matches!(
            classify_text(
                "D-Bus error: Unable to autolaunch a dbus-daemon without a $DISPLAY for X11",
                false
            ),
            StoreError::NoSessionBus
        ));
        assert!(matches!(
            classify_text(
                "org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files",
                false
            ),
            StoreError::NotRunning
        ));
    }

    #[test]
    fn a_secret_service_that_dies_mid_call_is_reported_as_not_running() {
        assert!(matches!(
            classify_text(
                "DBus error: Message recipient disconnected from message bus without replying",
                false
            ),
            StoreError::NotRunning
        ));
    }

    #[test]
    fn a_missing_default_collection_is_not_called_locked() {
        assert!(matches!(
            classify_text("SS error: result not returned from SS API", true),
            StoreError::NoCollection
        ));
        assert!(matches!(
            classify_text("Secret Service: unlock prompt was dismissed", true),
            StoreError::Locked
        ));
    }

    #[test]
    fn store_names_round_trip() {
        for choice in [
            StoreChoice::SecretService,
            StoreChoice::Keyutils,
            StoreChoice::Keychain,
            StoreChoice::CredentialManager,
        ] {
            assert_eq!(StoreChoice::from_name(choice.name()), Some(choice));
        }
        assert_eq!(StoreChoice::from_name("memory"), None);
    }
}

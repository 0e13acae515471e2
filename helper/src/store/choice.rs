//! The store factory: which stores exist, which are compiled in, and the one
//! place that turns a configured name into a working store.
//!
//! The list is data: settings check names against it, `--version` prints
//! the compiled-in part, and the man page describes all of it (the pages are
//! the same whichever platform generates them).

use std::time::Duration;

use super::{
    Deadline, Hint, InParts, KeyringStore, OpenBaoSettings, OpenBaoStore, PassSettings, Ready,
    SecretStore, StoreError,
};
#[cfg(target_os = "linux")]
use super::{PassStore, SecretServiceStore};

/// Which store to use. Chosen explicitly, never by falling back: a helper
/// that quietly kept app passwords in memory would lose them.
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
    /// pass, the standard unix password manager (gpg files in a folder).
    Pass,
    /// OpenBao or Vault: a KV v2 mount on a server a team or fleet shares.
    OpenBao,
}

/// The stores this build can open, platform default first.
const COMPILED_IN: &[StoreChoice] = &[
    #[cfg(target_os = "linux")]
    StoreChoice::SecretService,
    #[cfg(target_os = "linux")]
    StoreChoice::Keyutils,
    #[cfg(target_os = "macos")]
    StoreChoice::Keychain,
    #[cfg(target_os = "windows")]
    StoreChoice::CredentialManager,
    #[cfg(target_os = "linux")]
    StoreChoice::Pass,
    StoreChoice::OpenBao,
];

impl StoreChoice {
    /// Every store mailcred knows, on any platform.
    pub const ALL: [StoreChoice; 6] = [
        Self::SecretService,
        Self::Keyutils,
        Self::Keychain,
        Self::CredentialManager,
        Self::Pass,
        Self::OpenBao,
    ];

    /// The stores compiled into this build.
    pub fn compiled_in() -> &'static [StoreChoice] {
        COMPILED_IN
    }

    /// The store used when none is configured: the compiled-in store that is
    /// its platform's default, if this platform has one.
    pub fn platform_default() -> Option<Self> {
        COMPILED_IN
            .iter()
            .copied()
            .find(|c| c.is_platform_default())
    }

    /// Whether this store is the default on its platform.
    pub const fn is_platform_default(self) -> bool {
        !matches!(self, Self::Keyutils | Self::Pass | Self::OpenBao)
    }

    /// Whether mailcred keeps its index and accounts in this store too, not
    /// in local files: a shared store (OpenBao) is shared so that every
    /// machine pointed at it sees the same accounts.
    pub const fn keeps_documents(self) -> bool {
        matches!(self, Self::OpenBao)
    }

    /// The name users type.
    pub const fn name(self) -> &'static str {
        match self {
            Self::SecretService => "secret-service",
            Self::Keyutils => "keyutils",
            Self::Keychain => "keychain",
            Self::CredentialManager => "credential-manager",
            Self::Pass => "pass",
            Self::OpenBao => "openbao",
        }
    }

    /// Other names accepted for it.
    pub const fn aliases(self) -> &'static [&'static str] {
        match self {
            Self::CredentialManager => &["windows"],
            Self::OpenBao => &["vault"],
            _ => &[],
        }
    }

    /// The platform it exists on.
    pub const fn platform(self) -> &'static str {
        match self {
            Self::SecretService | Self::Keyutils | Self::Pass => "Linux",
            Self::Keychain => "macOS",
            Self::CredentialManager => "Windows",
            Self::OpenBao => "every platform",
        }
    }

    /// What it is, for the man page.
    pub const fn summary(self) -> &'static str {
        match self {
            Self::SecretService => {
                "the freedesktop Secret Service on the D-Bus session bus (GNOME Keyring, KeePassXC, KWallet)"
            }
            Self::Keyutils => "the kernel keyring, RAM only: secrets are lost at reboot",
            Self::Keychain => "the login keychain",
            Self::CredentialManager => "the Windows Credential Manager",
            Self::Pass => {
                "pass, the standard unix password manager: gpg-encrypted entries in a password store folder (\"pass\" in settings.json: \"dir\", \"prefix\")"
            }
            Self::OpenBao => {
                "an OpenBao or Vault server's KV v2 mount, shared by a team or a fleet, reached through mailcred-openbao; it keeps the accounts and the index too (\"openbao\" in settings.json: \"address\" (else BAO_ADDR, VAULT_ADDR), \"mount\", \"prefix\", \"token_file\" (default ~/.vault-token) or \"role_id\" and \"secret_id_file\", \"ca_file\" (else VAULT_CACERT))"
            }
        }
    }

    /// The most one item of this store holds, in bytes, when that is less
    /// than the secrets mailcred keeps: [`StoreConfig::open`] then keeps
    /// longer secrets in parts ([`InParts`]). The Secret Service and the
    /// Keychain have no such limit that matters (gnome-keyring, KeePassXC
    /// and the Keychain take megabytes in one item).
    pub const fn item_size(self) -> Option<usize> {
        match self {
            // CRED_MAX_CREDENTIAL_BLOB_SIZE: the store crate keeps our
            // bytes as the blob itself, so 2,560 bytes, not characters.
            Self::CredentialManager => Some(2560),
            // The largest payload of a kernel `user` key.
            Self::Keyutils => Some(32767),
            Self::SecretService | Self::Keychain | Self::Pass | Self::OpenBao => None,
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

    /// The store known by `name` or one of its aliases, on any platform.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.name() == name || c.aliases().contains(&name))
    }

    /// The compiled-in store called `name`.
    pub fn compiled_in_by_name(name: &str) -> Result<Self, UnknownStore> {
        Self::from_name(name)
            .filter(|c| COMPILED_IN.contains(c))
            .ok_or_else(|| UnknownStore {
                name: name.to_owned(),
                known: Self::compiled_in_list(),
            })
    }

    /// `secret-service (default), keyutils`: the compiled-in stores, as
    /// `--version` and error messages print them.
    pub fn compiled_in_list() -> String {
        if COMPILED_IN.is_empty() {
            return "none".into();
        }
        COMPILED_IN
            .iter()
            .map(|c| {
                if Some(*c) == Self::platform_default() {
                    format!("{} (default)", c.name())
                } else {
                    c.name().to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A store name this build does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown store \"{name}\"; this build knows: {known}")]
pub struct UnknownStore {
    /// The name given.
    pub name: String,
    /// The stores compiled in.
    pub known: String,
}

/// What the settings ask for: a store, how long to wait for it, and where
/// the pass store is (read only when `choice` is pass) and the OpenBao one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// The store.
    pub choice: StoreChoice,
    /// How long any one call may take, opening included.
    pub deadline: Duration,
    /// The pass store's folder and prefix.
    pub pass: PassSettings,
    /// The OpenBao server and login, read from the settings when `choice`
    /// is OpenBao; `None`: from the environment alone (`BAO_ADDR`, ...).
    pub openbao: Option<OpenBaoSettings>,
}

impl StoreConfig {
    /// How long a store may take to answer when nothing else is configured:
    /// longer than any healthy keyring needs (a lookup takes milliseconds, an
    /// unlock prompt a few seconds), short enough that a mail program
    /// waiting on `mailcred get`, which never times out itself, gets an
    /// answer.
    pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(20);

    /// `choice` with `deadline`, and the pass store where pass keeps it by
    /// default (`PASSWORD_STORE_DIR`, `~/.password-store`).
    pub fn new(choice: StoreChoice, deadline: Duration) -> Self {
        Self {
            choice,
            deadline,
            pass: PassSettings::from_environment(),
            openbao: None,
        }
    }

    /// Whether mailcred's index and accounts live in the store rather than
    /// in local files (see [`StoreChoice::keeps_documents`]).
    pub fn keeps_documents(&self) -> bool {
        self.choice.keeps_documents()
    }

    /// The OpenBao settings: the configured ones, else the environment's.
    fn openbao_settings(&self) -> Result<OpenBaoSettings, StoreError> {
        match &self.openbao {
            Some(settings) => Ok(settings.clone()),
            None => OpenBaoSettings::from_environment().map_err(|bad| StoreError::NotSetUp {
                why: format!(
                    "the OpenBao setting \"{}\" (from {}) cannot be used: {}",
                    bad.key, bad.origin, bad.reason
                ),
                hint: Hint::NONE,
            }),
        }
    }

    fn open_openbao(&self) -> Result<OpenBaoStore, StoreError> {
        Ok(OpenBaoStore::open(&self.openbao_settings()?, self.deadline))
    }

    /// What the store's server says about this machine's access, for
    /// `doctor`: `None` for a store without a server.
    pub fn server_status(&self) -> Result<Option<Ready>, StoreError> {
        if self.choice != StoreChoice::OpenBao {
            return Ok(None);
        }
        let store = self.open_openbao()?;
        super::deadline::within(self.deadline, super::openbao::TIMED_OUT, move || {
            store.ping()
        })
        .map(Some)
    }

    /// Opens the store, every call of it (opening too) bounded by the
    /// deadline, and long secrets kept in parts where its items are small.
    /// The deadline is below the parts, so that it bounds each call, not a
    /// whole write of many.
    pub fn open(&self) -> Result<Box<dyn SecretStore>, StoreError> {
        #[cfg(target_os = "linux")]
        if self.choice == StoreChoice::Pass {
            // pass's own runs end a little before the deadline, killed with
            // their gpg, so that none is left behind waiting for a pinentry.
            let runs = self.deadline.mul_f64(0.9);
            let settings = self.pass.clone();
            let store = Deadline::open(self.deadline, PassStore::TIMED_OUT, move || {
                PassStore::open(settings, runs)
            })?;
            return Ok(Box::new(store));
        }
        if self.choice == StoreChoice::OpenBao {
            // Opening starts nothing: the companion starts on the first call.
            let store = self.open_openbao()?;
            return Ok(Box::new(Deadline::new(
                std::sync::Arc::new(store),
                self.deadline,
                super::openbao::TIMED_OUT,
            )));
        }
        #[cfg(target_os = "linux")]
        if self.choice == StoreChoice::SecretService {
            // Connects on first use, and keeps the deadline itself.
            return Ok(Box::new(SecretServiceStore::new(self.deadline)));
        }
        let choice = self.choice;
        let store = Deadline::open(
            self.deadline,
            KeyringStore::timeout_hint(choice),
            move || KeyringStore::open(choice),
        )?;
        Ok(match choice.item_size() {
            Some(size) => Box::new(InParts::new(store, size)),
            None => Box::new(store),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_names_and_aliases_round_trip() {
        for choice in StoreChoice::ALL {
            assert_eq!(StoreChoice::from_name(choice.name()), Some(choice));
            for alias in choice.aliases() {
                assert_eq!(StoreChoice::from_name(alias), Some(choice));
            }
        }
        assert_eq!(
            StoreChoice::from_name("memory"),
            None,
            "the in-memory store is for tests and must never be configurable"
        );
    }

    #[test]
    fn every_platform_has_at_most_one_default() {
        for platform in ["Linux", "macOS", "Windows"] {
            let defaults = StoreChoice::ALL
                .iter()
                .filter(|c| c.platform() == platform && c.is_platform_default())
                .count();
            assert_eq!(
                defaults, 1,
                "{platform} must have exactly one default store"
            );
        }
    }

    #[test]
    fn mailcred_and_the_plugin_agree_on_which_stores_keep_the_documents() {
        for choice in StoreChoice::ALL {
            let config = StoreConfig::new(choice, StoreConfig::DEFAULT_DEADLINE);
            for name in std::iter::once(choice.name()).chain(choice.aliases().iter().copied()) {
                assert_eq!(
                    config.keeps_documents(),
                    mailcred_core::shared_store::keeps_documents(name),
                    "mailcred-lettre asks mailcred for the accounts exactly when the store \
                     {name} keeps them (mailcred_core::shared_store::DOCUMENT_STORES)"
                );
            }
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_store_of_another_platform_is_unknown_here() {
        let error = StoreChoice::compiled_in_by_name("keychain").unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown store \"keychain\"; this build knows: secret-service (default), keyutils, pass, openbao"
        );
    }

    #[test]
    fn openbao_is_on_every_platform_called_vault_too_and_keeps_the_documents() {
        assert!(StoreChoice::compiled_in().contains(&StoreChoice::OpenBao));
        assert_eq!(StoreChoice::from_name("vault"), Some(StoreChoice::OpenBao));
        assert!(
            !StoreChoice::OpenBao.is_platform_default(),
            "a server must be chosen, never fallen into"
        );
        for choice in StoreChoice::ALL {
            assert_eq!(
                StoreConfig::new(choice, StoreConfig::DEFAULT_DEADLINE).keeps_documents(),
                choice == StoreChoice::OpenBao,
                "only the shared store keeps the index and accounts: {}",
                choice.name()
            );
        }
    }
}

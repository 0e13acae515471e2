//! User settings: for now, which store to use.
//!
//! The store is never guessed from what happens to work: a Secret Service
//! that is down must be reported, not replaced by something that forgets.

use std::path::PathBuf;

use crate::store::StoreChoice;

/// The environment variable that picks a store for one run.
pub const STORE_VARIABLE: &str = "MAILCRED_STORE";

/// Why the settings could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// An unknown store name.
    #[error("unknown store \"{name}\" (from {origin}); this build knows: {known}")]
    UnknownStore {
        /// The name given.
        name: String,
        /// Where it came from.
        origin: String,
        /// The stores compiled in.
        known: String,
    },
    /// The settings file could not be read or parsed.
    #[error("cannot read the settings file {path}: {reason}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

#[derive(serde::Deserialize, Default)]
struct SettingsFile {
    store: Option<String>,
}

/// The settings file: `$XDG_CONFIG_HOME/mailcred/settings.json`.
pub fn settings_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("mailcred").join("settings.json"))
}

/// The store asked for by `MAILCRED_STORE`, else the settings file's
/// `"store"`, else the platform's default.
pub fn store_choice() -> Result<StoreChoice, SettingsError> {
    if let Some(name) = std::env::var_os(STORE_VARIABLE) {
        let name = name.to_string_lossy().into_owned();
        return parse(&name, STORE_VARIABLE);
    }
    if let Some(path) = settings_path() {
        match std::fs::read(&path) {
            Ok(bytes) => {
                let file: SettingsFile =
                    serde_json::from_slice(&bytes).map_err(|e| SettingsError::Unreadable {
                        path: path.clone(),
                        reason: e.to_string(),
                    })?;
                if let Some(name) = file.store {
                    return parse(&name, &path.display().to_string());
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(SettingsError::Unreadable {
                    path,
                    reason: e.to_string(),
                });
            }
        }
    }
    Ok(StoreChoice::platform_default())
}

fn parse(name: &str, origin: &str) -> Result<StoreChoice, SettingsError> {
    StoreChoice::from_name(name)
        .filter(|c| StoreChoice::compiled_in().contains(c))
        .ok_or_else(|| SettingsError::UnknownStore {
            name: name.to_owned(),
            origin: origin.to_owned(),
            known: StoreChoice::compiled_in()
                .iter()
                .map(|c| c.name())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

//! Whether the configured store keeps mailcred's index and account list
//! itself (a store shared by several machines: OpenBao), so that the local
//! account file is not used and programs other than `mailcred` (the
//! mailcred-lettre library, `mailcred-smtp`) must ask `mailcred` for
//! accounts (`mailcred show NAME --json`, `mailcred list --json`).
//!
//! Only the store's name is read here, the way `mailcred` reads it:
//! [`STORE_VARIABLE`], else `"store"` in `settings.json`. Everything else
//! about the store is `mailcred`'s business.

use std::path::Path;

/// The environment variable that picks a store for one run.
pub const STORE_VARIABLE: &str = "MAILCRED_STORE";

/// The names (and aliases) of the stores that keep mailcred's documents.
pub const DOCUMENT_STORES: &[&str] = &["openbao", "vault"];

/// Whether the store called `name` keeps mailcred's documents.
pub fn keeps_documents(name: &str) -> bool {
    DOCUMENT_STORES.contains(&name)
}

/// Whether the store configured now keeps mailcred's documents. A
/// settings file that cannot be read counts as "no": `mailcred` itself
/// then reports it, on the first command that needs the store.
pub fn configured_store_keeps_documents() -> bool {
    if let Some(name) = std::env::var_os(STORE_VARIABLE) {
        return keeps_documents(&name.to_string_lossy());
    }
    crate::app_dirs::settings_file()
        .and_then(|path| store_in(&path))
        .is_some_and(|name| keeps_documents(&name))
}

/// The `"store"` of the settings file at `path`, if it names one.
fn store_in(path: &Path) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Settings {
        store: Option<String>,
    }
    let bytes = crate::private_files::read_regular_file(path, 1 << 20).ok()??;
    serde_json::from_slice::<Settings>(&bytes).ok()?.store
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_openbao_and_its_alias_keep_documents() {
        assert!(keeps_documents("openbao") && keeps_documents("vault"));
        for name in [
            "secret-service",
            "keyutils",
            "keychain",
            "credential-manager",
            "pass",
        ] {
            assert!(
                !keeps_documents(name),
                "{name} keeps its documents in local files"
            );
        }
    }

    #[test]
    fn the_store_is_read_from_a_settings_file_and_anything_else_there_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        assert_eq!(store_in(&path), None, "no file names no store");
        std::fs::write(&path, r#"{"store":"openbao","openbao":{"address":"x"}}"#).unwrap();
        assert_eq!(store_in(&path).as_deref(), Some("openbao"));
        std::fs::write(&path, "not json").unwrap();
        assert_eq!(store_in(&path), None, "an unreadable file names no store");
    }
}

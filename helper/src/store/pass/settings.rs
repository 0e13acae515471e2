//! Where the pass store is: settings.json's `"pass": {"dir", "prefix"}`,
//! compiled on every platform so that settings read the same everywhere.

use std::path::PathBuf;

/// Where the pass store keeps mailcred's entries: settings.json's `"pass"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassSettings {
    /// The password store folder (`PASSWORD_STORE_DIR`).
    pub dir: PathBuf,
    /// The folder of mailcred's entries inside it.
    pub prefix: String,
}

impl PassSettings {
    /// The folder of mailcred's entries when none is configured.
    pub const DEFAULT_PREFIX: &'static str = "mailcred";

    /// pass's own default: `$PASSWORD_STORE_DIR`, else `~/.password-store`.
    pub fn default_dir() -> PathBuf {
        match std::env::var_os("PASSWORD_STORE_DIR") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => std::env::home_dir()
                .unwrap_or_default()
                .join(".password-store"),
        }
    }

    /// The defaults: pass's folder, entries under `mailcred/`.
    pub fn from_environment() -> Self {
        Self {
            dir: Self::default_dir(),
            prefix: Self::DEFAULT_PREFIX.into(),
        }
    }

    /// Why `prefix` cannot name a folder inside the store, if it cannot.
    pub fn check_prefix(prefix: &str) -> Result<(), String> {
        if prefix.is_empty()
            || prefix.starts_with('/')
            || prefix.ends_with('/')
            || prefix
                .split('/')
                .any(|part| part.is_empty() || part.starts_with('.') || part.contains('\\'))
        {
            return Err(format!(
                "the pass prefix {prefix:?} is not a relative folder name like \"mailcred\" or \"team/mail\""
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_is_a_relative_folder_inside_the_store() {
        for good in ["mailcred", "team/mail", "a-b_c"] {
            assert!(PassSettings::check_prefix(good).is_ok(), "{good}");
        }
        for bad in ["", "/etc", "a/", "../up", "a/../b", ".hidden", "a//b"] {
            assert!(
                PassSettings::check_prefix(bad).is_err(),
                "{bad:?} must be refused: it would put entries outside the folder or nowhere"
            );
        }
    }
}

//! User settings: which store to use, and how long to wait for it.
//!
//! The store is never guessed from what happens to work: a Secret Service
//! that is down must be reported, not replaced by something that forgets.
//! Each setting comes from its environment variable for one run, else from
//! `settings.json`, else from the default.

use std::path::PathBuf;

use crate::private_files::read_regular_file;
use std::time::Duration;

use crate::store::{
    OpenBaoFile, OpenBaoSettings, PassSettings, StoreChoice, StoreConfig, Surroundings,
};

/// The environment variable that picks a store for one run (the plugin
/// reads it too, so it is defined once, in mailcred-core).
pub use mailcred_core::shared_store::STORE_VARIABLE;
/// The environment variable that sets the keyring deadline, in seconds.
pub const TIMEOUT_VARIABLE: &str = "MAILCRED_KEYRING_TIMEOUT";
/// The settings.json key of the keyring deadline, in seconds.
pub const TIMEOUT_KEY: &str = "keyring_timeout_seconds";
/// The longest deadline accepted: an hour is already "forever" to a mail program.
const MAX_TIMEOUT_SECONDS: u64 = 3600;

/// Why the settings could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// An unknown store name.
    #[error(
        "unknown store \"{}\" (from {origin}); this build knows: {}",
        .unknown.name,
        .unknown.known
    )]
    UnknownStore {
        /// The name and the stores known.
        unknown: crate::store::UnknownStore,
        /// Where it came from.
        origin: String,
    },
    /// No store is compiled in for this platform.
    #[error("this build has no store for this platform; set {STORE_VARIABLE} to one of: {known}")]
    NoDefaultStore {
        /// The stores compiled in.
        known: String,
    },
    /// A deadline that is not a whole number of seconds from 1 to 3600.
    #[error(
        "the keyring timeout \"{value}\" (from {origin}) is not a whole number of seconds from 1 to {MAX_TIMEOUT_SECONDS}"
    )]
    BadTimeout {
        /// The value given.
        value: String,
        /// Where it came from.
        origin: String,
    },
    /// The `"pass"` settings cannot be used.
    #[error("the pass store settings (in {origin}) cannot be used: {reason}")]
    BadPass {
        /// What is wrong.
        reason: String,
        /// Where they came from.
        origin: String,
    },
    /// An `"openbao"` setting, or the variable standing in for it, cannot
    /// be used.
    #[error("the OpenBao setting \"{key}\" (from {origin}) cannot be used: {reason}")]
    BadOpenBao {
        /// The key of the `"openbao"` object.
        key: &'static str,
        /// The settings file, or the variable the value came from.
        origin: String,
        /// What is wrong, and what to do.
        reason: String,
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
    keyring_timeout_seconds: Option<serde_json::Value>,
    pass: Option<PassFile>,
    openbao: Option<OpenBaoFile>,
}

/// `"pass": {"dir": "/home/u/.password-store", "prefix": "mailcred"}`.
#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PassFile {
    dir: Option<PathBuf>,
    prefix: Option<String>,
}

/// What chose the store, for `doctor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChosenBy {
    /// `MAILCRED_STORE`.
    Variable,
    /// The settings file's `"store"`.
    File(PathBuf),
    /// Nothing: the platform's default.
    Default,
}

impl std::fmt::Display for ChosenBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Variable => write!(f, "chosen by {STORE_VARIABLE}"),
            Self::File(path) => write!(f, "chosen by {}", path.display()),
            Self::Default => write!(
                f,
                "the default: neither {STORE_VARIABLE} nor settings.json names one"
            ),
        }
    }
}

/// The store and deadline asked for by the environment and the settings file.
pub fn store_config() -> Result<StoreConfig, SettingsError> {
    store_config_chosen().map(|(config, _)| config)
}

/// [`store_config`], and what chose the store.
pub fn store_config_chosen() -> Result<(StoreConfig, ChosenBy), SettingsError> {
    let (file, path) = read_file()?;
    let origin = || {
        path.as_ref()
            .map_or_else(String::new, |p| p.display().to_string())
    };
    let (choice, chosen_by) = match (std::env::var_os(STORE_VARIABLE), &file.store) {
        (Some(name), _) => (
            parse_store(&name.to_string_lossy(), STORE_VARIABLE)?,
            ChosenBy::Variable,
        ),
        (None, Some(name)) => (
            parse_store(name, &origin())?,
            ChosenBy::File(path.clone().unwrap_or_default()),
        ),
        (None, None) => (
            StoreChoice::platform_default().ok_or_else(|| SettingsError::NoDefaultStore {
                known: StoreChoice::compiled_in_list(),
            })?,
            ChosenBy::Default,
        ),
    };
    let deadline = match (
        std::env::var_os(TIMEOUT_VARIABLE),
        &file.keyring_timeout_seconds,
    ) {
        (Some(value), _) => parse_timeout(&value.to_string_lossy(), TIMEOUT_VARIABLE)?,
        (None, Some(value)) => {
            // A JSON number or a string holding one.
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            parse_timeout(&text, &format!("\"{TIMEOUT_KEY}\" in {}", origin()))?
        }
        (None, None) => StoreConfig::DEFAULT_DEADLINE,
    };
    let pass = pass_settings(file.pass.unwrap_or_default(), &origin())?;
    // Only when chosen: the variables it falls back on need not be set
    // for any other store.
    let openbao = if choice == StoreChoice::OpenBao {
        let origin = path
            .as_ref()
            .map_or_else(|| "the environment".into(), |p| p.display().to_string());
        let file = file.openbao.unwrap_or_default();
        let settings = OpenBaoSettings::resolve(&file, &origin, &Surroundings::of_this_process())
            .map_err(|bad| SettingsError::BadOpenBao {
            key: bad.key,
            origin: bad.origin,
            reason: bad.reason,
        })?;
        Some(settings)
    } else {
        None
    };
    let config = StoreConfig {
        choice,
        deadline,
        pass,
        openbao,
    };
    Ok((config, chosen_by))
}

/// The pass store's settings: the file's, else pass's own defaults. A
/// `dir` starting `~/` is under the home folder, as in pass's documentation.
fn pass_settings(file: PassFile, origin: &str) -> Result<PassSettings, SettingsError> {
    let bad = |reason: String| SettingsError::BadPass {
        reason,
        origin: origin.to_owned(),
    };
    let dir = match file.dir {
        None => PassSettings::default_dir(),
        Some(dir) => match dir.strip_prefix("~") {
            Ok(rest) => std::env::home_dir().unwrap_or_default().join(rest),
            Err(_) if dir.is_absolute() => dir,
            Err(_) => {
                return Err(bad(format!(
                    "\"dir\" must be an absolute folder (or start with ~/), not {}",
                    dir.display()
                )));
            }
        },
    };
    let prefix = file
        .prefix
        .unwrap_or_else(|| PassSettings::DEFAULT_PREFIX.into());
    PassSettings::check_prefix(&prefix).map_err(bad)?;
    Ok(PassSettings { dir, prefix })
}

/// The store asked for (for `doctor`).
pub fn store_choice() -> Result<StoreChoice, SettingsError> {
    store_config().map(|config| config.choice)
}

fn read_file() -> Result<(SettingsFile, Option<PathBuf>), SettingsError> {
    let Some(path) = mailcred_core::app_dirs::settings_file() else {
        return Ok((SettingsFile::default(), None));
    };
    // A regular file of at most 1 MiB: a FIFO or device here must not hang
    // or exhaust every `get` (see `read_regular_file`).
    match read_regular_file(&path, 1 << 20) {
        Ok(Some(bytes)) => {
            let file = serde_json::from_slice(&bytes).map_err(|e| SettingsError::Unreadable {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            Ok((file, Some(path)))
        }
        Ok(None) => Ok((SettingsFile::default(), Some(path))),
        Err(e) => Err(SettingsError::Unreadable {
            path,
            reason: e.to_string(),
        }),
    }
}

fn parse_store(name: &str, origin: &str) -> Result<StoreChoice, SettingsError> {
    StoreChoice::compiled_in_by_name(name).map_err(|unknown| SettingsError::UnknownStore {
        unknown,
        origin: origin.to_owned(),
    })
}

fn parse_timeout(value: &str, origin: &str) -> Result<Duration, SettingsError> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|s| (1..=MAX_TIMEOUT_SECONDS).contains(s))
        .map(Duration::from_secs)
        .ok_or_else(|| SettingsError::BadTimeout {
            value: value.to_owned(),
            origin: origin.to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn an_unknown_store_names_where_it_came_from_and_what_is_known() {
        let error = parse_store("memory", STORE_VARIABLE).unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown store \"memory\" (from MAILCRED_STORE); this build knows: \
             secret-service (default), keyutils, pass, openbao"
        );
    }

    #[test]
    fn pass_settings_take_an_absolute_or_home_folder_and_a_relative_prefix() {
        let file = |dir: Option<&str>, prefix: Option<&str>| PassFile {
            dir: dir.map(PathBuf::from),
            prefix: prefix.map(str::to_owned),
        };
        let given = pass_settings(file(Some("/srv/pass"), Some("team/mail")), "test").unwrap();
        assert_eq!(given.dir, PathBuf::from("/srv/pass"));
        assert_eq!(given.prefix, "team/mail");
        let home = pass_settings(file(Some("~/store"), None), "test").unwrap();
        assert_eq!(
            home.dir,
            std::env::home_dir().unwrap_or_default().join("store"),
            "~/ is the home folder, as pass's documentation writes it"
        );
        assert_eq!(home.prefix, PassSettings::DEFAULT_PREFIX);
        for (dir, prefix) in [(Some("relative/store"), None), (None, Some("../up"))] {
            assert!(
                pass_settings(file(dir, prefix), "test").is_err(),
                "{dir:?} {prefix:?} must be refused: it names no folder of its own in the store"
            );
        }
    }

    #[test]
    fn a_timeout_is_whole_seconds_from_one_to_an_hour() {
        assert_eq!(parse_timeout("2", "test").unwrap(), Duration::from_secs(2));
        assert_eq!(
            parse_timeout(" 20 ", "test").unwrap(),
            Duration::from_secs(20)
        );
        for bad in ["0", "-1", "1.5", "3601", "", "soon"] {
            assert!(
                parse_timeout(bad, "test").is_err(),
                "{bad:?} must be refused: no deadline, or a fraction, is not a deadline"
            );
        }
    }
}

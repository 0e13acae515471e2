//! Where the OpenBao store is and how it logs in: settings.json's
//! `"openbao"` object, with the defaults OpenBao's and Vault's own tools
//! use (`BAO_ADDR`, `VAULT_ADDR`, `VAULT_CACERT`, `~/.vault-token`), so
//! that a machine already set up for `bao` needs no more than
//! `{"store": "openbao"}`. Compiled on every platform, as the store is.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// settings.json's `"openbao"`, as written.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenBaoFile {
    address: Option<String>,
    mount: Option<String>,
    prefix: Option<String>,
    token_file: Option<PathBuf>,
    role_id: Option<String>,
    secret_id_file: Option<PathBuf>,
    ca_file: Option<PathBuf>,
}

/// How the companion logs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenBaoAuth {
    /// A token kept in a file (by `bao login`, or an Agent's sink).
    TokenFile(PathBuf),
    /// An AppRole login; the token it gets is cached by the companion.
    AppRole {
        /// The role's id (not a secret on its own, but not shown either).
        role_id: String,
        /// The file holding the secret id.
        secret_id_file: PathBuf,
    },
}

/// The OpenBao store's settings, defaults applied and checked.
#[derive(Clone, PartialEq, Eq)]
pub struct OpenBaoSettings {
    /// The server, `https://host:port`, without a trailing `/`.
    pub address: String,
    /// The KV v2 mount.
    pub mount: String,
    /// mailcred's folder inside the mount.
    pub prefix: String,
    /// How to log in.
    pub auth: OpenBaoAuth,
    /// The CA that signs the server's certificate; `None`: the usual roots.
    pub ca_file: Option<PathBuf>,
}

/// Leaves the role id out: it is half of an AppRole login.
impl std::fmt::Debug for OpenBaoSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let auth = match &self.auth {
            OpenBaoAuth::TokenFile(file) => format!("token file {}", file.display()),
            OpenBaoAuth::AppRole { secret_id_file, .. } => {
                format!("AppRole, secret id in {}", secret_id_file.display())
            }
        };
        f.debug_struct("OpenBaoSettings")
            .field("address", &self.address)
            .field("mount", &self.mount)
            .field("prefix", &self.prefix)
            .field("auth", &auth)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

/// One setting that cannot be used: which key, from where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadSetting {
    /// The key of the `"openbao"` object it concerns.
    pub key: &'static str,
    /// Where the value came from: the settings file, or a variable.
    pub origin: String,
    /// What is wrong, and what to do.
    pub reason: String,
}

/// What the settings read from the process: its variables and home folder
/// (a parameter, so that tests need not change the process's environment).
pub struct Surroundings<'a> {
    /// A variable's value.
    pub var: &'a dyn Fn(&str) -> Option<OsString>,
    /// The home folder.
    pub home: Option<PathBuf>,
}

impl Surroundings<'_> {
    /// This process's.
    pub fn of_this_process() -> Surroundings<'static> {
        Surroundings {
            var: &|name| std::env::var_os(name),
            home: std::env::home_dir(),
        }
    }

    fn non_empty(&self, name: &str) -> Option<String> {
        (self.var)(name)
            .map(|v| v.to_string_lossy().into_owned())
            .filter(|v| !v.is_empty())
    }
}

impl OpenBaoSettings {
    /// The mount when none is configured.
    pub const DEFAULT_MOUNT: &'static str = "secret";
    /// mailcred's folder when none is configured.
    pub const DEFAULT_PREFIX: &'static str = "mailcred";

    /// The settings `file` (from `origin`, the settings file's path) asks
    /// for, completed from `around`.
    pub fn resolve(
        file: &OpenBaoFile,
        origin: &str,
        around: &Surroundings<'_>,
    ) -> Result<Self, BadSetting> {
        let bad = |key, origin: &str, reason: String| BadSetting {
            key,
            origin: origin.to_owned(),
            reason,
        };
        let (address, address_origin) = match &file.address {
            Some(address) => (address.clone(), origin.to_owned()),
            None => ["BAO_ADDR", "VAULT_ADDR"]
                .into_iter()
                .find_map(|name| around.non_empty(name).map(|v| (v, name.to_owned())))
                .ok_or_else(|| {
                    bad(
                        "address",
                        origin,
                        "no server is named: set \"address\" (\"https://bao.example:8200\") in \
                         the \"openbao\" settings, or BAO_ADDR or VAULT_ADDR"
                            .into(),
                    )
                })?,
        };
        let address = check_address(&address).map_err(|r| bad("address", &address_origin, r))?;
        let mount = file.mount.as_deref().unwrap_or(Self::DEFAULT_MOUNT);
        check_path(mount).map_err(|r| bad("mount", origin, r))?;
        let prefix = file.prefix.as_deref().unwrap_or(Self::DEFAULT_PREFIX);
        check_path(prefix).map_err(|r| bad("prefix", origin, r))?;
        let file_path = |key, path: &Path, from: &str| {
            absolute(path, around.home.as_deref()).map_err(|r| bad(key, from, r))
        };
        let auth = match (&file.token_file, &file.role_id, &file.secret_id_file) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(bad(
                    "token_file",
                    origin,
                    "\"token_file\" and AppRole (\"role_id\", \"secret_id_file\") exclude each \
                     other: keep one way to log in"
                        .into(),
                ));
            }
            (None, Some(role_id), Some(secret_id_file)) => {
                if role_id.trim().is_empty() {
                    return Err(bad("role_id", origin, "it is empty".into()));
                }
                OpenBaoAuth::AppRole {
                    role_id: role_id.clone(),
                    secret_id_file: file_path("secret_id_file", secret_id_file, origin)?,
                }
            }
            (None, Some(_), None) => {
                return Err(bad(
                    "secret_id_file",
                    origin,
                    "\"role_id\" needs \"secret_id_file\", the file holding the AppRole's secret id"
                        .into(),
                ));
            }
            (None, None, Some(_)) => {
                return Err(bad(
                    "role_id",
                    origin,
                    "\"secret_id_file\" needs \"role_id\", the AppRole's role id".into(),
                ));
            }
            (Some(token_file), None, None) => {
                OpenBaoAuth::TokenFile(file_path("token_file", token_file, origin)?)
            }
            (None, None, None) => {
                let home = around.home.as_ref().ok_or_else(|| {
                    bad(
                        "token_file",
                        origin,
                        "there is no home folder for the default ~/.vault-token: set \
                         \"token_file\""
                            .into(),
                    )
                })?;
                OpenBaoAuth::TokenFile(home.join(".vault-token"))
            }
        };
        let ca_file = match (&file.ca_file, around.non_empty("VAULT_CACERT")) {
            (Some(path), _) => Some(file_path("ca_file", path, origin)?),
            (None, Some(path)) => Some(file_path("ca_file", Path::new(&path), "VAULT_CACERT")?),
            (None, None) => None,
        };
        Ok(Self {
            address,
            mount: mount.to_owned(),
            prefix: prefix.to_owned(),
            auth,
            ca_file,
        })
    }

    /// The settings of a machine set up for `bao` alone: no settings file.
    pub fn from_environment() -> Result<Self, BadSetting> {
        Self::resolve(
            &OpenBaoFile::default(),
            "the environment",
            &Surroundings::of_this_process(),
        )
    }
}

/// `http(s)://host[:port]`, its trailing `/` dropped. Whether plain http
/// may be used (loopback only) the companion decides, which parses URLs.
fn check_address(address: &str) -> Result<String, String> {
    let trimmed = address.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
            Ok(trimmed.to_owned())
        }
        _ => Err(format!(
            "{address:?} is not a server address like \"https://bao.example:8200\""
        )),
    }
}

/// A mount or prefix: segments of `[A-Za-z0-9._-]` between single `/`,
/// none `.` or `..`, as the companion accepts in keys.
pub(super) fn check_path(path: &str) -> Result<(), String> {
    let fine = !path.is_empty()
        && path.split('/').all(|segment| {
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        });
    if fine {
        Ok(())
    } else {
        Err(format!(
            "{path:?} is not a path like \"mailcred\" or \"mailcred/team\" (letters, digits, \
             '.', '_', '-', and '/' between names)"
        ))
    }
}

/// `path` if absolute, under `home` if it starts with `~/`.
fn absolute(path: &Path, home: Option<&Path>) -> Result<PathBuf, String> {
    match (path.strip_prefix("~"), home) {
        (Ok(rest), Some(home)) => Ok(home.join(rest)),
        (Ok(_), None) => Err(format!(
            "{} is under a home folder this process does not have",
            path.display()
        )),
        (Err(_), _) if path.is_absolute() => Ok(path.to_owned()),
        (Err(_), _) => Err(format!(
            "{} must be an absolute path (or start with ~/)",
            path.display()
        )),
    }
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;

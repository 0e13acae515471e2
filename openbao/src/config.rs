//! The session's first line: where the server is, which part of it is
//! mailcred's, how to authenticate. `mailcred` has already applied the
//! defaults (`BAO_ADDR`, `VAULT_ADDR`, `VAULT_CACERT`, `~/.vault-token`):
//! nothing here is taken from the environment.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use ureq::http::Uri;

use crate::failure::{Failure, Kind};
use crate::key::is_valid_path;

/// The longest any one request may wait when `timeout_ms` is missing.
const DEFAULT_TIMEOUT_MS: u64 = 10_000;
/// The longest `timeout_ms` accepted: ten minutes is longer than anyone
/// waits for a mail password.
const MAX_TIMEOUT_MS: u64 = 600_000;

/// How the companion gets a token.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Auth {
    /// A file holding the token (`~/.vault-token`, an Agent's sink).
    TokenFile(PathBuf),
    /// AppRole: a login with a role id and a secret id read from a file.
    Approle {
        /// The role id (not a secret on its own).
        role_id: String,
        /// The file holding the secret id.
        secret_id_file: PathBuf,
    },
}

/// The configuration, as sent.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct Wire {
    address: String,
    #[serde(default = "default_mount")]
    mount: String,
    #[serde(default = "default_prefix")]
    prefix: String,
    auth: Auth,
    #[serde(default)]
    ca_file: Option<PathBuf>,
    #[serde(default)]
    token_cache_dir: Option<PathBuf>,
    #[serde(default)]
    timeout_ms: Option<u64>,
}

fn default_mount() -> String {
    "secret".into()
}

fn default_prefix() -> String {
    "mailcred".into()
}

/// A checked configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `scheme://host[:port]`, without a trailing slash.
    pub address: String,
    /// The KV v2 mount.
    pub mount: String,
    /// mailcred's folder inside the mount.
    pub prefix: String,
    /// How to get a token.
    pub auth: Auth,
    /// PEM roots to trust instead of the built-in ones.
    pub ca_file: Option<PathBuf>,
    /// Where an AppRole token is cached, if anywhere.
    pub token_cache_dir: Option<PathBuf>,
    /// The longest one request may take, all its server calls together.
    pub timeout: Duration,
}

fn bad(message: impl Into<String>) -> Failure {
    Failure::new(Kind::BadConfig, message)
}

impl Config {
    /// Parses and checks the first line.
    pub fn parse(line: &[u8]) -> Result<Self, Failure> {
        let wire: Wire = serde_json::from_slice(line).map_err(|err| {
            bad(format!(
                "the configuration from mailcred is not usable ({err}); this is a bug in mailcred"
            ))
        })?;
        let address = checked_address(&wire.address)?;
        for (what, value) in [("mount", &wire.mount), ("prefix", &wire.prefix)] {
            if !is_valid_path(value) {
                return Err(bad(format!(
                    "the openbao \"{what}\" {value:?} is not usable: use letters, digits, '.', '_' \
                     and '-', with '/' between parts, in settings.json"
                )));
            }
        }
        if let Auth::Approle { role_id, .. } = &wire.auth
            && (role_id.is_empty() || role_id.chars().any(char::is_control))
        {
            return Err(bad(
                "the openbao \"role_id\" in settings.json is empty or not one line",
            ));
        }
        let timeout_ms = wire.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS);
        if timeout_ms == 0 || timeout_ms > MAX_TIMEOUT_MS {
            return Err(bad(format!(
                "timeout_ms {timeout_ms} is outside 1..={MAX_TIMEOUT_MS}"
            )));
        }
        Ok(Self {
            address,
            mount: wire.mount,
            prefix: wire.prefix,
            auth: wire.auth,
            ca_file: wire.ca_file,
            token_cache_dir: wire.token_cache_dir,
            timeout: Duration::from_millis(timeout_ms),
        })
    }

    /// The server path of `key` in the data tree (`secret/data/mailcred/k`).
    pub fn data_path(&self, key: &str) -> String {
        format!("{}/data/{}/{key}", self.mount, self.prefix)
    }

    /// The server path of `key` in the metadata tree.
    pub fn metadata_path(&self, key: &str) -> String {
        format!("{}/metadata/{}/{key}", self.mount, self.prefix)
    }
}

/// Whether `host` (as a URI shows it) is 127.0.0.0/8, `::1` or `localhost`.
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost"),
    }
}

/// `text` as the server's base address: https anywhere, plain http only to
/// a loopback host (a token sent in clear text across a network is lost),
/// no credentials, no path beyond `/`.
fn checked_address(text: &str) -> Result<String, Failure> {
    let unusable = |why: &str| {
        bad(format!(
            "the openbao address {:?} {why}",
            crate::failure::server_text(text)
        ))
    };
    let uri: Uri = text
        .parse()
        .map_err(|_| unusable("is not a URL (use https://host:8200)"))?;
    let authority = uri
        .authority()
        .ok_or_else(|| unusable("has no host (use https://host:8200)"))?;
    if authority.as_str().contains('@') {
        return Err(unusable("carries a user name or password: remove it"));
    }
    if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
        return Err(unusable(
            "has a path: give only scheme, host and port (the mount goes in \"mount\")",
        ));
    }
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if is_loopback_host(authority.host()) => {}
        Some("http") => {
            return Err(unusable(
                "uses plain http:// to a host that is not a loopback address, which would send \
                 the token in clear text: use https:// (plain http is allowed only for \
                 127.0.0.0/8, ::1 and localhost)",
            ));
        }
        _ => return Err(unusable("is neither https:// nor http://")),
    }
    Ok(format!(
        "{}://{}",
        uri.scheme_str().unwrap_or("https"),
        authority
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(address: &str) -> Result<Config, Failure> {
        Config::parse(
            format!(r#"{{"address":"{address}","auth":{{"token_file":"/t"}}}}"#).as_bytes(),
        )
    }

    #[test]
    fn https_anywhere_and_plain_http_on_loopback_are_accepted() {
        for address in [
            "https://bao.example:8200",
            "https://bao.example:8200/",
            "http://127.0.0.1:8200",
            "http://127.3.4.5:1",
            "http://[::1]:8200",
            "http://LOCALHOST:8200",
        ] {
            let config = config(address).unwrap_or_else(|e| panic!("{address}: {e}"));
            assert!(!config.address.ends_with('/'), "{}", config.address);
        }
    }

    #[test]
    fn plain_http_to_another_host_is_refused_and_says_use_https() {
        for address in [
            "http://bao.example:8200",
            "http://10.0.0.1:8200",
            "http://[::2]:1",
        ] {
            let err = config(address).unwrap_err();
            assert_eq!(err.kind, Kind::BadConfig, "{address}");
            assert!(err.message.contains("use https://"), "{err}");
        }
    }

    #[test]
    fn addresses_with_paths_credentials_or_other_schemes_are_refused() {
        for address in [
            "https://bao.example/v1",
            "https://u:p@bao.example",
            "ftp://bao.example",
            "bao.example:8200",
            "",
        ] {
            assert_eq!(
                config(address).unwrap_err().kind,
                Kind::BadConfig,
                "{address}"
            );
        }
    }

    #[test]
    fn defaults_are_mount_secret_prefix_mailcred_ten_seconds() {
        let config = config("https://b").unwrap();
        assert_eq!(config.data_path("index"), "secret/data/mailcred/index");
        assert_eq!(config.metadata_path("a/b"), "secret/metadata/mailcred/a/b");
        assert_eq!(config.timeout, Duration::from_secs(10));
    }

    #[test]
    fn approle_and_bad_prefixes_are_parsed_and_checked() {
        let approle = Config::parse(
            br#"{"address":"https://b","prefix":"mailcred/team","auth":{"approle":{"role_id":"r","secret_id_file":"/s"}},"timeout_ms":500}"#,
        )
        .unwrap();
        assert!(matches!(approle.auth, Auth::Approle { .. }));
        assert_eq!(approle.timeout, Duration::from_millis(500));
        let bad_prefix =
            Config::parse(br#"{"address":"https://b","prefix":"../x","auth":{"token_file":"/t"}}"#);
        assert_eq!(bad_prefix.unwrap_err().kind, Kind::BadConfig);
        let both = Config::parse(br#"{"address":"https://b","auth":{"token_file":"/t","approle":{"role_id":"r","secret_id_file":"/s"}}}"#);
        assert_eq!(both.unwrap_err().kind, Kind::BadConfig);
    }
}

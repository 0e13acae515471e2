//! The JSON lines mailcred and `mailcred-openbao` exchange (the design
//! note's section 2): the configuration line, one request per line, one
//! answer per line. Secrets travel base64-encoded inside them, so every
//! line that may hold one is built and read in a wiped buffer.

use std::borrow::Cow;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use mailcred_core::terminal::printable;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use super::settings::{OpenBaoAuth, OpenBaoSettings};
use crate::store::{Hint, StoreError};

/// The longest answer line read: a blob of at most 256 KiB in base64,
/// and room for the JSON around it.
pub const MAX_ANSWER_BYTES: usize = 512 << 10;

#[derive(Serialize)]
struct Config<'a> {
    address: &'a str,
    mount: &'a str,
    prefix: &'a str,
    auth: Auth<'a>,
    ca_file: Option<&'a std::path::Path>,
    token_cache_dir: Option<PathBuf>,
    timeout_ms: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Auth<'a> {
    TokenFile(&'a std::path::Path),
    Approle {
        role_id: &'a str,
        secret_id_file: &'a std::path::Path,
    },
}

/// The first line: where the server is, how to log in, and how long any
/// one request to the server may take. An AppRole token is cached in
/// `$XDG_RUNTIME_DIR/mailcred` (a folder in RAM, the user's only), or not
/// at all where there is none.
pub fn config_line(settings: &OpenBaoSettings, timeout: Duration) -> Vec<u8> {
    let (auth, token_cache_dir) = match &settings.auth {
        OpenBaoAuth::TokenFile(file) => (Auth::TokenFile(file), None),
        OpenBaoAuth::AppRole {
            role_id,
            secret_id_file,
        } => (
            Auth::Approle {
                role_id,
                secret_id_file,
            },
            std::env::var_os("XDG_RUNTIME_DIR")
                .filter(|dir| !dir.is_empty())
                .map(|dir| PathBuf::from(dir).join("mailcred")),
        ),
    };
    let config = Config {
        address: &settings.address,
        mount: &settings.mount,
        prefix: &settings.prefix,
        auth,
        ca_file: settings.ca_file.as_deref(),
        token_cache_dir,
        timeout_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
    };
    let mut line = serde_json::to_vec(&config).expect("writing JSON into memory cannot fail");
    line.push(b'\n');
    line
}

/// A request, borrowing what it sends.
#[derive(Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Request<'a> {
    Read {
        key: &'a str,
    },
    Write {
        key: &'a str,
        label: &'a str,
        data: &'a str,
        cas: Option<u64>,
    },
    Delete {
        key: &'a str,
    },
    Ping,
}

fn line_of(request: &Request<'_>, capacity: usize) -> Zeroizing<Vec<u8>> {
    // Reserved up front: a growing Vec would leave unwiped copies behind.
    let mut line = Zeroizing::new(Vec::with_capacity(capacity + 256));
    serde_json::to_writer(&mut *line, request).expect("writing JSON into memory cannot fail");
    line.push(b'\n');
    line
}

/// `{"op":"read","key":KEY}`.
pub fn read(key: &str) -> Zeroizing<Vec<u8>> {
    line_of(&Request::Read { key }, key.len())
}

/// `{"op":"delete","key":KEY}`.
pub fn delete(key: &str) -> Zeroizing<Vec<u8>> {
    line_of(&Request::Delete { key }, key.len())
}

/// `{"op":"ping"}`.
pub fn ping() -> Zeroizing<Vec<u8>> {
    line_of(&Request::Ping, 0)
}

/// `{"op":"write",...}` with `secret` in base64; `cas` as KV v2 takes it.
pub fn write(key: &str, label: &str, secret: &[u8], cas: Option<u64>) -> Zeroizing<Vec<u8>> {
    let mut data = Zeroizing::new(String::with_capacity(secret.len().div_ceil(3) * 4));
    STANDARD.encode_string(secret, &mut data);
    let request = Request::Write {
        key,
        label,
        data: &data,
        cas,
    };
    line_of(&request, data.len() + key.len() + label.len() * 2)
}

/// An answer, its strings borrowed from the wiped line unless JSON escapes
/// made a copy necessary (then the copy is wiped by [`parse`]).
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Wire<'a> {
    Found {
        #[serde(borrow)]
        data: Cow<'a, str>,
        version: u64,
    },
    Absent {
        #[serde(default)]
        version: Option<u64>,
    },
    Written {
        version: u64,
    },
    Deleted {},
    Ready {
        server: String,
        #[serde(default)]
        token_ttl_seconds: Option<u64>,
        #[serde(default)]
        policies: Vec<String>,
    },
    Error {
        kind: String,
        message: String,
        #[serde(default)]
        path: Option<String>,
    },
}

/// What the server said about this session, for `doctor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ready {
    /// Its name and version: `OpenBao 2.7.2`.
    pub server: String,
    /// How long the token has left; `None` or `Some(0)`: it never expires.
    pub token_ttl_seconds: Option<u64>,
    /// The token's policies.
    pub policies: Vec<String>,
}

/// An answer, checked.
#[derive(Debug)]
pub enum Answer {
    /// The secret and its version.
    Found(Zeroizing<Vec<u8>>, u64),
    /// Nothing there; with the version a soft delete left, if any.
    Absent(Option<u64>),
    /// Written as this version.
    Written(u64),
    /// Gone.
    Deleted,
    /// The answer to a ping.
    Ready(Ready),
    /// A failure the companion named.
    Failed(Failure),
}

/// A failure the companion named, as it named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// One of the contract's kinds.
    pub kind: String,
    /// What happened and what to do (never a secret).
    pub message: String,
    /// The server path concerned, if any.
    pub path: Option<String>,
}

/// Reads one answer line (without its newline).
pub fn parse(line: &[u8]) -> Result<Answer, StoreError> {
    let garbage = |why: &str| StoreError::BadAnswer {
        why: format!("{} answered {why}", super::PROGRAM),
        hint: GARBAGE,
    };
    let text = std::str::from_utf8(line).map_err(|_| garbage("bytes that are not UTF-8"))?;
    let wire: Wire<'_> =
        serde_json::from_str(text).map_err(|_| garbage("a line that is not one of its answers"))?;
    Ok(match wire {
        Wire::Found { mut data, version } => {
            let mut secret = Zeroizing::new(Vec::with_capacity(data.len() / 4 * 3 + 3));
            let decoded = STANDARD.decode_vec(data.as_bytes(), &mut secret);
            if let Cow::Owned(copy) = &mut data {
                copy.zeroize();
            }
            decoded.map_err(|_| garbage("a secret that is not base64"))?;
            Answer::Found(secret, version)
        }
        Wire::Absent { version } => Answer::Absent(version),
        Wire::Written { version } => Answer::Written(version),
        Wire::Deleted {} => Answer::Deleted,
        Wire::Ready {
            server,
            token_ttl_seconds,
            policies,
        } => Answer::Ready(Ready {
            server: printable(&server).into_owned(),
            token_ttl_seconds,
            policies: policies.iter().map(|p| printable(p).into_owned()).collect(),
        }),
        Wire::Error {
            kind,
            message,
            path,
        } => Answer::Failed(Failure {
            kind,
            message: printable(&message).into_owned(),
            path: path.map(|p| printable(&p).into_owned()),
        }),
    })
}

const GARBAGE: Hint =
    Hint::new("mailcred-openbao and mailcred must come from the same release; reinstall both");
const UNREACHABLE: Hint = Hint::new(
    "check that the server is running and that \"address\" in the \"openbao\" settings \
     (or BAO_ADDR) names it; `mailcred doctor` shows what mailcred uses",
);
const TRY_AGAIN: Hint = Hint::new("try again in a moment");

impl Failure {
    /// The failure as a store error whose exit status is the contract's
    /// for its kind; `id` names the secret a `cas_mismatch` concerns.
    pub fn into_store_error(self, id: &str) -> StoreError {
        let why = match &self.path {
            Some(path) if !self.message.contains(path.as_str()) => {
                format!("{} (at {path})", self.message)
            }
            _ => self.message,
        };
        match self.kind.as_str() {
            "unreachable" | "sealed" => StoreError::Unavailable {
                why,
                hint: UNREACHABLE,
            },
            "timed_out" | "no_leader" => StoreError::Temporary {
                // The companion's words for a leader election already end so.
                hint: if why.contains("try again") {
                    Hint::NONE
                } else {
                    TRY_AGAIN
                },
                why,
            },
            "denied" => StoreError::Denied {
                why,
                hint: Hint::new("ask whoever keeps the server's policies for that capability"),
            },
            "token_expired" => StoreError::LoginExpired {
                why,
                hint: Hint::NONE,
            },
            "no_token" | "tls_untrusted" | "bad_config" => StoreError::NotSetUp {
                why,
                hint: Hint::NONE,
            },
            "cas_mismatch" => StoreError::Conflict { id: id.to_owned() },
            "bad_answer" => StoreError::BadAnswer {
                why,
                hint: Hint::NONE,
            },
            "bad_request" => StoreError::Failed {
                reason: why,
                hint: Hint::NONE,
            },
            other => StoreError::Failed {
                reason: format!(
                    "{} reported a failure of a kind mailcred does not know ({}): {why}",
                    super::PROGRAM,
                    printable(other)
                ),
                hint: GARBAGE,
            },
        }
    }
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;

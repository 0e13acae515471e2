//! The git credential protocol as it travels over a helper's stdin and stdout.
//!
//! Kept free of I/O beyond byte slices and `Write` so that every rule of the
//! protocol (first `=`, LF-only lines, absent versus empty) can be tested and
//! fuzzed in-process. See `gitcredentials(7)` and `git-credential(1)`.

mod credential;
mod input;
#[cfg(test)]
mod properties;
mod read;
mod write;

pub use credential::Credential;
pub use input::{MAX_REQUEST_BYTES, read_request_bytes};
pub use read::parse;
pub use write::{Answer, unsafe_value, write_request};

/// Why a request was refused.
///
/// Variants name the offending key, never a value: values may be secrets.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    /// A carriage return not directly before a line feed, the trick behind
    /// CVE-2024-52006 and CVE-2020-5260.
    #[error("refusing a credential request with a bare carriage return in line {line}")]
    BareCarriageReturn {
        /// 1-based line number.
        line: usize,
    },
    /// A NUL byte, which C readers would take as the end of the value (CVE-2024-50338).
    #[error("refusing a credential request with a NUL byte in line {line}")]
    Nul {
        /// 1-based line number.
        line: usize,
    },
    /// A line that is not `key=value`.
    #[error("refusing a credential request: line {line} has no '='")]
    MissingEquals {
        /// 1-based line number.
        line: usize,
    },
    /// A value this helper uses that is not UTF-8.
    #[error("refusing a credential request: the value of '{key}' is not valid UTF-8")]
    NotUtf8 {
        /// The key whose value was rejected.
        key: String,
    },
    /// More input than any real request carries.
    #[error("refusing a credential request larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// Reading stdin failed.
    #[error("could not read the credential request from stdin")]
    Io(#[from] std::io::Error),
}

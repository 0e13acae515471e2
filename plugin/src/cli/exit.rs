//! Exit statuses of `mailcred test` and `mailcred send`, after sysexits(3)
//! as msmtp and sendmail use them, and mailcred's own table for accounts
//! and passwords.

use mailcred::accounts::AccountError;
use mailcred::exit;

use crate::Error;

/// Temporary failure: try again later (sysexits `EX_TEMPFAIL`).
pub const TEMPORARY: u8 = 75;
/// The server refused the login (sysexits `EX_NOPERM`).
pub const NO_PERMISSION: u8 = 77;
/// The server or helper broke the protocol (sysexits `EX_PROTOCOL`).
pub const PROTOCOL: u8 = 76;
/// The server refused for good, or cannot be used (sysexits `EX_UNAVAILABLE`).
pub const UNAVAILABLE: u8 = exit::UNAVAILABLE;

/// The exit status for `error`.
pub fn exit_code(error: &Error) -> u8 {
    match error {
        Error::Accounts(AccountError::Corrupt { .. }) => exit::DATA_DAMAGED,
        Error::Accounts(_) => exit::IO_ERROR,
        Error::UnknownAccount { .. } => exit::NO_ACCOUNT,
        Error::PlaintextAccount { .. } | Error::CaFile { .. } | Error::BadCertificate { .. } => {
            exit::CONFIG
        }
        Error::NoHelper => exit::CONFIG,
        Error::HelperRun { .. } => UNAVAILABLE,
        // The helper's own status says why (69 no keyring, 75 locked...).
        Error::HelperFailed { status, .. } => status
            .code()
            .and_then(|c| u8::try_from(c).ok())
            .filter(|c| (64..=78).contains(c))
            .unwrap_or(UNAVAILABLE),
        Error::HelperAnswer { .. } | Error::UnsafeValue { .. } | Error::ReplyTooLarge { .. } => {
            PROTOCOL
        }
        Error::NoPassword { .. } => exit::NO_PASSWORD,
        Error::Authentication { reply, .. } if !reply.is_permanent() => TEMPORARY,
        Error::Authentication { .. } => NO_PERMISSION,
        Error::Tls { .. }
        | Error::NoStartTls { .. }
        | Error::NoAuthMechanism { .. }
        | Error::Unsupported { .. } => UNAVAILABLE,
        Error::Shutdown => exit::SOFTWARE,
        other if other.is_transient() => TEMPORARY,
        _ => UNAVAILABLE,
    }
}

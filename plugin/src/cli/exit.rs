//! Which status of mailcred's one table ([`mailcred_core::exit`]) each
//! failure of `mailcred test` and `mailcred send` exits with: the sending
//! statuses are sysexits(3) as msmtp and sendmail use them.

use mailcred_core::exit::{self, NO_PERMISSION, PROTOCOL, SERVER_UNAVAILABLE, TEMPORARY};

use crate::Error;

/// The exit status for `error`.
pub fn exit_code(error: &Error) -> u8 {
    match error {
        Error::Accounts(e) => e.exit_code(),
        Error::Lookup(e) => e.exit_code(),
        Error::PlaintextAccount { .. } | Error::CaFile { .. } | Error::BadCertificate { .. } => {
            exit::CONFIG
        }
        // An account's values that cannot be used as asked.
        Error::NoSmtpEndpoint { .. } => exit::USAGE,
        // The credential helper is missing or cannot run: an installation problem.
        Error::NoHelper | Error::HelperRun { .. } => exit::CONFIG,
        // The helper's own status says why (80 no keyring, 81 locked...).
        Error::HelperFailed { status, .. } => status
            .code()
            .and_then(|c| u8::try_from(c).ok())
            .filter(|c| *c != exit::SUCCESS && exit::meaning(*c).is_some())
            .unwrap_or(exit::SOFTWARE),
        Error::HelperAnswer { .. } | Error::UnsafeValue { .. } | Error::ReplyTooLarge { .. } => {
            PROTOCOL
        }
        Error::NoPassword { .. } => exit::NO_PASSWORD,
        Error::Authentication { reply, .. } if !reply.is_permanent() => TEMPORARY,
        Error::Authentication { .. } => NO_PERMISSION,
        Error::Tls { .. }
        | Error::NoStartTls { .. }
        | Error::NoAuthMechanism { .. }
        | Error::Unsupported { .. } => SERVER_UNAVAILABLE,
        Error::Shutdown => exit::SOFTWARE,
        other if other.is_transient() => TEMPORARY,
        _ => SERVER_UNAVAILABLE,
    }
}

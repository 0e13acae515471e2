//! Which status of mailcred's one table ([`mailcred_core::exit`]) each
//! failure of `mailcred test` and `mailcred send` exits with: the sending
//! statuses are sysexits(3) as msmtp and sendmail use them.

use mailcred_core::exit::{self, NO_PERMISSION, PROTOCOL, SERVER_UNAVAILABLE, TEMPORARY};

use crate::Error;
use crate::reader::ReadError;

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
        Error::HelperAnswer { .. }
        | Error::AccountAnswer { .. }
        | Error::UnsafeValue { .. }
        | Error::ReplyTooLarge { .. } => PROTOCOL,
        Error::NoPassword { .. } => exit::NO_PASSWORD,
        Error::Authentication { reply, .. } if !reply.is_permanent() => TEMPORARY,
        Error::Authentication { .. } => NO_PERMISSION,
        Error::Tls { .. }
        | Error::NoStartTls { .. }
        | Error::NoAuthMechanism { .. }
        | Error::NoOAuthMechanism { .. }
        | Error::Unsupported { .. } => SERVER_UNAVAILABLE,
        Error::Shutdown => exit::SOFTWARE,
        other if other.is_transient() => TEMPORARY,
        _ => SERVER_UNAVAILABLE,
    }
}

/// The exit status for a failed IMAP or POP3 login check.
pub fn reader_exit_code(error: &ReadError) -> u8 {
    match error {
        ReadError::Local(e) => exit_code(e),
        // An account's values that cannot be used as asked.
        ReadError::Unencrypted { .. } => exit::USAGE,
        ReadError::Refused { .. } if error.is_transient() => TEMPORARY,
        ReadError::Refused { .. } => NO_PERMISSION,
        ReadError::ReplyTooLarge { .. }
        | ReadError::Malformed { .. }
        | ReadError::DataBeforeTls { .. } => PROTOCOL,
        _ if error.is_transient() => TEMPORARY,
        _ => SERVER_UNAVAILABLE,
    }
}

/// The order in which `mailcred test` picks its one exit status when the
/// endpoints of an account failed differently: the first status of this
/// list that any endpoint failed with.
///
/// 1. What stops every endpoint alike, on this machine: no password, the
///    keyring (80, 81), damaged data, configuration (a CA file, the helper
///    missing), bad usage, a file, an internal failure. Nothing else can be
///    learnt until it is fixed.
/// 2. 77: a server refused the login (the password or the endpoint's
///    settings are wrong, or the provider wants something first).
/// 3. 69: a server cannot be used (TLS, STARTTLS, no password login).
/// 4. 76: a server broke its protocol.
/// 5. 75: a temporary failure (the network, a deadline, a server that
///    said later): a retry may clear it, so any lasting failure wins.
///
/// A status not listed comes after these.
pub const TEST_PRECEDENCE: &[u8] = &[
    exit::NO_PASSWORD,
    exit::KEYRING_UNAVAILABLE,
    exit::KEYRING_LOCKED,
    exit::DATA_DAMAGED,
    exit::CONFIG,
    exit::USAGE,
    exit::IO_ERROR,
    exit::SOFTWARE,
    NO_PERMISSION,
    SERVER_UNAVAILABLE,
    PROTOCOL,
    TEMPORARY,
];

/// The one status for failures with `statuses`, by [`TEST_PRECEDENCE`];
/// `None` when nothing failed.
pub fn first_by_precedence(statuses: &[u8]) -> Option<u8> {
    statuses.iter().copied().min_by_key(|status| {
        TEST_PRECEDENCE
            .iter()
            .position(|s| s == status)
            .unwrap_or(TEST_PRECEDENCE.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lasting_failure_wins_over_a_temporary_one_and_the_keyring_over_both() {
        assert_eq!(first_by_precedence(&[]), None);
        assert_eq!(
            first_by_precedence(&[TEMPORARY, NO_PERMISSION, SERVER_UNAVAILABLE]),
            Some(NO_PERMISSION)
        );
        assert_eq!(first_by_precedence(&[TEMPORARY, PROTOCOL]), Some(PROTOCOL));
        assert_eq!(
            first_by_precedence(&[NO_PERMISSION, exit::KEYRING_LOCKED]),
            Some(exit::KEYRING_LOCKED)
        );
    }

    #[test]
    fn the_help_and_man_page_list_the_precedence_in_its_order() {
        let description = mailcred_core::smtp_options::TEST
            .description
            .replace('\n', " ");
        let list = &description[description.find("first of these").expect("the list")..];
        let mut from = 0;
        for status in TEST_PRECEDENCE {
            let at = list[from..]
                .find(&status.to_string())
                .unwrap_or_else(|| panic!("{status} missing or out of order in: {list}"));
            from += at + 2;
        }
    }

    #[test]
    fn every_status_of_the_precedence_is_in_the_table_once() {
        for (i, status) in TEST_PRECEDENCE.iter().enumerate() {
            assert!(
                exit::meaning(*status).is_some(),
                "{status} is no status of ours"
            );
            assert!(
                !TEST_PRECEDENCE[..i].contains(status),
                "{status} is listed twice"
            );
        }
    }
}

//! The exit statuses of every mailcred binary (`mailcred`,
//! `git-credential-mailcred`, `mailcred-smtp`, `mailcred-oauth`): one table,
//! where no status means two things. The README and the man pages print
//! [`TABLE`]; the tests import these constants rather than restate them.
//!
//! The mail-sending statuses are sysexits(3) as sendmail and msmtp use them
//! (a caller that queues mail retries on 75 and gives up on 69); what only a
//! credential helper can report (the keyring, stored data, sign-in) has
//! statuses of its own above sysexits' range.

/// Success, including "no credential found" for git's `get`.
pub const SUCCESS: u8 = 0;
/// A command line that does not parse or cannot be used, or an account whose
/// values no snippet can hold safely (sysexits `EX_USAGE`).
pub const USAGE: u8 = 64;
/// The input on stdin was refused: a credential request (bare CR, NUL,
/// malformed, too large, unscoped erase), a new password, or a message to send.
pub const REFUSED_INPUT: u8 = 65;
/// No such mail account, or none or several answer.
pub const NO_ACCOUNT: u8 = 66;
/// The account has no stored secret.
pub const NO_PASSWORD: u8 = 67;
/// The mail server refused for good or cannot be used: no TLS, no STARTTLS,
/// no usable AUTH mechanism, a permanent refusal (sysexits `EX_UNAVAILABLE`).
pub const SERVER_UNAVAILABLE: u8 = 69;
/// An unexpected internal or keyring failure (sysexits `EX_SOFTWARE`).
pub const SOFTWARE: u8 = 70;
/// An account by that name, or for that server, port and user, already exists.
pub const EXISTS: u8 = 73;
/// A file could not be read or written (sysexits `EX_IOERR`).
pub const IO_ERROR: u8 = 74;
/// A temporary failure: the server said to try later, the network failed
/// or a deadline passed (sysexits `EX_TEMPFAIL`).
pub const TEMPORARY: u8 = 75;
/// The server or the credential helper broke its protocol (sysexits `EX_PROTOCOL`).
pub const PROTOCOL: u8 = 76;
/// The server refused the login (sysexits `EX_NOPERM`).
pub const NO_PERMISSION: u8 = 77;
/// A configuration error: unknown store, no default collection, bad CA file,
/// an account file or index written by a newer mailcred (sysexits `EX_CONFIG`).
pub const CONFIG: u8 = 78;
/// The keyring cannot be reached: no session bus, no Secret Service on it,
/// or it did not answer in time.
pub const KEYRING_UNAVAILABLE: u8 = 80;
/// The keyring is locked: unlock it and try again.
pub const KEYRING_LOCKED: u8 = 81;
/// Stored data is damaged: the index, the account file or a keyring item.
pub const DATA_DAMAGED: u8 = 82;
/// The account must be signed in to again with `mailcred login NAME`: its
/// OAuth refresh token was revoked or has expired, or the identity provider
/// now asks for more (multi-factor authentication) than the token carries.
pub const SIGN_IN_AGAIN: u8 = 83;

/// Every status with its meaning, in order: the source of the README's
/// table and of the man pages' EXIT STATUS sections.
pub const TABLE: &[(u8, &str)] = &[
    (
        SUCCESS,
        "success (also \"no credential found\" for git's get, which git expects)",
    ),
    (
        USAGE,
        "bad command line, or arguments (or an account's values) that cannot be used as asked",
    ),
    (
        REFUSED_INPUT,
        "the input on stdin was refused (credential request, new password, message)",
    ),
    (
        NO_ACCOUNT,
        "no such mail account, or none or several answer",
    ),
    (NO_PASSWORD, "the account has no stored password"),
    (
        SERVER_UNAVAILABLE,
        "the mail server refused for good or cannot be used (TLS, STARTTLS, AUTH)",
    ),
    (SOFTWARE, "unexpected internal or keyring failure"),
    (
        EXISTS,
        "an account by that name, or for that server, port and user, exists",
    ),
    (IO_ERROR, "a file could not be read or written"),
    (
        TEMPORARY,
        "temporary failure: the server said later, the network failed, a deadline passed",
    ),
    (
        PROTOCOL,
        "the mail server or the credential helper broke its protocol",
    ),
    (NO_PERMISSION, "the mail server refused the login"),
    (
        CONFIG,
        "configuration error (unknown store, no default collection, CA file, a file from a newer mailcred)",
    ),
    (
        KEYRING_UNAVAILABLE,
        "the keyring cannot be reached (no session bus, no Secret Service, no answer in time)",
    ),
    (
        KEYRING_LOCKED,
        "the keyring is locked: unlock it and try again",
    ),
    (
        DATA_DAMAGED,
        "stored data is damaged (index, account file, keyring item)",
    ),
    (
        SIGN_IN_AGAIN,
        "sign in again with `mailcred login NAME`: the OAuth refresh token was revoked or expired",
    ),
];

/// The meaning of `status`, if it is one of ours.
pub fn meaning(status: u8) -> Option<&'static str> {
    TABLE.iter().find(|(s, _)| *s == status).map(|(_, m)| *m)
}

/// [`TABLE`] as a Markdown table (the README's).
pub fn markdown_table() -> String {
    let mut out = String::from("| status | meaning |\n| ---: | --- |\n");
    for (status, meaning) in TABLE {
        out.push_str(&format!("| {status} | {meaning} |\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_status_means_two_things() {
        let mut seen = std::collections::HashSet::new();
        for (status, _) in TABLE {
            assert!(seen.insert(status), "status {status} is listed twice");
        }
        assert_eq!(TABLE.len(), 17, "every constant above is in the table");
    }
}

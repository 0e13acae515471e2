//! Why a login check of an IMAP or POP3 server failed, in plain words. No
//! variant ever holds a secret; server lines are quoted made harmless.

use std::time::Duration;

use crate::wire::Oversize;
use crate::{Error, Login, WireError};

use super::ReadProtocol;

/// Why [`ReaderCheck::run`](super::ReaderCheck::run) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The password could not be had (the credential helper failed, or has
    /// none), or a CA file could not be used: the crate's own [`Error`].
    #[error(transparent)]
    Local(#[from] Error),
    /// The endpoint is set to go without TLS, which readers never do.
    #[error(
        "{server} is set to no encryption, and {protocol} passwords are never sent unencrypted: \
         use --security tls or starttls"
    )]
    Unencrypted {
        /// `HOST:PORT`.
        server: String,
        /// The protocol.
        protocol: ReadProtocol,
    },
    /// The server could not be reached, or the connection broke.
    #[error("cannot connect to {server}")]
    Connect {
        /// `HOST:PORT`.
        server: String,
        /// What went wrong.
        #[source]
        source: WireError,
    },
    /// TLS could not be set up or the certificate was not trusted.
    #[error("TLS with {server} failed: {hint}")]
    Tls {
        /// `HOST:PORT`.
        server: String,
        /// What usually causes it.
        hint: &'static str,
        /// What went wrong.
        #[source]
        source: WireError,
    },
    /// Connecting and logging in took longer than the exchange deadline.
    #[error(
        "{server} did not finish connecting and logging in within {limit:?}: the deadline was \
         reached, so the connection was given up"
    )]
    Deadline {
        /// `HOST:PORT`.
        server: String,
        /// The deadline it had.
        limit: Duration,
    },
    /// A reply broke a size limit no server of the protocol comes near.
    #[error(
        "{server} sent {limit}: not an {protocol} server, or something on the path is tampering"
    )]
    ReplyTooLarge {
        /// `HOST:PORT`.
        server: String,
        /// The protocol.
        protocol: ReadProtocol,
        /// The limit it broke.
        limit: Oversize,
    },
    /// The server's words are not the protocol's.
    #[error("{server} does not answer as an {protocol} server: it said \"{line}\"")]
    Malformed {
        /// `HOST:PORT`.
        server: String,
        /// The protocol.
        protocol: ReadProtocol,
        /// What it said.
        line: String,
    },
    /// Bytes arrived after the server agreed to STARTTLS, before TLS.
    #[error(
        "{server} sent more after agreeing to STARTTLS, before TLS began: something on the path \
         is injecting data"
    )]
    DataBeforeTls {
        /// `HOST:PORT`.
        server: String,
    },
    /// The server turned the connection away before any login.
    #[error("{server} turned the connection away: \"{text}\"")]
    Unavailable {
        /// `HOST:PORT`.
        server: String,
        /// What it said.
        text: String,
    },
    /// STARTTLS was required but the server does not offer it.
    #[error(
        "{server} does not offer {}; the password is not sent over an unencrypted connection",
        protocol.starttls()
    )]
    NoStartTls {
        /// `HOST:PORT`.
        server: String,
        /// The protocol.
        protocol: ReadProtocol,
    },
    /// The server refused STARTTLS.
    #[error("{server} refused STARTTLS: \"{text}\"; the password was not sent")]
    StartTlsRefused {
        /// `HOST:PORT`.
        server: String,
        /// What it said.
        text: String,
    },
    /// The server offers no password login this client speaks.
    #[error("{server} offers no password login ({})", protocol.logins())]
    NoLogin {
        /// `HOST:PORT`.
        server: String,
        /// The protocol.
        protocol: ReadProtocol,
    },
    /// The account signs in with OAuth2, and the server does not offer
    /// XOAUTH2.
    #[error(
        "{server} does not offer {protocol} XOAUTH2, the only login an OAuth2 account has: \
         check the account's server and port"
    )]
    NoOAuthLogin {
        /// `HOST:PORT`.
        server: String,
        /// The protocol.
        protocol: ReadProtocol,
    },
    /// The user name or password cannot be written in the only login the
    /// server offers (a line break, or non-ASCII in an IMAP `LOGIN`).
    #[error(
        "the user name or password of {login} holds characters that the only login {server} \
         offers cannot carry",
        server = login.server
    )]
    Unsendable {
        /// Who was to log in.
        login: Login,
    },
    /// The server refused the login.
    #[error(
        "the server refused the login of {login}: \"{text}\". {}",
        if login.oauth { refusal.explain_oauth(*protocol) } else { refusal.explain(*protocol) }
    )]
    Refused {
        /// Who tried to log in.
        login: Login,
        /// The protocol.
        protocol: ReadProtocol,
        /// What the server said.
        text: String,
        /// What that means.
        refusal: Refusal,
    },
}

impl ReadError {
    /// Whether trying again later may help: the network, the deadline, or
    /// a server that said so.
    pub fn is_transient(&self) -> bool {
        match self {
            ReadError::Connect { .. } | ReadError::Deadline { .. } => true,
            ReadError::Refused { refusal, .. } => refusal.is_temporary(),
            _ => false,
        }
    }
}

/// What a refused login means, read from the server's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The user name or password is wrong (`[AUTHENTICATIONFAILED]`,
    /// POP3's `[AUTH]`, or a refusal that says nothing more).
    WrongPassword,
    /// Gmail's "Application-specific password required": the account's own
    /// password was given, or 2-Step Verification is off.
    AppPasswordRequired,
    /// The protocol is turned off in the provider's settings (Gmail's
    /// "not enabled for IMAP use").
    TurnedOff,
    /// The server does not count the connection as secure
    /// (`[PRIVACYREQUIRED]`).
    PrivacyRequired,
    /// The server could not check the login just now (`[UNAVAILABLE]`,
    /// POP3's `[SYS/TEMP]`, `[LOGIN-DELAY]`).
    Temporary,
    /// Another program has the POP3 mailbox open (`[IN-USE]`).
    InUse,
}

impl Refusal {
    /// Whether the server says the refusal is for now only.
    pub fn is_temporary(self) -> bool {
        matches!(self, Refusal::Temporary | Refusal::InUse)
    }

    /// The meaning of the server's refusal `text`.
    pub fn of(text: &str) -> Refusal {
        let lower = text.to_ascii_lowercase();
        if lower.contains("application-specific password required") {
            Refusal::AppPasswordRequired
        } else if lower.contains("not enabled for imap")
            || lower.contains("not enabled for pop")
            || lower.contains("imap access is disabled")
            || lower.contains("pop access is disabled")
            || lower.contains("imap use is disabled")
        {
            Refusal::TurnedOff
        } else if lower.contains("[privacyrequired]") {
            Refusal::PrivacyRequired
        } else if lower.contains("[in-use]") {
            Refusal::InUse
        } else if lower.contains("[unavailable]")
            || lower.contains("[sys/temp]")
            || lower.contains("[login-delay]")
        {
            Refusal::Temporary
        } else {
            Refusal::WrongPassword
        }
    }

    /// What the user should do, in plain words, when the secret was an
    /// OAuth2 access token (refused twice by then: as cached, and fresh
    /// from a refresh). No app-password advice.
    pub fn explain_oauth(self, protocol: ReadProtocol) -> &'static str {
        match (self, protocol) {
            (Refusal::WrongPassword | Refusal::AppPasswordRequired, ReadProtocol::Imap) => {
                "The server did not accept the access token, even a fresh one: it was issued for \
                 the wrong scope or audience (Microsoft 365 wants \
                 https://outlook.office.com/IMAP.AccessAsUser.All, Gmail https://mail.google.com/) \
                 or for another user than this login. Sign in again with the right scopes: \
                 `mailcred login` and the account's name"
            }
            (Refusal::WrongPassword | Refusal::AppPasswordRequired, ReadProtocol::Pop) => {
                "The server did not accept the access token, even a fresh one: it was issued for \
                 the wrong scope or audience (Microsoft 365 wants \
                 https://outlook.office.com/POP.AccessAsUser.All, Gmail https://mail.google.com/) \
                 or for another user than this login. Sign in again with the right scopes: \
                 `mailcred login` and the account's name"
            }
            (Refusal::PrivacyRequired, _) => {
                "The server does not count this connection as secure enough for a login: check \
                 the endpoint's security (tls or starttls) and port"
            }
            (other, protocol) => other.explain(protocol),
        }
    }

    /// What the user should do, in plain words.
    pub fn explain(self, protocol: ReadProtocol) -> &'static str {
        match (self, protocol) {
            (Refusal::WrongPassword, _) => {
                "The user name or app password was not accepted: it may be mistyped, revoked \
                 (Gmail revokes app passwords when the account password changes) or belong to \
                 another user. Create a new app password and store it with `mailcred \
                 set-password`"
            }
            (Refusal::AppPasswordRequired, _) => {
                "Gmail wants an app password: the stored password is the Google account's own \
                 password, or 2-Step Verification is off. Create an app password at \
                 myaccount.google.com/apppasswords and store it with `mailcred set-password`"
            }
            (Refusal::TurnedOff, ReadProtocol::Imap) => {
                "IMAP is turned off in the provider's settings, so no password will work: turn \
                 it on (Gmail: Settings > See all settings > Forwarding and POP/IMAP > IMAP \
                 access), then try again"
            }
            (Refusal::TurnedOff, ReadProtocol::Pop) => {
                "POP is turned off in the provider's settings, so no password will work: turn \
                 it on (Gmail: Settings > See all settings > Forwarding and POP/IMAP > POP \
                 download), then try again"
            }
            (Refusal::PrivacyRequired, _) => {
                "The server does not count this connection as secure enough for a password: \
                 check the endpoint's security (tls or starttls) and port"
            }
            (Refusal::Temporary, _) => {
                "The server could not check the login just now; try again later"
            }
            (Refusal::InUse, _) => {
                "Another program has the mailbox open over POP; try again when it is done"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_refusals_are_told_apart() {
        for (text, refusal) in [
            (
                "[AUTHENTICATIONFAILED] Invalid credentials (Failure)",
                Refusal::WrongPassword,
            ),
            ("[AUTH] Authentication failed.", Refusal::WrongPassword),
            ("LOGIN failed.", Refusal::WrongPassword),
            (
                "[ALERT] Application-specific password required: \
                 https://support.google.com/accounts/answer/185833 (Failure)",
                Refusal::AppPasswordRequired,
            ),
            (
                "[ALERT] Your account is not enabled for IMAP use. Please visit your Gmail \
                 settings page and enable your account for IMAP access. (Failure)",
                Refusal::TurnedOff,
            ),
            (
                "[SYS/PERM] Your account is not enabled for POP access.",
                Refusal::TurnedOff,
            ),
            (
                "[PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) \
                 connections.",
                Refusal::PrivacyRequired,
            ),
            ("[UNAVAILABLE] Internal error", Refusal::Temporary),
            ("[SYS/TEMP] try later", Refusal::Temporary),
            ("[IN-USE] Mailbox locked", Refusal::InUse),
        ] {
            assert_eq!(Refusal::of(text), refusal, "{text}");
        }
    }

    #[test]
    fn only_a_refusal_the_server_calls_temporary_is_worth_a_retry() {
        let login = Login {
            account: Some("work".into()),
            user: "alice".into(),
            server: "imap.example.org:993".into(),
            oauth: false,
        };
        let refused = |text: &str| ReadError::Refused {
            login: login.clone(),
            protocol: ReadProtocol::Imap,
            text: text.into(),
            refusal: Refusal::of(text),
        };
        assert!(!refused("[AUTHENTICATIONFAILED] x").is_transient());
        assert!(refused("[UNAVAILABLE] x").is_transient());
        let message = refused("[AUTHENTICATIONFAILED] Authentication failed.").to_string();
        assert!(
            message.starts_with(
                "the server refused the login of alice on imap.example.org:993 (account work): \
                 \"[AUTHENTICATIONFAILED] Authentication failed.\". The user name or app \
                 password was not accepted"
            ),
            "{message}"
        );
    }

    #[test]
    fn a_refused_token_is_explained_with_the_readers_scope_and_no_app_password() {
        let login = Login {
            account: Some("work".into()),
            user: "alice@contoso.com".into(),
            server: "outlook.office365.com:993".into(),
            oauth: true,
        };
        let text = "[AUTHENTICATIONFAILED] Authentication failed.";
        let message = ReadError::Refused {
            login,
            protocol: ReadProtocol::Imap,
            text: text.into(),
            refusal: Refusal::of(text),
        }
        .to_string();
        assert!(
            message.contains("IMAP.AccessAsUser.All") && message.contains("mailcred login"),
            "{message}"
        );
        assert!(
            !message.contains("app password") && !message.contains("set-password"),
            "{message}"
        );
    }
}

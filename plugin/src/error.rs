//! One error type for the crate. Variants name the account, server, user and
//! recipients, and quote the server; none ever holds a secret.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use mailcred_core::accounts::{AccountError, LookupError};
use mailcred_core::protocol::ProtocolError;

use crate::wire::{Oversize, WireError};
use crate::{Login, Refusal, Reply, explain};

/// Why a transport could not be built, a connection opened or a message sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The mailcred account file could not be read.
    #[error(transparent)]
    Accounts(#[from] AccountError),
    /// No single account answers (the message is mailcred-core's, as for
    /// every lookup).
    #[error(transparent)]
    Lookup(#[from] LookupError),
    /// `mailcred show --json` or `list --json` printed something that is
    /// not an account (a `mailcred` of another version?).
    #[error(
        "`mailcred {action}` gave an answer that is not mailcred accounts ({why}); check that mailcred and mailcred-lettre are the same version"
    )]
    AccountAnswer {
        /// `show` or `list`.
        action: &'static str,
        /// What the parser said (a position, never the answer).
        why: String,
    },
    /// The account is set to `none-dangerous` and a safe constructor was used.
    #[error(
        "mail account \"{name}\" is set to --security none-dangerous: its password would cross the network unencrypted; use the `_dangerous` constructor to accept that"
    )]
    PlaintextAccount {
        /// The account.
        name: String,
    },
    /// The account only reads mail: it has no SMTP endpoint to send through.
    #[error(
        "mail account \"{name}\" only reads mail (it has no SMTP endpoint): there is no server to send through; add an account with an SMTP server"
    )]
    NoSmtpEndpoint {
        /// The account.
        name: String,
    },
    /// A CA certificate file could not be read.
    #[error("cannot read the CA certificate {}", path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A CA certificate is not a PEM certificate rustls accepts.
    #[error("the CA certificate {what} is not a usable PEM certificate: {why}")]
    BadCertificate {
        /// Where it came from.
        what: String,
        /// What is wrong with it.
        why: String,
    },
    /// The credential helper setting is empty.
    #[error("no credential helper given: an empty helper runs nothing")]
    NoHelper,
    /// The credential helper could not be started or talked to.
    #[error("cannot run the credential helper `{helper}` for {action}")]
    HelperRun {
        /// The helper as configured.
        helper: String,
        /// `get`, `store` or `erase`.
        action: &'static str,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The credential helper exited with a failure.
    #[error("the credential helper `{helper}` failed on {action} ({status}); its message is above")]
    HelperFailed {
        /// The helper as configured.
        helper: String,
        /// `get`, `store` or `erase`.
        action: &'static str,
        /// Its exit status.
        status: std::process::ExitStatus,
    },
    /// The credential helper's answer is not the git credential protocol.
    #[error("the credential helper `{helper}` gave an answer that cannot be used")]
    HelperAnswer {
        /// The helper as configured.
        helper: String,
        /// What was wrong with it.
        #[source]
        source: ProtocolError,
    },
    /// A value for the helper would break the protocol's line structure.
    #[error("cannot ask the credential helper: the {key} contains a line break or NUL")]
    UnsafeValue {
        /// The field concerned.
        key: &'static str,
    },
    /// The helper answered without a password.
    #[error(
        "no password for {login} from the credential helper `{helper}`{}",
        no_password_hint(login)
    )]
    NoPassword {
        /// Who was to log in.
        login: Login,
        /// The helper as configured.
        helper: String,
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
    /// STARTTLS was required but the server does not offer it.
    #[error(
        "{server} does not offer STARTTLS; the password is not sent over an unencrypted connection"
    )]
    NoStartTls {
        /// `HOST:PORT`.
        server: String,
    },
    /// The server offers neither AUTH PLAIN nor AUTH LOGIN.
    #[error("{server} offers no password login (AUTH PLAIN or LOGIN)")]
    NoAuthMechanism {
        /// `HOST:PORT`.
        server: String,
    },
    /// The account signs in with OAuth2, and the server does not offer
    /// AUTH XOAUTH2.
    #[error(
        "{server} does not offer AUTH XOAUTH2, the only login an OAuth2 account has (its token \
         is no password): check the account's server and port"
    )]
    NoOAuthMechanism {
        /// `HOST:PORT`.
        server: String,
    },
    /// The server refused the login.
    #[error(
        "the server refused the login of {login}: \"{reply}\"{}",
        explanation_suffix(login, reply)
    )]
    Authentication {
        /// Who tried to log in.
        login: Login,
        /// What the server said.
        reply: Reply,
    },
    /// The server refused the envelope sender (`MAIL FROM`).
    #[error("the server refused the sender {sender}: \"{reply}\"; nothing was sent")]
    SenderRefused {
        /// The address, or `<>`.
        sender: String,
        /// What the server said.
        reply: Reply,
    },
    /// The server refused some recipients: the message was sent to nobody.
    #[error("{}", refusals(refused, *total))]
    RecipientsRefused {
        /// Each refused recipient with the server's reply.
        refused: Vec<Refusal>,
        /// How many recipients the message had.
        total: usize,
    },
    /// The server refused the message itself (too large, spam, policy).
    #[error("the server refused the message: \"{reply}\"; it was not sent")]
    MessageRefused {
        /// What the server said.
        reply: Reply,
    },
    /// The SMTP conversation failed in a way not covered above.
    #[error("the SMTP conversation with {server} failed")]
    Smtp {
        /// `HOST:PORT`.
        server: String,
        /// What went wrong.
        #[source]
        source: WireError,
    },
    /// The server's reply broke a size limit that no SMTP server comes near
    /// (see [`Oversize`]): the client stopped reading at the limit rather
    /// than hold whatever was sent.
    #[error(
        "the server {server} sent {limit}: not an SMTP server, or something on the path is tampering"
    )]
    ReplyTooLarge {
        /// `HOST:PORT`.
        server: String,
        /// The limit it broke.
        limit: Oversize,
    },
    /// An exchange with the server (connecting and logging in, or one
    /// message) took longer than the transport's
    /// [`exchange_timeout`](crate::MailcredTransportBuilder::exchange_timeout),
    /// however steadily the server kept sending.
    #[error(
        "{server} did not finish {exchange} within {limit:?}: the deadline was reached, so the \
         connection was given up (the server is too slow, or something on the path holds the \
         connection)"
    )]
    Deadline {
        /// `HOST:PORT`.
        server: String,
        /// The exchange.
        exchange: Exchange,
        /// The deadline it had.
        limit: Duration,
    },
    /// The server lacks an SMTP extension the message needs.
    #[error("{server} does not support {need}; the message was not sent")]
    Unsupported {
        /// `HOST:PORT`.
        server: String,
        /// The extension, and why it is needed.
        need: &'static str,
    },
    /// The transport was shut down.
    #[error("the transport has been shut down")]
    Shutdown,
}

impl Error {
    /// The server's reply, for failures the server stated.
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            Error::Authentication { reply, .. }
            | Error::SenderRefused { reply, .. }
            | Error::MessageRefused { reply } => Some(reply),
            Error::RecipientsRefused { refused, .. } => refused.first().map(|r| &r.reply),
            _ => None,
        }
    }

    /// Whether retrying later may help: a temporary (4xx) reply, a network
    /// failure or a timeout. A permanent refusal is not worth a retry.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Connect { .. } | Error::Deadline { .. } => true,
            Error::Smtp { source, .. } => source.is_transient(),
            Error::ReplyTooLarge { .. } => false,
            Error::RecipientsRefused { refused, .. } => {
                refused.iter().all(|r| !r.reply.is_permanent())
            }
            _ => self.reply().is_some_and(|r| !r.is_permanent()),
        }
    }

    /// The plain-words explanation of a well-known authentication failure.
    pub fn explanation(&self) -> Option<&'static str> {
        match self {
            Error::Authentication { login, reply } => explain::authentication(reply, login.oauth),
            _ => None,
        }
    }
}

/// The part of the work an exchange deadline bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Exchange {
    /// Connecting, the greeting, EHLO, TLS and AUTH (the wait for the
    /// credential helper does not count).
    Login,
    /// One message: `MAIL FROM` to the reply after its data.
    Message,
}

impl fmt::Display for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Exchange::Login => "connecting and logging in",
            Exchange::Message => "taking the message",
        })
    }
}

fn explanation_suffix(login: &Login, reply: &Reply) -> String {
    explain::authentication(reply, login.oauth).map_or_else(String::new, |e| format!(". {e}"))
}

fn no_password_hint(login: &Login) -> String {
    match (&login.account, login.oauth) {
        (Some(account), true) => format!("; sign in with `mailcred login {account}`"),
        (Some(account), false) => format!("; store one with `mailcred set-password {account}`"),
        (None, _) => "; `mailcred add` stores one for a mail account".into(),
    }
}

fn refusals(refused: &[Refusal], total: usize) -> String {
    let list = refused
        .iter()
        .map(|r| format!("{} (\"{}\")", r.recipient, r.reply))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "the server refused {} of {total} recipients, so the message was sent to nobody: {list}",
        refused.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_every_refused_recipient_and_says_nothing_was_sent() {
        let error = Error::RecipientsRefused {
            refused: vec![
                Refusal {
                    recipient: "bob@example.org".into(),
                    reply: Reply::new(550, "5.1.1 Recipient rejected"),
                },
                Refusal {
                    recipient: "eve@example.org".into(),
                    reply: Reply::new(550, "5.1.1 Recipient rejected"),
                },
            ],
            total: 3,
        };
        assert_eq!(
            error.to_string(),
            "the server refused 2 of 3 recipients, so the message was sent to nobody: \
             bob@example.org (\"550 5.1.1 Recipient rejected\"), \
             eve@example.org (\"550 5.1.1 Recipient rejected\")"
        );
        assert!(!error.is_transient(), "a 550 is permanent");
    }

    #[test]
    fn an_authentication_failure_names_the_account_and_quotes_the_server() {
        let error = Error::Authentication {
            login: Login {
                account: Some("work".into()),
                user: "alice@contoso.com".into(),
                server: "smtp.office365.com:587".into(),
                oauth: false,
            },
            reply: Reply::new(
                535,
                "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
            ),
        };
        let message = error.to_string();
        assert!(
            message.starts_with(
                "the server refused the login of alice@contoso.com on smtp.office365.com:587 \
                 (account work): \"535 5.7.139 Authentication unsuccessful, \
                 SmtpClientAuthentication is disabled for the Tenant.\". SMTP AUTH is disabled"
            ),
            "{message}"
        );
    }

    #[test]
    fn an_oauth_account_without_a_token_is_told_to_sign_in_not_to_set_a_password() {
        let login = |oauth| Login {
            account: Some("work".into()),
            user: "alice@contoso.com".into(),
            server: "smtp.office365.com:587".into(),
            oauth,
        };
        let none = |oauth| {
            Error::NoPassword {
                login: login(oauth),
                helper: "mailcred".into(),
            }
            .to_string()
        };
        assert!(
            none(true).ends_with("sign in with `mailcred login work`"),
            "{}",
            none(true)
        );
        assert!(
            none(false).contains("mailcred set-password work"),
            "{}",
            none(false)
        );
    }
}

//! A [lettre] SMTP transport whose password comes from [mailcred], the
//! helper that keeps mail app passwords in the operating system's keyring.
//!
//! ```no_run
//! use lettre::{Message, Transport};
//! use mailcred_lettre::MailcredTransport;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Server, port, security and user from `mailcred add work ...`;
//! // the password from `git-credential-mailcred`, when a connection opens.
//! let mailer = MailcredTransport::account("work")?.build()?;
//! let message = Message::builder()
//!     .from("Alice <alice@example.org>".parse()?)
//!     .to("bob@example.org".parse()?)
//!     .subject("Hello")
//!     .body(String::from("Sent with an app password from the keyring."))?;
//! mailer.send(&message)?;
//! # Ok(())
//! # }
//! ```
//!
//! # What it does
//!
//! - **Credentials when a connection opens.** Each new connection runs the
//!   credential helper (`git-credential-mailcred get` by default, or any
//!   helper named as git's `credential.helper` names one: see
//!   [`CredentialHelper`]) once TLS is up. Connections are pooled, so a
//!   thousand messages cost one helper call, and a password changed with
//!   `mailcred set-password` is used by the next new connection.
//! - **Tells the helper how it went.** `store` after the server accepted
//!   the login; `erase` only after `535` (wrong password; not `535 5.7.139`,
//!   Microsoft 365's "SMTP AUTH is disabled"). A refused recipient (`550`)
//!   or message (`552`) erases nothing.
//! - **OAuth2 accounts.** For an account that signs in with OAuth2
//!   (`mailcred add --auth oauth2`; [`oauth2`](MailcredTransportBuilder::oauth2)
//!   for a transport made by hand) the helper's `password` is an access
//!   token, sent with `AUTH XOAUTH2` and never as a password. A token
//!   refused with `535` is erased (mailcred's helper then drops only the
//!   cached access token, never the refresh token), asked for again, which
//!   refreshes it, and tried once more: one refresh per login, never a loop.
//! - **TLS with certificate checks.** [`relay`](MailcredTransport::relay)
//!   (TLS from the first byte) and
//!   [`starttls_relay`](MailcredTransport::starttls_relay) (STARTTLS,
//!   required) check the server's certificate against Mozilla's roots, and
//!   against a CA certificate added with
//!   [`add_root_certificate_file`](MailcredTransportBuilder::add_root_certificate_file)
//!   for a self-signed server. No encryption at all is
//!   [`builder_dangerous`](MailcredTransport::builder_dangerous). TLS is
//!   rustls (with *ring*): no OpenSSL.
//! - **All recipients or none.** A message goes out only when the server
//!   accepted every recipient; otherwise [`Error::RecipientsRefused`] lists
//!   each refused one with the server's reply, and nothing was sent.
//! - **Bounded by what SMTP needs.** A reply line over 4 KiB or a reply of
//!   over 128 lines is refused where it stands ([`Error::ReplyTooLarge`]),
//!   so no server, nor anyone on the path before STARTTLS, can fill the
//!   memory; and each exchange (the login; each message) has a deadline as a
//!   whole ([`exchange_timeout`](MailcredTransportBuilder::exchange_timeout),
//!   [`Error::Deadline`]) beside the [`timeout`](MailcredTransportBuilder::timeout)
//!   of each wait, so a server trickling bytes cannot hold a caller forever.
//!   The SMTP connection is this crate's own for that (lettre's cannot be
//!   bounded); lettre keeps the messages, commands and reply parsing.
//! - **Errors in plain words.** [`Error`] names the account, server and
//!   user, quotes the server, and explains well-known replies such as
//!   `535 5.7.139` (SMTP AUTH disabled for a Microsoft 365 tenant or
//!   mailbox) and `534 5.7.9` (Gmail wants an app password).
//!
//! # Secrets
//!
//! The password travels from the helper's stdout into a buffer that is
//! wiped when dropped, and is kept as a [`secrecy::SecretString`]. lettre's
//! `Credentials` hold plain `String`s, cloned into each AUTH command: that
//! copy is made just before `AUTH` and dropped as soon as the login is
//! over, but lettre frees it without wiping it. The password is never kept
//! for the life of the transport: only open connections are.
//!
//! # Features
//!
//! - `async`: [`AsyncMailcredTransport`], lettre's `AsyncTransport` on
//!   tokio (with `tokio1-rustls-tls`).
//!
//! The `mailcred-smtp` binary of this crate is what `mailcred test` and
//! `mailcred send` run: see the README.
//!
//! [lettre]: https://lettre.rs
//! [mailcred]: https://docs.rs/mailcred

#[doc(hidden)]
pub mod account_source;
#[cfg(feature = "async")]
mod async_transport;
mod builder;
pub mod cli;
mod error;
mod explain;
mod helper;
mod login;
mod pool;
pub mod reader;
mod reply;
pub mod sendmail;
#[cfg(test)]
mod token_retry_tests;
mod transaction;
mod transport;
mod wire;

#[cfg(feature = "async")]
pub use async_transport::AsyncMailcredTransport;
pub use builder::{
    DEFAULT_EXCHANGE_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS, DEFAULT_TIMEOUT,
    MailcredTransportBuilder,
};
pub use error::{Error, Exchange};
pub use helper::CredentialHelper;
pub use reply::{Login, Refusal, Reply};
pub use transport::MailcredTransport;
pub use wire::{Oversize, WireError};

/// lettre itself, so users need not match its version by hand.
pub use lettre;
/// The mailcred account types ([`Security`](mailcred_core::accounts::Security),
/// [`Account`](mailcred_core::accounts::Account)) used by the builder.
pub use mailcred_core::accounts;

//! Building a transport: where to connect, how to protect the connection,
//! whom to log in as and which credential helper to ask.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use lettre::transport::smtp::extension::ClientId;
use mailcred_core::accounts::{Account, Security};
use mailcred_core::private_files::read_regular_file;
use rustls::pki_types::CertificateDer;

/// The largest CA file read: Mozilla's whole bundle is about 200 KB.
const MAX_CA_FILE_BYTES: u64 = 4 << 20;

use crate::login::Settings;
use crate::wire::{self, Tls, WireError};
use crate::{CredentialHelper, Error, Login, MailcredTransport};

/// How long one wait for the server (one read or write) may take before the
/// connection is given up.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// How long one exchange with the server may take as a whole: connecting
/// and logging in, or one message. Long enough for a large message over a
/// slow link; short enough that a server trickling a byte now and then
/// cannot hold the program waiting on it for good.
pub const DEFAULT_EXCHANGE_TIMEOUT: Duration = Duration::from_secs(300);
/// How many connections a transport keeps open at most (in use and idle).
pub const DEFAULT_MAX_CONNECTIONS: usize = 10;
/// How long an idle connection is kept before it is closed.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Settings for a [`MailcredTransport`] (or, with the `async` feature, an
/// [`AsyncMailcredTransport`](crate::AsyncMailcredTransport)).
///
/// Made by [`MailcredTransport::account`], [`MailcredTransport::relay`],
/// [`MailcredTransport::starttls_relay`] or the `_dangerous` constructors;
/// every connection it makes is TLS with certificate checks unless a
/// constructor with `dangerous` in its name was used.
#[derive(Debug, Clone)]
pub struct MailcredTransportBuilder {
    account: Option<String>,
    host: String,
    port: u16,
    security: Security,
    user: String,
    helper: CredentialHelper,
    roots: Vec<CertificateDer<'static>>,
    timeout: Option<Duration>,
    exchange_timeout: Option<Duration>,
    hello: ClientId,
    max_connections: usize,
    idle_timeout: Duration,
    approve_and_reject: bool,
    oauth: bool,
}

impl MailcredTransportBuilder {
    fn new(host: &str, security: Security, user: &str) -> Self {
        Self {
            account: None,
            host: host.to_owned(),
            port: security.default_port(),
            security,
            user: user.to_owned(),
            helper: CredentialHelper::mailcred(),
            roots: Vec::new(),
            timeout: Some(DEFAULT_TIMEOUT),
            exchange_timeout: Some(DEFAULT_EXCHANGE_TIMEOUT),
            hello: ClientId::default(),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            approve_and_reject: true,
            oauth: false,
        }
    }

    /// TLS from the first byte (port 465 unless [`port`](Self::port) says otherwise).
    pub fn relay(host: &str, user: &str) -> Self {
        Self::new(host, Security::Tls, user)
    }

    /// A plain connection upgraded with STARTTLS, which is required
    /// (port 587 unless [`port`](Self::port) says otherwise).
    pub fn starttls_relay(host: &str, user: &str) -> Self {
        Self::new(host, Security::Starttls, user)
    }

    /// No encryption at all: the password crosses the network in clear
    /// text (port 25 unless [`port`](Self::port) says otherwise). Only for
    /// a relay on this machine.
    pub fn builder_dangerous(host: &str, user: &str) -> Self {
        Self::new(host, Security::NoneDangerous, user)
    }

    /// The mailcred account `name` from the account file, or from
    /// `mailcred` for a store that keeps the accounts (server, port,
    /// security, user). An account set to `none-dangerous` is refused: see
    /// [`account_dangerous`](Self::account_dangerous).
    pub fn account(name: &str) -> Result<Self, Error> {
        Self::from_account(&read_account(name)?)
    }

    /// Like [`account`](Self::account), but also accepts an account set to
    /// `none-dangerous`, whose password then crosses the network unencrypted.
    pub fn account_dangerous(name: &str) -> Result<Self, Error> {
        Self::from_account_dangerous(&read_account(name)?)
    }

    /// A mailcred account already read: its SMTP endpoint. Refuses
    /// `none-dangerous`, and an account that only reads mail.
    pub fn from_account(account: &Account) -> Result<Self, Error> {
        let builder = Self::from_account_dangerous(account)?;
        if builder.security == Security::NoneDangerous {
            return Err(Error::PlaintextAccount {
                name: account.name.clone(),
            });
        }
        Ok(builder)
    }

    /// A mailcred account already read, whatever its SMTP endpoint's
    /// security. Refuses an account that only reads mail.
    pub fn from_account_dangerous(account: &Account) -> Result<Self, Error> {
        let smtp = account.smtp.as_ref().ok_or_else(|| Error::NoSmtpEndpoint {
            name: account.name.clone(),
        })?;
        let mut builder = Self::new(&smtp.host, smtp.security, account.login_at(smtp));
        builder.port = smtp.port;
        builder.account = Some(account.name.clone());
        builder.oauth = account.is_oauth();
        Ok(builder)
    }

    /// The login sent to the server (usually the e-mail address).
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The port to connect to.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The credential helper to ask; `git-credential-mailcred` on `PATH`
    /// by default.
    pub fn credential_helper(mut self, helper: CredentialHelper) -> Self {
        self.helper = helper;
        self
    }

    /// Also trusts the CA certificate(s) in `pem`, beside Mozilla's roots:
    /// for a server with a self-signed or private-CA certificate. The
    /// server's name is still checked against its certificate.
    pub fn add_root_certificate_pem(self, pem: &[u8]) -> Result<Self, Error> {
        self.add_root(pem, "given".into())
    }

    /// [`add_root_certificate_pem`](Self::add_root_certificate_pem) with the
    /// contents of a PEM file.
    pub fn add_root_certificate_file(mut self, path: impl AsRef<Path>) -> Result<Self, Error> {
        self.roots.extend(roots_from_file(path.as_ref())?);
        Ok(self)
    }

    /// Adds the certificate(s) in `pem`; `what` names them in the error.
    fn add_root(mut self, pem: &[u8], what: String) -> Result<Self, Error> {
        self.roots.extend(roots_from_pem(pem, what)?);
        Ok(self)
    }

    /// How long one wait for the server (one read or one write) may take;
    /// `None` waits forever. See also [`exchange_timeout`](Self::exchange_timeout).
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long one exchange may take as a whole, however steadily the
    /// server keeps sending: connecting, TLS and the login (not counting
    /// the wait for the credential helper) are one exchange, and each
    /// message is one. Past it the connection is closed and the error is
    /// [`Error::Deadline`]. `None` leaves only the [`timeout`](Self::timeout)
    /// of each wait.
    pub fn exchange_timeout(mut self, limit: Option<Duration>) -> Self {
        self.exchange_timeout = limit;
        self
    }

    /// The name sent with `EHLO`.
    pub fn hello_name(mut self, name: ClientId) -> Self {
        self.hello = name;
        self
    }

    /// How many connections may be open at once, in use or idle (at least 1).
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// How long an idle connection is kept open for the next message.
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.idle_timeout = idle;
        self
    }

    /// Whether to tell the helper how each login went, as git does: `store`
    /// after the server accepted it, `erase` after `535`. On by default;
    /// off, the helper is only asked (`get`).
    pub fn approve_and_reject(mut self, tell: bool) -> Self {
        self.approve_and_reject = tell;
        self
    }

    /// Whether the helper's `password` is an OAuth2 access token rather
    /// than a password: then the login is `AUTH XOAUTH2` (and nothing else),
    /// and a `535` refusal makes one `erase` carrying the refused token (for
    /// mailcred's helper that drops only the cached access token, never the
    /// refresh token), one `get` (which refreshes) and one retry, whether
    /// or not [`approve_and_reject`](Self::approve_and_reject) is on.
    /// [`account`](Self::account) sets it from the account file
    /// (`mailcred add --auth oauth2`); off for the other constructors.
    pub fn oauth2(mut self, token: bool) -> Self {
        self.oauth = token;
        self
    }

    /// The blocking transport.
    pub fn build(self) -> Result<MailcredTransport, Error> {
        Ok(MailcredTransport::from_settings(self.settings()?))
    }

    /// The tokio transport.
    #[cfg(feature = "async")]
    pub fn build_async(self) -> Result<crate::AsyncMailcredTransport, Error> {
        Ok(crate::AsyncMailcredTransport::from_settings(
            self.settings()?,
        ))
    }

    fn settings(self) -> Result<Arc<Settings>, Error> {
        let server = format!("{}:{}", self.host, self.port);
        let tls = match self.security {
            Security::NoneDangerous => None,
            Security::Starttls | Security::Tls => {
                Some(Tls::new(&self.host, &self.roots).map_err(|e| Error::Tls {
                    server: server.clone(),
                    hint: "the TLS settings could not be made for this host and these \
                               certificates",
                    source: WireError::Tls(std::io::Error::other(e)),
                })?)
            }
        };
        Ok(Arc::new(Settings {
            login: Login {
                account: self.account,
                user: self.user,
                server,
                oauth: self.oauth,
            },
            host: self.host,
            port: self.port,
            security: self.security,
            helper: self.helper,
            tls,
            timeout: self.timeout,
            exchange_timeout: self.exchange_timeout,
            hello: self.hello,
            max_connections: self.max_connections,
            idle_timeout: self.idle_timeout,
            approve_and_reject: self.approve_and_reject,
        }))
    }
}

/// The CA certificates of a PEM file, read as a regular file of bounded
/// size: a CA bundle is a few hundred kilobytes, and a FIFO or device must
/// not hang or exhaust the program.
pub(crate) fn roots_from_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    let pem = read_regular_file(path, MAX_CA_FILE_BYTES)
        .and_then(|pem| pem.ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound)))
        .map_err(|source| Error::CaFile {
            path: path.to_owned(),
            source,
        })?;
    roots_from_pem(&pem, path.display().to_string())
}

/// The certificates in `pem`; `what` names them in the error.
fn roots_from_pem(pem: &[u8], what: String) -> Result<Vec<CertificateDer<'static>>, Error> {
    wire::roots_from_pem(pem).map_err(|why| Error::BadCertificate { what, why })
}

fn read_account(name: &str) -> Result<Account, Error> {
    crate::account_source::account(name)
}

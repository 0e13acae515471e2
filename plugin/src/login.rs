//! What every new connection does, sync or async alike: connect and
//! encrypt, ask the helper for the password, log in, then tell the helper
//! how it went.

use std::fmt;
use std::time::{Duration, Instant};

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::extension::ClientId;
use mailcred_core::accounts::Security;
use mailcred_core::protocol::Credential;
use secrecy::{ExposeSecret, SecretString};

use crate::error::Exchange;
use crate::helper::{smtp_request, with_password};
use crate::wire::{Clock, Connection, Io, Tls, WireError};
use crate::{CredentialHelper, Error, Login, explain};

/// The mechanisms tried, in this order: both send the password as it is,
/// which TLS protects.
pub(crate) const MECHANISMS: &[Mechanism] = &[Mechanism::Plain, Mechanism::Login];
/// The one mechanism of an OAuth2 account: an access token sent as a
/// password (PLAIN) would be refused by every provider, and a password
/// server must not see the token.
pub(crate) const OAUTH_MECHANISMS: &[Mechanism] = &[Mechanism::Xoauth2];

/// How a login went, when it did not fail for good.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LoggedIn {
    /// The server accepted it.
    Yes,
    /// An OAuth2 access token was refused for the first time: the helper
    /// was told `erase` with it, so the next `get` refreshes it; log in
    /// once more on a new connection.
    RetryWithNewToken,
}

/// A built transport's fixed settings, shared by its connections.
pub(crate) struct Settings {
    pub login: Login,
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub helper: CredentialHelper,
    /// `None` only for `Security::NoneDangerous`.
    pub tls: Option<Tls>,
    /// The longest wait for one read or write.
    pub timeout: Option<Duration>,
    /// The longest a login, or one message, may take as a whole.
    pub exchange_timeout: Option<Duration>,
    pub hello: ClientId,
    pub max_connections: usize,
    pub idle_timeout: Duration,
    /// Tell the helper `store` and `erase`.
    pub approve_and_reject: bool,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("login", &self.login)
            .field("security", &self.security.name())
            .field("helper", &self.helper.spec())
            .field("timeout", &self.timeout)
            .field("exchange_timeout", &self.exchange_timeout)
            .field("max_connections", &self.max_connections)
            .field("idle_timeout", &self.idle_timeout)
            .field("approve_and_reject", &self.approve_and_reject)
            .finish_non_exhaustive()
    }
}

/// A password from the helper, for one login.
pub(crate) struct Filled {
    /// The request, with the username the helper answered.
    request: Credential,
    password: SecretString,
}

impl Filled {
    /// lettre's credentials. lettre keeps them as plain `String`s, and
    /// clones them into each AUTH command: those copies are freed, not
    /// wiped. They live only until the AUTH exchange is over.
    pub(crate) fn credentials(&self) -> Credentials {
        let user = self.request.username.clone().unwrap_or_default();
        Credentials::new(user, self.password.expose_secret().to_owned())
    }
}

impl Settings {
    /// `HOST:PORT`.
    pub(crate) fn server(&self) -> &str {
        &self.login.server
    }

    /// When an exchange starting now must be over.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.exchange_timeout.map(|limit| Instant::now() + limit)
    }

    /// The TLS settings when the connection is TLS from the first byte.
    pub(crate) fn wrapper_tls(&self) -> Option<&Tls> {
        match self.security {
            Security::Tls => self.tls.as_ref(),
            Security::Starttls | Security::NoneDangerous => None,
        }
    }

    /// The TLS settings when STARTTLS is required.
    pub(crate) fn starttls(&self) -> Option<&Tls> {
        match self.security {
            Security::Starttls => self.tls.as_ref(),
            Security::Tls | Security::NoneDangerous => None,
        }
    }

    /// Asks the helper for the password, once per new connection.
    pub(crate) fn fill(&self) -> Result<Filled, Error> {
        let request = smtp_request(&self.login.server, &self.login.user);
        let answer = self.helper.fill(&request)?;
        let Some(password) = answer.password else {
            return Err(Error::NoPassword {
                login: self.login.clone(),
                helper: self.helper.spec().to_owned(),
            });
        };
        let request = Credential {
            username: answer.username.or(request.username),
            ..request
        };
        Ok(Filled { request, password })
    }

    /// Tells the helper how the login went and turns a failure into an
    /// [`Error`]: `store` after success; `erase` only when the server
    /// says the password is wrong (535), never for other replies.
    /// The helper's own failures here are not the caller's: git ignores
    /// them too, and the message goes to stderr from the helper itself.
    ///
    /// An OAuth2 access token refused with 535 on the `first` attempt is
    /// erased (mailcred's helper then drops only the cached access token)
    /// so that the next `get` refreshes it, and the caller is told to try
    /// once more; a refusal of the retry erases nothing: one refresh per
    /// login, never a loop of them.
    pub(crate) fn after_auth(
        &self,
        filled: &Filled,
        outcome: Result<(), WireError>,
        first: bool,
    ) -> Result<LoggedIn, Error> {
        let credential = with_password(&filled.request, &filled.password);
        match outcome {
            Ok(()) => {
                if self.approve_and_reject {
                    let _ = self.helper.approve(&credential);
                }
                Ok(LoggedIn::Yes)
            }
            Err(WireError::Refused(reply)) => {
                let refused = explain::password_is_wrong(&reply);
                if self.login.oauth && refused && first {
                    let _ = self.helper.reject(&credential);
                    return Ok(LoggedIn::RetryWithNewToken);
                }
                if self.approve_and_reject && refused && !self.login.oauth {
                    let _ = self.helper.reject(&credential);
                }
                let mut login = self.login.clone();
                login.user = filled.request.username.clone().unwrap_or(login.user);
                Err(Error::Authentication { login, reply })
            }
            Err(error) => Err(self.error(error, Exchange::Login)),
        }
    }

    /// What a failure on the wire during `exchange` means to the user.
    pub(crate) fn error(&self, source: WireError, exchange: Exchange) -> Error {
        let server = self.login.server.clone();
        match source {
            WireError::Deadline => Error::Deadline {
                server,
                exchange,
                limit: self.exchange_timeout.unwrap_or_default(),
            },
            WireError::Oversize(limit) => Error::ReplyTooLarge { server, limit },
            source => match tls_failure(&source) {
                Some(hint) => Error::Tls {
                    server,
                    hint,
                    source,
                },
                None if exchange == Exchange::Message
                    || matches!(
                        source,
                        WireError::Refused(_)
                            | WireError::Malformed(_)
                            | WireError::DataBeforeTls
                            | WireError::Challenge(_)
                    ) =>
                {
                    Error::Smtp { server, source }
                }
                None => Error::Connect { server, source },
            },
        }
    }

    /// Connects and encrypts as the settings say (TLS from the first byte,
    /// or STARTTLS, required), and checks that the server takes a password,
    /// all within the login's deadline. The helper is asked only after
    /// this, so an unreachable or unverified server never unlocks the
    /// keyring.
    pub(crate) async fn secure<S: Io>(&self) -> Result<Secured<S>, Error> {
        let clock = Clock {
            timeout: self.timeout,
            deadline: self.deadline(),
        };
        let wire = |e| self.error(e, Exchange::Login);
        let mut conn = Connection::<S>::open(
            &self.host,
            self.port,
            clock,
            self.wrapper_tls(),
            &self.hello,
        )
        .await
        .map_err(wire)?;
        if let Some(tls) = self.starttls() {
            if !conn.can_starttls() {
                conn.abort().await;
                return Err(Error::NoStartTls {
                    server: self.server().to_owned(),
                });
            }
            if let Err(e) = conn.starttls(tls, &self.hello).await {
                conn.abort().await;
                return Err(wire(e));
            }
        }
        let offered = if self.login.oauth {
            OAUTH_MECHANISMS
        } else {
            MECHANISMS
        };
        let Some(mechanism) = conn.server_info().get_auth_mechanism(offered) else {
            conn.abort().await;
            let server = self.server().to_owned();
            return Err(if self.login.oauth {
                Error::NoOAuthMechanism { server }
            } else {
                Error::NoAuthMechanism { server }
            });
        };
        let left = clock
            .deadline
            .map(|deadline| deadline.saturating_duration_since(Instant::now()));
        conn.set_deadline(None);
        Ok(Secured {
            conn,
            mechanism,
            left,
        })
    }
}

/// A connection ready for AUTH, waiting for the helper's password.
pub(crate) struct Secured<S> {
    pub conn: Connection<S>,
    mechanism: Mechanism,
    /// What is left of the login's deadline: the wait for the helper (a
    /// keyring unlock prompt, say) does not count against it.
    left: Option<Duration>,
}

impl<S: Io> Secured<S> {
    /// AUTH with the helper's password, within what is left of the
    /// deadline; a failed login closes the connection.
    pub(crate) async fn login(&mut self, filled: &Filled) -> Result<(), WireError> {
        self.conn
            .set_deadline(self.left.map(|left| Instant::now() + left));
        let outcome = self
            .conn
            .auth(self.mechanism, &filled.credentials())
            .await
            .map(drop);
        self.conn.set_deadline(None);
        if outcome.is_err() {
            self.conn.abort().await;
        }
        outcome
    }
}

/// Whether `error` is a TLS failure, and what usually causes it. rustls's
/// own error, when there is one, is inside the I/O error.
pub(crate) fn tls_failure(error: &WireError) -> Option<&'static str> {
    let (WireError::Tls(io) | WireError::Io(io)) = error else {
        return None;
    };
    let rustls_error = io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>());
    if rustls_error.is_none() && !matches!(error, WireError::Tls(_)) {
        return None;
    }
    let detail = rustls_error.map(|e| format!("{e:?}")).unwrap_or_default();
    Some(if detail.contains("CaUsedAsEndEntity") {
        "the server presents a CA certificate (basicConstraints CA:TRUE) as its own, which \
         rustls refuses even when trusted: give the server a certificate with CA:FALSE, or \
         one issued by the CA certificate you add"
    } else if detail.contains("InvalidCertificate") {
        "the server's certificate is not trusted or not for this host name (for a self-signed \
         server, add its certificate or CA with --ca-file / add_root_certificate_file)"
    } else {
        "the TLS handshake failed: is TLS spoken on this port? (465 is TLS from the first byte, \
         587 STARTTLS)"
    })
}

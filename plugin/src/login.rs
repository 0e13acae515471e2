//! What every new connection does once it is encrypted, sync or async alike:
//! ask the helper for the password, log in, then tell the helper how it went.

use std::fmt;
use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::TlsParameters;
use lettre::transport::smtp::extension::ClientId;
use mailcred_core::accounts::Security;
use mailcred_core::protocol::Credential;
use secrecy::{ExposeSecret, SecretString};

use crate::helper::{smtp_request, with_password};
use crate::{CredentialHelper, Error, Login, Reply, explain};

/// The mechanisms tried, in this order: both send the password as it is,
/// which TLS protects.
pub(crate) const MECHANISMS: &[Mechanism] = &[Mechanism::Plain, Mechanism::Login];

/// A built transport's fixed settings, shared by its connections.
pub(crate) struct Settings {
    pub login: Login,
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub helper: CredentialHelper,
    /// `None` only for `Security::NoneDangerous`.
    pub tls: Option<TlsParameters>,
    pub timeout: Option<Duration>,
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

    /// The TLS parameters when the connection is TLS from the first byte.
    pub(crate) fn wrapper_tls(&self) -> Option<&TlsParameters> {
        match self.security {
            Security::Tls => self.tls.as_ref(),
            Security::Starttls | Security::NoneDangerous => None,
        }
    }

    /// The TLS parameters when STARTTLS is required.
    pub(crate) fn starttls(&self) -> Option<&TlsParameters> {
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
    pub(crate) fn after_auth(
        &self,
        filled: &Filled,
        outcome: Result<(), lettre::transport::smtp::Error>,
    ) -> Result<(), Error> {
        let credential = with_password(&filled.request, &filled.password);
        match outcome {
            Ok(()) => {
                if self.approve_and_reject {
                    let _ = self.helper.approve(&credential);
                }
                Ok(())
            }
            Err(error) => match Reply::from_lettre(&error) {
                Some(reply) => {
                    if self.approve_and_reject && explain::password_is_wrong(&reply) {
                        let _ = self.helper.reject(&credential);
                    }
                    let mut login = self.login.clone();
                    login.user = filled.request.username.clone().unwrap_or(login.user);
                    Err(Error::Authentication { login, reply })
                }
                None if error.is_client() => Err(Error::NoAuthMechanism {
                    server: self.login.server.clone(),
                }),
                None => Err(self.connection_error(error)),
            },
        }
    }

    /// A failure to connect, negotiate TLS or talk before the login.
    pub(crate) fn connection_error(&self, source: lettre::transport::smtp::Error) -> Error {
        let server = self.login.server.clone();
        if let Some(hint) = tls_failure(&source) {
            Error::Tls {
                server,
                hint,
                source,
            }
        } else if source.status().is_some() || source.is_response() {
            Error::Smtp { server, source }
        } else {
            Error::Connect { server, source }
        }
    }
}

/// Whether `error` is a TLS failure, and what usually causes it. lettre
/// reports a failed handshake as a network error whose I/O error wraps
/// rustls's, so the chain is searched.
fn tls_failure(error: &lettre::transport::smtp::Error) -> Option<&'static str> {
    let mut rustls_error = None;
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<rustls::Error>() {
            rustls_error = Some(found);
        } else if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(found) = io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>())
        {
            rustls_error = Some(found);
        }
        next = e.source();
    }
    if rustls_error.is_none() && !error.is_tls() {
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

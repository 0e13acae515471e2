//! Login checks of the servers an account reads from: IMAP and POP3, each
//! over TLS from the first byte or STARTTLS (required), logging in with the
//! password from the credential helper and logging straight out. This is
//! what `mailcred test` does for an account's reading endpoints.
//!
//! The clients are hand-written and minimal: a check needs five commands of
//! each protocol, and no well-kept blocking IMAP or POP3 crate fits. `imap`
//! 2.4 (its last release) builds on native-tls (OpenSSL) and old parsers;
//! 3.0 has been an alpha for years and brings chrono, nom, regex, ouroboros
//! and a rustls of its own; the POP3 crates are unmaintained and OpenSSL
//! based. None bounds what a server sends or the exchange as a whole. Here
//! the connection, TLS, clock and bounded inbox are the SMTP client's
//! ([`crate::wire`]), so every line, every reply and the whole exchange have
//! the same limits as SMTP's.

mod error;
mod imap;
mod pop;
mod session;

use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine;
use mailcred_core::accounts::Security;
use mailcred_core::protocol::Credential;
use rustls::pki_types::CertificateDer;
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

pub use error::{ReadError, Refusal};

use crate::builder::roots_from_file;
use crate::helper::with_password;
use crate::login::{LoggedIn, tls_failure};
use crate::wire::{self, BlockingIo, Clock, Io, Tls, WireError};
use crate::{CredentialHelper, DEFAULT_EXCHANGE_TIMEOUT, DEFAULT_TIMEOUT, Error, Login};
use session::Session;

/// The reading protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadProtocol {
    /// IMAP4rev1.
    Imap,
    /// POP3.
    Pop,
}

impl ReadProtocol {
    /// `imap` or `pop`: the git credential `protocol` of the password's
    /// request, as mailcred stores an account's endpoints.
    pub fn name(self) -> &'static str {
        match self {
            ReadProtocol::Imap => "imap",
            ReadProtocol::Pop => "pop",
        }
    }

    fn starttls(self) -> &'static str {
        match self {
            ReadProtocol::Imap => "STARTTLS",
            ReadProtocol::Pop => "STLS",
        }
    }

    fn logins(self) -> &'static str {
        match self {
            ReadProtocol::Imap => "neither AUTHENTICATE PLAIN nor LOGIN",
            ReadProtocol::Pop => "neither AUTH PLAIN nor USER and PASS",
        }
    }
}

impl fmt::Display for ReadProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReadProtocol::Imap => "IMAP",
            ReadProtocol::Pop => "POP3",
        })
    }
}

/// One login check: a server, how to reach it, who logs in, and where the
/// password comes from.
#[derive(Debug, Clone)]
pub struct ReaderCheck {
    protocol: ReadProtocol,
    host: String,
    port: u16,
    security: Security,
    login: Login,
    helper: CredentialHelper,
    roots: Vec<CertificateDer<'static>>,
    timeout: Option<Duration>,
    exchange_timeout: Option<Duration>,
}

impl ReaderCheck {
    /// A check of `user`'s login on `host:port`, asking mailcred's own
    /// helper for the password, trusting Mozilla's roots.
    pub fn new(
        protocol: ReadProtocol,
        host: &str,
        port: u16,
        security: Security,
        user: &str,
    ) -> Self {
        ReaderCheck {
            protocol,
            host: host.to_owned(),
            port,
            security,
            login: Login {
                account: None,
                user: user.to_owned(),
                server: format!("{host}:{port}"),
                oauth: false,
            },
            helper: CredentialHelper::mailcred(),
            roots: Vec::new(),
            timeout: Some(DEFAULT_TIMEOUT),
            exchange_timeout: Some(DEFAULT_EXCHANGE_TIMEOUT),
        }
    }

    /// Names the mailcred account in messages.
    pub fn account(mut self, name: &str) -> Self {
        self.login.account = Some(name.to_owned());
        self
    }

    /// Whether the helper's `password` is an OAuth2 access token: then the
    /// login is XOAUTH2 (IMAP `AUTHENTICATE XOAUTH2`, POP3 `AUTH XOAUTH2`)
    /// and nothing else, and a refused token is erased (mailcred's helper
    /// then drops only the cached access token), asked for again (which
    /// refreshes it) and tried once more, as the SMTP transport does.
    pub fn oauth2(mut self, token: bool) -> Self {
        self.login.oauth = token;
        self
    }

    /// The credential helper that gives the password.
    pub fn credential_helper(mut self, helper: CredentialHelper) -> Self {
        self.helper = helper;
        self
    }

    /// Also trusts the CA certificate(s) of a PEM file.
    pub fn add_root_certificate_file(mut self, path: impl AsRef<Path>) -> Result<Self, Error> {
        self.roots.extend(roots_from_file(path.as_ref())?);
        Ok(self)
    }

    /// How long one wait for the server may take; `None` waits forever.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long connecting and logging in may take as a whole (the wait
    /// for the credential helper not counted); `None` for no deadline.
    pub fn exchange_timeout(mut self, limit: Option<Duration>) -> Self {
        self.exchange_timeout = limit;
        self
    }

    /// Who logs in where, for messages.
    pub fn login(&self) -> &Login {
        &self.login
    }

    /// Connects, secures the connection, asks the helper for the password
    /// only then (an unreachable or unverified server never unlocks the
    /// keyring), logs in and out. `Ok` when the server accepted the login.
    pub fn run(&self) -> Result<(), ReadError> {
        let server = self.login.server.clone();
        if self.security == Security::NoneDangerous {
            return Err(ReadError::Unencrypted {
                server,
                protocol: self.protocol,
            });
        }
        let tls = Tls::new(&self.host, &self.roots).map_err(|e| ReadError::Tls {
            server,
            hint: "the TLS settings could not be made for this host and these certificates",
            source: WireError::Tls(std::io::Error::other(e)),
        })?;
        self.attempts(&tls)
    }

    /// [`run`](Self::run) for the unit tests' scripted servers, which
    /// speak no TLS: the security must be `NoneDangerous`.
    #[cfg(test)]
    pub(crate) fn run_without_tls(&self) -> Result<(), ReadError> {
        assert_eq!(self.security, Security::NoneDangerous);
        let tls = Tls::new(&self.host, &self.roots).expect("TLS settings");
        self.attempts(&tls)
    }

    /// The login, and for a refused OAuth2 token one more after a refresh.
    fn attempts(&self, tls: &Tls) -> Result<(), ReadError> {
        let attempt = |first| {
            wire::block_on(async {
                match self.protocol {
                    ReadProtocol::Imap => self.check::<BlockingIo, imap::Imap<_>>(tls, first).await,
                    ReadProtocol::Pop => self.check::<BlockingIo, pop::Pop<_>>(tls, first).await,
                }
            })
        };
        match attempt(true)? {
            LoggedIn::Yes => Ok(()),
            LoggedIn::RetryWithNewToken => attempt(false).map(drop),
        }
    }

    /// One connection and login; `first` as in
    /// [`Settings::after_auth`](crate::login::Settings::after_auth): a
    /// token refused on the first attempt is erased and worth a retry.
    async fn check<S: Io, C: Conversation<S>>(
        &self,
        tls: &Tls,
        first: bool,
    ) -> Result<LoggedIn, ReadError> {
        let clock = Clock {
            timeout: self.timeout,
            deadline: self.exchange_timeout.map(|limit| Instant::now() + limit),
        };
        let wrapper = (self.security == Security::Tls).then_some(tls);
        let io = S::connect(&self.host, self.port, clock, wrapper)
            .await
            .map_err(|e| self.failure(e.into()))?;
        let mut conversation = C::greet(Session::new(io))
            .await
            .map_err(|f| self.failure(f))?;
        let secured = async {
            if self.security == Security::Starttls {
                conversation.starttls(tls).await?;
            }
            if self.login.oauth {
                conversation.oauth_mechanism()
            } else {
                conversation.mechanism()
            }
        };
        let mechanism = match secured.await {
            Ok(mechanism) => mechanism,
            Err(failure) => {
                conversation.session().shutdown();
                return Err(self.failure(failure));
            }
        };
        // The wait for the helper (a keyring unlock prompt, say) does not
        // count against the deadline.
        let left = clock
            .deadline
            .map(|deadline| deadline.saturating_duration_since(Instant::now()));
        conversation.session().set_deadline(None);
        let (request, user, password) = match self.fill() {
            Ok(filled) => filled,
            Err(error) => {
                conversation.session().shutdown();
                return Err(error.into());
            }
        };
        conversation
            .session()
            .set_deadline(left.map(|left| Instant::now() + left));
        let outcome = conversation.login(mechanism, &user, &password).await;
        conversation.close().await;
        match outcome {
            Ok(()) => Ok(LoggedIn::Yes),
            Err(Failure::Refused(text))
                if self.login.oauth && first && !Refusal::of(&text).is_temporary() =>
            {
                let _ = self.helper.reject(&with_password(&request, &password));
                Ok(LoggedIn::RetryWithNewToken)
            }
            Err(failure) => {
                let mut check = self.clone();
                check.login.user = user;
                Err(check.failure(failure))
            }
        }
    }

    /// The password (and the user name the helper answered) for the login,
    /// with the request that asked for it.
    fn fill(&self) -> Result<(Credential, String, SecretString), Error> {
        let request = Credential {
            protocol: Some(self.protocol.name().into()),
            host: Some(self.login.server.clone()),
            username: Some(self.login.user.clone()),
            ..Credential::default()
        };
        let answer = self.helper.fill(&request)?;
        let Some(password) = answer.password else {
            return Err(Error::NoPassword {
                login: self.login.clone(),
                helper: self.helper.spec().to_owned(),
            });
        };
        let user = answer.username.unwrap_or_else(|| self.login.user.clone());
        Ok((request, user, password))
    }

    /// What a failure of the conversation means to the user.
    fn failure(&self, failure: Failure) -> ReadError {
        let server = self.login.server.clone();
        let protocol = self.protocol;
        match failure {
            Failure::Wire(WireError::Deadline) => ReadError::Deadline {
                server,
                limit: self.exchange_timeout.unwrap_or_default(),
            },
            Failure::Wire(WireError::Oversize(limit)) => ReadError::ReplyTooLarge {
                server,
                protocol,
                limit,
            },
            Failure::Wire(WireError::DataBeforeTls) => ReadError::DataBeforeTls { server },
            Failure::Wire(source) => match tls_failure(&source) {
                Some(hint) => ReadError::Tls {
                    server,
                    hint,
                    source,
                },
                None => ReadError::Connect { server, source },
            },
            Failure::Greeting(text) => ReadError::Unavailable { server, text },
            Failure::Malformed(line) => ReadError::Malformed {
                server,
                protocol,
                line,
            },
            Failure::NoStartTls => ReadError::NoStartTls { server, protocol },
            Failure::StartTlsRefused(text) => ReadError::StartTlsRefused { server, text },
            Failure::NoLogin if self.login.oauth => ReadError::NoOAuthLogin { server, protocol },
            Failure::NoLogin => ReadError::NoLogin { server, protocol },
            Failure::Unsendable => ReadError::Unsendable {
                login: self.login.clone(),
            },
            Failure::Refused(text) => ReadError::Refused {
                login: self.login.clone(),
                protocol,
                refusal: Refusal::of(&text),
                text,
            },
        }
    }
}

/// How a conversation went wrong, before [`ReaderCheck`] puts it in context.
#[derive(Debug)]
pub(crate) enum Failure {
    Wire(WireError),
    /// The greeting turned us away (`* BYE`, `-ERR`).
    Greeting(String),
    /// A line that is not the protocol's.
    Malformed(String),
    NoStartTls,
    StartTlsRefused(String),
    NoLogin,
    Unsendable,
    /// The login was refused; the server's words.
    Refused(String),
}

impl From<WireError> for Failure {
    fn from(error: WireError) -> Self {
        Failure::Wire(error)
    }
}

/// The steps of a login check that IMAP and POP3 share.
pub(crate) trait Conversation<S: Io>: Sized {
    type Mechanism: Copy;
    async fn greet(session: Session<S>) -> Result<Self, Failure>;
    async fn starttls(&mut self, tls: &Tls) -> Result<(), Failure>;
    fn mechanism(&self) -> Result<Self::Mechanism, Failure>;
    /// The mechanism for an OAuth2 access token (XOAUTH2), if offered.
    fn oauth_mechanism(&self) -> Result<Self::Mechanism, Failure>;
    async fn login(
        &mut self,
        mechanism: Self::Mechanism,
        user: &str,
        password: &SecretString,
    ) -> Result<(), Failure>;
    /// Logs out (IMAP `LOGOUT`, POP3 `QUIT`) and closes the connection.
    async fn close(&mut self);
    fn session(&mut self) -> &mut Session<S>;
}

/// The SASL PLAIN response (RFC 4616) for `user`, base64, in a buffer
/// wiped when dropped.
pub(crate) fn plain_response(user: &str, password: &SecretString) -> Zeroizing<String> {
    let password = password.expose_secret();
    let mut raw = Zeroizing::new(Vec::with_capacity(user.len() + password.len() + 2));
    raw.push(0);
    raw.extend_from_slice(user.as_bytes());
    raw.push(0);
    raw.extend_from_slice(password.as_bytes());
    encoded(&raw)
}

/// `raw` in base64, in a buffer of exactly the room needed (a string that
/// grows leaves copies behind), wiped when dropped.
fn encoded(raw: &[u8]) -> Zeroizing<String> {
    let engine = base64::engine::general_purpose::STANDARD;
    let mut encoded = Zeroizing::new(String::with_capacity(
        base64::encoded_len(raw.len(), true).unwrap_or(0),
    ));
    engine.encode_string(raw, &mut encoded);
    encoded
}

/// The XOAUTH2 initial response (`user=USER^Aauth=Bearer TOKEN^A^A`,
/// Google's and Microsoft's definition), base64, in a buffer wiped when
/// dropped.
pub(crate) fn xoauth2_response(user: &str, token: &SecretString) -> Zeroizing<String> {
    let token = token.expose_secret();
    let mut raw = Zeroizing::new(Vec::with_capacity(user.len() + token.len() + 21));
    raw.extend_from_slice(b"user=");
    raw.extend_from_slice(user.as_bytes());
    raw.extend_from_slice(b"\x01auth=Bearer ");
    raw.extend_from_slice(token.as_bytes());
    raw.extend_from_slice(b"\x01\x01");
    encoded(&raw)
}

//! The one HTTP client: ureq 3 over rustls (ring; Mozilla's roots from
//! webpki-roots, or the PEM roots of `ca_file`; no OpenSSL, no native-tls).
//! Every call is bounded in time by the request's deadline and in size by
//! [`MAX_BODY`]; no redirect is followed (a standby redirecting during an
//! election is an answer: no leader), nothing but the configured address
//! is ever contacted.
//!
//! Like mailcred-oauth's `http.rs` (the same agent settings, the same
//! loopback-only plain http rule), but the two share no code: OAuth speaks
//! oauth2's request types, this speaks Vault's API with a token header and
//! its own error kinds; a shared crate would carry one caller's types.

use std::cell::RefCell;
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use mailcred_core::private_files::read_regular_file;
use secrecy::{ExposeSecret, SecretString};
use ureq::Agent;
use ureq::http::{self, HeaderValue};
use ureq::tls::{PemItem, RootCerts, TlsConfig};
use zeroize::Zeroizing;

use crate::config::Config;
use crate::failure::{Failure, Kind};

/// The largest answer read from the server: a KV v2 read of a 256 KiB
/// blob, in base64 and JSON, is about 350 KiB.
pub const MAX_BODY: u64 = 1024 * 1024;
/// The largest CA file read.
const MAX_CA_FILE: u64 = 1024 * 1024;
/// The longest X-Vault-Index kept (base64 of a small JSON object).
const MAX_INDEX: usize = 4096;

/// One answer: its status and its body (zeroed when dropped: it may hold a
/// secret or a token).
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body, at most [`MAX_BODY`] bytes.
    pub body: Zeroizing<Vec<u8>>,
}

/// A client for one server.
pub struct Http {
    agent: Agent,
    address: String,
    /// The newest `X-Vault-Index` the server sent. Raft standbys answer
    /// reads from their own copy, which lags the active node by a few
    /// milliseconds (measured: a read right after a write sees the old
    /// version every time); sending the index back with `X-Vault-Inconsistent:
    /// forward-active-node` makes a standby that is behind forward the read,
    /// so a session never reads older data than it has written or seen.
    index: RefCell<Option<HeaderValue>>,
}

impl Http {
    /// A client for `config`'s address, trusting `config.ca_file`'s roots
    /// if given.
    pub fn new(config: &Config) -> Result<Self, Failure> {
        let roots = match &config.ca_file {
            Some(path) => RootCerts::new_with_certs(&read_ca_file(path)?),
            None => RootCerts::WebPki,
        };
        let tls = TlsConfig::builder().root_certs(roots).build();
        let agent_config = Agent::config_builder()
            .tls_config(tls)
            .timeout_global(Some(config.timeout))
            .max_redirects(0)
            .max_redirects_will_error(false)
            .http_status_as_error(false)
            .proxy(ureq::Proxy::try_from_env())
            .user_agent(concat!("mailcred-openbao/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Self {
            agent: Agent::new_with_config(agent_config),
            address: config.address.clone(),
            index: RefCell::new(None),
        })
    }

    /// `method` on `/v1/<path>` with `token` and `body`, finished by
    /// `deadline`.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&SecretString>,
        body: Option<&[u8]>,
        deadline: Instant,
    ) -> Result<Answer, Failure> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(timed_out(&self.address, path));
        }
        let mut builder = http::Request::builder()
            .method(method)
            .uri(format!("{}/v1/{path}", self.address))
            .header("X-Vault-Request", "true")
            .header(http::header::ACCEPT, "application/json");
        if let Some(index) = self.index.borrow().as_ref() {
            builder = builder
                .header("X-Vault-Index", index.clone())
                .header("X-Vault-Inconsistent", "forward-active-node");
        }
        if let Some(token) = token {
            let mut value = HeaderValue::from_str(token.expose_secret()).map_err(|_| {
                Failure::new(
                    Kind::NoToken,
                    "the token is not one line of printable text: check the token file",
                )
            })?;
            value.set_sensitive(true);
            builder = builder.header("X-Vault-Token", value);
        }
        let bad_path =
            |_| Failure::new(Kind::BadRequest, format!("{path} is not a usable path")).at(path);
        // A GET or DELETE carries no body at all: ureq refuses one, even empty.
        let sent = match body {
            Some(body) => {
                let request = builder.body(body).map_err(bad_path)?;
                let request = self
                    .agent
                    .configure_request(request)
                    .timeout_global(Some(left))
                    .build();
                self.agent.run(request)
            }
            None => {
                let request = builder.body(()).map_err(bad_path)?;
                let request = self
                    .agent
                    .configure_request(request)
                    .timeout_global(Some(left))
                    .build();
                self.agent.run(request)
            }
        };
        let response = sent.map_err(|err| transport_failure(&self.address, path, err))?;
        if let Some(index) = response.headers().get("X-Vault-Index")
            && index.len() <= MAX_INDEX
        {
            *self.index.borrow_mut() = Some(index.clone());
        }
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .into_with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|err| match err {
                ureq::Error::BodyExceedsLimit(_) => Failure::new(
                    Kind::BadAnswer,
                    format!(
                        "{} sent more than {} KiB for {path}: that is not an OpenBao answer",
                        self.address,
                        MAX_BODY / 1024
                    ),
                )
                .at(path),
                other => transport_failure(&self.address, path, other),
            })?;
        Ok(Answer {
            status,
            body: Zeroizing::new(body),
        })
    }
}

fn read_ca_file(path: &Path) -> Result<Vec<ureq::tls::Certificate<'static>>, Failure> {
    let unusable = |why: String| {
        Failure::new(
            Kind::BadConfig,
            format!(
                "the CA file {} (\"ca_file\" or VAULT_CACERT) {why}",
                path.display()
            ),
        )
    };
    let pem = read_regular_file(path, MAX_CA_FILE)
        .map_err(|err| unusable(format!("cannot be read: {err}")))?
        .ok_or_else(|| unusable("does not exist".into()))?;
    let certs: Vec<_> = ureq::tls::parse_pem(&pem)
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(cert)) => Some(cert),
            _ => None,
        })
        .collect();
    if certs.is_empty() {
        return Err(unusable("holds no PEM certificate".into()));
    }
    Ok(certs)
}

fn timed_out(address: &str, path: &str) -> Failure {
    Failure::new(
        Kind::TimedOut,
        format!(
            "{address} did not answer in time; try again, or raise timeout_ms if the server is slow"
        ),
    )
    .at(path)
}

/// What a failed exchange means: no connection, no answer in time, a
/// certificate not trusted, or a broken answer.
fn transport_failure(address: &str, path: &str, err: ureq::Error) -> Failure {
    let unreachable = |reason: String| {
        Failure::new(
            Kind::Unreachable,
            format!(
                "{address} cannot be reached ({reason}); check the address and that the server runs"
            ),
        )
        .at(path)
    };
    match err {
        ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => {
            unreachable("no connection within the timeout".into())
        }
        ureq::Error::Timeout(_) => timed_out(address, path),
        ureq::Error::HostNotFound => unreachable("the host name is not known".into()),
        ureq::Error::Rustls(tls) => tls_failure(address, path, &tls),
        ureq::Error::Io(io) => {
            if let Some(tls) = io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
                return tls_failure(address, path, tls);
            }
            match io.kind() {
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => timed_out(address, path),
                _ => unreachable(io.to_string()),
            }
        }
        ureq::Error::Protocol(_) => Failure::new(
            Kind::BadAnswer,
            format!("{address} answered with something that is not HTTP: is it an OpenBao server, and is the scheme (https/http) right?"),
        )
        .at(path),
        other => unreachable(other.to_string()),
    }
}

fn tls_failure(address: &str, path: &str, err: &rustls::Error) -> Failure {
    use rustls::CertificateError as Cert;
    let rustls::Error::InvalidCertificate(why) = err else {
        return Failure::new(
            Kind::Unreachable,
            format!("{address}: the TLS handshake failed ({err}); is the server speaking https on this port?"),
        )
        .at(path);
    };
    let why = match why {
        Cert::UnknownIssuer => "it is signed by a CA that is not trusted here".to_owned(),
        Cert::NotValidForName | Cert::NotValidForNameContext { .. } => {
            "it is issued for another name than the address's host".to_owned()
        }
        Cert::Expired | Cert::ExpiredContext { .. } => "it has expired".to_owned(),
        Cert::NotValidYet | Cert::NotValidYetContext { .. } => "it is not valid yet".to_owned(),
        Cert::Revoked => "it is revoked".to_owned(),
        other => format!("{other:?}"),
    };
    Failure::new(
        Kind::TlsUntrusted,
        format!(
            "{address}'s TLS certificate is not trusted: {why}. Give the CA that signed it as \
             \"ca_file\" in settings.json (or VAULT_CACERT), and use an address with the name the \
             certificate is for"
        ),
    )
    .at(path)
}

/// How long is left before `deadline`, for waits outside HTTP (a lock).
pub fn left(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

//! The one HTTP client: ureq 3 over rustls (ring, Mozilla's roots from
//! webpki-roots; no OpenSSL, no native-tls), with every bound an identity
//! provider's answer must keep.
//!
//! oauth2 5's own `ureq` feature targets ureq 2, so [`Http`] implements
//! oauth2's [`SyncHttpClient`] over ureq 3 itself: about forty lines, and the
//! place where the bounds (size, type, status, loopback-only plain http)
//! apply to every request oauth2 makes.

use std::io;
use std::time::Duration;

use oauth2::http::{self, HeaderValue, header};
use oauth2::url::Url;
use oauth2::{HttpRequest, HttpResponse, SyncHttpClient};
use ureq::Agent;

use crate::endpoint;

/// The largest answer read from an identity provider (tokens, errors): an
/// Entra access token is a few KiB; a bigger body is not a token response.
pub const MAX_BODY: u64 = 64 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a request to an identity provider brought no answer to parse.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// Plain `http://` to a host that is not loopback.
    #[error("{0} uses plain http:// to a host that is not a loopback address")]
    PlainHttp(String),
    /// No connection: name unknown, refused, unreachable, TLS refused.
    #[error("{host} cannot be reached: {reason}")]
    Unreachable {
        /// Host of the endpoint.
        host: String,
        /// ureq's reason.
        reason: String,
    },
    /// Connected, but the answer did not come in time.
    #[error("{host} did not answer in time ({reason})")]
    Timeout {
        /// Host of the endpoint.
        host: String,
        /// Which deadline passed.
        reason: String,
    },
    /// A 5xx status: the provider has trouble of its own.
    #[error("{host} answered with HTTP status {status}")]
    ServerStatus {
        /// Host of the endpoint.
        host: String,
        /// The status.
        status: u16,
    },
    /// An answer that is not a token endpoint's: too big, not JSON, a redirect.
    #[error("{host} sent an answer that is not an identity provider's: {reason}")]
    Malformed {
        /// Host of the endpoint.
        host: String,
        /// What was wrong.
        reason: String,
    },
}

/// A ureq agent configured for identity providers.
pub struct Http {
    agent: Agent,
}

impl Default for Http {
    fn default() -> Self {
        Self::new()
    }
}

impl Http {
    /// An agent with the timeouts above, no redirects, non-2xx statuses as
    /// answers (their JSON bodies are the provider's errors), and the proxy
    /// from the environment: ureq reads `ALL_PROXY`, `HTTPS_PROXY`,
    /// `HTTP_PROXY` (first one set wins, for every scheme) and `NO_PROXY`.
    pub fn new() -> Self {
        let config = Agent::config_builder()
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(REQUEST_TIMEOUT))
            .max_redirects(0)
            .max_redirects_will_error(false)
            .http_status_as_error(false)
            .proxy(ureq::Proxy::try_from_env())
            .user_agent(concat!("mailcred-oauth/", env!("CARGO_PKG_VERSION")))
            .build();
        Self {
            agent: Agent::new_with_config(config),
        }
    }

    /// Sends `request` and reads the answer within [`MAX_BODY`], refusing
    /// anything but a JSON answer below status 500.
    pub fn send(&self, mut request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let url = Url::parse(&request.uri().to_string())
            .map_err(|_| HttpError::PlainHttp(request.uri().to_string()))?;
        let host = url.host_str().unwrap_or_default().to_owned();
        if url.scheme() != "https" && !endpoint::is_loopback(&url) {
            return Err(HttpError::PlainHttp(url.to_string()));
        }
        request
            .headers_mut()
            .insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        let response = self
            .agent
            .run(request)
            .map_err(|err| transport_error(&host, err))?;
        let status = response.status();
        if status.is_server_error() {
            return Err(HttpError::ServerStatus {
                host,
                status: status.as_u16(),
            });
        }
        let is_json = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/json")
            });
        let malformed = |reason: String| HttpError::Malformed {
            host: host.clone(),
            reason,
        };
        if status.is_redirection() {
            return Err(malformed(format!("a redirect (HTTP {})", status.as_u16())));
        }
        if !is_json {
            return Err(malformed(format!(
                "HTTP {} without a JSON body",
                status.as_u16()
            )));
        }
        let (parts, body) = response.into_parts();
        let body = body
            .into_with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|err| match err {
                ureq::Error::BodyExceedsLimit(_) => {
                    malformed(format!("more than {} KiB", MAX_BODY / 1024))
                }
                other => transport_error(&host, other),
            })?;
        let mut answer = http::Response::new(body);
        *answer.status_mut() = parts.status;
        *answer.headers_mut() = parts.headers;
        Ok(answer)
    }
}

impl SyncHttpClient for Http {
    type Error = HttpError;

    fn call(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        self.send(request)
    }
}

fn transport_error(host: &str, err: ureq::Error) -> HttpError {
    let host = host.to_owned();
    match err {
        ureq::Error::Timeout(which) => HttpError::Timeout {
            host,
            reason: format!("{which:?}").to_lowercase(),
        },
        ureq::Error::Io(io) if io.kind() == io::ErrorKind::TimedOut => HttpError::Timeout {
            host,
            reason: "read".into(),
        },
        ureq::Error::Protocol(_) | ureq::Error::BodyExceedsLimit(_) => HttpError::Malformed {
            host,
            reason: "broken HTTP".into(),
        },
        other => HttpError::Unreachable {
            host,
            reason: other.to_string(),
        },
    }
}

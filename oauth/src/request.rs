//! The pipe contract with `mailcred` (notes/oauth-design.md §2): one JSON
//! request on stdin's first line, one JSON answer on stdout. Secrets travel
//! only here, never in argv or the environment.

use std::io::{self, BufRead, Read, Write};

use mailcred_core::exit;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::failure::Failure;

/// The longest request line read (a refresh token is at most a few KiB).
const MAX_REQUEST: u64 = 64 * 1024;
/// How long a login waits for the user when the request does not say.
const DEFAULT_LOGIN_TIMEOUT: u64 = 300;

/// The identity provider family: it decides the redirect host, the device
/// flow's availability and some wording.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Microsoft 365 (work and school).
    Office365,
    /// Personal Microsoft accounts.
    Outlook,
    /// Google.
    Gmail,
    /// Anything else (sovereign clouds, self-hosted, tests).
    #[default]
    #[serde(other)]
    Custom,
}

/// How `login` lets the user sign in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flow {
    /// Open the browser, catch the redirect on loopback.
    #[default]
    Browser,
    /// Print the URL; catch the redirect on loopback or take it pasted.
    NoBrowser,
    /// RFC 8628 device flow.
    Device,
}

/// One request from `mailcred` (unknown fields are ignored).
#[derive(Deserialize)]
pub struct Request {
    /// The mailcred account name (for messages).
    pub account: String,
    /// The user signing in (`login_hint`).
    #[serde(default)]
    pub user: Option<String>,
    /// The provider family.
    #[serde(default)]
    pub provider: Provider,
    /// The authorization endpoint (browser flows).
    #[serde(default)]
    pub authorize_url: Option<String>,
    /// The token endpoint.
    pub token_url: String,
    /// The device authorization endpoint, if the provider has one.
    #[serde(default)]
    pub device_url: Option<String>,
    /// The OAuth client id.
    #[serde(default)]
    pub client_id: Option<String>,
    /// The client secret of Google's desktop clients.
    #[serde(default)]
    pub client_secret: Option<SecretString>,
    /// The scopes to ask for.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Microsoft's tenant.
    #[serde(default)]
    pub tenant: Option<String>,
    /// The refresh token (`refresh` only).
    #[serde(default)]
    pub refresh_token: Option<SecretString>,
    /// How to sign in (`login` only).
    #[serde(default)]
    pub flow: Option<Flow>,
    /// How long `login` waits for the user, in seconds.
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
}

impl Request {
    /// Reads the request from the first line of `input` (the rest stays for
    /// a pasted redirect URL).
    pub fn read(input: &mut impl BufRead) -> Result<Self, Failure> {
        let mut line = Zeroizing::new(Vec::new());
        let refused = |what: String| {
            Failure::new(exit::REFUSED_INPUT, format!("the request on stdin {what}"))
        };
        input
            .take(MAX_REQUEST + 1)
            .read_until(b'\n', &mut line)
            .map_err(|err| refused(format!("could not be read: {err}")))?;
        if line.len() as u64 > MAX_REQUEST {
            return Err(refused(format!("is over {} KiB", MAX_REQUEST / 1024)));
        }
        let request: Self = serde_json::from_slice(&line).map_err(|err| {
            // serde_json's message names a line and column, never the input.
            refused(format!("is not the JSON object expected: {err}"))
        })?;
        request.check()?;
        Ok(request)
    }

    fn check(&self) -> Result<(), Failure> {
        let bad = |what: &str| {
            Failure::new(
                exit::REFUSED_INPUT,
                format!("the request on stdin has {what}"),
            )
        };
        if self.account.is_empty() || self.account.chars().any(char::is_control) {
            return Err(bad("no usable account name"));
        }
        for scope in &self.scopes {
            if scope.is_empty() || scope.chars().any(|c| c == ' ' || c.is_control()) {
                return Err(bad("a scope that is empty or has spaces"));
            }
        }
        Ok(())
    }

    /// The client id, or the configuration error of an account without one.
    pub fn client_id(&self) -> Result<&str, Failure> {
        self.client_id
            .as_deref()
            .filter(|id| !id.trim().is_empty())
            .ok_or_else(|| {
                Failure::new(
                    exit::CONFIG,
                    format!(
                        "{}: the account has no OAuth client id: give one with --client-id (the README says how to register one)",
                        self.account
                    ),
                )
            })
    }

    /// How long `login` waits for the user (1 s to 1 h).
    pub fn login_timeout(&self) -> std::time::Duration {
        let seconds = self.timeout_seconds.unwrap_or(DEFAULT_LOGIN_TIMEOUT);
        std::time::Duration::from_secs(seconds.clamp(1, 3600))
    }

    /// The secrets of the request, for redacting them from messages.
    pub fn secrets(&self) -> Vec<&str> {
        [&self.refresh_token, &self.client_secret]
            .into_iter()
            .flatten()
            .map(|s| s.expose_secret())
            .collect()
    }
}

/// The answer on success.
pub struct Tokens {
    /// The access token.
    pub access_token: SecretString,
    /// The new refresh token, if the server sent one.
    pub refresh_token: Option<SecretString>,
    /// When the access token expires (unix seconds).
    pub expires_at: u64,
    /// The scopes granted, as the server listed them.
    pub scope: Option<String>,
}

#[derive(Serialize)]
struct TokensOut<'a> {
    access_token: &'a str,
    refresh_token: Option<&'a str>,
    expires_at: u64,
    scope: Option<&'a str>,
}

impl Tokens {
    /// Writes the one JSON line of the answer to `out`.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let view = TokensOut {
            access_token: self.access_token.expose_secret(),
            refresh_token: self.refresh_token.as_ref().map(|t| t.expose_secret()),
            expires_at: self.expires_at,
            scope: self.scope.as_deref(),
        };
        let mut json = Zeroizing::new(serde_json::to_vec(&view).map_err(io::Error::other)?);
        json.push(b'\n');
        out.write_all(&json)?;
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Request, Failure> {
        Request::read(&mut io::Cursor::new(text.as_bytes().to_vec()))
    }

    #[test]
    fn a_request_with_unknown_fields_and_a_second_line_is_read() {
        let request = read(
            "{\"account\":\"work\",\"token_url\":\"https://t\",\"provider\":\"gmail\",\"future\":1}\nhttp://localhost:1/?code=x\n",
        )
        .expect("unknown fields are ignored");
        assert_eq!(request.provider, Provider::Gmail);
        assert_eq!(request.flow, None);
    }

    #[test]
    fn an_unknown_provider_is_custom() {
        let request = read("{\"account\":\"a\",\"token_url\":\"https://t\",\"provider\":\"x\"}")
            .expect("readable");
        assert_eq!(request.provider, Provider::Custom);
    }

    #[test]
    fn a_request_that_is_not_json_is_refused_without_repeating_it() {
        let err = read("refresh_token=secret-refresh-value\n")
            .err()
            .expect("refused");
        assert_eq!(err.status, exit::REFUSED_INPUT);
        assert!(
            !err.message.contains("secret-refresh-value"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_request_without_client_id_is_a_configuration_error() {
        let request = read("{\"account\":\"a\",\"token_url\":\"https://t\"}").expect("readable");
        assert_eq!(
            request.client_id().err().map(|f| f.status),
            Some(exit::CONFIG)
        );
    }

    #[test]
    fn the_answer_is_one_json_line_with_a_null_refresh_token_when_none_came() {
        let tokens = Tokens {
            access_token: SecretString::from("at"),
            refresh_token: None,
            expires_at: 5,
            scope: None,
        };
        let mut out = Vec::new();
        tokens.write(&mut out).expect("written");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"access_token\":\"at\",\"refresh_token\":null,\"expires_at\":5,\"scope\":null}\n"
        );
    }
}

//! Where an OAuth2 account's tokens come from: [`TokenSource`], whose real
//! implementation ([`Companion`]) runs `mailcred-oauth`, the only program of
//! mailcred that speaks HTTP to an identity provider. This binary links no
//! HTTP client and no TLS, so a `get` served from the cache stays as small
//! and quick as an app-password `get`; every store, lock and keyring
//! decision stays here.
//!
//! The two speak JSON over pipes (the request on the companion's stdin, the
//! tokens on its stdout): secrets never travel in argv or the environment.

mod companion;
mod fake;
mod wire;

use std::fmt;

use secrecy::SecretString;

use crate::accounts::{Account, OAuthSettings, Provider};
use crate::exit;

pub use companion::{Companion, OAUTH_PROGRAM};
pub use fake::{FakeTokenSource, Issued};

/// A token with less than this many seconds left is refreshed before it is
/// handed out: the mail program may take a while to connect and
/// authenticate, and servers check the expiry with their own clocks.
pub const MIN_SECONDS_LEFT: u64 = 300;

/// How long a sign-in waits for the user (browser, pasted URL, device code).
pub const LOGIN_TIMEOUT_SECONDS: u64 = 300;

/// How the user signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Authorization code with PKCE, the browser opened for the user.
    Browser,
    /// The same, with the URL printed instead (and the redirected URL
    /// accepted pasted on stdin): for SSH sessions.
    NoBrowser,
    /// The device-code flow (RFC 8628), for machines without a browser.
    Device,
}

impl Flow {
    /// The name on the wire.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Browser => "browser",
            Self::NoBrowser => "no-browser",
            Self::Device => "device",
        }
    }

    /// The flow `--device` and `--no-browser` ask for.
    pub const fn from_flags(device: bool, no_browser: bool) -> Self {
        match (device, no_browser) {
            (true, _) => Self::Device,
            (false, true) => Self::NoBrowser,
            (false, false) => Self::Browser,
        }
    }
}

/// What the identity provider is asked for: everything about the account
/// it needs, and the secrets that go with the request.
pub struct TokenRequest<'a> {
    /// The account, by name (for messages such as "mailcred login NAME").
    pub account: &'a str,
    /// Its login, the sign-in hint.
    pub user: &'a str,
    /// Its provider.
    pub provider: Provider,
    /// Endpoints, client id, scopes, tenant.
    pub settings: &'a OAuthSettings,
    /// A Google desktop client's secret.
    pub client_secret: Option<&'a SecretString>,
}

impl<'a> TokenRequest<'a> {
    /// The request for `account`, whose OAuth2 settings are `settings`.
    pub fn new(
        account: &'a Account,
        settings: &'a OAuthSettings,
        client_secret: Option<&'a SecretString>,
    ) -> Self {
        Self {
            account: &account.name,
            user: &account.user,
            provider: account.provider,
            settings,
            client_secret,
        }
    }
}

/// Tokens from the identity provider.
pub struct Tokens {
    /// The access token, handed to mail programs as the password.
    pub access_token: SecretString,
    /// The new refresh token, or `None` when the provider sent none (the
    /// one used stays valid then).
    pub refresh_token: Option<SecretString>,
    /// When the access token expires (seconds since the epoch).
    pub expires_at: u64,
    /// The scopes granted, as the provider said.
    pub scope: Option<String>,
}

/// Never the tokens themselves.
impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"[REDACTED]")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish()
    }
}

/// Why no tokens came. Never carries a token.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The companion failed and has said why on stderr (one line starting
    /// `mailcred: `); its exit status is passed on unchanged.
    #[error("{program} failed with exit status {status}")]
    Failed {
        /// The companion.
        program: &'static str,
        /// Its exit status, from the one table.
        status: u8,
    },
    /// The companion is not installed.
    #[error(
        "signing in with OAuth2 needs {OAUTH_PROGRAM} (from the mailcred-oauth package, \
         `cargo install --path oauth`), which is neither beside mailcred nor on PATH"
    )]
    NotFound,
    /// It could not be run, or talked to.
    #[error("cannot run {program}")]
    Io {
        /// The companion's path.
        program: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// It was ended by a signal or did not finish in time.
    #[error("{program} {how}; nothing was saved, try again")]
    Ended {
        /// The companion's path.
        program: String,
        /// What happened.
        how: String,
    },
    /// It answered, but not as agreed.
    #[error(
        "{program} answered with something that is not a token response ({reason}); nothing \
         was saved"
    )]
    Malformed {
        /// The companion's path.
        program: String,
        /// What was wrong (never the answer's text).
        reason: &'static str,
    },
    /// No token source is set up (a test context without one).
    #[error("no way to fetch OAuth2 tokens is set up here")]
    Unavailable,
}

impl TokenError {
    /// The exit status for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Failed { status, .. } => *status,
            Self::NotFound => exit::CONFIG,
            Self::Io { .. } | Self::Unavailable => exit::SOFTWARE,
            Self::Ended { .. } => exit::TEMPORARY,
            Self::Malformed { .. } => exit::PROTOCOL,
        }
    }

    /// Whether the user has already been told why, by the companion.
    pub fn already_told(&self) -> bool {
        matches!(self, Self::Failed { .. })
    }
}

/// Where tokens come from: the identity provider, through `mailcred-oauth`
/// ([`Companion`]), or a fake in tests ([`FakeTokenSource`]).
pub trait TokenSource: Send + Sync {
    /// Signs the user in (`flow`) and returns the first tokens.
    fn login(&self, request: &TokenRequest<'_>, flow: Flow) -> Result<Tokens, TokenError>;
    /// Trades `refresh_token` for a new access token (and, with rotation,
    /// a new refresh token).
    fn refresh(
        &self,
        request: &TokenRequest<'_>,
        refresh_token: &SecretString,
    ) -> Result<Tokens, TokenError>;
}

/// A source that has none to give: what a context made for tests uses
/// unless one is passed in, so that no test ever runs the real companion.
#[derive(Debug, Default)]
pub struct NoTokenSource;

impl TokenSource for NoTokenSource {
    fn login(&self, _: &TokenRequest<'_>, _: Flow) -> Result<Tokens, TokenError> {
        Err(TokenError::Unavailable)
    }

    fn refresh(&self, _: &TokenRequest<'_>, _: &SecretString) -> Result<Tokens, TokenError> {
        Err(TokenError::Unavailable)
    }
}

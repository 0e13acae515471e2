//! [`FakeTokenSource`]: an identity provider in memory, for the protocol
//! tests: it issues numbered tokens, counts sign-ins and refreshes, rotates
//! refresh tokens (leniently or strictly), and fails on request with the
//! exit status the companion would.

use std::sync::Mutex;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::{Flow, TokenError, TokenRequest, TokenSource, Tokens};

/// What the fake has handed out and been asked, for assertions.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Issued {
    /// Sign-ins, with their flow.
    pub logins: Vec<Flow>,
    /// Refreshes, with the refresh token each presented.
    pub refreshes: Vec<String>,
    /// The client secret each request carried.
    pub client_secrets: Vec<Option<String>>,
    /// The scopes of the last request.
    pub scopes: Vec<String>,
}

#[derive(Debug)]
struct State {
    now: u64,
    lifetime: u64,
    serial: u32,
    strict: bool,
    send_refresh_token: bool,
    valid_refresh_tokens: Vec<String>,
    fail_next: Option<u8>,
    delay: Duration,
    issued: Issued,
}

/// An identity provider in memory. Access tokens are `access-N`, refresh
/// tokens `refresh-N`, N counting every token response.
#[derive(Debug)]
pub struct FakeTokenSource {
    state: Mutex<State>,
}

impl FakeTokenSource {
    /// A provider whose clock says `now`, issuing access tokens valid for
    /// `lifetime` seconds, rotating refresh tokens leniently (the used one
    /// stays valid, as at Microsoft).
    pub fn new(now: u64, lifetime: u64) -> Self {
        Self {
            state: Mutex::new(State {
                now,
                lifetime,
                serial: 0,
                strict: false,
                send_refresh_token: true,
                valid_refresh_tokens: Vec::new(),
                fail_next: None,
                delay: Duration::ZERO,
                issued: Issued::default(),
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Access tokens issued from now on are valid for `seconds`.
    pub fn set_lifetime(&self, seconds: u64) {
        self.state().lifetime = seconds;
    }

    /// Strict rotation: a refresh token works once.
    pub fn set_strict(&self, strict: bool) {
        self.state().strict = strict;
    }

    /// Whether refreshes answer with a new refresh token.
    pub fn set_send_refresh_token(&self, send: bool) {
        self.state().send_refresh_token = send;
    }

    /// Refreshes answer `delay` after they were made (as a slow network,
    /// or the identity provider's `token_delay_ms`): long enough for
    /// concurrent readers to meet.
    pub fn set_delay(&self, delay: Duration) {
        self.state().delay = delay;
    }

    /// The next request fails with `status` (as the companion exits).
    pub fn fail_next(&self, status: u8) {
        self.state().fail_next = Some(status);
    }

    /// Every refresh token is revoked (the user changed the password).
    pub fn revoke_refresh_tokens(&self) {
        self.state().valid_refresh_tokens.clear();
    }

    /// What was asked and handed out so far.
    pub fn issued(&self) -> Issued {
        self.state().issued.clone()
    }

    fn respond(state: &mut State, rotate: bool) -> Tokens {
        state.serial += 1;
        let n = state.serial;
        let refresh = rotate.then(|| format!("refresh-{n}"));
        if let Some(token) = &refresh {
            state.valid_refresh_tokens.push(token.clone());
        }
        Tokens {
            access_token: SecretString::from(format!("access-{n}")),
            refresh_token: refresh.map(SecretString::from),
            expires_at: state.now + state.lifetime,
            scope: None,
        }
    }

    fn record(state: &mut State, request: &TokenRequest<'_>) -> Result<(), TokenError> {
        state
            .issued
            .client_secrets
            .push(request.client_secret.map(|s| s.expose_secret().to_owned()));
        state.issued.scopes = request.settings.scopes.clone();
        match state.fail_next.take() {
            Some(status) => Err(TokenError::Failed {
                program: "the fake identity provider",
                status,
            }),
            None => Ok(()),
        }
    }
}

impl TokenSource for FakeTokenSource {
    fn login(&self, request: &TokenRequest<'_>, flow: Flow) -> Result<Tokens, TokenError> {
        let mut state = self.state();
        state.issued.logins.push(flow);
        Self::record(&mut state, request)?;
        Ok(Self::respond(&mut state, true))
    }

    fn refresh(
        &self,
        request: &TokenRequest<'_>,
        refresh_token: &SecretString,
    ) -> Result<Tokens, TokenError> {
        let (answer, delay) = {
            let mut state = self.state();
            (
                Self::refreshed(&mut state, request, refresh_token),
                state.delay,
            )
        };
        std::thread::sleep(delay);
        answer
    }
}

impl FakeTokenSource {
    fn refreshed(
        state: &mut State,
        request: &TokenRequest<'_>,
        refresh_token: &SecretString,
    ) -> Result<Tokens, TokenError> {
        let presented = refresh_token.expose_secret().to_owned();
        state.issued.refreshes.push(presented.clone());
        Self::record(state, request)?;
        let Some(at) = state
            .valid_refresh_tokens
            .iter()
            .position(|t| *t == presented)
        else {
            // invalid_grant: what the companion reports with 83.
            return Err(TokenError::Failed {
                program: "the fake identity provider",
                status: crate::exit::SIGN_IN_AGAIN,
            });
        };
        if state.strict {
            state.valid_refresh_tokens.remove(at);
        }
        let rotate = state.send_refresh_token;
        Ok(Self::respond(state, rotate))
    }
}

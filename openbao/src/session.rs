//! The session: the configuration line, then one answer per request line
//! until stdin ends. Every request has its own deadline (`timeout_ms`
//! from when it was read), which bounds all its server calls together.

use std::io::{BufRead, Write};
use std::time::Instant;

use mailcred_core::exit;
use secrecy::SecretString;
use serde::Deserialize;

use crate::auth::Tokens;
use crate::classify;
use crate::config::Config;
use crate::failure::{Failure, Kind};
use crate::http::{self, Http};
use crate::protocol::{Answer, Request, read_line};

const LOOKUP_SELF: &str = "auth/token/lookup-self";
const HEALTH: &str = "sys/health";

/// A configured session.
pub struct Session {
    pub(crate) config: Config,
    pub(crate) http: Http,
    tokens: Tokens,
}

/// Runs a whole session on `input`, answering on `output`; returns the
/// exit status.
pub fn run(input: &mut dyn BufRead, output: &mut dyn Write) -> u8 {
    let mut session = match read_line(input) {
        Ok(Some(Ok(line))) => match Config::parse(&line).and_then(Session::new) {
            Ok(session) => session,
            Err(failure) => return fail_config(output, failure),
        },
        Ok(Some(Err(failure))) => {
            return fail_config(
                output,
                Failure {
                    kind: Kind::BadConfig,
                    ..failure
                },
            );
        }
        // No configuration: nothing was asked.
        Ok(None) => return exit::SUCCESS,
        Err(_) => return exit::IO_ERROR,
    };
    loop {
        let answer = match read_line(input) {
            Ok(Some(Ok(line))) => match Request::parse(&line) {
                Ok(request) => session.answer(request),
                Err(failure) => failure.into(),
            },
            Ok(Some(Err(failure))) => failure.into(),
            Ok(None) => return exit::SUCCESS,
            Err(_) => return exit::IO_ERROR,
        };
        let fatal = matches!(
            answer,
            Answer::Error {
                kind: Kind::BadConfig,
                ..
            }
        );
        if answer.write(output).is_err() {
            // mailcred has gone away: nobody is left to answer.
            return exit::IO_ERROR;
        }
        if fatal {
            return exit::CONFIG;
        }
    }
}

fn fail_config(output: &mut dyn Write, failure: Failure) -> u8 {
    let _ = Answer::from(failure).write(output);
    exit::CONFIG
}

impl Session {
    /// A session for `config` (reads the CA file; no server call yet).
    pub fn new(config: Config) -> Result<Self, Failure> {
        Ok(Self {
            http: Http::new(&config)?,
            config,
            tokens: Tokens::new(),
        })
    }

    /// The answer to one request.
    pub fn answer(&mut self, request: Request) -> Answer {
        let deadline = Instant::now() + self.config.timeout;
        let result = match request {
            Request::Read { key } => self.read(&key, deadline),
            Request::Write {
                key,
                label,
                data,
                cas,
            } => self.write(&key, &label, &data, cas, deadline),
            Request::Delete { key } => self.delete(&key, deadline),
            Request::Ping => self.ping(deadline),
        };
        result.unwrap_or_else(Answer::from)
    }

    /// `method` on `path` with the session's token. A 403 is a denial of
    /// `capability` unless lookup-self says the token itself is refused;
    /// then a cached AppRole token is replaced once and the call repeated.
    pub(crate) fn authorized(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
        capability: &str,
        deadline: Instant,
    ) -> Result<http::Answer, Failure> {
        loop {
            let token = self.tokens.get(&self.config, &self.http, deadline)?;
            let answer = self.http.call(method, path, Some(token), body, deadline)?;
            if answer.status != 403 {
                return Ok(answer);
            }
            let lookup = self
                .http
                .call("GET", LOOKUP_SELF, Some(token), None, deadline)?;
            if !classify::is_invalid_token(&lookup) {
                return Err(classify::denied(&self.config.address, path, capability));
            }
            if !self.tokens.refused(&self.config, &self.http, deadline)? {
                unreachable!("refused either retries or fails");
            }
        }
    }

    fn ping(&mut self, deadline: Instant) -> Result<Answer, Failure> {
        let health = self.http.call("GET", HEALTH, None, None, deadline)?;
        let state: Health = serde_json::from_slice(&health.body)
            .map_err(|_| classify::bad_answer(&self.config.address, HEALTH, "no health JSON"))?;
        if state.sealed {
            return Err(Failure::new(
                Kind::Sealed,
                format!(
                    "{} is sealed: it must be unsealed (`bao operator unseal`) by its operators",
                    self.config.address
                ),
            )
            .at(HEALTH));
        }
        if !state.initialized {
            return Err(Failure::new(
                Kind::Sealed,
                format!(
                    "{} is not initialized yet (`bao operator init`)",
                    self.config.address
                ),
            )
            .at(HEALTH));
        }
        let answer = self.authorized("GET", LOOKUP_SELF, None, "read", deadline)?;
        if answer.status != 200 {
            return Err(classify::failure(
                &self.config.address,
                &answer,
                LOOKUP_SELF,
                "read",
            ));
        }
        let lookup: Lookup = serde_json::from_slice(&answer.body).map_err(|_| {
            classify::bad_answer(&self.config.address, LOOKUP_SELF, "no token data")
        })?;
        // Vault's health answer says whether it is Enterprise; OpenBao's
        // has no such field (measured on 2.7.2).
        let product = if state.enterprise.is_some() {
            "Vault"
        } else {
            "OpenBao"
        };
        let role = if state.standby { " (standby)" } else { "" };
        Ok(Answer::Ready {
            server: format!("{product} {}{role}", state.version),
            token_ttl_seconds: lookup.data.ttl,
            policies: lookup.data.policies,
        })
    }
}

#[derive(Deserialize)]
struct Health {
    #[serde(default)]
    initialized: bool,
    #[serde(default)]
    sealed: bool,
    #[serde(default)]
    standby: bool,
    #[serde(default)]
    version: String,
    #[serde(default)]
    enterprise: Option<bool>,
}

#[derive(Deserialize)]
struct Lookup {
    data: LookupData,
}

#[derive(Deserialize)]
struct LookupData {
    #[serde(default)]
    ttl: u64,
    #[serde(default)]
    policies: Vec<String>,
    // The token's own id is in this answer too: read into a secret, so it
    // is zeroed, and never shown.
    #[serde(default, rename = "id")]
    _id: Option<SecretString>,
}

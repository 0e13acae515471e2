//! An identity provider's refusal, or a request that brought no answer,
//! turned into plain words with what to do and a status from the one table.
//! Microsoft names its reasons by AADSTS number (in `error_codes` and at the
//! start of `error_description`); Google only by `error` and its text.

use std::fmt;

use mailcred_core::exit;
use serde::{Deserialize, Serialize};

use crate::failure::{Failure, server_text};
use crate::http::HttpError;
use crate::request::Provider;

/// An error body as Microsoft's and Google's token endpoints send it
/// (RFC 6749 §5.2 plus Microsoft's `error_codes`; other fields are ignored).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct ProviderError {
    /// The RFC 6749 error code (`invalid_grant`, …).
    pub error: String,
    /// The provider's explanation (hostile text).
    #[serde(default)]
    pub error_description: Option<String>,
    /// Microsoft's AADSTS numbers.
    #[serde(default)]
    pub error_codes: Vec<u64>,
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error)
    }
}

impl oauth2::ErrorResponse for ProviderError {}

impl ProviderError {
    /// The AADSTS numbers: `error_codes`, else the one the description starts with.
    pub fn codes(&self) -> Vec<u64> {
        if !self.error_codes.is_empty() {
            return self.error_codes.clone();
        }
        let description = self.error_description.as_deref().unwrap_or_default();
        description
            .strip_prefix("AADSTS")
            .map(|rest| {
                rest.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
            })
            .and_then(|digits| digits.parse().ok())
            .into_iter()
            .collect()
    }

    fn said(&self) -> String {
        match self.error_description.as_deref() {
            Some(text) if !text.trim().is_empty() => server_text(text),
            _ => server_text(&self.error),
        }
    }
}

/// Which request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// The code of the browser flow exchanged for tokens.
    AuthorizationCode,
    /// A refresh token exchanged for new tokens.
    Refresh,
    /// The device flow (its start or its polling).
    Device,
}

/// What a message needs to know about the account.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The mailcred account name.
    pub account: &'a str,
    /// The provider of the account.
    pub provider: Provider,
    /// Microsoft's tenant (id, domain, `organizations`, …).
    pub tenant: Option<&'a str>,
    /// The client id used.
    pub client_id: &'a str,
    /// The request that was refused.
    pub grant: Grant,
}

impl Context<'_> {
    fn sign_in_again(&self, what: String) -> Failure {
        Failure::new(
            exit::SIGN_IN_AGAIN,
            format!(
                "{}: {what}; sign in again with `mailcred login {}`",
                self.account, self.account
            ),
        )
    }

    fn fail(&self, status: u8, what: String) -> Failure {
        Failure::new(status, format!("{}: {what}", self.account))
    }
}

/// The failure for an identity provider's refusal `err` of `ctx.grant`.
pub fn refusal(err: &ProviderError, ctx: &Context) -> Failure {
    let codes = err.codes();
    let has = |code: u64| codes.contains(&code);
    let said = err.said();
    let tenant = ctx
        .tenant
        .filter(|t| !t.is_empty())
        .unwrap_or("organizations");
    if has(65001) {
        return ctx.fail(
            exit::NO_PERMISSION,
            format!(
                "the app (client id {}) has not been given consent in your organisation ({said}): an administrator can grant it at https://login.microsoftonline.com/{tenant}/adminconsent?client_id={}",
                ctx.client_id, ctx.client_id
            ),
        );
    }
    if has(53003) {
        let advice = if ctx.grant == Grant::Device {
            "blocked by Conditional Access; try the browser flow (without --device)"
        } else {
            "blocked by Conditional Access: your organisation's policy does not allow this sign-in here; ask its administrator"
        };
        return ctx.fail(exit::NO_PERMISSION, format!("{advice} ({said})"));
    }
    if has(50076) || has(50079) {
        let what = format!("multi-factor authentication is now required ({said})");
        return match ctx.grant {
            Grant::Refresh => ctx.sign_in_again(what),
            _ => ctx.fail(
                exit::NO_PERMISSION,
                format!("{what}: complete it in the browser when signing in"),
            ),
        };
    }
    if has(700016) {
        return ctx.fail(
            exit::CONFIG,
            format!(
                "the client id {} is not known in the tenant {tenant} ({said}): check --client-id and --tenant, or register an app of your own (see the README)",
                ctx.client_id
            ),
        );
    }
    if has(7000218) || err.error == "invalid_client" || err.error == "unauthorized_client" {
        return ctx.fail(
            exit::CONFIG,
            format!(
                "the identity provider does not accept the client id {} for this sign-in ({said}): check the client id and secret, and for an Entra app allow public client flows",
                ctx.client_id
            ),
        );
    }
    match err.error.as_str() {
        "invalid_grant" if ctx.grant == Grant::Refresh => {
            let what = if ctx.provider == Provider::Gmail || said.contains("expired or revoked") {
                format!(
                    "Google no longer accepts the refresh token ({said}); Google ends the refresh tokens of apps in \"Testing\" status after 7 days: publish the app or sign in again each week"
                )
            } else {
                format!("the refresh token is no longer valid ({said})")
            };
            ctx.sign_in_again(what)
        }
        "access_denied" | "authorization_declined" => ctx.fail(
            exit::NO_PERMISSION,
            format!("the sign-in was declined ({said})"),
        ),
        "expired_token" => ctx.fail(
            exit::TEMPORARY,
            format!(
                "the code expired before the sign-in was completed ({said}); run the login again"
            ),
        ),
        "temporarily_unavailable" => ctx.fail(
            exit::TEMPORARY,
            format!("the identity provider is busy ({said}); try again later"),
        ),
        "invalid_scope" => ctx.fail(
            exit::CONFIG,
            format!("the identity provider refused the scopes asked for ({said}); check --scope"),
        ),
        "invalid_request" | "unsupported_grant_type" => ctx.fail(
            exit::PROTOCOL,
            format!("the identity provider refused the request as malformed ({said})"),
        ),
        _ if ctx.grant == Grant::Refresh && (has(70000) || has(70008) || has(700082)) => {
            ctx.sign_in_again(format!("the refresh token is no longer valid ({said})"))
        }
        _ => ctx.fail(
            exit::NO_PERMISSION,
            format!("the identity provider refused the sign-in ({said})"),
        ),
    }
}

/// The failure for a request that brought no answer to parse.
pub fn transport(err: &HttpError, ctx: &Context) -> Failure {
    let status = match err {
        HttpError::PlainHttp(_) => exit::CONFIG,
        HttpError::Unreachable { .. } => exit::SERVER_UNAVAILABLE,
        HttpError::Timeout { .. } | HttpError::ServerStatus { .. } => exit::TEMPORARY,
        HttpError::Malformed { .. } => exit::PROTOCOL,
    };
    let advice = match status {
        exit::SERVER_UNAVAILABLE => "; check the network and the proxy (HTTPS_PROXY)",
        exit::TEMPORARY => "; try again later",
        _ => "",
    };
    ctx.fail(status, format!("{}{advice}", server_text(&err.to_string())))
}

/// The failure for an answer that is not what a token endpoint sends.
pub fn malformed(what: &str, ctx: &Context) -> Failure {
    ctx.fail(
        exit::PROTOCOL,
        format!("the identity provider sent {what}; nothing was saved"),
    )
}

#[cfg(test)]
#[path = "classify_tests.rs"]
mod tests;

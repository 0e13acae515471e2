//! The oauth2 crate's client, set up from a request, and its answers
//! checked before they become [`Tokens`].
//!
//! oauth2's secret newtypes (`AccessToken`, `RefreshToken`,
//! `AuthorizationCode`, `PkceCodeVerifier`) redact themselves in `Debug` but
//! do not zeroize their memory; the values are moved into `SecretString`s as
//! soon as they arrive, and the process is non-dumpable and lives for one
//! request, which bounds what a copy left in freed memory can reveal.

use std::time::{SystemTime, UNIX_EPOCH};

use oauth2::basic::{
    BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenResponse,
};
use oauth2::{
    AuthType, ClientId, ClientSecret, EndpointNotSet, EndpointSet, RequestTokenError,
    StandardRevocableToken, TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};

use crate::classify::{self, Context, ProviderError};
use crate::endpoint;
use crate::failure::Failure;
use crate::http::HttpError;
use crate::request::{Request, Tokens};
use mailcred_core::exit;

/// The longest token accepted (Entra access tokens are a few KiB).
pub const MAX_TOKEN: usize = 16 * 1024;
/// The lifetime assumed when the server does not say (RFC 6749 leaves it open).
const DEFAULT_LIFETIME: u64 = 3600;
/// No access token is trusted for longer than this, whatever the server says.
const MAX_LIFETIME: u64 = 366 * 24 * 3600;

/// oauth2's client with our error type and a token URL.
pub type OAuthClient<HasAuthUrl = EndpointNotSet, HasDeviceUrl = EndpointNotSet> = oauth2::Client<
    ProviderError,
    BasicTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    HasAuthUrl,
    HasDeviceUrl,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The error of one oauth2 request over [`crate::http::Http`].
pub type OAuthError = RequestTokenError<HttpError, ProviderError>;

/// The client for `request`: token URL checked, client secret (Google's
/// desktop clients) sent in the body as Google's and Microsoft's examples do.
pub fn client(request: &Request) -> Result<OAuthClient, Failure> {
    let client_id = request.client_id()?;
    let token_url =
        endpoint::checked("token_url", &request.token_url).map_err(|err| config(request, err))?;
    let mut client = oauth2::Client::new(ClientId::new(client_id.to_owned()))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(TokenUrl::from_url(token_url));
    if let Some(secret) = &request.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.expose_secret().to_owned()));
    }
    Ok(client)
}

/// A configuration failure of `request`'s account.
pub fn config(request: &Request, err: impl std::fmt::Display) -> Failure {
    Failure::new(exit::CONFIG, format!("{}: {err}", request.account))
}

/// The failure for an oauth2 request that did not bring tokens.
pub fn failure(err: OAuthError, ctx: &Context) -> Failure {
    match err {
        RequestTokenError::ServerResponse(refusal) => classify::refusal(&refusal, ctx),
        RequestTokenError::Request(http) => classify::transport(&http, ctx),
        // The body is not shown: it is hostile and may hold a token.
        RequestTokenError::Parse(_, _) => {
            classify::malformed("an answer that is not a token response", ctx)
        }
        RequestTokenError::Other(_) => classify::malformed("an empty or unusable answer", ctx),
    }
}

/// `answer` as [`Tokens`], if every part of it is within bounds.
pub fn tokens(answer: BasicTokenResponse, ctx: &Context) -> Result<Tokens, Failure> {
    let access = checked_token(answer.access_token().secret(), "access token", ctx)?;
    let refresh = answer
        .refresh_token()
        .map(|t| checked_token(t.secret(), "refresh token", ctx))
        .transpose()?;
    let scope = match answer.scopes() {
        Some(scopes) => {
            let joined = scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            if joined.len() > MAX_TOKEN || !joined.chars().all(|c| c == ' ' || is_scope_char(c)) {
                return Err(classify::malformed(
                    "a scope list with characters a scope cannot have",
                    ctx,
                ));
            }
            Some(joined)
        }
        None => None,
    };
    let lifetime = answer
        .expires_in()
        .map(|d| d.as_secs())
        .unwrap_or(DEFAULT_LIFETIME)
        .min(MAX_LIFETIME);
    Ok(Tokens {
        access_token: access,
        refresh_token: refresh,
        expires_at: now().saturating_add(lifetime),
        scope,
    })
}

fn checked_token(text: &str, what: &str, ctx: &Context) -> Result<SecretString, Failure> {
    if text.is_empty() {
        return Err(classify::malformed(&format!("an empty {what}"), ctx));
    }
    if text.len() > MAX_TOKEN {
        return Err(classify::malformed(
            &format!("an {what} over {} KiB", MAX_TOKEN / 1024),
            ctx,
        ));
    }
    // RFC 6750's b64token and every real provider's tokens are visible ASCII;
    // anything else would break the credential protocols mailcred speaks.
    if !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(classify::malformed(
            &format!("an {what} with characters a token cannot have"),
            ctx,
        ));
    }
    Ok(SecretString::from(text.to_owned()))
}

/// RFC 6749 §3.3: `%x21 / %x23-5B / %x5D-7E`.
fn is_scope_char(c: char) -> bool {
    c.is_ascii_graphic() && c != '"' && c != '\\'
}

/// Unix seconds now.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

//! `mailcred-oauth refresh`: a refresh token (and the request's scopes)
//! exchanged for a new access token, and the new refresh token the provider
//! rotated in, if any.

use mailcred_core::exit;
use oauth2::{RefreshToken, Scope};
use secrecy::ExposeSecret;

use crate::classify::{Context, Grant};
use crate::client;
use crate::failure::Failure;
use crate::http::Http;
use crate::request::{Request, Tokens};

/// Refreshes the tokens of `request`.
pub fn refresh(request: &Request) -> Result<Tokens, Failure> {
    let ctx = Context {
        account: &request.account,
        provider: request.provider,
        tenant: request.tenant.as_deref(),
        client_id: request.client_id()?,
        grant: Grant::Refresh,
    };
    let Some(refresh_token) = &request.refresh_token else {
        return Err(Failure::new(
            exit::SIGN_IN_AGAIN,
            format!(
                "{}: no refresh token is stored; sign in again with `mailcred login {}`",
                request.account, request.account
            ),
        ));
    };
    let client = client::client(request)?;
    let token = RefreshToken::new(refresh_token.expose_secret().to_owned());
    let answer = client
        .exchange_refresh_token(&token)
        .add_scopes(request.scopes.iter().cloned().map(Scope::new))
        .request(&Http::new())
        .map_err(|err| client::failure(err, &ctx))?;
    client::tokens(answer, &ctx)
}

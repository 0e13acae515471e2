//! The JSON mailcred and mailcred-oauth exchange (the design note's §2):
//! one request object on the first line of the companion's stdin, one
//! response object on its stdout.

use std::borrow::Cow;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use super::{Flow, LOGIN_TIMEOUT_SECONDS, TokenRequest, Tokens};

/// The most a response may hold: tokens of a few kilobytes, and a scope.
pub const MAX_RESPONSE_BYTES: usize = 256 << 10;

/// The longest token accepted (Entra's access tokens are 1,500 to 4,000
/// characters; the keyring stores keep up to 16 KiB in parts).
const MAX_TOKEN_BYTES: usize = 16 << 10;

/// The request, field for field, borrowing the exposed secrets so that
/// their only copy is the wiped buffer it is written into.
#[derive(Serialize)]
struct Request<'a> {
    account: &'a str,
    user: &'a str,
    provider: &'a str,
    authorize_url: &'a str,
    token_url: &'a str,
    device_url: Option<&'a str>,
    client_id: &'a str,
    client_secret: Option<&'a str>,
    scopes: &'a [String],
    tenant: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    flow: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout_seconds: Option<u64>,
}

/// What a `login` (with `flow`) or a `refresh` (with `refresh_token`)
/// sends: one JSON line, in a wiped buffer.
pub fn request_line(
    request: &TokenRequest<'_>,
    flow: Option<Flow>,
    refresh_token: Option<&SecretString>,
) -> Zeroizing<Vec<u8>> {
    let settings = request.settings;
    let wire = Request {
        account: request.account,
        user: request.user,
        provider: request.provider.name(),
        authorize_url: &settings.authorize_url,
        token_url: &settings.token_url,
        device_url: settings.device_url.as_deref(),
        client_id: &settings.client_id,
        client_secret: request.client_secret.map(|s| s.expose_secret()),
        scopes: &settings.scopes,
        tenant: settings.tenant.as_deref(),
        refresh_token: refresh_token.map(|s| s.expose_secret()),
        flow: flow.map(Flow::name),
        timeout_seconds: flow.map(|_| LOGIN_TIMEOUT_SECONDS),
    };
    // Reserved up front: a growing Vec would leave unwiped copies behind.
    let mut line = Zeroizing::new(Vec::with_capacity(64 << 10));
    serde_json::to_writer(&mut *line, &wire).expect("writing JSON into memory cannot fail");
    line.push(b'\n');
    line
}

/// The response; strings borrowed from the wiped buffer unless JSON
/// escapes made a copy necessary (then the copy is wiped on drop).
#[derive(Deserialize)]
struct Response<'a> {
    #[serde(borrow)]
    access_token: Cow<'a, str>,
    #[serde(borrow, default)]
    refresh_token: Option<Cow<'a, str>>,
    expires_at: u64,
    #[serde(default)]
    scope: Option<String>,
}

/// Reads the companion's stdout: exactly one JSON object.
pub fn parse_response(bytes: &[u8]) -> Result<Tokens, &'static str> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8")?;
    let mut response: Response<'_> =
        serde_json::from_str(text.trim_end()).map_err(|_| "not one JSON object of tokens")?;
    let result = tokens(&response);
    wipe(&mut response.access_token);
    if let Some(refresh) = &mut response.refresh_token {
        wipe(refresh);
    }
    result
}

fn tokens(response: &Response<'_>) -> Result<Tokens, &'static str> {
    let access_token = checked(&response.access_token).map_err(|odd| match odd {
        Odd::Length => "the access token is empty or too long",
        Odd::Characters => "the access token has characters no token has",
    })?;
    let refresh_token = match &response.refresh_token {
        Some(token) => Some(checked(token).map_err(|odd| match odd {
            Odd::Length => "the refresh token is empty or too long",
            Odd::Characters => "the refresh token has characters no token has",
        })?),
        None => None,
    };
    if response.expires_at == 0 {
        return Err("no expiry");
    }
    Ok(Tokens {
        access_token,
        refresh_token,
        expires_at: response.expires_at,
        scope: response.scope.clone(),
    })
}

/// A token as a secret, if it is one a mail program can be handed: not
/// empty, not huge, printable ASCII (no line break that would end msmtp's
/// password line or add a line to git's answer).
fn checked(token: &str) -> Result<SecretString, Odd> {
    if token.is_empty() || token.len() > MAX_TOKEN_BYTES {
        return Err(Odd::Length);
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Odd::Characters);
    }
    Ok(SecretString::from(token))
}

/// What is wrong with a token.
enum Odd {
    Length,
    Characters,
}

fn wipe(text: &mut Cow<'_, str>) {
    if let Cow::Owned(owned) = text {
        owned.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{OAuthSettings, Provider};

    fn settings() -> OAuthSettings {
        OAuthSettings {
            authorize_url: "http://127.0.0.1:1/t/oauth2/v2.0/authorize".into(),
            token_url: "http://127.0.0.1:1/t/oauth2/v2.0/token".into(),
            device_url: None,
            client_id: "client".into(),
            scopes: vec!["a".into(), "offline_access".into()],
            tenant: Some("t".into()),
            client_secret: false,
        }
    }

    #[test]
    fn a_refresh_request_is_one_line_carrying_the_refresh_token_and_no_flow() {
        let settings = settings();
        let request = TokenRequest {
            account: "work",
            user: "me@example.com",
            provider: Provider::Custom,
            settings: &settings,
            client_secret: None,
        };
        let line = request_line(&request, None, Some(&SecretString::from("rt-1")));
        let text = std::str::from_utf8(&line).unwrap();
        assert_eq!(text.matches('\n').count(), 1, "{text}");
        let json: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(json["refresh_token"], "rt-1");
        assert_eq!(json["provider"], "custom");
        assert_eq!(json["client_secret"], serde_json::Value::Null);
        assert!(json.get("flow").is_none(), "{text}");
    }

    #[test]
    fn a_response_with_escapes_or_without_a_refresh_token_reads() {
        let tokens =
            parse_response(br#"{"access_token":"a\/b","refresh_token":null,"expires_at":5}"#)
                .unwrap();
        assert_eq!(tokens.access_token.expose_secret(), "a/b");
        assert!(tokens.refresh_token.is_none());
        assert_eq!(tokens.expires_at, 5);
    }

    #[test]
    fn a_token_with_a_line_break_or_two_objects_is_refused() {
        assert!(parse_response(br#"{"access_token":"a\nb","expires_at":5}"#).is_err());
        assert!(
            parse_response(br#"{"access_token":"a","expires_at":5}{"access_token":"b"}"#).is_err()
        );
        assert!(parse_response(b"").is_err());
    }
}

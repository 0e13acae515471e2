//! The device flow (RFC 8628) for headless machines: oauth2 asks for the
//! codes; the polling is ours. oauth2's own polling loop keeps polling
//! through network failures until the code expires (up to 15 minutes at
//! Microsoft), where a person wants to hear at once that the provider cannot
//! be reached, and it knows nothing of our overall deadline.

use std::io::Write;
use std::thread;
use std::time::{Duration, Instant};

use mailcred_core::exit;
use mailcred_core::terminal::printable;
use oauth2::basic::BasicTokenResponse;
use oauth2::http::{self, Method, header};
use oauth2::url::form_urlencoded;
use oauth2::{DeviceAuthorizationUrl, EmptyExtraDeviceAuthorizationFields, Scope};
use oauth2::{StandardDeviceAuthorizationResponse, TokenUrl};
use secrecy::ExposeSecret;
use zeroize::Zeroizing;

use crate::classify::{self, Context, Grant, ProviderError};
use crate::client;
use crate::endpoint;
use crate::failure::Failure;
use crate::http::Http;
use crate::request::{Provider, Request, Tokens};

const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// RFC 8628 §3.5: each `slow_down` adds five seconds to the interval.
const SLOW_DOWN: Duration = Duration::from_secs(5);
const MAX_USER_CODE: usize = 64;

/// Signs in with the device flow.
pub fn device_flow(request: &Request, stderr: &mut dyn Write) -> Result<Tokens, Failure> {
    let ctx = Context {
        account: &request.account,
        provider: request.provider,
        tenant: request.tenant.as_deref(),
        client_id: request.client_id()?,
        grant: Grant::Device,
    };
    let device_url = match (request.provider, request.device_url.as_deref()) {
        (Provider::Gmail, _) | (_, None) => {
            let why = if request.provider == Provider::Gmail {
                "Google does not allow the device flow for mail scopes"
            } else {
                "the account's identity provider has no device flow (no device URL)"
            };
            return Err(Failure::new(
                exit::USAGE,
                format!("{}: {why}; sign in without --device", request.account),
            ));
        }
        (_, Some(url)) => {
            endpoint::checked("device_url", url).map_err(|e| client::config(request, e))?
        }
    };
    let client = client::client(request)?
        .set_device_authorization_url(DeviceAuthorizationUrl::from_url(device_url));
    let http = Http::new();
    let codes: StandardDeviceAuthorizationResponse = client
        .exchange_device_code()
        .add_scopes(request.scopes.iter().cloned().map(Scope::new))
        .request::<_, EmptyExtraDeviceAuthorizationFields>(&http)
        .map_err(|err| client::failure(err, &ctx))?;

    let user_code = codes.user_code().secret();
    let verification = endpoint::checked("verification_uri", codes.verification_uri().as_str());
    if user_code.is_empty() || user_code.len() > MAX_USER_CODE || verification.is_err() {
        return Err(classify::malformed(
            "a device code or verification address that cannot be shown",
            &ctx,
        ));
    }
    let _ = writeln!(
        stderr,
        "mailcred: to sign in to {}, open {} in a browser on any device and enter the code {}",
        printable(&request.account),
        printable(codes.verification_uri().as_str()),
        printable(user_code)
    );

    let expires = Instant::now() + codes.expires_in();
    let timeout = Instant::now() + request.login_timeout();
    let deadline = expires.min(timeout);
    let mut interval = codes.interval().max(Duration::from_secs(1));
    let token_url = client.token_uri();
    loop {
        if Instant::now() + interval > deadline {
            let what = if deadline == expires {
                "the code expired before the sign-in was completed".to_owned()
            } else {
                format!(
                    "the sign-in did not finish within {} seconds",
                    request.login_timeout().as_secs()
                )
            };
            return Err(Failure::new(
                exit::TEMPORARY,
                format!(
                    "{}: {what}; run `mailcred login {}` again",
                    request.account, request.account
                ),
            ));
        }
        thread::sleep(interval);
        match poll(
            &http,
            token_url,
            request,
            codes.device_code().secret(),
            &ctx,
        )? {
            Poll::Done(tokens) => return Ok(tokens),
            Poll::Pending => {}
            Poll::SlowDown => interval += SLOW_DOWN,
        }
    }
}

enum Poll {
    Done(Tokens),
    Pending,
    SlowDown,
}

/// One poll of the token endpoint (RFC 8628 §3.4).
fn poll(
    http: &Http,
    token_url: &TokenUrl,
    request: &Request,
    device_code: &str,
    ctx: &Context,
) -> Result<Poll, Failure> {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("grant_type", GRANT_TYPE)
        .append_pair("device_code", device_code)
        .append_pair("client_id", ctx.client_id);
    if let Some(secret) = &request.client_secret {
        form.append_pair("client_secret", secret.expose_secret());
    }
    let body = Zeroizing::new(form.finish());
    let post = http::Request::builder()
        .method(Method::POST)
        .uri(token_url.as_str())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body.as_bytes().to_vec())
        .map_err(|_| classify::malformed("a token URL that cannot be used", ctx))?;
    let answer = http
        .send(post)
        .map_err(|err| classify::transport(&err, ctx))?;
    if answer.status() == http::StatusCode::OK {
        let tokens: BasicTokenResponse = serde_json::from_slice(answer.body())
            .map_err(|_| classify::malformed("an answer that is not a token response", ctx))?;
        return client::tokens(tokens, ctx).map(Poll::Done);
    }
    let refusal: ProviderError = serde_json::from_slice(answer.body())
        .map_err(|_| classify::malformed("an error that is not an OAuth error", ctx))?;
    match refusal.error.as_str() {
        "authorization_pending" => Ok(Poll::Pending),
        "slow_down" => Ok(Poll::SlowDown),
        _ => Err(classify::refusal(&refusal, ctx)),
    }
}

//! The authorization code flow with PKCE (S256) and a checked `state`, for
//! `browser` and `no-browser`.
//!
//! Redirect URIs: Microsoft's identity platform registers desktop apps'
//! loopback redirect as `http://localhost` and ignores its port; Google's
//! desktop ("installed app") clients take the loopback IP literal
//! `http://127.0.0.1:PORT/` (RFC 8252 §7.3, which Google's loopback guide
//! follows). Both land on our listener bound to 127.0.0.1.

use std::io::{BufRead, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use mailcred_core::exit;
use mailcred_core::terminal::printable;
use oauth2::{AuthUrl, AuthorizationCode, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope};
use secrecy::ExposeSecret;

use super::browser;
use super::listener::{Listener, Redirect, spawn_paste_reader};
use crate::classify::{self, Context, Grant, ProviderError};
use crate::client;
use crate::endpoint;
use crate::failure::Failure;
use crate::http::Http;
use crate::request::{Provider, Request, Tokens};

/// Signs in through a browser; with `paste` (no-browser) the redirected
/// address may also be pasted on it.
pub fn code_flow(
    request: &Request,
    paste: Option<Box<dyn BufRead + Send>>,
    stderr: &mut dyn Write,
) -> Result<Tokens, Failure> {
    let ctx = Context {
        account: &request.account,
        provider: request.provider,
        tenant: request.tenant.as_deref(),
        client_id: request.client_id()?,
        grant: Grant::AuthorizationCode,
    };
    let Some(authorize_url) = request.authorize_url.as_deref() else {
        return Err(client::config(request, "the account has no authorize URL"));
    };
    let authorize_url = endpoint::checked("authorize_url", authorize_url)
        .map_err(|e| client::config(request, e))?;
    let listener = Listener::bind().map_err(|err| {
        Failure::new(
            exit::IO_ERROR,
            format!(
                "{}: no port on 127.0.0.1 could be opened for the sign-in: {err}",
                request.account
            ),
        )
    })?;
    let port = listener.port();
    let host = if request.provider == Provider::Gmail {
        "127.0.0.1"
    } else {
        "localhost"
    };
    let redirect_uri = RedirectUrl::new(format!("http://{host}:{port}/"))
        .map_err(|e| client::config(request, e))?;
    let client = client::client(request)?
        .set_auth_uri(AuthUrl::from_url(authorize_url))
        .set_redirect_uri(redirect_uri);

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut authorize = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(request.scopes.iter().cloned().map(Scope::new))
        .set_pkce_challenge(challenge);
    if let Some(user) = request.user.as_deref().filter(|u| !u.is_empty()) {
        authorize = authorize.add_extra_param("login_hint", user);
    }
    if request.provider == Provider::Gmail {
        // Google hands out a refresh token only when asked for offline access.
        authorize = authorize.add_extra_param("access_type", "offline");
    }
    let (url, state) = authorize.url();

    let (answers, answer) = mpsc::channel();
    let done = Arc::new(AtomicBool::new(false));
    listener
        .spawn(answers.clone(), done.clone())
        .map_err(|err| Failure::new(exit::IO_ERROR, format!("{}: {err}", request.account)))?;
    let shown = printable(url.as_str());
    match paste {
        Some(input) => {
            spawn_paste_reader(input, port, host, answers, done.clone());
            let _ = writeln!(
                stderr,
                "mailcred: to sign in to {account}, open this address in a browser:\n\n{shown}\n\n\
If the browser runs on another machine, forward the port first: ssh -L {port}:localhost:{port} THIS-HOST\n\
Or, when that browser then cannot load http://{host}:{port}/?…, copy the whole address from its address bar, paste it here and press Enter.",
                account = printable(&request.account)
            );
        }
        None => {
            drop(answers);
            match browser::open(url.as_str()) {
                Ok(()) => {
                    let _ = writeln!(
                        stderr,
                        "mailcred: sign in to {} in the browser; if no browser opened, open this address:\n\n{shown}\n",
                        printable(&request.account)
                    );
                }
                Err(why) => {
                    let _ = writeln!(
                        stderr,
                        "mailcred: {why}; to sign in to {}, open this address in a browser:\n\n{shown}\n",
                        printable(&request.account)
                    );
                }
            }
        }
    }
    let timeout = request.login_timeout();
    let received = answer.recv_timeout(timeout);
    done.store(true, Ordering::Relaxed);
    let redirect = received.map_err(|_| {
        Failure::new(
            exit::TEMPORARY,
            format!(
                "{}: the sign-in did not finish within {} seconds; run `mailcred login {}` again",
                request.account,
                timeout.as_secs(),
                request.account
            ),
        )
    })?;
    let code = checked_answer(redirect, state.secret(), &ctx)?;
    let answer = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request(&Http::new())
        .map_err(|err| client::failure(err, &ctx))?;
    client::tokens(answer, &ctx)
}

/// The code of `redirect`, if it is the answer to our request and a success.
fn checked_answer(redirect: Redirect, state: &str, ctx: &Context) -> Result<String, Failure> {
    if let Some(error) = redirect.error {
        let refusal = ProviderError {
            error,
            error_description: redirect.error_description,
            error_codes: Vec::new(),
        };
        return Err(classify::refusal(&refusal, ctx));
    }
    if redirect.state.as_deref() != Some(state) {
        return Err(Failure::new(
            exit::PROTOCOL,
            format!(
                "{}: the answer of the sign-in carries another state than the one sent: it does not belong to this sign-in (an old browser tab, or forged); nothing was saved; run `mailcred login {}` again",
                ctx.account, ctx.account
            ),
        ));
    }
    match redirect.code {
        Some(code) if code.expose_secret().len() <= client::MAX_TOKEN => {
            Ok(code.expose_secret().to_owned())
        }
        _ => Err(classify::malformed(
            "a sign-in answer without a usable code",
            ctx,
        )),
    }
}

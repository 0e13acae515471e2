//! Signing in: `add --auth oauth2` through the browser, a pasted address
//! and the device flow; `login` again once the refresh token is revoked;
//! an app-password account switched to OAuth2 only when the sign-in works.

use mailcred_e2e::Interactive;
use serde_json::json;

use super::*;

#[test]
fn add_signs_in_through_the_browser_and_get_prints_a_token_the_provider_takes() {
    let account = OAuthAccount::signed_in(3600);
    assert_eq!(account.idp.stat("code_exchanges"), 1, "one code exchange");
    account.token();
    let shown = account.mailcred(&["show".into(), ACCOUNT.into()], "");
    assert!(
        shown.success() && shown.stdout.contains("OAuth2") && shown.stdout.contains(CLIENT_ID),
        "show tells how the account signs in:\n{shown}"
    );
}

#[test]
fn add_with_no_browser_takes_the_address_the_sign_in_ended_on_pasted_on_stdin() {
    let account = OAuthAccount::start();
    let mut add =
        Interactive::start(account.command(MAILCRED, &account.add_args(&["--no-browser"])));
    let url = add.wait_for(|line| {
        line.trim()
            .starts_with("http://127.0.0.1:")
            .then(|| line.trim().to_owned())
    });
    let redirect = account.idp.redirect_of(&url);
    add.answer(&redirect);
    let added = add.finish();
    assert!(
        added.success() && added.stdout.contains("signed in with OAuth2"),
        "the pasted address completes the sign-in:\n{added}"
    );
    account.token();
}

#[test]
fn add_with_device_signs_in_by_the_device_flow() {
    let account = OAuthAccount::start();
    let added = account.mailcred(&account.add_args(&["--device"]), "");
    assert!(
        added.success() && added.stderr.contains("/devicelogin"),
        "the device flow shows where to enter the code, then signs in:\n{added}"
    );
    assert!(account.idp.stat("device_polls") >= 1);
    account.token();
}

#[test]
fn a_revoked_refresh_token_needs_login_which_signs_in_again() {
    let account = OAuthAccount::signed_in(1);
    account
        .idp
        .control(json!({ "revoke_refresh_tokens": true, "access_lifetime": 3600 }));
    assert_sign_in_again(&account.get());

    let login = account.mailcred(&["login".into(), ACCOUNT.into()], "");
    assert!(login.success(), "login signs in again:\n{login}");
    account.token();
}

#[test]
fn an_app_password_account_switched_to_oauth2_keeps_its_password_until_the_sign_in_works() {
    let account = OAuthAccount::start();
    let added = account.mailcred(
        &[
            "add",
            ACCOUNT,
            "--provider",
            "custom",
            "--user",
            USER,
            "--host",
            "smtp.example.com",
            "--password-stdin",
        ]
        .map(String::from),
        "the-app-password\n",
    );
    assert!(added.success(), "{added}");
    let endpoints = account.idp.endpoints();
    let switch: Vec<String> = [
        "login".to_owned(),
        ACCOUNT.into(),
        "--auth".into(),
        "oauth2".into(),
        "--client-id".into(),
        CLIENT_ID.into(),
        "--oauth-authorize-url".into(),
        format!("{endpoints}authorize"),
        "--oauth-token-url".into(),
        format!("{endpoints}token"),
        "--scope".into(),
        "offline_access".into(),
    ]
    .into();

    account.idp.control(json!({ "authorize": "deny" }));
    let refused = account.mailcred(&switch, "");
    assert_eq!(
        refused.code,
        Some(mailcred_core::exit::NO_PERMISSION as i32),
        "a declined consent fails the switch:\n{refused}"
    );
    let kept = account.get();
    assert_eq!(
        kept.stdout, "the-app-password\n",
        "a failed switch leaves the app password served:\n{kept}"
    );

    account.idp.control(json!({ "authorize": "approve" }));
    let switched = account.mailcred(&switch, "");
    assert!(
        switched.success() && switched.stdout.contains("app password was removed"),
        "{switched}"
    );
    account.token();
}

#[test]
fn a_client_secret_read_from_stdin_signs_in_and_is_sent_with_every_refresh() {
    let account = OAuthAccount::start();
    account
        .idp
        .control(json!({ "client_secret": "desktop-client-secret", "access_lifetime": 1 }));
    let added = account.mailcred(
        &account.add_args(&["--client-secret-stdin"]),
        "desktop-client-secret\n",
    );
    assert!(
        added.success(),
        "the token requests carry the secret read from stdin:\n{added}"
    );
    account.token();
    assert_eq!(
        account.idp.stat("refreshes"),
        1,
        "the refresh carried the kept client secret (idp.py refuses it otherwise)"
    );
    let shown = account.mailcred(&["show".into(), "--json".into(), ACCOUNT.into()], "");
    assert!(
        shown.success() && !shown.stdout.contains("desktop-client-secret"),
        "the account file holds no secret:\n{shown}"
    );
}

use mailcred_core::exit;
use serde_json::{Value, json};

use crate::support::{Idp, Run, companion};

fn refresh(idp: &Idp, refresh_token: &Value) -> Run {
    let mut request = idp.request("browser");
    request["refresh_token"] = refresh_token.clone();
    companion("refresh", &request, &[])
}

#[test]
fn a_refresh_returns_a_new_access_token_and_the_rotated_refresh_token() {
    let idp = Idp::start();
    let first = idp.signed_in();
    let run = refresh(&idp, &first["refresh_token"]);
    assert_eq!(run.code, Some(0), "{run}");
    let answer = run.answer();
    assert_ne!(
        answer["access_token"], first["access_token"],
        "a new access token"
    );
    assert!(
        answer["refresh_token"].is_string(),
        "the rotated refresh token is handed on"
    );
    assert_ne!(
        answer["refresh_token"], first["refresh_token"],
        "Microsoft rotates on every refresh"
    );
    assert_eq!(
        idp.introspect(answer["access_token"].as_str().unwrap())["active"],
        true
    );
    assert_eq!(
        idp.requests("token")[1]["params"]["scope"],
        "https://outlook.office.com/SMTP.Send offline_access",
        "the refresh asks for the request's scopes"
    );
}

#[test]
fn with_lenient_rotation_the_old_refresh_token_still_works() {
    let idp = Idp::start();
    let first = idp.signed_in();
    assert_eq!(refresh(&idp, &first["refresh_token"]).code, Some(0));
    let again = refresh(&idp, &first["refresh_token"]);
    assert_eq!(
        again.code,
        Some(0),
        "Microsoft keeps a used refresh token valid:\n{again}"
    );
}

#[test]
fn with_strict_rotation_a_used_refresh_token_means_sign_in_again() {
    let idp = Idp::start();
    idp.control(json!({"rotation": "strict"}));
    let first = idp.signed_in();
    let second = refresh(&idp, &first["refresh_token"]);
    assert_eq!(second.code, Some(0), "{second}");
    let old = first["refresh_token"].as_str().unwrap();
    refresh(&idp, &first["refresh_token"]).assert_failed(
        exit::SIGN_IN_AGAIN,
        "sign in again with `mailcred login work`",
        &[old],
    );
    assert_eq!(
        refresh(&idp, &second.answer()["refresh_token"]).code,
        Some(0),
        "the rotated refresh token is the valid one"
    );
}

#[test]
fn a_refresh_without_a_new_refresh_token_answers_null() {
    let idp = Idp::start();
    let first = idp.signed_in();
    idp.control(json!({"send_refresh_token": false}));
    let run = refresh(&idp, &first["refresh_token"]);
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(
        run.answer()["refresh_token"],
        Value::Null,
        "no refresh token sent: null, not a guess"
    );
}

#[test]
fn without_expires_in_the_access_token_is_taken_to_last_an_hour() {
    let idp = Idp::start();
    let first = idp.signed_in();
    idp.control(json!({"send_expires_in": false, "access_lifetime": 60}));
    let run = refresh(&idp, &first["refresh_token"]);
    let answer = run.answer();
    let expires_at = answer["expires_at"].as_u64().unwrap();
    let first_expiry = first["expires_at"].as_u64().unwrap();
    assert!(
        expires_at >= first_expiry,
        "an hour from now is no earlier than the first token's hour: {expires_at} vs {first_expiry}"
    );
}

#[test]
fn a_refresh_without_a_refresh_token_means_sign_in_again() {
    let idp = Idp::start();
    refresh(&idp, &Value::Null).assert_failed(exit::SIGN_IN_AGAIN, "mailcred login work", &[]);
    assert_eq!(idp.stats()["token_requests"], 0);
}

#[test]
fn a_client_secret_is_sent_to_the_token_endpoint_and_never_shown() {
    let idp = Idp::start();
    let first = idp.signed_in();
    idp.control(json!({"client_secret": "google-desktop-secret"}));
    let mut request = idp.request("browser");
    request["refresh_token"] = first["refresh_token"].clone();
    request["client_secret"] = json!("google-desktop-secret");
    let run = companion("refresh", &request, &[]);
    assert_eq!(
        run.code,
        Some(0),
        "the secret the server wants is sent:\n{run}"
    );
    request["client_secret"] = json!("a-wrong-client-secret");
    companion("refresh", &request, &[]).assert_failed(
        exit::CONFIG,
        "check the client id and secret",
        &[
            "a-wrong-client-secret",
            first["refresh_token"].as_str().unwrap(),
        ],
    );
}

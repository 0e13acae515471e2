use base64::Engine;
use mailcred_core::exit;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::support::{Idp, browser, companion};

#[test]
fn the_browser_flow_returns_tokens_the_server_issued_and_still_accepts() {
    let idp = Idp::start();
    let answer = idp.signed_in();
    let access = answer["access_token"].as_str().expect("an access token");
    assert_eq!(
        idp.introspect(access)["active"],
        true,
        "the access token handed out must be one the server issued and accepts"
    );
    assert!(
        answer["refresh_token"].is_string(),
        "offline_access brings a refresh token: {answer}"
    );
    assert!(
        answer["expires_at"].as_u64().is_some(),
        "expires_at is unix seconds: {answer}"
    );
    assert_eq!(
        answer["scope"], "https://outlook.office.com/SMTP.Send offline_access",
        "the granted scopes are passed on"
    );
}

#[test]
fn the_browser_flow_sends_pkce_s256_whose_verifier_the_server_checked() {
    let idp = Idp::start();
    idp.signed_in();
    let authorize = &idp.requests("authorize")[0]["params"];
    let token = &idp.requests("token")[0]["params"];
    assert_eq!(
        authorize["code_challenge_method"], "S256",
        "PKCE with S256 only"
    );
    let verifier = token["code_verifier"]
        .as_str()
        .expect("the code exchange carries the verifier");
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    assert_eq!(
        authorize["code_challenge"], challenge,
        "the challenge sent to authorize is S256 of the verifier sent with the code"
    );
    assert!(
        verifier.len() >= 43,
        "RFC 7636 wants at least 43 characters of verifier: {verifier}"
    );
    assert_eq!(idp.stats()["code_exchanges"], 1, "one code, exchanged once");
}

#[test]
fn the_browser_flow_asks_with_login_hint_state_and_a_localhost_redirect_for_microsoft() {
    let idp = Idp::start();
    idp.signed_in();
    let authorize = &idp.requests("authorize")[0]["params"];
    assert_eq!(authorize["login_hint"], "me@example.com");
    assert!(
        authorize["state"].as_str().is_some_and(|s| s.len() >= 16),
        "a random state is sent: {authorize}"
    );
    let redirect = authorize["redirect_uri"].as_str().unwrap();
    assert!(
        redirect.starts_with("http://localhost:") && redirect.ends_with('/'),
        "Microsoft's loopback redirect is http://localhost:PORT/: {redirect}"
    );
}

#[test]
fn a_gmail_sign_in_redirects_to_127_0_0_1_and_asks_for_offline_access() {
    let idp = Idp::start();
    let mut request = idp.request("browser");
    request["provider"] = json!("gmail");
    let run = companion("login", &request, &[("BROWSER", &browser())]);
    assert_eq!(run.code, Some(0), "{run}");
    let authorize = &idp.requests("authorize")[0]["params"];
    assert!(
        authorize["redirect_uri"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:"),
        "Google's desktop clients redirect to the loopback IP literal: {authorize}"
    );
    assert_eq!(authorize["access_type"], "offline");
}

#[test]
fn an_answer_with_another_state_is_refused_and_its_code_not_exchanged() {
    let idp = Idp::start();
    idp.control(json!({"authorize": "wrong_state"}));
    let run = companion("login", &idp.request("browser"), &[("BROWSER", &browser())]);
    run.assert_failed(exit::PROTOCOL, "another state", &[]);
    assert_eq!(
        idp.stats()["code_exchanges"],
        0,
        "a code of a forged answer is never used"
    );
}

#[test]
fn a_declined_consent_redirect_is_reported_with_the_providers_reason() {
    let idp = Idp::start();
    idp.control(json!({"authorize": "deny"}));
    let run = companion("login", &idp.request("browser"), &[("BROWSER", &browser())]);
    run.assert_failed(exit::NO_PERMISSION, "declined", &[]);
    assert!(
        run.failure_line().contains("AADSTS65004"),
        "the provider's reason is shown:\n{run}"
    );
}

#[test]
fn a_sign_in_nobody_completes_ends_at_the_timeout_with_a_temporary_failure() {
    let idp = Idp::start();
    let mut request = idp.request("browser");
    request["timeout_seconds"] = json!(1);
    let run = companion("login", &request, &[("BROWSER", "true")]);
    run.assert_failed(exit::TEMPORARY, "did not finish within 1 seconds", &[]);
}

#[test]
fn what_the_browser_prints_never_reaches_stdout() {
    use std::os::unix::fs::PermissionsExt;
    let idp = Idp::start();
    let script = std::env::temp_dir().join(format!(
        "mailcred-oauth-chatty-browser-{}",
        std::process::id()
    ));
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho BROWSER-SAYS\nexec python3 {} \"$1\"\n",
            crate::support::BROWSER_PY
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = companion(
        "login",
        &idp.request("browser"),
        &[("BROWSER", script.to_str().unwrap())],
    );
    let _ = std::fs::remove_file(&script);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(
        !run.stdout.contains("BROWSER-SAYS"),
        "stdout carries only the answer:\n{run}"
    );
}

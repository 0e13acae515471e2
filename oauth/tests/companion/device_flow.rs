use mailcred_core::exit;
use serde_json::json;

use crate::support::{Idp, companion};

fn device_login(idp: &Idp) -> crate::support::Run {
    companion("login", &idp.request("device"), &[])
}

#[test]
fn an_approved_device_sign_in_returns_tokens_and_shows_the_code_and_address() {
    let idp = Idp::start();
    let run = device_login(&idp);
    assert_eq!(run.code, Some(0), "{run}");
    let access = run.answer()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(idp.introspect(&access)["active"], true);
    let code_line = run.stderr.lines().next().unwrap_or_default();
    assert!(
        code_line.contains(&format!("http://127.0.0.1:{}/devicelogin", idp.port))
            && code_line.contains("enter the code"),
        "the verification address and the user code are shown on stderr:\n{run}"
    );
    assert_eq!(
        idp.requests("devicecode")[0]["params"]["scope"],
        "https://outlook.office.com/SMTP.Send offline_access"
    );
}

#[test]
fn a_pending_device_sign_in_is_polled_until_approved() {
    let idp = Idp::start();
    idp.control(json!({"device": "pending:2"}));
    let run = device_login(&idp);
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(
        idp.stats()["device_polls"],
        3,
        "two pending answers, then the tokens"
    );
}

#[test]
fn slow_down_is_obeyed_and_polling_goes_on() {
    let idp = Idp::start();
    idp.control(json!({"device": "slow_down"}));
    let run = device_login(&idp);
    assert_eq!(run.code, Some(0), "slow_down is not an error:\n{run}");
    assert_eq!(
        idp.stats()["device_polls"],
        2,
        "one slow_down, then the tokens"
    );
}

#[test]
fn a_declined_device_sign_in_is_no_permission() {
    let idp = Idp::start();
    idp.control(json!({"device": "deny"}));
    device_login(&idp).assert_failed(exit::NO_PERMISSION, "declined", &[]);
}

#[test]
fn an_expired_device_code_is_a_temporary_failure_that_says_to_run_again() {
    let idp = Idp::start();
    idp.control(json!({"device": "expire"}));
    device_login(&idp).assert_failed(exit::TEMPORARY, "expired", &[]);
}

#[test]
fn a_device_sign_in_blocked_by_conditional_access_suggests_the_browser_flow() {
    let idp = Idp::start();
    idp.control(json!({"fail": {
        "grant": "urn:ietf:params:oauth:grant-type:device_code",
        "error": "invalid_grant", "codes": [53003],
        "description": "AADSTS53003: Access has been blocked by Conditional Access policies."}}));
    device_login(&idp).assert_failed(
        exit::NO_PERMISSION,
        "blocked by Conditional Access; try the browser flow (without --device)",
        &[],
    );
}

#[test]
fn gmail_refuses_the_device_flow_without_asking_the_server() {
    let idp = Idp::start();
    let mut request = idp.request("device");
    request["provider"] = json!("gmail");
    companion("login", &request, &[]).assert_failed(
        exit::USAGE,
        "Google does not allow the device flow for mail scopes",
        &[],
    );
    assert_eq!(
        idp.stats()["device_codes"],
        0,
        "nothing was asked of the server"
    );
}

#[test]
fn an_account_without_a_device_url_refuses_the_device_flow() {
    let idp = Idp::start();
    let mut request = idp.request("device");
    request["device_url"] = json!(null);
    companion("login", &request, &[]).assert_failed(exit::USAGE, "no device flow", &[]);
}

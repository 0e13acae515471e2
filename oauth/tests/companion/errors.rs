//! Refusals injected at the token endpoint, as Microsoft and Google word
//! them, each mapped to its exit status and plain words, never a token.

use mailcred_core::exit;
use serde_json::{Value, json};

use crate::support::{Idp, Run, companion};

struct Case {
    fail: Value,
    provider: &'static str,
    status: u8,
    says: &'static str,
}

fn refresh_failing(idp: &Idp, first: &Value, case: &Case) -> Run {
    idp.control(json!({"fail": case.fail}));
    let mut request = idp.request("browser");
    request["refresh_token"] = first["refresh_token"].clone();
    request["provider"] = json!(case.provider);
    companion("refresh", &request, &[])
}

fn ms(code: u64, error: &str, text: &str) -> Value {
    json!({"grant": "refresh_token", "error": error, "codes": [code],
           "description": format!("AADSTS{code}: {text}")})
}

#[test]
fn each_refusal_has_its_exit_status_and_words_and_no_token_on_stderr() {
    let idp = Idp::start();
    let first = idp.signed_in();
    let cases = [
        Case {
            fail: ms(
                70008,
                "invalid_grant",
                "The refresh token has expired due to inactivity.",
            ),
            provider: "office365",
            status: exit::SIGN_IN_AGAIN,
            says: "sign in again with `mailcred login work`",
        },
        Case {
            fail: ms(70000, "invalid_grant", "The provided grant is invalid."),
            provider: "office365",
            status: exit::SIGN_IN_AGAIN,
            says: "no longer valid",
        },
        Case {
            fail: ms(
                50076,
                "invalid_grant",
                "you must use multi-factor authentication.",
            ),
            provider: "office365",
            status: exit::SIGN_IN_AGAIN,
            says: "multi-factor authentication is now required",
        },
        Case {
            fail: ms(
                53003,
                "invalid_grant",
                "Access has been blocked by Conditional Access policies.",
            ),
            provider: "office365",
            status: exit::NO_PERMISSION,
            says: "Conditional Access",
        },
        Case {
            fail: ms(
                65001,
                "invalid_grant",
                "The user or administrator has not consented.",
            ),
            provider: "office365",
            status: exit::NO_PERMISSION,
            says: "https://login.microsoftonline.com/contoso.example/adminconsent?client_id=11111111-2222-3333-4444-555555555555",
        },
        Case {
            fail: ms(
                700016,
                "unauthorized_client",
                "Application was not found in the directory.",
            ),
            provider: "office365",
            status: exit::CONFIG,
            says: "is not known in the tenant contoso.example",
        },
        Case {
            fail: json!({"grant": "refresh_token", "status": 400, "error": "invalid_grant",
                         "description": "Token has been expired or revoked."}),
            provider: "gmail",
            status: exit::SIGN_IN_AGAIN,
            says: "after 7 days",
        },
        Case {
            fail: json!({"grant": "*", "status": 503, "error": "temporarily_unavailable",
                         "codes": [], "description": "Try later."}),
            provider: "office365",
            status: exit::TEMPORARY,
            says: "try again later",
        },
        Case {
            fail: json!({"grant": "*", "status": 400, "error": "temporarily_unavailable",
                         "codes": [], "description": "Busy."}),
            provider: "office365",
            status: exit::TEMPORARY,
            says: "busy",
        },
        Case {
            fail: json!({"grant": "*", "status": 500, "raw_body": "<html>oops</html>",
                         "content_type": "text/html"}),
            provider: "office365",
            status: exit::TEMPORARY,
            says: "HTTP status 500",
        },
    ];
    let refresh_token = first["refresh_token"].as_str().unwrap();
    for case in &cases {
        let run = refresh_failing(&idp, &first, case);
        run.assert_failed(case.status, case.says, &[refresh_token]);
        assert_eq!(run.stderr.lines().count(), 1, "one line on stderr:\n{run}");
    }
}

#[test]
fn a_server_echoing_the_refresh_token_does_not_get_it_printed() {
    let idp = Idp::start();
    let first = idp.signed_in();
    let refresh_token = first["refresh_token"].as_str().unwrap();
    let case = Case {
        fail: json!({"grant": "refresh_token", "error": "invalid_grant", "codes": [70008],
                     "description": format!("AADSTS70008: token {refresh_token} expired")}),
        provider: "office365",
        status: exit::SIGN_IN_AGAIN,
        says: "AADSTS70008",
    };
    refresh_failing(&idp, &first, &case).assert_failed(case.status, case.says, &[refresh_token]);
}

#[test]
fn escape_sequences_in_a_server_description_are_shown_escaped() {
    let idp = Idp::start();
    let first = idp.signed_in();
    let case = Case {
        fail: json!({"grant": "refresh_token", "error": "invalid_grant", "codes": [70008],
                     "description": "AADSTS70008: \u{1b}]0;pwned\u{7} expired"}),
        provider: "office365",
        status: exit::SIGN_IN_AGAIN,
        says: "\\u{1b}]0;pwned\\u{7}",
    };
    let run = refresh_failing(&idp, &first, &case);
    run.assert_failed(case.status, case.says, &[]);
    assert!(
        !run.stderr.contains('\u{1b}'),
        "no raw escape reaches the terminal:\n{run}"
    );
}

#[test]
fn a_code_exchange_refused_for_consent_prints_the_admin_consent_url() {
    let idp = Idp::start();
    idp.control(json!({"fail": {"grant": "authorization_code", "error": "invalid_grant",
        "codes": [65001], "description": "AADSTS65001: The user or administrator has not consented."}}));
    let run = companion(
        "login",
        &idp.request("browser"),
        &[("BROWSER", &crate::support::browser())],
    );
    run.assert_failed(
        exit::NO_PERMISSION,
        "adminconsent?client_id=11111111-2222-3333-4444-555555555555",
        &[],
    );
}

#[test]
fn a_request_without_a_client_id_is_a_configuration_error_before_any_request() {
    let idp = Idp::start();
    let mut request = idp.request("browser");
    request["client_id"] = json!(null);
    request["refresh_token"] = json!("x");
    companion("refresh", &request, &[]).assert_failed(exit::CONFIG, "--client-id", &[]);
    assert_eq!(idp.stats()["token_requests"], 0);
}

#[test]
fn a_request_that_is_not_json_is_refused_input() {
    let run = crate::support::companion("refresh", &json!("not an object"), &[]);
    run.assert_failed(exit::REFUSED_INPUT, "request on stdin", &[]);
}

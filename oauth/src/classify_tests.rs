use super::*;

fn ms(code: u64, error: &str, text: &str) -> ProviderError {
    ProviderError {
        error: error.into(),
        error_description: Some(format!(
            "AADSTS{code}: {text} Trace ID: 0b2b6a4e-1d1f-4a5e-9d55-1a0e3d9f0c11 Correlation ID: c Timestamp: t"
        )),
        error_codes: vec![code],
    }
}

fn ctx(grant: Grant) -> Context<'static> {
    Context {
        account: "work",
        provider: Provider::Office365,
        tenant: Some("contoso.example"),
        client_id: "11111111-2222-3333-4444-555555555555",
        grant,
    }
}

#[test]
fn consent_needed_is_no_permission_with_the_admin_consent_url_of_tenant_and_client() {
    let f = refusal(
        &ms(
            65001,
            "invalid_grant",
            "The user or administrator has not consented.",
        ),
        &ctx(Grant::AuthorizationCode),
    );
    assert_eq!(f.status, exit::NO_PERMISSION);
    assert!(
        f.message.contains(
            "https://login.microsoftonline.com/contoso.example/adminconsent?client_id=11111111-2222-3333-4444-555555555555"
        ),
        "the admin-consent URL for tenant and client id must be given: {}",
        f.message
    );
}

#[test]
fn mfa_required_on_refresh_means_sign_in_again() {
    for code in [50076, 50079] {
        let f = refusal(
            &ms(
                code,
                "invalid_grant",
                "you must use multi-factor authentication.",
            ),
            &ctx(Grant::Refresh),
        );
        assert_eq!(f.status, exit::SIGN_IN_AGAIN, "AADSTS{code}");
        assert!(f.message.contains("multi-factor"), "{}", f.message);
        assert!(
            f.message
                .ends_with("sign in again with `mailcred login work`"),
            "{}",
            f.message
        );
    }
}

#[test]
fn conditional_access_on_the_device_flow_suggests_the_browser_flow() {
    let f = refusal(
        &ms(
            53003,
            "invalid_grant",
            "Access has been blocked by Conditional Access policies.",
        ),
        &ctx(Grant::Device),
    );
    assert_eq!(f.status, exit::NO_PERMISSION);
    assert!(
        f.message
            .contains("blocked by Conditional Access; try the browser flow (without --device)"),
        "{}",
        f.message
    );
}

#[test]
fn conditional_access_named_only_in_the_description_is_recognised() {
    let mut err = ms(53003, "invalid_grant", "Blocked.");
    err.error_codes.clear();
    let f = refusal(&err, &ctx(Grant::Refresh));
    assert_eq!(f.status, exit::NO_PERMISSION);
    assert!(f.message.contains("Conditional Access"), "{}", f.message);
}

#[test]
fn an_unknown_client_id_is_a_configuration_error_naming_client_and_tenant() {
    let f = refusal(
        &ms(
            700016,
            "unauthorized_client",
            "Application was not found in the directory.",
        ),
        &ctx(Grant::AuthorizationCode),
    );
    assert_eq!(f.status, exit::CONFIG);
    assert!(
        f.message.contains("11111111-2222-3333-4444-555555555555")
            && f.message.contains("contoso.example"),
        "{}",
        f.message
    );
}

#[test]
fn an_expired_or_revoked_refresh_token_means_sign_in_again() {
    for (code, error) in [
        (70008, "invalid_grant"),
        (70000, "invalid_grant"),
        (700082, "invalid_grant"),
    ] {
        let f = refusal(
            &ms(code, error, "The token has expired."),
            &ctx(Grant::Refresh),
        );
        assert_eq!(f.status, exit::SIGN_IN_AGAIN, "AADSTS{code}");
        assert!(
            f.message
                .ends_with("sign in again with `mailcred login work`"),
            "{}",
            f.message
        );
        assert!(!f.message.contains("Trace ID"), "{}", f.message);
    }
}

#[test]
fn googles_expired_or_revoked_mentions_the_seven_days_of_testing_apps() {
    let err = ProviderError {
        error: "invalid_grant".into(),
        error_description: Some("Token has been expired or revoked.".into()),
        error_codes: vec![],
    };
    let f = refusal(
        &err,
        &Context {
            provider: Provider::Gmail,
            ..ctx(Grant::Refresh)
        },
    );
    assert_eq!(f.status, exit::SIGN_IN_AGAIN);
    assert!(
        f.message.contains("7 days") && f.message.contains("\"Testing\""),
        "{}",
        f.message
    );
}

#[test]
fn a_declined_sign_in_is_no_permission() {
    for error in ["access_denied", "authorization_declined"] {
        let f = refusal(
            &ProviderError {
                error: error.into(),
                ..Default::default()
            },
            &ctx(Grant::Device),
        );
        assert_eq!(f.status, exit::NO_PERMISSION, "{error}");
        assert!(f.message.contains("declined"), "{}", f.message);
    }
}

#[test]
fn temporarily_unavailable_and_expired_device_codes_are_temporary() {
    for error in ["temporarily_unavailable", "expired_token"] {
        let f = refusal(
            &ProviderError {
                error: error.into(),
                ..Default::default()
            },
            &ctx(Grant::Device),
        );
        assert_eq!(f.status, exit::TEMPORARY, "{error}");
    }
}

#[test]
fn transport_failures_map_to_unreachable_temporary_malformed_and_config() {
    let c = ctx(Grant::Refresh);
    let host = || "login.example".to_owned();
    let cases = [
        (
            HttpError::Unreachable {
                host: host(),
                reason: "host not found".into(),
            },
            exit::SERVER_UNAVAILABLE,
        ),
        (
            HttpError::Timeout {
                host: host(),
                reason: "global".into(),
            },
            exit::TEMPORARY,
        ),
        (
            HttpError::ServerStatus {
                host: host(),
                status: 503,
            },
            exit::TEMPORARY,
        ),
        (
            HttpError::Malformed {
                host: host(),
                reason: "not JSON".into(),
            },
            exit::PROTOCOL,
        ),
        (HttpError::PlainHttp("http://x/".into()), exit::CONFIG),
    ];
    for (err, status) in cases {
        assert_eq!(transport(&err, &c).status, status, "{err}");
    }
}

#[test]
fn codes_come_from_error_codes_or_else_the_description() {
    let mut err = ms(70008, "invalid_grant", "x");
    assert_eq!(err.codes(), vec![70008]);
    err.error_codes.clear();
    assert_eq!(err.codes(), vec![70008]);
    err.error_description = Some("no number here".into());
    assert!(err.codes().is_empty());
}

//! `mailcred add --auth oauth2`: signs in first, then keeps the account and
//! its token pair as one keyring item; refuses what it cannot use before
//! anyone signs in.

use mailcred::accounts::Provider;
use mailcred::commands::accounts::{EndpointFlags, NewAccount, OAuthFlags};
use mailcred::exit;
use mailcred::oauth::Flow;

use super::{CLIENT_ID, expiry, oauth_account, oauth_flags, shown};
use crate::accounts::{Setup, new_account};

#[test]
fn add_signs_in_and_keeps_access_token_expiry_and_refresh_token_in_one_item() {
    let s = Setup::new();
    let account = s.added_oauth(&oauth_account("work", Provider::Office365));

    assert_eq!(
        s.tokens.issued().logins,
        [Flow::Browser],
        "add signs in once"
    );
    assert_eq!(s.store.len(), 1, "one keyring item holds the whole pair");
    let pair = s.pair("work");
    assert_eq!(shown(&pair.password), Some("access-1"));
    assert_eq!(shown(&pair.oauth_refresh_token), Some("refresh-1"));
    assert_eq!(pair.expires_at, Some(expiry(3600)));
    assert!(
        s.index_entries()[0].oauth,
        "the index marks the entry as a token pair, so git cannot replace it"
    );
    let settings = account.oauth.expect("the account file records the sign-in");
    assert_eq!(settings.client_id, CLIENT_ID);
    assert_eq!(
        settings.token_url,
        "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"
    );
}

#[test]
fn add_without_a_client_id_exits_64_saying_how_to_register_one_and_signs_in_nowhere() {
    let s = Setup::new();
    let new = NewAccount {
        oauth: Some(OAuthFlags::default()),
        ..new_account("work", Provider::Office365)
    };

    let message = s.add_oauth(&new, Flow::Browser).fails_with(
        exit::USAGE,
        "mailcred has no client id of its own: --auth oauth2 needs --client-id",
    );
    assert!(
        message.contains("--client-id") && message.contains("OAuth2: registering a client id"),
        "the message must name the flag and the README section telling how to get an id: \
         {message:?}"
    );
    assert!(s.tokens.issued().logins.is_empty(), "nobody may sign in");
    s.assert_nothing_stored("a refused add");
}

#[test]
fn plain_http_to_another_machine_exits_78_before_anyone_signs_in() {
    let s = Setup::new();
    let new = NewAccount {
        oauth: Some(OAuthFlags {
            authorize_url: Some("https://idp.example.com/authorize".into()),
            token_url: Some("http://idp.example.com/token".into()),
            scopes: vec!["mail".into()],
            ..oauth_flags()
        }),
        smtp: EndpointFlags {
            host: Some("smtp.example.com".into()),
            ..EndpointFlags::default()
        },
        ..new_account("work", Provider::Custom)
    };

    let message = s.add_oauth(&new, Flow::Browser).fails_with(
        exit::CONFIG,
        "a token endpoint over plain http:// to another machine would send tokens unencrypted",
    );
    assert!(message.contains("--oauth-token-url"), "{message:?}");
    assert!(s.tokens.issued().logins.is_empty(), "nobody may sign in");
    s.assert_nothing_stored("a refused add");
}

#[test]
fn a_custom_provider_takes_loopback_http_endpoints_and_exactly_the_scopes_given() {
    let s = Setup::new();
    let new = NewAccount {
        oauth: Some(OAuthFlags {
            authorize_url: Some("http://127.0.0.1:8080/t/oauth2/v2.0/authorize".into()),
            token_url: Some("http://127.0.0.1:8080/t/oauth2/v2.0/token".into()),
            scopes: vec!["smtp".into(), "offline_access".into()],
            ..oauth_flags()
        }),
        smtp: EndpointFlags {
            host: Some("127.0.0.1".into()),
            port: Some(2525),
            ..EndpointFlags::default()
        },
        ..new_account("local", Provider::Custom)
    };

    let account = s.added_oauth(&new);
    assert_eq!(
        account.oauth.expect("OAuth2").scopes,
        ["smtp", "offline_access"],
        "--scope gives exactly the scopes asked for"
    );
    assert_eq!(s.tokens.issued().scopes, ["smtp", "offline_access"]);
}

#[test]
fn scope_flags_replace_a_presets_scopes() {
    let s = Setup::new();
    let new = NewAccount {
        oauth: Some(OAuthFlags {
            scopes: vec!["https://outlook.office.com/SMTP.Send".into()],
            ..oauth_flags()
        }),
        ..new_account("work", Provider::Office365)
    };
    let account = s.added_oauth(&new);
    assert_eq!(
        account.oauth.expect("OAuth2").scopes,
        ["https://outlook.office.com/SMTP.Send"],
        "with --scope, the preset's scopes (offline_access included) are not added"
    );
}

#[test]
fn a_failed_sign_in_stores_nothing_and_passes_the_companions_status_on() {
    let s = Setup::new();
    s.tokens.fail_next(exit::NO_PERMISSION);

    s.add_oauth(&oauth_account("work", Provider::Office365), Flow::Device)
        .fails_with(
            exit::NO_PERMISSION,
            "a refused consent is the companion's 77, passed on unchanged",
        );
    s.assert_nothing_stored("a sign-in that failed");
}

#[test]
fn outlook_takes_oauth2_and_refuses_app_passwords_pointing_at_auth_oauth2() {
    let s = Setup::new();
    let refused = s
        .add(&new_account("home", Provider::Outlook), "outlook-app-pw-1")
        .fails_with(exit::USAGE, "Outlook.com takes no app passwords");
    assert!(
        refused.contains("--auth oauth2") && !refused.contains("does not do OAuth"),
        "the refusal must point at --auth oauth2 now: {refused:?}"
    );

    let account = s.added_oauth(&oauth_account("home", Provider::Outlook));
    let settings = account.oauth.expect("OAuth2");
    assert_eq!(settings.tenant.as_deref(), Some("consumers"));
    assert!(settings.device_url.is_some());
}

#[test]
fn a_tenant_is_refused_for_gmail_and_the_device_url_must_be_https_too() {
    let s = Setup::new();
    let gmail = NewAccount {
        oauth: Some(OAuthFlags {
            tenant: Some("contoso.com".into()),
            ..oauth_flags()
        }),
        ..new_account("g", Provider::Gmail)
    };
    s.add_oauth(&gmail, Flow::Browser)
        .fails_with(exit::USAGE, "Google has no tenants");
    let device = NewAccount {
        oauth: Some(OAuthFlags {
            device_url: Some("http://login.example.com/devicecode".into()),
            ..oauth_flags()
        }),
        ..new_account("w", Provider::Office365)
    };
    s.add_oauth(&device, Flow::Device).fails_with(
        exit::CONFIG,
        "a device endpoint over plain http:// elsewhere",
    );
    s.assert_nothing_stored("refused adds");
}

#[test]
fn show_of_an_oauth2_account_says_how_it_signs_in_and_prints_no_token() {
    let s = Setup::new();
    s.added_oauth(&oauth_account("work", Provider::Office365));

    for json in [false, true] {
        let text = s
            .run(|ctx, out| mailcred::commands::listing::show(ctx, "work", json, out))
            .ok("show of an OAuth2 account");
        assert!(
            !text.contains("access-") && !text.contains("refresh-"),
            "show must never print a token:\n{text}"
        );
        assert!(
            text.contains(CLIENT_ID),
            "show names the client id:\n{text}"
        );
    }
    let text = s
        .run(|ctx, out| mailcred::commands::listing::show(ctx, "work", false, out))
        .ok("show");
    assert!(
        text.contains("OAuth2") && !text.contains("app password does not sign in"),
        "show says it signs in with OAuth2, and no longer warns that IMAP takes no app \
         password:\n{text}"
    );
}

#[test]
fn list_of_an_oauth2_account_does_not_warn_that_its_readers_take_oauth_only() {
    let s = Setup::new();
    s.added_oauth(&oauth_account("work", Provider::Office365));
    let text = s
        .run(|ctx, out| {
            mailcred::commands::listing::list(
                ctx,
                mailcred::commands::listing::ListFormat::Table,
                out,
            )
        })
        .ok("list");
    assert!(
        !text.contains("OAuth only"),
        "an OAuth2 account's IMAP endpoint signs in fine:\n{text}"
    );
}

#[test]
fn remove_of_an_oauth2_account_takes_its_tokens() {
    let s = Setup::new();
    s.added_oauth(&oauth_account("work", Provider::Office365));
    let said = s
        .run(|ctx, out| mailcred::commands::accounts::remove(ctx, "work", out))
        .ok("remove");
    assert!(said.contains("its tokens"), "{said:?}");
    s.assert_nothing_stored("a removed OAuth2 account");
}

#[test]
fn set_password_on_an_oauth2_account_is_refused_pointing_at_login() {
    let s = Setup::new();
    s.added_oauth(&oauth_account("work", Provider::Office365));
    let password = s.password("not-an-access-token");
    let message = s
        .run(|ctx, out| mailcred::commands::accounts::set_password(ctx, "work", password, out))
        .fails_with(exit::USAGE, "an OAuth2 account has no app password to set");
    assert!(message.contains("mailcred login work"), "{message:?}");
    assert_eq!(shown(&s.pair("work").password), Some("access-1"));
}

//! `mailcred login NAME`: signing in again replaces the pair; switching an
//! app-password account to OAuth2 keeps the app password until the sign-in
//! worked; a switch killed after the tokens were saved is finished by the
//! next `login` without a new sign-in.

use mailcred::accounts::{Account, Provider};
use mailcred::commands::{self, login::Login};
use mailcred::exit;
use mailcred::oauth::Flow;
use mailcred::vault::{SecretParts, Vault};

use super::{CLIENT_ID, oauth_account, oauth_flags, shown};
use crate::accounts::{Setup, new_account};
use crate::replay::NOW;

const APP_PASSWORD: &str = "abcd-efgh-ijkl-mnop";

fn switch(flow: Flow) -> Login {
    Login {
        switch: true,
        flags: oauth_flags(),
        client_secret: None,
        flow: Some(flow),
    }
}

/// An app-password account `work` (Microsoft 365).
fn with_app_password() -> Setup {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), APP_PASSWORD);
    s
}

fn account(s: &Setup) -> Account {
    s.ctx()
        .accounts
        .read()
        .unwrap()
        .get("work")
        .cloned()
        .unwrap()
}

#[test]
fn login_replaces_the_pair_of_an_oauth2_account() {
    let s = Setup::new();
    s.added_oauth(&oauth_account("work", Provider::Office365));
    s.tokens.revoke_refresh_tokens();

    let said = s
        .login(
            "work",
            Login {
                flow: Some(Flow::NoBrowser),
                ..Login::default()
            },
        )
        .ok("login again");
    assert!(said.contains("work"), "{said:?}");
    assert_eq!(s.tokens.issued().logins, [Flow::Browser, Flow::NoBrowser]);
    let pair = s.pair("work");
    assert_eq!(shown(&pair.password), Some("access-2"));
    assert_eq!(shown(&pair.oauth_refresh_token), Some("refresh-2"));
    assert_eq!(s.store.len(), 1);
    assert_eq!(s.get("work").ok("get after login"), "access-2\n");
}

#[test]
fn a_switch_whose_sign_in_fails_leaves_the_account_and_its_app_password_as_they_were() {
    let s = with_app_password();
    let before = account(&s);
    s.tokens.fail_next(exit::NO_PERMISSION);

    s.login("work", switch(Flow::Browser)).fails_with(
        exit::NO_PERMISSION,
        "a sign-in refused (consent) is passed on",
    );
    assert_eq!(account(&s), before, "the account file is unchanged");
    assert!(s.ctx().accounts.read().unwrap().pending.is_empty());
    assert_eq!(
        s.get("work").ok("the app password is still served"),
        format!("{APP_PASSWORD}\n")
    );
}

#[test]
fn a_switch_that_signed_in_replaces_the_app_password_with_the_tokens() {
    let s = with_app_password();
    let said = s
        .login("work", switch(Flow::Device))
        .ok("login --auth oauth2 --client-id");
    assert!(said.contains("app password was removed"), "{said:?}");

    let account = account(&s);
    assert_eq!(account.oauth.expect("switched").client_id, CLIENT_ID);
    assert_eq!(s.store.len(), 1, "the app password's item is gone");
    assert!(s.pair("work").password.is_some());
    assert_eq!(s.get("work").ok("get after the switch"), "access-1\n");
}

#[test]
fn login_on_an_app_password_account_without_auth_oauth2_says_how_to_switch() {
    let s = with_app_password();
    let message = s.login("work", Login::default()).fails_with(
        exit::USAGE,
        "login of an app-password account needs --auth oauth2",
    );
    assert!(message.contains("--auth oauth2 --client-id"), "{message:?}");
    assert!(s.tokens.issued().logins.is_empty());
}

#[test]
fn a_switch_killed_after_saving_the_tokens_is_finished_by_the_next_login_without_signing_in() {
    let s = with_app_password();
    // Steps 1 and 2 of a switch, as a killed `login --auth oauth2` left them.
    let switched = Account {
        oauth: Some(
            oauth_account("work", Provider::Office365)
                .oauth
                .map(|flags| {
                    commands::accounts::resolve(
                        &mailcred::commands::accounts::NewAccount {
                            oauth: Some(flags),
                            ..new_account("work", Provider::Office365)
                        },
                        account(&s).added,
                    )
                    .unwrap()
                    .oauth
                    .unwrap()
                })
                .unwrap(),
        ),
        ..account(&s)
    };
    let ctx = s.ctx();
    let (held, _) = ctx.accounts.lock().unwrap();
    ctx.accounts
        .update(&held, |all| {
            all.pending.push(switched.clone());
            Ok(())
        })
        .unwrap();
    drop(held);
    let pair = SecretParts {
        password: Some("access-9".into()),
        oauth_refresh_token: Some("refresh-9".into()),
        expires_at: Some(NOW + 3600),
        ..SecretParts::default()
    };
    Vault::new(s.index(), &s.store)
        .store(commands::tokens::token_entry(&switched, NOW), &pair)
        .unwrap();

    let message = s.get("work").fails_with(
        exit::SIGN_IN_AGAIN,
        "between the tokens and the account file, get serves neither the tokens as an app \
         password nor anything else",
    );
    assert!(message.contains("mailcred login work"), "{message:?}");

    let said = s.login("work", Login::default()).ok("the rerun");
    assert!(said.contains("Finished switching"), "{said:?}");
    assert!(
        s.tokens.issued().logins.is_empty(),
        "no new sign-in was needed"
    );
    assert_eq!(account(&s), switched);
    assert!(s.ctx().accounts.read().unwrap().pending.is_empty());
    assert_eq!(s.get("work").ok("get after the rerun"), "access-9\n");
}

#[test]
fn login_with_new_scopes_records_them_and_signs_in_with_them() {
    let s = Setup::new();
    s.added_oauth(&oauth_account("work", Provider::Office365));
    let login = Login {
        flags: mailcred::commands::accounts::OAuthFlags {
            scopes: vec![
                "https://outlook.office.com/SMTP.Send".into(),
                "offline_access".into(),
            ],
            ..Default::default()
        },
        ..Login::default()
    };
    s.login("work", login).ok("login with new scopes");
    assert_eq!(
        account(&s).oauth.unwrap().scopes,
        ["https://outlook.office.com/SMTP.Send", "offline_access"]
    );
    assert_eq!(
        s.tokens.issued().scopes,
        ["https://outlook.office.com/SMTP.Send", "offline_access"]
    );
}

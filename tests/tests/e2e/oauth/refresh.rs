//! Refreshing: none while the cached token has five minutes left, one when
//! it has not, one for sixteen readers at once, the rotated refresh token
//! saved before the access token is printed; a crash between the refresh
//! and the save; a refresh token the provider no longer takes.

use mailcred_e2e::{finish, start};
use serde_json::json;

use super::*;

#[test]
fn a_get_with_a_cached_token_asks_the_identity_provider_nothing() {
    let account = OAuthAccount::signed_in(3600);
    let before = account.idp.stats();
    let (first, second) = (account.get(), account.get());
    assert_eq!(
        account.idp.stats(),
        before,
        "a get with a cached token makes no request at all"
    );
    assert!(
        first.success() && first.stdout == second.stdout,
        "{first}\n{second}"
    );
    assert!(
        account.idp.is_active(first.stdout.trim_end()),
        "the cached token is one the provider takes"
    );
}

#[test]
fn a_token_with_less_than_five_minutes_left_is_refreshed_by_each_get() {
    let account = OAuthAccount::signed_in(1);
    let first = account.token();
    assert_eq!(account.idp.stat("refreshes"), 1, "the first get refreshed");
    let second = account.token();
    assert_eq!(
        account.idp.stat("refreshes"),
        2,
        "a 1-second token is always stale"
    );
    assert_ne!(first, second);
}

#[test]
fn sixteen_parallel_gets_of_an_expired_token_make_one_refresh_and_print_one_valid_token() {
    let account = OAuthAccount::signed_in(1);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    // Slow answers: every reader has read the expired token before the
    // first refresh is saved, so they all meet at the refresh lock.
    account
        .idp
        .control(json!({ "access_lifetime": 3600, "token_delay_ms": 500 }));

    let readers: Vec<_> = (0..16)
        .map(|_| {
            start(
                account.command(MAILCRED, &["get".into(), ACCOUNT.into()]),
                b"",
            )
        })
        .collect();
    let printed: Vec<Outcome> = readers.into_iter().map(finish).collect();

    assert_eq!(
        account.idp.stat("refreshes"),
        1,
        "sixteen readers of one expired token cause exactly one refresh"
    );
    let first = &printed[0].stdout;
    for got in &printed {
        assert!(
            got.success() && got.stdout == *first,
            "every reader prints the same token:\n{got}"
        );
    }
    assert!(
        account.idp.is_active(first.trim_end()),
        "and the identity provider takes it"
    );
}

#[test]
fn with_strict_rotation_every_refresh_saves_the_new_refresh_token_before_printing() {
    let account = OAuthAccount::signed_in(1);
    account.idp.control(json!({ "rotation": "strict" }));
    for round in 1..=3 {
        account.token();
        assert_eq!(
            account.idp.stat("refreshes"),
            round,
            "each get refreshes with the refresh token the last one saved (a used one is revoked)"
        );
    }
}

/// Kills `mailcred get` while its refresh is at the identity provider
/// (which answers only after 3 s), as a crash between refresh and save,
/// then waits until the provider has rotated the refresh token.
fn get_killed_during_its_refresh(account: &OAuthAccount) {
    account.idp.control(json!({ "token_delay_ms": 3000 }));
    let requests = account.idp.stat("token_requests");
    let refreshes = account.idp.stat("refreshes");
    let get = start(
        account.command(MAILCRED, &["get".into(), ACCOUNT.into()]),
        b"",
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while account.idp.stat("token_requests") == requests {
        assert!(
            std::time::Instant::now() < deadline,
            "the refresh never reached the provider"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let pid = rustix::process::Pid::from_raw(get.id() as i32).expect("a pid");
    rustix::process::kill_process(pid, rustix::process::Signal::KILL).expect("mailcred is killed");
    let killed = finish(get);
    assert_eq!(killed.code, None, "mailcred get was killed:\n{killed}");
    assert!(killed.stdout.is_empty(), "it printed no token:\n{killed}");
    while account.idp.stat("refreshes") == refreshes {
        assert!(
            std::time::Instant::now() < deadline,
            "the provider never rotated"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    account.idp.control(json!({ "token_delay_ms": 0 }));
}

#[test]
fn after_a_crash_between_refresh_and_save_lenient_rotation_lets_the_next_get_refresh_again() {
    let account = OAuthAccount::signed_in(1);
    get_killed_during_its_refresh(&account);
    account.token();
    assert_eq!(
        account.idp.stat("refreshes"),
        2,
        "the old refresh token is still valid at a lenient provider (Microsoft): one more refresh"
    );
}

#[test]
fn after_a_crash_between_refresh_and_save_strict_rotation_asks_to_sign_in_again() {
    let account = OAuthAccount::signed_in(1);
    account.idp.control(json!({ "rotation": "strict" }));
    get_killed_during_its_refresh(&account);
    // The provider revoked the refresh token mailcred still has: the new
    // one died with the killed process. Nothing can bring it back.
    assert_sign_in_again(&account.get());
}

#[test]
fn invalid_grant_exits_83_with_nothing_on_stdout_and_one_line_naming_login() {
    let account = OAuthAccount::signed_in(1);
    account.idp.control(json!({ "fail": {
        "grant": "refresh_token", "status": 400, "error": "invalid_grant", "codes": [70008],
        "description": "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.",
        "count": -1
    }}));
    assert_sign_in_again(&account.get());
    let helper = run(
        account.command(HELPER, &["get".into()]),
        format!("protocol=smtp\nhost=smtp.example.com:587\nusername={USER}\n").as_bytes(),
    );
    assert_sign_in_again(&helper);
}

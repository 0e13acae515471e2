//! git's helper on an OAuth2 account: `get` answers the access token with
//! its expiry (refreshed when stale), `store` never replaces the pair, and
//! `erase` drops only the access token, whatever `--allow-erase` says.

use mailcred::accounts::Provider;
use mailcred::commands::accounts::NewAccount;
use mailcred::exit;

use super::{expiry, oauth_account, shown};
use crate::accounts::{Setup, USER};

const ASK: &str = "protocol=smtp\nhost=smtp.office365.com:587\nusername=ann@example.org\n";

fn signed_in(lifetime: u64, allow_erase: bool) -> Setup {
    let s = Setup::new();
    s.tokens.set_lifetime(lifetime);
    s.added_oauth(&NewAccount {
        allow_erase,
        ..oauth_account("work", Provider::Office365)
    });
    s.tokens.set_lifetime(3600);
    s
}

#[test]
fn get_answers_the_access_token_with_its_expiry_and_never_the_refresh_token() {
    let s = signed_in(3600, false);
    let answer = s.git("get", ASK).ok("git's get");
    assert_eq!(
        answer,
        format!(
            "username={USER}\npassword=access-1\npassword_expiry_utc={}\n",
            expiry(3600)
        ),
        "git gets the access token as the password and its expiry, nothing more"
    );
    assert!(!answer.contains("refresh"), "{answer}");
}

#[test]
fn get_of_a_stale_token_through_the_imap_endpoint_refreshes_first() {
    let s = signed_in(60, false);
    let answer = s
        .git(
            "get",
            "protocol=imaps\nhost=outlook.office365.com:993\nusername=ann@example.org\n",
        )
        .ok("git imap-send's get");
    assert!(answer.contains("password=access-2\n"), "{answer}");
    assert_eq!(s.tokens.issued().refreshes, ["refresh-1"]);
}

#[test]
fn a_refresh_that_must_sign_in_again_exits_83_with_nothing_on_stdout() {
    let s = signed_in(60, false);
    s.tokens.revoke_refresh_tokens();
    s.git("get", ASK).fails_with(
        exit::SIGN_IN_AGAIN,
        "git's get passes the companion's 83 on, answering nothing",
    );
}

#[test]
fn store_into_an_oauth2_accounts_slot_is_ignored() {
    let s = signed_in(3600, true);
    s.git("store", &format!("{ASK}password=access-1\n"))
        .ok("git approves the token it was given");
    s.git("store", &format!("{ASK}password=some-other-value\n"))
        .ok("a store is ignored silently");

    let pair = s.pair("work");
    assert_eq!(shown(&pair.password), Some("access-1"));
    assert_eq!(
        shown(&pair.oauth_refresh_token),
        Some("refresh-1"),
        "git's store must never lose the refresh token"
    );
    assert_eq!(pair.expires_at, Some(expiry(3600)));
    assert_eq!(s.index_entries().len(), 1, "and adds no entry of git's own");
}

#[test]
fn erase_drops_only_the_access_token_even_when_erase_is_not_allowed_and_get_refreshes() {
    for allow_erase in [false, true] {
        let s = signed_in(3600, allow_erase);
        let said = s
            .git("erase", &format!("{ASK}password=access-1\n"))
            .ok("git send-email's erase after a 535");
        assert!(said.is_empty(), "{said:?}");

        let pair = s.pair("work");
        assert!(pair.password.is_none(), "the access token is dropped");
        assert_eq!(
            shown(&pair.oauth_refresh_token),
            Some("refresh-1"),
            "the refresh token stays (allow_erase {allow_erase})"
        );
        assert!(s.tokens.issued().refreshes.is_empty());

        assert_eq!(s.get("work").ok("get after the erase"), "access-2\n");
        assert_eq!(s.tokens.issued().refreshes, ["refresh-1"]);
    }
}

#[test]
fn erase_naming_an_older_access_token_leaves_the_newer_one() {
    let s = signed_in(3600, false);
    s.git("erase", &format!("{ASK}password=access-0\n"))
        .ok("an erase of a token already replaced");
    assert_eq!(shown(&s.pair("work").password), Some("access-1"));
}

#[test]
fn erase_without_a_password_also_drops_only_the_access_token() {
    let s = signed_in(3600, false);
    s.git("erase", "protocol=smtp\nhost=smtp.office365.com\n")
        .ok("an erase naming the server only");
    let pair = s.pair("work");
    assert!(pair.password.is_none());
    assert_eq!(shown(&pair.oauth_refresh_token), Some("refresh-1"));
}

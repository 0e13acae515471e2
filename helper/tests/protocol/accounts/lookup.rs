//! `mailcred get ACCOUNT` (msmtp's passwordeval, neomutt backticks) and
//! `mailcred neomutt` (neomutt's account_command): the password and nothing
//! else, or nothing at all.

use mailcred::accounts::{Protocol, Provider};
use mailcred::commands::accounts::NewAccount;
use mailcred::commands::lookup;
use mailcred::exit;
use mailcred::store::{Op, SecretStore, StoreError};

use super::{Outcome, Setup, USER, new_account};

#[test]
fn get_prints_exactly_the_password_and_a_newline() {
    let s = Setup::new();
    s.added(
        &new_account("work", Provider::Office365),
        "abcd efgh ijkl mnop",
    );

    assert_eq!(
        s.get("work").ok("get of an account just added").as_bytes(),
        b"abcd efgh ijkl mnop\n",
        "msmtp takes stdout's first line as the password: it must be the password (spaces \
         included) and one newline, nothing more"
    );
}

#[test]
fn get_of_an_unknown_account_exits_66_and_prints_nothing() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "known-pw-1");

    let message = s
        .get("wrok")
        .fails_with(exit::NO_ACCOUNT, "an unknown account name must exit 66");
    assert!(
        message.contains("\"wrok\"") && message.contains("mailcred list"),
        "the error must name the account asked for and how to see the real ones, got {message:?}"
    );
}

#[test]
fn get_with_no_account_file_at_all_exits_66() {
    let s = Setup::new();
    s.get("work")
        .fails_with(exit::NO_ACCOUNT, "a fresh machine has no accounts: exit 66");
    assert!(
        !s.account_file().exists(),
        "looking an account up must not create the account file"
    );
}

#[test]
fn get_for_an_account_whose_secret_is_missing_exits_67_naming_set_password() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "vanished-pw-1");
    // As when the item was deleted in the keyring manager.
    let entries = s.index_entries();
    s.store
        .delete(&entries[0].id)
        .expect("the item can be deleted");

    let message = s.get("work").fails_with(
        exit::NO_PASSWORD,
        "an account whose password is gone must exit 67, apart from an unknown account (66)",
    );
    assert!(
        message.contains("mailcred set-password work"),
        "the error must say how to store the password again, got {message:?}"
    );
}

#[test]
fn get_for_an_account_whose_secret_is_damaged_exits_82_naming_the_account() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "damaged-pw-1");
    // As when something else overwrote the item: not mailcred's encoding.
    let id = s.index_entries()[0].id.clone();
    s.store
        .write(&id, "overwritten", b"damaged-pw-1 without any key")
        .expect("the item can be overwritten");

    let outcome = s.get("work");
    assert!(
        outcome.stdout.is_empty(),
        "a damaged item must print nothing, which msmtp would take as the password"
    );
    let message = outcome.fails_with(
        exit::DATA_DAMAGED,
        "an item that does not decode is stored data damaged (82), not \"no password\" (67)",
    );
    assert!(
        message.contains(&id)
            && message.contains("\"work\"")
            && message.contains("mailcred set-password work"),
        "the error must name the item, the account and the fix, got {message:?}"
    );
    assert!(
        !message.contains("damaged-pw-1"),
        "the error must never show the item's bytes, got {message:?}"
    );
}

#[test]
fn get_with_a_locked_keyring_exits_75_and_prints_nothing() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "locked-get-pw-1");
    s.store.fail_next(Op::Read, StoreError::locked());

    s.get("work").fails_with(
        exit::KEYRING_LOCKED,
        "a locked keyring must exit 75 so the user knows to unlock and retry",
    );
}

/// `mailcred neomutt --hostname H [--username U] --type smtp`.
fn neomutt(s: &Setup, hostname: &str, username: Option<&str>) -> Outcome {
    s.run(|ctx, out| lookup::neomutt(ctx, hostname, username, Some(Protocol::Smtp), out))
}

#[test]
fn neomutt_prints_username_login_and_password_of_the_one_matching_account() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "neomutt-pw-1");

    assert_eq!(
        neomutt(&s, "smtp.office365.com", None).ok("neomutt for the account's server"),
        format!("username: {USER}\nlogin: {USER}\npassword: neomutt-pw-1\n"),
        "neomutt's account_command reads exactly these three lines"
    );
}

#[test]
fn neomutt_with_no_matching_account_prints_nothing_and_exits_66() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "neomutt-pw-1");

    let message = neomutt(&s, "smtp.gmail.com", None)
        .fails_with(exit::NO_ACCOUNT, "no account on that server must exit 66");
    assert!(
        message.contains("smtp.gmail.com"),
        "the error must name the server asked for, got {message:?}"
    );
}

/// Ann's "work" (ann-pw-1) and Bob's "team" (bob-pw-2), both at Microsoft 365.
fn two_accounts_on_one_server() -> Setup {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "ann-pw-1");
    let bob = NewAccount {
        user: "bob@example.org".into(),
        ..new_account("team", Provider::Office365)
    };
    s.added(&bob, "bob-pw-2");
    s
}

#[test]
fn neomutt_with_two_accounts_on_one_host_and_no_username_names_both_and_prints_nothing() {
    let s = two_accounts_on_one_server();

    let message = neomutt(&s, "smtp.office365.com", None).fails_with(
        exit::NO_ACCOUNT,
        "with two accounts on the server and no --username, picking one could send the wrong \
         password: exit 66",
    );
    assert!(
        message.contains("work") && message.contains("team"),
        "the error must name both accounts so the user can tell them apart, got {message:?}"
    );
}

#[test]
fn neomutt_with_a_username_picks_that_account() {
    let s = two_accounts_on_one_server();

    assert_eq!(
        neomutt(&s, "smtp.office365.com", Some("bob@example.org")).ok("neomutt with --username"),
        "username: bob@example.org\nlogin: bob@example.org\npassword: bob-pw-2\n",
        "--username must select the account of that login"
    );
    assert_eq!(
        neomutt(&s, "smtp.office365.com", Some(USER)).ok("neomutt with the other --username"),
        format!("username: {USER}\nlogin: {USER}\npassword: ann-pw-1\n"),
        "and the other login must get its own password"
    );
}

#[test]
fn neomutt_with_a_username_nobody_has_there_exits_66() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "ann-pw-1");

    neomutt(&s, "smtp.office365.com", Some("carol@example.org")).fails_with(
        exit::NO_ACCOUNT,
        "a login without an account on that server must not fall back to another login",
    );
}

#[test]
fn neomutt_for_an_account_whose_secret_is_missing_exits_67() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "vanished-pw-1");
    let entries = s.index_entries();
    s.store
        .delete(&entries[0].id)
        .expect("the item can be deleted");

    neomutt(&s, "smtp.office365.com", None).fails_with(
        exit::NO_PASSWORD,
        "the one matching account has no password: exit 67, not an empty password line",
    );
}

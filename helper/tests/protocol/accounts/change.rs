//! `mailcred set-password` (rotating an app password) and `mailcred
//! remove` (an account and its password, together).

use mailcred::accounts::Provider;
use mailcred::commands::accounts;
use mailcred::exit;
use mailcred::store::{Op, StoreError};

use super::{Outcome, Setup, new_account};

fn set_password(s: &Setup, name: &str, password: &str) -> Outcome {
    let password = s.password(password);
    s.run(|ctx, out| accounts::set_password(ctx, name, password, out))
}

fn remove(s: &Setup, name: &str) -> Outcome {
    s.run(|ctx, out| accounts::remove(ctx, name, out))
}

#[test]
fn set_password_replaces_the_password_and_keeps_one_secret() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "old-pw-1");

    let stdout = set_password(&s, "work", "new-pw-2").ok("set-password of an existing account");

    assert!(
        !stdout.contains("new-pw-2"),
        "set-password must not echo the password, got {stdout:?}"
    );
    assert_eq!(
        s.get("work").ok("get after set-password").as_bytes(),
        b"new-pw-2\n",
        "get must serve the new password"
    );
    assert_eq!(
        (s.store.len(), s.index_entries().len()),
        (1, 1),
        "the old password must be replaced, not kept beside the new one"
    );
}

#[test]
fn set_password_keeps_the_account_protected_from_git_erase() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "old-pw-1");
    set_password(&s, "work", "new-pw-2").ok("set-password");

    s.git(
        "erase",
        "protocol=smtp\nhost=smtp.office365.com:587\nusername=ann@example.org\n",
    )
    .ok("git erase");
    assert_eq!(
        s.get("work").ok("get after git erase").as_bytes(),
        b"new-pw-2\n",
        "a rotated password is as protected as the first one"
    );
}

#[test]
fn set_password_stores_a_password_again_after_it_went_missing() {
    let s = Setup::new();
    let new = mailcred::commands::accounts::NewAccount {
        allow_erase: true,
        ..new_account("work", Provider::Office365)
    };
    s.added(&new, "rejected-pw-1");
    s.git(
        "erase",
        "protocol=smtp\nhost=smtp.office365.com:587\nusername=ann@example.org\n",
    )
    .ok("git erase of an --allow-erase account");
    s.get("work")
        .fails_with(exit::NO_PASSWORD, "the password is gone: exit 67");

    set_password(&s, "work", "fresh-pw-2").ok("set-password, as the exit-67 message says");
    assert_eq!(
        s.get("work").ok("get after set-password").as_bytes(),
        b"fresh-pw-2\n",
        "set-password is the way back for an account without its password"
    );
}

#[test]
fn set_password_of_an_unknown_account_exits_66_and_stores_nothing() {
    let s = Setup::new();
    set_password(&s, "work", "orphan-pw-1").fails_with(
        exit::NO_ACCOUNT,
        "set-password needs an account to know where the password goes: exit 66",
    );
    s.assert_nothing_stored("a refused set-password");
}

#[test]
fn remove_deletes_the_account_and_its_secret() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "removed-pw-1");

    let stdout = remove(&s, "work").ok("remove of an existing account");

    assert!(
        stdout.contains("work"),
        "remove must say what it removed, got {stdout:?}"
    );
    s.assert_nothing_stored("remove takes the account and its password together");
    s.get("work").fails_with(
        exit::NO_ACCOUNT,
        "after remove the account is unknown: get exits 66",
    );
}

#[test]
fn remove_deletes_a_protected_password_that_git_stored_into() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "removed-pw-1");
    s.git(
        "store",
        "protocol=smtp\nhost=smtp.office365.com:587\nusername=ann@example.org\npassword=removed-pw-1\n",
    )
    .ok("git store after a good send");

    remove(&s, "work").ok("remove");
    s.assert_nothing_stored("protection is against git's erase, not against the user's remove");
}

#[test]
fn remove_leaves_other_accounts_and_their_passwords_alone() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "removed-pw-1");
    s.added(&new_account("home", Provider::Fastmail), "kept-pw-2");

    remove(&s, "work").ok("remove work");

    assert_eq!(
        (s.account_names(), s.store.len()),
        (vec!["home".to_owned()], 1),
        "only the removed account and its secret may go"
    );
    assert_eq!(
        s.get("home").ok("get home").as_bytes(),
        b"kept-pw-2\n",
        "the other account still serves its password"
    );
}

#[test]
fn remove_of_an_unknown_account_exits_66_and_touches_nothing() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "kept-pw-1");

    remove(&s, "home").fails_with(
        exit::NO_ACCOUNT,
        "removing a name nobody added must exit 66",
    );
    assert_eq!(
        (s.account_names(), s.store.len()),
        (vec!["work".to_owned()], 1),
        "a failed remove must change nothing"
    );
}

#[test]
fn remove_with_a_locked_keyring_exits_75_and_keeps_the_account() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "kept-pw-1");
    s.store.fail_next(Op::Delete, StoreError::locked());

    remove(&s, "work").fails_with(
        exit::KEYRING_LOCKED,
        "remove cannot delete the password from a locked keyring: exit 75",
    );
    assert_eq!(
        s.account_names(),
        ["work"],
        "the account must stay while its password could not be deleted, or the password \
         would be left in the keyring with nothing pointing at it"
    );
}

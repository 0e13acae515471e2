//! Store faults: no bus, no Secret Service, locked or missing collection.
//! Each prints nothing on stdout, one line on stderr, and a telling status.

use super::*;

#[test]
fn get_without_a_session_bus_prints_nothing_and_exits_69() {
    let session = KeyringSession::without_bus();

    let answer = helper(&session, "get", ASK_SERVER);
    assert_fails_cleanly(&answer, UNAVAILABLE, "no D-Bus session bus");
}

#[test]
fn get_on_a_bus_without_a_secret_service_says_it_is_not_running_and_exits_69() {
    let session = KeyringSession::bus_only();

    let answer = helper(&session, "get", ASK_SERVER);
    assert_fails_cleanly(&answer, UNAVAILABLE, "the Secret Service is not running");
}

#[test]
fn get_from_a_locked_keyring_says_locked_and_unlocking_serves_the_secret_again() {
    let mut session = KeyringSession::start();
    approve(&session, ALICE);
    session.lock();

    let answer = helper(&session, "get", ASK_SERVER);
    assert_fails_cleanly(&answer, LOCKED, "the keyring is locked");

    session.unlock();
    let answer = helper(&session, "get", ASK_SERVER);
    assert_eq!(
        (answer.code, answer.stdout.as_str()),
        (Some(0), ANSWER_ALICE),
        "after unlocking, the secret stored before the lock should be served:\n{answer}"
    );
}

#[test]
fn store_into_a_locked_keyring_says_locked_and_exits_75() {
    let session = KeyringSession::start();
    session.lock();

    let stored = helper(&session, "store", ALICE);
    assert_fails_cleanly(&stored, LOCKED, "the keyring is locked");
}

#[test]
fn store_without_a_login_collection_says_so_and_exits_78() {
    let session = KeyringSession::without_login_collection();

    let stored = helper(&session, "store", ALICE);
    assert_fails_cleanly(&stored, CONFIG, "no default (login) collection");
}

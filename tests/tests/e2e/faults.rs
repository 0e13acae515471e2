//! Store faults: no bus, no Secret Service, locked or missing collection.
//! Each prints nothing on stdout, one line on stderr, and a telling status.

use super::*;

/// Alice's credential stored in a working session, then the helper run with
/// the session bus address pointing at `bus`.
fn get_alice_with_bus(bus: &str) -> Outcome {
    let session = KeyringSession::start();
    approve(&session, ALICE);
    let mut command = session.command(bin(HELPER));
    command.arg("get").env("DBUS_SESSION_BUS_ADDRESS", bus);
    run(command, ASK_SERVER.as_bytes())
}

#[test]
fn get_of_a_stored_credential_without_a_session_bus_prints_nothing_and_exits_69() {
    let answer = get_alice_with_bus("unix:path=/nonexistent/mailcred-test-bus");
    assert_fails_cleanly(&answer, KEYRING_UNAVAILABLE, "no D-Bus session bus");
}

#[test]
fn get_of_a_stored_credential_on_a_bus_without_a_secret_service_exits_69() {
    let other = KeyringSession::bus_only();
    let bus = other.bus_address();
    let answer = get_alice_with_bus(&bus);
    assert_fails_cleanly(
        &answer,
        KEYRING_UNAVAILABLE,
        "the Secret Service is not running",
    );
}

#[test]
fn get_for_a_server_mailcred_holds_nothing_for_answers_nothing_without_any_bus() {
    // As git's global helper, mailcred is asked for every HTTPS server; the
    // index answers those alone, so a missing bus is no error there.
    let session = KeyringSession::without_bus();
    let answer = helper(&session, "get", ASK_SERVER);
    assert_eq!(
        (answer.code, answer.stdout.as_str(), answer.stderr.as_str()),
        (Some(0), "", ""),
        "a lookup the index answers must not need the keyring:\n{answer}"
    );
}

#[test]
fn get_from_a_locked_keyring_says_locked_and_unlocking_serves_the_secret_again() {
    let mut session = KeyringSession::start();
    approve(&session, ALICE);
    session.lock();

    let answer = helper(&session, "get", ASK_SERVER);
    assert_fails_cleanly(&answer, KEYRING_LOCKED, "the keyring is locked");

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
    assert_fails_cleanly(&stored, KEYRING_LOCKED, "the keyring is locked");
}

#[test]
fn store_without_a_login_collection_says_so_and_exits_78() {
    let session = KeyringSession::without_login_collection();

    let stored = helper(&session, "store", ALICE);
    assert_fails_cleanly(&stored, CONFIG, "no default collection");
}

/// The keyring deadline the hang tests set, in seconds: short, so the test
/// is quick, and far inside the harness's own patience for a command.
const SHORT_DEADLINE: &str = "2";

#[test]
fn every_get_from_a_secret_service_that_never_answers_fails_with_80_instead_of_hanging() {
    // mbsync, aerc and himalaya never time out a password command: a get
    // that hung on the keyring would hang them too.
    let session = KeyringSession::start();
    approve(&session, ALICE);
    let added = mailcred(
        &session,
        MAILCRED,
        ADD_WORK_FROM_STDIN,
        "work-app-password\n",
    );
    assert!(added.success(), "add should succeed:\n{added}");
    session.freeze_secret_service();

    for (binary, args, input) in [
        (MAILCRED, &["get", "work"][..], ""),
        (MAILCRED, &["neomutt", "--hostname", "smtp.gmail.com"], ""),
        (HELPER, &["get"], ASK_SERVER),
    ] {
        let mut command = session.command(bin(binary));
        command
            .args(args)
            .env("MAILCRED_KEYRING_TIMEOUT", SHORT_DEADLINE);

        let outcome = run(command, input.as_bytes());

        assert_fails_cleanly(
            &outcome,
            KEYRING_UNAVAILABLE,
            &format!("the keyring did not answer within {SHORT_DEADLINE} s"),
        );
    }
}

#[test]
fn a_keyring_timeout_that_is_no_deadline_is_refused_with_78() {
    let session = KeyringSession::start();
    approve(&session, ALICE);
    let settings = session.home().join("../config/mailcred/settings.json");
    std::fs::create_dir_all(settings.parent().expect("a folder")).expect("the config folder");
    std::fs::write(&settings, r#"{"keyring_timeout_seconds": 0}"#).expect("settings.json");

    let from_file = helper(&session, "get", ASK_SERVER);
    assert_fails_cleanly(&from_file, CONFIG, "\"keyring_timeout_seconds\" in");

    let mut command = session.command(bin(HELPER));
    command.arg("get").env("MAILCRED_KEYRING_TIMEOUT", "soon");
    let from_variable = run(command, ASK_SERVER.as_bytes());
    assert_fails_cleanly(&from_variable, CONFIG, "(from MAILCRED_KEYRING_TIMEOUT)");
}

#[test]
fn get_of_a_credential_with_two_keyring_items_says_ambiguous_and_exits_82() {
    require("secret-tool", "libsecret-tools");
    let session = KeyringSession::start();
    approve(&session, ALICE);
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(session.index_path()).expect("the index"))
            .expect("the index is JSON");
    let id = index["entries"][0]["id"]
        .as_str()
        .expect("the credential's index entry has an id")
        .to_owned();
    // A second item with mailcred's attributes, in another collection (the
    // same collection would have it replace the first).
    let mut duplicate = session.command("secret-tool");
    duplicate.args([
        "store",
        "--label=a copy",
        "--collection=/org/freedesktop/secrets/collection/session",
        "service",
        "mailcred",
        "username",
        &id,
    ]);
    let stored = run(duplicate, b"another secret");
    assert!(
        stored.success(),
        "secret-tool store should succeed:\n{stored}"
    );

    let answer = helper(&session, "get", ASK_SERVER);
    assert_fails_cleanly(&answer, DATA_DAMAGED, "two keyring items have the id");
    assert!(
        !answer.stderr.contains("another secret"),
        "the message must never show what an item holds:\n{answer}"
    );
}

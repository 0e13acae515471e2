//! `mailcred doctor`: passes in a working session, names the cause otherwise.

use super::*;

#[test]
fn doctor_passes_in_a_working_session_and_names_the_store() {
    let session = KeyringSession::start();

    let checked = mailcred(&session, MAILCRED, &["doctor"], "");
    assert!(
        checked.success(),
        "doctor should pass with a working keyring:\n{checked}"
    );
    assert!(
        checked.stdout.contains("store:  secret-service")
            && checked
                .stdout
                .contains("mailcred can keep and serve secrets."),
        "doctor should name the store and report the round trip:\n{checked}"
    );
    assert!(
        checked.stderr.is_empty(),
        "a passing doctor has nothing to warn about:\n{checked}"
    );
}

#[test]
fn doctor_says_whether_the_variable_the_settings_file_or_the_default_chose_the_store() {
    let session = KeyringSession::start();
    let checked = mailcred(&session, MAILCRED, &["doctor"], "");
    assert!(
        checked
            .stdout
            .contains("store:  secret-service (the default"),
        "with nothing configured the default is named as such:\n{checked}"
    );

    let settings = session.home().join("../config/mailcred/settings.json");
    std::fs::create_dir_all(settings.parent().unwrap()).expect("the config folder");
    std::fs::write(&settings, r#"{"store": "secret-service"}"#).expect("settings.json");
    let checked = mailcred(&session, MAILCRED, &["doctor"], "");
    assert!(
        checked
            .stdout
            .contains("store:  secret-service (chosen by ")
            && checked.stdout.contains("settings.json)"),
        "a store named in settings.json is said to be chosen there:\n{checked}"
    );

    let mut command = session.command(bin(MAILCRED));
    command
        .env("MAILCRED_STORE", "secret-service")
        .arg("doctor");
    let checked = run(command, b"");
    assert!(
        checked
            .stdout
            .contains("store:  secret-service (chosen by MAILCRED_STORE)"),
        "the variable wins over the file, and doctor says so:\n{checked}"
    );
}

#[test]
fn doctor_fails_without_a_secret_service_and_says_it_is_not_running() {
    let session = KeyringSession::bus_only();

    let checked = mailcred(&session, MAILCRED, &["doctor"], "");
    assert!(
        checked.stdout.contains("connect: FAILED"),
        "doctor should show which step failed:\n{checked}"
    );
    assert_explains_failure(
        &checked,
        KEYRING_UNAVAILABLE,
        "the Secret Service is not running",
    );
}

#[test]
fn doctor_fails_without_a_session_bus_and_says_so() {
    let session = KeyringSession::without_bus();

    let checked = mailcred(&session, MAILCRED, &["doctor"], "");
    assert!(
        checked.stdout.contains("connect: FAILED"),
        "doctor should show which step failed:\n{checked}"
    );
    assert_explains_failure(&checked, KEYRING_UNAVAILABLE, "no D-Bus session bus");
}

#[test]
fn doctor_fails_on_a_locked_keyring_and_says_it_is_locked() {
    let session = KeyringSession::start();
    session.lock();

    let checked = mailcred(&session, MAILCRED, &["doctor"], "");
    assert!(
        checked.stdout.contains("write: FAILED"),
        "doctor should show which step failed:\n{checked}"
    );
    assert_explains_failure(&checked, KEYRING_LOCKED, "the keyring is locked");
}

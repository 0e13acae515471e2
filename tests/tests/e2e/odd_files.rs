//! Files mailcred opens that are not what they should be: a FIFO (which
//! would block a read, and msmtp or git waiting on mailcred, forever), an
//! endless device, a file far too large. Each is a clear error naming the
//! file and what it is, never a hang, and the secrets stay served once the
//! file is put right.

use std::fs;
use std::process::Command;

use super::*;

/// Runs `mailcred ARGS` bounded by coreutils' `timeout`, so that a hang
/// fails the test (status 124) instead of stalling the suite.
fn bounded(session: &KeyringSession, binary: &str, args: &[&str], input: &str) -> Outcome {
    let mut command: Command = session.command("timeout");
    command.arg("20").arg(bin(binary)).args(args);
    run(command, input.as_bytes())
}

fn config_file(session: &KeyringSession) -> std::path::PathBuf {
    let dir = session.home().parent().unwrap().join("config/mailcred");
    fs::create_dir_all(&dir).unwrap();
    dir.join("accounts.json")
}

#[test]
fn an_account_file_that_is_a_fifo_is_refused_at_once_not_waited_on() {
    let session = KeyringSession::start();
    let path = config_file(&session);
    let made = Command::new("mkfifo").arg(&path).status().unwrap();
    assert!(made.success(), "mkfifo");
    for args in [&["list"][..], &["get", "work"]] {
        let outcome = bounded(&session, MAILCRED, args, "");
        assert_ne!(
            outcome.code,
            Some(124),
            "`mailcred {}` must not wait on a FIFO in place of accounts.json:\n{outcome}",
            args.join(" ")
        );
        assert_fails_cleanly(&outcome, IO_ERROR, "not a regular file but a FIFO");
    }
}

#[test]
fn an_index_that_never_ends_is_refused_and_git_gets_nothing() {
    let session = KeyringSession::start();
    approve(&session, ALICE);
    let index = session.index_path();
    fs::remove_file(&index).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &index).unwrap();
    let outcome = bounded(&session, HELPER, &["get"], ASK_ALICE);
    assert_ne!(
        outcome.code,
        Some(124),
        "get must not read /dev/zero forever:\n{outcome}"
    );
    assert_fails_cleanly(&outcome, IO_ERROR, "not a regular file but a device");
}

#[test]
fn an_account_file_larger_than_any_real_one_is_refused_unread() {
    let session = KeyringSession::start();
    let path = config_file(&session);
    let file = fs::File::create(&path).unwrap();
    file.set_len(64 << 20).unwrap(); // sparse: no disk used
    let outcome = bounded(&session, MAILCRED, &["list"], "");
    assert_fails_cleanly(&outcome, IO_ERROR, "larger than");
}

#[test]
fn escape_sequences_in_a_hand_edited_account_file_never_reach_the_terminal() {
    let session = KeyringSession::start();
    let hostile = "ann\u{1b}]0;owned\u{7}@example.org";
    let file = serde_json::json!({
        "version": 1,
        "accounts": [{
            "name": "work", "provider": "custom", "user": hostile,
            "host": "smtp.example\u{1b}[2J.org", "port": 587, "security": "starttls",
            "added": "2026-12-01T00:00:00Z"
        }]
    });
    fs::write(config_file(&session), serde_json::to_vec(&file).unwrap()).unwrap();
    for args in [
        &["list"][..],
        &["show", "work"],
        &["get", "work"],
        &["config", "msmtp", "work"],
    ] {
        let outcome = bounded(&session, MAILCRED, args, "");
        for (stream, text) in [("stdout", &outcome.stdout), ("stderr", &outcome.stderr)] {
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{7}'),
                "`mailcred {}` must not pass a control character from accounts.json to the \
                 terminal on {stream}:\n{outcome}",
                args.join(" ")
            );
        }
    }
    let listed = bounded(&session, MAILCRED, &["list"], "");
    assert!(
        listed
            .stdout
            .contains("ann\\u{1b}]0;owned\\u{7}@example.org"),
        "the login is shown, its control characters escaped:\n{listed}"
    );
}

#[test]
fn a_settings_file_that_is_a_fifo_is_refused_at_once_not_waited_on() {
    let session = KeyringSession::start();
    let path = config_file(&session).with_file_name("settings.json");
    let made = Command::new("mkfifo").arg(&path).status().unwrap();
    assert!(made.success(), "mkfifo");
    let outcome = bounded(&session, MAILCRED, &["get", "work"], "");
    assert_ne!(
        outcome.code,
        Some(124),
        "`mailcred get` must not wait on a FIFO in place of settings.json:\n{outcome}"
    );
    assert_fails_cleanly(&outcome, CONFIG, "not a regular file but a FIFO");
}

//! The layout of format 1 (`helper/tests/fixtures/layout-v1`) planted in a
//! real Secret Service, as mailcred 0.1 left it, then used by this build:
//! lookups leave the files as they are, and the first change writes format
//! 2, keeping every secret.

use std::fs;
use std::path::Path;

use super::layout::plant;
use super::*;

fn version_of(path: &Path) -> serde_json::Value {
    let json: serde_json::Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    json["version"].clone()
}

/// The labels of mailcred's items in the keyring.
fn labels(session: &KeyringSession) -> Vec<String> {
    let mut search = session.command("secret-tool");
    search.args(["search", "--all", "service", "mailcred"]);
    let found = run(search, b"");
    let mut labels: Vec<String> = (found.stdout.clone() + &found.stderr)
        .lines()
        .filter_map(|l| l.strip_prefix("label = "))
        .map(str::to_owned)
        .collect();
    labels.sort();
    labels
}

fn assert_bob_served(session: &KeyringSession) {
    let answer = helper(session, "get", "protocol=smtp\nhost=mail.example.org:465\n");
    assert_eq!(
        answer.stdout,
        "username=bob\npassword=bob-pw\npassword_expiry_utc=4102444800\noauth_refresh_token=rt\n",
        "git's own credential of format 1 is served whole:\n{answer}"
    );
}

#[test]
fn lookups_leave_the_files_of_format_1_as_they_are() {
    let session = KeyringSession::start();
    plant(&session);
    let before = (
        fs::read(session.account_file()).unwrap(),
        fs::read(session.index_path()).unwrap(),
    );
    for args in [&["get", "work"][..], &["list"], &["show", "work"]] {
        let outcome = mailcred(&session, MAILCRED, args, "");
        assert!(outcome.success(), "{outcome}");
    }
    assert_bob_served(&session);
    assert_eq!(
        (
            fs::read(session.account_file()).unwrap(),
            fs::read(session.index_path()).unwrap()
        ),
        before,
        "reading migrates in memory only"
    );
}

#[test]
fn set_password_migrates_to_format_2_and_keeps_every_other_secret() {
    let session = KeyringSession::start();
    plant(&session);
    let changed = mailcred(
        &session,
        MAILCRED,
        &["set-password", "work", "--password-stdin"],
        "rotated-pw\n",
    );
    assert!(changed.success(), "{changed}");
    assert_eq!(
        version_of(&session.index_path()),
        2,
        "the index is format 2 now"
    );
    let got = mailcred(&session, MAILCRED, &["get", "work"], "");
    assert_eq!(got.stdout, "rotated-pw\n", "{got}");
    assert_eq!(
        labels(&session),
        [
            "mailcred: smtp://bob@mail.example.org:465",
            "mailcred: work (smtp://ann@gmail.com@smtp.gmail.com:587)",
        ],
        "work's item of format 1 is replaced by one item for all its endpoints; bob's is kept"
    );
    assert_bob_served(&session);

    // The account file changes with the next change of the accounts.
    let added = mailcred(
        &session,
        MAILCRED,
        &[
            "add",
            "home",
            "--provider",
            "fastmail",
            "--user",
            "ann@fastmail.com",
            "--password-stdin",
        ],
        "home-pw\n",
    );
    assert!(added.success(), "{added}");
    assert_eq!(version_of(&session.account_file()), 2);
    let shown = mailcred(&session, MAILCRED, &["show", "work", "--json"], "");
    let work: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(
        work["smtp"],
        serde_json::json!({"host": "smtp.gmail.com", "port": 587, "security": "starttls"}),
        "{shown}"
    );
}

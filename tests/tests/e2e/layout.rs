//! The storage layout of format version 1 (`helper/tests/fixtures/layout-v1`)
//! planted in a real Secret Service with `secret-tool`, as mailcred 0.1
//! left it: the built binaries serve both credentials from it.

use std::fs;
use std::path::Path;

use super::*;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../helper/tests/fixtures/layout-v1"
);

#[derive(serde::Deserialize)]
struct Item {
    label: String,
    attributes: std::collections::HashMap<String, String>,
    secret: String,
}

/// Plants the format-1 fixture files where this session's mailcred looks,
/// and its keyring items with `secret-tool`, as mailcred 0.1 left them.
pub(super) fn plant(session: &KeyringSession) {
    require("secret-tool", "libsecret-tools");
    for (name, path) in [
        ("accounts.json", session.account_file()),
        ("credentials.json", session.index_path()),
    ] {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::copy(Path::new(FIXTURES).join(name), path).unwrap();
    }
    let items: Vec<Item> =
        serde_json::from_slice(&fs::read(Path::new(FIXTURES).join("keyring.json")).unwrap())
            .unwrap();
    for item in items {
        let mut store = session.command("secret-tool");
        store.args(["store", "--label", &item.label]);
        for key in ["service", "username"] {
            store.args([key, &item.attributes[key]]);
        }
        let stored = run(store, item.secret.as_bytes());
        assert!(stored.success(), "secret-tool store:\n{stored}");
    }
}

#[test]
fn the_format_1_layout_in_a_real_keyring_is_served_to_msmtp_and_git() {
    let session = KeyringSession::start();
    plant(&session);
    let got = mailcred(&session, MAILCRED, &["get", "work"], "");
    assert_eq!(
        (got.code, got.stdout.as_str()),
        (Some(0), "app-pw\n"),
        "the account left by mailcred 0.1 must be served:\n{got}"
    );
    let answer = helper(
        &session,
        "get",
        "protocol=smtp\nhost=mail.example.org:465\n",
    );
    assert_eq!(
        answer.stdout,
        "username=bob\npassword=bob-pw\npassword_expiry_utc=4102444800\noauth_refresh_token=rt\n",
        "the git credential left by mailcred 0.1 must be served whole:\n{answer}"
    );
}

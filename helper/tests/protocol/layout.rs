//! The storage layout of format version 1, kept as files in
//! `tests/fixtures/layout-v1/` (see its README): this build must serve
//! every credential from exactly those files, so that a later format can
//! migrate from them and these tests say when something broke them.

use std::path::Path;

use mailcred::commands::{Context, git, lookup};
use mailcred::store::{MemoryStore, SecretStore};
use mailcred::vault::IndexFile;

use crate::replay::NOW;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/layout-v1");

#[derive(serde::Deserialize)]
struct Item {
    label: String,
    attributes: std::collections::HashMap<String, String>,
    secret: String,
}

/// A folder holding the fixture's index and account file where
/// `Context::with_store` looks, and a store holding its keyring items.
fn planted() -> (tempfile::TempDir, MemoryStore) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let copy = |name: &str, to: &Path| {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(Path::new(FIXTURES).join(name), to).expect("the fixture file");
    };
    copy("credentials.json", &dir.path().join("credentials.json"));
    copy("accounts.json", &dir.path().join("accounts/accounts.json"));
    let store = MemoryStore::default();
    let items: Vec<Item> =
        serde_json::from_slice(&std::fs::read(Path::new(FIXTURES).join("keyring.json")).unwrap())
            .expect("keyring.json");
    for item in items {
        assert_eq!(item.attributes["service"], "mailcred");
        store
            .write(
                &item.attributes["username"],
                &item.label,
                item.secret.as_bytes(),
            )
            .unwrap();
    }
    (dir, store)
}

#[test]
fn a_mail_account_of_format_1_is_served_by_name() {
    let (dir, store) = planted();
    let ctx = Context::with_store(IndexFile::in_dir(dir.path()), NOW, &store);
    let mut out = Vec::new();
    lookup::get(&ctx, "work", &mut out).expect("get work from the version 1 layout");
    assert_eq!(
        out, b"app-pw\n",
        "the account's password, as stored in format 1"
    );
}

#[test]
fn a_git_credential_of_format_1_is_served_with_its_expiry_and_refresh_token() {
    let (dir, store) = planted();
    let ctx = Context::with_store(IndexFile::in_dir(dir.path()), NOW, &store);
    let mut out = Vec::new();
    git::run(
        "get",
        &b"protocol=smtp\nhost=mail.example.org:465\n"[..],
        &mut out,
        &ctx,
    )
    .expect("git get from the version 1 layout");
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "username=bob\npassword=bob-pw\npassword_expiry_utc=4102444800\noauth_refresh_token=rt\n"
    );
}

#[test]
fn the_account_of_format_1_keeps_its_port_less_answer_for_git_send_email() {
    let (dir, store) = planted();
    let ctx = Context::with_store(IndexFile::in_dir(dir.path()), NOW, &store);
    let mut out = Vec::new();
    git::run(
        "get",
        &b"protocol=smtp\nhost=smtp.gmail.com\nusername=ann@gmail.com\n"[..],
        &mut out,
        &ctx,
    )
    .expect("git get from the version 1 layout");
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "username=ann@gmail.com\npassword=app-pw\n"
    );
}

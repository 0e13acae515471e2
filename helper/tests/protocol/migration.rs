//! The files of format 1 (`tests/fixtures/layout-v1/`, see its README)
//! migrated to format 2: read as they are, rewritten only by the next
//! change (under the lock, atomically, like every write), their keyring
//! items kept, and never a secret lost, not even by a change that fails.
//! A file of a newer format is refused as such and left untouched.

use std::path::{Path, PathBuf};

use mailcred::accounts::{Protocol, Provider};
use mailcred::commands::accounts::{self, NewAccount};
use mailcred::commands::{CommandError, Context, git, listing, lookup};
use mailcred::exit;
use mailcred::store::{MemoryStore, Op, SecretStore, StoreError};
use mailcred::vault::{EndpointSlot, IndexFile};
use secrecy::SecretString;

use crate::replay::NOW;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/layout-v1");

/// The keyring item of the fixture's account `work`.
const WORK_ITEM: &str = "33c50faf9047dc12ad2f284cc4a6d21f";

/// The layout of format 1 planted where `Context::with_store` looks.
struct Planted {
    dir: tempfile::TempDir,
    store: MemoryStore,
}

#[derive(serde::Deserialize)]
struct Item {
    label: String,
    attributes: std::collections::HashMap<String, String>,
    secret: String,
}

impl Planted {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let planted = Self {
            dir,
            store: MemoryStore::default(),
        };
        for (name, to) in [
            ("credentials.json", planted.index_path()),
            ("accounts.json", planted.account_path()),
        ] {
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(Path::new(FIXTURES).join(name), to).expect("the fixture file");
        }
        let items: Vec<Item> = serde_json::from_slice(
            &std::fs::read(Path::new(FIXTURES).join("keyring.json")).unwrap(),
        )
        .expect("keyring.json");
        for item in items {
            planted
                .store
                .write(
                    &item.attributes["username"],
                    &item.label,
                    item.secret.as_bytes(),
                )
                .unwrap();
        }
        planted
    }

    fn ctx(&self) -> Context<'_> {
        Context::with_store(IndexFile::in_dir(self.dir.path()), NOW, &self.store)
    }

    fn index_path(&self) -> PathBuf {
        self.dir.path().join("credentials.json")
    }

    fn account_path(&self) -> PathBuf {
        self.dir.path().join("accounts/accounts.json")
    }

    fn json(&self, path: &Path) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(path).expect("the file")).expect("JSON")
    }

    /// Runs a command; its stdout, or its exit status and message.
    fn run(
        &self,
        command: impl FnOnce(&Context<'_>, &mut Vec<u8>) -> Result<(), CommandError>,
    ) -> Result<String, (u8, String)> {
        let mut out = Vec::new();
        command(&self.ctx(), &mut out)
            .map(|()| String::from_utf8(out).unwrap())
            .map_err(|e| (e.exit_code(), e.to_string()))
    }

    #[track_caller]
    fn get_work(&self) -> String {
        self.run(|ctx, out| lookup::get(ctx, "work", out))
            .expect("get work")
    }

    #[track_caller]
    fn git_get(&self, request: &str) -> String {
        self.run(|ctx, out| git::run("get", request.as_bytes(), out, ctx))
            .expect("git get")
    }

    fn bob_is_served_whole(&self) -> bool {
        self.git_get("protocol=smtp\nhost=mail.example.org:465\n")
            == "username=bob\npassword=bob-pw\npassword_expiry_utc=4102444800\noauth_refresh_token=rt\n"
    }
}

#[test]
fn reading_files_of_format_1_never_rewrites_them() {
    let p = Planted::new();
    let before = (
        std::fs::read(p.index_path()).unwrap(),
        std::fs::read(p.account_path()).unwrap(),
    );
    assert_eq!(p.get_work(), "app-pw\n");
    p.run(|ctx, out| listing::list(ctx, listing::ListFormat::Table, out))
        .expect("list");
    p.run(|ctx, out| listing::show(ctx, "work", true, out))
        .expect("show");
    p.run(|ctx, out| lookup::neomutt(ctx, "smtp.gmail.com", None, Some(Protocol::Smtp), out))
        .expect("neomutt");
    assert!(p.bob_is_served_whole());
    assert_eq!(
        (
            std::fs::read(p.index_path()).unwrap(),
            std::fs::read(p.account_path()).unwrap()
        ),
        before,
        "a lookup only reads: the files stay format 1, byte for byte, for the version that \
         wrote them"
    );
}

#[test]
fn the_next_change_to_the_index_writes_format_2_and_keeps_the_account_keyring_item() {
    let p = Planted::new();
    // A change that touches only git's own credential.
    p.run(|ctx, out| {
        git::run(
            "store",
            &b"protocol=smtp\nhost=other.example.org\nusername=carol\npassword=carol-pw\n"[..],
            out,
            ctx,
        )
    })
    .expect("git store");

    let index = p.json(&p.index_path());
    assert_eq!(index["version"], 2, "the index is rewritten in format 2");
    let work = index["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["account"] == "work")
        .expect("the account's entry");
    assert_eq!(
        (&work["id"], work.get("host"), &work["protected"]),
        (
            &serde_json::json!(WORK_ITEM),
            None,
            &serde_json::json!(true)
        ),
        "the account's entry keeps its keyring item and protection; its slot moved to endpoints"
    );
    let slots: Vec<EndpointSlot> = serde_json::from_value(work["endpoints"].clone()).unwrap();
    assert_eq!(
        slots,
        [EndpointSlot {
            protocol: Protocol::Smtp,
            host: "smtp.gmail.com:587".into(),
            username: "ann@gmail.com".into(),
        }]
    );
    assert_eq!(
        p.json(&p.account_path())["version"],
        1,
        "the account file changes only when an account does"
    );
    assert_eq!(p.store.len(), 3, "the two items of format 1 and carol's");
    assert_eq!(
        p.get_work(),
        "app-pw\n",
        "the item of format 1 is served as it is"
    );
    assert_eq!(
        p.git_get("protocol=smtp\nhost=smtp.gmail.com\nusername=ann@gmail.com\n"),
        "username=ann@gmail.com\npassword=app-pw\n",
        "and git send-email still finds it without the port"
    );
    assert!(
        p.bob_is_served_whole(),
        "git's own credential of format 1, untouched"
    );
}

#[test]
fn the_next_change_to_the_accounts_writes_format_2_keeping_every_account() {
    let p = Planted::new();
    let new = NewAccount::new("home", Provider::Fastmail, "ann@fastmail.com");
    let password = SecretString::from("home-pw");
    p.run(|ctx, out| {
        let account = accounts::resolve(&new, "2027-01-15T08:00:00Z".into())?;
        accounts::add(ctx, account, password, out)
    })
    .expect("add home");

    let file = p.json(&p.account_path());
    assert_eq!(file["version"], 2);
    assert_eq!(
        (
            &file["accounts"][0]["name"],
            &file["accounts"][0]["smtp"],
            file["accounts"][0].get("imap")
        ),
        (
            &serde_json::json!("work"),
            &serde_json::json!({"host": "smtp.gmail.com", "port": 587, "security": "starttls"}),
            None
        ),
        "work keeps its one server as its SMTP endpoint, and gains no other"
    );
    assert_eq!(file["accounts"][0]["added"], "2026-12-01T09:05:32Z");
    assert_eq!(p.get_work(), "app-pw\n");
}

#[test]
fn set_password_on_an_account_of_format_1_replaces_its_item_with_one_of_format_2() {
    let p = Planted::new();
    let password = SecretString::from("rotated-pw");
    p.run(|ctx, out| accounts::set_password(ctx, "work", password, out))
        .expect("set-password");
    assert_eq!(p.get_work(), "rotated-pw\n");
    assert!(
        p.store.read(WORK_ITEM).unwrap().is_none(),
        "the item of format 1 is retired once its replacement is written"
    );
    assert_eq!(p.store.len(), 2, "one item for work, one for bob");
    assert!(p.bob_is_served_whole());
}

#[test]
fn a_change_that_fails_after_the_migration_loses_no_secret() {
    let p = Planted::new();
    p.store.fail_next(Op::Write, StoreError::locked());
    let password = SecretString::from("never-stored");
    let (code, _) = p
        .run(|ctx, out| accounts::set_password(ctx, "work", password, out))
        .expect_err("the keyring refuses the write");
    assert_eq!(code, exit::KEYRING_LOCKED);
    assert_eq!(
        p.get_work(),
        "app-pw\n",
        "the item of format 1 must still be served: the migrated index lists it"
    );
    assert!(p.bob_is_served_whole());
    assert_eq!(p.json(&p.index_path())["version"], 2);
}

#[test]
fn remove_of_an_account_of_format_1_takes_its_item_and_leaves_git_credentials() {
    let p = Planted::new();
    p.run(|ctx, out| accounts::remove(ctx, "work", out))
        .expect("remove work");
    assert!(p.store.read(WORK_ITEM).unwrap().is_none());
    assert_eq!(p.store.len(), 1);
    assert!(p.bob_is_served_whole());
}

#[test]
fn an_index_of_format_1_whose_account_entry_is_no_smtp_credential_is_refused_untouched() {
    let p = Planted::new();
    let broken = std::fs::read_to_string(p.index_path()).unwrap().replace(
        "\"protocol\": \"smtp\",\n      \"host\": \"smtp.gmail.com:587\"",
        "\"protocol\": \"imap\",\n      \"host\": \"smtp.gmail.com:587\"",
    );
    assert!(broken.contains("\"imap\""), "the fixture's layout changed");
    std::fs::write(p.index_path(), &broken).unwrap();
    let (code, message) = p
        .run(|ctx, out| lookup::get(ctx, "work", out))
        .expect_err("format 1 wrote only SMTP accounts");
    assert_eq!(code, exit::DATA_DAMAGED, "{message}");
    assert!(
        message.contains(WORK_ITEM),
        "the message names the entry: {message}"
    );
    assert_eq!(std::fs::read_to_string(p.index_path()).unwrap(), broken);
}

#[test]
fn files_of_a_newer_format_are_refused_with_exit_78_and_left_untouched() {
    for what in ["account file", "credential index"] {
        let p = Planted::new();
        let path = if what == "account file" {
            p.account_path()
        } else {
            p.index_path()
        };
        let newer = br#"{"version": 3, "accounts": [], "entries": [], "more": "to come"}"#;
        std::fs::write(&path, newer).unwrap();
        for (command, result) in [
            ("get", p.run(|ctx, out| lookup::get(ctx, "work", out))),
            (
                "set-password",
                p.run(|ctx, out| accounts::set_password(ctx, "work", "x".into(), out)),
            ),
        ] {
            let (code, message) = result.expect_err("a newer file cannot be read");
            assert_eq!(
                code,
                exit::CONFIG,
                "{command} on a newer {what}: not damage, an older mailcred: {message}"
            );
            assert!(
                message.contains("newer mailcred") && message.contains("upgrade mailcred"),
                "{command}: the message says why and what to do: {message}"
            );
        }
        assert_eq!(
            std::fs::read(&path).unwrap(),
            newer,
            "the newer {what} is left as it is"
        );
        assert_eq!(p.store.len(), 2, "and no secret is touched");
    }
}

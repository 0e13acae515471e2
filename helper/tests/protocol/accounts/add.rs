//! `mailcred add` (`commands::accounts::add`): what an add leaves behind
//! when it works, when the name or the credential is taken, and when the
//! keyring fails.

use mailcred::accounts::{Endpoint, Provider, Security};
use mailcred::commands::accounts::{EndpointFlags, NewAccount};
use mailcred::exit;
use mailcred::store::{Capabilities, Op, SecretStore, StoreError, Stored, Version, WriteIf};

use super::{ADDED, Setup, USER, new_account};

#[test]
fn add_records_the_account_and_reports_its_server_without_the_password() {
    let s = Setup::new();
    let stdout = s
        .add(&new_account("work", Provider::Office365), "report-pw-1")
        .ok("adding an office365 account");

    assert!(
        stdout.contains("smtp.office365.com:587") && stdout.contains("work"),
        "add must say which account it made and where it sends, got {stdout:?}"
    );
    assert!(
        !stdout.contains("report-pw-1"),
        "add must never echo the password, got {stdout:?}"
    );
    let account = s.ctx().accounts.read().unwrap().get("work").cloned();
    let account = account.expect("the account is recorded");
    assert_eq!(
        (
            account.user.as_str(),
            account.added.as_str(),
            account.allow_erase
        ),
        (USER, ADDED, false),
        "the account keeps its user and date, and is protected unless --allow-erase"
    );
    assert_eq!(
        s.store.len(),
        1,
        "the password is kept once, as the credential git send-email also finds"
    );
}

#[test]
fn adding_an_existing_name_is_refused_with_exit_73_and_the_first_password_kept() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "first-pw-1");

    let second = NewAccount {
        user: "bob@example.org".into(),
        ..new_account("work", Provider::Gmail)
    };
    s.add(&second, "second-pw-2").fails_with(
        exit::EXISTS,
        "a second add under a taken name must refuse with exit 73, not replace the account",
    );

    assert_eq!(
        s.get("work").ok("get after the refused add").as_bytes(),
        b"first-pw-1\n",
        "the first password must survive: an app password is shown only once"
    );
    assert_eq!(
        (s.account_names(), s.store.len()),
        (vec!["work".to_owned()], 1),
        "still one account and one secret"
    );
    assert_eq!(
        s.ctx().accounts.read().unwrap().get("work").unwrap().smtp,
        Some(Endpoint::new("smtp.office365.com", 587, Security::Starttls)),
        "the first account's details must be left as they were"
    );
}

#[test]
fn adding_a_second_name_for_the_same_server_and_user_is_refused_and_keeps_the_first_password() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "first-pw-1");

    let out = s.add(&new_account("work-too", Provider::Office365), "second-pw-2");

    let message = out.fails_with(
        exit::EXISTS,
        "both names would share one keyring slot (smtp, server:port, user), so the second add \
         would silently replace the first account's password",
    );
    assert!(
        message.contains("\"work\""),
        "the refusal must name the account already using that server and user, got {message:?}"
    );
    assert_eq!(
        s.get("work").ok("get of the first account").as_bytes(),
        b"first-pw-1\n",
        "the first account must keep its password"
    );
    assert_eq!(
        (s.account_names(), s.store.len()),
        (vec!["work".to_owned()], 1),
        "nothing of the refused add may remain"
    );
}

#[test]
fn the_same_user_on_another_port_is_a_separate_account() {
    let s = Setup::new();
    let on = |name: &str, security| NewAccount {
        smtp: EndpointFlags {
            host: Some("mail.example.org".into()),
            security: Some(security),
            ..EndpointFlags::default()
        },
        ..new_account(name, Provider::Custom)
    };
    s.added(&on("work", Security::Starttls), "port-587-pw");
    let other_port = on("work-tls", Security::Tls);
    s.added(&other_port, "port-465-pw");

    assert_eq!(
        (
            s.get("work").ok("get work"),
            s.get("work-tls").ok("get work-tls")
        ),
        ("port-587-pw\n".to_owned(), "port-465-pw\n".to_owned()),
        "accounts on different ports are different credentials, each with its own password"
    );
}

/// A keyring whose every write goes wrong after `add` has opened it.
enum BadWrites {
    /// It refuses, as a full or broken keyring would.
    Refused,
    /// The process dies in it, as `add` does when the user presses Ctrl-C
    /// at the keyring's unlock prompt: the write never returns, and nothing
    /// after it runs.
    Killed,
}

impl SecretStore for BadWrites {
    fn describe(&self) -> String {
        "a keyring whose writes go wrong (test)".into()
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::UNCONDITIONAL_ONLY
    }
    fn read(&self, _id: &str) -> Result<Option<Stored>, StoreError> {
        Ok(None)
    }
    fn write_if(
        &self,
        _id: &str,
        _label: &str,
        _secret: &[u8],
        _condition: WriteIf,
    ) -> Result<Option<Version>, StoreError> {
        match self {
            Self::Refused => Err(StoreError::failed("the test keyring refuses writes")),
            Self::Killed => panic!("the process is killed at the unlock prompt"),
        }
    }
    fn delete(&self, _id: &str) -> Result<(), StoreError> {
        Ok(())
    }
}

#[test]
fn an_add_whose_password_cannot_be_stored_leaves_no_account_behind() {
    let s = Setup::new();
    let out = s.add_on(
        &BadWrites::Refused,
        &new_account("work", Provider::Office365),
        "unstorable-pw-1",
    );

    let message = out.fails_with(
        exit::SOFTWARE,
        "a keyring failing to write must fail add with the keyring's exit status 70",
    );
    assert!(
        message.contains("refuses writes"),
        "the error must carry the keyring's reason, got {message:?}"
    );
    assert_eq!(
        (s.account_names(), s.index_entries().len()),
        (Vec::<String>::new(), 0),
        "an account without its password would make `get` fail later: add must take it back, \
         and the index entry too"
    );
    s.add(&new_account("work", Provider::Office365), "unstorable-pw-1")
        .ok("adding the same name again once the keyring works");
}

#[test]
fn an_add_into_a_locked_keyring_leaves_no_account_behind() {
    let s = Setup::new();
    s.store.fail_next(Op::Write, StoreError::locked());

    s.add(&new_account("work", Provider::Office365), "locked-pw-1")
        .fails_with(
            exit::KEYRING_LOCKED,
            "a locked keyring must fail add with exit 75 (unlock and retry)",
        );

    assert_eq!(
        (s.account_names(), s.index_entries().len()),
        (Vec::<String>::new(), 0),
        "a retry after unlocking must not find the name taken by a half-made account"
    );
}

#[test]
fn the_account_file_is_json_without_any_password() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "file-pw-1");
    s.added(&new_account("home", Provider::Fastmail), "file-pw-2");

    let text = std::fs::read_to_string(s.account_file()).expect("add writes the account file");
    let json: serde_json::Value =
        serde_json::from_str(&text).expect("the account file must be valid JSON");
    let names: Vec<&str> = json["accounts"]
        .as_array()
        .expect("the file holds an `accounts` array")
        .iter()
        .map(|a| a["name"].as_str().expect("each account has a name"))
        .collect();
    assert_eq!(names, ["work", "home"], "both accounts, in the order added");
    assert_eq!(
        (
            &json["version"],
            &json["accounts"][0]["smtp"]["port"],
            &json["accounts"][0]["imap"]["host"]
        ),
        (
            &serde_json::json!(2),
            &serde_json::json!(587),
            &serde_json::json!("outlook.office365.com")
        ),
        "details are plain JSON values, an object per endpoint in format 2"
    );
    for password in ["file-pw-1", "file-pw-2"] {
        assert!(
            !text.contains(password),
            "the account file must never hold a password, but it holds {password:?}"
        );
    }
    let index = std::fs::read_to_string(s.index().path()).expect("the index is written");
    assert!(
        !index.contains("file-pw-1") && !index.contains("file-pw-2"),
        "the credential index must not hold a password either"
    );
}

#[cfg(unix)]
#[test]
fn the_account_file_is_0600_and_its_folder_0700() {
    use std::os::unix::fs::PermissionsExt;

    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "mode-pw-1");

    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("{} exists: {e}", path.display()))
            .permissions()
            .mode()
            & 0o777
    };
    let file = s.account_file();
    assert_eq!(
        mode(&file),
        0o600,
        "the account file names servers and logins: only its owner may read it"
    );
    assert_eq!(
        mode(file.parent().unwrap()),
        0o700,
        "its folder must be private too, so nobody else can swap the file"
    );
}

#[test]
fn an_add_killed_while_storing_the_password_leaves_neither_account_nor_password() {
    let s = Setup::new();
    let killed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        s.add_on(
            &BadWrites::Killed,
            &new_account("work", Provider::Office365),
            "killed-pw-1",
        )
    }));
    assert!(killed.is_err(), "the test keyring kills the add");

    assert_eq!(
        s.account_names(),
        Vec::<String>::new(),
        "an add killed between recording the account and storing its password must not \
         leave an account without a password"
    );
    s.get("work").fails_with(
        exit::NO_ACCOUNT,
        "the half-made account is invisible: get says there is no such account",
    );
    s.add(&new_account("work", Provider::Office365), "killed-pw-1")
        .ok("running the same add again must finish the job, not refuse with 73");
    assert_eq!(
        s.get("work").ok("get after the second add"),
        "killed-pw-1\n"
    );
}

#[test]
fn remove_takes_what_a_killed_add_left() {
    let s = Setup::new();
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        s.add_on(
            &BadWrites::Killed,
            &new_account("work", Provider::Office365),
            "killed-pw-2",
        )
    }));
    s.run(|ctx, out| mailcred::commands::accounts::remove(ctx, "work", out))
        .ok("remove of an account whose add was killed");
    let text = std::fs::read_to_string(s.account_file()).expect("the account file");
    assert!(
        !text.contains("\"work\""),
        "remove must take the pending record too:\n{text}"
    );
}

//! git's helper (`git-credential-mailcred get|store|erase`) meeting the
//! credential of a mail account: git send-email finds it, stores into it
//! after a good send, and erases after any 5xx reply, which a protected
//! account survives.

use mailcred::accounts::Provider;
use mailcred::commands::accounts::{self, NewAccount};
use mailcred::exit;

use super::{Setup, USER, new_account};

const SERVER: &str = "smtp.office365.com";
const PASSWORD: &str = "git-meets-account-pw";

/// A git credential request for smtp://`host`, as git send-email sends it.
fn request(host: &str, username: Option<&str>, password: Option<&str>) -> String {
    let mut text = format!("protocol=smtp\nhost={host}\n");
    if let Some(username) = username {
        text.push_str(&format!("username={username}\n"));
    }
    if let Some(password) = password {
        text.push_str(&format!("password={password}\n"));
    }
    text
}

/// An office365 account `work`, protected unless `allow_erase`.
fn with_account(allow_erase: bool) -> Setup {
    let s = Setup::new();
    let new = NewAccount {
        allow_erase,
        ..new_account("work", Provider::Office365)
    };
    s.added(&new, PASSWORD);
    s
}

/// Every erase git send-email might send for the account: with and without
/// port, with and without the password it tried.
fn erases() -> Vec<(&'static str, String)> {
    let host_port = format!("{SERVER}:587");
    vec![
        (
            "with port, user and the right password",
            request(&host_port, Some(USER), Some(PASSWORD)),
        ),
        (
            "with port and user, no password",
            request(&host_port, Some(USER), None),
        ),
        ("with port only", request(&host_port, None, None)),
        (
            "without port (no smtpServerPort), with user and password",
            request(SERVER, Some(USER), Some(PASSWORD)),
        ),
        (
            "without port, user or password",
            request(SERVER, None, None),
        ),
    ]
}

#[track_caller]
fn assert_password_served(s: &Setup, why: &str) {
    assert_eq!(
        s.get("work").ok("get after git's erase").as_bytes(),
        format!("{PASSWORD}\n").as_bytes(),
        "{why}"
    );
    assert_eq!(s.store.len(), 1, "{why}: still exactly one secret");
}

#[test]
fn git_erase_keeps_the_password_of_an_account_added_without_allow_erase() {
    for (what, erase) in erases() {
        let s = with_account(false);
        s.git("erase", &erase).ok(&format!("git erase {what}"));
        assert_password_served(
            &s,
            &format!(
                "git send-email erases on any 5xx reply, and an app password is shown only \
                 once: a git erase {what} must leave the account's password in place"
            ),
        );
    }
}

#[test]
fn git_erase_removes_the_password_of_an_account_added_with_allow_erase() {
    for (what, erase) in erases() {
        let s = with_account(true);
        s.git("erase", &erase).ok(&format!("git erase {what}"));
        assert_eq!(
            s.store.len(),
            0,
            "--allow-erase gives the account git's erase semantics: a git erase {what} must \
             remove its password"
        );
        s.get("work").fails_with(
            exit::NO_PASSWORD,
            "the account stays listed, its password gone: get must say so with exit 67",
        );
    }
}

#[test]
fn git_erase_with_another_password_leaves_even_an_allow_erase_account() {
    let s = with_account(true);
    s.git(
        "erase",
        &request(
            &format!("{SERVER}:587"),
            Some(USER),
            Some("an-older-password"),
        ),
    )
    .ok("git erase of a password the account does not hold");
    assert_password_served(
        &s,
        "git erases only the password it was rejected with; the account holds another one",
    );
}

#[test]
fn git_erase_for_another_port_or_user_leaves_even_an_allow_erase_account() {
    for erase in [
        request(&format!("{SERVER}:465"), Some(USER), None),
        request(SERVER, Some("bob@example.org"), None),
    ] {
        let s = with_account(true);
        s.git("erase", &erase)
            .ok("git erase for another credential");
        assert_password_served(
            &s,
            &format!("an erase naming another port or user is another credential: {erase:?}"),
        );
    }
}

#[test]
fn a_git_store_into_the_account_slot_keeps_the_account_protected() {
    let s = with_account(false);
    let host_port = format!("{SERVER}:587");
    // After a successful send, git send-email stores what it used.
    s.git("store", &request(&host_port, Some(USER), Some(PASSWORD)))
        .ok("git store after a good send");
    assert_eq!(
        (s.store.len(), s.index_entries().len()),
        (1, 1),
        "git's store into the account's slot replaces the credential, it does not add one"
    );

    s.git("erase", &request(&host_port, Some(USER), Some(PASSWORD)))
        .ok("git erase after a later 5xx");
    assert_password_served(
        &s,
        "the slot stays the account's after git stored into it: a later erase must still keep it",
    );
    assert_eq!(
        s.index_entries()[0].account.as_deref(),
        Some("work"),
        "the credential must still belong to the account"
    );
}

#[test]
fn a_git_store_into_an_allow_erase_account_slot_keeps_git_erase_semantics() {
    let s = with_account(true);
    let host_port = format!("{SERVER}:587");
    s.git("store", &request(&host_port, Some(USER), Some(PASSWORD)))
        .ok("git store after a good send");
    s.git("erase", &request(&host_port, Some(USER), None))
        .ok("git erase");
    assert_eq!(
        s.store.len(),
        0,
        "an --allow-erase account stays erasable after git stored into its slot"
    );
}

#[test]
fn git_get_with_a_port_less_host_finds_the_account_password() {
    let s = with_account(false);
    let expected = format!("username={USER}\npassword={PASSWORD}\n");
    assert_eq!(
        s.git("get", &request(SERVER, None, None))
            .ok("git get host=SERVER"),
        expected,
        "git send-email without smtpServerPort sends host=SERVER: it must find the account \
         stored as SERVER:587"
    );
    assert_eq!(
        s.git("get", &request(SERVER, Some(USER), None))
            .ok("git get host=SERVER username=USER"),
        expected,
        "and with the username too"
    );
    assert_eq!(
        s.git("get", &request(&format!("{SERVER}:587"), Some(USER), None))
            .ok("git get host=SERVER:587"),
        expected,
        "with smtpServerPort set, git sends exactly the account's slot"
    );
}

#[test]
fn git_get_with_a_port_less_host_does_not_find_a_git_stored_credential_on_a_port() {
    let s = Setup::new();
    let host_port = "mail.example.org:587";
    s.git(
        "store",
        &request(host_port, Some("bob"), Some("git-stored-pw")),
    )
    .ok("git store of a plain credential");

    assert_eq!(
        s.git("get", &request("mail.example.org", None, None))
            .ok("git get host=SERVER"),
        "",
        "the port-less rule is for mail accounts only: for what git stored itself, \
         mail.example.org and mail.example.org:587 are different hosts, as in git"
    );
    assert_eq!(
        s.git("get", &request(host_port, None, None))
            .ok("git get host=SERVER:587"),
        "username=bob\npassword=git-stored-pw\n",
        "the same credential is found under its own host"
    );
}

#[test]
fn git_get_naming_another_port_or_server_does_not_find_the_account() {
    let s = with_account(false);
    for host in [
        format!("{SERVER}:465"),
        "office365.com".to_owned(),
        "smtp.office365.co".to_owned(),
        String::new(),
    ] {
        assert_eq!(
            s.git("get", &request(&host, None, None))
                .ok("git get for another server"),
            "",
            "the port-less rule is never a wildcard: host={host:?} is not the account's server"
        );
    }
}

#[test]
fn a_git_store_without_the_port_updates_the_account_secret_and_makes_no_copy() {
    let s = with_account(false);
    // git send-email without smtpServerPort, after AUTH accepted the password.
    s.git(
        "store",
        &request(SERVER, Some(USER), Some("proven-by-auth")),
    )
    .ok("git store host=SERVER after a good send");
    let entries = s.index_entries();
    assert_eq!(
        (s.store.len(), entries.len()),
        (1, 1),
        "the account's secret has one home however git spells the host: no second item"
    );
    let smtp_slot = entries[0].endpoints.first().map(|e| e.host.as_str());
    assert_eq!(
        (
            entries[0].host.as_deref(),
            entries[0].account.as_deref(),
            smtp_slot
        ),
        (None, Some("work"), Some(format!("{SERVER}:587").as_str())),
        "git's port-less store lands in the account's own entry, its SERVER:PORT endpoint \
         unchanged, not in a host=SERVER entry of its own"
    );
    assert!(entries[0].protected, "and the account stays protected");
    assert_eq!(
        s.get("work").ok("get after the store"),
        "proven-by-auth\n",
        "AUTH just proved the stored password: it is the account's password now"
    );
}

#[test]
fn remove_leaves_nothing_that_serves_the_password_however_git_spelled_the_host() {
    let s = with_account(false);
    s.git("store", &request(SERVER, Some(USER), Some(PASSWORD)))
        .ok("git store host=SERVER after a good send");
    s.run(|ctx, out| accounts::remove(ctx, "work", out))
        .ok("remove work");
    for host in [SERVER.to_owned(), format!("{SERVER}:587")] {
        assert_eq!(
            s.git("get", &request(&host, Some(USER), None))
                .ok("git get after remove"),
            "",
            "after `mailcred remove work`, git must not be served its password for host={host}"
        );
    }
    assert_eq!(s.store.len(), 0, "no secret of the removed account is left");
}

#[test]
fn remove_also_takes_a_port_less_copy_an_older_version_left_behind() {
    let s = with_account(false);
    plant_unowned_copy(&s, SERVER, "older-copy-pw");
    assert_eq!(s.store.len(), 2, "the planted copy is a second secret");
    s.run(|ctx, out| accounts::remove(ctx, "work", out))
        .ok("remove work");
    assert_eq!(
        (s.store.len(), s.index_entries().len()),
        (0, 0),
        "remove must also take the unowned host=SERVER copy of the account's credential"
    );
}

#[test]
fn adding_an_account_takes_over_a_copy_git_stored_under_the_port_less_host() {
    let s = Setup::new();
    s.git("store", &request(SERVER, Some(USER), Some("git-stored-pw")))
        .ok("git store before any account existed");
    s.added(&new_account("work", Provider::Office365), PASSWORD);
    assert_eq!(
        s.store.len(),
        1,
        "the account's secret replaces git's port-less copy of the same credential"
    );
    assert_eq!(
        s.git("get", &request(SERVER, Some(USER), None))
            .ok("git get host=SERVER"),
        format!("username={USER}\npassword={PASSWORD}\n"),
        "and git is served the account's password"
    );
}

/// Writes, behind the vault's back, what versions before the port-less fix
/// left: an unowned `host=SERVER` entry for the account's user.
fn plant_unowned_copy(s: &Setup, host: &str, password: &str) {
    use mailcred::store::SecretStore;
    let path = s.index().path();
    let mut index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("the index exists")).unwrap();
    let id = "00000000000000000000000000c0ffee";
    index["entries"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "id": id,
            "protocol": "smtp",
            "host": host,
            "username": USER,
            "stored_at": 1,
        }));
    std::fs::write(&path, serde_json::to_vec(&index).unwrap()).unwrap();
    s.store
        .write(id, "planted", format!("password={password}\n").as_bytes())
        .expect("the memory store takes it");
}

//! The git credential protocol through real git, with the Windows helper.

use mailcred_e2e::{finish, start};

use super::*;

#[test]
fn git_credential_approve_fill_and_reject_work_with_the_windows_helper_under_wine() {
    let prefix = WinePrefix::new();
    approve(&prefix, ALICE);
    approve(&prefix, BOB);

    let alice = git_credential(&prefix, "fill", ASK_ALICE);
    assert_eq!(
        alice.stdout,
        FILLED_ALICE,
        "git fill must get Alice's password from the Windows helper {}:\n{alice}",
        under_wine()
    );
    let rejected = git_credential(&prefix, "reject", ALICE);
    assert!(
        rejected.success() && rejected.stderr.is_empty(),
        "{rejected}"
    );

    let gone = git_credential(&prefix, "fill", ASK_ALICE);
    assert!(
        gone.code != Some(0) && gone.stderr.contains("unable to get password from user"),
        "after reject, git finds no password for Alice {}:\n{gone}",
        under_wine()
    );
    let bob = git_credential(&prefix, "fill", ASK_BOB);
    assert!(
        bob.stdout.contains("password=bob-app-password\n"),
        "rejecting Alice keeps Bob {}:\n{bob}",
        under_wine()
    );
}

#[test]
fn a_16_kib_password_round_trips_through_credential_manager_in_parts_under_wine() {
    let prefix = WinePrefix::new();
    let password = "t".repeat(16 * 1024);
    let credential = ALICE.replace("alice-app-password", &password);
    approve(&prefix, &credential);

    let filled = git_credential(&prefix, "fill", ASK_ALICE);
    assert!(
        filled.stdout == credential,
        "a 16 KiB password (an OAuth token's size) must come back whole {}: {} bytes came back\n{}",
        under_wine(),
        filled.stdout.len(),
        filled.stderr
    );
    let registry = prefix.user_registry();
    let items = registry.matches(".mailcred] ").count();
    assert!(
        items >= 8,
        "16 KiB in items of at most 2,560 bytes: a head and at least 7 parts, found {items}"
    );

    let rejected = git_credential(&prefix, "reject", &credential);
    assert!(rejected.success(), "{rejected}");
    let registry = prefix.user_registry();
    let left: Vec<&str> = registry
        .lines()
        .filter(|line| line.contains(".mailcred] "))
        .collect();
    assert!(
        left.is_empty(),
        "reject removes the head and every part from Credential Manager {}: {left:?}",
        under_wine()
    );
}

/// On Windows a file any process has open, if only to look at it, cannot be
/// replaced: helpers that read the index while another replaces it made
/// that store fail with "Access denied" (exit 74), until replacing waited
/// for them.
#[test]
fn helpers_storing_and_reading_at_once_all_succeed_and_keep_every_password_under_wine() {
    let prefix = WinePrefix::new();
    let credential = |n: usize| {
        format!("protocol=smtp\nhost=smtp.example.com:587\nusername=user{n}\npassword=pw-{n}\n")
    };
    approve(&prefix, ALICE);
    // Started together, so they race for the index and Credential Manager.
    let running: Vec<_> = (0..6)
        .flat_map(|n| {
            let store = prefix.exe("git-credential-mailcred.exe", &["store"]);
            let get = prefix.exe("git-credential-mailcred.exe", &["get"]);
            [
                ("store", start(store, credential(n).as_bytes())),
                ("get", start(get, ASK_ALICE.as_bytes())),
            ]
        })
        .collect();
    for (action, running) in running {
        let outcome = finish(running);
        assert!(
            outcome.success() && outcome.stderr.is_empty(),
            "a {action} running beside others must succeed silently {}:\n{outcome}",
            under_wine()
        );
        if action == "get" {
            assert_eq!(outcome.stdout, ANSWER_ALICE, "{}", under_wine());
        }
    }
    for n in 0..6 {
        let asked = format!("protocol=smtp\nhost=smtp.example.com:587\nusername=user{n}\n");
        let got = exe(&prefix, "git-credential-mailcred.exe", &["get"], &asked);
        assert_eq!(
            got.stdout,
            format!("username=user{n}\npassword=pw-{n}\n"),
            "each of the concurrent stores is kept {}:\n{got}",
            under_wine()
        );
    }
}

//! Through real `git credential fill|approve|reject`, with the helper found
//! on PATH (`credential.helper=mailcred`) or named by absolute path.

use super::*;

#[test]
fn approve_then_fill_returns_the_password_with_the_helper_found_on_path() {
    let session = KeyringSession::start();
    approve(&session, ALICE);

    let filled = git_credential(&session, Helper::OnPath, "fill", ASK_ALICE);
    assert!(
        filled.success(),
        "git credential fill should succeed:\n{filled}"
    );
    assert_eq!(
        filled.stdout, FILLED_ALICE,
        "git should get the approved password back from `credential.helper=mailcred`"
    );
}

#[test]
fn approve_then_fill_returns_the_password_with_the_helper_given_by_absolute_path() {
    let session = KeyringSession::start();
    let approved = git_credential(&session, Helper::AbsolutePath, "approve", ALICE);
    assert!(
        approved.success(),
        "git credential approve should succeed:\n{approved}"
    );

    let filled = git_credential(&session, Helper::AbsolutePath, "fill", ASK_ALICE);
    assert!(
        filled.success(),
        "git credential fill should succeed:\n{filled}"
    );
    assert_eq!(
        filled.stdout, FILLED_ALICE,
        "git should get the approved password back from the helper named by absolute path"
    );
}

#[test]
fn fill_without_a_stored_credential_fails_instead_of_prompting() {
    let session = KeyringSession::start();

    let filled = git_credential(&session, Helper::OnPath, "fill", ASK_ALICE);
    assert_ne!(
        filled.code,
        Some(0),
        "nothing is stored, so fill must fail:\n{filled}"
    );
    assert!(
        filled.stdout.is_empty() && filled.stderr.contains("unable to get password from user"),
        "git should say it found no password (and not prompt):\n{filled}"
    );
}

#[test]
fn reject_with_the_password_removes_it_so_fill_finds_nothing() {
    let session = KeyringSession::start();
    approve(&session, ALICE);

    let rejected = git_credential(&session, Helper::OnPath, "reject", ALICE);
    assert!(
        rejected.success() && rejected.stderr.is_empty(),
        "git credential reject should erase silently:\n{rejected}"
    );

    let filled = git_credential(&session, Helper::OnPath, "fill", ASK_ALICE);
    assert_ne!(
        filled.code,
        Some(0),
        "the rejected password must be gone:\n{filled}"
    );
    assert!(
        !filled.stdout.contains("alice-app-password")
            && filled.stderr.contains("unable to get password from user"),
        "git should find no password after reject:\n{filled}"
    );
}

#[test]
fn reject_with_another_password_keeps_the_stored_one() {
    let session = KeyringSession::start();
    approve(&session, ALICE);

    let stale = ALICE.replace("alice-app-password", "an-older-password");
    let rejected = git_credential(&session, Helper::OnPath, "reject", &stale);
    assert!(
        rejected.success(),
        "git credential reject should succeed:\n{rejected}"
    );

    let filled = git_credential(&session, Helper::OnPath, "fill", ASK_ALICE);
    assert_eq!(
        filled.stdout, FILLED_ALICE,
        "a reject carrying a different password must not erase the stored one:\n{filled}"
    );
}

#[test]
fn two_users_on_one_host_each_get_their_own_password() {
    let session = KeyringSession::start();
    approve(&session, ALICE);
    approve(&session, BOB);

    let alice = git_credential(&session, Helper::OnPath, "fill", ASK_ALICE);
    let bob = git_credential(&session, Helper::OnPath, "fill", ASK_BOB);
    assert_eq!(
        alice.stdout, FILLED_ALICE,
        "Alice should get her own password:\n{alice}"
    );
    assert_eq!(
        bob.stdout,
        format!("{ASK_BOB}password=bob-app-password\n"),
        "Bob should get his own password:\n{bob}"
    );

    let rejected = git_credential(&session, Helper::OnPath, "reject", BOB);
    assert!(
        rejected.success(),
        "git credential reject should succeed:\n{rejected}"
    );
    let alice = git_credential(&session, Helper::OnPath, "fill", ASK_ALICE);
    assert_eq!(
        alice.stdout, FILLED_ALICE,
        "rejecting Bob's password must leave Alice's alone:\n{alice}"
    );
}

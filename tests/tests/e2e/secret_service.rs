//! Where things land: the secret in the Secret Service, never in the index.

use super::*;

#[test]
fn a_credential_approved_by_git_is_listed_by_secret_tool() {
    let session = KeyringSession::start();
    approve(&session, ALICE);

    require("secret-tool", "libsecret-tools");
    let mut search = session.command("secret-tool");
    search.args(["search", "--all", "service", "mailcred"]);
    let found = run(search, b"");
    assert!(
        found.success(),
        "secret-tool search should succeed:\n{found}"
    );
    assert!(
        found
            .stdout
            .contains("label = mailcred: smtp://alice@smtp.example.com:587")
            && found.stdout.contains("alice-app-password"),
        "the Secret Service should hold one labelled item with Alice's password:\n{found}"
    );
    assert!(
        found.stderr.contains("attribute.service = mailcred"),
        "the item should be filed under service \"mailcred\":\n{found}"
    );
}

#[test]
fn the_index_file_lists_the_credential_but_never_its_password() {
    let session = KeyringSession::start();
    approve(&session, ALICE);

    let index = std::fs::read_to_string(session.index_path())
        .expect("approving a credential should write the index file");
    assert!(
        index.contains("\"alice\"") && index.contains("\"smtp.example.com:587\""),
        "the index should list the user and host:\n{index}"
    );
    assert!(
        !index.contains("alice-app-password"),
        "the password belongs in the Secret Service, never in the index file:\n{index}"
    );
}

#[test]
fn the_index_file_is_private_to_the_user() {
    use std::os::unix::fs::PermissionsExt;

    let session = KeyringSession::start();
    approve(&session, ALICE);

    let index = session.index_path();
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("cannot stat {}: {e}", path.display()))
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&index), 0o600, "the index file should be 0600");
    assert_eq!(
        mode(index.parent().expect("the index is in a folder")),
        0o700,
        "the index folder should be 0700"
    );
}

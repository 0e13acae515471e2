//! The keyring items msmtp and git-credential-libsecret made: imported
//! like a file's secrets; msmtp's account without a password then asks
//! mailcred, and git gets a credential section; the items stay.

use mailcred::commands::import::keyring_items::Owner;

use super::{Home, assert_line};

const MSMTPRC: &str =
    "defaults\ntls on\n\naccount work\nhost smtp.example.org\nport 587\nuser ann@example.org\n";

fn msmtp_item(home: &Home) {
    home.items.0.borrow_mut().push((
        Owner::Msmtp,
        vec![
            ("host", "smtp.example.org".into()),
            ("service", "smtp".into()),
            ("user", "ann@example.org".into()),
        ],
        "s3cr3t",
    ));
}

#[test]
fn msmtps_item_is_stored_and_its_account_asks_mailcred_instead() {
    let home = Home::new();
    home.write(".msmtprc", MSMTPRC);
    msmtp_item(&home);

    let report = home.apply();

    assert_line(
        &report,
        &["~/.msmtprc:4: msmtp account \"work\", from msmtp's keyring item"],
        "the account it serves",
    );
    assert_eq!(
        home.read(".msmtprc"),
        MSMTPRC.replace(
            "account work\n",
            "account work\npasswordeval \"mailcred get work\"\n"
        ),
        "the account asks mailcred, every other byte kept"
    );
    assert_eq!(home.get("work"), "s3cr3t\n");
    let again = home.apply();
    assert_line(
        &again,
        &["Secret Service: msmtp's keyring item"],
        "the rerun finds it again",
    );
    assert_line(
        &again,
        &["account \"work\" already keeps this password"],
        "and only matches it",
    );
}

#[test]
fn an_item_no_file_uses_is_stored_and_left_with_the_reason() {
    let home = Home::new();
    msmtp_item(&home);

    let report = home.apply();

    assert_line(
        &report,
        &["Secret Service: msmtp's keyring item for ann@example.org on smtp.example.org"],
        "named",
    );
    assert_line(
        &report,
        &["the file stays as it is", "secret-tool clear"],
        "and how to delete it",
    );
    assert_eq!(home.get("ann@example.org"), "s3cr3t\n");
}

#[test]
fn git_libsecrets_item_gets_a_credential_section_handing_its_server_to_mailcred() {
    let home = Home::new();
    home.items.0.borrow_mut().push((
        Owner::Git,
        vec![
            ("protocol", "smtp".into()),
            ("server", "smtp.example.org".into()),
            ("port", "587".into()),
            ("user", "ann@example.org".into()),
        ],
        "s3cr3t",
    ));

    home.apply();

    let gitconfig = home.read(".gitconfig");
    assert!(
        gitconfig.contains("[credential \"smtp://smtp.example.org:587\"]\n")
            && gitconfig.contains("[credential \"smtp://smtp.example.org\"]\n"),
        "git asks mailcred for the server, with and without the port:\n{gitconfig}"
    );
    assert_eq!(
        home.account("ann@example.org").smtp.map(|e| e.port),
        Some(587)
    );
}

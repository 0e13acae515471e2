//! msmtp's own keyring item, as msmtp(1) says to make it (`secret-tool
//! store --label=msmtp host H service smtp user U`), with an msmtprc that
//! names no password: the import finds it in the real Secret Service, the
//! account then asks mailcred, and msmtp logs in. mailcred's own items are
//! not taken for another program's.

use super::*;

#[test]
fn msmtps_own_keyring_item_is_imported_and_its_account_then_asks_mailcred() {
    require("secret-tool", "libsecret-tools");
    let home = Plaintext::new();
    let rc = home
        .msmtprc()
        .replace(&format!("password \"{PASSWORD}\"\n"), "");
    home.write(".msmtprc", &rc);
    for name in [".mbsyncrc", ".neomuttrc", ".gitconfig"] {
        fs::remove_file(home.session.home().join(name)).unwrap();
    }
    let mut store = home.command("secret-tool");
    store.args([
        "store",
        "--label=msmtp",
        "host",
        home.smtp.host(),
        "service",
        "smtp",
        "user",
        USER,
    ]);
    let stored = run(store, PASSWORD.as_bytes());
    assert!(stored.success(), "secret-tool store:\n{stored}");

    let imported = home.import();

    assert!(
        imported
            .stdout
            .contains("msmtp account \"work\", from msmtp's keyring item"),
        "the item is found and paired with its account:\n{imported}"
    );
    assert!(
        home.read(".msmtprc")
            .contains("account work\npasswordeval \"mailcred get work\"\n"),
        "the account asks mailcred now:\n{}",
        home.read(".msmtprc")
    );
    let mut msmtp = home.command("msmtp");
    msmtp.args(["-a", ACCOUNT, RECIPIENT]);
    let sent = run(
        msmtp,
        format!("From: {USER}\nSubject: item\n\nhi\n").as_bytes(),
    );
    let auths: Vec<(String, bool)> = home
        .smtp
        .auths()
        .into_iter()
        .map(|a| (a.password, a.ok))
        .collect();
    assert_eq!(
        auths,
        [(PASSWORD.to_owned(), true)],
        "msmtp logs in through mailcred:\n{sent}"
    );

    let again = home.import();
    assert!(
        again
            .stdout
            .contains("Found 1 mail password outside mailcred")
            && again
                .stdout
                .contains("account \"work\" already keeps this password"),
        "msmtp's item is found again, mailcred's own one never:\n{again}"
    );
}

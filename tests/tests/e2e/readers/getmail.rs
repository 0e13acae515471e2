//! getmail6 with what `mailcred config getmail work` prints:
//! `password_command = ("mailcred", "get", "work")`, over POP3 (TLS).

use super::*;

/// `getmail --rcfile RC` with the snippet, trusting the test CA. As root,
/// getmail refuses to deliver to a Maildir unless the destination names
/// the user to deliver as.
fn fetch(reader: &Reader) -> Outcome {
    require("getmail", "getmail6");
    let snippet = reader.snippet("getmail");
    assert!(
        snippet.contains("password_command = (\"mailcred\", \"get\", \"work\")\n")
            && snippet.contains("type = SimplePOP3SSLRetriever\n"),
        "POP3 over TLS, the password from mailcred:\n{snippet}"
    );
    let ca = format!("ca_certs = {}", reader.server.ca_file().display());
    let rc = insert_after(&snippet, "type = SimplePOP3SSLRetriever", &ca);
    let rc = with_maildir(rc, &reader.session.home());
    let dir = reader.session.home().join(".config/getmail");
    let rc = reader.write(".config/getmail/getmailrc", &rc);
    let mut getmail = reader.command("getmail");
    getmail.arg("--getmaildir").arg(dir).arg("--rcfile").arg(rc);
    run(getmail, b"")
}

/// Makes `~/Mail/work` for getmail to deliver to, and, as root, where
/// getmail refuses to deliver to a Maildir unless the destination names
/// the user to deliver as, has `rc` deliver as nobody.
pub(crate) fn with_maildir(mut rc: String, home: &std::path::Path) -> String {
    let maildir = home.join("Mail/work");
    for sub in ["cur", "new", "tmp"] {
        fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    if is_root() {
        // Not even `user = root`: getmail delivers as root to no Maildir.
        rc = insert_after(&rc, "type = Maildir", "user = nobody");
        let nobody = Command::new("id").args(["-u", "nobody"]).output().unwrap();
        let uid: u32 = String::from_utf8_lossy(&nobody.stdout)
            .trim()
            .parse()
            .unwrap();
        for dir in [
            maildir.clone(),
            maildir.join("cur"),
            maildir.join("new"),
            maildir.join("tmp"),
        ] {
            std::os::unix::fs::chown(&dir, Some(uid), None).unwrap();
        }
        // nobody must reach the Maildir through the test HOME.
        fs::set_permissions(home, fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(maildir.parent().unwrap(), fs::Permissions::from_mode(0o755)).unwrap();
    }
    rc
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
}

#[test]
fn getmail_fetches_over_pop3_with_the_password_from_mailcred() {
    let reader = Reader::new(PASSWORD, &[Endpoint::PopTls]);
    reader.server.deliver(USER, "1", MESSAGE);
    let fetched = fetch(&reader);
    reader.assert_logged_in("getmail", MailProtocol::Pop3, &reader.logins(), &fetched);
    assert!(fetched.success(), "getmail should succeed:\n{fetched}");
    let inbox = maildir_messages(&reader.session.home().join("Mail/work"));
    assert!(
        inbox.len() == 1 && inbox[0].contains("Subject: fetched through mailcred"),
        "the message should arrive in ~/Mail/work: {inbox:?}\n{fetched}"
    );
}

#[test]
fn getmail_with_a_wrong_stored_password_is_refused() {
    let reader = Reader::new(WRONG_PASSWORD, &[Endpoint::PopTls]);
    let fetched = fetch(&reader);
    reader.assert_wrong_password_refused("getmail", &reader.logins(), &fetched);
}

#[test]
fn getmail_with_a_failing_helper_sends_no_password() {
    let mut reader = Reader::new(PASSWORD, &[Endpoint::PopTls]);
    reader.break_the_keyring();
    let fetched = fetch(&reader);
    reader.assert_no_password_sent("getmail", &reader.logins(), &fetched);
    assert!(
        fetched.stderr.contains("exited with 80") || fetched.stdout.contains("exited with 80"),
        "getmail says the password command failed:\n{fetched}"
    );
}

#[test]
fn getmail_is_refused_for_an_account_with_starttls_only() {
    let reader = Reader::new(PASSWORD, &[Endpoint::PopStarttls]);
    let printed = reader.mailcred(&["config", "getmail", ACCOUNT], "");
    assert!(
        printed.code == Some(USAGE)
            && printed.stdout.is_empty()
            && printed.stderr.contains("STARTTLS"),
        "getmail6 speaks no STARTTLS: no snippet that would fail:\n{printed}"
    );
}

//! mbsync (isync) with what `mailcred config mbsync work` prints: `PassCmd
//! "mailcred get work"`, over TLS and STARTTLS.

use super::*;

/// `mbsync -c RC work` with the snippet, trusting the test CA.
fn sync(reader: &Reader) -> Outcome {
    require("mbsync", "isync");
    let snippet = reader.snippet("mbsync");
    assert!(
        snippet.contains("PassCmd \"mailcred get work\"\n"),
        "the password comes from mailcred:\n{snippet}"
    );
    let ca = format!("CertificateFile {}", reader.server.ca_file().display());
    let rc = reader.write(".mbsyncrc", &insert_after(&snippet, "SSLType ", &ca));
    fs::create_dir_all(reader.session.home().join("Mail/work")).unwrap();
    let mut mbsync = reader.command("mbsync");
    mbsync.arg("-c").arg(rc).arg(ACCOUNT);
    run(mbsync, b"")
}

#[test]
fn mbsync_syncs_the_inbox_with_the_password_from_mailcred_over_tls_and_starttls() {
    for endpoint in [Endpoint::ImapTls, Endpoint::ImapStarttlsByName] {
        let reader = Reader::new(PASSWORD, &[endpoint]);
        reader.server.deliver(USER, "1", MESSAGE);
        let synced = sync(&reader);
        reader.assert_logged_in("mbsync", MailProtocol::Imap, &reader.logins(), &synced);
        assert!(
            synced.success(),
            "mbsync should succeed over {endpoint:?}:\n{synced}"
        );
        let inbox = maildir_messages(&reader.session.home().join("Mail/work/INBOX"));
        assert!(
            inbox.len() == 1 && inbox[0].contains("Subject: fetched through mailcred"),
            "the message should arrive in ~/Mail/work/INBOX over {endpoint:?}: {inbox:?}\n{synced}"
        );
    }
}

#[test]
fn mbsync_with_a_wrong_stored_password_is_refused() {
    let reader = Reader::new(WRONG_PASSWORD, &[Endpoint::ImapTls]);
    let synced = sync(&reader);
    reader.assert_wrong_password_refused("mbsync", &reader.logins(), &synced);
    assert!(!synced.success(), "mbsync should fail:\n{synced}");
}

#[test]
fn mbsync_with_a_failing_helper_sends_no_password() {
    let mut reader = Reader::new(PASSWORD, &[Endpoint::ImapTls]);
    reader.break_the_keyring();
    let synced = sync(&reader);
    reader.assert_no_password_sent("mbsync", &reader.logins(), &synced);
    assert!(
        !synced.success() && synced.stderr.contains("mailcred:"),
        "mbsync should fail, mailcred's reason shown:\n{synced}"
    );
}

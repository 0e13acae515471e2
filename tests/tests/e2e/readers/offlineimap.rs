//! OfflineIMAP with what `mailcred config offlineimap work` prints:
//! `remotepasseval` running `mailcred get work`, its newline stripped.

use super::*;

/// The `remotepasseval` line the snippet must have.
const PASSEVAL: &str = "remotepasseval = __import__(\"subprocess\").check_output([\"mailcred\", \
                        \"get\", \"work\"], text=True).removesuffix(\"\\n\")";

/// `offlineimap -c RC -o -u basic` with `rc` (the snippet, or a change of
/// it), trusting the test CA.
fn sync(reader: &Reader, rc: &str) -> Outcome {
    require("offlineimap", "offlineimap3");
    let ca = format!("sslcacertfile = {}", reader.server.ca_file().display());
    let rc = reader.write(
        ".offlineimaprc",
        &rc.replace("sslcacertfile = OS-DEFAULT", &ca),
    );
    let mut offlineimap = reader.command("offlineimap");
    offlineimap.arg("-c").arg(rc).args(["-o", "-u", "basic"]);
    run(offlineimap, b"")
}

fn snippet(reader: &Reader) -> String {
    let snippet = reader.snippet("offlineimap");
    assert!(
        snippet.lines().any(|l| l == PASSEVAL) && snippet.contains("sslcacertfile = OS-DEFAULT\n"),
        "the password comes from mailcred, its newline stripped:\n{snippet}"
    );
    snippet
}

/// Over TLS only: OfflineIMAP 8 (Debian 12's offlineimap3) now and then
/// stalls after STARTTLS, its next command never reaching the server
/// (Dovecot logs the TLS connection idle until its timeout), whatever the
/// password: a fault of its imaplib2, not of the snippet, so the STARTTLS
/// case is not run. The snippet says to prefer the TLS port.
#[test]
fn offlineimap_syncs_the_inbox_with_the_password_from_mailcred_over_tls() {
    let reader = Reader::new(PASSWORD, &[Endpoint::ImapTls]);
    reader.server.deliver(USER, "1", MESSAGE);
    let synced = sync(&reader, &snippet(&reader));
    reader.assert_logged_in("OfflineIMAP", MailProtocol::Imap, &reader.logins(), &synced);
    assert!(synced.success(), "OfflineIMAP should succeed:\n{synced}");
    let inbox = maildir_messages(&reader.session.home().join("Mail/work/INBOX"));
    assert!(
        inbox.len() == 1 && inbox[0].contains("Subject: fetched through mailcred"),
        "the message should arrive in ~/Mail/work/INBOX: {inbox:?}\n{synced}"
    );
}

#[test]
fn without_the_glue_offlineimap_would_send_the_newline_and_be_refused() {
    let reader = Reader::new(PASSWORD, &[Endpoint::ImapTls]);
    let raw = snippet(&reader).replace(".removesuffix(\"\\n\")", "");
    let synced = sync(&reader, &raw);
    let logins = reader.logins();
    assert!(
        !logins.is_empty() && logins.iter().all(|l| !l.accepted),
        "the password with mailcred's newline is not the password, which is why the snippet \
         strips it:\n{logins:#?}\n{synced}\n{}",
        reader.server.log()
    );
}

#[test]
fn offlineimap_with_a_wrong_stored_password_is_refused() {
    let reader = Reader::new(WRONG_PASSWORD, &[Endpoint::ImapTls]);
    let synced = sync(&reader, &snippet(&reader));
    reader.assert_wrong_password_refused("OfflineIMAP", &reader.logins(), &synced);
}

#[test]
fn offlineimap_with_a_failing_helper_sends_no_password() {
    let mut reader = Reader::new(PASSWORD, &[Endpoint::ImapTls]);
    let rc = snippet(&reader);
    reader.break_the_keyring();
    let synced = sync(&reader, &rc);
    reader.assert_no_password_sent("OfflineIMAP", &reader.logins(), &synced);
    assert!(
        synced.stderr.contains("mailcred:") || synced.stdout.contains("mailcred:"),
        "mailcred's reason reaches the user:\n{synced}"
    );
}

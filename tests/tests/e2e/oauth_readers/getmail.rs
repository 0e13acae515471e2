//! getmail6 with `use_xoauth2 = True` and `password_command = ("mailcred",
//! "get", "work")`, over IMAP with TLS (getmail's XOAUTH2 is IMAP's only).
//!
//! With tokens of 1,000 characters, not Entra's 1,500: Python's imaplib
//! (getmail's) sends the AUTHENTICATE response and its line end in two
//! writes, and Dovecot 2.3.19's login process, given a response of over
//! about 1.5 KiB that way over TLS, now and then waits for more input
//! before it reads the line end already there (measured with imaplib
//! alone: 3 stalls in 15 logins with 1,500 characters, none in 15 with
//! 1,000; none either way when the two writes are one). A quirk of the
//! test server, not of getmail or mailcred: the providers' servers are not
//! Dovecot, and every other program here sends Entra-sized tokens.

use crate::readers::getmail::with_maildir;

use super::*;

#[test]
fn getmail_fetches_over_imap_with_xoauth2_and_the_token_from_mailcred() {
    require("getmail", "getmail6");
    let reader =
        OAuthAccount::reader_told(Some(serde_json::json!({ "access_token_length": 1000 })));
    let snippet = reader.snippet("getmail");
    assert!(
        snippet.contains("\nuse_xoauth2 = True\n")
            && snippet.contains("type = SimpleIMAPSSLRetriever\n"),
        "{snippet}"
    );
    let ca = format!("ca_certs = {}", reader.dovecot().ca_file().display());
    let rc = insert_after(&snippet, "type = SimpleIMAPSSLRetriever", &ca);
    let rc = with_maildir(rc, &reader.session.home());
    let dir = reader.session.home().join(".config/getmail");
    let rc = reader.write_in_home(".config/getmail/getmailrc", &rc);
    let mut getmail = reader.command("getmail");
    getmail.arg("--getmaildir").arg(dir).arg("--rcfile").arg(rc);
    let fetched = run(getmail, b"");
    reader.assert_fetched("getmail", "Mail/work", &fetched);
}

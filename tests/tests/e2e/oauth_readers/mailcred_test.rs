//! `mailcred test work` of an OAuth2 account's IMAP endpoint: XOAUTH2 with
//! the token from the helper, and one refresh when the server refuses a
//! token mailcred still thought good.

use super::*;

fn mailcred_test(reader: &OAuthAccount) -> Outcome {
    let ca = reader.dovecot().ca_file().display().to_string();
    reader.mailcred(&["test", ACCOUNT, "--ca-file", &ca], "")
}

#[test]
fn mailcred_test_logs_in_to_imap_with_xoauth2() {
    let reader = OAuthAccount::new(Servers::Imap);
    let tested = mailcred_test(&reader);
    assert!(
        tested.success()
            && tested
                .stdout
                .contains("IMAP: the server accepted the login of alice@example.org"),
        "{tested}"
    );
    assert_eq!(reader.imap_logins(), [true]);
}

#[test]
fn mailcred_test_refreshes_a_token_the_imap_server_refuses_and_tries_once_more() {
    let reader = OAuthAccount::new(Servers::Imap);
    reader.expire_tokens();
    let before = reader.refreshes();
    let tested = mailcred_test(&reader);
    assert!(
        tested.success(),
        "the retry with a fresh token logs in:\n{tested}"
    );
    assert_eq!(
        reader.imap_logins(),
        [false, true],
        "the stale token refused, the fresh one accepted:\n{}",
        reader.dovecot().log()
    );
    assert_eq!(reader.refreshes(), before + 1);
}

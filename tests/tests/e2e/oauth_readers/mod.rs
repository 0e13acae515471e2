//! The reading programs with an OAuth2 account: mbsync, aerc, OfflineIMAP,
//! getmail6 and `mailcred test`, configured with what `mailcred config TOOL
//! work` prints for it, logging in with XOAUTH2 to the Dovecot of
//! `DovecotServer::with_oauth`, which takes only tokens the test identity
//! provider issued and that are still valid. The server's log decides:
//! which logins it accepted, and that each was XOAUTH2.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use mailcred_e2e::dovecot::MailProtocol;

use super::*;
use crate::oauth_account::{ACCOUNT, OAuthAccount, Servers, USER};
use crate::readers::{MESSAGE, insert_after, maildir_messages};

mod aerc;
mod getmail;
mod himalaya;
mod mailcred_test;
mod mbsync;
mod offlineimap;

impl OAuthAccount {
    /// A reader signed in with OAuth2, [`MESSAGE`] waiting in its inbox.
    fn reader() -> Self {
        Self::reader_told(None)
    }

    /// [`reader`](Self::reader), the identity provider told `control`
    /// before the sign-in.
    fn reader_told(control: Option<serde_json::Value>) -> Self {
        let reader = OAuthAccount::starting(Servers::Imap, control);
        reader.dovecot().deliver(USER, "1", MESSAGE);
        reader
    }

    /// Writes `contents` to `name` under HOME, readable by the user only.
    fn write_in_home(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.session.home().join(name);
        fs::create_dir_all(path.parent().expect("a file in HOME")).unwrap();
        fs::write(&path, contents).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        path
    }

    /// Asserts `client` logged in to Dovecot with XOAUTH2, over TLS, every
    /// time, and that the message reached `~/Mail/work[/INBOX]`.
    #[track_caller]
    fn assert_fetched(&self, client: &str, folder: &str, ran: &Outcome) {
        let logins = self.dovecot().logins_of(USER);
        assert!(
            !logins.is_empty()
                && logins.iter().all(|l| l.accepted
                    && l.tls
                    && l.protocol == MailProtocol::Imap
                    && l.method == "XOAUTH2"),
            "{client} should log in with XOAUTH2 over TLS, every time:\n{logins:#?}\n{ran}\n\
             --- server log ---\n{}",
            self.dovecot().log()
        );
        assert!(ran.success(), "{client} should succeed:\n{ran}");
        let inbox = maildir_messages(&self.session.home().join(folder));
        assert!(
            inbox.len() == 1 && inbox[0].contains("Subject: fetched through mailcred"),
            "the message should arrive in ~/{folder}: {inbox:?}\n{ran}"
        );
    }
}

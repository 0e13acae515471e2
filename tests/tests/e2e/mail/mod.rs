//! The mail tools themselves — msmtp, neomutt, git send-email — getting the
//! password of an account made with `mailcred add` and sending through a
//! real SMTP server on 127.0.0.1 (see `smtp_server`), with the
//! fixture of `mail_account`.
//!
//! Each test has its own keyring session, temporary HOME and server; the
//! directory of the built binaries comes first on PATH, as after an install.
//! The server records every AUTH and every message, so the tests check what
//! really crossed the wire, not only the client's exit status.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

use mailcred_e2e::smtp::SmtpMode;

use super::*;
use crate::mail_account::{ACCOUNT, MailAccount, PASSWORD, RECIPIENT, USER, WRONG_PASSWORD};

mod git_send_email;
mod msmtp;
mod neomutt;

/// What the mail tools need of the shared fixture.
impl MailAccount {
    /// What `mailcred config TOOL work` prints.
    fn snippet(&self, tool: &str) -> String {
        let printed = self.mailcred(&["config", tool, ACCOUNT], "");
        assert!(
            printed.success() && printed.stderr.is_empty(),
            "mailcred config {tool} should print a snippet:\n{printed}"
        );
        printed.stdout
    }

    /// Writes `contents` to `name` in the temporary HOME, readable by the
    /// user only (msmtp insists), and returns its path.
    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.session.home().join(name);
        fs::write(&path, contents).expect("cannot write a file in the test HOME");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600))
            .expect("cannot make a file in the test HOME private");
        path
    }

    /// The password `mailcred get work` prints now.
    fn stored_password(&self) -> Outcome {
        self.mailcred(&["get", ACCOUNT], "")
    }

    /// Asserts `client` sent one message, containing `content`, after one
    /// AUTH with the stored password, and exited 0.
    #[track_caller]
    fn assert_delivered(&self, client: &str, sent: &Outcome, content: &str) {
        let auths = self.server.auths();
        let seen: Vec<_> = auths
            .iter()
            .map(|a| (a.username.as_str(), a.password.as_str(), a.ok))
            .collect();
        assert_eq!(
            seen,
            [(USER, PASSWORD, true)],
            "{client} should authenticate once, with the password mailcred keeps:\n{sent}\n{}",
            self.server.stderr()
        );
        let messages = self.server.messages();
        assert_eq!(
            messages.len(),
            1,
            "{client} should deliver one message: {messages:?}\n{sent}"
        );
        assert_eq!(
            (messages[0].mail_from.as_str(), &messages[0].rcpt_tos[..]),
            (USER, &[RECIPIENT.to_owned()][..]),
            "the envelope should be from the account's user to the recipient"
        );
        assert!(
            messages[0].data.contains(content),
            "the message should arrive whole, with {content:?}: {:?}",
            messages[0].data
        );
        assert!(sent.success(), "{client} should report success:\n{sent}");
    }

    /// Asserts the server refused one AUTH with the wrong password and
    /// accepted no message.
    #[track_caller]
    fn assert_refused(&self, client: &str, sent: &Outcome) {
        let seen: Vec<_> = self
            .server
            .auths()
            .iter()
            .map(|a| (a.password.clone(), a.ok))
            .collect();
        assert_eq!(
            seen,
            [(WRONG_PASSWORD.to_owned(), false)],
            "{client} should try the stored (wrong) password once, and the server refuse it:\n{sent}"
        );
        assert_eq!(
            self.server.messages(),
            [],
            "nothing may be delivered after a refused AUTH:\n{sent}"
        );
    }

    /// Asserts `client` did not get as far as AUTH: no password crossed the
    /// wire and nothing was delivered.
    #[track_caller]
    fn assert_nothing_sent(&self, client: &str, sent: &Outcome) {
        assert_eq!(
            (self.server.auths(), self.server.messages()),
            (vec![], vec![]),
            "without a password {client} must neither authenticate nor deliver:\n{sent}"
        );
    }
}

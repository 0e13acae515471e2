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

use mailcred_core::accounts::{Account, Accounts};
use mailcred_e2e::smtp::SmtpMode;

use super::*;
use crate::mail_account::{ACCOUNT, MailAccount, PASSWORD, RECIPIENT, USER, WRONG_PASSWORD};

mod git_send_email;
mod msmtp;
pub(crate) mod neomutt;
mod neomutt_imap;

/// What the mail tools need of the shared fixture.
impl MailAccount {
    /// Like [`MailAccount::new`] holding [`PASSWORD`], but the account's
    /// login is `login`, which `add` would refuse: added as [`USER`], then
    /// changed by hand in accounts.json, its password stored again for the
    /// new login with `set-password`. The server accepts both logins.
    fn with_hand_edited_login(mode: SmtpMode, login: &str) -> Self {
        let mail = Self::start(mode, &[(USER, PASSWORD), (login, PASSWORD)], &[]);
        mail.add(PASSWORD, &[]);
        edit_account(&mail.session, |a| a.user = login.into());
        let stored = mail.mailcred(
            &["set-password", ACCOUNT, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        );
        assert!(
            stored.success(),
            "mailcred set-password should succeed:\n{stored}"
        );
        mail
    }

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
        write_private(&self.session, name, contents)
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

/// A command for `program` in `session`, in its HOME, with the built
/// binaries first on PATH (so `mailcred` and `credential.helper=mailcred`
/// name them).
fn command_in(session: &KeyringSession, program: &str) -> Command {
    let mut command = session.command(program);
    command.env("PATH", path_with_binaries());
    command
}

/// Writes `contents` to `name` in the session's HOME, readable by the user
/// only (msmtp insists), and returns its path.
fn write_private(session: &KeyringSession, name: &str, contents: &str) -> PathBuf {
    let path = session.home().join(name);
    fs::write(&path, contents).expect("cannot write a file in the test HOME");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600))
        .expect("cannot make a file in the test HOME private");
    path
}

/// The login of the attack in issue 10: pasted between double quotes it
/// closes them, and neomutt runs `touch PWNED` while reading its rc file.
const HOSTILE_LOGIN: &str = r#"u@x.example"; source "touch PWNED |"; set x=""#;

/// Changes the accounts in `session`'s accounts.json as a user editing it
/// by hand (or a script writing it) might: nothing checks the result.
fn edit_account(session: &KeyringSession, edit: impl FnOnce(&mut Account)) {
    let file = session.account_file();
    let bytes = fs::read(&file).expect("cannot read the account file");
    let mut accounts = Accounts::from_slice(&bytes).expect("the account file parses");
    edit(&mut accounts.accounts[0]);
    let json = serde_json::to_string_pretty(&accounts).expect("accounts encode as JSON");
    fs::write(&file, json).expect("cannot write the account file");
}

/// The SMTP endpoint of an account the tests added with one.
fn smtp_of(account: &mut Account) -> &mut mailcred_core::accounts::Endpoint {
    account
        .smtp
        .as_mut()
        .expect("the test account has an SMTP endpoint")
}

/// A session holding one account `work` (smtp.example.org:587, STARTTLS)
/// whose account file was then edited by hand, for the snippet commands
/// alone: nothing connects anywhere.
struct HandEdited {
    session: KeyringSession,
}

impl HandEdited {
    /// `work` added as [`USER`], then changed by `edit`.
    fn new(edit: impl FnOnce(&mut Account)) -> Self {
        let session = KeyringSession::start();
        let args = [
            "add",
            ACCOUNT,
            "--provider",
            "custom",
            "--host",
            "smtp.example.org",
            "--user",
            USER,
            "--password-stdin",
        ];
        let added = mailcred(&session, MAILCRED, &args, &format!("{PASSWORD}\n"));
        assert!(added.success(), "mailcred add should succeed:\n{added}");
        edit_account(&session, edit);
        Self { session }
    }

    /// `work` with its login changed to `login`, and the password stored
    /// again for that login (msmtp's `--pretend` runs `passwordeval`).
    fn login(login: &str) -> Self {
        let hand = Self::new(|a| a.user = login.into());
        let args = ["set-password", ACCOUNT, "--password-stdin"];
        let stored = mailcred(&hand.session, MAILCRED, &args, &format!("{PASSWORD}\n"));
        assert!(
            stored.success(),
            "mailcred set-password should succeed:\n{stored}"
        );
        hand
    }

    /// `mailcred config TOOL work`.
    fn config(&self, tool: &str) -> Outcome {
        mailcred(&self.session, MAILCRED, &["config", tool, ACCOUNT], "")
    }

    /// The snippet `mailcred config TOOL work` prints, which must succeed.
    #[track_caller]
    fn snippet(&self, tool: &str) -> String {
        let printed = self.config(tool);
        assert!(
            printed.success() && printed.stderr.is_empty(),
            "mailcred config {tool} should print a snippet:\n{printed}"
        );
        printed.stdout
    }

    /// Whether the attack's `touch PWNED` ran: a file PWNED in HOME, where
    /// every program of these tests runs.
    fn pwned(&self) -> bool {
        self.session.home().join("PWNED").exists()
    }
}

/// Asserts a snippet command exited 64 (an account it cannot use) and
/// printed nothing.
#[track_caller]
fn assert_no_snippet(printed: &Outcome, why: &str) {
    assert!(
        printed.code == Some(64) && printed.stdout.is_empty(),
        "{why}: expected exit 64 and no snippet:\n{printed}"
    );
}

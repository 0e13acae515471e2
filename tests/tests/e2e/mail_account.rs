//! The fixture the mail-tool tests (`mail`) and the mailcred-lettre tests
//! (`plugin`) share: a mail account added with `mailcred add` in a keyring
//! session of its own, and the real SMTP server on 127.0.0.1 it sends
//! through. Each group adds the methods only it needs in its own module.

use std::process::Command;
use std::thread;

use mailcred_e2e::smtp::{SmtpMode, SmtpServer};

use super::*;

/// The account's name in mailcred.
pub(crate) const ACCOUNT: &str = "work";
/// The login, as the server knows it.
pub(crate) const USER: &str = "alice@example.org";
/// The app password the server accepts; shaped like Gmail's, with spaces.
pub(crate) const PASSWORD: &str = "abcd efgh ijkl mnop";
/// A password the server refuses with 535.
pub(crate) const WRONG_PASSWORD: &str = "wxyz wxyz wxyz wxyz";
/// Where the tests send their messages.
pub(crate) const RECIPIENT: &str = "bob@example.org";
/// The binary behind `mailcred test` and `mailcred send`.
const SMTP: &str = "mailcred-smtp";

/// A mail account added with `mailcred add` in a keyring session of its
/// own, and the SMTP server it sends through.
pub(crate) struct MailAccount {
    pub(crate) session: KeyringSession,
    pub(crate) server: SmtpServer,
}

impl MailAccount {
    /// A protected account (plain `mailcred add`) holding `stored`, for a
    /// server in `mode` that accepts only [`PASSWORD`].
    pub(crate) fn new(mode: SmtpMode, stored: &str) -> Self {
        Self::with(mode, &[], stored, &[])
    }

    /// Like [`MailAccount::new`], with `rejected` recipients refused with
    /// 550 and `add_flags` given to `mailcred add`.
    pub(crate) fn with(
        mode: SmtpMode,
        rejected: &[&str],
        stored: &str,
        add_flags: &[&str],
    ) -> Self {
        let account = Self::start(mode, &[(USER, PASSWORD)], rejected);
        account.add(stored, add_flags);
        account
    }

    /// A keyring session and a server in `mode` accepting `logins`, with
    /// no account added yet.
    pub(crate) fn start(mode: SmtpMode, logins: &[(&str, &str)], rejected: &[&str]) -> Self {
        assert!(
            bin(SMTP).is_file(),
            "the tests need {SMTP}, built by `cargo build --workspace` (crate mailcred-lettre)"
        );
        // Both take a few hundred milliseconds to come up: start them together.
        let (session, server) = thread::scope(|scope| {
            let server = scope.spawn(|| SmtpServer::start_rejecting(mode, logins, rejected));
            let session = KeyringSession::start();
            (session, server.join().expect("the SMTP server started"))
        });
        Self { session, server }
    }

    /// `mailcred add work` for the server, as [`USER`], holding `stored`.
    pub(crate) fn add(&self, stored: &str, add_flags: &[&str]) {
        let port = self.server.port().to_string();
        let security = match self.server.mode() {
            SmtpMode::Plain => "none-dangerous",
            SmtpMode::StartTls => "starttls",
            SmtpMode::Tls => "tls",
        };
        let mut args = vec!["add", ACCOUNT, "--provider", "custom", "--user", USER];
        args.extend(["--host", self.server.host(), "--port", &port]);
        args.extend(["--security", security, "--password-stdin"]);
        args.extend(add_flags);
        let added = self.mailcred(&args, &format!("{stored}\n"));
        assert!(added.success(), "mailcred add should succeed:\n{added}");
    }

    /// A command for `program` in the session, in its HOME, with the built
    /// binaries first on PATH, as after an install (so `mailcred` and
    /// `credential.helper=mailcred` name them).
    pub(crate) fn command(&self, program: &str) -> Command {
        let mut command = self.session.command(program);
        command.env("PATH", path_with_binaries());
        command
    }

    /// `mailcred ARGS` with `input` on stdin.
    pub(crate) fn mailcred(&self, args: &[&str], input: &str) -> Outcome {
        let mut command = self.command(MAILCRED);
        command.args(args);
        run(command, input.as_bytes())
    }

    /// Asserts the account still holds `password`.
    #[track_caller]
    pub(crate) fn assert_still_holds(&self, password: &str, why: &str) {
        let got = self.mailcred(&["get", ACCOUNT], "");
        assert!(
            got.success() && got.stdout == format!("{password}\n"),
            "mailcred get {ACCOUNT} should still print the stored password ({why}):\n{got}"
        );
    }
}

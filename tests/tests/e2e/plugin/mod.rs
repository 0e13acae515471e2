//! mailcred-lettre and the commands built on it (`mailcred test`, `mailcred
//! send`), against a real SMTP server on 127.0.0.1 (see `smtp_server`).
//!
//! The library runs in this process; its credential helper is either the
//! real `git-credential-mailcred`, run in the test's own keyring session, or
//! a recording helper (a shell script) that writes down every call, so the
//! tests see exactly when `get`, `store` and `erase` happen. The server
//! records every AUTH and message: the tests check what crossed the wire.

use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;
use std::thread;

use mailcred::accounts::{Account, AccountFile};
use mailcred_e2e::smtp::{SmtpMode, SmtpServer};
use mailcred_lettre::lettre::Message;
use mailcred_lettre::{CredentialHelper, MailcredTransportBuilder};
use tempfile::TempDir;

use super::*;

mod commands;
mod helper_calls;
mod hostile;
mod tools;
mod transport;

/// The account's name in mailcred.
const ACCOUNT: &str = "work";
/// The login, as the server knows it.
const USER: &str = "alice@example.org";
/// The app password the server accepts.
const PASSWORD: &str = "abcd efgh ijkl mnop";
/// A password the server refuses with 535.
const WRONG_PASSWORD: &str = "wxyz wxyz wxyz wxyz";
const RECIPIENT: &str = "bob@example.org";
/// The binary behind `mailcred test` and `mailcred send`.
const SMTP: &str = "mailcred-smtp";

/// A mail account added with `mailcred add` in a keyring session of its
/// own, and the SMTP server it sends through.
struct Relay {
    session: KeyringSession,
    server: SmtpServer,
}

impl Relay {
    /// A protected account holding [`PASSWORD`], for a server in `mode`.
    fn new(mode: SmtpMode) -> Self {
        Self::with(mode, &[], PASSWORD)
    }

    /// An account holding `stored`, for a server in `mode` that accepts only
    /// [`PASSWORD`] and refuses each of `rejected` with 550.
    fn with(mode: SmtpMode, rejected: &[&str], stored: &str) -> Self {
        assert!(
            bin(SMTP).is_file(),
            "the tests need {SMTP}, built by `cargo build --workspace` (crate mailcred-lettre)"
        );
        let (session, server) = thread::scope(|scope| {
            let server =
                scope.spawn(|| SmtpServer::start_rejecting(mode, &[(USER, PASSWORD)], rejected));
            let session = KeyringSession::start();
            (session, server.join().expect("the SMTP server started"))
        });
        let relay = Self { session, server };
        let port = relay.server.port().to_string();
        let security = match mode {
            SmtpMode::Plain => "none-dangerous",
            SmtpMode::StartTls => "starttls",
            SmtpMode::Tls => "tls",
        };
        let mut args = vec!["add", ACCOUNT, "--provider", "custom", "--user", USER];
        args.extend(["--host", relay.server.host(), "--port", &port]);
        args.extend(["--security", security, "--password-stdin"]);
        let added = relay.mailcred(&args, &format!("{stored}\n"));
        assert!(added.success(), "mailcred add should succeed:\n{added}");
        relay
    }

    /// A command for `program` in the session, with the built binaries first
    /// on PATH, as after an install.
    fn command(&self, program: &str) -> Command {
        let mut command = self.session.command(program);
        command.env("PATH", path_with_binaries());
        command
    }

    /// `mailcred ARGS` with `input` on stdin.
    fn mailcred(&self, args: &[&str], input: &str) -> Outcome {
        let mut command = self.command(MAILCRED);
        command.args(args);
        run(command, input.as_bytes())
    }

    /// `--ca-file CERT` when the server has a certificate.
    fn ca_args(&self) -> Vec<String> {
        if self.server.mode().uses_tls() {
            vec![
                "--ca-file".into(),
                self.server.ca_file().display().to_string(),
            ]
        } else {
            vec![]
        }
    }

    /// The account as `mailcred add` recorded it in the session.
    fn account(&self) -> Account {
        let config = session_env(&self.session, "XDG_CONFIG_HOME");
        let accounts = AccountFile::in_dir(PathBuf::from(config).join("mailcred"))
            .read()
            .expect("the session's account file");
        accounts
            .get(ACCOUNT)
            .expect("the account was added")
            .clone()
    }

    /// The real `git-credential-mailcred`, run in this test's keyring
    /// session: a `!` helper that sets the session's environment.
    fn real_helper(&self) -> CredentialHelper {
        let probe = self.session.command("true");
        let mut line = String::from("!env -i");
        for (key, value) in probe.get_envs() {
            let (key, value) = (key.to_string_lossy(), value.unwrap_or_default());
            line += &format!(" {key}={}", shell_quote(&value.to_string_lossy()));
        }
        line += &format!(" {}", shell_quote(&bin(HELPER).display().to_string()));
        CredentialHelper::new(&line).expect("a helper command")
    }

    /// A transport for the account, trusting the server's certificate,
    /// asking `helper`.
    fn builder(&self, helper: CredentialHelper) -> MailcredTransportBuilder {
        let builder = MailcredTransportBuilder::from_account_dangerous(&self.account())
            .credential_helper(helper);
        if self.server.mode().uses_tls() {
            builder
                .add_root_certificate_file(self.server.ca_file())
                .expect("the test certificate is a PEM certificate")
        } else {
            builder
        }
    }

    /// The AUTH attempts so far, as (password, accepted).
    fn logins(&self) -> Vec<(String, bool)> {
        self.server
            .auths()
            .into_iter()
            .map(|a| {
                assert_eq!(a.username, USER, "every login should be the account's user");
                (a.password, a.ok)
            })
            .collect()
    }

    /// Asserts the account still holds `password`.
    #[track_caller]
    fn assert_still_holds(&self, password: &str, why: &str) {
        let got = self.mailcred(&["get", ACCOUNT], "");
        assert!(
            got.success() && got.stdout == format!("{password}\n"),
            "mailcred get {ACCOUNT} should print the stored password ({why}):\n{got}"
        );
    }
}

/// One of the session's environment variables, as its commands get it.
fn session_env(session: &KeyringSession, name: &str) -> OsString {
    let probe = session.command("true");
    probe
        .get_envs()
        .find(|(key, _)| *key == name)
        .and_then(|(_, value)| value.map(OsString::from))
        .unwrap_or_else(|| panic!("the session sets {name}"))
}

fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// A message from the account's user to `to`.
fn message(subject: &str, to: &[&str]) -> Message {
    let mut builder = Message::builder()
        .from(USER.parse().unwrap())
        .subject(subject);
    for to in to {
        builder = builder.to(to.parse().unwrap());
    }
    builder.body(format!("This is {subject}.\n")).unwrap()
}

/// A credential helper that writes down every call (action and request)
/// and answers `get` with a password it is given.
struct Recorder {
    dir: TempDir,
}

/// One call of the recording helper.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Call {
    action: String,
    /// The request's `key=value` lines, in order.
    request: Vec<String>,
}

impl Recorder {
    /// A helper answering `get` with `password` for [`USER`].
    fn answering(password: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("mailcred-recorder-")
            .tempdir()
            .unwrap();
        let script = dir.path().join("git-credential-recorder");
        // One printf, one write: concurrent calls do not interleave.
        fs::write(
            &script,
            "#!/bin/sh\n\
             dir=$(dirname \"$0\")\n\
             request=$(cat)\n\
             printf 'action=%s\\n%s\\n\\n' \"$1\" \"$request\" >> \"$dir/calls\"\n\
             if [ \"$1\" = get ]; then cat \"$dir/answer\"; fi\n",
        )
        .unwrap();
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
        let recorder = Self { dir };
        recorder.answer(password);
        recorder
    }

    /// From now on `get` answers `password`.
    fn answer(&self, password: &str) {
        fs::write(
            self.dir.path().join("answer"),
            format!("username={USER}\npassword={password}\n"),
        )
        .unwrap();
    }

    /// The helper, named by its absolute path as `credential.helper` would.
    fn helper(&self) -> CredentialHelper {
        let script = self.dir.path().join("git-credential-recorder");
        CredentialHelper::new(script.to_str().unwrap()).unwrap()
    }

    /// Every call so far.
    fn calls(&self) -> Vec<Call> {
        let log = fs::read_to_string(self.dir.path().join("calls")).unwrap_or_default();
        log.split("\n\n")
            .filter(|entry| !entry.trim().is_empty())
            .map(|entry| {
                let mut lines = entry.lines();
                let action = lines
                    .next()
                    .and_then(|l| l.strip_prefix("action="))
                    .expect("each call starts with its action")
                    .to_owned();
                Call {
                    action,
                    request: lines.map(str::to_owned).collect(),
                }
            })
            .collect()
    }

    /// The actions so far, in order.
    fn actions(&self) -> Vec<String> {
        self.calls().into_iter().map(|c| c.action).collect()
    }
}

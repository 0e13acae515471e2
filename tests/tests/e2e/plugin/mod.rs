//! mailcred-lettre and the commands built on it (`mailcred test`, `mailcred
//! send`), against a real SMTP server on 127.0.0.1 (see `smtp_server`),
//! with the fixture of `mail_account`.
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

use mailcred_core::accounts::{Account, AccountFile};
use mailcred_e2e::smtp::SmtpMode;
use mailcred_lettre::lettre::Message;
use mailcred_lettre::{CredentialHelper, MailcredTransportBuilder};
use tempfile::TempDir;

use super::*;
use crate::mail_account::{ACCOUNT, MailAccount, PASSWORD, RECIPIENT, USER, WRONG_PASSWORD};

mod commands;
mod helper_calls;
mod hostile;
mod through_mailcred;
mod tools;
mod transport;

/// What the mailcred-lettre tests need of the shared fixture.
impl MailAccount {
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
            .expect("the relay account sends through SMTP")
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

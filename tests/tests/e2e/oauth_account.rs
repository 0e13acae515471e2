//! The fixture of the OAuth2 tests with the real mail programs: the test
//! identity provider, an OAuth2 SMTP server and an OAuth2 Dovecot that take
//! only its tokens, and an account signed in with the real `mailcred add
//! --auth oauth2` (the browser being `tests/oauth/browser.py`) in a keyring
//! session of its own. Each program's test gets the snippet from `mailcred
//! config TOOL work`, as a user would.

use std::path::PathBuf;
use std::process::Command;

use mailcred_e2e::dovecot::DovecotServer;
use mailcred_e2e::idp::{self, Idp};
use mailcred_e2e::smtp::{AuthRecord, SmtpMode, SmtpServer};
use serde_json::{Value, json};

use super::*;

/// The account's name in mailcred.
pub(crate) const ACCOUNT: &str = "work";
/// The login, and the user the identity provider issues tokens for.
pub(crate) const USER: &str = "alice@example.org";
/// Where the tests send their messages.
pub(crate) const RECIPIENT: &str = "bob@example.org";

/// What the account is signed in to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Servers {
    /// An OAuth2 SMTP server in this mode.
    Smtp(SmtpMode),
    /// An OAuth2 Dovecot, read over IMAP with TLS from the first byte.
    Imap,
    /// Both: an OAuth2 SMTP server in this mode, and Dovecot.
    SmtpAndImap(SmtpMode),
}

/// An account signed in with OAuth2 and the servers it uses.
pub(crate) struct OAuthAccount {
    pub(crate) session: KeyringSession,
    pub(crate) idp: Idp,
    pub(crate) smtp: Option<SmtpServer>,
    pub(crate) dovecot: Option<DovecotServer>,
    /// Files the test writes (program configurations), gone with it.
    dir: tempfile::TempDir,
}

impl OAuthAccount {
    /// Starts the identity provider and `servers`, and signs in with
    /// `mailcred add work --auth oauth2`.
    pub(crate) fn new(servers: Servers) -> Self {
        Self::starting(servers, None)
    }

    /// Like [`new`](Self::new), but the provider issues access tokens that
    /// live a minute: less than the five minutes `mailcred get` wants
    /// left, so every `get` refreshes first.
    pub(crate) fn short_lived(servers: Servers) -> Self {
        Self::starting(servers, Some(json!({ "access_lifetime": 60 })))
    }

    /// Like [`new`](Self::new), the provider told `control` (its
    /// `/control` JSON) before the sign-in.
    pub(crate) fn starting(servers: Servers, control: Option<Value>) -> Self {
        let idp = Idp::start();
        if let Some(control) = control {
            idp.control(control);
        }
        let introspect = idp.introspect_url();
        let (smtp, dovecot) = match servers {
            Servers::Smtp(mode) => (Some(SmtpServer::with_oauth(mode, &introspect)), None),
            Servers::Imap => (None, Some(DovecotServer::with_oauth(&introspect))),
            Servers::SmtpAndImap(mode) => (
                Some(SmtpServer::with_oauth(mode, &introspect)),
                Some(DovecotServer::with_oauth(&introspect)),
            ),
        };
        let account = Self {
            session: KeyringSession::start(),
            idp,
            smtp,
            dovecot,
            dir: tempfile::tempdir().expect("a temp dir"),
        };
        account.sign_in();
        account
    }

    fn sign_in(&self) {
        let mut args: Vec<String> = ["add", ACCOUNT, "--provider", "custom", "--user", USER]
            .map(String::from)
            .to_vec();
        let mut scopes = vec![];
        if let Some(smtp) = &self.smtp {
            let security = match smtp.mode() {
                SmtpMode::Plain => "none-dangerous",
                SmtpMode::StartTls => "starttls",
                SmtpMode::Tls => "tls",
            };
            args.extend(["--host", smtp.host(), "--security", security].map(String::from));
            args.extend(["--port".into(), smtp.port().to_string()]);
            scopes.push("https://outlook.office.com/SMTP.Send");
        }
        if let Some(dovecot) = &self.dovecot {
            args.extend(["--imap-host", "localhost", "--imap-security", "tls"].map(String::from));
            args.extend(["--imap-port".into(), dovecot.ports().imaps.to_string()]);
            scopes.push("https://outlook.office.com/IMAP.AccessAsUser.All");
        }
        scopes.push("offline_access");
        args.extend(["--auth", "oauth2", "--client-id", idp::CLIENT_ID].map(String::from));
        args.extend(["--oauth-authorize-url".into(), self.idp.authorize_url()]);
        args.extend(["--oauth-token-url".into(), self.idp.token_url()]);
        for scope in scopes {
            args.extend(["--scope".into(), scope.to_owned()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let added = self.mailcred(&args, "");
        assert!(
            added.success(),
            "mailcred add --auth oauth2 should sign in through the test browser:\n{added}"
        );
    }

    /// A command for `program` in the session, the built binaries first on
    /// PATH, and the test browser as `$BROWSER` (a `login` signs in again).
    pub(crate) fn command(&self, program: &str) -> Command {
        let mut command = self.session.command(program);
        command
            .env("PATH", path_with_binaries())
            .env("BROWSER", idp::browser());
        command
    }

    /// `mailcred ARGS` with `input` on stdin.
    pub(crate) fn mailcred(&self, args: &[&str], input: &str) -> Outcome {
        let mut command = self.command(MAILCRED);
        command.args(args);
        run(command, input.as_bytes())
    }

    /// The access token `mailcred get work` prints now.
    pub(crate) fn token(&self) -> String {
        let got = self.mailcred(&["get", ACCOUNT], "");
        assert!(got.success(), "mailcred get should print a token:\n{got}");
        got.stdout.trim_end().to_owned()
    }

    /// `mailcred config TOOL work`.
    pub(crate) fn snippet(&self, tool: &str) -> String {
        let config = self.mailcred(&["config", tool, ACCOUNT], "");
        assert!(config.success(), "mailcred config {tool}:\n{config}");
        config.stdout
    }

    /// Writes `text` to a file of the test and returns its path.
    pub(crate) fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write a test file");
        path
    }

    /// The SMTP server.
    pub(crate) fn smtp(&self) -> &SmtpServer {
        self.smtp.as_ref().expect("an account with an SMTP server")
    }

    /// The Dovecot server.
    pub(crate) fn dovecot(&self) -> &DovecotServer {
        self.dovecot.as_ref().expect("an account with Dovecot")
    }

    /// The SMTP server's AUTH attempts, each asserted to be XOAUTH2 by
    /// [`USER`]: as (token, accepted).
    pub(crate) fn smtp_logins(&self) -> Vec<(String, bool)> {
        self.smtp()
            .auths()
            .into_iter()
            .map(
                |AuthRecord {
                     mechanism,
                     username,
                     password,
                     ok,
                 }| {
                    assert_eq!(
                        (mechanism.as_str(), username.as_str()),
                        ("XOAUTH2", USER),
                        "every login should be XOAUTH2 as the account's user"
                    );
                    (password, ok)
                },
            )
            .collect()
    }

    /// Dovecot's logins of [`USER`], each asserted to be XOAUTH2: whether
    /// each was accepted.
    pub(crate) fn imap_logins(&self) -> Vec<bool> {
        self.dovecot()
            .logins_of(USER)
            .into_iter()
            .map(|login| {
                assert_eq!(
                    login.method,
                    "XOAUTH2",
                    "every IMAP login should be XOAUTH2:\n{}",
                    self.dovecot().log()
                );
                login.accepted
            })
            .collect()
    }

    /// Makes every access token the provider issued so far expire at once:
    /// the next login with a cached one is refused by the servers.
    pub(crate) fn expire_tokens(&self) {
        self.idp.control(json!({ "expire_access_tokens": true }));
    }

    /// How many refreshes the provider answered.
    pub(crate) fn refreshes(&self) -> u64 {
        self.idp.stats()["refreshes"]
            .as_u64()
            .expect("stats count refreshes")
    }
}

/// A message from the account's user to [`RECIPIENT`].
pub(crate) fn message(subject: &str) -> String {
    format!("From: {USER}\nTo: {RECIPIENT}\nSubject: {subject}\n\nSent with an OAuth2 token.\n")
}

//! The reading side: `mailcred test` logging in to every endpoint, and the
//! real reading programs — mbsync, OfflineIMAP, getmail6, aerc, neomutt,
//! mutt, git imap-send, himalaya — configured with what `mailcred config
//! TOOL work` prints, logging in to the real Dovecot of `dovecot_server`.
//!
//! Each program is run three ways: with the right password stored, with a
//! wrong one, and with a failing helper (the Secret Service stopped, so
//! `mailcred get` exits 80). The server's log decides, not the program's
//! exit status: which logins it accepted, which passwords it refused.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;
use std::thread;

use mailcred_e2e::dovecot::{DovecotServer, Login, MailProtocol, STARTTLS_HOST, TLS_HOST};

use super::*;

mod aerc;
pub(crate) mod getmail;
mod git_imap_send;
pub(crate) mod himalaya;
mod mailcred_test;
mod mbsync;
mod mutt;
mod offlineimap;

/// The account's name in mailcred.
const ACCOUNT: &str = "work";
/// The login, as the server knows it.
const USER: &str = "alice@example.org";
/// The app password the server accepts; shaped like Gmail's, with spaces.
const PASSWORD: &str = "abcd efgh ijkl mnop";
/// A password the server refuses.
const WRONG_PASSWORD: &str = "wxyz wxyz wxyz wxyz";

/// One reading endpoint of the test server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    /// IMAP, TLS from the first byte, on `localhost`.
    ImapTls,
    /// IMAP with STARTTLS required, on 127.0.0.2.
    ImapStarttls,
    /// IMAP with STARTTLS on `localhost`, for clients that check only the
    /// certificate's names (the log tells whether they used STARTTLS).
    ImapStarttlsByName,
    /// POP3, TLS from the first byte, on `localhost`.
    PopTls,
    /// POP3 with STLS required, on 127.0.0.2.
    PopStarttls,
}

impl Endpoint {
    /// The `mailcred add` flags for it.
    fn add_flags(self, server: &DovecotServer) -> Vec<String> {
        let ports = server.ports();
        let (kind, host, port, security) = match self {
            Endpoint::ImapTls => ("imap", TLS_HOST, ports.imaps, "tls"),
            Endpoint::ImapStarttls => ("imap", STARTTLS_HOST, ports.imap, "starttls"),
            Endpoint::ImapStarttlsByName => ("imap", TLS_HOST, ports.imap_localhost, "starttls"),
            Endpoint::PopTls => ("pop", TLS_HOST, ports.pop3s, "tls"),
            Endpoint::PopStarttls => ("pop", STARTTLS_HOST, ports.pop3, "starttls"),
        };
        vec![
            format!("--{kind}-host={host}"),
            format!("--{kind}-port={port}"),
            format!("--{kind}-security={security}"),
        ]
    }
}

/// A reading account `work` added with `mailcred add` in a keyring session
/// of its own, and the Dovecot it reads from, which accepts [`PASSWORD`].
struct Reader {
    session: KeyringSession,
    server: DovecotServer,
}

impl Reader {
    /// The session and the server, started together, no account yet.
    fn start() -> Self {
        let (session, server) = thread::scope(|scope| {
            let server = scope.spawn(|| DovecotServer::start(&[(USER, PASSWORD)]));
            let session = KeyringSession::start();
            (session, server.join().expect("Dovecot started"))
        });
        Reader { session, server }
    }

    /// A protected account holding `stored`, with `endpoints` only.
    fn new(stored: &str, endpoints: &[Endpoint]) -> Self {
        let reader = Self::start();
        reader.add(stored, endpoints, &[]);
        reader
    }

    /// `mailcred add work --provider custom` with `endpoints` and `extra`
    /// flags, holding `stored`.
    fn add(&self, stored: &str, endpoints: &[Endpoint], extra: &[&str]) {
        let mut args: Vec<String> = ["add", ACCOUNT, "--provider", "custom", "--user", USER]
            .map(String::from)
            .to_vec();
        for endpoint in endpoints {
            args.extend(endpoint.add_flags(&self.server));
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        args.push("--password-stdin".into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let added = self.mailcred(&args, &format!("{stored}\n"));
        assert!(added.success(), "mailcred add should succeed:\n{added}");
    }

    /// A command for `program` in the session, in its HOME, with the built
    /// binaries first on PATH, as after an install.
    fn command(&self, program: &str) -> Command {
        let mut command = self.session.command(program);
        command
            .env("PATH", path_with_binaries())
            .current_dir(self.session.home());
        command
    }

    /// `mailcred ARGS` with `input` on stdin.
    fn mailcred(&self, args: &[&str], input: &str) -> Outcome {
        let mut command = self.command(MAILCRED);
        command.args(args);
        run(command, input.as_bytes())
    }

    /// What `mailcred config TOOL work` prints, which must succeed quietly.
    #[track_caller]
    fn snippet(&self, tool: &str) -> String {
        let printed = self.mailcred(&["config", tool, ACCOUNT], "");
        assert!(
            printed.success() && printed.stderr.is_empty(),
            "mailcred config {tool} should print a snippet:\n{printed}"
        );
        printed.stdout
    }

    /// Writes `contents` to `name` (under HOME), readable by the user only,
    /// making its directories; returns its path.
    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.session.home().join(name);
        fs::create_dir_all(path.parent().expect("a file in HOME")).expect("create dirs in HOME");
        fs::write(&path, contents).expect("write a file in the test HOME");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600))
            .expect("make a file in the test HOME private");
        path
    }

    /// The failing helper: the Secret Service stopped, so every `mailcred
    /// get` exits 80 (keyring unavailable) with one line on stderr.
    fn break_the_keyring(&mut self) {
        self.session.stop_secret_service();
        let got = self.mailcred(&["get", ACCOUNT], "");
        assert_eq!(
            got.code,
            Some(KEYRING_UNAVAILABLE),
            "the helper now fails:\n{got}"
        );
    }

    /// The server's view of the account's logins.
    fn logins(&self) -> Vec<Login> {
        self.server.logins_of(USER)
    }

    /// Asserts the server accepted `client`'s login over `protocol`, over
    /// TLS, and refused none of its attempts.
    #[track_caller]
    fn assert_logged_in(
        &self,
        client: &str,
        protocol: MailProtocol,
        logins: &[Login],
        ran: &dyn std::fmt::Display,
    ) {
        assert!(
            !logins.is_empty()
                && logins
                    .iter()
                    .all(|l| l.accepted && l.tls && l.protocol == protocol),
            "{client} should log in over {protocol:?} and TLS with the stored password, every \
             time:\n{logins:#?}\n{ran}\n--- server log ---\n{}",
            self.server.log()
        );
    }

    /// Asserts the server let `client` in nowhere and refused only
    /// [`WRONG_PASSWORD`], at least once.
    #[track_caller]
    fn assert_wrong_password_refused(
        &self,
        client: &str,
        logins: &[Login],
        ran: &dyn std::fmt::Display,
    ) {
        assert!(
            !logins.is_empty()
                && logins.iter().all(|l| l.refused(WRONG_PASSWORD)
                    && l.refused_passwords.iter().all(|p| p == WRONG_PASSWORD)),
            "{client} should try the stored (wrong) password and the server refuse it, and \
             nothing else:\n{logins:#?}\n{ran}\n--- server log ---\n{}",
            self.server.log()
        );
    }

    /// Asserts `client`, whose helper failed, got in nowhere and sent no
    /// password but an empty one (never mailcred's message, say).
    #[track_caller]
    fn assert_no_password_sent(&self, client: &str, logins: &[Login], ran: &dyn std::fmt::Display) {
        assert!(
            logins
                .iter()
                .all(|l| !l.accepted && l.refused_passwords.iter().all(String::is_empty)),
            "with a failing helper {client} must not log in nor send anything as a \
             password:\n{logins:#?}\n{ran}\n--- server log ---\n{}",
            self.server.log()
        );
    }
}

/// `text` with `line` inserted after its first line starting with
/// `prefix`, which must be there: how the tests add what only the test
/// server needs (its CA) to a snippet.
#[track_caller]
pub(crate) fn insert_after(text: &str, prefix: &str, line: &str) -> String {
    let mut out = String::new();
    let mut done = false;
    for l in text.lines() {
        out.push_str(l);
        out.push('\n');
        if !done && l.starts_with(prefix) {
            out.push_str(line);
            out.push('\n');
            done = true;
        }
    }
    assert!(done, "no line starting with {prefix:?} in:\n{text}");
    out
}

/// A message for the server to hold, so a reader has something to fetch.
pub(crate) const MESSAGE: &str = "From: Bob <bob@example.org>\r\n\
To: Alice <alice@example.org>\r\n\
Subject: fetched through mailcred\r\n\
Message-ID: <fetched@example.org>\r\n\
\r\n\
Hello Alice.\r\n";

/// The files of a Maildir folder's `new` and `cur`.
pub(crate) fn maildir_messages(dir: &std::path::Path) -> Vec<String> {
    ["new", "cur"]
        .iter()
        .filter_map(|sub| fs::read_dir(dir.join(sub)).ok())
        .flatten()
        .filter_map(|entry| fs::read_to_string(entry.ok()?.path()).ok())
        .collect()
}

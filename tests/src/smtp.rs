//! A real SMTP server on 127.0.0.1: `tests/smtp-server/server.py` (aiosmtpd),
//! run from the venv that `tests/smtp-server/setup` makes.
//!
//! The server requires AUTH (PLAIN or LOGIN) before MAIL and records every
//! AUTH attempt and every delivered message, so a test checks what a mail
//! tool really sent rather than trusting its exit status. Started with
//! [`SmtpServer::with_oauth`], it is an OAuth2 server instead, as Microsoft
//! 365's is: XOAUTH2 and OAUTHBEARER only, each token checked at the test
//! identity provider's introspection endpoint.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tempfile::TempDir;

/// Environment variable naming the Python interpreter that runs the server,
/// instead of `<workspace>/target/smtp-venv/bin/python`.
pub const PYTHON_ENV: &str = "MAILCRED_SMTP_PYTHON";

const READY_TIMEOUT: Duration = Duration::from_secs(20);
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// How the server protects the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpMode {
    /// No TLS at all; AUTH is allowed in the clear.
    Plain,
    /// STARTTLS offered and required before AUTH and MAIL (port-587 style).
    StartTls,
    /// TLS from the first byte (port-465 style SMTPS).
    Tls,
}

impl SmtpMode {
    /// Every mode, for tests that run against each.
    pub const ALL: [SmtpMode; 3] = [SmtpMode::Plain, SmtpMode::StartTls, SmtpMode::Tls];

    /// The server's `--mode` value.
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpMode::Plain => "plain",
            SmtpMode::StartTls => "starttls",
            SmtpMode::Tls => "tls",
        }
    }

    /// Whether the server has a certificate.
    pub fn uses_tls(self) -> bool {
        self != SmtpMode::Plain
    }
}

/// One AUTH attempt as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AuthRecord {
    /// `PLAIN` or `LOGIN`; `XOAUTH2` or `OAUTHBEARER` on an OAuth2 server.
    pub mechanism: String,
    /// The user name the client sent.
    pub username: String,
    /// The password the client sent; on an OAuth2 server, the token.
    pub password: String,
    /// Whether it matched the account's password; on an OAuth2 server,
    /// whether the identity provider called the token active and the
    /// user's.
    pub ok: bool,
}

/// One message the server accepted.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MessageRecord {
    /// The envelope sender (`MAIL FROM`).
    pub mail_from: String,
    /// The accepted envelope recipients (`RCPT TO`).
    pub rcpt_tos: Vec<String>,
    /// The message itself, headers and body, with CRLF line ends.
    pub data: String,
}

#[derive(Deserialize)]
#[serde(tag = "event", rename_all = "lowercase")]
enum Record {
    Auth(AuthRecord),
    Message(MessageRecord),
}

/// A running SMTP server; stopped when dropped.
#[derive(Debug)]
pub struct SmtpServer {
    mode: SmtpMode,
    port: u16,
    child: Option<Child>,
    dir: TempDir,
}

impl SmtpServer {
    /// Starts a server in `mode` that accepts the given `(user, password)` accounts.
    ///
    /// Panics, naming what to run, when the Python venv is missing.
    pub fn start(mode: SmtpMode, accounts: &[(&str, &str)]) -> SmtpServer {
        SmtpServer::start_rejecting(mode, accounts, &[])
    }

    /// Like [`SmtpServer::start`], but answers `550` to `RCPT TO` for each of
    /// `rejected_rcpts`.
    pub fn start_rejecting(
        mode: SmtpMode,
        accounts: &[(&str, &str)],
        rejected_rcpts: &[&str],
    ) -> SmtpServer {
        SmtpServer::launch(mode, accounts, rejected_rcpts, None)
    }

    /// An OAuth2 server in `mode`: it offers and accepts XOAUTH2 and
    /// OAUTHBEARER only, and takes a token only when the RFC 7662
    /// endpoint `introspect_url` (the test identity provider's
    /// `/introspect`) calls it active and the login sent is the token's
    /// `username`; anything else gets `535 5.7.3 Authentication
    /// unsuccessful`, as from Microsoft 365.
    pub fn with_oauth(mode: SmtpMode, introspect_url: &str) -> SmtpServer {
        SmtpServer::launch(mode, &[], &[], Some(introspect_url))
    }

    fn launch(
        mode: SmtpMode,
        accounts: &[(&str, &str)],
        rejected_rcpts: &[&str],
        introspect_url: Option<&str>,
    ) -> SmtpServer {
        let python = python();
        let dir = tempfile::Builder::new()
            .prefix("mailcred-smtp-")
            .tempdir()
            .expect("a temp dir for the SMTP server");

        let accounts: serde_json::Map<String, serde_json::Value> = accounts
            .iter()
            .map(|(user, password)| (user.to_string(), password.to_string().into()))
            .collect();
        let accounts_file = dir.path().join("accounts.json");
        fs::write(&accounts_file, serde_json::to_string(&accounts).unwrap())
            .expect("write the accounts file");
        let log_file = dir.path().join("log.jsonl");
        fs::write(&log_file, "").expect("create the server log");
        let stderr = fs::File::create(dir.path().join("stderr")).expect("create stderr file");

        let mut command = Command::new(&python);
        command
            .arg(server_script())
            .args(["--port", "0", "--mode", mode.as_str()])
            .arg("--accounts")
            .arg(&accounts_file)
            .arg("--log")
            .arg(&log_file);
        if mode.uses_tls() {
            let (cert, key) = make_certificate(dir.path());
            command.arg("--cert").arg(cert).arg("--key").arg(key);
        }
        for rcpt in rejected_rcpts {
            command.args(["--reject-rcpt", rcpt]);
        }
        if let Some(url) = introspect_url {
            command.args(["--introspect-url", url]);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run the SMTP server with {python:?}: {e}"));

        let port = wait_for_ready(&mut child, dir.path());
        SmtpServer {
            mode,
            port,
            child: Some(child),
            dir,
        }
    }

    /// The mode the server runs in.
    pub fn mode(&self) -> SmtpMode {
        self.mode
    }

    /// The server's address: always loopback.
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The self-signed certificate (for `localhost` and `127.0.0.1`) that a
    /// client must trust. Panics in [`SmtpMode::Plain`], which has none.
    pub fn ca_file(&self) -> PathBuf {
        assert!(
            self.mode.uses_tls(),
            "a plain SMTP server has no certificate"
        );
        self.dir.path().join("cert.pem")
    }

    /// Every AUTH attempt so far, in order.
    pub fn auths(&self) -> Vec<AuthRecord> {
        self.records()
            .into_iter()
            .filter_map(|r| match r {
                Record::Auth(a) => Some(a),
                Record::Message(_) => None,
            })
            .collect()
    }

    /// Every message accepted so far, in order.
    pub fn messages(&self) -> Vec<MessageRecord> {
        self.records()
            .into_iter()
            .filter_map(|r| match r {
                Record::Message(m) => Some(m),
                Record::Auth(_) => None,
            })
            .collect()
    }

    /// What the server wrote on stderr so far, for assertion messages.
    pub fn stderr(&self) -> String {
        fs::read_to_string(self.dir.path().join("stderr")).unwrap_or_default()
    }

    /// Stops the server with SIGTERM and returns its exit status.
    pub fn stop(mut self) -> ExitStatus {
        self.terminate()
            .expect("the SMTP server is still running before stop()")
    }

    fn records(&self) -> Vec<Record> {
        let log = fs::read_to_string(self.dir.path().join("log.jsonl"))
            .expect("read the SMTP server's log");
        // Only complete lines: the server may be writing the next one.
        let complete = &log[..log.rfind('\n').map_or(0, |i| i + 1)];
        complete
            .lines()
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("bad SMTP server log line {line:?}: {e}"))
            })
            .collect()
    }

    /// SIGTERM, then SIGKILL if the server has not exited within
    /// [`STOP_TIMEOUT`].
    fn terminate(&mut self) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        let pid = rustix::process::Pid::from_child(&child);
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        child.wait().ok()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.terminate();
    }
}

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives inside the workspace")
}

fn server_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("smtp-server/server.py")
}

/// The interpreter that runs the server: `$MAILCRED_SMTP_PYTHON`, else the venv.
fn python() -> PathBuf {
    if let Some(python) = std::env::var_os(PYTHON_ENV) {
        let python = PathBuf::from(python);
        assert!(
            python.exists(),
            "{PYTHON_ENV}={python:?} does not exist; unset it or point it at a Python with \
             the packages of tests/smtp-server/requirements.txt"
        );
        return python;
    }
    let python = workspace_root().join("target/smtp-venv/bin/python");
    assert!(
        python.exists(),
        "the end-to-end tests need a real SMTP server, whose Python venv is missing: {python:?}.\n\
         Run `tests/smtp-server/setup` from the workspace root (needs python3 with venv; \
         on Debian `apt-get install python3-venv`), or set {PYTHON_ENV}."
    );
    python
}

/// A self-signed certificate for `localhost` and `127.0.0.1`, valid two days.
fn make_certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let output = Command::new("openssl")
        // An EC key: made in milliseconds, where RSA takes a good fraction
        // of a second of CPU for each TLS server of a parallel run.
        .args(["req", "-x509", "-newkey", "ec", "-nodes"])
        .args(["-pkeyopt", "ec_paramgen_curve:P-256"])
        .args(["-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        // A server certificate, not a CA: rustls (mailcred-lettre) refuses a
        // CA certificate presented as the server's own, trusted or not.
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .args(["-days", "2"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `openssl` for the test certificate (apt-get install openssl): {e}")
        });
    assert!(
        output.status.success(),
        "openssl could not make the test certificate: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (cert, key)
}

/// Reads the server's `READY <port>` line, panicking with its stderr when it
/// exits or stays silent for [`READY_TIMEOUT`].
fn wait_for_ready(child: &mut Child, dir: &Path) -> u16 {
    let stdout = child.stdout.take().expect("the server's stdout is piped");
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let line = receiver.recv_timeout(READY_TIMEOUT);
    let port = line
        .as_deref()
        .ok()
        .and_then(|l| l.trim().strip_prefix("READY "))
        .and_then(|p| p.parse().ok());
    match port {
        Some(port) => port,
        None => {
            let _ = child.kill();
            let status = child.wait();
            let stderr = fs::read_to_string(dir.join("stderr")).unwrap_or_default();
            panic!(
                "the SMTP server did not print `READY <port>` (got {line:?}, exit {status:?}); \
                 if aiosmtpd is missing, run `tests/smtp-server/setup`. Its stderr:\n{stderr}"
            );
        }
    }
}

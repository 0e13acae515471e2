//! The local identity provider (tests/oauth/idp.py), the built companion,
//! and a raw HTTP/1.1 exchange to talk to both without an HTTP client crate.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStderr, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use serde_json::{Value, json};

/// How long any one companion run may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(60);
pub const BROWSER_PY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/oauth/browser.py");
const IDP_PY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/oauth/idp.py");

/// A running idp.py, ended when dropped.
pub struct Idp {
    child: Child,
    pub port: u16,
}

impl Idp {
    pub fn start() -> Self {
        let mut child = Command::new("python3")
            .args([IDP_PY, "--until-stdin-closes"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 tests/oauth/idp.py starts (python3 must be installed)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("idp.py prints its address");
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("idp.py's first line names its port: {line:?}"));
        Self { child, port }
    }

    /// The Microsoft-shaped endpoint base for the `organizations` tenant.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}/organizations/oauth2/v2.0", self.port)
    }

    pub fn control(&self, settings: Value) {
        let (status, _, body) = exchange(
            self.port,
            "POST",
            "/control",
            Some(&settings.to_string()),
            None,
        );
        assert_eq!(
            status, 200,
            "idp.py takes the control settings {settings}: {body}"
        );
    }

    pub fn stats(&self) -> Value {
        let (_, _, body) = exchange(self.port, "GET", "/stats", None, None);
        serde_json::from_str(&body).expect("stats are JSON")
    }

    pub fn requests(&self, endpoint: &str) -> Vec<Value> {
        let (_, _, body) = exchange(self.port, "GET", "/requests", None, None);
        let all: Vec<Value> = serde_json::from_str(&body).expect("requests are JSON");
        all.into_iter()
            .filter(|r| r["endpoint"] == endpoint)
            .collect()
    }

    pub fn introspect(&self, token: &str) -> Value {
        let body = format!("token={token}");
        let (_, _, body) = exchange(
            self.port,
            "POST",
            "/introspect",
            Some(&body),
            Some("application/x-www-form-urlencoded"),
        );
        serde_json::from_str(&body).expect("introspection is JSON")
    }

    /// A request for the account `work` at this server.
    pub fn request(&self, flow: &str) -> Value {
        let base = self.base();
        json!({
            "account": "work",
            "user": "me@example.com",
            "provider": "office365",
            "authorize_url": format!("{base}/authorize"),
            "token_url": format!("{base}/token"),
            "device_url": format!("{base}/devicecode"),
            "client_id": "11111111-2222-3333-4444-555555555555",
            "client_secret": null,
            "scopes": ["https://outlook.office.com/SMTP.Send", "offline_access"],
            "tenant": "contoso.example",
            "flow": flow,
            "timeout_seconds": 30,
        })
    }

    /// Signs in by the browser flow and returns the answer.
    pub fn signed_in(&self) -> Value {
        let run = companion(
            "login",
            &self.request("browser"),
            &[("BROWSER", &browser())],
        );
        assert_eq!(run.code, Some(0), "the browser flow signs in:\n{run}");
        run.answer()
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `BROWSER` for browser.py.
pub fn browser() -> String {
    format!("python3 {BROWSER_PY}")
}

/// One raw HTTP/1.1 exchange (Connection: close): status, head, body.
pub fn exchange(
    port: u16,
    method: &str,
    target: &str,
    body: Option<&str>,
    content_type: Option<&str>,
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects to 127.0.0.1");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let body = body.unwrap_or_default();
    let content_type = content_type.unwrap_or("application/json");
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("an answer");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}

/// The `Location` of an authorize URL, without following it (what the
/// user's browser would be sent to).
pub fn location_of(authorize_url: &str) -> String {
    let rest = authorize_url
        .strip_prefix("http://127.0.0.1:")
        .expect("the idp's URL");
    let (port, target) = rest.split_once('/').expect("a path");
    let (status, head, _) = exchange(
        port.parse().unwrap(),
        "GET",
        &format!("/{target}"),
        None,
        None,
    );
    assert_eq!(status, 302, "the authorize endpoint redirects: {head}");
    head.lines()
        .find_map(|l| l.strip_prefix("Location: "))
        .expect("a Location header")
        .to_owned()
}

/// What a finished companion did.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn answer(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is one JSON answer ({e}):\n{self}"))
    }

    /// The failure line: the last line of stderr.
    pub fn failure_line(&self) -> &str {
        self.stderr.lines().last().unwrap_or_default()
    }

    /// Asserts a failure with `code`: nothing on stdout, a last stderr line
    /// starting `mailcred: ` and holding `fragment`, and none of `secrets`.
    pub fn assert_failed(&self, code: u8, fragment: &str, secrets: &[&str]) {
        assert_eq!(
            self.code,
            Some(i32::from(code)),
            "exit status {code} expected:\n{self}"
        );
        assert!(
            self.stdout.is_empty(),
            "nothing on stdout on failure:\n{self}"
        );
        let line = self.failure_line();
        assert!(
            line.starts_with("mailcred: "),
            "the failure line starts `mailcred: `:\n{self}"
        );
        assert!(
            line.contains(fragment),
            "the failure line says {fragment:?}:\n{self}"
        );
        for secret in secrets {
            assert!(!self.stderr.contains(secret), "no token on stderr:\n{self}");
        }
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit status {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}\n--- end ---",
            self.code, self.stdout, self.stderr
        )
    }
}

/// The companion command with a clean environment for proxies and browsers.
pub fn command(subcommand: &str, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mailcred-oauth"));
    command.arg(subcommand);
    for var in [
        "BROWSER",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Runs `mailcred-oauth SUBCOMMAND` with `request` as stdin's one line.
pub fn companion(subcommand: &str, request: &Value, env: &[(&str, &str)]) -> Run {
    let mut child = command(subcommand, env)
        .spawn()
        .expect("mailcred-oauth starts");
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{request}").unwrap();
    drop(stdin);
    finish(child)
}

/// A companion still running, its stdin open and its stderr read line by line.
pub struct Interactive {
    child: Child,
    pub stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
}

impl Interactive {
    pub fn start(subcommand: &str, request: &Value, env: &[(&str, &str)]) -> Self {
        let mut child = command(subcommand, env)
            .spawn()
            .expect("mailcred-oauth starts");
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{request}").unwrap();
        let lines = read_lines(child.stderr.take().unwrap());
        Self {
            child,
            stdin,
            lines,
            seen: Vec::new(),
        }
    }

    /// The first stderr line for which `pick` says something.
    pub fn wait_for<T>(&mut self, pick: impl Fn(&str) -> Option<T>) -> T {
        loop {
            let line = self
                .lines
                .recv_timeout(PATIENCE)
                .unwrap_or_else(|_| panic!("stderr went quiet; saw {:?}", self.seen));
            self.seen.push(line.clone());
            if let Some(found) = pick(&line) {
                return found;
            }
        }
    }

    pub fn finish(mut self) -> Run {
        let stdout = self.child.stdout.take().unwrap();
        drop(self.stdin);
        let (tx, rx) = mpsc::channel();
        let mut child = self.child;
        thread::spawn(move || {
            let mut out = String::new();
            let _ = BufReader::new(stdout).read_to_string(&mut out);
            let _ = tx.send((child.wait().ok().and_then(|s| s.code()), out));
        });
        let (code, stdout) = rx
            .recv_timeout(PATIENCE)
            .expect("mailcred-oauth finishes in time");
        let mut stderr = self.seen;
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            stderr.push(line);
        }
        Run {
            code,
            stdout,
            stderr: stderr.join("\n"),
        }
    }
}

fn read_lines(stderr: ChildStderr) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

fn finish(child: Child) -> Run {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output = rx
        .recv_timeout(PATIENCE)
        .expect("mailcred-oauth finishes in time")
        .expect("mailcred-oauth could be waited for");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

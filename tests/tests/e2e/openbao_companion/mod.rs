//! `mailcred-openbao` against real OpenBao servers (`mailcred_e2e::openbao`):
//! the built companion is driven as mailcred drives it, one session of JSON
//! lines per process, and every answer and error kind is the one a real
//! server's behaviour causes (sealed, denied, expired tokens, untrusted
//! certificates, a Raft cluster losing its leader).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use serde_json::{Value, json};

use super::*;

mod approle;
mod failures;
mod kv;
mod raft;

/// The companion under test.
const COMPANION: &str = "mailcred-openbao";
/// How long one answer may take before the test fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(60);

/// One companion process with its session open.
pub(crate) struct Companion {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
}

impl Drop for Companion {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Companion {
    /// A session configured with `config`, with a clean environment (HOME
    /// a temporary folder) plus `env`.
    pub fn start(config: &Value, env: &[(&str, &str)]) -> Self {
        let program = bin(COMPANION);
        assert!(
            program.is_file(),
            "the OpenBao tests need {COMPANION}, built by `cargo build --workspace` (crate \
             mailcred-openbao): {} is missing",
            program.display()
        );
        let mut command = Command::new(&program);
        command
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", std::env::temp_dir())
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("start mailcred-openbao");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut stderr_pipe = child.stderr.take().expect("piped stderr");
        let (etx, stderr) = mpsc::channel();
        thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut stderr_pipe, &mut text);
            let _ = etx.send(text);
        });
        let mut companion = Self {
            stdin: child.stdin.take(),
            child,
            lines,
            stderr,
        };
        companion.send(config);
        companion
    }

    fn send(&mut self, line: &Value) {
        let stdin = self.stdin.as_mut().expect("the session is open");
        writeln!(stdin, "{line}").expect("write a line to mailcred-openbao");
        stdin.flush().expect("flush it");
    }

    /// The answer to `request`.
    pub fn ask(&mut self, request: Value) -> Value {
        self.send(&request);
        self.answer(&request)
    }

    /// The next answer line, parsed.
    fn answer(&mut self, request: &Value) -> Value {
        let line = self.lines.recv_timeout(PATIENCE).unwrap_or_else(|_| {
            panic!("mailcred-openbao gave no answer to {request} within {PATIENCE:?}")
        });
        serde_json::from_str(&line).unwrap_or_else(|e| {
            panic!("the answer to {request} is not one JSON line ({e}): {line}")
        })
    }

    /// Ends the session (EOF on stdin); its exit status and stderr.
    pub fn finish(mut self) -> (Option<i32>, String) {
        drop(self.stdin.take());
        let status = self.child.wait().expect("wait for mailcred-openbao");
        let stderr = self.stderr.recv_timeout(PATIENCE).unwrap_or_default();
        (status.code(), stderr)
    }

    /// The exit status once the companion ended by itself (after
    /// `bad_config`).
    pub fn exit_status(mut self) -> Option<i32> {
        for _ in 0..600 {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            thread::sleep(Duration::from_millis(50));
        }
        panic!("mailcred-openbao did not exit after a bad_config answer")
    }
}

/// A configuration for `address` with the token in `token_file`.
pub(crate) fn token_config(address: &str, token_file: &Path) -> Value {
    json!({
        "address": address,
        "mount": "secret",
        "prefix": "mailcred",
        "auth": {"token_file": token_file},
        "ca_file": null,
        "token_cache_dir": null,
        "timeout_ms": 5000,
    })
}

/// A session against `bao` as root.
pub(crate) fn root_session(bao: &mailcred_e2e::openbao::Bao) -> Companion {
    Companion::start(&token_config(bao.address(), &bao.root_token_file()), &[])
}

/// `{"op":"read","key":key}`.
pub(crate) fn read(key: &str) -> Value {
    json!({"op": "read", "key": key})
}

/// A write of `data` (base64) at `key` with `cas`.
pub(crate) fn write(key: &str, data: &str, cas: Option<u64>) -> Value {
    json!({"op": "write", "key": key, "label": "mailcred: test entry", "data": data, "cas": cas})
}

/// The error kind of an answer, or `None` when it is not an error.
pub(crate) fn error_kind(answer: &Value) -> Option<&str> {
    answer["error"]["kind"].as_str()
}

/// Asserts `answer` is an error of `kind`; its message.
pub(crate) fn assert_error(answer: &Value, kind: &str, why: &str) -> String {
    assert_eq!(error_kind(answer), Some(kind), "{why}: {answer}");
    let message = answer["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        !message.is_empty(),
        "an error must say what happened: {answer}"
    );
    message
}

/// Base64 (standard, padded) of `bytes`, as mailcred sends blobs.
pub(crate) fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

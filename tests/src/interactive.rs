//! A command run like a user at a prompt: its stderr read line by line as
//! it comes, its stdin kept open to answer what it asks (the address a
//! sign-in ended on, pasted back).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Instant;

use crate::process::{Outcome, PATIENCE, wait_for};

/// A started command whose stdin is still open.
pub struct Interactive {
    child: Child,
    /// Its stdin, for answers.
    pub stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
    stdout: mpsc::Receiver<String>,
}

impl Interactive {
    /// Starts `command` with piped stdin, stdout and stderr.
    pub fn start(mut command: Command) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
        let stderr = child.stderr.take().expect("piped");
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut out = child.stdout.take().expect("piped");
        let (tx, stdout) = mpsc::channel();
        thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut out, &mut text);
            let _ = tx.send(text);
        });
        Self {
            stdin: child.stdin.take(),
            child,
            lines,
            seen: Vec::new(),
            stdout,
        }
    }

    /// Waits (at most `PATIENCE`) for a stderr line `pick` takes.
    pub fn wait_for<T>(&mut self, mut pick: impl FnMut(&str) -> Option<T>) -> T {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let picked = pick(&line);
                    self.seen.push(line);
                    if let Some(picked) = picked {
                        return picked;
                    }
                }
                Err(_) => panic!(
                    "the awaited line never came on stderr; it said:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Writes `line` and a newline to its stdin.
    pub fn answer(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is still open");
        writeln!(stdin, "{line}").expect("the command reads its stdin");
    }

    /// Closes stdin and waits (at most `PATIENCE`) for the command to end.
    pub fn finish(mut self) -> Outcome {
        drop(self.stdin.take());
        let Some(status) = wait_for(&mut self.child, PATIENCE) else {
            let _ = self.child.kill();
            let _ = self.child.wait();
            panic!(
                "the command did not finish; stderr:\n{}",
                self.seen.join("\n")
            );
        };
        let mut stderr = self.seen.join("\n");
        while let Ok(line) = self.lines.recv_timeout(std::time::Duration::from_secs(1)) {
            stderr.push('\n');
            stderr.push_str(&line);
        }
        if !stderr.is_empty() {
            stderr.push('\n');
        }
        Outcome {
            code: status.code(),
            stdout: self.stdout.recv_timeout(PATIENCE).unwrap_or_default(),
            stderr,
        }
    }
}

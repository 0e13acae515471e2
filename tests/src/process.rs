//! Running a command to completion with bounded patience: a hung helper or
//! daemon fails its test instead of hanging the whole run.

use std::fmt;
use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How long a daemon may take to come up, or a command to finish, before the
/// test fails instead of hanging.
pub(crate) const PATIENCE: Duration = Duration::from_secs(30);
/// What a finished command did, printed whole in assertion messages.
pub struct Outcome {
    /// The exit status; `None` when a signal ended the process.
    pub code: Option<i32>,
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
}

impl Outcome {
    /// Whether the command exited with status 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "exit status {:?}\n--- stdout ---\n{}--- stderr ---\n{}--- end ---",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Starts `command` with `input` on stdin and waits (at most `PATIENCE`)
/// for it to finish.
pub fn run(command: Command, input: &[u8]) -> Outcome {
    finish(start(command, input))
}

/// A started command whose stdin has been written and closed.
pub struct Running {
    child: Child,
    description: String,
}

impl Running {
    /// The process id, to look at the running process in `/proc`.
    pub fn id(&self) -> u32 {
        self.child.id()
    }
}

/// Starts `command`, writes `input` to its stdin and closes it, without
/// waiting: for running many commands at once.
pub fn start(mut command: Command, input: &[u8]) -> Running {
    let description = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {description}: {e}"));
    write_and_close(child.stdin.take(), input);
    Running { child, description }
}

/// Waits (at most `PATIENCE`) for a started command to finish.
pub fn finish(running: Running) -> Outcome {
    let Running {
        mut child,
        description,
    } = running;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = match wait_for(&mut child, PATIENCE) {
        Some(status) => status,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{description} did not finish within {PATIENCE:?}");
        }
    };
    // Bounded too: a stray grandchild could hold the pipes open.
    let text = |rx: mpsc::Receiver<Vec<u8>>| {
        String::from_utf8_lossy(&rx.recv_timeout(PATIENCE).unwrap_or_default()).into_owned()
    };
    Outcome {
        code: status.code(),
        stdout: text(stdout),
        stderr: text(stderr),
    }
}

pub(crate) fn write_and_close(stdin: Option<ChildStdin>, input: &[u8]) {
    if let Some(mut stdin) = stdin {
        // A command may rightly exit without reading its input: a broken
        // pipe here is not a failure; its exit status and output tell.
        let _ = stdin.write_all(input);
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        let _ = tx.send(bytes);
    });
    rx
}

pub(crate) fn wait_for(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
            Ok(None) => return None,
            Err(e) => panic!("cannot wait for a child process: {e}"),
        }
    }
}

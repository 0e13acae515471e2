//! A terminal for programs that have no batch mode (aerc, neomutt and mutt
//! opening a mailbox): a private tmux server of the test's own, its one
//! window running the command, its screen read with `capture-pane`. The
//! server is killed when the terminal is dropped.

use std::ffi::OsStr;
use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// A command running in a tmux window of its own.
#[derive(Debug)]
pub struct Terminal {
    dir: TempDir,
}

impl Terminal {
    /// Runs `command` (its program, arguments, environment and directory;
    /// nothing of the test's own environment) in a 120x40 window. When it
    /// exits, its status is kept and the window stays, so its last screen
    /// can still be read.
    pub fn start(command: &Command) -> Terminal {
        crate::require("tmux", "tmux");
        let dir = tempfile::Builder::new()
            .prefix("mailcred-tmux-")
            .tempdir()
            .expect("a temp dir for tmux");
        let mut line = String::from("env -i TERM=screen");
        for (key, value) in command.get_envs() {
            if let Some(value) = value {
                line += &format!(" {}={}", quote(key), quote(value));
            }
        }
        line += &format!(" {}", quote(command.get_program()));
        for arg in command.get_args() {
            line += &format!(" {}", quote(arg));
        }
        let status = dir.path().join("status");
        let cd = command
            .get_current_dir()
            .map(|d| format!("cd {} && ", quote(d.as_os_str())))
            .unwrap_or_default();
        let script = format!(
            "{cd}{line}; echo $? > {}; exec sleep 600",
            quote(status.as_os_str())
        );
        let terminal = Terminal { dir };
        let started = terminal
            .tmux()
            .args([
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "40",
                "sh",
                "-c",
                &script,
            ])
            .status()
            .expect("run tmux");
        assert!(started.success(), "tmux new-session failed: {started}");
        terminal
    }

    /// What the window shows now.
    pub fn screen(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p"])
            .output()
            .expect("run tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen satisfies `wanted` or `timeout` passes; the
    /// screen either way.
    pub fn wait_for_screen(&self, timeout: Duration, wanted: impl Fn(&str) -> bool) -> String {
        let end = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if wanted(&screen) || Instant::now() >= end {
                return screen;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Types `keys` (tmux key names, e.g. `"q"`, `"Enter"`).
    pub fn send_keys(&self, keys: &[&str]) {
        let _ = self.tmux().arg("send-keys").args(keys).status();
    }

    /// The command's exit status once it has exited.
    pub fn exit_status(&self) -> Option<i32> {
        fs::read_to_string(self.status_file())
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// Waits (at most `timeout`) for the command to exit.
    pub fn wait_for_exit(&self, timeout: Duration) -> Option<i32> {
        let end = Instant::now() + timeout;
        while Instant::now() < end {
            if let Some(status) = self.exit_status() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.exit_status()
    }

    fn status_file(&self) -> PathBuf {
        self.dir.path().join("status")
    }

    fn tmux(&self) -> Command {
        let mut tmux = Command::new("tmux");
        tmux.arg("-S")
            .arg(self.dir.path().join("socket"))
            .args(["-f", "/dev/null"])
            .env_clear()
            .env("PATH", crate::system_path())
            .env("TERM", "screen")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        tmux
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").status();
    }
}

/// `value` as one sh word.
fn quote(value: &OsStr) -> String {
    format!("'{}'", value.to_string_lossy().replace('\'', r"'\''"))
}

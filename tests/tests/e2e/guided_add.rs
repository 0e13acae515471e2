//! `mailcred add` on a real terminal (a pty made by util-linux `script`):
//! the provider's steps as numbered lines, the offer to open the
//! app-password page in `$BROWSER` (never waited for), then the hidden
//! prompt, answered as a person would, line by line after each question.
//! With `--password-stdin` it says nothing but warnings.

use std::io::{Read, Write};
use std::process::{Child, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::*;

const APP_PASSWORD: &str = "abcd efgh ijkl mnop";

/// A program under a pty, whose output is collected as it comes.
struct Terminal {
    child: Child,
    output: Arc<(Mutex<Vec<u8>>, Condvar)>,
}

impl Terminal {
    /// Runs `args` of the built mailcred under `script` in `session`, with
    /// `browser` as `$BROWSER`.
    fn start(session: &KeyringSession, args: &[&str], browser: &str) -> Self {
        require("script", "util-linux (script)");
        let mut line = shell_quote(&bin(MAILCRED).display().to_string());
        for arg in args {
            line.push(' ');
            line.push_str(&shell_quote(arg));
        }
        let mut command = session.command("script");
        command
            .args(["-qec", &line, "/dev/null"])
            .env("BROWSER", browser)
            .env("TERM", "dumb")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("script runs");
        let output = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
        let mut stdout = child.stdout.take().expect("piped stdout");
        let sink = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                let (bytes, arrived) = &*sink;
                bytes.lock().unwrap().extend_from_slice(&chunk[..n]);
                arrived.notify_all();
            }
        });
        Self { child, output }
    }

    /// Waits until the terminal shows `text` (at most 30 s: a safety net
    /// against a hang, not a measurement), then types `answer` and Enter.
    fn answer(&mut self, text: &str, answer: &str) {
        self.wait_for(text);
        self.type_line(answer);
    }

    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let (bytes, arrived) = &*self.output;
        let mut seen = bytes.lock().unwrap();
        while !String::from_utf8_lossy(&seen).contains(text) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "the terminal never showed {text:?}; it shows:\n{}",
                String::from_utf8_lossy(&seen)
            );
            seen = arrived.wait_timeout(seen, left).unwrap().0;
        }
    }

    fn type_line(&mut self, answer: &str) {
        let stdin = self.child.stdin.as_mut().expect("piped stdin");
        stdin
            .write_all(format!("{answer}\n").as_bytes())
            .expect("typing into the terminal");
        stdin.flush().unwrap();
    }

    /// Like [`answer`](Self::answer), for a hidden prompt: rpassword
    /// prints its prompt *before* it turns the terminal's echo off, so the
    /// answer is typed only once mailcred sits in read(2), as a person's
    /// would be (an answer typed in between would be echoed by the pty).
    fn answer_hidden(&mut self, text: &str, answer: &str) {
        self.wait_for(text);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.mailcred_is_reading() {
            assert!(
                Instant::now() < deadline,
                "mailcred never read its prompt's answer"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        self.type_line(answer);
    }

    /// Whether the mailcred that `script` runs (through its shell) is
    /// blocked in read(2) (x86-64 0, aarch64 63 in /proc/PID/syscall).
    fn mailcred_is_reading(&self) -> bool {
        let stat = |pid: &str| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok();
        let parent_of = |pid: &str| -> Option<String> {
            let stat = stat(pid)?;
            Some(
                stat.rsplit_once(") ")?
                    .1
                    .split_whitespace()
                    .nth(1)?
                    .to_owned(),
            )
        };
        let script = self.child.id().to_string();
        let descends = |pid: &str| {
            let mut at = pid.to_owned();
            for _ in 0..8 {
                match parent_of(&at) {
                    Some(parent) if parent == script => return true,
                    Some(parent) if parent != "0" && parent != "1" => at = parent,
                    _ => return false,
                }
            }
            false
        };
        std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| entry.file_name().into_string().ok())
            .filter(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
            .filter(|pid| stat(pid).is_some_and(|s| s.contains("(mailcred)")) && descends(pid))
            .any(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/syscall"))
                    .unwrap_or_default()
                    .split_whitespace()
                    .next()
                    .is_some_and(|n| n == "0" || n == "63")
            })
    }

    /// Waits for the end; everything the terminal showed, and the status.
    fn finish(mut self) -> (String, Option<i32>) {
        drop(self.child.stdin.take());
        let status = self.child.wait().expect("script ends");
        // The reader thread ends with the pty's output.
        let deadline = Instant::now() + Duration::from_secs(10);
        while Arc::strong_count(&self.output) > 1 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let shown = String::from_utf8_lossy(&self.output.0.lock().unwrap()).into_owned();
        (shown, status.code())
    }
}

fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// A `$BROWSER` that records the URL it was given and stays running, as a
/// real browser does: `add` must not wait for it (if it did, the prompt
/// would come only after the 60 s, past [`Terminal::answer`]'s patience).
struct Browser {
    script: std::path::PathBuf,
    opened: std::path::PathBuf,
    pid: std::path::PathBuf,
}

impl Browser {
    fn new(session: &KeyringSession) -> Self {
        let home = session.home();
        let browser = Self {
            script: home.join("browser.sh"),
            opened: home.join("opened"),
            pid: home.join("browser.pid"),
        };
        std::fs::write(
            &browser.script,
            format!(
                "#!/bin/sh\necho $$ > '{}'\nprintf '%s\\n' \"$@\" > '{}'\nexec sleep 60\n",
                browser.pid.display(),
                browser.opened.display()
            ),
        )
        .unwrap();
        let mut permissions = std::fs::metadata(&browser.script).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
        std::fs::set_permissions(&browser.script, permissions).unwrap();
        browser
    }

    fn command(&self) -> String {
        self.script.display().to_string()
    }
}

impl Drop for Browser {
    /// Ends the browser this test started, by its id.
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(&self.pid) {
            let _ = std::process::Command::new("kill").arg(pid.trim()).status();
        }
    }
}

#[test]
fn add_on_a_terminal_walks_through_the_steps_opens_the_page_and_prompts() {
    let session = KeyringSession::start();
    let browser = Browser::new(&session);
    let mut terminal = Terminal::start(
        &session,
        &[
            "add",
            "work",
            "--provider",
            "gmail",
            "--user",
            "ann@gmail.com",
        ],
        &browser.command(),
    );
    terminal.answer("in your browser now? [Y/n]", "");
    terminal.answer_hidden("App password for work:", APP_PASSWORD);
    terminal.answer_hidden("Again, to be sure:", APP_PASSWORD);
    let (shown, code) = terminal.finish();

    assert_eq!(
        code,
        Some(0),
        "add should succeed on the terminal:\n{shown}"
    );
    for step in [
        "  1. Sign in at https://myaccount.google.com",
        "  2. Open the app-password page, https://myaccount.google.com/apppasswords",
        "  3. Type the app name \"mailcred\"",
        "  4. The password is shown only once",
    ] {
        assert!(
            shown.contains(step),
            "the walkthrough should show the numbered step {step:?}:\n{shown}"
        );
    }
    assert!(
        !shown.contains(APP_PASSWORD),
        "the prompt must not echo the password:\n{shown}"
    );
    assert_eq!(
        std::fs::read_to_string(&browser.opened).expect("the browser was started"),
        "https://myaccount.google.com/apppasswords\n",
        "the browser is given the app-password page, and add did not wait for it to end"
    );
    let got = mailcred(&session, MAILCRED, &["get", "work"], "");
    assert_eq!(got.stdout, format!("{APP_PASSWORD}\n"), "{got}");
}

#[test]
fn declining_the_browser_opens_nothing_and_still_prompts() {
    let session = KeyringSession::start();
    let browser = Browser::new(&session);
    let mut terminal = Terminal::start(
        &session,
        &[
            "add",
            "home",
            "--provider",
            "icloud",
            "--user",
            "ann@icloud.com",
        ],
        &browser.command(),
    );
    terminal.answer("in your browser now? [Y/n]", "n");
    terminal.answer_hidden("App password for home:", APP_PASSWORD);
    terminal.answer_hidden("Again, to be sure:", APP_PASSWORD);
    let (shown, code) = terminal.finish();
    assert_eq!(code, Some(0), "{shown}");
    assert!(shown.contains("App-Specific Passwords"), "{shown}");
    assert!(!browser.opened.exists(), "no browser after `n`");
}

#[test]
fn add_with_password_stdin_prints_warnings_only() {
    let session = KeyringSession::start();
    let added = mailcred(
        &session,
        MAILCRED,
        &[
            "add",
            "work",
            "--provider",
            "office365",
            "--user",
            "ann@contoso.com",
            "--password-stdin",
        ],
        &format!("{APP_PASSWORD}\n"),
    );
    assert!(added.success(), "{added}");
    let lines: Vec<&str> = added.stderr.lines().collect();
    assert!(
        !lines.is_empty() && lines.iter().all(|l| l.starts_with("mailcred: warning: ")),
        "with --password-stdin add says nothing but warnings:\n{added}"
    );
    assert!(
        added.stderr.contains("IMAP") && added.stderr.contains("OAuth"),
        "and warns that Exchange Online's IMAP takes OAuth only:\n{added}"
    );
}

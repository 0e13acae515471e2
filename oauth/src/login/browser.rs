//! Opening the sign-in page: `$BROWSER` when set (a command given the URL
//! as its one argument, run through `sh` on Unix so that
//! `BROWSER="python3 x.py"` works), else the desktop's opener through the
//! `opener` crate (xdg-open, `open`, ShellExecute: it gets Windows' quoting
//! of `&` in URLs right, which `cmd /c start` does not). Neither is waited for.

use std::process::{Command, Stdio};
use std::thread;

/// Starts a browser on `url`; `Err` says why none could be started.
pub fn open(url: &str) -> Result<(), String> {
    match std::env::var_os("BROWSER").filter(|b| !b.is_empty()) {
        Some(browser) => {
            let mut command = browser_command(&browser, url);
            // Its output must never reach our stdout (that is the answer), and
            // a browser that stays running must not hold our stderr open
            // either: mailcred may read it to its end.
            command
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let mut child = command
                .spawn()
                .map_err(|err| format!("$BROWSER could not be started: {err}"))?;
            // Reaped in the background; the sign-in does not wait for it.
            thread::spawn(move || child.wait());
            Ok(())
        }
        None => opener::open(url).map_err(|err| format!("no browser could be opened: {err}")),
    }
}

#[cfg(unix)]
fn browser_command(_browser: &std::ffi::OsStr, url: &str) -> Command {
    let mut command = Command::new("sh");
    // $BROWSER is expanded by sh from the environment, unquoted so that it may
    // carry arguments; the URL is "$1", one argument whatever it holds.
    command.args(["-c", "$BROWSER \"$1\"", "sh", url]);
    command
}

#[cfg(not(unix))]
fn browser_command(browser: &std::ffi::OsStr, url: &str) -> Command {
    let mut command = Command::new(browser);
    command.arg(url);
    command
}

//! Running `pass` (and, to name a missing key, `gpg`) with secrets only on
//! stdin and stdout, within a deadline.
//!
//! pass is a shell script over gpg, and gpg-agent may wait for a passphrase
//! at a pinentry nobody sees: the child gets its own process group, and at
//! the deadline the whole group (pass, gpg) is killed, so that nothing is
//! left waiting after mailcred reported the timeout.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::Duration;

use mailcred_core::terminal::printable;
use wait_timeout::ChildExt;
use zeroize::Zeroizing;

use super::super::{Hint, Seconds, StoreError};

/// What a finished run left.
pub struct Output {
    pub status: ExitStatus,
    /// The answer: a decrypted entry, wiped when dropped.
    pub stdout: Zeroizing<Vec<u8>>,
    /// pass's and gpg's messages (never secrets).
    pub stderr: String,
}

const NOT_INSTALLED: Hint =
    Hint::new("install pass (Debian and Ubuntu: apt install pass), or choose another store");
pub(super) const TIMED_OUT: Hint = Hint::new(
    "pass did not finish: gpg-agent may be waiting for the key's passphrase at a pinentry \
     nobody sees; unlock the key first (run `pass show` on the entry in a terminal) or set a \
     longer keyring_timeout_seconds",
);

/// Runs `program ARGS` with `PASSWORD_STORE_DIR=dir`, `input` on its stdin,
/// and waits for it at most `limit`.
pub fn run(
    program: &str,
    args: &[&OsStr],
    dir: &Path,
    input: Option<&[u8]>,
    limit: Duration,
) -> Result<Output, StoreError> {
    let mut command = Command::new(program);
    command
        .args(args)
        .env("PASSWORD_STORE_DIR", dir)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = command.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => StoreError::Unavailable {
            why: format!("the program {program} is not installed (not found on PATH)"),
            hint: NOT_INSTALLED,
        },
        _ => StoreError::failed(format!("cannot run {program}: {e}")),
    })?;
    let writer = child.stdin.take().map(|mut stdin| {
        let input = Zeroizing::new(input.unwrap_or_default().to_vec());
        // Fails only when the child exits without reading; its status says why.
        thread::spawn(move || drop(stdin.write_all(&input)))
    });
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let out_reader = thread::spawn(move || {
        let mut out = Zeroizing::new(Vec::new());
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let err_reader = thread::spawn(move || {
        let mut err = Vec::new();
        let _ = stderr.read_to_end(&mut err);
        err
    });
    let status = match child.wait_timeout(limit) {
        Ok(Some(status)) => status,
        Ok(None) => {
            let pid = rustix::process::Pid::from_child(&child);
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
            let _ = child.wait();
            return Err(StoreError::TimedOut {
                limit: Seconds(limit),
                hint: TIMED_OUT,
            });
        }
        Err(e) => return Err(StoreError::failed(format!("waiting for {program}: {e}"))),
    };
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    Ok(Output {
        status,
        stdout,
        stderr: printable(&String::from_utf8_lossy(&stderr)).into_owned(),
    })
}

const NOT_INITIALISED: Hint = Hint::new(
    "run `pass init YOUR-GPG-KEY-ID` for that folder (PASSWORD_STORE_DIR), or point \
     \"pass\": {\"dir\": ...} in settings.json at your password store",
);
const NO_SECRET_KEY: Hint = Hint::new(
    "import that secret key into this machine's gpg (gpg --import), or have someone who \
     holds it re-encrypt the store to your key too (pass init KEY1 KEY2)",
);
const NO_PUBLIC_KEY: Hint = Hint::new(
    "import the public key of every recipient in the store's .gpg-id (gpg --import), \
     and trust it (gpg --edit-key ID trust)",
);
const NEEDS_PASSPHRASE: Hint = Hint::new(
    "gpg-agent needs the key's passphrase and cannot ask for it here; unlock the key in a \
     terminal first (run `pass show` on the entry once) or preset it with gpg-preset-passphrase",
);

/// The cause of a failed pass run, from what pass and gpg said. `keys`
/// names the keys an entry is encrypted to, when a secret key is missing.
pub fn classify(action: &str, out: &Output, keys: impl FnOnce() -> Recipients) -> StoreError {
    let said = |needle: &str| out.stderr.contains(needle);
    if said("You must run:") && said("init") {
        return StoreError::NotSetUp {
            why: "the password store has no .gpg-id that says whom to encrypt to".into(),
            hint: NOT_INITIALISED,
        };
    }
    if said("No secret key") {
        // What gpg --quiet says for a key it holds but could not unlock
        // (no pinentry, no terminal) too: tell the two apart by looking.
        let recipients = keys();
        if recipients.held_here {
            return StoreError::Locked {
                hint: NEEDS_PASSPHRASE,
            };
        }
        return StoreError::MissingKey {
            why: format!(
                "cannot {action}: no secret key here for the entry, which is encrypted to {}",
                recipients.names()
            ),
            hint: NO_SECRET_KEY,
        };
    }
    if said("No public key") || said("unusable public key") || said("skipped:") {
        return StoreError::MissingKey {
            why: format!(
                "cannot {action}: a recipient's public key is missing or unusable ({})",
                last_line(&out.stderr)
            ),
            hint: NO_PUBLIC_KEY,
        };
    }
    if said("Inappropriate ioctl")
        || said("No pinentry")
        || said("Operation cancelled")
        || said("problem with the agent")
        || said("Bad passphrase")
    {
        return StoreError::Locked {
            hint: NEEDS_PASSPHRASE,
        };
    }
    StoreError::failed(format!(
        "pass could not {action} ({}): {}",
        out.status,
        last_line(&out.stderr)
    ))
}

fn last_line(text: &str) -> &str {
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("it said nothing")
        .trim()
}

/// Whom an entry is encrypted to, and whether this machine's gpg holds
/// the secret half of one of those keys.
pub struct Recipients {
    /// The key ids from the entry's headers, as gpg names them.
    pub ids: Vec<String>,
    /// A secret key of one of them is here (so it must have been locked).
    pub held_here: bool,
}

impl Recipients {
    /// `key A, key B`, for a message.
    pub fn names(&self) -> String {
        if self.ids.is_empty() {
            "keys gpg could not list".into()
        } else {
            format!("key {}", self.ids.join(", key "))
        }
    }
}

/// The recipients of `file`, from gpg's packet list (which reads the
/// headers only and decrypts nothing), and whether one's secret key is here.
pub fn recipients(file: &Path, limit: Duration) -> Recipients {
    let dir = file.parent().unwrap_or(file);
    let gpg = |args: &[&OsStr]| {
        run("gpg", args, dir, None, limit)
            .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
            .unwrap_or_default()
    };
    let packets = gpg(&[
        OsStr::new("--batch"),
        OsStr::new("--list-only"),
        OsStr::new("--list-packets"),
        file.as_os_str(),
    ]);
    let ids: Vec<String> = packets
        .lines()
        .filter_map(|l| l.split("keyid ").nth(1))
        .map(|id| id.trim().to_owned())
        .collect();
    let secret = gpg(&[
        OsStr::new("--batch"),
        OsStr::new("--with-colons"),
        OsStr::new("--list-secret-keys"),
    ]);
    let held_here = secret.lines().any(|l| {
        (l.starts_with("sec:") || l.starts_with("ssb:"))
            && l.split(':')
                .nth(4)
                .is_some_and(|id| ids.iter().any(|i| i == id))
    });
    Recipients { ids, held_here }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    fn failed(stderr: &str) -> Output {
        Output {
            status: ExitStatus::from_raw(1 << 8),
            stdout: Zeroizing::new(Vec::new()),
            stderr: stderr.into(),
        }
    }

    #[test]
    fn each_cause_pass_and_gpg_report_gets_its_own_error() {
        let keys = || Recipients {
            ids: vec!["B954947FABA29D84".into()],
            held_here: false,
        };
        let cases = [
            (
                "Error: You must run:\n    pass init your-gpg-id\nbefore you may use the password store.\n",
                "not set up",
            ),
            (
                "gpg: decryption failed: No secret key\n",
                "B954947FABA29D84",
            ),
            ("gpg: x: skipped: No public key\n", "public key is missing"),
            (
                "gpg: public key decryption failed: Inappropriate ioctl for device\n",
                "passphrase",
            ),
            ("something new\n", "something new"),
        ];
        let held = || Recipients {
            ids: vec!["B954947FABA29D84".into()],
            held_here: true,
        };
        let locked = classify(
            "read",
            &failed("gpg: decryption failed: No secret key\n"),
            held,
        );
        assert!(
            matches!(locked, StoreError::Locked { .. }),
            "a secret key that is here but was not unlocked is a locked store, not a missing key: {locked:?}"
        );
        for (stderr, expected) in cases {
            let message = classify("read", &failed(stderr), keys).to_string();
            assert!(
                message.contains(expected),
                "{stderr:?} should be reported as {expected:?}, got: {message}"
            );
        }
    }

    #[test]
    fn a_missing_program_is_unavailable_and_says_to_install_pass() {
        let error = run(
            "mailcred-no-such-pass",
            &[],
            Path::new("/"),
            None,
            Duration::from_secs(5),
        )
        .err()
        .expect("a program that is not there cannot run");
        assert!(matches!(error, StoreError::Unavailable { .. }), "{error:?}");
        assert!(error.to_string().contains("apt install pass"), "{error}");
    }

    #[test]
    fn a_child_that_outlives_the_deadline_is_killed_with_its_group() {
        let args = [OsStr::new("-c"), OsStr::new("sleep 60 & wait")];
        let error = run(
            "sh",
            &args,
            Path::new("/"),
            None,
            Duration::from_millis(200),
        )
        .err()
        .expect("a child that sleeps past the deadline times out");
        assert!(matches!(error, StoreError::TimedOut { .. }), "{error:?}");
    }
}

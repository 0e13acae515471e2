//! keyutils as a user who is not root, whose keys the kernel limits to
//! `kernel.keys.maxbytes` (20,000 bytes by default) in all: a 16 KiB
//! password fits, a second one or a 64 KiB one does not, and the user is
//! told which limit, with nothing half-written left to serve.
//!
//! Run as root (CI), the commands run as `nobody`; run as anyone else, as
//! that user, who is not root either. The tests share the user's one quota,
//! so they take turns.

use std::os::unix::fs::chown;
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

use super::*;

/// Excuses keyutils when it cannot be used here at all (see `store_conformance`).
const SKIP_KEYUTILS: &str = "MAILCRED_TEST_SKIP_KEYUTILS";

/// The quota is per user: one test at a time spends it.
static QUOTA: Mutex<()> = Mutex::new(());

/// A session whose commands run as a user who is not root, under a session
/// keyring of their own, with the keyutils store.
pub(super) struct Unprivileged {
    pub session: KeyringSession,
    _turn: MutexGuard<'static, ()>,
}

impl Unprivileged {
    pub fn start() -> Self {
        require("keyctl", "keyutils");
        require("setpriv", "util-linux");
        let turn = QUOTA.lock().unwrap_or_else(|e| e.into_inner());
        let session = KeyringSession::without_bus();
        if is_root() {
            let root = session.home().parent().unwrap().to_owned();
            for dir in ["", "home", "data", "config", "run", "logs"] {
                chown(root.join(dir), Some(NOBODY), Some(NOGROUP)).expect("chown to nobody");
            }
            // nobody holds no keys of its own here: what is there was left
            // by an earlier run that failed, and would fill the quota.
            let mut clear = session.command("setpriv");
            clear.args(AS_NOBODY).args([
                "keyctl",
                "session",
                "-",
                "sh",
                "-c",
                "keyctl clear \"$(keyctl get_persistent @s)\"",
            ]);
            let cleared = run(clear, b"");
            assert!(cleared.success(), "clearing nobody's keys:\n{cleared}");
        }
        Self {
            session,
            _turn: turn,
        }
    }

    /// `program ARGS` as the unprivileged user, with the keyutils store.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Command {
        let mut command = if is_root() {
            let mut command = self.session.command("setpriv");
            command.args(AS_NOBODY).arg("keyctl");
            command
        } else {
            self.session.command("keyctl")
        };
        command
            .args(["session", "-"])
            .arg(program)
            .args(args)
            .env("MAILCRED_STORE", "keyutils");
        command
    }

    /// `git-credential-mailcred ACTION` as the unprivileged user.
    fn helper(&self, action: &str, input: &str) -> Outcome {
        run(self.command(bin(HELPER), &[action]), input.as_bytes())
    }
}

const NOBODY: u32 = 65534;
const NOGROUP: u32 = 65534;
const AS_NOBODY: &[&str] = &["--reuid=nobody", "--regid=nogroup", "--clear-groups"];

fn is_root() -> bool {
    rustix::process::getuid().is_root()
}

/// Bytes the kernel lets a user who is not root keep in keys.
pub(super) fn user_quota_bytes() -> usize {
    std::fs::read_to_string("/proc/sys/kernel/keys/maxbytes")
        .expect("reading kernel.keys.maxbytes")
        .trim()
        .parse()
        .expect("kernel.keys.maxbytes is a number")
}

/// The credential git approves for `user`, with a password of `len` bytes.
fn credential(user: &str, len: usize) -> String {
    format!(
        "protocol=smtp\nhost=smtp.example.com:587\nusername={user}\npassword={}\n",
        "p".repeat(len)
    )
}

/// The answer to a `get` of that credential.
fn answer(user: &str, len: usize) -> String {
    format!("username={user}\npassword={}\n", "p".repeat(len))
}

/// Whether keyutils cannot be used here at all, and the test is excused.
fn excused(outcome: &Outcome) -> bool {
    match std::env::var(SKIP_KEYUTILS) {
        Ok(reason) if !outcome.success() => {
            eprintln!("\n!!! NOT RUN: keyutils cannot be used here: {reason}\n{outcome}");
            true
        }
        _ => false,
    }
}

#[test]
fn a_16_kib_password_round_trips_through_keyutils_for_a_user_who_is_not_root() {
    let user = Unprivileged::start();
    let stored = user.helper("store", &credential("ann", 16 * 1024));
    if excused(&stored) {
        return;
    }
    assert!(stored.success(), "a 16 KiB password must fit:\n{stored}");

    let got = user.helper("get", "protocol=smtp\nhost=smtp.example.com:587\n");
    assert!(
        got.stdout == answer("ann", 16 * 1024),
        "the 16 KiB password must come back whole:\n{} bytes came back",
        got.stdout.len()
    );
    let erased = user.helper("erase", "protocol=smtp\nhost=smtp.example.com:587\n");
    assert!(erased.success(), "{erased}");
}

#[test]
fn a_user_at_the_keyutils_quota_is_told_which_limit_and_nothing_half_written_is_served() {
    let user = Unprivileged::start();
    let first = user.helper("store", &credential("ann", 16 * 1024));
    if excused(&first) {
        return;
    }
    assert!(first.success(), "{first}");

    assert!(
        user_quota_bytes() < 32 * 1024,
        "kernel.keys.maxbytes is raised here to {}: this test needs a quota that cannot \
         hold two 16 KiB passwords, as the default (20000) cannot",
        user_quota_bytes()
    );
    for (who, len) in [("bob", 16 * 1024), ("carol", 64 * 1024)] {
        let refused = user.helper("store", &credential(who, len));
        assert_eq!(
            refused.code,
            Some(70),
            "a store past the quota fails as a keyring failure:\n{refused}"
        );
        let message = refused.stderr.lines().last().unwrap_or("");
        for needed in [
            "the keyring is full",
            "kernel.keys.maxbytes",
            "nothing was stored",
        ] {
            assert!(
                message.contains(needed),
                "the message to a user at the quota must say {needed:?}:\n{refused}"
            );
        }
        let asked = format!("protocol=smtp\nhost=smtp.example.com:587\nusername={who}\n");
        let got = user.helper("get", &asked);
        assert!(
            got.success() && got.stdout.is_empty(),
            "nothing of {who}'s refused password may be served:\n{got}"
        );
    }
    let index = std::fs::read_to_string(user.session.index_path()).expect("the index");
    assert!(
        index.matches("\"id\"").count() == 1,
        "only ann's entry is listed; the refused ones were taken back:\n{index}"
    );
    let ann = user.helper(
        "get",
        "protocol=smtp\nhost=smtp.example.com:587\nusername=ann\n",
    );
    assert!(
        ann.stdout == answer("ann", 16 * 1024),
        "the password that fitted is served as before"
    );
    let erased = user.helper("erase", "protocol=smtp\nhost=smtp.example.com:587\n");
    assert!(erased.success(), "{erased}");
}

/// The suite as a user who is not root: everything holds but 64 KiB, which
/// the default quota cannot hold; that one fails saying so, and leaves
/// nothing behind. With a raised quota, everything passes.
#[test]
fn keyutils_passes_the_store_conformance_suite_for_a_user_who_is_not_root() {
    let user = Unprivileged::start();
    let outcome = run(
        user.command(env!("CARGO_BIN_EXE_store-conformance"), &["keyutils"]),
        b"",
    );
    if outcome.code == Some(3) && excused(&outcome) {
        return;
    }
    let failed: Vec<&str> = outcome
        .stdout
        .lines()
        .filter(|line| line.trim_start().starts_with("FAIL"))
        .collect();
    if user_quota_bytes() > 70 * 1024 {
        assert!(
            outcome.success(),
            "with a raised quota everything holds:\n{outcome}"
        );
        return;
    }
    assert!(
        failed.len() == 1
            && failed[0].contains("blobs of 64 KiB are kept")
            && failed[0].contains("kernel.keys.maxbytes")
            && failed[0].contains("nothing was left behind"),
        "as a user who is not root, only 64 KiB may fail, saying the quota is full and \
         leaving nothing:\n{outcome}"
    );
    eprintln!("{}", outcome.stdout);
}

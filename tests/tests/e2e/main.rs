//! End to end: the built binaries, driven by real git, msmtp, neomutt and git
//! send-email, against a private real Secret Service (see
//! `mailcred_e2e::KeyringSession`) and a real SMTP server on loopback (see
//! `mailcred_e2e::smtp`). Each test has its own session, so they run in
//! parallel and never see each other's secrets.
//!
//! Requests and answers are written as the transcripts git exchanges.

use mailcred_e2e::{
    HELPER, KeyringSession, MAILCRED, Outcome, bin, finish, path_with_binaries, require, run, start,
};

/// Alice's app password for a mail server, as git approves it.
const ALICE: &str = "\
protocol=smtp
host=smtp.example.com:587
username=alice
password=alice-app-password
";

/// What git asks when it needs Alice's password.
const ASK_ALICE: &str = "\
protocol=smtp
host=smtp.example.com:587
username=alice
";

/// What `git credential fill` prints once Alice's password is known.
const FILLED_ALICE: &str = "\
protocol=smtp
host=smtp.example.com:587
username=alice
password=alice-app-password
";

/// Bob, on the same server.
const BOB: &str = "\
protocol=smtp
host=smtp.example.com:587
username=bob
password=bob-app-password
";

/// What git asks when it needs Bob's password.
const ASK_BOB: &str = "\
protocol=smtp
host=smtp.example.com:587
username=bob
";

/// A helper's lookup with protocol and host, as git sends it to `get`.
const ASK_SERVER: &str = "\
protocol=smtp
host=smtp.example.com:587
";

/// What the helper answers to a `get` for Alice.
const ANSWER_ALICE: &str = "\
username=alice
password=alice-app-password
";

/// `mailcred add` of a Gmail account "work" reading its password from stdin.
const ADD_WORK_FROM_STDIN: &[&str] = &[
    "add",
    "work",
    "--provider",
    "gmail",
    "--user",
    "ann@gmail.com",
    "--password-stdin",
];

/// Exit statuses from mailcred's one table, as the `i32` a process reports.
mod status {
    use mailcred_core::exit;

    pub const USAGE: i32 = exit::USAGE as i32;
    pub const REFUSED_INPUT: i32 = exit::REFUSED_INPUT as i32;
    pub const NO_ACCOUNT: i32 = exit::NO_ACCOUNT as i32;
    pub const NO_PASSWORD: i32 = exit::NO_PASSWORD as i32;
    pub const SERVER_UNAVAILABLE: i32 = exit::SERVER_UNAVAILABLE as i32;
    pub const IO_ERROR: i32 = exit::IO_ERROR as i32;
    pub const TEMPORARY: i32 = exit::TEMPORARY as i32;
    pub const NO_PERMISSION: i32 = exit::NO_PERMISSION as i32;
    pub const CONFIG: i32 = exit::CONFIG as i32;
    pub const KEYRING_UNAVAILABLE: i32 = exit::KEYRING_UNAVAILABLE as i32;
    pub const KEYRING_LOCKED: i32 = exit::KEYRING_LOCKED as i32;
    pub const DATA_DAMAGED: i32 = exit::DATA_DAMAGED as i32;
}
use status::*;

/// How git is told where the helper is.
#[derive(Clone, Copy)]
enum Helper {
    /// `credential.helper=mailcred`, found on PATH as `git-credential-mailcred`.
    OnPath,
    /// `credential.helper=/abs/path/git-credential-mailcred`.
    AbsolutePath,
}

/// Runs `git credential ACTION` in the session, never prompting: when no
/// helper answers, git fails instead of asking a terminal.
fn git_credential(session: &KeyringSession, helper: Helper, action: &str, input: &str) -> Outcome {
    require("git", "git (2.46 or later)");
    let mut git = session.command("git");
    let setting = match helper {
        Helper::OnPath => {
            git.env("PATH", path_with_binaries());
            "credential.helper=mailcred".to_owned()
        }
        Helper::AbsolutePath => format!("credential.helper={}", bin(HELPER).display()),
    };
    git.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .args(["-c", &setting, "-c", "credential.interactive=false"])
        .args(["credential", action]);
    run(git, input.as_bytes())
}

/// `git credential approve`, which must succeed.
fn approve(session: &KeyringSession, credential: &str) {
    let approved = git_credential(session, Helper::OnPath, "approve", credential);
    assert!(
        approved.success() && approved.stdout.is_empty() && approved.stderr.is_empty(),
        "git credential approve should store silently:\n{approved}"
    );
}

/// Runs one of the built binaries with `args` in the session.
fn mailcred(session: &KeyringSession, binary: &str, args: &[&str], input: &str) -> Outcome {
    let mut command = session.command(bin(binary));
    command.args(args);
    run(command, input.as_bytes())
}

/// `git-credential-mailcred ACTION`.
fn helper(session: &KeyringSession, action: &str, input: &str) -> Outcome {
    mailcred(session, HELPER, &[action], input)
}

/// Asserts the helper failed the way every store fault must: nothing on
/// stdout (git, msmtp would take it as an answer), one line on stderr that
/// contains `cause`, and exit status `code`.
fn assert_fails_cleanly(outcome: &Outcome, code: i32, cause: &str) {
    assert!(
        outcome.stdout.is_empty(),
        "a failing helper must print nothing on stdout, where any line becomes a password:\n{outcome}"
    );
    assert_explains_failure(outcome, code, cause);
}

/// Asserts a failure is told in one stderr line naming `cause`, with exit
/// status `code`.
fn assert_explains_failure(outcome: &Outcome, code: i32, cause: &str) {
    assert_eq!(
        outcome.stderr.lines().count(),
        1,
        "a failing command should explain itself in exactly one line on stderr:\n{outcome}"
    );
    assert!(
        outcome.stderr.starts_with("mailcred: ") && outcome.stderr.contains(cause),
        "the stderr line should name the cause ({cause:?}):\n{outcome}"
    );
    assert_eq!(
        outcome.code,
        Some(code),
        "the exit status should tell this failure apart (sysexits):\n{outcome}"
    );
}

mod binaries;
mod completion;
mod concurrency;
mod doctor;
mod dovecot_server;
mod fault_recovery;
mod faults;
mod fixtures;
mod git_credential;
mod git_imap;
mod guided_add;
mod hygiene;
mod import;
mod input_size;
mod keyutils;
mod layout;
mod mail;
mod mail_account;
mod migration;
mod oauth;
mod oauth_account;
mod oauth_mail;
mod oauth_readers;
mod oauth_servers;
mod odd_files;
mod openbao_companion;
mod openbao_store;
mod parallel;
mod pass_store;
mod plugin;
mod reader_check;
pub(crate) mod readers;
mod scripts;
mod secret_service;
mod smtp_server;
mod store_conformance;
mod windows_under_wine;
mod wiped_memory;

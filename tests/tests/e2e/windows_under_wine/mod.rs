//! The Windows binaries under Wine, not on Windows: the `.exe` files
//! cross-built for `x86_64-pc-windows-gnu`, run by Debian 12's Wine 8, each
//! test in a private Wine prefix (`mailcred_e2e::wine`), with Wine's
//! Credential Manager. Every test name ends in `under_wine`, and every
//! failure names the Wine version: a pass here is a pass on Wine.
//!
//! git is the real, Linux git, calling the `.exe` as its credential helper,
//! as git and mbsync in WSL call Windows programs.

mod accounts;
mod files;
mod git;
mod oauth;
mod openbao;

use mailcred_e2e::wine::{WinePrefix, windows_bin, wine_version};

use super::*;

/// Said in every failure: these are the Windows binaries, run by Wine.
fn under_wine() -> String {
    format!(
        "(the Windows binaries under {}, not Windows)",
        wine_version()
    )
}

/// Runs `NAME.exe ARGS` under Wine in the prefix.
fn exe(prefix: &WinePrefix, name: &str, args: &[&str], input: &str) -> Outcome {
    run(prefix.exe(name, args), input.as_bytes())
}

/// `mailcred.exe ARGS`.
fn mailcred_exe(prefix: &WinePrefix, args: &[&str], input: &str) -> Outcome {
    exe(prefix, "mailcred.exe", args, input)
}

/// Real git's `git credential ACTION`, with the Windows helper under Wine
/// as its credential helper, never prompting.
fn git_credential(prefix: &WinePrefix, action: &str, input: &str) -> Outcome {
    require("git", "git (2.46 or later)");
    let helper = format!(
        "credential.helper=!wine '{}'",
        windows_bin("git-credential-mailcred.exe").display()
    );
    let mut git = prefix.command("git");
    git.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .args(["-c", &helper, "-c", "credential.interactive=false"])
        .args(["credential", action]);
    run(git, input.as_bytes())
}

/// `git credential approve`, which must succeed silently.
fn approve(prefix: &WinePrefix, credential: &str) {
    let approved = git_credential(prefix, "approve", credential);
    assert!(
        approved.success() && approved.stdout.is_empty() && approved.stderr.is_empty(),
        "git credential approve should store silently through the Windows helper {}:\n{approved}",
        under_wine()
    );
}

/// Asserts that nothing the program printed holds a carriage return: WSL
/// users run the `.exe` from Linux git and mbsync, and mbsync keeps a
/// trailing `\r` as part of the password.
#[track_caller]
fn assert_lf_only(what: &str, outcome: &Outcome) {
    assert!(
        !outcome.stdout.contains('\r') && !outcome.stderr.contains('\r'),
        "{what} must end its lines with LF alone, never CR LF {}:\n{:?}\n{:?}",
        under_wine(),
        outcome.stdout,
        outcome.stderr
    );
}

#[test]
fn credential_manager_passes_the_store_conformance_suite_under_wine() {
    let prefix = WinePrefix::new();
    let outcome = exe(
        &prefix,
        "store-conformance.exe",
        &["credential-manager", "--under-wine"],
        "",
    );
    assert!(
        outcome.success(),
        "Credential Manager must keep the store contract {}:\n{outcome}",
        under_wine()
    );
    assert!(
        outcome.stdout.contains("2 NOT RUN"),
        "only the checks Wine cannot do are left out, and the report says so:\n{outcome}"
    );
    eprintln!("{} {}", outcome.stdout, under_wine());
}

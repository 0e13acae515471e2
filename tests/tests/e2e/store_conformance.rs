//! The store conformance suite (`mailcred::store::conformance`) against the
//! real stores, each opened by the store factory with its deadline: the
//! Secret Service (gnome-keyring in a private session) and keyutils. A new
//! store is one more test here: its name, and the session it needs.

use super::*;

/// Runs the suite in a process of its own (see `src/bin/store-conformance.rs`).
const RUNNER: &str = env!("CARGO_BIN_EXE_store-conformance");
/// Excuses keyutils when it cannot be used here at all; holds the reason.
const SKIP_KEYUTILS: &str = "MAILCRED_TEST_SKIP_KEYUTILS";
/// The runner's status for a store this environment cannot use at all.
const UNUSABLE: i32 = 3;

#[test]
fn the_secret_service_passes_the_store_conformance_suite() {
    let session = KeyringSession::start();

    let mut command = session.command(RUNNER);
    command.arg("secret-service");

    let outcome = run(command, b"");

    assert!(
        outcome.success(),
        "the Secret Service (gnome-keyring) must keep the store contract:\n{outcome}"
    );
    eprintln!("{}", outcome.stdout);
}

/// keyutils needs only the kernel, and a session keyring of the process's
/// own, which login sessions get from pam_keyinit: the suite runs under
/// `keyctl session -`, as in one. (Without it, as in a sandbox whose
/// processes share the user-default session keyring, keyutils refuses to
/// link the persistent keyring: EACCES.) Some machines forbid keyutils
/// altogether; then the test fails, unless `MAILCRED_TEST_SKIP_KEYUTILS`
/// names why, which `scripts/test` sets only after its probe found keyutils
/// unusable; even then it says so on stderr, loudly. Only a store that
/// cannot be used at all is excused: a failed check always fails.
#[test]
fn keyutils_passes_the_store_conformance_suite() {
    require("keyctl", "keyutils");
    let session = KeyringSession::without_bus();
    let mut command = session.command("keyctl");
    command.args(["session", "-", RUNNER, "keyutils"]);

    let outcome = run(command, b"");

    if outcome.code == Some(UNUSABLE)
        && let Ok(reason) = std::env::var(SKIP_KEYUTILS)
    {
        eprintln!(
            "\n!!! NOT RUN: the keyutils store conformance suite did not run: {reason}\n\
             !!! the store said: {}!!! keyutils is unchecked on this machine.\n",
            outcome.stdout
        );
        return;
    }
    assert!(
        outcome.success(),
        "keyutils must keep the store contract. If this machine cannot use keyutils at \
         all (the runner exits {UNUSABLE}), set {SKIP_KEYUTILS} to the reason to excuse \
         it:\n{outcome}"
    );
    eprintln!("{}", outcome.stdout);
}

/// pass with a throwaway key (no passphrase) in a private GNUPGHOME and a
/// private password store, opened as `MAILCRED_STORE=pass` would open it.
#[test]
fn pass_passes_the_store_conformance_suite() {
    let (pass, _) = super::pass_store::PassSession::start();
    let mut command = pass.command(RUNNER);
    command.arg("pass");

    let outcome = run(command, b"");

    assert!(
        outcome.success(),
        "pass must keep the store contract:\n{outcome}"
    );
    eprintln!("{}", outcome.stdout);
}

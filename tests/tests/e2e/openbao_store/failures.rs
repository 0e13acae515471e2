//! What the OpenBao store tells when it cannot serve: no address, a token
//! the server does not know, a policy that refuses the path, no server at
//! all; and `doctor`, which names the server, the token's policies and what
//! chose the store, never the token.

use std::net::{Ipv4Addr, TcpListener};
use std::process::Command;

use super::*;

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

fn give_token(session: &KeyringSession, token: &str) {
    std::fs::write(session.home().join(".vault-token"), token).unwrap();
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

#[test]
fn openbao_passes_the_store_conformance_suite() {
    let Some(bao) = Bao::dev() else {
        return;
    };
    let session = KeyringSession::without_bus();
    give_token(&session, bao.root_token());
    let mut command = openbao_command(&session, RUNNER, bao.address());
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
    let Some(bao) = Bao::dev() else {
        return;
    };
    let session = KeyringSession::without_bus();
    give_token(&session, bao.root_token());
    let mut command = openbao_command(&session, bin(MAILCRED), bao.address());
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
        !outcome.stdout.contains(bao.root_token()) && !outcome.stderr.contains(bao.root_token()),
        "the token is never shown:\n{outcome}"
    );
}

#[test]
fn a_token_the_server_does_not_know_asks_to_log_in_again() {
    let Some(bao) = Bao::dev() else {
        return;
    };
    let session = KeyringSession::without_bus();
    give_token(&session, "not-a-token-of-this-server");
    let mut command = openbao_command(&session, bin(MAILCRED), bao.address());
    command.arg("doctor");

    let outcome = run(command, b"");

    assert_eq!(outcome.code, Some(KEYRING_LOCKED), "{outcome}");
}

#[test]
fn a_policy_that_refuses_the_path_is_a_permission_error_naming_it() {
    let Some(bao) = Bao::dev() else {
        return;
    };
    let session = KeyringSession::without_bus();
    bao.write_policy(
        "read-only-elsewhere",
        r#"path "secret/data/elsewhere/*" { capabilities = ["read"] }"#,
    );
    let token = bao.create_token(&["read-only-elsewhere"], "1h");
    give_token(&session, &token);
    let mut command = openbao_command(&session, bin(MAILCRED), bao.address());
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
    give_token(&session, "a-token-of-no-server");
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let mut command = openbao_command(&session, bin(MAILCRED), &format!("http://127.0.0.1:{port}"));
    command.arg("doctor");

    let outcome = run(command, b"");

    assert_eq!(outcome.code, Some(KEYRING_UNAVAILABLE), "{outcome}");
}

#[test]
fn a_get_from_a_server_that_is_down_prints_nothing_and_never_falls_back_to_the_keyring() {
    let session = KeyringSession::start();
    let added = add_account(&session, "work", "desktop-keyring-password");
    assert!(
        added.success(),
        "the account in the Secret Service:\n{added}"
    );
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    give_token(&session, "a-token-of-no-server");
    session.write_settings(&serde_json::json!({
        "store": "openbao",
        "openbao": {"address": format!("http://127.0.0.1:{port}")},
    }));

    let got = mailcred_on(&session, &["get", "work"], "");

    assert_eq!(
        (got.code, got.stdout.as_str()),
        (Some(KEYRING_UNAVAILABLE), ""),
        "a store that is down is an error with nothing on stdout, even though the \
         desktop keyring holds a password for an account of that name:\n{got}"
    );
    assert!(
        got.stderr.contains(&format!("127.0.0.1:{port}")),
        "the message names the server it could not reach:\n{got}"
    );
}

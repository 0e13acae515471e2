//! Each error kind, caused the way it is caused in life.

use std::net::TcpListener;

use mailcred_e2e::openbao::Bao;

use super::*;

/// A policy that may read and write mailcred's team folder only.
const TEAM_RW: &str = r#"
path "secret/data/mailcred/team/*" { capabilities = ["create", "read", "update"] }
path "secret/metadata/mailcred/team/*" { capabilities = ["delete"] }
"#;

#[test]
fn a_sealed_server_is_reported_sealed_and_serves_again_once_unsealed() {
    let Some(bao) = Bao::dev() else { return };
    let mut session = root_session(&bao);
    assert_eq!(
        session.ask(write("k", "AQ==", None)),
        json!({"written": {"version": 1}})
    );
    bao.seal();
    for request in [
        read("k"),
        write("k", "Ag==", Some(1)),
        json!({"op": "ping"}),
    ] {
        let message = assert_error(&session.ask(request), "sealed", "a sealed server is sealed");
        assert!(
            message.contains("unseal"),
            "the message should say it must be unsealed: {message}"
        );
    }
    bao.unseal();
    assert_eq!(
        session.ask(read("k")),
        json!({"found": {"data": "AQ==", "version": 1}}),
        "the same session serves again once the server is unsealed"
    );
}

#[test]
fn a_path_the_policy_denies_is_reported_denied_naming_the_path() {
    let Some(bao) = Bao::dev() else { return };
    bao.write_policy("team-rw", TEAM_RW);
    let token = bao.create_token(&["team-rw"], "1h");
    let config = token_config(bao.address(), &bao.token_file("team-token", &token));
    let mut session = Companion::start(&config, &[]);
    assert_eq!(
        session.ask(write("team/k", "AQ==", None)),
        json!({"written": {"version": 1}})
    );
    let denied = session.ask(read("other/k"));
    let message = assert_error(
        &denied,
        "denied",
        "a valid token outside its policy is denied",
    );
    assert_eq!(
        denied["error"]["path"], "secret/data/mailcred/other/k",
        "{denied}"
    );
    assert!(
        message.contains("secret/data/mailcred/other/k") && message.contains("\"read\""),
        "the message names the path and the capability: {message}"
    );
    assert!(
        !message.contains(&token),
        "the token must not be repeated: {message}"
    );
    let ping = session.ask(json!({"op": "ping"}));
    assert_eq!(
        ping["ready"]["policies"],
        json!(["default", "team-rw"]),
        "{ping}"
    );
    assert!(
        ping["ready"]["server"]
            .as_str()
            .unwrap_or_default()
            .starts_with("OpenBao 2."),
        "{ping}"
    );
}

#[test]
fn an_expired_or_revoked_token_is_token_expired_not_denied() {
    let Some(bao) = Bao::dev() else { return };
    bao.write_policy("team-rw", TEAM_RW);
    for revoked in [false, true] {
        let token = bao.create_token(&["team-rw"], if revoked { "1h" } else { "2s" });
        let config = token_config(bao.address(), &bao.token_file("team-token", &token));
        let mut session = Companion::start(&config, &[]);
        assert_eq!(
            session.ask(read("team/k")),
            json!({"absent": {}}),
            "the token works at first"
        );
        if revoked {
            bao.must(&["token", "revoke", &token]);
        } else {
            // Until the server itself no longer knows the token.
            while bao.bao(&["token", "lookup", &token]).success() {
                thread::sleep(Duration::from_millis(200));
            }
        }
        let message = assert_error(
            &session.ask(read("team/k")),
            "token_expired",
            "a dead token must not look like a policy denial",
        );
        assert!(
            message.contains("bao login"),
            "the message says how to log in again: {message}"
        );
    }
}

#[test]
fn a_self_signed_certificate_is_untrusted_without_ca_file_and_trusted_with_it() {
    let Some(bao) = Bao::dev_tls() else { return };
    let mut config = token_config(bao.address(), &bao.root_token_file());
    let mut untrusting = Companion::start(&config, &[]);
    let message = assert_error(
        &untrusting.ask(read("k")),
        "tls_untrusted",
        "-dev-tls's CA is in no trust store",
    );
    assert!(
        message.contains("ca_file"),
        "the message says to give the CA: {message}"
    );
    config["ca_file"] = json!(bao.ca_file().expect("a dev-tls CA"));
    let mut trusting = Companion::start(&config, &[]);
    assert_eq!(
        trusting.ask(read("k")),
        json!({"absent": {}}),
        "with ca_file the server is trusted"
    );
}

#[test]
fn a_certificate_for_another_name_is_untrusted_even_with_its_ca() {
    let Some(bao) = Bao::dev_tls_misnamed() else {
        return;
    };
    let mut config = token_config(bao.address(), &bao.root_token_file());
    config["ca_file"] = json!(bao.ca_file().expect("a dev-tls CA"));
    let mut session = Companion::start(&config, &[]);
    let message = assert_error(
        &session.ask(read("k")),
        "tls_untrusted",
        "the certificate names 127.0.0.1, the address 127.0.0.2",
    );
    assert!(
        message.contains("another name"),
        "the message says why: {message}"
    );
}

#[test]
fn a_closed_port_is_unreachable_and_a_silent_server_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let silent = format!("http://{}", listener.local_addr().unwrap());
    let closed = {
        let gone = TcpListener::bind("127.0.0.1:0").expect("another port");
        format!("http://{}", gone.local_addr().unwrap())
    };
    let dir = tempfile::tempdir().unwrap();
    let token = mailcred_e2e::openbao::private_file(&dir.path().join("t"), "s.unused");
    let mut session = Companion::start(&token_config(&closed, &token), &[]);
    let message = assert_error(
        &session.ask(read("k")),
        "unreachable",
        "nothing listens there",
    );
    assert!(
        message.contains(&closed),
        "the message names the address: {message}"
    );
    let mut config = token_config(&silent, &token);
    config["timeout_ms"] = json!(500);
    let mut session = Companion::start(&config, &[]);
    assert_error(
        &session.ask(read("k")),
        "timed_out",
        "a server that accepts and never answers is waited for only timeout_ms",
    );
    drop(listener);
}

#[test]
fn plain_http_to_a_host_that_is_not_loopback_is_refused_before_connecting() {
    let dir = tempfile::tempdir().unwrap();
    let token = mailcred_e2e::openbao::private_file(&dir.path().join("t"), "s.unused");
    let mut session = Companion::start(&token_config("http://192.0.2.1:8200", &token), &[]);
    let answer = session.answer(&json!("the configuration"));
    let message = assert_error(
        &answer,
        "bad_config",
        "a token in clear text across a network",
    );
    assert!(message.contains("use https://"), "{message}");
    assert_eq!(
        session.exit_status(),
        Some(CONFIG),
        "bad_config ends the session with 78"
    );
}

#[test]
fn a_missing_token_file_is_no_token_and_vault_token_is_named_as_ignored() {
    let Some(bao) = Bao::dev() else { return };
    let missing = bao.dir().join("no-such-token");
    let config = token_config(bao.address(), &missing);
    for variable in ["VAULT_TOKEN", "BAO_TOKEN"] {
        let mut session = Companion::start(&config, &[(variable, bao.root_token())]);
        let message = assert_error(
            &session.ask(read("k")),
            "no_token",
            "a token in the environment is never used",
        );
        assert!(
            message.contains(&format!("{variable} is set but ignored"))
                && message.contains("environment")
                && message.contains("token file"),
            "the message says why {variable} is ignored and what to do: {message}"
        );
        assert!(
            !message.contains(bao.root_token()),
            "the token must not be repeated: {message}"
        );
    }
    let mut session = Companion::start(&config, &[]);
    let message = assert_error(&session.ask(read("k")), "no_token", "no token file");
    assert!(
        !message.contains("VAULT_TOKEN"),
        "nothing set, nothing named: {message}"
    );
}

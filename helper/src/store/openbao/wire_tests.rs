use std::path::PathBuf;

use super::*;
use crate::commands::store_exit_code;
use crate::exit;

fn settings(auth: OpenBaoAuth) -> OpenBaoSettings {
    OpenBaoSettings {
        address: "https://bao.example:8200".into(),
        mount: "secret".into(),
        prefix: "mailcred/team".into(),
        auth,
        ca_file: None,
    }
}

fn json(line: &[u8]) -> serde_json::Value {
    assert_eq!(line.last(), Some(&b'\n'), "every line ends with a newline");
    assert_eq!(
        line.iter().filter(|&&b| b == b'\n').count(),
        1,
        "a request is exactly one line"
    );
    serde_json::from_slice(line).expect("a line is one JSON object")
}

#[test]
fn the_config_line_has_the_contracts_keys_for_a_token_file() {
    let line = config_line(
        &settings(OpenBaoAuth::TokenFile(PathBuf::from(
            "/home/u/.vault-token",
        ))),
        Duration::from_millis(8000),
    );
    assert_eq!(
        json(&line),
        serde_json::json!({
            "address": "https://bao.example:8200",
            "mount": "secret",
            "prefix": "mailcred/team",
            "auth": {"token_file": "/home/u/.vault-token"},
            "ca_file": null,
            "token_cache_dir": null,
            "timeout_ms": 8000,
        })
    );
}

#[test]
fn the_config_line_names_an_approle_by_role_id_and_secret_id_file() {
    let mut approle = settings(OpenBaoAuth::AppRole {
        role_id: "r-1".into(),
        secret_id_file: PathBuf::from("/etc/mailcred/secret-id"),
    });
    approle.ca_file = Some(PathBuf::from("/etc/ssl/bao-ca.pem"));
    let config = json(&config_line(&approle, Duration::from_secs(1)));
    assert_eq!(
        config["auth"],
        serde_json::json!({"approle": {"role_id": "r-1", "secret_id_file": "/etc/mailcred/secret-id"}})
    );
    assert_eq!(config["ca_file"], "/etc/ssl/bao-ca.pem");
}

#[test]
fn requests_are_the_contracts_lines_with_the_secret_in_base64() {
    assert_eq!(
        json(&read("secrets/ab12")),
        serde_json::json!({"op": "read", "key": "secrets/ab12"})
    );
    assert_eq!(
        json(&delete("secrets/ab12")),
        serde_json::json!({"op": "delete", "key": "secrets/ab12"})
    );
    assert_eq!(json(&ping()), serde_json::json!({"op": "ping"}));
    assert_eq!(
        json(&write(
            "secrets/ab12",
            "mailcred: work",
            b"\x00pw\xff",
            Some(0)
        )),
        serde_json::json!({"op": "write", "key": "secrets/ab12", "label": "mailcred: work",
                           "data": "AHB3/w==", "cas": 0})
    );
    assert_eq!(
        json(&write("index", "l", b"x", None))["cas"],
        serde_json::Value::Null,
        "an unconditional write sends cas null"
    );
}

#[test]
fn every_answer_of_the_contract_parses() {
    assert!(matches!(
        parse(br#"{"found":{"data":"AHB3/w==","version":3}}"#).unwrap(),
        Answer::Found(secret, 3) if secret.as_slice() == b"\x00pw\xff"
    ));
    assert!(matches!(
        parse(br#"{"absent":{}}"#).unwrap(),
        Answer::Absent(None)
    ));
    assert!(matches!(
        parse(br#"{"absent":{"version":7}}"#).unwrap(),
        Answer::Absent(Some(7))
    ));
    assert!(matches!(
        parse(br#"{"written":{"version":4}}"#).unwrap(),
        Answer::Written(4)
    ));
    assert!(matches!(
        parse(br#"{"deleted":{}}"#).unwrap(),
        Answer::Deleted
    ));
    let Answer::Ready(ready) = parse(
        br#"{"ready":{"server":"OpenBao 2.7.2","token_ttl_seconds":3600,"policies":["mailcred-team"]}}"#,
    )
    .unwrap() else {
        panic!("a ping's answer is ready");
    };
    assert_eq!(ready.server, "OpenBao 2.7.2");
    assert_eq!(ready.token_ttl_seconds, Some(3600));
    assert_eq!(ready.policies, ["mailcred-team"]);
}

#[test]
fn an_answer_that_is_not_the_contracts_is_a_protocol_error() {
    for line in [
        &b"hello"[..],
        b"{}",
        br#"{"found":{"data":"***","version":1}}"#,
        br#"{"found":{"version":1}}"#,
        b"\xff\xfe",
    ] {
        let error = parse(line).expect_err("garbage must be refused");
        assert_eq!(
            store_exit_code(&error),
            exit::PROTOCOL,
            "{line:?}: the companion broke its protocol, got {error}"
        );
    }
}

fn failure(kind: &str) -> StoreError {
    Failure {
        kind: kind.into(),
        message: format!("{kind} happened"),
        path: Some("secret/data/mailcred/team/secrets/ab12".into()),
    }
    .into_store_error("ab12")
}

#[test]
fn every_error_kind_exits_with_the_contracts_status() {
    for (kind, status) in [
        ("unreachable", exit::KEYRING_UNAVAILABLE),
        ("timed_out", exit::TEMPORARY),
        ("sealed", exit::KEYRING_UNAVAILABLE),
        ("no_leader", exit::TEMPORARY),
        ("denied", exit::NO_PERMISSION),
        ("token_expired", exit::KEYRING_LOCKED),
        ("no_token", exit::CONFIG),
        ("tls_untrusted", exit::CONFIG),
        ("bad_answer", exit::PROTOCOL),
        ("bad_request", exit::SOFTWARE),
        ("bad_config", exit::CONFIG),
        ("something_new", exit::SOFTWARE),
    ] {
        let error = failure(kind);
        assert_eq!(
            store_exit_code(&error),
            status,
            "{kind} must exit {status}, as the contract's table says: {error}"
        );
    }
}

#[test]
fn a_failed_check_and_set_is_the_stores_conflict() {
    assert!(
        matches!(failure("cas_mismatch"), StoreError::Conflict { id } if id == "ab12"),
        "the vault retries on a conflict, so a cas mismatch must be one"
    );
}

#[test]
fn a_failure_message_names_the_path_and_keeps_no_terminal_controls() {
    let error = Failure {
        kind: "denied".into(),
        message: "permission denied\x1b[2J".into(),
        path: Some("secret/data/mailcred/team/index".into()),
    };
    let text = error.into_store_error("index").to_string();
    assert!(
        text.contains("secret/data/mailcred/team/index"),
        "a denial names the path: {text}"
    );
    let parsed =
        parse(br#"{"error":{"kind":"denied","message":"no\u001b[2J","path":"secret/data/x"}}"#)
            .unwrap()
            .into_failure();
    assert!(
        !parsed.message.contains('\x1b'),
        "a server's words reach the terminal printable only: {:?}",
        parsed.message
    );
}

impl Answer {
    fn into_failure(self) -> Failure {
        match self {
            Answer::Failed(failure) => failure,
            other => panic!("expected a failure, got {other:?}"),
        }
    }
}

#[test]
fn a_leader_election_says_try_again_once() {
    let error = Failure {
        kind: "no_leader".into(),
        message: "http://127.0.0.1:8200 redirected the request (HTTP 307): a standby that \
                  cannot reach an active node, as during a leader election; try again in a moment"
            .into(),
        path: Some("secret/data/mailcred/team/accounts".into()),
    }
    .into_store_error("accounts")
    .to_string();
    assert_eq!(
        error.matches("try again").count(),
        1,
        "the companion's advice is not repeated by the helper's: {error}"
    );
    assert!(
        failure("timed_out").to_string().contains("try again"),
        "a message without advice gets the helper's: {}",
        failure("timed_out")
    );
}

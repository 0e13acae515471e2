//! Reading, writing and deleting through KV v2, and its check-and-set.

use mailcred_e2e::openbao::Bao;

use super::*;

#[test]
fn every_byte_value_and_16_kib_survive_a_write_read_delete_round_trip() {
    let Some(bao) = Bao::dev() else { return };
    let mut session = root_session(&bao);
    let every_byte: Vec<u8> = (0..=255u8).collect();
    let big: Vec<u8> = (0..16 * 1024).map(|i| (i * 7 + i / 256) as u8).collect();
    for (key, blob) in [("secrets/bytes", &every_byte), ("secrets/big", &big)] {
        let data = base64(blob);
        let written = session.ask(write(key, &data, None));
        assert_eq!(
            written,
            json!({"written": {"version": 1}}),
            "a first write is version 1"
        );
        let stored = bao.json(&[
            "kv",
            "get",
            "-format=json",
            &format!("secret/mailcred/{key}"),
        ]);
        assert_eq!(
            stored["data"]["data"],
            json!({"mailcred": data, "label": "mailcred: test entry"}),
            "the KV entry's data map holds the blob's base64 and the label, nothing else"
        );
        let found = session.ask(read(key));
        assert_eq!(
            found,
            json!({"found": {"data": data, "version": 1}}),
            "the blob must come back byte for byte"
        );
        assert_eq!(
            session.ask(json!({"op": "delete", "key": key})),
            json!({"deleted": {}})
        );
        assert_eq!(
            session.ask(read(key)),
            json!({"absent": {}}),
            "a deleted key has no version left at all (metadata deleted)"
        );
        assert_eq!(
            session.ask(json!({"op": "delete", "key": key})),
            json!({"deleted": {}}),
            "deleting what is not there succeeds"
        );
    }
    let (status, stderr) = session.finish();
    assert_eq!(
        status,
        Some(0),
        "EOF ends the session with status 0: {stderr}"
    );
}

#[test]
fn cas_zero_writes_only_if_absent_and_cas_n_only_at_version_n() {
    let Some(bao) = Bao::dev() else { return };
    let mut session = root_session(&bao);
    let key = "index";
    assert_eq!(
        session.ask(write(key, "AQ==", Some(0))),
        json!({"written": {"version": 1}})
    );
    assert_error(
        &session.ask(write(key, "Ag==", Some(0))),
        "cas_mismatch",
        "cas 0 must fail once the key exists",
    );
    assert_eq!(
        session.ask(write(key, "Ag==", Some(1))),
        json!({"written": {"version": 2}})
    );
    for stale in [1, 3] {
        let message = assert_error(
            &session.ask(write(key, "Aw==", Some(stale))),
            "cas_mismatch",
            "cas N must fail unless N is the current version",
        );
        assert!(message.contains(&format!("version {stale}")), "{message}");
    }
    assert_eq!(
        session.ask(read(key)),
        json!({"found": {"data": "Ag==", "version": 2}}),
        "a lost check-and-set must change nothing"
    );
    assert_eq!(
        session.ask(write(key, "BA==", None)),
        json!({"written": {"version": 3}}),
        "cas null writes whatever is there"
    );
}

#[test]
fn a_soft_deleted_entry_reads_absent_with_the_version_that_cas_must_use() {
    let Some(bao) = Bao::dev() else { return };
    let mut session = root_session(&bao);
    assert_eq!(
        session.ask(write("accounts", "AQ==", Some(0))),
        json!({"written": {"version": 1}})
    );
    // What someone with the bao CLI does: a soft delete keeps the version.
    bao.must(&["kv", "delete", "secret/mailcred/accounts"]);
    assert_eq!(
        session.ask(read("accounts")),
        json!({"absent": {"version": 1}}),
        "a soft-deleted entry is absent, with its version"
    );
    assert_error(
        &session.ask(write("accounts", "Ag==", Some(0))),
        "cas_mismatch",
        "KV's cas 0 fails once any version exists, deleted or not",
    );
    assert_eq!(
        session.ask(write("accounts", "Ag==", Some(1))),
        json!({"written": {"version": 2}}),
        "cas with the deleted version writes the next one"
    );
    bao.must(&["kv", "destroy", "-versions=2", "secret/mailcred/accounts"]);
    assert_eq!(
        session.ask(read("accounts")),
        json!({"absent": {"version": 2}}),
        "a destroyed version is absent too"
    );
}

/// One writer: adds one to the counter at `key`, re-reading after every
/// lost check-and-set, as mailcred re-applies a change.
fn increment(session: &mut Companion, key: &str) -> u32 {
    for attempt in 1.. {
        let current = session.ask(read(key));
        let (count, cas) = if let Some(found) = current.get("found") {
            let data = found["data"].as_str().expect("found data");
            let text = String::from_utf8(
                base64::Engine::decode(&base64::engine::general_purpose::STANDARD, data)
                    .expect("the counter is base64"),
            )
            .expect("the counter is text");
            (
                text.parse::<u32>().expect("the counter is a number"),
                found["version"].as_u64(),
            )
        } else {
            assert!(
                current.get("absent").is_some(),
                "a read either finds or not: {current}"
            );
            (0, Some(current["absent"]["version"].as_u64().unwrap_or(0)))
        };
        let answer = session.ask(write(key, &base64((count + 1).to_string().as_bytes()), cas));
        if answer.get("written").is_some() {
            return attempt;
        }
        assert_error(
            &answer,
            "cas_mismatch",
            "concurrent writers may only lose a check-and-set",
        );
        assert!(attempt < 1000, "a writer lost 1000 times in a row");
    }
    unreachable!()
}

#[test]
fn thirty_two_concurrent_cas_writers_lose_no_increment() {
    let Some(bao) = Bao::dev() else { return };
    let config = token_config(bao.address(), &bao.root_token_file());
    let writers: Vec<_> = (0..32)
        .map(|_| {
            let config = config.clone();
            thread::spawn(move || {
                let mut session = Companion::start(&config, &[]);
                increment(&mut session, "counter")
            })
        })
        .collect();
    let attempts: u32 = writers
        .into_iter()
        .map(|w| w.join().expect("a writer"))
        .sum();
    let mut session = root_session(&bao);
    assert_eq!(
        session.ask(read("counter")),
        json!({"found": {"data": base64(b"32"), "version": 32}}),
        "32 increments must give 32 in 32 versions ({attempts} attempts in all)"
    );
}

#[test]
fn keys_that_could_leave_the_prefix_are_bad_requests_and_the_session_goes_on() {
    let Some(bao) = Bao::dev() else { return };
    let mut session = root_session(&bao);
    for key in [
        "../escape",
        "a/../../b",
        "a?b",
        "a%2f..",
        "",
        "/abs",
        "a//b",
    ] {
        assert_error(
            &session.ask(read(key)),
            "bad_request",
            "an unusable key is our mistake",
        );
    }
    assert_error(
        &session.ask(json!({"op": "list"})),
        "bad_request",
        "an unknown op is our mistake",
    );
    assert_eq!(
        session.ask(read("fine")),
        json!({"absent": {}}),
        "the session goes on"
    );
}

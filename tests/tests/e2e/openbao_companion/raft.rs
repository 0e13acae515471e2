//! A three-node Raft cluster losing its leader: requests fail clearly
//! (never a wrong or partial answer) until a new leader is elected, then
//! work again, with nothing lost.

use mailcred_e2e::openbao::BaoCluster;

use super::*;

/// The kinds a request may fail with while the cluster has no leader.
const NO_LEADER_YET: [&str; 3] = ["no_leader", "unreachable", "timed_out"];

/// Asserts `answer` to a read of a key holding `data` at `version` is that
/// data or a clear failure, never anything else.
fn right_or_clear_failure(answer: &Value, data: &str, version: u64) {
    if let Some(kind) = error_kind(answer) {
        assert!(
            NO_LEADER_YET.contains(&kind),
            "only a leaderless failure is allowed: {answer}"
        );
    } else {
        assert_eq!(
            answer,
            &json!({"found": {"data": data, "version": version}}),
            "a read that answers must give what was written"
        );
    }
}

#[test]
fn a_standby_without_a_leader_fails_clearly_and_after_reelection_nothing_written_is_lost() {
    let Some(mut cluster) = BaoCluster::raft(3) else {
        return;
    };
    let token = cluster.root_token_file();
    let leader = cluster.wait_for_leader();
    let standby = (0..cluster.len())
        .find(|&n| n != leader)
        .expect("a standby");
    let other = (0..cluster.len())
        .find(|&n| n != leader && n != standby)
        .expect("a third node");
    let mut config = token_config(&cluster.address(standby), &token);
    config["timeout_ms"] = json!(3000);
    let mut session = Companion::start(&config, &[]);
    let keys: Vec<String> = (0..8).map(|i| format!("secrets/k{i}")).collect();
    for key in &keys {
        let written = session.ask(write(key, &base64(key.as_bytes()), Some(0)));
        assert_eq!(
            written,
            json!({"written": {"version": 1}}),
            "a standby forwards writes"
        );
        // A standby's own copy lags the leader by milliseconds: without the
        // session's X-Vault-Index this read would miss the write just made.
        assert_eq!(
            session.ask(read(key)),
            json!({"found": {"data": base64(key.as_bytes()), "version": 1}}),
            "a session reads its own writes, also through a standby"
        );
    }

    // The leader crashes: until a new one is elected, a request to the
    // standby fails clearly or, once elected, works.
    cluster.stop(leader);
    let answer = session.ask(write("secrets/after-crash", "AQ==", Some(0)));
    if let Some(kind) = error_kind(&answer) {
        assert!(NO_LEADER_YET.contains(&kind), "{answer}");
    }
    right_or_clear_failure(&session.ask(read(&keys[0])), &base64(keys[0].as_bytes()), 1);

    // With a second node gone the standby is alone, without a quorum:
    // writes cannot succeed, whichever of the two had been elected.
    cluster.wait_for_leader();
    cluster.stop(other);
    let mut config = token_config(&cluster.address(standby), &token);
    config["timeout_ms"] = json!(3000);
    let mut lonely = Companion::start(&config, &[]);
    let mut saw_no_leader = false;
    for _ in 0..40 {
        let answer = lonely.ask(write("secrets/no-quorum", "AQ==", None));
        let kind = error_kind(&answer).map(str::to_owned);
        match kind.as_deref() {
            Some("no_leader") => {
                saw_no_leader = true;
                break;
            }
            Some(kind) => assert!(NO_LEADER_YET.contains(&kind), "{answer}"),
            // The lone node may still believe it leads, for a moment.
            None => thread::sleep(Duration::from_millis(250)),
        }
    }
    assert!(
        saw_no_leader,
        "a lone node without quorum must say no_leader"
    );
    for key in &keys {
        right_or_clear_failure(&lonely.ask(read(key)), &base64(key.as_bytes()), 1);
    }

    // Both back: a leader again, every write kept.
    cluster.start(leader);
    cluster.start(other);
    cluster.wait_for_leader();
    let mut config = token_config(&cluster.address(other), &token);
    config["timeout_ms"] = json!(5000);
    let mut again = Companion::start(&config, &[]);
    let mut answer = again.ask(read(&keys[0]));
    for _ in 0..40 {
        if error_kind(&answer).is_none() {
            break;
        }
        thread::sleep(Duration::from_millis(250));
        answer = again.ask(read(&keys[0]));
    }
    for key in &keys {
        assert_eq!(
            again.ask(read(key)),
            json!({"found": {"data": base64(key.as_bytes()), "version": 1}}),
            "nothing written before the crash may be lost"
        );
    }
    let written = again.ask(write("secrets/after", "AQ==", Some(0)));
    assert_eq!(
        written,
        json!({"written": {"version": 1}}),
        "writes work again"
    );
}

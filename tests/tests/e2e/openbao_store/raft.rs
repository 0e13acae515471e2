//! A three-node OpenBao cluster with Raft storage on loopback losing its
//! leader while mailcred's commands run: each command serves the right
//! answer or fails clearly (a temporary or unreachable status, nothing on
//! stdout), and once a new leader is elected everything works again with
//! nothing lost.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use mailcred_e2e::openbao::BaoCluster;

use super::*;

/// The statuses a command may fail with while the cluster has no leader.
const LEADERLESS: [Option<i32>; 2] = [Some(TEMPORARY), Some(KEYRING_UNAVAILABLE)];

/// Asserts `outcome` of `mailcred get` is `password` or a clear failure.
#[track_caller]
fn right_or_clear_failure(outcome: &Outcome, password: &str) {
    if outcome.success() {
        assert_eq!(
            outcome.stdout,
            format!("{password}\n"),
            "a get that answers gives the stored password"
        );
    } else {
        assert!(
            LEADERLESS.contains(&outcome.code)
                && outcome.stdout.is_empty()
                && !outcome.stderr.is_empty(),
            "a failure while the leader is gone is temporary or unreachable, says why, and prints nothing on stdout:\n{outcome}"
        );
    }
}

#[test]
fn commands_during_a_leader_election_answer_right_or_fail_clearly_and_nothing_is_lost() {
    let Some(mut cluster) = BaoCluster::raft(3) else {
        return;
    };
    let leader = cluster.wait_for_leader();
    let standby = (0..cluster.len())
        .find(|&n| n != leader)
        .expect("a standby");
    let on_standby = machine(&cluster.settings(standby, PREFIX));
    let on_leader = machine(&cluster.settings(leader, PREFIX));
    for i in 0..4 {
        let added = add_account(&on_standby, &format!("before{i}"), &format!("password-{i}"));
        assert!(
            added.success(),
            "a standby forwards the add to the leader:\n{added}"
        );
    }
    let got = mailcred_on(&on_leader, &["get", "before3"], "");
    assert_eq!(
        got.stdout, "password-3\n",
        "the leader serves what the standby wrote:\n{got}"
    );

    // Commands keep running on the standby while the leader crashes and a
    // new one is elected.
    let running = AtomicBool::new(true);
    let (gets, adds) = thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let (mut gets, mut adds) = (Vec::new(), Vec::new());
            let mut n = 0;
            while running.load(Ordering::SeqCst) || n < 4 {
                gets.push(mailcred_on(&on_standby, &["get", "before0"], ""));
                let name = format!("during{n}");
                adds.push((
                    name.clone(),
                    add_account(&on_standby, &name, &format!("pw-{name}")),
                ));
                n += 1;
            }
            (gets, adds)
        });
        thread::sleep(Duration::from_millis(300));
        cluster.stop(leader);
        let down = mailcred_on(&on_leader, &["get", "before0"], "");
        assert_eq!(
            (down.code, down.stdout.as_str()),
            (Some(KEYRING_UNAVAILABLE), ""),
            "a machine whose node is gone is told it is unreachable:\n{down}"
        );
        cluster.wait_for_leader();
        running.store(false, Ordering::SeqCst);
        worker.join().expect("the commands' thread")
    });
    eprintln!(
        "during the election: {} of {} gets and {} of {} adds failed",
        gets.iter().filter(|g| !g.success()).count(),
        gets.len(),
        adds.iter().filter(|(_, a)| !a.success()).count(),
        adds.len()
    );
    if let Some((name, failed)) = adds.iter().find(|(_, a)| !a.success()) {
        eprintln!("for example add {name}:\n{failed}");
    }
    for got in &gets {
        right_or_clear_failure(got, "password-0");
    }
    for (name, added) in &adds {
        if !added.success() {
            assert!(
                LEADERLESS.contains(&added.code) && added.stdout.is_empty(),
                "add {name} without a leader fails clearly:\n{added}"
            );
        }
    }

    // A leader again: writes work, and nothing written before is lost.
    let added = add_account(&on_standby, "after", "password-after");
    assert!(
        added.success(),
        "writes work again after the election:\n{added}"
    );
    for i in 0..4 {
        let got = mailcred_on(&on_standby, &["get", &format!("before{i}")], "");
        assert_eq!(
            got.stdout,
            format!("password-{i}\n"),
            "kept through the election:\n{got}"
        );
    }
    let listed = mailcred_on(&on_standby, &["list", "--names"], "");
    for (name, added) in &adds {
        let got = mailcred_on(&on_standby, &["get", name], "");
        if added.success() {
            assert_eq!(
                got.stdout,
                format!("pw-{name}\n"),
                "an add that succeeded is kept:\n{got}\n{listed}"
            );
        } else {
            right_or_clear_failure_after(&got, &format!("pw-{name}"));
        }
    }
}

/// An add that failed during the election may have landed or not; either
/// way a get gives its password or nothing on stdout with a clear status,
/// never another account's password.
#[track_caller]
fn right_or_clear_failure_after(outcome: &Outcome, password: &str) {
    if outcome.success() {
        assert_eq!(outcome.stdout, format!("{password}\n"));
    } else {
        assert!(
            outcome.stdout.is_empty() && matches!(outcome.code, Some(NO_ACCOUNT | NO_PASSWORD)),
            "an add that failed left no account, or an account that says it has no password:\n{outcome}"
        );
    }
}

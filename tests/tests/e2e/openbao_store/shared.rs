//! Two machines on one OpenBao: what one adds, changes and removes the
//! other sees at once, with no file copied, and writes made at the same
//! time from both are all kept (KV v2 check-and-set).

use std::thread;

use super::*;

#[test]
fn an_account_added_on_one_machine_serves_from_the_other_and_neither_keeps_a_local_file() {
    let Some(bao) = Bao::dev() else {
        return;
    };
    let settings = bao.settings(PREFIX);
    let (laptop, server) = (machine(&settings), machine(&settings));

    let added = add_account(&laptop, "support", "support-app-password");
    assert!(added.success(), "add on the laptop:\n{added}");

    let got = mailcred_on(&server, &["get", "support"], "");
    assert_eq!(
        (got.code, got.stdout.as_str()),
        (Some(0), "support-app-password\n"),
        "the other machine serves the account from the server:\n{got}"
    );
    let listed = mailcred_on(&server, &["list", "--names"], "");
    assert_eq!(listed.stdout, "support\n", "{listed}");

    let changed = mailcred_on(
        &server,
        &["set-password", "support", "--password-stdin"],
        "rotated\n",
    );
    assert!(changed.success(), "set-password on the server:\n{changed}");
    let got = mailcred_on(&laptop, &["get", "support"], "");
    assert_eq!(
        got.stdout, "rotated\n",
        "the laptop sees the change:\n{got}"
    );

    for session in [&laptop, &server] {
        assert!(
            !session.index_path().exists() && !session.account_file().exists(),
            "nothing of mailcred's is kept in local files for a shared store: {:?}",
            files_under(&session.home().join(".."))
        );
    }
    let keys = bao.must(&["kv", "list", "-format=json", &format!("secret/{PREFIX}")]);
    for key in ["\"accounts\"", "\"index\"", "\"secrets/\""] {
        assert!(keys.contains(key), "the server holds {key}: {keys}");
    }

    let removed = mailcred_on(&laptop, &["remove", "support", "--yes"], "");
    assert!(removed.success(), "remove on the laptop:\n{removed}");
    let got = mailcred_on(&server, &["get", "support"], "");
    assert_eq!(
        (got.code, got.stdout.as_str()),
        (Some(NO_ACCOUNT), ""),
        "removed for every machine:\n{got}"
    );
}

/// Sixteen accounts added from each machine at once, then half of them
/// changed and a quarter removed at once: each machine sees exactly what
/// both did.
#[test]
fn thirty_two_concurrent_writes_from_two_machines_lose_nothing() {
    let Some(bao) = Bao::dev() else {
        return;
    };
    let settings = bao.settings(PREFIX);
    let machines = [machine(&settings), machine(&settings)];
    let name = |m: usize, i: usize| format!("m{m}-account{i:02}");

    let on_every_account = |what: &(dyn Fn(&KeyringSession, String, usize) -> Outcome + Sync)| {
        thread::scope(|scope| {
            let runs: Vec<_> = (0..2)
                .flat_map(|m| (0..16).map(move |i| (m, i)))
                .map(|(m, i)| {
                    let machine = &machines[m];
                    let name = name(m, i);
                    scope.spawn(move || (name.clone(), what(machine, name, i)))
                })
                .collect();
            runs.into_iter()
                .map(|r| r.join().expect("a writer thread"))
                .collect::<Vec<_>>()
        })
    };

    for (name, added) in
        on_every_account(&|machine, name, _| add_account(machine, &name, &format!("first-{name}")))
    {
        assert!(
            added.success(),
            "add {name} at the same time as 31 others:\n{added}"
        );
    }
    for (name, outcome) in on_every_account(&|machine, name, i| match i % 4 {
        0 => mailcred_on(machine, &["remove", &name, "--yes"], ""),
        1 | 2 => mailcred_on(
            machine,
            &["set-password", &name, "--password-stdin"],
            &format!("second-{name}\n"),
        ),
        _ => mailcred_on(machine, &["get", &name], ""),
    }) {
        assert!(
            outcome.success(),
            "{name} changed at the same time as 31 others:\n{outcome}"
        );
    }

    for machine in &machines {
        let listed = mailcred_on(machine, &["list", "--names"], "");
        let expected: Vec<String> = (0..2)
            .flat_map(|m| (0..16).filter(|i| i % 4 != 0).map(move |i| name(m, i)))
            .collect();
        let mut names: Vec<&str> = listed.stdout.lines().collect();
        names.sort_unstable();
        assert_eq!(
            names, expected,
            "every machine lists exactly what both kept:\n{listed}"
        );
        for m in 0..2 {
            for i in (0..16).filter(|i| i % 4 != 0) {
                let got = mailcred_on(machine, &["get", &name(m, i)], "");
                let wanted = if i % 4 == 3 { "first" } else { "second" };
                assert_eq!(
                    got.stdout,
                    format!("{wanted}-{}\n", name(m, i)),
                    "{}'s password is the last one written:\n{got}",
                    name(m, i)
                );
            }
        }
    }
}

#[test]
fn git_credential_approve_on_one_machine_fills_on_the_other_and_reject_removes_it_for_both() {
    require("git", "git (2.46 or later)");
    let Some(bao) = Bao::dev() else {
        return;
    };
    let settings = bao.settings(PREFIX);
    let (one, other) = (machine(&settings), machine(&settings));
    let git = |machine: &KeyringSession, action: &str, input: &str| {
        let mut git = machine.command("git");
        git.env("PATH", path_with_binaries())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .args(["-c", "credential.helper=mailcred"])
            .args(["-c", "credential.interactive=false", "credential", action]);
        run(git, input.as_bytes())
    };

    let approved = git(&one, "approve", ALICE);
    assert!(approved.success(), "git credential approve:\n{approved}");
    let filled = git(&other, "fill", ASK_ALICE);
    assert!(filled.success(), "git credential fill:\n{filled}");
    assert_eq!(filled.stdout, FILLED_ALICE, "the other machine fills it");

    let rejected = git(&other, "reject", ALICE);
    assert!(rejected.success(), "git credential reject:\n{rejected}");
    let filled = git(&one, "fill", ASK_ALICE);
    assert!(
        !filled.success() && !filled.stdout.contains("password="),
        "rejected on one machine, gone for both:\n{filled}"
    );
}

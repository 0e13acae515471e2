//! What the pass store serves: mailcred and git through it, by hand with
//! `pass show`, to two recipients, from settings.json, to several writers.

use std::fs;

use super::*;

#[test]
fn an_account_added_to_pass_is_served_and_pass_show_prints_its_password_first() {
    let (pass, _) = PassSession::start();
    add_work(&pass, "work-app-password");

    let got = pass.run(MAILCRED, &["get", "work"], "");
    assert!(got.success(), "mailcred get from pass:\n{got}");
    assert_eq!(
        got.stdout, "work-app-password\n",
        "get prints the stored password"
    );

    let entries = pass.entries();
    assert_eq!(entries.len(), 1, "one account, one pass entry: {entries:?}");
    let mut show = pass.command("pass");
    show.args(["show", &entries[0]]);
    let shown = run(show, b"");
    assert!(shown.success(), "pass show by hand:\n{shown}");
    assert_eq!(
        shown.stdout.lines().next(),
        Some("work-app-password"),
        "pass users expect the password on the first line:\n{shown}"
    );
}

#[test]
fn git_credential_approve_fill_and_reject_go_through_the_pass_store() {
    require("git", "git (2.46 or later)");
    let (pass, _) = PassSession::start();
    let git = |action: &str, input: &str| {
        let mut git = pass.command("git");
        git.env("PATH", path_with_binaries())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .args(["-c", "credential.helper=mailcred"])
            .args(["-c", "credential.interactive=false", "credential", action]);
        run(git, input.as_bytes())
    };

    let approved = git("approve", ALICE);
    assert!(approved.success(), "git credential approve:\n{approved}");
    assert_eq!(
        pass.entries().len(),
        1,
        "approve keeps the password in pass"
    );
    let filled = git("fill", ASK_ALICE);
    assert!(filled.success(), "git credential fill:\n{filled}");
    assert_eq!(
        filled.stdout, FILLED_ALICE,
        "fill gets the approved password back"
    );

    let rejected = git("reject", FILLED_ALICE);
    assert!(rejected.success(), "git credential reject:\n{rejected}");
    assert!(
        pass.entries().is_empty(),
        "reject removes the pass entry, not only the index line: {:?}",
        pass.entries()
    );
    let after = git("fill", ASK_ALICE);
    assert!(
        !after.success(),
        "after reject, fill finds nothing:\n{after}"
    );
}

#[test]
fn a_store_shared_by_two_recipients_serves_each_of_them() {
    let (mut pass, ann) = PassSession::start();
    let bobs_home = pass.session.home().join("bob-gnupg");
    let bob = pass.new_key(&bobs_home, "Bob");
    pass.import_public(&bobs_home, &bob);
    pass.pass_init(&[&ann, &bob]);
    add_work(&pass, "team-app-password");

    for (who, home) in [("Ann", pass.gnupg.clone()), ("Bob", bobs_home)] {
        let mut get = pass.command(bin(MAILCRED));
        get.env("GNUPGHOME", &home).args(["get", "work"]);
        let got = run(get, b"");
        assert!(
            got.success() && got.stdout == "team-app-password\n",
            "{who} holds one of the store's two keys and must be able to read it:\n{got}"
        );
    }
}

#[test]
fn settings_json_picks_pass_with_its_own_folder_and_prefix() {
    let (pass, ann) = PassSession::start();
    let team = pass.session.home().join("team-store");
    let settings = pass.session.home().join("../config/mailcred/settings.json");
    fs::create_dir_all(settings.parent().unwrap()).unwrap();
    let text = serde_json::json!({
        "store": "pass",
        "pass": {"dir": team, "prefix": "team/mail"},
    });
    fs::write(&settings, text.to_string()).unwrap();
    let mut init = pass.command("pass");
    init.env("PASSWORD_STORE_DIR", &team)
        .args(["init", &ann.fingerprint]);
    assert!(run(init, b"").success(), "pass init of the team store");

    let mut add = pass.command(bin(MAILCRED));
    add.env_remove("MAILCRED_STORE").args(ADD_WORK_FROM_STDIN);
    let added = run(add, b"team-app-password\n");
    assert!(added.success(), "{added}");

    let kept: Vec<_> = fs::read_dir(team.join("team/mail"))
        .map(|d| {
            d.filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".gpg"))
            })
            .count()
        })
        .into_iter()
        .collect();
    assert_eq!(
        kept,
        vec![1],
        "the entry is under the configured prefix of the configured store"
    );
    assert!(
        pass.entries().is_empty(),
        "nothing went to PASSWORD_STORE_DIR's store"
    );
}

/// pass commits every change to a store that is a git repository, and
/// takes no lock: writers of several indexes (users, or configurations,
/// sharing one store) at once would race for git's index lock, and pass
/// leaves an entry uncommitted, reporting success, when it loses.
#[test]
fn writers_of_several_indexes_at_once_leave_every_entry_committed_to_the_stores_git() {
    require("git", "git");
    let (pass, _) = PassSession::start();
    let mut git_init = pass.command("pass");
    git_init.args(["git", "init", "--quiet"]);
    assert!(run(git_init, b"").success(), "pass git init");
    const WRITERS: usize = 12;

    let started: Vec<_> = (0..WRITERS)
        .map(|n| {
            let own = pass.session.home().join(format!("writer-{n}"));
            let mut store = pass.command(bin(HELPER));
            store
                .env("XDG_DATA_HOME", own.join("data"))
                .env("XDG_CONFIG_HOME", own.join("config"))
                .env("GIT_AUTHOR_NAME", "t")
                .env("GIT_AUTHOR_EMAIL", "t@example.com")
                .env("GIT_COMMITTER_NAME", "t")
                .env("GIT_COMMITTER_EMAIL", "t@example.com")
                .arg("store");
            let credential =
                format!("protocol=smtp\nhost=smtp.example.com:587\nusername=u{n}\npassword=p{n}\n");
            start(store, credential.as_bytes())
        })
        .collect();
    for outcome in started.into_iter().map(finish) {
        assert!(outcome.success(), "every store must succeed:\n{outcome}");
    }

    assert_eq!(pass.entries().len(), WRITERS, "one entry per writer");
    let mut status = pass.command("git");
    status
        .arg("-C")
        .arg(pass.store())
        .args(["status", "--porcelain"]);
    let status = run(status, b"");
    assert!(
        status.success() && status.stdout.is_empty(),
        "every entry is committed, none left behind by a lost race for git's lock:\n{status}"
    );
}

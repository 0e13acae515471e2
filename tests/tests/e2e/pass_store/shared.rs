//! The pass store keeps mailcred's index and accounts in the password
//! store itself (`<dir>/<prefix>/.mailcred/`), so that another HOME, or a
//! clone of the store's git repository, sees the same accounts; the files
//! an earlier mailcred kept in the user's folders are moved there once.

use std::fs;

use super::*;

/// `<store>/mailcred/.mailcred/NAME`.
fn kept(pass: &PassSession, name: &str) -> PathBuf {
    pass.store().join("mailcred/.mailcred").join(name)
}

/// The session's own data and configuration folders' mailcred files.
fn local(pass: &PassSession) -> [PathBuf; 2] {
    let home = pass.session.home();
    [
        home.join("../data/mailcred/credentials.json"),
        home.join("../config/mailcred/accounts.json"),
    ]
}

/// `mailcred ARGS` as another user of the same password store and gpg
/// keys: its own HOME and folders.
fn as_another_home(pass: &PassSession, args: &[&str]) -> Outcome {
    let other = pass.session.home().join("other-home");
    fs::create_dir_all(&other).unwrap();
    let mut command = pass.command(bin(MAILCRED));
    command
        .env("HOME", &other)
        .env("XDG_DATA_HOME", other.join("data"))
        .env("XDG_CONFIG_HOME", other.join("config"))
        .current_dir(&other)
        .args(args);
    run(command, b"")
}

#[test]
fn the_index_and_accounts_live_in_the_password_store_and_another_home_sees_the_accounts() {
    let (pass, _) = PassSession::start();
    add_work(&pass, "work-app-password");

    for name in ["credentials.json", "accounts.json", ".gitignore"] {
        assert!(
            kept(&pass, name).is_file(),
            "{name} is kept in the password store"
        );
    }
    for file in local(&pass) {
        assert!(
            !file.exists(),
            "nothing is kept in the user's own folders: {}",
            file.display()
        );
    }
    let index = fs::read_to_string(kept(&pass, "credentials.json")).unwrap();
    assert!(
        !index.contains("work-app-password"),
        "the index beside the entries is plain JSON and holds no secret"
    );

    let got = as_another_home(&pass, &["get", "work"]);
    assert!(
        got.success() && got.stdout == "work-app-password\n",
        "another HOME pointed at the same store and keys serves the account:\n{got}"
    );
    let listed = as_another_home(&pass, &["list"]);
    assert!(
        listed.success() && listed.stdout.contains("work"),
        "and lists it:\n{listed}"
    );
}

#[test]
fn a_pass_store_in_git_carries_the_index_and_accounts_but_not_the_lock_files() {
    require("git", "git");
    let (pass, _) = PassSession::start();
    fs::write(
        pass.session.home().join(".gitconfig"),
        "[user]\n\tname = Ann\n\temail = ann@example.com\n",
    )
    .unwrap();
    let mut git_init = pass.command("pass");
    git_init.args(["git", "init", "--quiet"]);
    assert!(run(git_init, b"").success(), "pass git init");
    let git = |args: &[&str]| {
        let mut git = pass.command("git");
        git.arg("-C").arg(pass.store()).args(args);
        run(git, b"")
    };

    add_work(&pass, "work-app-password");

    let status = git(&["status", "--porcelain"]);
    assert!(
        status.success() && status.stdout.is_empty(),
        "every file mailcred wrote is committed, its lock files ignored:\n{status}"
    );
    let files = git(&["ls-files"]);
    for name in ["credentials.json", "accounts.json", ".gitignore"] {
        assert!(
            files.stdout.contains(&format!("mailcred/.mailcred/{name}")),
            "{name} is in the store's git:\n{files}"
        );
    }
    assert!(!files.stdout.contains(".lock"), "no lock file is:\n{files}");
}

#[test]
fn an_earlier_index_and_account_file_are_moved_into_the_password_store_once() {
    let (pass, _) = PassSession::start();
    add_work(&pass, "work-app-password");
    // The layout before: both files in the user's own folders.
    for (name, to) in ["credentials.json", "accounts.json"]
        .into_iter()
        .zip(local(&pass))
    {
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::rename(kept(&pass, name), &to).unwrap();
    }

    let got = pass.run(MAILCRED, &["get", "work"], "");
    assert!(
        got.success() && got.stdout == "work-app-password\n",
        "the account serves after the move:\n{got}"
    );
    for name in ["credentials.json", "accounts.json"] {
        assert!(
            kept(&pass, name).is_file(),
            "{name} was moved into the store"
        );
    }
    for file in local(&pass) {
        assert!(
            !file.exists(),
            "and is gone from the user's folder: {}",
            file.display()
        );
    }
}

#[test]
fn an_earlier_account_file_that_differs_from_the_stores_fails_with_78_and_loses_neither() {
    let (pass, _) = PassSession::start();
    add_work(&pass, "work-app-password");
    let [_, accounts] = local(&pass);
    fs::create_dir_all(accounts.parent().unwrap()).unwrap();
    let earlier = "{\"version\": 2, \"accounts\": []}\n";
    fs::write(&accounts, earlier).unwrap();

    let got = pass.run(MAILCRED, &["get", "work"], "");

    assert_fails_cleanly(&got, CONFIG, "both exist and differ");
    assert!(
        got.stderr.contains("config/mailcred/accounts.json") && got.stderr.contains("merge"),
        "the message names both files and says what to do:\n{got}"
    );
    assert_eq!(
        fs::read_to_string(&accounts).unwrap(),
        earlier,
        "the earlier file is kept"
    );
    assert!(
        fs::read_to_string(kept(&pass, "accounts.json"))
            .unwrap()
            .contains("\"work\""),
        "and so is the store's"
    );
}

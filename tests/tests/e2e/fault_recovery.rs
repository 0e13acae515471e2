//! Faults that come and go: the Secret Service killed in the middle of a
//! run, the session bus gone, the account file or the index damaged,
//! unreadable or on a full disk. Each gives one clear line on stderr,
//! nothing on stdout and its own exit status; and once the fault is gone,
//! every secret stored before it is served again: nothing is deleted
//! because a read failed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use mailcred_e2e::{finish, start};

use super::*;

fn user(n: usize) -> String {
    format!("user{n:02}")
}

fn password(n: usize) -> String {
    format!("user{n:02}-app-password")
}

fn ask(n: usize) -> String {
    format!(
        "protocol=smtp\nhost=smtp.example.com:587\nusername={}\n",
        user(n)
    )
}

fn credential(n: usize) -> String {
    format!("{}password={}\n", ask(n), password(n))
}

fn answer(n: usize) -> String {
    format!("username={}\npassword={}\n", user(n), password(n))
}

/// Asserts git's helper serves user `n` their password.
#[track_caller]
fn assert_served(session: &KeyringSession, n: usize, when: &str) {
    let got = helper(session, "get", &ask(n));
    assert_eq!(
        (got.code, got.stdout.as_str()),
        (Some(0), answer(n).as_str()),
        "{when}, {} should be served the password stored before the fault:\n{got}",
        user(n)
    );
}

/// The session's folders, by what mailcred keeps there.
fn config_dir(session: &KeyringSession) -> PathBuf {
    session
        .home()
        .parent()
        .expect("the session folder")
        .join("config/mailcred")
}

fn account_file(session: &KeyringSession) -> PathBuf {
    config_dir(session).join("accounts.json")
}

fn add_work(session: &KeyringSession) {
    let added = mailcred(
        session,
        MAILCRED,
        &[
            "add",
            "work",
            "--provider",
            "custom",
            "--host",
            "smtp.example.com",
            "--user",
            "ann",
            "--password-stdin",
        ],
        "work-app-password\n",
    );
    assert!(added.success(), "add should succeed:\n{added}");
}

#[track_caller]
fn assert_work_served(session: &KeyringSession, when: &str) {
    let got = mailcred(session, MAILCRED, &["get", "work"], "");
    assert_eq!(
        (got.code, got.stdout.as_str()),
        (Some(0), "work-app-password\n"),
        "{when}, the account's password should be served:\n{got}"
    );
}

/// Round `round` of a run: a get of a stored user and a store of a new one.
fn launch(
    session: &KeyringSession,
    round: usize,
    stored: usize,
) -> [(&'static str, usize, mailcred_e2e::Running); 2] {
    let n = round % stored;
    let mut get = session.command(bin(HELPER));
    get.arg("get");
    let m = stored + round;
    let mut store = session.command(bin(HELPER));
    store.arg("store");
    [
        ("get", n, start(get, ask(n).as_bytes())),
        ("store", m, start(store, credential(m).as_bytes())),
    ]
}

#[test]
fn secret_service_killed_in_the_middle_of_a_run_loses_nothing_stored_before() {
    let mut session = KeyringSession::start();
    const STORED: usize = 8;
    for n in 0..STORED {
        approve(&session, &credential(n));
    }

    // Gets of stored users and stores of new ones: the first pair is waited
    // for, so some finish before the daemon dies; the rest of the first
    // wave are starting or talking to it when it does; a second wave starts
    // after.
    let mut first_wave: Vec<_> = (0..8).flat_map(|r| launch(&session, r, STORED)).collect();
    let mut outcomes: Vec<_> = first_wave
        .drain(..2)
        .map(|(action, n, process)| (action, n, finish(process)))
        .collect();
    session.stop_secret_service();
    let second_wave: Vec<_> = (8..12).flat_map(|r| launch(&session, r, STORED)).collect();
    outcomes.extend(
        first_wave
            .into_iter()
            .chain(second_wave)
            .map(|(action, n, process)| (action, n, finish(process))),
    );

    let mut stored_in_the_storm = Vec::new();
    let mut failures = 0;
    let mut codes = Vec::new();
    for (action, n, outcome) in outcomes {
        codes.push(outcome.code);
        if outcome.success() {
            if action == "get" {
                assert_eq!(
                    outcome.stdout,
                    answer(n),
                    "a get that succeeds while the keyring dies must answer right:\n{outcome}"
                );
            } else {
                stored_in_the_storm.push(n);
            }
            continue;
        }
        failures += 1;
        assert!(
            outcome.stdout.is_empty(),
            "a {action} failing as the keyring dies must print nothing on stdout:\n{outcome}"
        );
        assert_eq!(
            outcome.stderr.lines().count(),
            1,
            "a {action} failing as the keyring dies should say why in one line:\n{outcome}"
        );
        assert!(
            outcome.code == Some(KEYRING_UNAVAILABLE)
                && outcome.stderr.contains("the Secret Service is not running"),
            "a {action} failing as the keyring dies should say it is not running and exit \
             69:\n{outcome}"
        );
    }
    eprintln!("exit statuses of the helpers run as the keyring died: {codes:?}");
    assert!(
        failures > 0,
        "the daemon was stopped mid-run: some helpers should have failed"
    );

    session.restart_secret_service();
    for n in 0..STORED {
        assert_served(&session, n, "after the Secret Service is back");
    }
    for &n in &stored_in_the_storm {
        assert_served(&session, n, "a store that reported success");
    }
}

#[test]
fn session_bus_gone_refuses_everything_with_69_and_erases_nothing() {
    let mut session = KeyringSession::start();
    approve(&session, &credential(0));
    add_work(&session);
    session.stop_bus();

    let get = helper(&session, "get", &ask(0));
    assert_fails_cleanly(&get, KEYRING_UNAVAILABLE, "no D-Bus session bus");
    let erase = helper(&session, "erase", &credential(0));
    assert_fails_cleanly(&erase, KEYRING_UNAVAILABLE, "no D-Bus session bus");
    let store = helper(&session, "store", &credential(1));
    assert_fails_cleanly(&store, KEYRING_UNAVAILABLE, "no D-Bus session bus");
    let get = mailcred(&session, MAILCRED, &["get", "work"], "");
    assert_fails_cleanly(&get, KEYRING_UNAVAILABLE, "no D-Bus session bus");
    let remove = mailcred(&session, MAILCRED, &["remove", "work", "--yes"], "");
    assert_fails_cleanly(&remove, KEYRING_UNAVAILABLE, "no D-Bus session bus");

    session.restart_secret_service();
    assert_served(&session, 0, "after the bus is back");
    assert_work_served(&session, "after the bus is back");
}

#[test]
fn erase_on_a_locked_keyring_fails_and_deletes_nothing() {
    let mut session = KeyringSession::start();
    approve(&session, &credential(0));
    session.lock();

    let erased = helper(&session, "erase", &credential(0));
    assert_fails_cleanly(&erased, KEYRING_LOCKED, "the keyring is locked");
    session.unlock();
    assert_served(&session, 0, "after unlocking");
}

#[test]
fn a_damaged_account_file_is_reported_left_as_it_is_and_loses_no_secret() {
    let session = KeyringSession::start();
    add_work(&session);
    approve(&session, &credential(0));
    let file = account_file(&session);
    let good = fs::read(&file).expect("the account file");

    // What each file must be reported as: damage, or a newer mailcred's
    // file (no damage, but this installation is too old for it).
    let damage = (DATA_DAMAGED, "it was left untouched: fix or restore it");
    let newer = (CONFIG, "was written by a newer mailcred (format 99");
    for (what, damaged, (code, message)) in [
        ("truncated", good[..good.len() / 2].to_vec(), damage),
        ("empty", Vec::new(), damage),
        ("garbage", b"\x00\xffnot json at all\n".to_vec(), damage),
        (
            "not an account list",
            b"{\"accounts\": 3}\n".to_vec(),
            damage,
        ),
        (
            "newer",
            b"{\"version\": 99, \"accounts\": [], \"from\": \"the future\"}\n".to_vec(),
            newer,
        ),
    ] {
        fs::write(&file, &damaged).expect("damaging the account file");
        for args in [
            &["get", "work"][..],
            &["list"],
            &["show", "work"],
            &["neomutt", "--hostname", "smtp.example.com"],
            &["set-password", "work", "--password-stdin"],
            &["remove", "work", "--yes"],
            &[
                "add",
                "other",
                "--provider",
                "gmail",
                "--user",
                "x@gmail.com",
                "--password-stdin",
            ],
        ] {
            let outcome = mailcred(&session, MAILCRED, args, "new-password\n");
            assert!(
                outcome.stdout.is_empty(),
                "`mailcred {}` on a {what} account file must print nothing:\n{outcome}",
                args.join(" ")
            );
            assert_eq!(
                outcome.code,
                Some(code),
                "`mailcred {}` on a {what} account file should exit {code}:\n{outcome}",
                args.join(" ")
            );
            assert!(
                outcome.stderr.contains(message),
                "the message should say what is wrong with the account file and that it was \
                 left untouched ({message:?}):\n{outcome}"
            );
            assert_eq!(
                fs::read(&file).expect("the account file"),
                damaged,
                "`mailcred {}` must leave a {what} account file as it is",
                args.join(" ")
            );
        }
        // git's own credentials do not depend on the account file.
        assert_served(&session, 0, &format!("with a {what} account file"));
    }

    fs::write(&file, &good).expect("restoring the account file");
    assert_work_served(&session, "once the account file is restored");
}

#[test]
fn an_unreadable_account_file_exits_74_and_loses_no_secret() {
    // Tests run as root, for whom chmod 000 changes nothing: the file is
    // made unreadable by putting a directory in its place (EISDIR).
    let session = KeyringSession::start();
    add_work(&session);
    let file = account_file(&session);
    let good = fs::read(&file).expect("the account file");
    fs::remove_file(&file).expect("removing the account file");
    fs::create_dir(&file).expect("a directory in its place");

    for args in [
        &["get", "work"][..],
        &["list"],
        &["neomutt", "--hostname", "smtp.example.com"],
    ] {
        let outcome = mailcred(&session, MAILCRED, args, "");
        assert_fails_cleanly(&outcome, IO_ERROR, "cannot read");
        assert!(
            outcome.stderr.contains("accounts.json"),
            "the message should name the file:\n{outcome}"
        );
    }

    fs::remove_dir(&file).expect("removing the directory");
    fs::write(&file, &good).expect("restoring the account file");
    assert_work_served(&session, "once the account file is readable again");
}

#[test]
fn a_damaged_index_is_reported_left_as_it_is_and_loses_no_secret() {
    let session = KeyringSession::start();
    approve(&session, &credential(0));
    let index = session.index_path();
    let good = fs::read(&index).expect("the index");
    let damaged = &good[..good.len() / 2];
    fs::write(&index, damaged).expect("damaging the index");

    for (action, input) in [
        ("get", ask(0)),
        ("store", credential(1)),
        ("erase", credential(0)),
    ] {
        let outcome = helper(&session, action, &input);
        assert_fails_cleanly(&outcome, DATA_DAMAGED, "the credential index");
        assert_eq!(
            fs::read(&index).expect("the index"),
            damaged,
            "`{action}` must leave a damaged index as it is"
        );
    }

    fs::write(&index, &good).expect("restoring the index");
    assert_served(&session, 0, "once the index is restored");
}

#[test]
fn a_keyring_item_mailcred_cannot_decode_is_reported_as_damaged_not_as_missing() {
    require("secret-tool", "libsecret-tools");
    let session = KeyringSession::start();
    add_work(&session);
    let index: serde_json::Value =
        serde_json::from_slice(&fs::read(session.index_path()).expect("the index"))
            .expect("the index is JSON");
    let id = index["entries"][0]["id"]
        .as_str()
        .expect("the account's index entry has an id")
        .to_owned();
    // Another program overwrites the item under mailcred's service and id.
    let mut overwrite = session.command("secret-tool");
    overwrite.args([
        "store",
        "--label=not mailcred's",
        "service",
        "mailcred",
        "username",
        &id,
    ]);
    let overwritten = run(overwrite, b"garbage without an equals sign");
    assert!(
        overwritten.success(),
        "secret-tool store should succeed:\n{overwritten}"
    );

    let got = mailcred(&session, MAILCRED, &["get", "work"], "");
    assert_fails_cleanly(&got, DATA_DAMAGED, "holds data mailcred cannot read");
    assert!(
        got.stderr.contains(&id) && got.stderr.contains("mail account \"work\""),
        "the message should name the keyring item and its account:\n{got}"
    );
    assert!(
        !got.stderr.contains("garbage"),
        "the message must never show what the item holds:\n{got}"
    );
    let git = helper(
        &session,
        "get",
        "protocol=smtp\nhost=smtp.example.com:587\nusername=ann\n",
    );
    assert_fails_cleanly(&git, DATA_DAMAGED, "holds data mailcred cannot read");

    let repaired = mailcred(
        &session,
        MAILCRED,
        &["set-password", "work", "--password-stdin"],
        "work-app-password\n",
    );
    assert!(
        repaired.success(),
        "storing the password again, as the message says, should succeed:\n{repaired}"
    );
    assert_work_served(&session, "once the password is stored again");
}

/// A small tmpfs mounted over a folder for the life of the guard.
struct SmallDisk {
    mount_point: PathBuf,
}

impl SmallDisk {
    /// Mounts a tmpfs of `size` over `dir` (created 0700). Needs root, as
    /// these tests run.
    fn mount(dir: &Path, size: &str) -> Self {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .expect("the mount point");
        let mounted = run(
            {
                let mut mount = Command::new("mount");
                mount
                    .args(["-t", "tmpfs", "-o"])
                    .arg(format!("size={size},mode=0700"))
                    .arg("mailcred-e2e-full")
                    .arg(dir);
                mount
            },
            b"",
        );
        assert!(
            mounted.success(),
            "mounting a small tmpfs needs root (the tests run as root in CI):\n{mounted}"
        );
        Self {
            mount_point: dir.to_owned(),
        }
    }

    /// Fills the disk with a file until the kernel says it is full.
    fn fill(&self) -> PathBuf {
        use std::io::Write;
        let path = self.mount_point.join("filler");
        let mut file = fs::File::create(&path).expect("the filler file");
        let block = [0u8; 4096];
        while file.write_all(&block).is_ok() {}
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("--lazy")
            .arg(&self.mount_point)
            .status();
    }
}

#[test]
fn a_full_disk_refuses_new_accounts_and_credentials_with_74_and_loses_nothing() {
    let session = KeyringSession::start();
    let config = SmallDisk::mount(&config_dir(&session), "64k");
    let data = SmallDisk::mount(session.index_path().parent().expect("index folder"), "64k");
    add_work(&session);
    approve(&session, &credential(0));
    let accounts_before = fs::read(account_file(&session)).expect("the account file");
    let index_before = fs::read(session.index_path()).expect("the index");
    let fillers = [config.fill(), data.fill()];

    let added = mailcred(
        &session,
        MAILCRED,
        &[
            "add",
            "second",
            "--provider",
            "gmail",
            "--user",
            "ann@gmail.com",
            "--password-stdin",
        ],
        "second-app-password\n",
    );
    assert!(
        added.stdout.is_empty() && added.code == Some(IO_ERROR),
        "add on a full disk should fail with 74 and print nothing:\n{added}"
    );
    assert!(
        added.stderr.lines().last().is_some_and(|l| {
            l.starts_with("mailcred: cannot write") && l.contains("No space left on device")
        }),
        "the last stderr line should say the account file cannot be written, and why:\n{added}"
    );
    let stored = helper(&session, "store", &credential(1));
    assert_fails_cleanly(&stored, IO_ERROR, "No space left on device");
    let changed = mailcred(
        &session,
        MAILCRED,
        &["set-password", "work", "--password-stdin"],
        "changed-app-password\n",
    );
    assert_fails_cleanly(&changed, IO_ERROR, "No space left on device");

    assert_eq!(
        fs::read(account_file(&session)).expect("the account file"),
        accounts_before,
        "a full disk must leave the account file as it was"
    );
    assert_eq!(
        fs::read(session.index_path()).expect("the index"),
        index_before,
        "a full disk must leave the index as it was"
    );
    assert_work_served(&session, "on a full disk");
    assert_served(&session, 0, "on a full disk");

    for filler in fillers {
        fs::remove_file(filler).expect("freeing the disk");
    }
    let stored = helper(&session, "store", &credential(1));
    assert!(
        stored.success(),
        "with room again, store should work:\n{stored}"
    );
    assert_served(&session, 1, "after the disk has room again");
    assert_served(&session, 0, "after the disk has room again");
    assert_work_served(&session, "after the disk has room again");
    drop((config, data));
}

//! `mailcred import --apply` killed between storing the password and
//! rewriting the files: its stdout is a pipe already full, so its first
//! line — written once the account is stored, before any file is
//! touched — blocks it there, and it is killed while it waits. Nothing
//! stored is lost, no file is half-written, and the next run only
//! rewrites.

use std::io::{Read, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use mailcred_core::accounts::Accounts;

use super::*;

/// Whether the account file lists `name` as an account (not pending).
fn stored(home: &Plaintext, name: &str) -> bool {
    fs::read(home.session.account_file())
        .ok()
        .and_then(|bytes| Accounts::from_slice(&bytes).ok())
        .is_some_and(|a| a.get(name).is_some())
}

#[test]
fn an_import_killed_between_store_and_rewrite_loses_nothing_and_the_next_finishes() {
    let home = Plaintext::new();
    let before = home.files();
    let (mut reader, mut writer) = std::io::pipe().expect("a pipe");
    let capacity = rustix::pipe::fcntl_getpipe_size(&writer).expect("the pipe's size");
    writer
        .write_all(&vec![b'.'; capacity])
        .expect("a full pipe");
    let mut import = home.command(MAILCRED);
    import
        .args(["import", "--apply"])
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::null());
    let mut child = import.spawn().expect("mailcred import starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !stored(&home, ACCOUNT) {
        assert!(
            Instant::now() < deadline,
            "the import should store the account"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import waits on its full stdout, it cannot finish"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().expect("the import is ours to kill");
    child.wait().unwrap();
    drop(import);
    let mut drained = Vec::new();
    reader.read_to_end(&mut drained).unwrap();

    assert_eq!(
        home.files(),
        before,
        "killed before any rewrite, every file is as it was"
    );
    let got = home.mailcred(&["get", ACCOUNT]);
    assert_eq!(
        got.stdout,
        format!("{PASSWORD}\n"),
        "what was stored is kept:\n{got}"
    );

    let rerun = home.import();

    assert!(
        rerun
            .stdout
            .contains("account \"work\" already keeps this password"),
        "the stored password matches, so only the rewrite remains:\n{rerun}"
    );
    home.assert_no_plaintext_left();
    let mut msmtp = home.command("msmtp");
    msmtp.args(["-a", ACCOUNT, RECIPIENT]);
    let sent = run(
        msmtp,
        format!("From: {USER}\nSubject: after\n\nhi\n").as_bytes(),
    );
    assert!(
        sent.success()
            && home
                .smtp
                .auths()
                .iter()
                .all(|a| a.ok && a.password == PASSWORD),
        "msmtp logs in with the rewritten file:\n{sent}"
    );
}

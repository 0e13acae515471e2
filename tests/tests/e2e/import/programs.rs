//! After `mailcred import --apply`, msmtp, mbsync, neomutt and git
//! send-email log in with the rewritten files and the password from
//! mailcred; a second import changes nothing.

use super::*;

/// msmtp sends through account `account`.
fn msmtp(home: &Plaintext, account: &str) -> Outcome {
    let mut msmtp = home.command("msmtp");
    msmtp.args(["-a", account, RECIPIENT]);
    run(
        msmtp,
        format!("From: {USER}\nTo: {RECIPIENT}\nSubject: msmtp {account}\n\nhello\n").as_bytes(),
    )
}

/// A neomutt of 2022-11 or later (with account_command), as
/// `mail::neomutt` finds it: `MAILCRED_TEST_NEW_NEOMUTT`, else where
/// `scripts/test` unpacks Debian's bookworm-backports one.
fn newer_neomutt() -> String {
    let path = std::env::var_os("MAILCRED_TEST_NEW_NEOMUTT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../target/neomutt-backports/usr/bin/neomutt")
        });
    assert!(
        path.exists(),
        "no newer neomutt at {}: run scripts/test; this test never skips",
        path.display()
    );
    path.display().to_string()
}

/// `program` (a neomutt) in batch mode, with ~/.neomuttrc.
fn neomutt(home: &Plaintext, program: &str) -> Outcome {
    let mut neomutt = home.command(program);
    neomutt
        .args(["-n", "-F"])
        .arg(home.session.home().join(".neomuttrc"));
    neomutt.args(["-s", "neomutt", "--", RECIPIENT]);
    run(neomutt, b"hello from neomutt\n")
}

/// mbsync of the channel `work`.
fn mbsync(home: &Plaintext) -> Outcome {
    let mut mbsync = home.command("mbsync");
    mbsync
        .arg("-c")
        .arg(home.session.home().join(".mbsyncrc"))
        .arg(ACCOUNT);
    run(mbsync, b"")
}

/// git send-email of a one-commit repository's patch, with ~/.gitconfig.
fn git_send_email(home: &Plaintext) -> Outcome {
    let repo = home.session.home().join("repo");
    fs::create_dir_all(&repo).unwrap();
    fs::write(repo.join("README"), "hello\n").unwrap();
    let git = |args: &[&str]| {
        let mut git = home.command("git");
        git.args(args).current_dir(&repo);
        run(git, b"")
    };
    for args in [
        &["init", "-q"][..],
        &["add", "README"],
        &["commit", "-q", "-m", "Add a README"],
        &["format-patch", "-q", "-1", "-o", "../patches"],
    ] {
        let done = git(args);
        assert!(done.success(), "git {args:?}:\n{done}");
    }
    git(&[
        "send-email",
        "--confirm=never",
        "--suppress-cc=all",
        "--to",
        RECIPIENT,
        "../patches/0001-Add-a-README.patch",
    ])
}

#[test]
fn after_import_msmtp_mbsync_neomutt_and_git_send_email_log_in_with_the_rewritten_files() {
    let home = Plaintext::new();
    home.imap.deliver(
        USER,
        "1",
        "From: bob@example.org\r\nSubject: waiting\r\n\r\nhi\r\n",
    );

    let imported = home.import();

    home.assert_no_plaintext_left();
    assert!(
        home.read(".msmtprc")
            .contains("\npasswordeval \"mailcred get work\"\n")
            && home
                .read(".mbsyncrc")
                .contains("\nPassCmd \"mailcred get work\"\n")
            && home
                .read(".neomuttrc")
                .contains("set smtp_pass = \"`mailcred get work`\"")
            && home.read(".gitconfig").contains("\thelper = mailcred\n"),
        "each file asks mailcred now:\n{imported}\n{:#?}",
        home.files()
    );
    let got = home.mailcred(&["get", ACCOUNT]);
    assert_eq!(
        got.stdout,
        format!("{PASSWORD}\n"),
        "one account keeps the password:\n{imported}"
    );

    let sent = [
        ("msmtp -a work", msmtp(&home, "work")),
        ("msmtp (default : work)", msmtp(&home, "default")),
        ("neomutt (Debian 12's)", neomutt(&home, "neomutt")),
        (
            "neomutt (with account_command)",
            neomutt(&home, &newer_neomutt()),
        ),
        ("git send-email", git_send_email(&home)),
    ];
    let auths: Vec<(String, String, bool)> = home
        .smtp
        .auths()
        .into_iter()
        .map(|a| (a.username, a.password, a.ok))
        .collect();
    let shown: Vec<String> = sent.iter().map(|(who, o)| format!("{who}: {o}")).collect();
    assert_eq!(
        auths,
        vec![(USER.to_owned(), PASSWORD.to_owned(), true); sent.len()],
        "each sender logs in once, with the password from mailcred:\n{}",
        shown.join("\n")
    );
    assert_eq!(
        home.smtp.messages().len(),
        sent.len(),
        "each sender delivers its message"
    );

    let synced = mbsync(&home);
    let logins = home.imap.logins_of(USER);
    assert!(
        synced.success() && !logins.is_empty() && logins.iter().all(|l| l.accepted && l.tls),
        "mbsync logs in with the password from mailcred:\n{synced}\n{logins:#?}"
    );
}

#[test]
fn a_second_import_changes_nothing() {
    let home = Plaintext::new();
    home.import();
    let files = home.files();
    let accounts = home.mailcred(&["list", "--json"]).stdout;

    let again = home.import();

    assert_eq!(
        home.files(),
        files,
        "no file changes the second time:\n{again}"
    );
    assert_eq!(
        home.mailcred(&["list", "--json"]).stdout,
        accounts,
        "no account changes"
    );
    assert!(
        !again.stdout.contains("Stored"),
        "nothing is stored again:\n{again}"
    );
}

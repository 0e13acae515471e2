//! git: git-credential-store's file and git config's `sendemail.smtpPass`
//! and `imap.pass`, whose lines go, with credential sections handing those
//! servers to mailcred.

use super::{Home, assert_line};

#[test]
fn git_credentials_mail_lines_go_and_gitconfig_hands_their_servers_to_mailcred() {
    let home = Home::new();
    home.put(".git-credentials", "git-credentials");
    home.write(".gitconfig", "[user]\n\tname = Ann Example\n");

    let report = home.apply();

    home.assert_file(
        ".git-credentials",
        "git-credentials.after",
        "only the https line stays",
    );
    let gitconfig = home.read(".gitconfig");
    assert!(
        gitconfig.starts_with("[user]\n\tname = Ann Example\n"),
        "what was there stays:\n{gitconfig}"
    );
    for section in [
        "[credential \"smtp://smtp.example.org:587\"]",
        "[credential \"imaps://imap.example.org\"]",
    ] {
        assert!(
            gitconfig.contains(section),
            "git must ask mailcred for {section}:\n{gitconfig}"
        );
    }
    assert!(
        gitconfig.contains("\thelper =\n\thelper = mailcred\n"),
        "the empty helper keeps `store` from writing the password back"
    );
    assert_eq!(
        home.s.account_names(),
        ["ann@example.org"],
        "one login and password:\n{report}"
    );
    assert_line(
        &report,
        &[
            "~/.git-credentials: 1 credential of other servers (https, …) left alone; --all imports them",
        ],
        "the https line is not a mail password",
    );
}

#[test]
fn gitconfig_smtppass_and_imap_pass_lines_are_deleted_and_the_rest_kept_byte_for_byte() {
    let home = Home::new();
    home.put(".gitconfig", "gitconfig");

    let report = home.apply();

    home.assert_file(
        ".gitconfig",
        "gitconfig.after",
        "the password lines go, the sections come",
    );
    let account = home.account("ann@example.org");
    assert_eq!(account.smtp.as_ref().map(|e| e.port), Some(587));
    assert_eq!(account.imap.as_ref().map(|e| e.port), Some(993));
    assert_eq!(
        home.get("ann@example.org"),
        "s3cr3t\n",
        "the quotes and the comment are git's"
    );
    assert_line(
        &report,
        &[
            "~/.gitconfig:20:",
            "includes ~/.gitconfig.local: not followed",
        ],
        "an include is named",
    );
}

#[test]
fn a_second_import_adds_no_second_credential_section() {
    let home = Home::new();
    home.put(".git-credentials", "git-credentials");
    home.apply();
    let once = home.read(".gitconfig");
    home.put(".git-credentials", "git-credentials");

    home.apply();

    assert_eq!(
        home.read(".gitconfig"),
        once,
        "the sections are there already"
    );
}

#[test]
fn with_all_other_servers_credentials_become_git_credentials_in_mailcred() {
    let home = Home::new();
    home.put(".git-credentials", "git-credentials");

    let report = home.run(true, |o| o.all = true).ok("--all");

    assert_eq!(
        home.read(".git-credentials"),
        "",
        "every line goes:\n{report}"
    );
    assert_line(
        &report,
        &["stored: as git's credential for https://ann@github.com"],
        "kept as git stores it",
    );
    let answer = home
        .s
        .git("get", "protocol=https\nhost=github.com\nusername=ann\n")
        .ok("git's get");
    assert_eq!(
        answer, "username=ann\npassword=ghp_notamailpassword0000\n",
        "git finds it in mailcred"
    );
    assert!(
        home.read(".gitconfig")
            .contains("[credential \"https://github.com\"]\n"),
        "and asks mailcred for it"
    );
    assert_eq!(
        home.s.account_names(),
        ["ann@example.org"],
        "no mail account is made of it"
    );

    let again = home.run(true, |o| o.all = true).ok("--all again");
    assert!(
        !again.contains("Stored"),
        "the rerun stores nothing:\n{again}"
    );
}

#[test]
fn a_send_email_identity_inherits_the_plain_sections_password_line() {
    let home = Home::new();
    let text = "[sendemail]\n\tsmtpUser = ann@example.org\n\tsmtpPass = s3cr3t\n\tsmtpEncryption = ssl\n[sendemail \"lists\"]\n\tsmtpServer = smtp.lists.example\n[sendemail \"work\"]\n\tsmtpServer = smtp.example.org\n\tsmtpServerPort = 465\n";
    home.write(".gitconfig", text);

    let report = home.apply();

    assert_eq!(
        home.s.account_names(),
        ["lists", "work"],
        "one account per identity's server:\n{report}"
    );
    let gitconfig = home.read(".gitconfig");
    assert!(
        !gitconfig.contains("smtpPass"),
        "the one line both inherit goes:\n{gitconfig}"
    );
    for url in ["smtp://smtp.lists.example", "smtp://smtp.example.org:465"] {
        assert!(
            gitconfig.contains(&format!("[credential \"{url}\"]")),
            "{url}:\n{gitconfig}"
        );
    }
    assert_eq!(home.get("work"), "s3cr3t\n");
}

//! Real git asking for an account's IMAP credential, as git imap-send does
//! (`protocol=imaps`, `host=SERVER` up to git 2.50, `host=SERVER:PORT` from
//! 2.51), through the settings `mailcred configure git` writes.

use super::*;

const PASSWORD: &str = "gmail-app-pw";

/// A session whose Gmail account `work` is configured for git.
fn configured() -> KeyringSession {
    let session = KeyringSession::start();
    let added = mailcred(
        &session,
        MAILCRED,
        ADD_WORK_FROM_STDIN,
        &format!("{PASSWORD}\n"),
    );
    assert!(added.success(), "{added}");
    let mut configure = session.command(bin(MAILCRED));
    configure
        .env("PATH", path_with_binaries())
        .args(["configure", "git", "work"]);
    let configured = run(configure, b"");
    assert!(configured.success(), "{configured}");
    assert!(
        configured.stdout.contains("git imap-send"),
        "configure git should say it set up imap-send:\n{configured}"
    );
    session
}

/// `git ARGS` in the session, with its global configuration, never prompting.
fn git(session: &KeyringSession, args: &[&str], input: &str) -> Outcome {
    require("git", "git (2.46 or later)");
    let mut git = session.command("git");
    git.env("PATH", path_with_binaries())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .args(args);
    run(git, input.as_bytes())
}

#[test]
fn configure_git_sets_up_imap_send_for_the_imap_endpoint() {
    let session = configured();
    for (key, value) in [
        ("imap.host", "imaps://imap.gmail.com"),
        ("imap.port", "993"),
        ("imap.user", "ann@gmail.com"),
        ("sendemail.smtpServer", "smtp.gmail.com"),
    ] {
        let got = git(&session, &["config", "--global", "--get", key], "");
        assert_eq!(got.stdout.trim_end(), value, "{key}:\n{got}");
    }
    let helpers = git(
        &session,
        &[
            "config",
            "--global",
            "--get-all",
            "credential.imaps://imap.gmail.com.helper",
        ],
        "",
    );
    assert_eq!(
        helpers.stdout, "\nmailcred\n",
        "the imaps section resets other helpers, then names mailcred:\n{helpers}"
    );
}

#[test]
fn git_credential_fill_for_imaps_is_served_with_and_without_the_port() {
    let session = configured();
    for host in ["imap.gmail.com", "imap.gmail.com:993"] {
        let filled = git(
            &session,
            &["credential", "fill"],
            &format!("protocol=imaps\nhost={host}\n"),
        );
        assert_eq!(
            filled.stdout,
            format!("protocol=imaps\nhost={host}\nusername=ann@gmail.com\npassword={PASSWORD}\n"),
            "git imap-send asking for host={host} should get the account's password:\n{filled}"
        );
    }
}

#[test]
fn git_approve_through_imaps_updates_the_one_secret_and_reject_keeps_it() {
    let session = configured();
    let approve = git(
        &session,
        &["credential", "approve"],
        "protocol=imaps\nhost=imap.gmail.com\nusername=ann@gmail.com\npassword=proven-by-imap\n",
    );
    assert!(approve.success(), "{approve}");
    let smtp = git(
        &session,
        &["credential", "fill"],
        "protocol=smtp\nhost=smtp.gmail.com:587\n",
    );
    assert!(
        smtp.stdout.contains("password=proven-by-imap\n"),
        "the SMTP endpoint serves the password IMAP just proved: one secret:\n{smtp}"
    );
    let reject = git(
        &session,
        &["credential", "reject"],
        "protocol=imaps\nhost=imap.gmail.com\nusername=ann@gmail.com\npassword=proven-by-imap\n",
    );
    assert!(
        reject
            .stderr
            .contains("kept the password of mail account \"work\""),
        "a rejected IMAP login must not erase a protected account's app password:\n{reject}"
    );
    let got = mailcred(&session, MAILCRED, &["get", "work"], "");
    assert_eq!(got.stdout, "proven-by-imap\n", "{got}");
}

#[test]
fn a_port_less_imap_host_of_two_accounts_gets_nothing_and_one_line_of_reason() {
    let session = KeyringSession::start();
    for (name, port) in [("ann", "993"), ("bob", "1993")] {
        let added = mailcred(
            &session,
            MAILCRED,
            &[
                "add",
                name,
                "--provider",
                "custom",
                "--user",
                "shared",
                "--imap-host",
                "imap.example.org",
                "--imap-port",
                port,
                "--password-stdin",
            ],
            &format!("{name}-pw\n"),
        );
        assert!(added.success(), "{added}");
    }
    let asked = helper(&session, "get", "protocol=imaps\nhost=imap.example.org\n");
    assert_eq!(asked.stdout, "", "no guess between two accounts:\n{asked}");
    assert_eq!(
        asked.stderr.lines().count(),
        1,
        "one line on stderr says why:\n{asked}"
    );
    assert!(
        asked.stderr.contains("ann") && asked.stderr.contains("bob"),
        "the line names both accounts:\n{asked}"
    );
    let exact = helper(
        &session,
        "get",
        "protocol=imaps\nhost=imap.example.org:1993\n",
    );
    assert_eq!(
        exact.stdout, "username=shared\npassword=bob-pw\n",
        "{exact}"
    );
}

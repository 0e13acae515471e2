//! `mailcred send` as the sendmail of real mail tools: git send-email with
//! `sendemail.sendmailCmd`, neomutt with `set sendmail`. Both run it through
//! `sh` with the `mailcred` on PATH, as after an install.

use std::fs;
use std::path::Path;

use super::*;

/// A repository in the session's HOME with one commit; returns its patch.
fn patch(relay: &MailAccount) -> PathBuf {
    require("git", "git");
    let home = relay.session.home();
    let repo = home.join("repo");
    fs::create_dir(&repo).unwrap();
    fs::write(repo.join("README"), "hello\n").unwrap();
    for args in [
        &["init", "-q"][..],
        &["add", "README"],
        &["commit", "-q", "-m", "Add a README"],
        &["format-patch", "-q", "-1", "-o", "../patches"],
    ] {
        let done = run(git(relay, &repo, args), b"");
        assert!(done.success(), "git {args:?}:\n{done}");
    }
    home.join("patches/0001-Add-a-README.patch")
}

fn git(relay: &MailAccount, dir: &Path, args: &[&str]) -> Command {
    let mut git = relay.command("git");
    git.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Alice")
        .env("GIT_AUTHOR_EMAIL", USER)
        .env("GIT_COMMITTER_NAME", "Alice")
        .env("GIT_COMMITTER_EMAIL", USER)
        .args(args);
    git
}

/// `mailcred send`, with the test server's certificate when it has one.
/// (No quotes: neomutt splits `sendmail` at blanks, without a shell.)
fn sendmail_command(relay: &MailAccount) -> String {
    let mut command = String::from("mailcred send");
    for arg in relay.ca_args() {
        assert!(!arg.contains([' ', '"', '\'']), "{arg:?} needs no quoting");
        command += &format!(" {arg}");
    }
    command
}

fn git_send_email_delivers(mode: SmtpMode) {
    let relay = MailAccount::new(mode, PASSWORD);
    let patch = patch(&relay);
    let setting = format!("sendemail.sendmailCmd={}", sendmail_command(&relay));
    let patch = patch.to_str().unwrap();
    let sent = run(
        git(
            &relay,
            &relay.session.home(),
            &[
                "-c",
                &setting,
                "send-email",
                "--confirm=never",
                "--suppress-cc=all",
                "--from",
                "Alice <alice@example.org>",
                "--to",
                RECIPIENT,
                patch,
            ],
        ),
        b"",
    );
    let messages = relay.server.messages();
    assert_eq!(
        messages.len(),
        1,
        "git send-email should hand the patch to mailcred send: {messages:?}\n{sent}"
    );
    assert_eq!(
        (messages[0].mail_from.as_str(), &messages[0].rcpt_tos[..]),
        (USER, &[RECIPIENT.to_owned()][..])
    );
    assert!(
        messages[0].data.contains("Subject: [PATCH] Add a README"),
        "the patch arrives whole: {:?}",
        messages[0].data
    );
    assert_eq!(relay.logins(), [(PASSWORD.to_owned(), true)]);
    assert!(sent.success(), "git send-email should succeed:\n{sent}");
}

#[test]
fn git_send_email_sends_through_mailcred_send_over_starttls() {
    git_send_email_delivers(SmtpMode::StartTls);
}

#[test]
fn git_send_email_sends_through_mailcred_send_over_implicit_tls() {
    git_send_email_delivers(SmtpMode::Tls);
}

#[test]
fn git_send_email_reports_a_refused_recipient_and_nothing_is_sent() {
    let refused = "nobody@example.org";
    let relay = MailAccount::with(SmtpMode::StartTls, &[refused], PASSWORD, &[]);
    let patch = patch(&relay);
    let setting = format!("sendemail.sendmailCmd={}", sendmail_command(&relay));
    let sent = run(
        git(
            &relay,
            &relay.session.home(),
            &[
                "-c",
                &setting,
                "send-email",
                "--confirm=never",
                "--suppress-cc=all",
                "--from",
                USER,
                "--to",
                RECIPIENT,
                "--to",
                refused,
                patch.to_str().unwrap(),
            ],
        ),
        b"",
    );
    assert!(!sent.success(), "git send-email should fail:\n{sent}");
    assert!(
        sent.stderr
            .contains("nobody@example.org (\"550 5.1.1 Recipient rejected\")"),
        "git passes on mailcred's line naming the refused recipient:\n{sent}"
    );
    assert_eq!(relay.server.messages(), [], "no half-sent patch");
    relay.assert_still_holds(PASSWORD, "a 550 erases nothing");
}

const BODY: &str = "\
Hello Bob,

neomutt hands this to `mailcred send` as sendmail.
.
A line holding only a dot stays: `set sendmail` has -oi, as neomutt's
default (/usr/sbin/sendmail -oem -oi) has.
";

#[test]
fn neomutt_sends_through_mailcred_send() {
    require("neomutt", "neomutt");
    let relay = MailAccount::new(SmtpMode::StartTls, PASSWORD);
    let rc = relay.session.home().join("neomuttrc");
    fs::write(
        &rc,
        format!(
            "set from = \"Alice <{USER}>\"\n\
             set sendmail = \"{} -oi\"\n\
             set record = \"\"\n",
            sendmail_command(&relay).replace('"', "\\\"")
        ),
    )
    .unwrap();
    let mut neomutt = relay.command("neomutt");
    neomutt
        .args(["-n", "-F"])
        .arg(&rc)
        .args(["-s", "sent by neomutt", "--", RECIPIENT]);
    let sent = run(neomutt, BODY.as_bytes());

    let messages = relay.server.messages();
    assert_eq!(
        messages.len(),
        1,
        "neomutt should hand the message to mailcred send: {messages:?}\n{sent}"
    );
    assert_eq!(
        (messages[0].mail_from.as_str(), &messages[0].rcpt_tos[..]),
        (USER, &[RECIPIENT.to_owned()][..])
    );
    assert!(
        messages[0].data.contains("Subject: sent by neomutt")
            && messages[0].data.ends_with(&BODY.replace('\n', "\r\n")),
        "the message arrives whole: {:?}",
        messages[0].data
    );
    assert_eq!(relay.logins(), [(PASSWORD.to_owned(), true)]);
    assert!(sent.success(), "neomutt should succeed:\n{sent}");
}

//! git send-email with an OAuth2 account, configured by `mailcred configure
//! git work --local`: through `sendemail.sendmailCmd = mailcred send`, which
//! works with any git and Perl, and with `sendemail.smtpAuth = XOAUTH2` and
//! the token from the credential helper, which needs Perl's Authen::SASL
//! 2.1800 or later. Debian 12 ships 2.1600: there the XOAUTH2 test says
//! NOT RUN and fails, unless `MAILCRED_TEST_SKIP_GIT_XOAUTH2` says why it
//! cannot run (scripts/test sets it only when the installed Authen::SASL is
//! older).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;

/// The environment variable that excuses an Authen::SASL without XOAUTH2.
const SKIP: &str = "MAILCRED_TEST_SKIP_GIT_XOAUTH2";
/// The first Authen::SASL with XOAUTH2 (Authen::SASL::Perl::XOAUTH2).
const SASL_WITH_XOAUTH2: (u32, u32) = (2, 18);

/// A repository with one commit, configured by `mailcred configure git
/// work --local`; returns it and the commit's patch.
fn repository(mail: &OAuthAccount) -> (PathBuf, PathBuf) {
    require("git", "git (2.47, with git send-email)");
    let repo = mail.session.home().join("repo");
    std::fs::create_dir(&repo).unwrap();
    std::fs::write(repo.join("README"), "hello\n").unwrap();
    let in_repo = |args: &[&str]| {
        let mut git = git(mail, &repo);
        git.args(args);
        let done = run(git, b"");
        assert!(done.success(), "git {args:?} should succeed:\n{done}");
    };
    in_repo(&["init", "-q"]);
    in_repo(&["add", "README"]);
    in_repo(&["commit", "-q", "-m", "Add a README"]);
    in_repo(&["format-patch", "-q", "-1", "-o", "../patches"]);
    let mut configure = mail.command(MAILCRED);
    configure
        .args(["configure", "git", ACCOUNT, "--local"])
        .current_dir(&repo);
    let configured = run(configure, b"");
    assert!(
        configured.success() && configured.stdout.contains("Authen::SASL"),
        "configure git should succeed and say what XOAUTH2 needs:\n{configured}"
    );
    let patch = mail.session.home().join("patches/0001-Add-a-README.patch");
    (repo, patch)
}

fn git(mail: &OAuthAccount, repo: &Path) -> Command {
    let mut git = mail.command("git");
    git.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_AUTHOR_NAME", "Alice")
        .env("GIT_AUTHOR_EMAIL", USER)
        .env("GIT_COMMITTER_NAME", "Alice")
        .env("GIT_COMMITTER_EMAIL", USER)
        .current_dir(repo);
    git
}

fn git_config(mail: &OAuthAccount, repo: &Path, args: &[&str]) {
    let mut git = git(mail, repo);
    git.arg("config").args(args);
    let done = run(git, b"");
    assert!(done.success(), "git config {args:?}:\n{done}");
}

fn send_email(mail: &OAuthAccount, repo: &Path, patch: &Path) -> Outcome {
    let mut git = git(mail, repo);
    git.args(["send-email", "--confirm=never", "--suppress-cc=all"])
        .args(["--from", USER, "--to", RECIPIENT])
        .arg(patch);
    run(git, b"")
}

#[test]
fn git_send_email_through_sendmail_cmd_mailcred_send_works_with_any_git() {
    let mail = OAuthAccount::new(Servers::Smtp(SmtpMode::Plain));
    let (repo, patch) = repository(&mail);
    // The snippet's alternative, for a Perl without XOAUTH2.
    git_config(&mail, &repo, &["--unset", "sendemail.smtpAuth"]);
    git_config(&mail, &repo, &["sendemail.sendmailCmd", "mailcred send"]);
    let token = mail.token();
    let sent = send_email(&mail, &repo, &patch);
    mail.assert_delivered(
        "git send-email (sendmailCmd)",
        &sent,
        "Subject: [PATCH] Add a README",
    );
    assert_eq!(
        mail.smtp_logins(),
        [(token, true)],
        "mailcred send's XOAUTH2"
    );
}

/// The installed Authen::SASL's version, as (major, minor): `2.16` is
/// (2, 16), `2.1800` is (2, 18).
fn authen_sasl() -> Option<(u32, u32)> {
    let out = Command::new("perl")
        .args(["-MAuthen::SASL", "-e", "print $Authen::SASL::VERSION"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let (major, minor) = text.trim().split_once('.')?;
    let minor: String = minor.chars().take(2).collect();
    Some((major.parse().ok()?, minor.parse().ok()?))
}

#[test]
fn git_send_email_with_smtp_auth_xoauth2_gets_the_token_from_the_credential_helper() {
    let version = authen_sasl();
    if version.is_none_or(|v| v < SASL_WITH_XOAUTH2) {
        eprintln!(
            "\n!!! NOT RUN: git_send_email_with_smtp_auth_xoauth2_gets_the_token_from_the_\
             credential_helper: Perl's Authen::SASL is {version:?}, and XOAUTH2 needs 2.1800 or \
             later (Debian 12 ships 2.1600); sendmailCmd = mailcred send was tested instead\n"
        );
        match std::env::var(SKIP) {
            Ok(why) if !why.trim().is_empty() => {
                eprintln!("NOT RUN, excused by {SKIP}: {why}");
                return;
            }
            _ => panic!(
                "Authen::SASL has no XOAUTH2, so git send-email's smtpAuth = XOAUTH2 was not \
                 run: install Authen::SASL 2.1800 or later, or set {SKIP} to the reason it \
                 cannot run here"
            ),
        }
    }
    let mail = OAuthAccount::new(Servers::Smtp(SmtpMode::Plain));
    let (repo, patch) = repository(&mail);
    let token = mail.token();
    let sent = send_email(&mail, &repo, &patch);
    mail.assert_delivered(
        "git send-email (smtpAuth = XOAUTH2)",
        &sent,
        "Subject: [PATCH] Add a README",
    );
    assert_eq!(mail.smtp_logins(), [(token.clone(), true)]);
    assert_eq!(
        mail.token(),
        token,
        "git's store after the send changed nothing: the helper ignores it for OAuth2"
    );
}

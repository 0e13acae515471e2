//! git send-email with the settings `mailcred configure git work --local`
//! writes into a repository: the password comes from mailcred through
//! `credential.helper=mailcred`, never from `--smtp-pass`.
//!
//! git send-email erases the password when AUTH fails, whatever the reason
//! (a tenant with SMTP AUTH turned off answers 535 too). An account made
//! with `mailcred add` keeps it (an app password is shown once); one made
//! with `--allow-erase` loses it. git's own exit status says little (it can
//! exit 0 without sending), so the tests check the server.

use std::path::Path;

use super::*;

/// A repository holding one commit, configured for the account by
/// `mailcred configure git work --local` (and, for TLS, told to trust the
/// test certificate); returns it and the commit's patch.
fn repository(mail: &MailAccount) -> (PathBuf, PathBuf) {
    require("git", "git (2.47, with git send-email)");
    let repo = mail.session.home().join("repo");
    fs::create_dir(&repo).expect("cannot create the test repository");
    fs::write(repo.join("README"), "hello\n").expect("cannot write a file to commit");
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
        configured.success(),
        "mailcred configure git --local should succeed:\n{configured}"
    );
    if mail.server.mode().uses_tls() {
        let ca = mail.server.ca_file();
        in_repo(&["config", "sendemail.smtpSSLCertPath", ca.to_str().unwrap()]);
    }
    let patch = mail.session.home().join("patches/0001-Add-a-README.patch");
    (repo, patch)
}

/// git in `repo`, with neither a system config nor a terminal to prompt on.
fn git(mail: &MailAccount, repo: &Path) -> Command {
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

/// `git send-email` of the patch to bob@example.org, as configured.
fn send_email(mail: &MailAccount) -> Outcome {
    let (repo, patch) = repository(mail);
    let mut git = git(mail, &repo);
    git.args(["send-email", "--confirm=never", "--suppress-cc=all"])
        .args(["--from", USER, "--to", RECIPIENT])
        .arg(patch);
    run(git, b"")
}

/// The line mailcred writes when it keeps a protected password git asked
/// to erase.
const KEPT: &str = "mailcred: kept the password of mail account \"work\"";

#[test]
fn delivers_with_encryption_none_and_the_password_from_mailcred() {
    let mail = MailAccount::new(SmtpMode::Plain, PASSWORD);
    let sent = send_email(&mail);
    mail.assert_delivered("git send-email", &sent, "Subject: [PATCH] Add a README");
}

#[test]
fn delivers_with_encryption_tls_and_the_password_from_mailcred() {
    let mail = MailAccount::new(SmtpMode::StartTls, PASSWORD);
    let sent = send_email(&mail);
    mail.assert_delivered("git send-email", &sent, "Subject: [PATCH] Add a README");
    mail.assert_still_holds(PASSWORD, "git stores the password again after a good send");
}

#[test]
fn without_smtp_server_port_git_credential_fill_finds_the_account() {
    let mail = MailAccount::new(SmtpMode::StartTls, PASSWORD);
    let (repo, _) = repository(&mail);
    // git send-email without sendemail.smtpServerPort asks for the host
    // alone. It could not reach a server off port 25 that way, so ask as
    // it would, through the helper `configure git` set up.
    let mut fill = git(&mail, &repo);
    fill.args(["credential", "fill"]);
    let filled = run(
        fill,
        format!("protocol=smtp\nhost=127.0.0.1\nusername={USER}\n").as_bytes(),
    );
    assert_eq!(
        (filled.code, filled.stdout.as_str()),
        (
            Some(0),
            format!("protocol=smtp\nhost=127.0.0.1\nusername={USER}\npassword={PASSWORD}\n")
                .as_str()
        ),
        "a request without a port should reach mailcred through the configured helper \
         and find the account on that host:\n{filled}"
    );
}

#[test]
fn a_wrong_password_is_refused_and_a_protected_account_keeps_it() {
    let mail = MailAccount::new(SmtpMode::StartTls, WRONG_PASSWORD);
    let sent = send_email(&mail);
    mail.assert_refused("git send-email", &sent);
    assert!(
        sent.stderr.contains(KEPT),
        "git's erase after the 535 should reach mailcred, which says it kept the password:\n{sent}"
    );
    mail.assert_still_holds(
        WRONG_PASSWORD,
        "an account made with `mailcred add` is protected",
    );
}

#[test]
fn a_wrong_password_is_refused_and_erased_with_allow_erase() {
    let mail = MailAccount::with(SmtpMode::StartTls, &[], WRONG_PASSWORD, &["--allow-erase"]);
    let sent = send_email(&mail);
    mail.assert_refused("git send-email", &sent);
    assert!(
        !sent.stderr.contains(KEPT),
        "with --allow-erase nothing is kept:\n{sent}"
    );
    let got = mail.stored_password();
    assert_fails_cleanly(&got, NO_PASSWORD, "work");
}

#[test]
fn a_refused_recipient_leaves_the_password_of_a_protected_account() {
    let mail = MailAccount::with(SmtpMode::StartTls, &[RECIPIENT], PASSWORD, &[]);
    let sent = send_email(&mail);
    let auths = mail.server.auths();
    assert!(
        auths.len() == 1 && auths[0].ok,
        "the AUTH itself should succeed: {auths:?}\n{sent}"
    );
    assert_eq!(
        mail.server.messages(),
        [],
        "nothing may be delivered to a refused recipient:\n{sent}"
    );
    assert!(
        !sent.success() && sent.stderr.contains("Recipient rejected"),
        "git send-email should fail and report the 550:\n{sent}"
    );
    // git 2.47 erases only when AUTH itself fails (for any reason: see the
    // TODO in smtp_auth_maybe); after a good AUTH it has approved the
    // password, so a later 550 must leave it in place either way.
    mail.assert_still_holds(PASSWORD, "a 550 says nothing about the password");
}

#[test]
fn a_port_less_store_updates_the_account_and_remove_leaves_git_nothing_to_serve() {
    let mail = MailAccount::new(SmtpMode::StartTls, PASSWORD);
    let (repo, _) = repository(&mail);
    // What git send-email without smtpServerPort does after a good AUTH.
    let mut approve = git(&mail, &repo);
    approve.args(["credential", "approve"]);
    let approved = run(
        approve,
        format!("protocol=smtp\nhost=127.0.0.1\nusername={USER}\npassword={PASSWORD}\n").as_bytes(),
    );
    assert!(approved.success(), "git credential approve:\n{approved}");

    let removed = mail.mailcred(&["remove", ACCOUNT, "--yes"], "");
    assert!(removed.success(), "mailcred remove:\n{removed}");

    let mut fill = git(&mail, &repo);
    fill.args(["credential", "fill"]);
    let filled = run(
        fill,
        format!("protocol=smtp\nhost=127.0.0.1\nusername={USER}\n").as_bytes(),
    );
    assert!(
        !filled.stdout.contains(PASSWORD),
        "after `mailcred remove`, git must not be served the account's password from a \
         port-less copy it stored:\n{filled}"
    );
    let mut search = mail.command("secret-tool");
    search.args(["search", "--all", "service", "mailcred"]);
    let items = run(search, b"");
    assert!(
        !items.stdout.contains("mailcred") && !items.stderr.contains("secret ="),
        "no mailcred item may be left in the keyring after remove:\n{items}"
    );
}

/// Every `(key, value)` git reads from `git config ARGS --list -z`, keys
/// as git spells them (sections and names lowercased).
fn git_config_list(hand: &HandEdited, dir: &Path, args: &[&str]) -> Vec<(String, String)> {
    require("git", "git");
    let mut git = command_in(&hand.session, "git");
    git.env("GIT_CONFIG_NOSYSTEM", "1")
        .current_dir(dir)
        .arg("config")
        .args(args)
        .args(["--list", "-z"]);
    let listed = run(git, b"");
    assert!(listed.success(), "git should read the settings:\n{listed}");
    listed
        .stdout
        .split_terminator('\0')
        .map(|entry| {
            let (key, value) = entry.split_once('\n').unwrap_or((entry, ""));
            (key.to_owned(), value.to_owned())
        })
        .collect()
}

/// The settings of `work` at smtp.example.org:587 logging in as `login`,
/// as git lists them.
fn settings_for(login: &str) -> Vec<(String, String)> {
    let with_port = "credential.smtp://smtp.example.org:587.helper";
    let without = "credential.smtp://smtp.example.org.helper";
    [
        ("sendemail.smtpserver", "smtp.example.org"),
        ("sendemail.smtpserverport", "587"),
        ("sendemail.smtpencryption", "tls"),
        ("sendemail.smtpuser", login),
        (with_port, ""),
        (with_port, "mailcred"),
        (without, ""),
        (without, "mailcred"),
    ]
    .map(|(key, value)| (key.to_owned(), value.to_owned()))
    .to_vec()
}

/// A new repository in HOME, and what `mailcred configure git work
/// --local` said there.
fn configure_local(hand: &HandEdited) -> (PathBuf, Outcome) {
    let repo = hand.session.home().join("repo");
    fs::create_dir(&repo).expect("cannot create the test repository");
    let mut init = command_in(&hand.session, "git");
    init.args(["init", "-q"]).current_dir(&repo);
    let initialised = run(init, b"");
    assert!(
        initialised.success(),
        "git init should succeed:\n{initialised}"
    );
    let mut configure = command_in(&hand.session, MAILCRED);
    configure
        .args(["configure", "git", ACCOUNT, "--local"])
        .current_dir(&repo);
    let configured = run(configure, b"");
    (repo, configured)
}

/// The repository's own `sendemail.*` and `credential.*` settings.
fn mail_settings(hand: &HandEdited, repo: &Path) -> Vec<(String, String)> {
    git_config_list(hand, repo, &["--local"])
        .into_iter()
        .filter(|(key, _)| key.starts_with("sendemail.") || key.starts_with("credential."))
        .collect()
}

#[test]
fn logins_with_quotes_backslashes_and_comment_characters_reach_git_whole() {
    for login in [HOSTILE_LOGIN, r"CORP\ann", "ann ;#x@example.org"] {
        let hand = HandEdited::login(login);
        let snippet = write_private(&hand.session, "snippet.gitconfig", &hand.snippet("git"));
        let from_snippet = git_config_list(
            &hand,
            &hand.session.home(),
            &["-f", snippet.to_str().expect("a UTF-8 path")],
        );
        assert_eq!(
            from_snippet,
            settings_for(login),
            "git should read from `mailcred config git` the login {login:?} exactly, and no \
             other key"
        );

        let (repo, configured) = configure_local(&hand);
        assert!(
            configured.success(),
            "configure git should succeed:\n{configured}"
        );
        assert_eq!(
            mail_settings(&hand, &repo),
            settings_for(login),
            "`mailcred configure git` should write the login {login:?} exactly, and no other key"
        );
    }
}

#[test]
fn a_hostile_server_name_gets_no_git_snippet_and_configure_git_writes_nothing() {
    let host = "smtp.example.org\"]\n[core]\n\tpager = touch PWNED";
    let hand = HandEdited::new(|a| smtp_of(a).host = host.into());
    assert_no_snippet(
        &hand.config("git"),
        "a server name that is no DNS name would break the credential section",
    );
    let (repo, configured) = configure_local(&hand);
    assert_no_snippet(
        &configured,
        "configure git must refuse the same server name",
    );
    assert_eq!(
        mail_settings(&hand, &repo),
        [],
        "a refused configure git must leave the repository's settings alone"
    );
}

//! msmtp: the `password` lines of a configuration with `defaults`,
//! inheritance (`account gmail-lists : gmail`, `account default : gmail`)
//! and an account that already asks a program; and a password in
//! `defaults` that accounts of two servers inherit.

use mailcred::accounts::{Protocol, Provider, Security};

use super::{Home, assert_line};

#[test]
fn the_dry_run_names_each_line_its_server_and_account_and_changes_nothing() {
    let home = Home::new();
    home.put(".msmtprc", "msmtprc");
    let before = home.snapshot();

    let report = home.dry_run();

    assert_line(
        &report,
        &[
            "~/.msmtprc:20:",
            "msmtp account \"gmail\"",
            "\"gmail-lists\"",
            "\"default\"",
        ],
        "one block for the line three accounts share",
    );
    assert_line(
        &report,
        &["ann@gmail.com on smtp://smtp.gmail.com:587 (starttls)"],
        "the server with the port of `defaults`",
    );
    assert_line(
        &report,
        &["would be stored: new account \"gmail\" (gmail)"],
        "the preset is recognised",
    );
    assert_line(
        &report,
        &["would change: line 20 becomes: passwordeval \"mailcred get gmail\""],
        "the new line is shown",
    );
    assert_line(
        &report,
        &["~/.msmtprc:34:", "msmtp account \"work\""],
        "the second password",
    );
    assert_line(
        &report,
        &["ann on smtp://mail.example.org:465 (tls)"],
        "tls_starttls off is TLS from the first byte",
    );
    assert_line(
        &report,
        &["Dry run: nothing was stored or changed"],
        "a dry run says so",
    );
    assert!(
        !report.contains("isp"),
        "an account asking gpg is no plaintext password:\n{report}"
    );
    assert_eq!(home.snapshot(), before, "a dry run changes no file");
    home.s.assert_nothing_stored("a dry run stores nothing");
}

#[test]
fn apply_stores_each_password_once_and_rewrites_only_the_password_lines() {
    let home = Home::new();
    home.put(".msmtprc", "msmtprc");

    home.apply();

    home.assert_file(
        ".msmtprc",
        "msmtprc.after",
        "each password line asks mailcred",
    );
    assert_eq!(
        home.s.account_names(),
        ["gmail", "work"],
        "one account per server and login"
    );
    assert_eq!(
        home.get("gmail"),
        "abcd efgh ijkl mnop\n",
        "the quotes are msmtp's, not the password's"
    );
    assert_eq!(home.get("work"), "s3cr3t\n");
    let gmail = home.account("gmail");
    assert_eq!(
        gmail.provider,
        Provider::Gmail,
        "smtp.gmail.com is the gmail preset"
    );
    assert!(
        gmail.imap.is_some(),
        "the preset's IMAP server comes with it, as with `mailcred add`"
    );
    let work = home.account("work");
    let smtp = work.smtp.as_ref().expect("an SMTP endpoint");
    assert_eq!(
        (
            work.provider,
            smtp.host.as_str(),
            smtp.port,
            smtp.security,
            work.user.as_str()
        ),
        (
            Provider::Custom,
            "mail.example.org",
            465,
            Security::Tls,
            "ann"
        ),
        "the endpoint msmtp uses"
    );
    assert_eq!(
        work.endpoint(Protocol::Imap),
        None,
        "no reader was found for work"
    );
}

#[test]
fn a_password_in_defaults_that_two_servers_inherit_moves_into_each_account() {
    let home = Home::new();
    home.put(".msmtprc", "msmtprc-shared");

    let report = home.apply();

    home.assert_file(
        ".msmtprc",
        "msmtprc-shared.after",
        "the shared line goes, and each account asks for its own account",
    );
    assert_eq!(
        home.s.account_names(),
        ["outgoing", "relay"],
        "two servers, two accounts:\n{report}"
    );
    assert_eq!(home.get("outgoing"), "s3cr3t\n");
    assert_eq!(home.get("relay"), "s3cr3t\n");
}

#[test]
fn an_eval_line_leaves_the_whole_file_alone_and_named() {
    let home = Home::new();
    let text =
        "account work\nhost smtp.example.org\nuser ann\npassword s3cr3t\neval echo port 587\n";
    home.write(".msmtprc", text);

    let report = home.apply();

    assert_line(
        &report,
        &["Left alone:"],
        "the section of files not understood",
    );
    assert_line(
        &report,
        &[
            "~/.msmtprc:5:",
            "eval",
            "not guessed",
            "nothing in it is imported",
        ],
        "the line and why",
    );
    assert_eq!(
        home.read(".msmtprc"),
        text,
        "a file not understood is not touched"
    );
    home.s
        .assert_nothing_stored("nothing of a file not understood is stored");
}

#[test]
fn an_account_inheriting_from_one_defined_later_is_refused_as_msmtp_refuses_it() {
    let home = Home::new();
    let text = "account a : b\nhost smtp.example.org\nuser ann\npassword s3cr3t\n\naccount b\nhost x.example.org\n";
    home.write(".msmtprc", text);

    let report = home.apply();

    assert_line(
        &report,
        &[
            "~/.msmtprc:1:",
            "inherits from \"b\", which is not defined before it",
        ],
        "msmtp's own rule",
    );
    assert_eq!(home.read(".msmtprc"), text);
}

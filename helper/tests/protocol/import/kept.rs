//! netrc, authinfo and fetchmail: the programs reading them cannot ask
//! another for a password, so their mail secrets are stored and the files
//! left as they are, with the reason; other servers' entries and `default`
//! are not imported.

use mailcred::accounts::{Protocol, Security};

use super::{Home, assert_line};

#[test]
fn a_netrc_mail_entry_is_stored_and_the_file_kept_with_the_reason() {
    let home = Home::new();
    home.put(".netrc", "netrc");

    let report = home.apply();

    assert_eq!(
        home.read(".netrc"),
        super::fixture("netrc"),
        "netrc stays as it is"
    );
    assert_line(
        &report,
        &["~/.netrc:4: netrc machine smtp.example.org"],
        "the line of the password",
    );
    assert_line(
        &report,
        &["the file stays as it is", "cannot ask a program"],
        "and why it stays",
    );
    assert_line(
        &report,
        &["a `default` entry, for any server: not imported"],
        "default is reported, not guessed",
    );
    assert_line(
        &report,
        &["1 entry for servers that are not mail servers: left alone"],
        "github.com is not a mail server",
    );
    assert_eq!(home.s.account_names(), ["ann@example.org"]);
    let smtp = home
        .account("ann@example.org")
        .smtp
        .expect("smtp.example.org is an SMTP server by its name");
    assert_eq!(
        (smtp.port, smtp.security),
        (587, Security::Starttls),
        "the usual port, as no port is named"
    );
}

#[test]
fn authinfo_ports_name_the_protocol_and_quotes_are_undone() {
    let home = Home::new();
    home.put(".authinfo", "authinfo");

    home.apply();

    let account = home.account("ann@example.org");
    assert_eq!(account.smtp.as_ref().map(|e| e.port), Some(587));
    assert_eq!(
        account
            .endpoint(Protocol::Imap)
            .map(|e| (e.port, e.security)),
        Some((993, Security::Tls)),
        "port imaps"
    );
    assert_eq!(home.get("ann@example.org"), "s3cr3t\n");
}

#[test]
fn fetchmail_secrets_are_stored_with_the_remote_login_and_the_file_kept() {
    let home = Home::new();
    home.put(".fetchmailrc", "fetchmailrc");

    let report = home.apply();

    assert_eq!(home.read(".fetchmailrc"), super::fixture("fetchmailrc"));
    assert_line(
        &report,
        &["fetchmail cannot ask a program for a password"],
        "the reason it stays",
    );
    let pop = home.account("ann@example.org").pop.expect("protocol pop3");
    assert_eq!(
        (pop.host.as_str(), pop.port, pop.security),
        ("pop.example.org", 995, Security::Tls),
        "options ssl"
    );
}

#[test]
fn an_msmtp_account_reading_its_password_from_netrc_asks_mailcred_instead() {
    let home = Home::new();
    home.put(".netrc", "netrc");
    let rc =
        "account work\nhost smtp.example.org\nport 587\ntls on\nauth on\nuser ann@example.org\n";
    home.write(".msmtprc", rc);

    let report = home.apply();

    assert_line(
        &report,
        &["~/.msmtprc:1: msmtp account \"work\", from ~/.netrc"],
        "the account netrc served",
    );
    assert_eq!(
        home.read(".msmtprc"),
        rc.replace(
            "account work\n",
            "account work\npasswordeval \"mailcred get work\"\n"
        ),
        "msmtp asks mailcred now, so the netrc line can go"
    );
    assert_eq!(
        home.read(".netrc"),
        super::fixture("netrc"),
        "netrc itself stays"
    );
    assert_eq!(
        home.s.account_names(),
        ["work"],
        "one account for both:\n{report}"
    );
}

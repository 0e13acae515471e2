//! The reading programs' files: mbsync's `Pass`, neomutt's `*_pass` and
//! URL passwords, aerc's URLs, OfflineIMAP's `remotepass`, getmail's
//! `password`; and a reader's secret joining the sender's account when
//! login and password are the same.

use mailcred::accounts::{Protocol, Security};

use super::{Home, assert_line};

#[test]
fn mbsync_pass_becomes_passcmd_and_joins_msmtps_account_of_the_same_password() {
    let home = Home::new();
    home.put(".msmtprc", "msmtprc");
    home.put(".mbsyncrc", "mbsyncrc");

    home.apply();

    home.assert_file(".mbsyncrc", "mbsyncrc.after", "Pass becomes PassCmd");
    home.assert_file(".msmtprc", "msmtprc.after", "msmtp's lines too");
    assert_eq!(
        home.s.account_names(),
        ["gmail", "work"],
        "the IMAP and SMTP secrets of one login and password are one account"
    );
    let work = home.account("work");
    let imap = work.imap.as_ref().expect("work reads over IMAP now");
    assert_eq!(
        (imap.host.as_str(), imap.port, imap.security),
        ("imap.example.org", 993, Security::Tls)
    );
    assert!(work.smtp.is_some(), "and still sends");
}

#[test]
fn neomutt_pass_and_url_passwords_ask_mailcred_through_backticks() {
    let home = Home::new();
    home.put(".neomuttrc", "neomuttrc");

    let report = home.apply();

    home.assert_file(
        ".neomuttrc",
        "neomuttrc.after",
        "backticks instead of passwords",
    );
    assert_eq!(
        home.s.account_names(),
        ["ann@example.org"],
        "one login and password: one account, named after the login"
    );
    let account = home.account("ann@example.org");
    assert_eq!(
        account
            .smtp
            .as_ref()
            .map(|e| (e.host.as_str(), e.port, e.security)),
        Some(("smtp.example.org", 465, Security::Tls))
    );
    assert_eq!(
        account.imap.as_ref().map(|e| (e.host.as_str(), e.port)),
        Some(("imap.example.org", 993))
    );
    assert_line(
        &report,
        &[
            "~/.neomuttrc:15:",
            "sources ~/.config/neomutt/colors: not followed",
        ],
        "a sourced file is named",
    );
}

#[test]
fn a_password_inside_a_hook_is_not_guessed_and_leaves_the_file_alone() {
    let home = Home::new();
    let text = "set folder = imaps://ann@imap.example.org/\naccount-hook imaps://ann@imap.example.org 'set imap_pass = s3cr3t'\n";
    home.write(".muttrc", text);

    let report = home.apply();

    assert_line(
        &report,
        &[
            "~/.muttrc:2:",
            "a password inside `account-hook`",
            "not guessed",
        ],
        "the hook is named",
    );
    assert_eq!(home.read(".muttrc"), text);
    home.s
        .assert_nothing_stored("a hook's password is not guessed at");
}

#[test]
fn a_password_from_a_command_or_a_variable_is_no_plaintext_password() {
    let home = Home::new();
    let text = "set smtp_url = smtp://ann@smtp.example.org:587/\nset smtp_pass = \"`pass show mail`\"\nset imap_pass = $my_pass\n";
    home.write(".neomuttrc", text);

    assert_line(
        &home.dry_run(),
        &["No mail password found outside mailcred."],
        "backticks and $variables are not passwords",
    );
}

#[test]
fn aerc_urls_lose_their_password_and_gain_cred_cmds() {
    let home = Home::new();
    home.put(".config/aerc/accounts.conf", "aerc-accounts.conf");

    home.apply();

    home.assert_file(
        ".config/aerc/accounts.conf",
        "aerc-accounts.conf.after",
        "the -cred-cmd lines follow the URLs",
    );
    let work = home.account("Work");
    assert_eq!(work.user, "ann@example.org", "the login is percent-decoded");
    assert_eq!(
        work.smtp.as_ref().map(|e| (e.port, e.security)),
        Some((465, Security::Tls)),
        "smtps+plain is TLS"
    );
    assert_eq!(home.get("Work"), "s3cr3t\n");
}

#[test]
fn offlineimap_remotepass_becomes_remotepasseval_with_its_percent_undone() {
    let home = Home::new();
    home.put(".offlineimaprc", "offlineimaprc");

    home.apply();

    home.assert_file(
        ".offlineimaprc",
        "offlineimaprc.after",
        "remotepasseval as `mailcred config offlineimap` writes it",
    );
    assert_eq!(
        home.s.account_names(),
        ["Work"],
        "named after the [Account] of the repository"
    );
    assert_eq!(home.get("Work"), "s3cr%3t\n", "configparser's %% is one %");
    assert_eq!(
        home.account("Work")
            .endpoint(Protocol::Imap)
            .map(|e| e.port),
        Some(993)
    );
}

#[test]
fn getmail_password_becomes_password_command() {
    let home = Home::new();
    home.put(".config/getmail/getmailrc", "getmailrc");

    home.apply();

    home.assert_file(
        ".config/getmail/getmailrc",
        "getmailrc.after",
        "password_command runs mailcred without a shell",
    );
    let account = home.account("ann@example.org");
    assert_eq!(
        account
            .pop
            .as_ref()
            .map(|e| (e.host.as_str(), e.port, e.security)),
        Some(("pop.example.org", 995, Security::Tls))
    );
}

#[test]
fn an_mbsync_store_with_its_own_account_settings_and_tlstype_is_read_too() {
    let home = Home::new();
    let rc = "# isync 1.5\nIMAPStore work-remote\nHost imap.example.org\nUser ann\nPass \"s3cr\\\"3t\"\nTLSType IMAPS\n";
    home.write(".mbsyncrc", rc);

    home.apply();

    assert_eq!(
        home.get("work-remote"),
        "s3cr\"3t\n",
        "the backslash escape is mbsync's"
    );
    assert_eq!(
        home.read(".mbsyncrc"),
        rc.replace(
            "Pass \"s3cr\\\"3t\"",
            "PassCmd \"mailcred get work-remote\""
        )
    );
    assert_eq!(
        home.account("work-remote")
            .imap
            .map(|e| (e.port, e.security)),
        Some((993, Security::Tls))
    );
}

#[test]
fn several_imap_logins_in_one_muttrc_without_hooks_are_not_guessed() {
    let home = Home::new();
    let text = "set folder = imaps://ann:s3cr3t@imap.example.org/\nset spoolfile = imaps://bob:other-password@imap.example.net/\n";
    home.write(".muttrc", text);

    let report = home.apply();

    assert_line(
        &report,
        &["several IMAP logins share one imap_pass here (no account hooks): not guessed"],
        "named",
    );
    assert_eq!(home.read(".muttrc"), text);
}

#[test]
fn the_report_shows_a_url_line_without_its_password_not_as_deleted() {
    let home = Home::new();
    home.put(".config/aerc/accounts.conf", "aerc-accounts.conf");

    let report = home.dry_run();

    assert_line(
        &report,
        &[
            "would change: line 4 becomes: outgoing      = smtps+plain://ann%40example.org@smtp.example.org:465",
        ],
        "the line as it will be",
    );
    assert!(!report.contains("deleted"), "no line is deleted:\n{report}");
}

#[test]
fn file_reads_a_sourced_file_in_the_format_named_and_only_it() {
    use mailcred::commands::import::Format;
    let home = Home::new();
    home.put(".msmtprc", "msmtprc");
    home.write(
        ".config/neomutt/work",
        "set smtp_url = smtp://ann@smtp.example.org:587/\nset smtp_pass = 's3cr3t'\n",
    );

    let report = home
        .run(true, |o| {
            o.files = vec![(Format::Mutt, home.path().join(".config/neomutt/work"))]
        })
        .ok("--file neomutt:~/.config/neomutt/work");

    assert_eq!(
        home.read(".config/neomutt/work"),
        "set smtp_url = smtp://ann@smtp.example.org:587/\nset smtp_pass = \"`mailcred get ann`\"\n",
        "the single quotes give way to mailcred's backticks:\n{report}"
    );
    assert_eq!(
        home.read(".msmtprc"),
        super::fixture("msmtprc"),
        "the usual places are not read"
    );
}

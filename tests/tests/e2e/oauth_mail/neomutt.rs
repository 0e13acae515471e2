//! neomutt with an OAuth2 account, configured with `mailcred config neomutt
//! work`: `smtp_authenticators`/`imap_authenticators = 'xoauth2'` and the
//! token from `smtp_oauth_refresh_command`/`imap_oauth_refresh_command`.
//! Both real neomutts: Debian 12's (20220429) and the newer one
//! (`MAILCRED_TEST_NEW_NEOMUTT`, bookworm-backports), sending in batch mode
//! and opening the IMAP inbox on a terminal.

use crate::mail::neomutt::Neomutt;

use super::*;

const SUBJECT: &str = "sent by neomutt with xoauth2";

/// The snippet, checked for its OAuth2 form, and what the tests need: the
/// servers' certificates to trust, no copy of the sent message.
fn neomuttrc(mail: &OAuthAccount) -> String {
    let snippet = mail.snippet("neomutt");
    for line in [
        "set smtp_authenticators = 'xoauth2'",
        "set smtp_oauth_refresh_command = 'mailcred get work'",
    ] {
        assert!(snippet.lines().any(|l| l == line), "{line} in:\n{snippet}");
    }
    let mut certificates = String::new();
    if let Some(smtp) = &mail.smtp
        && smtp.mode().uses_tls()
    {
        certificates += &std::fs::read_to_string(smtp.ca_file()).unwrap();
    }
    if let Some(dovecot) = &mail.dovecot {
        certificates += &std::fs::read_to_string(dovecot.ca_file()).unwrap();
    }
    let mut rc = snippet + "set record = \"\"\nset quit = yes\n";
    if !certificates.is_empty() {
        let file = mail.write("certificates.pem", &certificates);
        rc += &format!("set ssl_ca_certificates_file = \"{}\"\n", file.display());
    }
    rc
}

fn send(mail: &OAuthAccount, which: Neomutt) -> Outcome {
    let rc = mail.write("neomuttrc", &neomuttrc(mail));
    let mut neomutt = mail.command(&which.program().to_string_lossy());
    neomutt
        .args(["-n", "-F"])
        .arg(rc)
        .args(["-s", SUBJECT, "--", RECIPIENT]);
    run(neomutt, b"Hello Bob, with a token.\n")
}

fn sends_with_xoauth2(which: Neomutt) {
    let mail = OAuthAccount::new(Servers::Smtp(SmtpMode::StartTls));
    let token = mail.token();
    let sent = send(&mail, which);
    mail.assert_delivered(
        &format!("{which:?} neomutt"),
        &sent,
        &format!("Subject: {SUBJECT}"),
    );
    assert_eq!(
        mail.smtp_logins(),
        [(token, true)],
        "XOAUTH2 with the whole token (Entra-sized, 1,500 characters) from mailcred get"
    );
}

#[test]
fn debian_12_neomutt_sends_with_xoauth2_and_the_token_from_mailcred() {
    sends_with_xoauth2(Neomutt::System);
}

#[test]
fn a_newer_neomutt_sends_with_xoauth2_and_the_token_from_mailcred() {
    sends_with_xoauth2(Neomutt::WithAccountCommand);
}

/// `which` neomutt on a terminal (util-linux `script`), opening the IMAP
/// inbox and quitting at once.
fn open_inbox(mail: &OAuthAccount, which: Neomutt) -> Outcome {
    require("script", "util-linux (script)");
    let rc = mail.write("neomuttrc", &neomuttrc(mail));
    let line = format!(
        "stty rows 24 cols 80; '{}' -n -F '{}' -e 'push <quit>'",
        which.program().display(),
        rc.display()
    );
    let mut script = mail.command("script");
    script
        .args(["-qec", &line, "/dev/null"])
        .env("TERM", "xterm");
    run(script, b"")
}

fn reads_imap_with_xoauth2(which: Neomutt) {
    let mail = OAuthAccount::new(Servers::SmtpAndImap(SmtpMode::Plain));
    let rc = neomuttrc(&mail);
    assert!(
        rc.contains("set imap_authenticators = 'xoauth2'")
            && rc.contains("set imap_oauth_refresh_command = 'mailcred get work'"),
        "{rc}"
    );
    let opened = open_inbox(&mail, which);
    assert_eq!(
        mail.imap_logins(),
        [true],
        "{which:?} neomutt should log in to Dovecot once with XOAUTH2:\n{opened}\n{}",
        mail.dovecot().log()
    );
    assert!(
        opened.success(),
        "neomutt should open the inbox and quit:\n{opened}"
    );
}

#[test]
fn debian_12_neomutt_reads_imap_with_xoauth2() {
    reads_imap_with_xoauth2(Neomutt::System);
}

#[test]
fn a_newer_neomutt_reads_imap_with_xoauth2() {
    reads_imap_with_xoauth2(Neomutt::WithAccountCommand);
}

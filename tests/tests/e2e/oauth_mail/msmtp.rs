//! msmtp with `auth xoauth2` and `passwordeval "mailcred get work"`, the
//! block `mailcred config msmtp work` prints for an OAuth2 account.

use super::*;

/// `mailcred config msmtp work`, and the server's certificate to trust.
fn msmtprc(mail: &OAuthAccount) -> String {
    let mut rc = mail.snippet("msmtp");
    assert!(
        rc.contains("\nauth xoauth2\n") && rc.contains("\npasswordeval \"mailcred get work\"\n"),
        "the OAuth2 msmtp snippet names XOAUTH2 and asks mailcred get:\n{rc}"
    );
    if mail.smtp().mode().uses_tls() {
        rc.push_str(&format!(
            "tls_trust_file {}\n",
            mail.smtp().ca_file().display()
        ));
    }
    rc
}

fn send(mail: &OAuthAccount, subject: &str) -> Outcome {
    require("msmtp", "msmtp");
    let rc = mail.write("msmtprc", &msmtprc(mail));
    std::fs::set_permissions(&rc, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let mut msmtp = mail.command("msmtp");
    msmtp.arg("-C").arg(rc).args(["-a", ACCOUNT, RECIPIENT]);
    run(msmtp, message(subject).as_bytes())
}

#[test]
fn msmtp_sends_with_xoauth2_and_the_token_from_mailcred_get() {
    let mail = OAuthAccount::new(Servers::Smtp(SmtpMode::StartTls));
    let token = mail.token();
    let sent = send(&mail, "msmtp xoauth2");
    mail.assert_delivered("msmtp", &sent, "Subject: msmtp xoauth2");
    assert_eq!(
        mail.smtp_logins(),
        [(token, true)],
        "one XOAUTH2 login with the cached token: no refresh was needed"
    );
}

#[test]
fn msmtp_gets_a_refreshed_token_when_the_cached_one_is_about_to_expire() {
    let mail = OAuthAccount::short_lived(Servers::Smtp(SmtpMode::Plain));
    let before = mail.refreshes();
    let sent = send(&mail, "refreshed");
    mail.assert_delivered("msmtp", &sent, "Subject: refreshed");
    assert_eq!(
        mail.refreshes(),
        before + 1,
        "a token with a minute left is refreshed once, before msmtp gets it"
    );
}

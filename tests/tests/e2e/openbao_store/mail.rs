//! Mail sent with the password kept in OpenBao: msmtp through
//! `passwordeval "mailcred get work"` (the block `mailcred config msmtp`
//! prints) and `mailcred send`, whose companion reads the account through
//! `mailcred` since no local account file exists for a shared store.

use std::os::unix::fs::PermissionsExt;

use mailcred_e2e::smtp::SmtpMode;

use super::*;
use crate::mail_account::{ACCOUNT, MailAccount, PASSWORD, RECIPIENT, USER};

/// An account `work` for a real SMTP server (STARTTLS on loopback), its
/// password and its account kept in `bao`.
fn account_on(bao: &Bao) -> MailAccount {
    let mail = MailAccount::start(SmtpMode::StartTls, &[(USER, PASSWORD)], &[]);
    mail.session.write_settings(&bao.settings(PREFIX));
    mail.add(PASSWORD, &[]);
    assert!(
        !mail.session.account_file().exists(),
        "the account lives in OpenBao, not in a local file"
    );
    mail
}

/// Asserts the server saw one login with the stored password and one
/// message to [`RECIPIENT`].
#[track_caller]
fn assert_sent_once(mail: &MailAccount, client: &str, sent: &Outcome) {
    assert!(
        sent.success(),
        "{client} sends:\n{sent}\n{}",
        mail.server.stderr()
    );
    let logins: Vec<_> = mail
        .server
        .auths()
        .into_iter()
        .map(|a| (a.username, a.password, a.ok))
        .collect();
    assert_eq!(
        logins,
        [(USER.to_owned(), PASSWORD.to_owned(), true)],
        "{client} logs in once with the password kept in OpenBao"
    );
    let messages = mail.server.messages();
    assert_eq!(
        messages.len(),
        1,
        "{client} delivers one message: {messages:?}"
    );
    assert_eq!(messages[0].rcpt_tos, [RECIPIENT.to_owned()]);
}

#[test]
fn msmtp_sends_with_the_password_mailcred_get_reads_from_openbao() {
    require("msmtp", "msmtp");
    let Some(bao) = Bao::dev() else {
        return;
    };
    let mail = account_on(&bao);
    let snippet = mail.mailcred(&["config", "msmtp", ACCOUNT], "");
    assert!(snippet.success(), "mailcred config msmtp:\n{snippet}");
    let rc = mail.session.home().join("msmtprc");
    std::fs::write(
        &rc,
        format!(
            "{}tls_trust_file {}\n",
            snippet.stdout,
            mail.server.ca_file().display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&rc, std::fs::Permissions::from_mode(0o600)).unwrap();

    let mut msmtp = mail.command("msmtp");
    msmtp.arg("-C").arg(&rc).args(["-a", ACCOUNT, RECIPIENT]);
    let sent = run(
        msmtp,
        b"From: alice@example.org\nTo: bob@example.org\nSubject: via OpenBao\n\nHello.\n",
    );

    assert_sent_once(&mail, "msmtp", &sent);
}

#[test]
fn mailcred_send_finds_the_account_kept_in_openbao_and_sends() {
    let Some(bao) = Bao::dev() else {
        return;
    };
    let mail = account_on(&bao);
    let ca = mail.server.ca_file().display().to_string();

    let sent = mail.mailcred(
        &["send", "--ca-file", &ca, "-oi", "--", RECIPIENT],
        "From: alice@example.org\nTo: bob@example.org\nSubject: via OpenBao\n\nHello.\n",
    );

    assert_sent_once(&mail, "mailcred send", &sent);
}

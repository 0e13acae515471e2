//! msmtp with `passwordeval "mailcred get work"`, configured with the block
//! `mailcred config msmtp work` prints; the tests add only what the test
//! server needs (its certificate).
//!
//! msmtp takes the first stdout line of `passwordeval` as the password,
//! whatever the exit status: so `mailcred get` must print nothing at all when
//! it fails, and msmtp must then send nothing.

use super::*;

/// The message msmtp sends (from its stdin).
const MESSAGE: &str = "\
From: alice@example.org
To: bob@example.org
Subject: sent by msmtp

The password came from mailcred get.
";

/// `mailcred config msmtp work`, plus the certificate to trust for TLS.
fn msmtprc(mail: &MailAccount) -> String {
    let mut rc = mail.snippet("msmtp");
    assert!(
        rc.contains("\npasswordeval \"mailcred get work\"\n"),
        "the msmtp snippet should ask `mailcred get work` for the password:\n{rc}"
    );
    if mail.server.mode().uses_tls() {
        rc.push_str(&format!(
            "tls_trust_file {}\n",
            mail.server.ca_file().display()
        ));
    }
    rc
}

/// `msmtp -C RC -a work bob@example.org` with [`MESSAGE`] on stdin.
fn send(mail: &MailAccount, rc: &str) -> Outcome {
    let rc = mail.write("msmtprc", rc);
    let mut msmtp = mail.command("msmtp");
    msmtp.arg("-C").arg(rc).args(["-a", ACCOUNT, RECIPIENT]);
    run(msmtp, MESSAGE.as_bytes())
}

/// Sends with the snippet over `mode` and checks the server got the message
/// after AUTH with the stored password.
fn delivers_with_the_stored_password(mode: SmtpMode) {
    require("msmtp", "msmtp");
    let mail = MailAccount::new(mode, PASSWORD);
    let sent = send(&mail, &msmtprc(&mail));
    mail.assert_delivered("msmtp", &sent, "Subject: sent by msmtp");
}

#[test]
fn delivers_over_plain_smtp_with_the_password_from_mailcred_get() {
    delivers_with_the_stored_password(SmtpMode::Plain);
}

#[test]
fn delivers_over_starttls_with_the_password_from_mailcred_get() {
    delivers_with_the_stored_password(SmtpMode::StartTls);
}

#[test]
fn a_wrong_stored_password_is_refused_msmtp_fails_and_nothing_is_delivered() {
    require("msmtp", "msmtp");
    let mail = MailAccount::new(SmtpMode::StartTls, WRONG_PASSWORD);
    let sent = send(&mail, &msmtprc(&mail));
    assert!(
        !sent.success() && sent.stderr.contains("535"),
        "msmtp should fail and report the server's 535:\n{sent}"
    );
    mail.assert_refused("msmtp", &sent);
}

/// msmtp with `passwordeval` a failing `mailcred get`: msmtp must stop
/// before AUTH (DESIGN: exit 78 when passwordeval prints nothing).
fn assert_msmtp_sends_nothing(mail: &MailAccount, rc: &str) {
    let sent = send(mail, rc);
    assert!(
        !sent.success(),
        "msmtp must fail when mailcred has no password for it:\n{sent}"
    );
    mail.assert_nothing_sent("msmtp", &sent);
}

#[test]
fn get_of_an_unknown_account_prints_nothing_and_msmtp_sends_nothing() {
    require("msmtp", "msmtp");
    let mail = MailAccount::new(SmtpMode::Plain, PASSWORD);

    let got = mail.mailcred(&["get", "nobody"], "");
    assert_fails_cleanly(&got, NO_ACCOUNT, "no mail account named \"nobody\"");

    let rc = msmtprc(&mail).replace("mailcred get work", "mailcred get nobody");
    assert_msmtp_sends_nothing(&mail, &rc);
}

#[test]
fn get_without_a_secret_service_prints_nothing_and_msmtp_sends_nothing() {
    require("msmtp", "msmtp");
    let mut mail = MailAccount::new(SmtpMode::Plain, PASSWORD);
    let rc = msmtprc(&mail);
    mail.session.stop_secret_service();

    let got = mail.stored_password();
    assert_fails_cleanly(
        &got,
        KEYRING_UNAVAILABLE,
        "the Secret Service is not running",
    );

    assert_msmtp_sends_nothing(&mail, &rc);
}

#[test]
fn get_without_a_session_bus_prints_nothing_and_msmtp_sends_nothing() {
    require("msmtp", "msmtp");
    let mut mail = MailAccount::new(SmtpMode::Plain, PASSWORD);
    let rc = msmtprc(&mail);
    mail.session.stop_bus();

    let got = mail.stored_password();
    assert_fails_cleanly(&got, KEYRING_UNAVAILABLE, "no D-Bus session bus");

    assert_msmtp_sends_nothing(&mail, &rc);
}

/// `msmtp -C RC -a work --pretend`: msmtp reads the file, running what it
/// says to run, and prints the account's settings instead of sending.
fn pretend(hand: &HandEdited, rc: &str) -> Outcome {
    require("msmtp", "msmtp");
    let rc = write_private(&hand.session, "msmtprc", rc);
    let mut msmtp = command_in(&hand.session, "msmtp");
    msmtp.arg("-C").arg(rc).args(["-a", ACCOUNT, "--pretend"]);
    run(msmtp, b"")
}

#[test]
fn logins_with_quotes_reach_msmtp_whole() {
    for login in [r#""ann""#, HOSTILE_LOGIN, r"CORP\ann"] {
        let hand = HandEdited::login(login);
        let shown = pretend(&hand, &hand.snippet("msmtp"));
        assert!(
            shown.stdout.lines().any(|l| l == format!("user = {login}")),
            "msmtp should read the user {login:?} byte for byte (it strips one pair of \
             enclosing quotes, and knows no escapes):\n{shown}"
        );
    }
}

#[test]
fn a_line_break_in_the_login_or_server_gets_no_msmtp_snippet_and_runs_nothing() {
    // msmtp runs `eval CMD` lines while it reads its file.
    for what in ["login", "server"] {
        let hand = HandEdited::new(|a| {
            let value = if what == "login" {
                &mut a.user
            } else {
                &mut smtp_of(a).host
            };
            value.push_str("\neval touch PWNED");
        });
        let printed = hand.config("msmtp");
        if printed.success() {
            pretend(&hand, &printed.stdout);
        }
        assert!(
            !hand.pwned(),
            "msmtp ran the `eval` line hidden in the {what}"
        );
        assert_no_snippet(
            &printed,
            &format!("a line break in the {what} would start a line msmtp obeys"),
        );
    }
}

//! `mailcred test work` and `mailcred send` (mailcred-smtp, mailcred-lettre)
//! for an OAuth2 account: XOAUTH2 with the token from the real
//! `git-credential-mailcred`, and one refresh and one retry when the server
//! refuses a token mailcred still thought good (revoked, or expired early
//! at the provider), never more.

use super::*;

fn ca_args(mail: &OAuthAccount) -> Vec<String> {
    if mail.smtp().mode().uses_tls() {
        vec![
            "--ca-file".into(),
            mail.smtp().ca_file().display().to_string(),
        ]
    } else {
        vec![]
    }
}

fn mailcred_test(mail: &OAuthAccount) -> Outcome {
    let mut args = vec!["test".to_owned(), ACCOUNT.to_owned()];
    args.extend(ca_args(mail));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    mail.mailcred(&args, "")
}

fn mailcred_send(mail: &OAuthAccount, subject: &str) -> Outcome {
    let mut args = vec!["send".to_owned()];
    args.extend(ca_args(mail));
    args.push(RECIPIENT.into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    mail.mailcred(&args, &message(subject))
}

#[test]
fn mailcred_test_and_send_log_in_with_xoauth2_and_the_cached_token() {
    let mail = OAuthAccount::new(Servers::Smtp(SmtpMode::StartTls));
    let token = mail.token();
    let tested = mailcred_test(&mail);
    assert!(
        tested.success()
            && tested
                .stdout
                .contains("the server accepted the login of alice@example.org"),
        "mailcred test logs in with the token:\n{tested}"
    );
    let sent = mailcred_send(&mail, "sent by mailcred send");
    mail.assert_delivered("mailcred send", &sent, "Subject: sent by mailcred send");
    assert_eq!(
        mail.smtp_logins(),
        [(token.clone(), true), (token, true)],
        "both with the cached token, as XOAUTH2 (never PLAIN)"
    );
}

#[test]
fn a_token_the_server_refuses_is_refreshed_once_and_the_message_goes_out() {
    let mail = OAuthAccount::new(Servers::Smtp(SmtpMode::Tls));
    let stale = mail.token();
    // Expired at the provider, yet an hour left in mailcred's cache: as a
    // token revoked by an admin, or one the server holds as expired early.
    mail.expire_tokens();
    let before = mail.refreshes();
    let sent = mailcred_send(&mail, "after a refresh");
    mail.assert_delivered("mailcred send", &sent, "Subject: after a refresh");
    let logins = mail.smtp_logins();
    assert_eq!(logins.len(), 2, "one refused login, one retry: {logins:?}");
    assert_eq!(logins[0], (stale.clone(), false));
    assert!(logins[1].1 && logins[1].0 != stale, "{logins:?}");
    assert_eq!(
        mail.refreshes(),
        before + 1,
        "the erase dropped the cached token, so the next get refreshed, once"
    );
    assert_eq!(
        mail.token(),
        logins[1].0,
        "the refreshed token is the one cached now, and the refresh token survived the erase"
    );
}

#[test]
fn a_token_refused_even_fresh_is_one_retry_and_an_error_that_says_sign_in_again() {
    // Every token the provider issues is dead on arrival: the server
    // refuses the cached one and the fresh one alike.
    let mail = OAuthAccount::new(Servers::Smtp(SmtpMode::Plain));
    mail.idp
        .control(serde_json::json!({ "access_lifetime": 0 }));
    mail.expire_tokens();
    let before = mail.refreshes();
    let tested = mailcred_test(&mail);
    assert_eq!(
        tested.code,
        Some(NO_PERMISSION),
        "a refused login exits 77:\n{tested}"
    );
    assert!(
        tested
            .stderr
            .contains("535 5.7.3 Authentication unsuccessful")
            && tested.stderr.contains("even a fresh one")
            && tested.stderr.contains("mailcred login")
            && !tested.stderr.contains("app password")
            && !tested.stderr.contains("set-password"),
        "the error quotes Microsoft's words and says to sign in again, no app-password advice:\n{tested}"
    );
    assert_eq!(
        mail.smtp_logins().len(),
        2,
        "one retry, never more: {:?}",
        mail.smtp_logins()
    );
    assert!(
        mail.refreshes() - before <= 2,
        "at most the refresh of the retry (and one for a token with no time left)"
    );
    assert!(
        !tested.stderr.contains(&mail.smtp_logins()[0].0),
        "never a token in a message"
    );
}

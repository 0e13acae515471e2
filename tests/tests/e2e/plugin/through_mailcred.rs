//! The accounts as mailcred-lettre reads them when the store keeps them
//! (a store shared by several machines, where there is no local account
//! file): through the real `mailcred show NAME --json` and `mailcred list
//! --json`. Until such a store is built into `mailcred`, the test runs
//! them in an ordinary keyring session, which prints the same JSON.

use mailcred_lettre::account_source::{account_from, accounts_from};
use mailcred_lettre::lettre::Transport;

use super::*;

#[test]
fn the_account_mailcred_show_json_prints_is_the_whole_account_and_sends() {
    let relay = MailAccount::new(SmtpMode::StartTls, PASSWORD);
    let through = account_from(relay.session.command(bin("mailcred")), ACCOUNT)
        .expect("mailcred show --json answers with the account");
    assert_eq!(
        through,
        relay.account(),
        "every field the library needs comes through, as the account file has it"
    );
    let all = accounts_from(relay.session.command(bin("mailcred")))
        .expect("mailcred list --json answers with the accounts");
    assert_eq!(
        all.accounts,
        [relay.account()],
        "mailcred list --json: every account"
    );

    let transport = MailcredTransportBuilder::from_account_dangerous(&through)
        .expect("the account sends through SMTP")
        .credential_helper(relay.real_helper())
        .add_root_certificate_file(relay.server.ca_file())
        .expect("the test certificate")
        .build()
        .unwrap();
    transport
        .send(&message("through mailcred", &[RECIPIENT]))
        .expect("the account read through mailcred sends");
    assert_eq!(relay.logins(), [(PASSWORD.to_owned(), true)]);
}

#[test]
fn an_unknown_account_fails_with_mailcreds_own_status() {
    let relay = MailAccount::new(SmtpMode::StartTls, PASSWORD);
    let error = account_from(relay.session.command(bin("mailcred")), "nobody")
        .expect_err("mailcred knows no account nobody");
    assert_eq!(
        mailcred_lettre::cli::exit_code(&error),
        mailcred_core::exit::NO_ACCOUNT,
        "mailcred's exit status for an unknown account is passed on: {error}"
    );
}

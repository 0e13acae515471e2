//! The mail programs sending with an OAuth2 account: the access token from
//! `mailcred get work` (signed in with the real `mailcred add --auth
//! oauth2`, see `oauth_account`), XOAUTH2 to an SMTP server that takes
//! only tokens the test identity provider issued and that are still valid.
//! The server records each AUTH: the tests check the token that crossed
//! the wire, and that an expired one makes mailcred refresh, not fail.

use mailcred_e2e::smtp::SmtpMode;

use super::*;
use crate::oauth_account::{ACCOUNT, OAuthAccount, RECIPIENT, Servers, USER, message};

mod git_send_email;
mod mailcred_send;
mod msmtp;
mod neomutt;

impl OAuthAccount {
    /// Asserts `client` delivered one message containing `content`, after
    /// XOAUTH2 logins the server accepted the last of (each with the token
    /// `mailcred get` gave).
    #[track_caller]
    pub(crate) fn assert_delivered(&self, client: &str, sent: &Outcome, content: &str) {
        assert!(sent.success(), "{client} should send:\n{sent}");
        let logins = self.smtp_logins();
        assert!(
            logins.last().is_some_and(|(_, ok)| *ok),
            "{client} should log in with a token the server accepts: {logins:?}\n{}",
            self.smtp().stderr()
        );
        let messages = self.smtp().messages();
        assert_eq!(
            messages.len(),
            1,
            "{client} should deliver exactly one message:\n{sent}"
        );
        assert!(
            messages[0].data.contains(content) && messages[0].rcpt_tos == [RECIPIENT],
            "{client} delivered the wrong message: {:?}",
            messages[0]
        );
    }
}

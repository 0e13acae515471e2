//! Well-known authentication failures in plain words. Providers answer with
//! terse codes; what the user must do about each is not obvious from them.

use crate::Reply;

/// What a refused login means and what to do, for the replies providers are
/// known to give. `None` when the reply says enough by itself.
pub(crate) fn authentication(reply: &Reply) -> Option<&'static str> {
    Some(match (reply.code, reply.enhanced_code()) {
        (535, Some("5.7.139")) => {
            "SMTP AUTH is disabled for this Microsoft 365 tenant or mailbox, so no password will \
             work: an administrator must turn on Authenticated SMTP for the mailbox (Microsoft 365 \
             admin center > Users > Active users > Mail > Manage email apps) or for the tenant. \
             The stored password was kept"
        }
        (534, Some("5.7.9")) => {
            "Gmail wants an app password: the stored password is the Google account's own \
             password, or 2-Step Verification is off. Create an app password at \
             myaccount.google.com/apppasswords and store it with `mailcred set-password`"
        }
        (534, Some("5.7.14")) => {
            "Google blocked this sign-in: sign in once in a web browser, then retry; Google may \
             also want an app password (myaccount.google.com/apppasswords)"
        }
        (535, _) => {
            "the user name or app password was not accepted: it may be mistyped, revoked (Gmail \
             revokes app passwords when the account password changes) or belong to another \
             user. Create a new app password and store it with `mailcred set-password`"
        }
        (454, _) => "the server could not check the password just now; try again later",
        (530, _) => {
            "the server wants something else before a login, usually TLS: check the account's \
             port and security"
        }
        _ => return None,
    })
}

/// Whether a refused login means the password itself is wrong, so that the
/// credential helper should be told to forget it (`reject`).
///
/// Only 535 qualifies: 534 (Gmail wants an app password), 454 (temporary)
/// and any other reply leave the password alone. `535 5.7.139` is excluded
/// too: Microsoft 365 says so when SMTP AUTH is off, whatever the password.
pub(crate) fn password_is_wrong(reply: &Reply) -> bool {
    reply.code == 535 && reply.enhanced_code() != Some("5.7.139")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microsoft_365_with_smtp_auth_off_is_explained_and_not_rejected() {
        let off = Reply::new(
            535,
            "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
        );
        assert!(
            authentication(&off)
                .unwrap()
                .contains("SMTP AUTH is disabled")
        );
        assert!(
            !password_is_wrong(&off),
            "the password may be right: SMTP AUTH is off for the tenant"
        );
    }

    #[test]
    fn gmail_wanting_an_app_password_is_explained_and_not_rejected() {
        let gmail = Reply::new(
            534,
            "5.7.9 Application-specific password required. Learn more at https://support.google.com/mail/?p=InvalidSecondFactor",
        );
        assert!(
            authentication(&gmail)
                .unwrap()
                .starts_with("Gmail wants an app password")
        );
        assert!(!password_is_wrong(&gmail));
    }

    #[test]
    fn a_plain_535_means_a_wrong_password() {
        let wrong = Reply::new(535, "5.7.8 Authentication credentials invalid");
        assert!(password_is_wrong(&wrong));
        assert!(authentication(&wrong).unwrap().contains("not accepted"));
    }

    #[test]
    fn other_replies_are_neither_explained_nor_rejected() {
        for other in [
            Reply::new(550, "5.1.1 Recipient rejected"),
            Reply::new(552, "5.3.4 Message too big"),
        ] {
            assert_eq!(authentication(&other), None);
            assert!(!password_is_wrong(&other));
        }
    }
}

//! Well-known authentication failures in plain words. Providers answer with
//! terse codes; what the user must do about each is not obvious from them,
//! and it differs between an app password and an OAuth2 access token.

use crate::Reply;

/// What a refused login means and what to do, for the replies providers are
/// known to give. `None` when the reply says enough by itself. `oauth`: the
/// secret was an OAuth2 access token, so no app-password advice applies.
pub(crate) fn authentication(reply: &Reply, oauth: bool) -> Option<&'static str> {
    if oauth {
        return oauth_authentication(reply);
    }
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
        _ => return shared(reply),
    })
}

/// The same, for a login with an OAuth2 access token (XOAUTH2). By the time
/// a refusal is reported, the token was refused twice: once as cached, once
/// fresh from a refresh.
fn oauth_authentication(reply: &Reply) -> Option<&'static str> {
    Some(match (reply.code, reply.enhanced_code()) {
        (535, Some("5.7.139")) => {
            "SMTP AUTH is disabled for this Microsoft 365 tenant or mailbox, and OAuth does not \
             change that: no token will work until an administrator turns on Authenticated SMTP \
             for the mailbox (Microsoft 365 admin center > Users > Active users > Mail > Manage \
             email apps) or for the tenant. The tokens were kept"
        }
        (535, Some("5.7.3")) => {
            "the server did not accept the access token, even a fresh one: it was issued for the \
             wrong scope or audience (Microsoft 365 wants https://outlook.office.com/SMTP.Send, \
             Gmail https://mail.google.com/), or for another user than this login. Sign in again \
             with the right scopes: `mailcred login` and the account's name"
        }
        (535, _) => {
            "the server did not accept the access token, even a fresh one: the sign-in may lack \
             this server's scope or be another user's. Sign in again: `mailcred login` and the \
             account's name"
        }
        (534, Some("5.7.14")) => {
            "Google blocked this sign-in: sign in once in a web browser, then sign in again with \
             `mailcred login` and the account's name"
        }
        _ => return shared(reply),
    })
}

/// What a reply means whatever the secret was.
fn shared(reply: &Reply) -> Option<&'static str> {
    Some(match reply.code {
        454 => "the server could not check the password just now; try again later",
        530 => {
            "the server wants something else before a login, usually TLS: check the account's \
             port and security"
        }
        _ => return None,
    })
}

/// Whether a refused login means the password itself is wrong, so that the
/// credential helper should be told to forget it (`reject`); for an OAuth2
/// access token, that the token is stale and worth one refresh.
///
/// Only 535 qualifies: 534 (Gmail wants an app password), 454 (temporary)
/// and any other reply leave the password alone. `535 5.7.139` is excluded
/// too: Microsoft 365 says so when SMTP AUTH is off, whatever the password
/// or token. `535 5.7.3` (Microsoft's answer to any token it does not take,
/// an expired one included) does qualify.
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
            authentication(&off, false)
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
            authentication(&gmail, false)
                .unwrap()
                .starts_with("Gmail wants an app password")
        );
        assert!(!password_is_wrong(&gmail));
    }

    #[test]
    fn a_plain_535_means_a_wrong_password() {
        let wrong = Reply::new(535, "5.7.8 Authentication credentials invalid");
        assert!(password_is_wrong(&wrong));
        assert!(
            authentication(&wrong, false)
                .unwrap()
                .contains("not accepted")
        );
    }

    #[test]
    fn other_replies_are_neither_explained_nor_rejected() {
        for other in [
            Reply::new(550, "5.1.1 Recipient rejected"),
            Reply::new(552, "5.3.4 Message too big"),
        ] {
            assert_eq!(authentication(&other, false), None);
            assert_eq!(authentication(&other, true), None);
            assert!(!password_is_wrong(&other));
        }
    }

    #[test]
    fn a_refused_token_is_explained_as_a_scope_or_audience_problem_never_an_app_password() {
        let refused = Reply::new(535, "5.7.3 Authentication unsuccessful");
        let explained = authentication(&refused, true).unwrap();
        assert!(
            explained.contains("wrong scope or audience") && explained.contains("mailcred login"),
            "a token refused even fresh wants a new sign-in with the right scopes: {explained}"
        );
        assert!(
            !explained.contains("app password") && !explained.contains("set-password"),
            "no app-password advice for an OAuth account: {explained}"
        );
        assert!(
            password_is_wrong(&refused),
            "5.7.3 is Microsoft's answer to an expired token too: worth one refresh"
        );
    }

    #[test]
    fn smtp_auth_disabled_says_oauth_does_not_help_and_is_not_refreshed() {
        let off = Reply::new(
            535,
            "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
        );
        let explained = authentication(&off, true).unwrap();
        assert!(
            explained.contains("OAuth does not change that")
                && explained.contains("administrator turns on Authenticated SMTP"),
            "{explained}"
        );
        assert!(!explained.contains("password"), "{explained}");
        assert!(
            !password_is_wrong(&off),
            "a refresh cannot help while SMTP AUTH is off"
        );
    }

    #[test]
    fn no_reply_gets_app_password_advice_when_the_secret_was_a_token() {
        for reply in [
            Reply::new(535, "5.7.8 Username and Password not accepted"),
            Reply::new(534, "5.7.9 Application-specific password required."),
            Reply::new(534, "5.7.14 Please log in with your web browser"),
            Reply::new(454, "4.7.0 Temporary authentication failure"),
        ] {
            let explained = authentication(&reply, true).unwrap_or_default();
            assert!(
                !explained.contains("app password") && !explained.contains("set-password"),
                "{reply}: {explained}"
            );
        }
    }
}

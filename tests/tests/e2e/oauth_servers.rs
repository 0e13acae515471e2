//! The OAuth2 test servers themselves, proved with raw sessions and tokens
//! straight from the test identity provider (no mailcred in the way): the
//! SMTP server of [`SmtpServer::with_oauth`] and Dovecot with its `oauth2`
//! passdb ([`DovecotServer::with_oauth`]) take a token only when the
//! provider issued it, it is still valid, and it is the user's who logs in.
//! The tests of mailcred and the mail programs with OAuth2 build on this.

use mailcred_e2e::dovecot::{DovecotServer, MailProtocol, TLS_HOST};
use mailcred_e2e::idp::Idp;
use mailcred_e2e::smtp::{SmtpMode, SmtpServer};

use crate::dovecot_server::s_client;
use crate::smtp_server::server::transcript;

const USER: &str = "alice@example.org";
const OTHER: &str = "bob@example.org";
const SMTP_SCOPES: &[&str] = &["https://outlook.office.com/SMTP.Send", "offline_access"];
const IMAP_SCOPES: &[&str] = &[
    "https://outlook.office.com/IMAP.AccessAsUser.All",
    "offline_access",
];

/// The XOAUTH2 initial response for `user` and `token`, base64.
fn xoauth2(user: &str, token: &str) -> String {
    base64(&format!("user={user}\x01auth=Bearer {token}\x01\x01"))
}

/// The OAUTHBEARER (RFC 7628) initial response, base64.
fn oauthbearer(user: &str, token: &str) -> String {
    base64(&format!(
        "n,a={user},\x01host=localhost\x01port=587\x01auth=Bearer {token}\x01\x01"
    ))
}

/// Standard base64, by `base64` (coreutils): the tests crate has no base64
/// of its own.
fn base64(text: &str) -> String {
    let mut command = std::process::Command::new("base64");
    command.arg("-w0");
    let out = mailcred_e2e::run(command, text.as_bytes());
    assert!(out.success(), "{out}");
    out.stdout.trim().to_owned()
}

mod smtp {
    use super::*;

    #[test]
    fn offers_xoauth2_and_oauthbearer_only_and_takes_an_active_token_of_the_user() {
        let idp = Idp::start();
        let server = SmtpServer::with_oauth(SmtpMode::Plain, &idp.introspect_url());
        let token = idp.sign_in(USER, SMTP_SCOPES);
        let replies = transcript(
            &server,
            &[
                "EHLO client",
                &format!("AUTH XOAUTH2 {}", xoauth2(USER, &token)),
                "MAIL FROM:<alice@example.org>",
                "QUIT",
            ],
        );
        assert!(
            replies[1].contains("250-AUTH OAUTHBEARER XOAUTH2") && !replies[1].contains("PLAIN"),
            "EHLO offers the token mechanisms and no password one: {replies:?}"
        );
        assert_eq!(replies[2], "235 2.7.0 Authentication successful");
        assert!(replies[3].starts_with("250"), "{replies:?}");

        let bearer = transcript(
            &server,
            &[
                "EHLO client",
                &format!("AUTH OAUTHBEARER {}", oauthbearer(USER, &token)),
            ],
        );
        assert_eq!(bearer[2], "235 2.7.0 Authentication successful");

        let auths = server.auths();
        assert_eq!(
            auths
                .iter()
                .map(|a| (a.mechanism.as_str(), a.username.as_str(), a.ok))
                .collect::<Vec<_>>(),
            [("XOAUTH2", USER, true), ("OAUTHBEARER", USER, true)]
        );
        assert_eq!(auths[0].password, token, "the record keeps the token sent");
    }

    #[test]
    fn refuses_an_unknown_or_expired_token_another_users_and_any_password_as_microsoft_does() {
        let idp = Idp::start();
        let server = SmtpServer::with_oauth(SmtpMode::Plain, &idp.introspect_url());
        let token = idp.sign_in(USER, SMTP_SCOPES);
        let attempt = |line: String| transcript(&server, &["EHLO client", &line])[2].clone();

        let refused = "535 5.7.3 Authentication unsuccessful";
        assert_eq!(
            attempt(format!("AUTH XOAUTH2 {}", xoauth2(OTHER, &token))),
            refused,
            "a token is its user's only"
        );
        assert_eq!(
            attempt(format!("AUTH XOAUTH2 {}", xoauth2(USER, "made-up-token"))),
            refused,
            "only tokens the provider issued"
        );
        assert_eq!(
            attempt("AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHNlY3JldA==".into()),
            "504 5.5.4 Unrecognized authentication type",
            "no password login at all"
        );
        idp.control(serde_json::json!({ "expire_access_tokens": true }));
        assert!(!idp.is_active(&token));
        assert_eq!(
            attempt(format!("AUTH XOAUTH2 {}", xoauth2(USER, &token))),
            refused,
            "an expired token is refused"
        );
        let oks: Vec<bool> = server.auths().iter().map(|a| a.ok).collect();
        assert_eq!(oks, [false, false, false], "{:?}", server.auths());
    }

    #[test]
    fn an_smtp_server_without_oauth_offers_no_token_mechanism() {
        let server = SmtpServer::start(SmtpMode::Plain, &[(USER, "pw")]);
        let replies = transcript(&server, &["EHLO client"]);
        assert!(
            !replies[1].contains("XOAUTH2") && !replies[1].contains("OAUTHBEARER"),
            "{replies:?}"
        );
    }
}

mod dovecot {
    use super::*;

    fn imap(server: &DovecotServer, script: &str) -> String {
        s_client(server, TLS_HOST, server.ports().imaps, None, script).stdout
    }

    #[test]
    fn imap_and_pop3_take_an_active_token_of_the_user_with_xoauth2() {
        let idp = Idp::start();
        let server = DovecotServer::with_oauth(&idp.introspect_url());
        let token = idp.sign_in(USER, IMAP_SCOPES);

        let session = imap(
            &server,
            &format!(
                "a AUTHENTICATE XOAUTH2 {}\nb LOGOUT\n",
                xoauth2(USER, &token)
            ),
        );
        assert!(
            session.contains("a OK"),
            "IMAP takes the token:\n{session}\n{}",
            server.log()
        );
        let pop = s_client(
            &server,
            TLS_HOST,
            server.ports().pop3s,
            None,
            &format!("AUTH XOAUTH2 {}\nQUIT\n", xoauth2(USER, &token)),
        );
        assert!(
            pop.stdout.contains("+OK Logged in"),
            "POP3 takes the token:\n{pop}\n{}",
            server.log()
        );
        let logins = server.logins_of(USER);
        assert_eq!(
            logins
                .iter()
                .map(|l| (l.protocol, l.accepted, l.tls))
                .collect::<Vec<_>>(),
            [
                (MailProtocol::Imap, true, true),
                (MailProtocol::Pop3, true, true)
            ],
            "{}",
            server.log()
        );
    }

    #[test]
    fn an_expired_or_unknown_token_another_users_and_any_password_are_refused() {
        let idp = Idp::start();
        let server = DovecotServer::with_oauth(&idp.introspect_url());
        let token = idp.sign_in(USER, IMAP_SCOPES);

        let others = imap(
            &server,
            &format!(
                "a AUTHENTICATE XOAUTH2 {}\n\nb AUTHENTICATE XOAUTH2 {}\n\n\
                 c LOGIN \"{USER}\" \"an app password\"\nd LOGOUT\n",
                xoauth2(OTHER, &token),
                xoauth2(USER, "made-up-token"),
            ),
        );
        for tag in ["a", "b", "c"] {
            assert!(
                others.contains(&format!("{tag} NO")),
                "{tag} must be refused:\n{others}\n{}",
                server.log()
            );
        }

        idp.control(serde_json::json!({ "expire_access_tokens": true }));
        let expired = imap(
            &server,
            &format!(
                "a AUTHENTICATE XOAUTH2 {}\n\nb LOGOUT\n",
                xoauth2(USER, &token)
            ),
        );
        assert!(
            expired.contains("a NO"),
            "an expired token is refused:\n{expired}\n{}",
            server.log()
        );
        assert!(
            server.logins().iter().all(|l| !l.accepted),
            "nobody got in:\n{}",
            server.log()
        );
    }
}

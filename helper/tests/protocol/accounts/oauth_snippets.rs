//! `mailcred config TOOL NAME` for an account that signs in with OAuth2:
//! every snippet is its OAuth form (XOAUTH2, the access token from `mailcred
//! get NAME`), none holds a password line the program would send as PLAIN,
//! and the IMAP server of Exchange Online, which takes OAuth only, is used.
//!
//! The accounts are added as app-password accounts and then given OAuth
//! settings in the account file, as `add --auth oauth2` records them.

use mailcred::accounts::{Account, OAuthSettings, Provider, Security};
use mailcred::commands::accounts::{EndpointFlags, NewAccount};
use mailcred::commands::snippets::{self, Tool};
use mailcred::exit;

use super::{Outcome, Setup, new_account};

fn config(s: &Setup, tool: Tool, name: &str) -> Outcome {
    s.run(|ctx, out| snippets::config(ctx, tool, name, "mailcred", out))
}

/// A Setup holding `new`, turned into an OAuth2 account with its
/// provider's preset (custom: the test identity provider's shape).
fn oauth_setup(new: &NewAccount) -> Setup {
    let s = Setup::new();
    s.added(new, "oauth-snippet-pw-1");
    let accounts = s.ctx().accounts;
    let (held, _) = accounts.lock().expect("the account file locks");
    accounts
        .update(&held, |all| {
            let account: &mut Account = &mut all.accounts[0];
            account.oauth = Some(
                OAuthSettings::preset(account.provider, None, "client-1", account).unwrap_or_else(
                    |_| OAuthSettings {
                        authorize_url: "http://127.0.0.1:9/organizations/oauth2/v2.0/authorize"
                            .into(),
                        token_url: "http://127.0.0.1:9/organizations/oauth2/v2.0/token".into(),
                        device_url: None,
                        client_id: "client-1".into(),
                        scopes: vec!["offline_access".into()],
                        tenant: None,
                        client_secret: false,
                    },
                ),
            );
            Ok(())
        })
        .expect("saved");
    drop((held, accounts));
    s
}

#[track_caller]
fn oauth_snippet(new: &NewAccount, tool: Tool) -> String {
    let s = oauth_setup(new);
    let text = config(&s, tool, &new.name).ok("config");
    assert!(
        !text.contains("oauth-snippet-pw-1"),
        "never a secret:\n{text}"
    );
    text
}

#[track_caller]
fn assert_lines(text: &str, wanted: &[&str], why: &str) {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    for line in wanted {
        assert!(
            lines.contains(line),
            "{why}: expected the line {line:?} in:\n{text}"
        );
    }
}

#[track_caller]
fn assert_no_line_with(text: &str, unwanted: &[&str], why: &str) {
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        for word in unwanted {
            assert!(!line.contains(word), "{why}: {line:?} in:\n{text}");
        }
    }
}

fn work() -> NewAccount {
    new_account("work", Provider::Office365)
}

#[test]
fn msmtp_names_xoauth2_because_auth_on_would_pick_plain() {
    let text = oauth_snippet(&work(), Tool::Msmtp);
    assert_lines(
        &text,
        &[
            "auth xoauth2",
            "user \"ann@example.org\"",
            "passwordeval \"mailcred get work\"",
        ],
        "msmtp sends the token from mailcred get with XOAUTH2",
    );
    assert_no_line_with(&text, &["auth on"], "never auth on");
}

#[test]
fn neomutt_logs_in_with_xoauth2_to_smtp_and_exchange_imap_and_has_no_password() {
    let text = oauth_snippet(&work(), Tool::Neomutt);
    assert_lines(
        &text,
        &[
            "set smtp_url = 'smtp://ann%40example.org@smtp.office365.com:587/'",
            "set folder = 'imaps://ann%40example.org@outlook.office365.com:993/'",
            "set smtp_authenticators = 'xoauth2'",
            "set smtp_oauth_refresh_command = 'mailcred get work'",
            "set imap_authenticators = 'xoauth2'",
            "set imap_oauth_refresh_command = 'mailcred get work'",
        ],
        "Exchange Online's IMAP takes OAuth: the folder is there, both with XOAUTH2",
    );
    assert_no_line_with(
        &text,
        &["account_command", "_pass", "oauthbearer"],
        "no password path at all, and not OAUTHBEARER (Debian 12's neomutt cuts long tokens)",
    );
}

#[test]
fn mutt_2_gets_the_same_xoauth2_settings() {
    let text = oauth_snippet(&work(), Tool::Mutt);
    assert_lines(
        &text,
        &[
            "set smtp_authenticators = 'xoauth2'",
            "set smtp_oauth_refresh_command = 'mailcred get work'",
            "set folder = 'imaps://ann%40example.org@outlook.office365.com:993/'",
            "set imap_authenticators = 'xoauth2'",
            "set imap_oauth_refresh_command = 'mailcred get work'",
        ],
        "mutt 2.2 has neomutt's XOAUTH2 variables",
    );
    assert_no_line_with(&text, &["_pass"], "no backticks password");
}

#[test]
fn git_send_email_uses_xoauth2_and_says_what_perl_needs_and_the_way_for_any_git() {
    let text = oauth_snippet(&work(), Tool::Git);
    assert_lines(
        &text,
        &[
            "smtpAuth = XOAUTH2",
            "# sendmailCmd = mailcred send",
            "authMethod = XOAUTH2",
            "helper = mailcred",
        ],
        "git send-email with XOAUTH2, the sendmailCmd alternative, imap-send too",
    );
    assert!(
        text.contains("Authen::SASL 2.1800"),
        "Debian 12's Authen::SASL has no XOAUTH2: the snippet must say so:\n{text}"
    );
}

#[test]
fn mbsync_asks_for_xoauth2_and_names_the_sasl_plugin_it_needs() {
    let text = oauth_snippet(&work(), Tool::Mbsync);
    assert_lines(
        &text,
        &[
            "Host outlook.office365.com",
            "PassCmd \"mailcred get work\"",
            "AuthMechs XOAUTH2",
        ],
        "mbsync sends the token through Cyrus SASL's XOAUTH2",
    );
    assert!(text.contains("libsasl2-modules-kdexoauth2"), "{text}");
}

#[test]
fn offlineimap_evaluates_mailcred_get_as_its_access_token() {
    let text = oauth_snippet(&work(), Tool::Offlineimap);
    assert_lines(
        &text,
        &[
            "auth_mechanisms = XOAUTH2",
            "oauth2_access_token_eval = __import__(\"subprocess\").check_output([\"mailcred\", \
             \"get\", \"work\"], text=True).removesuffix(\"\\n\")",
        ],
        "OfflineIMAP's XOAUTH2 with the token from mailcred",
    );
    assert_no_line_with(&text, &["remotepasseval"], "no password");
}

#[test]
fn getmail_uses_xoauth2_over_imap_even_when_the_account_has_pop() {
    let with_pop = NewAccount {
        with_pop: true,
        ..new_account("work", Provider::Gmail)
    };
    let text = oauth_snippet(&with_pop, Tool::Getmail);
    assert_lines(
        &text,
        &[
            "type = SimpleIMAPSSLRetriever",
            "use_xoauth2 = True",
            "password_command = (\"mailcred\", \"get\", \"work\")",
        ],
        "getmail6 has XOAUTH2 for IMAP only",
    );
}

#[test]
fn getmail_refuses_an_oauth_account_without_imap_over_tls() {
    let pop_only = NewAccount {
        pop: EndpointFlags {
            host: Some("pop.example.org".into()),
            security: Some(Security::Tls),
            ..EndpointFlags::default()
        },
        ..new_account("reader", Provider::Custom)
    };
    let s = oauth_setup(&pop_only);
    let message = config(&s, Tool::Getmail, "reader")
        .fails_with(exit::USAGE, "getmail has no XOAUTH2 over POP");
    assert!(message.contains("XOAUTH2 over IMAP only"), "{message}");
}

#[test]
fn aerc_names_xoauth2_in_both_urls_with_the_token_from_the_cred_commands() {
    let text = oauth_snippet(&work(), Tool::Aerc);
    assert_lines(
        &text,
        &[
            "source = imaps+xoauth2://ann%40example.org@outlook.office365.com:993",
            "source-cred-cmd = mailcred get work",
            "outgoing = smtp+xoauth2://ann%40example.org@smtp.office365.com:587",
            "outgoing-cred-cmd = mailcred get work",
        ],
        "aerc sends the cred-cmd's answer as the token when no token_endpoint is given",
    );
    assert!(
        !text.contains("token_endpoint"),
        "aerc must not refresh itself: {text}"
    );
}

#[test]
fn himalaya_2_and_1_use_xoauth2_with_the_token_command() {
    let text = oauth_snippet(&work(), Tool::Himalaya);
    assert_lines(
        &text,
        &[
            "imap.sasl.xoauth2.username = \"ann@example.org\"",
            "imap.sasl.xoauth2.token.command = \"mailcred get work\"",
            "smtp.sasl.xoauth2.token.command = \"mailcred get work\"",
            "# backend.auth.type = \"oauth2\"",
            "# backend.auth.method = \"xoauth2\"",
            "# backend.auth.client-id = \"client-1\"",
            "# backend.auth.access-token.cmd = \"mailcred get work\"",
            "# message.send.backend.auth.type = \"oauth2\"",
        ],
        "himalaya 2's SASL XOAUTH2, and himalaya 1's oauth2 auth",
    );
    assert_no_line_with(&text, &["sasl.plain", "password.command"], "no password");
}

#[test]
fn an_app_password_account_keeps_its_password_snippets() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Gmail), "oauth-snippet-pw-2");
    let neomutt = config(&s, Tool::Neomutt, "work").ok("config");
    assert!(
        neomutt.contains("smtp_pass") && !neomutt.contains("xoauth2"),
        "{neomutt}"
    );
    let msmtp = config(&s, Tool::Msmtp, "work").ok("config");
    assert!(msmtp.contains("auth on"), "{msmtp}");
}

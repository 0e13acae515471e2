//! himalaya with an OAuth2 account: the snippet's keys checked by parsing
//! it as TOML (himalaya 2's `imap.sasl.xoauth2.*`, himalaya 1's
//! `backend.auth.type = "oauth2"`), and the real himalaya run when one is
//! on PATH; otherwise the test says NOT RUN and fails, unless
//! `MAILCRED_TEST_SKIP_HIMALAYA` says why it cannot run here (himalaya is
//! in neither Debian 12 nor PyPI), as for the app-password snippet.

use crate::readers::himalaya::{SKIP, blocks, himalaya, parse_toml};

use super::*;

#[test]
fn the_oauth_himalaya_snippet_has_the_xoauth2_keys_of_himalaya_2_and_1() {
    let reader = OAuthAccount::new(Servers::Imap);
    let (v2, v1) = blocks(&reader.snippet("himalaya"));
    let v2 = parse_toml(&v2);
    let xoauth2 = &v2["accounts"]["work"]["imap"]["sasl"]["xoauth2"];
    assert_eq!(xoauth2["username"], USER, "{v2}");
    assert_eq!(xoauth2["token"]["command"], "mailcred get work", "{v2}");
    assert!(
        v2["accounts"]["work"]["imap"]["sasl"]["plain"].is_null(),
        "{v2}"
    );

    let v1 = parse_toml(&v1);
    let auth = &v1["accounts"]["work"]["backend"]["auth"];
    assert_eq!(auth["type"], "oauth2", "{v1}");
    assert_eq!(auth["method"], "xoauth2", "{v1}");
    assert_eq!(auth["client-id"], mailcred_e2e::idp::CLIENT_ID, "{v1}");
    assert_eq!(auth["auth-url"], reader.idp.authorize_url(), "{v1}");
    assert_eq!(auth["token-url"], reader.idp.token_url(), "{v1}");
    assert_eq!(auth["access-token"]["cmd"], "mailcred get work", "{v1}");
}

#[test]
fn himalaya_lists_the_inbox_with_xoauth2_and_the_token_from_mailcred() {
    let Some((program, major)) = himalaya() else {
        eprintln!(
            "NOT RUN: himalaya_lists_the_inbox_with_xoauth2_and_the_token_from_mailcred: no \
             himalaya on PATH (it is in neither Debian 12 nor PyPI)"
        );
        match std::env::var(SKIP) {
            Ok(why) if !why.trim().is_empty() => {
                eprintln!("NOT RUN, excused by {SKIP}: {why}");
                return;
            }
            _ => panic!(
                "himalaya is not installed, so its OAuth2 snippet was not run: install \
                 himalaya, or set {SKIP} to the reason it cannot run here"
            ),
        }
    };
    let reader = OAuthAccount::reader();
    let (v2, v1) = blocks(&reader.snippet("himalaya"));
    let ca = reader.dovecot().ca_file();
    let config = if major >= 2 {
        insert_after(
            &v2,
            "imap.server = ",
            &format!("imap.tls.cert = \"{}\"", ca.display()),
        )
    } else {
        v1
    };
    let config = reader.write_in_home("himalaya.toml", &config);
    let mut listing = reader.command(&program.display().to_string());
    listing.env("SSL_CERT_FILE", &ca).arg("-c").arg(config);
    listing.args(if major >= 2 {
        ["envelopes", "list"]
    } else {
        ["envelope", "list"]
    });
    let listed = run(listing, b"");
    assert!(
        listed.success(),
        "himalaya should list the inbox:\n{listed}"
    );
    assert!(
        reader.imap_logins().iter().all(|ok| *ok) && !reader.imap_logins().is_empty(),
        "himalaya should log in with XOAUTH2:\n{listed}\n{}",
        reader.dovecot().log()
    );
}

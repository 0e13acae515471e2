use super::super::session::script::Script;
use super::*;
use crate::wire::block_on;

/// `\0alice\0secret`, base64.
const ALICE_SECRET: &str = "AGFsaWNlAHNlY3JldA==";

fn greeted(chunks: &[&str]) -> Imap<Script> {
    block_on(Imap::greet(Session::new(Script::new(chunks)))).expect("a greeting")
}

fn written(imap: &Imap<Script>) -> String {
    String::from_utf8(imap.session.io_ref().written.clone()).unwrap()
}

fn secret(password: &str) -> SecretString {
    SecretString::from(password)
}

#[test]
fn with_sasl_ir_the_password_goes_in_one_authenticate_plain_line() {
    let mut imap = greeted(&[
        "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n",
        "m1 OK [CAPABILITY IMAP4rev1] Logged in\r\n",
        "* BYE bye\r\nm2 OK done\r\n",
    ]);
    let mechanism = imap.mechanism().unwrap();
    assert_eq!(mechanism, Mechanism::Plain { initial: true });
    block_on(imap.login(mechanism, "alice", &secret("secret"))).unwrap();
    block_on(imap.logout());
    assert_eq!(
        written(&imap),
        format!("m1 AUTHENTICATE PLAIN {ALICE_SECRET}\r\nm2 LOGOUT\r\n"),
        "the capabilities of the greeting are used, not asked again"
    );
}

#[test]
fn without_sasl_ir_the_response_waits_for_the_continuation() {
    let mut imap = greeted(&[
        "* OK ready\r\n",
        "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nm1 OK done\r\n",
        "+ \r\n",
        "m2 OK Logged in\r\n",
    ]);
    let mechanism = imap.mechanism().unwrap();
    assert_eq!(mechanism, Mechanism::Plain { initial: false });
    block_on(imap.login(mechanism, "alice", &secret("secret"))).unwrap();
    assert_eq!(
        written(&imap),
        format!("m1 CAPABILITY\r\nm2 AUTHENTICATE PLAIN\r\n{ALICE_SECRET}\r\n")
    );
}

#[test]
fn login_quotes_and_escapes_when_plain_is_not_offered() {
    let mut imap = greeted(&[
        "* OK [CAPABILITY IMAP4rev1] ready\r\n",
        "m1 OK Logged in\r\n",
    ]);
    assert_eq!(imap.mechanism().unwrap(), Mechanism::Login);
    block_on(imap.login(Mechanism::Login, "al\"ice", &secret("pass \\ word"))).unwrap();
    assert_eq!(
        written(&imap),
        "m1 LOGIN \"al\\\"ice\" \"pass \\\\ word\"\r\n"
    );
}

#[test]
fn a_password_login_cannot_quote_is_not_sent() {
    let mut imap = greeted(&["* OK [CAPABILITY IMAP4rev1] ready\r\n"]);
    for password in ["naïve", "two\r\nlines"] {
        let refused = block_on(imap.login(Mechanism::Login, "alice", &secret(password)));
        assert!(matches!(refused, Err(Failure::Unsendable)), "{refused:?}");
    }
    assert_eq!(written(&imap), "", "nothing went out");
}

#[test]
fn a_refused_login_quotes_the_server() {
    let mut imap = greeted(&[
        "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n",
        "m1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n",
    ]);
    let refused = block_on(imap.login(imap.mechanism().unwrap(), "alice", &secret("nope")));
    assert!(
        matches!(&refused, Err(Failure::Refused(text)) if text == "[AUTHENTICATIONFAILED] Authentication failed."),
        "{refused:?}"
    );
}

#[test]
fn a_server_that_says_bye_and_hangs_up_has_refused() {
    let mut imap = greeted(&[
        "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n",
        "* BYE Too many login failures\r\n",
    ]);
    let refused = block_on(imap.login(imap.mechanism().unwrap(), "alice", &secret("nope")));
    assert!(
        matches!(&refused, Err(Failure::Refused(text)) if text == "Too many login failures"),
        "{refused:?}"
    );
}

#[test]
fn starttls_is_required_to_be_offered_and_the_capabilities_are_asked_again() {
    let tls = Tls::new("imap.example.org", &[]).unwrap();
    let mut plain = greeted(&["* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] ready\r\n"]);
    assert!(matches!(
        block_on(plain.starttls(&tls)),
        Err(Failure::NoStartTls)
    ));
    assert!(
        matches!(plain.mechanism(), Err(Failure::NoLogin)),
        "LOGINDISABLED and no AUTH=PLAIN: no way to log in"
    );

    let mut imap = greeted(&[
        "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n",
        "m1 OK Begin TLS negotiation now.\r\n",
        "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nm2 OK done\r\n",
    ]);
    block_on(imap.starttls(&tls)).unwrap();
    assert!(imap.session.io_ref().tls_started);
    assert_eq!(written(&imap), "m1 STARTTLS\r\nm2 CAPABILITY\r\n");
    assert_eq!(
        imap.mechanism().unwrap(),
        Mechanism::Plain { initial: false }
    );
}

#[test]
fn a_greeting_that_turns_us_away_or_is_not_imap_is_told() {
    for (greeting, bye) in [
        ("* BYE Server busy\r\n", true),
        ("+OK POP3 ready\r\n", false),
    ] {
        let greeted = block_on(Imap::greet(Session::new(Script::new(&[greeting]))));
        match (greeted, bye) {
            (Err(Failure::Greeting(text)), true) => assert_eq!(text, "Server busy"),
            (Err(Failure::Malformed(line)), false) => assert_eq!(line, "+OK POP3 ready"),
            (other, _) => panic!("{greeting:?}: {other:?}"),
        }
    }
}

/// `user=alice\x01auth=Bearer tok3n\x01\x01`, base64.
const ALICE_TOKEN: &str = "dXNlcj1hbGljZQFhdXRoPUJlYXJlciB0b2szbgEB";

#[test]
fn an_oauth_token_goes_in_one_authenticate_xoauth2_line_with_sasl_ir() {
    let mut imap = greeted(&[
        "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=XOAUTH2] ready\r\n",
        "m1 OK Logged in\r\n",
    ]);
    let mechanism = imap.oauth_mechanism().unwrap();
    assert_eq!(mechanism, Mechanism::XOAuth2 { initial: true });
    block_on(imap.login(mechanism, "alice", &secret("tok3n"))).unwrap();
    assert_eq!(
        written(&imap),
        format!("m1 AUTHENTICATE XOAUTH2 {ALICE_TOKEN}\r\n"),
        "XOAUTH2 even though PLAIN is offered: a token is no password"
    );
}

#[test]
fn an_xoauth2_error_continuation_gets_an_empty_line_and_the_refusal_is_quoted() {
    let mut imap = greeted(&[
        "* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2] ready\r\n",
        "+ \r\n",
        // {"status":"401","schemes":"bearer"}
        "+ eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIn0=\r\n",
        "m1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n",
    ]);
    let mechanism = imap.oauth_mechanism().unwrap();
    assert_eq!(mechanism, Mechanism::XOAuth2 { initial: false });
    let refused = block_on(imap.login(mechanism, "alice", &secret("tok3n")));
    assert!(
        matches!(&refused, Err(Failure::Refused(text)) if text == "[AUTHENTICATIONFAILED] Authentication failed."),
        "{refused:?}"
    );
    assert_eq!(
        written(&imap),
        format!("m1 AUTHENTICATE XOAUTH2\r\n{ALICE_TOKEN}\r\n\r\n"),
        "the token after the first continuation, an empty line after the error"
    );
}

#[test]
fn a_server_without_xoauth2_has_no_login_for_a_token() {
    let imap = greeted(&["* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n"]);
    assert!(
        matches!(imap.oauth_mechanism(), Err(Failure::NoLogin)),
        "a token must never go out as a PLAIN password"
    );
}

use super::super::session::script::Script;
use super::*;
use crate::wire::block_on;

fn greeted(chunks: &[&str]) -> Pop<Script> {
    block_on(Pop::greet(Session::new(Script::new(chunks)))).expect("a greeting")
}

fn written(pop: &Pop<Script>) -> String {
    String::from_utf8(pop.session.io_ref().written.clone()).unwrap()
}

const CAPA_SASL: &str = "+OK\r\nTOP\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n";

#[test]
fn auth_plain_with_its_initial_response_when_sasl_plain_is_offered() {
    let mut pop = greeted(&["+OK Dovecot ready.\r\n", CAPA_SASL, "+OK Logged in.\r\n"]);
    assert_eq!(pop.mechanism().unwrap(), Mechanism::Plain);
    block_on(pop.login(Mechanism::Plain, "alice", &SecretString::from("secret"))).unwrap();
    assert_eq!(written(&pop), "CAPA\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
}

#[test]
fn user_and_pass_otherwise_and_a_refusal_quotes_the_server() {
    let mut pop = greeted(&[
        "+OK ready\r\n",
        "+OK\r\nUSER\r\n.\r\n",
        "+OK\r\n",
        "-ERR [AUTH] Authentication failed.\r\n",
    ]);
    assert_eq!(pop.mechanism().unwrap(), Mechanism::UserPass);
    let refused = block_on(pop.login(Mechanism::UserPass, "alice", &SecretString::from("p w")));
    assert!(
        matches!(&refused, Err(Failure::Refused(text)) if text == "[AUTH] Authentication failed."),
        "{refused:?}"
    );
    assert_eq!(written(&pop), "CAPA\r\nUSER alice\r\nPASS p w\r\n");
}

#[test]
fn a_password_with_a_line_break_is_never_sent() {
    let mut pop = greeted(&["+OK ready\r\n", "-ERR unknown command\r\n"]);
    assert_eq!(
        pop.mechanism().unwrap(),
        Mechanism::UserPass,
        "no CAPA: USER and PASS"
    );
    let refused = block_on(pop.login(
        Mechanism::UserPass,
        "alice",
        &SecretString::from("one\r\nDELE 1"),
    ));
    assert!(matches!(refused, Err(Failure::Unsendable)), "{refused:?}");
    assert_eq!(written(&pop), "CAPA\r\n", "neither USER nor PASS went out");
}

#[test]
fn stls_must_be_offered_when_the_server_lists_its_capabilities() {
    let tls = Tls::new("pop.example.org", &[]).unwrap();
    let mut pop = greeted(&["+OK ready\r\n", CAPA_SASL]);
    assert!(matches!(
        block_on(pop.starttls(&tls)),
        Err(Failure::NoStartTls)
    ));

    let mut pop = greeted(&[
        "+OK ready\r\n",
        "+OK\r\nSTLS\r\nUSER\r\n.\r\n",
        "+OK Begin TLS negotiation now.\r\n",
        CAPA_SASL,
    ]);
    block_on(pop.starttls(&tls)).unwrap();
    assert!(pop.session.io_ref().tls_started);
    assert_eq!(written(&pop), "CAPA\r\nSTLS\r\nCAPA\r\n");
    assert_eq!(
        pop.mechanism().unwrap(),
        Mechanism::Plain,
        "the capabilities after TLS count"
    );
}

#[test]
fn a_server_without_capa_is_asked_for_stls_all_the_same() {
    let tls = Tls::new("pop.example.org", &[]).unwrap();
    let mut pop = greeted(&["+OK ready\r\n", "-ERR what?\r\n", "-ERR what?\r\n"]);
    assert!(matches!(
        block_on(pop.starttls(&tls)),
        Err(Failure::NoStartTls)
    ));
    assert_eq!(written(&pop), "CAPA\r\nSTLS\r\n");
}

#[test]
fn an_error_greeting_turns_us_away() {
    let greeted = block_on(Pop::greet(Session::new(Script::new(&[
        "-ERR [SYS/TEMP] busy\r\n",
    ]))));
    assert!(
        matches!(&greeted, Err(Failure::Greeting(text)) if text == "[SYS/TEMP] busy"),
        "{greeted:?}"
    );
}

#[test]
fn an_oauth_token_goes_in_auth_xoauth2_and_an_error_continuation_gets_an_empty_line() {
    let capa = "+OK\r\nUSER\r\nSASL PLAIN XOAUTH2\r\n.\r\n";
    let mut pop = greeted(&["+OK ready\r\n", capa, "+OK Logged in.\r\n"]);
    assert_eq!(pop.oauth_mechanism().unwrap(), Mechanism::XOAuth2);
    block_on(pop.login(Mechanism::XOAuth2, "alice", &SecretString::from("tok3n"))).unwrap();
    // base64 of "user=alice\x01auth=Bearer tok3n\x01\x01"
    assert_eq!(
        written(&pop),
        "CAPA\r\nAUTH XOAUTH2 dXNlcj1hbGljZQFhdXRoPUJlYXJlciB0b2szbgEB\r\n"
    );

    let mut pop = greeted(&[
        "+OK ready\r\n",
        capa,
        "+ eyJzdGF0dXMiOiI0MDEifQ==\r\n",
        "-ERR [AUTH] Authentication failed.\r\n",
    ]);
    let refused = block_on(pop.login(Mechanism::XOAuth2, "alice", &SecretString::from("x")));
    assert!(
        matches!(&refused, Err(Failure::Refused(text)) if text == "[AUTH] Authentication failed."),
        "{refused:?}"
    );
    assert!(written(&pop).ends_with("\r\n\r\n"), "{:?}", written(&pop));
}

#[test]
fn a_pop_server_without_sasl_xoauth2_has_no_login_for_a_token() {
    let pop = greeted(&["+OK ready\r\n", CAPA_SASL]);
    assert!(matches!(pop.oauth_mechanism(), Err(Failure::NoLogin)));
}

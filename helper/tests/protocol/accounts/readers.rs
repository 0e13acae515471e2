//! `mailcred neomutt --hostname H [--username U] --type T` for every
//! protocol: the `s` NeoMutt adds under TLS is the URL scheme, and the
//! answer is the account with an endpoint of that protocol on that server,
//! with that endpoint's login and the account's one password.

use mailcred::accounts::{Protocol, Provider};
use mailcred::commands::accounts::{EndpointFlags, NewAccount};
use mailcred::commands::lookup;
use mailcred::exit;

use super::{Outcome, Setup, USER};

/// `mailcred neomutt --hostname HOST [--username USER] --type TYPE`.
fn neomutt(s: &Setup, host: &str, username: Option<&str>, kind: &str) -> Outcome {
    let protocol = Protocol::from_scheme(kind).expect("a mail protocol");
    s.run(|ctx, out| lookup::neomutt(ctx, host, username, Some(protocol), out))
}

fn lines(login: &str, password: &str) -> String {
    format!("username: {login}\nlogin: {login}\npassword: {password}\n")
}

/// `own`: SMTP, IMAP (login `ann`) and POP, all on mail.example.org.
fn one_host_for_everything() -> Setup {
    let s = Setup::new();
    let on = |login: Option<&str>| EndpointFlags {
        host: Some("mail.example.org".into()),
        login: login.map(Into::into),
        ..EndpointFlags::default()
    };
    let new = NewAccount {
        smtp: on(None),
        imap: on(Some("ann")),
        pop: on(None),
        ..NewAccount::new("own", Provider::Custom, USER)
    };
    s.added(&new, "own-pw-1");
    s
}

#[test]
fn every_type_neomutt_sends_finds_the_endpoint_of_its_protocol_with_its_login() {
    let s = one_host_for_everything();
    for (kind, login) in [
        ("smtp", USER),
        ("smtps", USER),
        ("imap", "ann"),
        ("imaps", "ann"),
        ("pop", USER),
        ("pops", USER),
    ] {
        assert_eq!(
            neomutt(&s, "mail.example.org", None, kind).ok("neomutt"),
            lines(login, "own-pw-1"),
            "--type {kind}: the `s` is TLS, not another endpoint; the login is the endpoint's"
        );
    }
}

#[test]
fn the_username_neomutt_passes_may_be_the_endpoint_login_or_the_account_user() {
    let s = one_host_for_everything();
    for username in ["ann", USER] {
        assert_eq!(
            neomutt(&s, "MAIL.example.org", Some(username), "imaps").ok("neomutt"),
            lines("ann", "own-pw-1"),
            "imap_user may be set to either: both name the account (host names compare \
             without regard to case)"
        );
    }
    neomutt(&s, "mail.example.org", Some("bob"), "imaps").fails_with(
        exit::NO_ACCOUNT,
        "a login nobody has there finds no account",
    );
}

#[test]
fn a_type_whose_endpoint_the_account_lacks_there_finds_nothing() {
    let s = Setup::new();
    s.added(
        &NewAccount::new("work", Provider::Gmail, USER),
        "gmail-pw-1",
    );
    for (host, kind) in [
        ("smtp.gmail.com", "imaps"),
        ("imap.gmail.com", "smtp"),
        ("imap.gmail.com", "pops"),
    ] {
        let message = neomutt(&s, host, None, kind).fails_with(
            exit::NO_ACCOUNT,
            "an account answers only for its endpoint of the protocol asked for",
        );
        assert!(
            message.contains(host) && message.contains(&kind[..3].to_ascii_uppercase()),
            "the error names the server and the protocol: {message}"
        );
    }
    assert_eq!(
        neomutt(&s, "imap.gmail.com", None, "imaps").ok("neomutt for Gmail's IMAP"),
        lines(USER, "gmail-pw-1")
    );
}

#[test]
fn two_readers_on_one_server_need_the_username_to_be_told_apart() {
    let s = Setup::new();
    for (name, user, password) in [
        ("ann", "ann@gmail.com", "ann-pw-1"),
        ("bob", "bob@gmail.com", "bob-pw-2"),
    ] {
        s.added(&NewAccount::new(name, Provider::Gmail, user), password);
    }
    let message = neomutt(&s, "imap.gmail.com", None, "imaps")
        .fails_with(exit::NO_ACCOUNT, "two accounts read there: no guess");
    assert!(
        message.contains("ann") && message.contains("bob"),
        "{message}"
    );
    assert_eq!(
        neomutt(&s, "imap.gmail.com", Some("bob@gmail.com"), "imaps").ok("neomutt"),
        lines("bob@gmail.com", "bob-pw-2")
    );
}

#[test]
fn neomutt_without_a_type_answers_for_any_endpoint_on_the_server() {
    let s = one_host_for_everything();
    let outcome = s.run(|ctx, out| lookup::neomutt(ctx, "mail.example.org", None, None, out));
    assert_eq!(
        outcome.ok("neomutt without --type"),
        lines(USER, "own-pw-1"),
        "one account on the server counts once, however many endpoints it has there"
    );
}

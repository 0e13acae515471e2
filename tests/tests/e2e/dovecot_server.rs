//! The Dovecot test server itself, proved with `openssl s_client` and a
//! bare TCP connection given the password in plain text: the tests of
//! mailcred with the reading programs (`readers`) build on what these show
//! the server does and logs.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use mailcred_e2e::dovecot::{DovecotServer, MailProtocol, STARTTLS_HOST, TLS_HOST};
use mailcred_e2e::{Outcome, require, run};

const USER: &str = "alice@example.org";
const PASSWORD: &str = "abcd efgh ijkl mnop";

/// A whole session through `openssl s_client`, TLS from the first byte or
/// after `starttls` (`imap`, `pop3`); the commands are sent at once, which
/// both protocols allow.
pub(crate) fn s_client(
    server: &DovecotServer,
    host: &str,
    port: u16,
    starttls: Option<&str>,
    script: &str,
) -> Outcome {
    require("openssl", "openssl");
    let mut openssl = Command::new("openssl");
    openssl
        .args(["s_client", "-quiet", "-verify_return_error", "-connect"])
        .arg(format!("{host}:{port}"))
        .arg("-CAfile")
        .arg(server.ca_file());
    if host == TLS_HOST {
        openssl.args(["-verify_hostname", TLS_HOST]);
    } else {
        openssl.args(["-verify_ip", host]);
    }
    if let Some(protocol) = starttls {
        openssl.args(["-starttls", protocol]);
    }
    run(openssl, script.replace('\n', "\r\n").as_bytes())
}

fn imap_login(password: &str) -> String {
    format!("a LOGIN \"{USER}\" \"{password}\"\nb LOGOUT\n")
}

fn pop3_login(password: &str) -> String {
    format!("USER {USER}\nPASS {password}\nQUIT\n")
}

#[test]
fn imaps_and_pop3s_let_the_right_password_in_and_log_it_as_tls() {
    let server = DovecotServer::start(&[(USER, PASSWORD)]);
    let ports = server.ports();
    let imap = s_client(&server, TLS_HOST, ports.imaps, None, &imap_login(PASSWORD));
    assert!(imap.stdout.contains("a OK"), "IMAPS should log in:\n{imap}");
    let pop = s_client(&server, TLS_HOST, ports.pop3s, None, &pop3_login(PASSWORD));
    assert!(
        pop.stdout.contains("+OK Logged in"),
        "POP3S should log in:\n{pop}"
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
        "the server should log one accepted TLS login per protocol:\n{}",
        server.log()
    );
}

#[test]
fn a_wrong_password_is_refused_and_logged_with_the_password_sent() {
    let server = DovecotServer::start(&[(USER, PASSWORD)]);
    let ports = server.ports();
    let imap = s_client(&server, TLS_HOST, ports.imaps, None, &imap_login("not it"));
    assert!(
        imap.stdout.contains("a NO [AUTHENTICATIONFAILED]"),
        "IMAP answers a wrong password with [AUTHENTICATIONFAILED]:\n{imap}"
    );
    let pop = s_client(
        &server,
        TLS_HOST,
        ports.pop3s,
        None,
        &pop3_login("not it either"),
    );
    assert!(
        pop.stdout.contains("-ERR [AUTH]"),
        "POP3 answers -ERR [AUTH]:\n{pop}"
    );

    let logins = server.logins_of(USER);
    assert_eq!(logins.len(), 2, "two refused logins:\n{}", server.log());
    assert!(logins[0].refused("not it"), "{:?}", logins[0]);
    assert!(logins[1].refused("not it either"), "{:?}", logins[1]);
}

#[test]
fn the_starttls_listeners_let_a_login_in_only_after_starttls() {
    let server = DovecotServer::start(&[(USER, PASSWORD)]);
    let ports = server.ports();
    for (port, script, answer) in [
        (ports.imap, imap_login(PASSWORD), "a OK"),
        (ports.pop3, pop3_login(PASSWORD), "+OK Logged in"),
    ] {
        let plain = plain_session(port, &script);
        assert!(
            !plain.contains(answer),
            "no login may pass without TLS on {STARTTLS_HOST}:{port}: {plain:?}"
        );
    }
    let imap = s_client(
        &server,
        STARTTLS_HOST,
        ports.imap,
        Some("imap"),
        &imap_login(PASSWORD),
    );
    assert!(
        imap.stdout.contains("a OK"),
        "IMAP after STARTTLS logs in:\n{imap}"
    );
    let pop = s_client(
        &server,
        STARTTLS_HOST,
        ports.pop3,
        Some("pop3"),
        &pop3_login(PASSWORD),
    );
    assert!(
        pop.stdout.contains("+OK Logged in"),
        "POP3 after STLS logs in:\n{pop}"
    );

    let logins = server.logins_of(USER);
    let refused: Vec<_> = logins.iter().filter(|l| !l.accepted).collect();
    let accepted: Vec<_> = logins.iter().filter(|l| l.accepted).collect();
    assert_eq!(
        refused.len(),
        2,
        "both clear-text logins refused:\n{}",
        server.log()
    );
    assert!(
        refused
            .iter()
            .all(|l| !l.tls && l.plaintext_refused && l.refused_passwords.is_empty()),
        "refused for want of TLS, before any password was checked: {refused:?}"
    );
    assert_eq!(
        accepted.len(),
        2,
        "both logins after STARTTLS accepted:\n{}",
        server.log()
    );
    assert!(
        accepted
            .iter()
            .all(|l| l.tls && l.local_address == STARTTLS_HOST),
        "over TLS on {STARTTLS_HOST}: {accepted:?}"
    );
}

/// A clear-text session on 127.0.0.2: the replies, up to the connection's end.
fn plain_session(port: u16, script: &str) -> String {
    let stream = TcpStream::connect((STARTTLS_HOST, port)).expect("connect in the clear");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    (&stream)
        .write_all(script.replace('\n', "\r\n").as_bytes())
        .unwrap();
    let mut replies = String::new();
    let mut reader = BufReader::new(&stream);
    while reader.read_line(&mut replies).unwrap_or(0) > 0 {}
    replies
}

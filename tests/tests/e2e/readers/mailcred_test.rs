//! `mailcred test work` logging in to every endpoint of the account: SMTP
//! (the aiosmtpd server of `smtp_server`), IMAP and POP3 (Dovecot), each
//! reported on its own line, one exit status by the documented precedence.

use mailcred_e2e::smtp::{SmtpMode, SmtpServer};

use super::*;

/// `mailcred test work --ca-file PEM`, trusting Dovecot's CA and, when
/// given, the SMTP server's certificate.
fn mailcred_test(reader: &Reader, smtp: Option<&SmtpServer>) -> Outcome {
    let mut pem = fs::read_to_string(reader.server.ca_file()).unwrap();
    if let Some(smtp) = smtp {
        pem += &fs::read_to_string(smtp.ca_file()).unwrap();
    }
    let ca = reader.write("trusted.pem", &pem);
    reader.mailcred(&["test", ACCOUNT, "--ca-file", ca.to_str().unwrap()], "")
}

/// A reader whose account also sends through `smtp`.
fn with_smtp(stored: &str, endpoints: &[Endpoint]) -> (Reader, SmtpServer) {
    let reader = Reader::start();
    let smtp = SmtpServer::start(SmtpMode::StartTls, &[(USER, PASSWORD)]);
    let port = smtp.port().to_string();
    let flags = [
        "--host",
        smtp.host(),
        "--port",
        &port,
        "--security",
        "starttls",
    ];
    reader.add(stored, endpoints, &flags);
    (reader, smtp)
}

#[test]
fn every_endpoint_is_logged_in_to_and_reported_on_its_own_line() {
    let (reader, smtp) = with_smtp(PASSWORD, &[Endpoint::ImapStarttls, Endpoint::PopTls]);
    let tested = mailcred_test(&reader, Some(&smtp));
    let lines: Vec<&str> = tested.stdout.lines().collect();
    assert!(
        tested.success() && tested.stderr.is_empty() && lines.len() == 3,
        "three endpoints, three lines on stdout, exit 0:\n{tested}"
    );
    for (line, start, end) in [
        (
            lines[0],
            "work: SMTP: the server accepted the login of alice@example.org on 127.0.0.1:",
            "over STARTTLS; nothing was sent",
        ),
        (
            lines[1],
            "work: IMAP: the server accepted the login of alice@example.org on 127.0.0.2:",
            "over STARTTLS; logged out at once, nothing was fetched",
        ),
        (
            lines[2],
            "work: POP3: the server accepted the login of alice@example.org on localhost:",
            "over TLS; logged out at once, nothing was fetched",
        ),
    ] {
        assert!(
            line.starts_with(start) && line.ends_with(end),
            "{line:?}\n{tested}"
        );
    }
    assert_eq!(
        smtp.auths()
            .iter()
            .map(|a| (a.password.as_str(), a.ok))
            .collect::<Vec<_>>(),
        [(PASSWORD, true)],
        "the SMTP server saw one good login"
    );
    let logins = reader.logins();
    assert_eq!(
        logins
            .iter()
            .map(|l| (l.protocol, l.accepted, l.tls))
            .collect::<Vec<_>>(),
        [
            (MailProtocol::Imap, true, true),
            (MailProtocol::Pop3, true, true)
        ],
        "Dovecot saw one TLS login per protocol:\n{}",
        reader.server.log()
    );
}

#[test]
fn a_wrong_password_fails_each_endpoint_on_its_own_line_and_exits_77() {
    let (reader, smtp) = with_smtp(WRONG_PASSWORD, &[Endpoint::ImapTls, Endpoint::PopStarttls]);
    let tested = mailcred_test(&reader, Some(&smtp));
    let lines: Vec<&str> = tested.stderr.lines().collect();
    assert_eq!(
        tested.code,
        Some(NO_PERMISSION),
        "a refused login exits 77:\n{tested}"
    );
    assert!(
        tested.stdout.is_empty() && lines.len() == 3,
        "one line per endpoint on stderr:\n{tested}"
    );
    assert!(
        lines[0].starts_with("mailcred: SMTP: ") && lines[0].contains("535 5.7.8"),
        "{tested}"
    );
    assert!(
        lines[1].starts_with("mailcred: IMAP: the server refused the login of alice@example.org")
            && lines[1].contains("[AUTHENTICATIONFAILED]"),
        "{tested}"
    );
    assert!(
        lines[2].starts_with("mailcred: POP3: ") && lines[2].contains("[AUTH]"),
        "{tested}"
    );
    assert!(
        lines.iter().all(|l| l.contains("mailcred set-password")),
        "each says what to do:\n{tested}"
    );
    assert!(
        !tested.stderr.contains(WRONG_PASSWORD),
        "never the password:\n{tested}"
    );
    let logins = reader.logins();
    assert!(
        logins.len() == 2 && logins.iter().all(|l| l.refused(WRONG_PASSWORD)),
        "Dovecot refused the stored password once per protocol: {logins:#?}"
    );
}

#[test]
fn one_refused_endpoint_fails_the_test_while_the_others_are_reported_accepted() {
    // The SMTP server knows the stored password, Dovecot does not.
    let reader = Reader::start();
    let smtp = SmtpServer::start(SmtpMode::StartTls, &[(USER, WRONG_PASSWORD)]);
    let port = smtp.port().to_string();
    let flags = [
        "--host",
        smtp.host(),
        "--port",
        &port,
        "--security",
        "starttls",
    ];
    reader.add(WRONG_PASSWORD, &[Endpoint::ImapTls], &flags);
    let tested = mailcred_test(&reader, Some(&smtp));
    assert_eq!(tested.code, Some(NO_PERMISSION), "{tested}");
    assert!(
        tested.stdout.lines().count() == 1
            && tested.stdout.starts_with("work: SMTP: the server accepted")
            && tested.stderr.lines().count() == 1
            && tested
                .stderr
                .starts_with("mailcred: IMAP: the server refused"),
        "the accepted endpoint on stdout, the refused one on stderr:\n{tested}"
    );
}

#[test]
fn a_refused_login_wins_over_an_unreachable_server_by_the_precedence() {
    let reader = Reader::start();
    // POP3 on a port where nothing listens: a network failure (75).
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let closed_port = closed_port.to_string();
    let flags = [
        "--pop-host",
        "127.0.0.1",
        "--pop-port",
        &closed_port,
        "--pop-security",
        "tls",
    ];
    reader.add(WRONG_PASSWORD, &[Endpoint::ImapTls], &flags);
    let tested = mailcred_test(&reader, None);
    assert_eq!(
        tested.code,
        Some(NO_PERMISSION),
        "77 (refused) comes before 75 (temporary) in the precedence:\n{tested}"
    );
    assert!(
        tested.stderr.lines().count() == 2
            && tested
                .stderr
                .contains("mailcred: POP3: cannot connect to 127.0.0.1:"),
        "both failures told, each on its line:\n{tested}"
    );

    let only_unreachable = Reader::start();
    only_unreachable.add(PASSWORD, &[Endpoint::ImapTls], &flags);
    let tested = mailcred_test(&only_unreachable, None);
    assert_eq!(
        tested.code,
        Some(TEMPORARY),
        "alone, the network failure is 75:\n{tested}"
    );
    assert!(
        tested.stdout.starts_with("work: IMAP: the server accepted"),
        "{tested}"
    );
}

#[test]
fn exchange_onlines_imap_is_reported_as_needing_oauth_and_not_counted() {
    let reader = Reader::start();
    let flags = [
        "--imap-host",
        "outlook.office365.com",
        "--imap-port",
        "993",
        "--imap-security",
        "tls",
    ];
    reader.add(PASSWORD, &[Endpoint::PopTls], &flags);
    let tested = mailcred_test(&reader, None);
    assert!(
        tested.success() && tested.stderr.is_empty(),
        "the one counted endpoint accepted the login:\n{tested}"
    );
    assert!(
        tested.stdout.contains(
            "work: IMAP: outlook.office365.com:993 signs in with OAuth only: Exchange Online"
        ) && tested.stdout.contains("not tested, not counted")
            && tested.stdout.contains("work: POP3: the server accepted"),
        "{tested}"
    );
}

#[test]
fn a_failing_helper_fails_with_its_own_status_and_no_password_reaches_a_server() {
    let mut reader = Reader::new(PASSWORD, &[Endpoint::ImapTls, Endpoint::PopStarttls]);
    reader.break_the_keyring();
    let tested = mailcred_test(&reader, None);
    assert_eq!(
        tested.code,
        Some(KEYRING_UNAVAILABLE),
        "the helper's status (80) comes first in the precedence:\n{tested}"
    );
    assert!(tested.stdout.is_empty(), "{tested}");
    assert_eq!(
        reader.logins(),
        [],
        "no login was tried:\n{}",
        reader.server.log()
    );
}

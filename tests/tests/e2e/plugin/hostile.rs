//! Servers that attack the client: a reply line that never ends, and bytes
//! trickled so slowly that no single wait times out. The client must stop
//! at its limits with an error that says what happened, whatever the
//! transport (blocking, tokio, or `mailcred test`).

use std::time::Duration;

use mailcred_e2e::hostile::{HostileServer, Hostility, Report};
use mailcred_lettre::lettre::{AsyncTransport, Transport};
use mailcred_lettre::{Error, Exchange, MailcredTransportBuilder, Oversize};

use super::*;

/// Far more than any reply; the old client buffered all of it.
const ENDLESS: u64 = 256 * 1024 * 1024;
/// What may be in flight in the socket buffers of loopback when the client
/// hangs up, with room to spare: the client itself keeps 4 KiB of a line.
const IN_FLIGHT: u64 = 32 * 1024 * 1024;
/// The exchange deadline the trickle tests set.
const DEADLINE: Duration = Duration::from_secs(1);
/// A byte this often keeps every single wait well within its timeout.
const TRICKLE: Duration = Duration::from_millis(200);
/// A minute of trickling: the server gives up by itself after that.
const TRICKLED_BYTES: u64 = 300;

/// A transport to `server` asking `helper`, with the trickle tests' deadline.
fn builder(server: &HostileServer, helper: &Recorder) -> MailcredTransportBuilder {
    MailcredTransportBuilder::builder_dangerous("127.0.0.1", USER)
        .port(server.port())
        .credential_helper(helper.helper())
        .timeout(Some(Duration::from_secs(30)))
        .exchange_timeout(Some(DEADLINE))
}

#[track_caller]
fn assert_stopped_reading(error: &Error, report: Report) {
    assert!(
        matches!(
            error,
            Error::ReplyTooLarge {
                limit: Oversize::LineBytes(4096),
                ..
            }
        ),
        "a reply line without end is refused at 4096 bytes: {error:?}"
    );
    assert!(
        error.to_string().contains(
            "sent a reply line longer than 4096 bytes: not an SMTP server, or something on the \
             path is tampering"
        ),
        "the message says what happened: {error}"
    );
    assert!(
        !report.reached_cap && report.written < IN_FLIGHT,
        "the client should hang up after a line's worth, not read on: {report:?}"
    );
}

#[test]
fn the_sync_transport_refuses_a_reply_line_that_never_ends_without_reading_it_all() {
    let helper = Recorder::answering(PASSWORD);
    let server = HostileServer::start(Hostility::EndlessLine { cap: ENDLESS });
    let transport = builder(&server, &helper).build().unwrap();
    let error = transport.test_connection().unwrap_err();
    assert_stopped_reading(&error, server.report());
}

#[test]
fn the_async_transport_refuses_a_reply_line_that_never_ends_without_reading_it_all() {
    let helper = Recorder::answering(PASSWORD);
    let server = HostileServer::start(Hostility::EndlessLine { cap: ENDLESS });
    let transport = builder(&server, &helper).build_async().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let error = runtime.block_on(transport.test_connection()).unwrap_err();
    assert_stopped_reading(&error, server.report());
}

#[test]
fn mailcred_test_refuses_a_greeting_that_never_ends_and_says_why() {
    let server = HostileServer::start(Hostility::EndlessLine { cap: ENDLESS });
    let session = session_with_account_on(server.port());
    let mut command = session.command(bin(MAILCRED));
    command
        .env("PATH", path_with_binaries())
        .args(["test", ACCOUNT]);
    let tested = run(command, b"");
    let report = server.report();
    assert_eq!(
        tested.code,
        Some(76),
        "a server that breaks the protocol exits 76 (EX_PROTOCOL):\n{tested}"
    );
    assert!(
        tested
            .stderr
            .contains("sent a reply line longer than 4096 bytes")
            && tested.stderr.lines().count() == 1,
        "one line saying what the server did:\n{tested}"
    );
    assert!(
        !report.reached_cap && report.written < IN_FLIGHT,
        "mailcred test should hang up after a line's worth: {report:?}"
    );
}

/// A keyring session with the account [`ACCOUNT`] on `127.0.0.1:port`,
/// unencrypted (the hostile servers speak no TLS).
fn session_with_account_on(port: u16) -> KeyringSession {
    let session = KeyringSession::start();
    let port = port.to_string();
    let mut command = session.command(bin(MAILCRED));
    command.env("PATH", path_with_binaries()).args([
        "add",
        ACCOUNT,
        "--provider",
        "custom",
        "--user",
        USER,
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--security",
        "none-dangerous",
        "--password-stdin",
    ]);
    let added = run(command, format!("{PASSWORD}\n").as_bytes());
    assert!(added.success(), "mailcred add should succeed:\n{added}");
    session
}

#[track_caller]
fn assert_deadline(error: &Error, exchange: Exchange, port: u16) {
    assert!(
        matches!(error, Error::Deadline { exchange: e, limit, .. } if *e == exchange && *limit == DEADLINE),
        "the exchange deadline, not a timeout of one wait, ends a trickle: {error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&format!("127.0.0.1:{port}")) && message.contains("deadline was reached"),
        "the message names the server and the deadline: {message}"
    );
}

#[test]
fn the_sync_transport_gives_up_a_trickled_greeting_at_the_exchange_deadline() {
    let how = Hostility::TrickledGreeting {
        every: TRICKLE,
        count: TRICKLED_BYTES,
    };
    let helper = Recorder::answering(PASSWORD);
    let server = HostileServer::start(how);
    let port = server.port();
    let error = builder(&server, &helper)
        .build()
        .unwrap()
        .test_connection()
        .unwrap_err();
    assert_deadline(&error, Exchange::Login, port);
    assert!(!server.report().reached_cap, "the client hung up");
}

#[test]
fn the_async_transport_gives_up_a_trickled_greeting_at_the_exchange_deadline() {
    let how = Hostility::TrickledGreeting {
        every: TRICKLE,
        count: TRICKLED_BYTES,
    };
    let helper = Recorder::answering(PASSWORD);
    let server = HostileServer::start(how);
    let port = server.port();
    let transport = builder(&server, &helper).build_async().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let error = runtime.block_on(transport.test_connection()).unwrap_err();
    assert_deadline(&error, Exchange::Login, port);
    assert!(!server.report().reached_cap, "the client hung up");
}

#[test]
fn the_sync_transport_gives_up_a_trickled_message_reply_at_the_exchange_deadline() {
    let how = Hostility::TrickleAfterLogin {
        every: TRICKLE,
        count: TRICKLED_BYTES,
    };
    let helper = Recorder::answering(PASSWORD);
    let server = HostileServer::start(how);
    let port = server.port();
    let transport = builder(&server, &helper).build().unwrap();
    let error = transport
        .send(&message("trickled", &[RECIPIENT]))
        .unwrap_err();
    assert_deadline(&error, Exchange::Message, port);
    assert!(!server.report().reached_cap, "the client hung up");
}

#[test]
fn the_async_transport_gives_up_a_trickled_message_reply_at_the_exchange_deadline() {
    let how = Hostility::TrickleAfterLogin {
        every: TRICKLE,
        count: TRICKLED_BYTES,
    };
    let helper = Recorder::answering(PASSWORD);
    let server = HostileServer::start(how);
    let port = server.port();
    let transport = builder(&server, &helper).build_async().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let error = runtime
        .block_on(transport.send(message("trickled", &[RECIPIENT])))
        .unwrap_err();
    assert_deadline(&error, Exchange::Message, port);
    assert!(!server.report().reached_cap, "the client hung up");
}

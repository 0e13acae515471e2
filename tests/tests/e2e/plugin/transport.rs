//! The transports themselves: sync and tokio, over STARTTLS, implicit TLS
//! and (dangerously) no TLS, the certificate checked, the pool reused.

use std::time::Duration;

use mailcred_lettre::lettre::{AsyncTransport, Transport};
use mailcred_lettre::{Error, MailcredTransportBuilder};

use super::*;

/// Sends one message through the blocking transport and checks it arrived
/// after one AUTH with the stored password from the real helper.
fn sync_delivers(mode: SmtpMode) {
    let relay = MailAccount::new(mode, PASSWORD);
    let transport = relay.builder(relay.real_helper()).build().unwrap();
    let subject = format!("sync over {}", mode.as_str());
    transport
        .send(&message(&subject, &[RECIPIENT]))
        .unwrap_or_else(|e| panic!("the blocking transport should send over {mode:?}: {e}"));

    assert_eq!(
        relay.logins(),
        [(PASSWORD.to_owned(), true)],
        "one login, with the password mailcred keeps"
    );
    let messages = relay.server.messages();
    assert_eq!(messages.len(), 1, "one message: {messages:?}");
    assert_eq!(
        (messages[0].mail_from.as_str(), &messages[0].rcpt_tos[..]),
        (USER, &[RECIPIENT.to_owned()][..])
    );
    assert!(
        messages[0].data.contains(&format!("Subject: {subject}")),
        "the message should arrive whole: {:?}",
        messages[0].data
    );
}

#[test]
fn the_sync_transport_delivers_over_starttls_with_the_stored_password() {
    sync_delivers(SmtpMode::StartTls);
}

#[test]
fn the_sync_transport_delivers_over_implicit_tls_with_the_stored_password() {
    sync_delivers(SmtpMode::Tls);
}

#[test]
fn the_sync_transport_delivers_without_tls_only_when_built_dangerously() {
    sync_delivers(SmtpMode::Plain);
}

#[test]
fn a_safe_constructor_refuses_an_account_set_to_none_dangerous() {
    let relay = MailAccount::new(SmtpMode::Plain, PASSWORD);
    let refused = MailcredTransportBuilder::from_account(&relay.account()).unwrap_err();
    assert!(
        matches!(&refused, Error::PlaintextAccount { name } if name == ACCOUNT),
        "from_account must not send a password in clear: {refused:?}"
    );
}

#[test]
fn the_async_transport_sends_concurrently_over_at_most_two_pooled_connections() {
    let relay = MailAccount::new(SmtpMode::StartTls, PASSWORD);
    let recorder = Recorder::answering(PASSWORD);
    let transport = relay
        .builder(recorder.helper())
        .max_connections(2)
        .build_async()
        .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let sends: Vec<_> = (0..6)
            .map(|n| {
                let transport = transport.clone();
                tokio::spawn(async move {
                    transport
                        .send(message(&format!("async {n}"), &[RECIPIENT]))
                        .await
                })
            })
            .collect();
        for send in sends {
            send.await
                .unwrap()
                .unwrap_or_else(|e| panic!("the async transport should send: {e}"));
        }
        transport.shutdown().await;
    });

    assert_eq!(relay.server.messages().len(), 6, "every message arrives");
    let logins = relay.logins();
    assert!(
        (1..=2).contains(&logins.len()) && logins.iter().all(|(p, ok)| p == PASSWORD && *ok),
        "six messages over at most two connections, one login each: {logins:?}"
    );
    let gets = recorder.actions().iter().filter(|a| *a == "get").count();
    assert_eq!(
        gets,
        logins.len(),
        "the helper is asked once per new connection, not per message"
    );
}

#[test]
fn a_pooled_transport_asks_the_helper_once_for_many_messages() {
    let relay = MailAccount::new(SmtpMode::Tls, PASSWORD);
    let recorder = Recorder::answering(PASSWORD);
    let transport = relay.builder(recorder.helper()).build().unwrap();
    for n in 0..10 {
        transport
            .send(&message(&format!("pooled {n}"), &[RECIPIENT]))
            .unwrap();
    }
    assert_eq!(relay.server.messages().len(), 10);
    assert_eq!(relay.logins().len(), 1, "ten messages, one connection");
    assert_eq!(
        recorder.actions(),
        ["get", "store"],
        "one get when the connection opened, one store after its login"
    );
}

#[test]
fn a_server_with_an_untrusted_certificate_never_sees_the_password() {
    for mode in [SmtpMode::StartTls, SmtpMode::Tls] {
        let relay = MailAccount::new(mode, PASSWORD);
        let recorder = Recorder::answering(PASSWORD);
        // No CA certificate: Mozilla's roots only.
        let transport = MailcredTransportBuilder::from_account(&relay.account())
            .unwrap()
            .credential_helper(recorder.helper())
            .build()
            .unwrap();
        let error = transport
            .send(&message("untrusted", &[RECIPIENT]))
            .unwrap_err();
        assert!(
            matches!(error, Error::Tls { .. }),
            "the self-signed certificate must be refused over {mode:?}: {error:?}"
        );
        assert!(
            error.to_string().contains("certificate is not trusted"),
            "the error should say what to do: {error}"
        );
        assert_eq!(relay.logins(), [], "no AUTH to an unverified server");
        assert_eq!(
            recorder.calls(),
            [],
            "the helper is not even asked before TLS is up"
        );
    }
}

#[test]
fn starttls_is_required_not_opportunistic() {
    // A server that offers no STARTTLS, reached with the STARTTLS constructor.
    let relay = MailAccount::new(SmtpMode::Plain, PASSWORD);
    let recorder = Recorder::answering(PASSWORD);
    let transport = MailcredTransportBuilder::starttls_relay(relay.server.host(), USER)
        .port(relay.server.port())
        .credential_helper(recorder.helper())
        .build()
        .unwrap();
    let error = transport
        .send(&message("no starttls", &[RECIPIENT]))
        .unwrap_err();
    assert!(matches!(error, Error::NoStartTls { .. }), "{error:?}");
    assert_eq!(relay.logins(), [], "no password in clear");
    assert_eq!(recorder.calls(), [], "the helper is not asked");
}

#[test]
fn an_idle_connection_past_its_timeout_is_replaced_by_a_new_login() {
    let relay = MailAccount::new(SmtpMode::Plain, PASSWORD);
    let recorder = Recorder::answering(PASSWORD);
    let transport = relay
        .builder(recorder.helper())
        .idle_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    transport.send(&message("first", &[RECIPIENT])).unwrap();
    transport.send(&message("second", &[RECIPIENT])).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    transport.send(&message("third", &[RECIPIENT])).unwrap();
    assert_eq!(relay.server.messages().len(), 3);
    assert_eq!(
        relay.logins().len(),
        2,
        "the second message reuses the connection, the third opens a new one"
    );
    assert_eq!(recorder.actions(), ["get", "store", "get", "store"]);
}

//! What the transport tells the credential helper: `store` after a login
//! the server accepted, `erase` only after `535`, nothing after a refused
//! recipient; and a password changed with `mailcred set-password` taken by
//! the next new connection.

use std::time::Duration;

use mailcred_lettre::lettre::Transport;
use mailcred_lettre::{Error, Refusal, Reply};

use super::*;

/// A call as the transport makes it: the account's request, with the
/// password for `store` and `erase`.
fn expected(relay: &MailAccount, action: &str, password: Option<&str>) -> Call {
    let mut request = vec![
        "protocol=smtp".to_owned(),
        format!("host=127.0.0.1:{}", relay.server.port()),
        format!("username={USER}"),
    ];
    if let Some(password) = password {
        request.push(format!("password={password}"));
    }
    Call {
        action: action.into(),
        request,
    }
}

#[test]
fn a_successful_login_is_approved_with_the_password_that_worked() {
    let relay = MailAccount::new(SmtpMode::StartTls, PASSWORD);
    let recorder = Recorder::answering(PASSWORD);
    let transport = relay.builder(recorder.helper()).build().unwrap();
    transport.send(&message("approved", &[RECIPIENT])).unwrap();
    assert_eq!(
        recorder.calls(),
        [
            expected(&relay, "get", None),
            expected(&relay, "store", Some(PASSWORD)),
        ],
        "git's order: fill, then approve after AUTH succeeded"
    );
}

#[test]
fn a_535_rejects_the_password_and_the_error_explains_it() {
    let relay = MailAccount::new(SmtpMode::StartTls, PASSWORD);
    let recorder = Recorder::answering(WRONG_PASSWORD);
    let transport = relay.builder(recorder.helper()).build().unwrap();
    let error = transport
        .send(&message("rejected", &[RECIPIENT]))
        .unwrap_err();

    let Error::Authentication { login, reply } = &error else {
        panic!("a refused login should be Error::Authentication: {error:?}");
    };
    assert_eq!(login.account.as_deref(), Some(ACCOUNT));
    assert_eq!(
        reply,
        &Reply {
            code: 535,
            text: "5.7.8 Authentication credentials invalid".into()
        }
    );
    let message = error.to_string();
    assert!(
        message.contains("alice@example.org on 127.0.0.1:")
            && message.contains("(account work)")
            && message.contains("\"535 5.7.8 Authentication credentials invalid\"")
            && message.contains("not accepted"),
        "the error names the account, quotes the server and explains: {message}"
    );
    assert!(
        !message.contains(WRONG_PASSWORD),
        "an error never shows a password: {message}"
    );
    assert_eq!(
        recorder.calls(),
        [
            expected(&relay, "get", None),
            expected(&relay, "erase", Some(WRONG_PASSWORD)),
        ],
        "after 535 the helper is told to forget exactly the refused password"
    );
    assert_eq!(relay.server.messages(), [], "nothing is sent");
}

#[test]
fn a_550_for_a_recipient_erases_nothing_and_sends_to_nobody() {
    let refused = "nobody@example.org";
    let relay = MailAccount::with(SmtpMode::Plain, &[refused], PASSWORD, &[]);
    let recorder = Recorder::answering(PASSWORD);
    let transport = relay.builder(recorder.helper()).build().unwrap();
    let error = transport
        .send(&message("half", &[RECIPIENT, refused]))
        .unwrap_err();

    let Error::RecipientsRefused {
        refused: list,
        total,
    } = &error
    else {
        panic!("a refused recipient should be Error::RecipientsRefused: {error:?}");
    };
    assert_eq!(
        (&list[..], *total),
        (
            &[Refusal {
                recipient: refused.into(),
                reply: Reply {
                    code: 550,
                    text: "5.1.1 Recipient rejected".into()
                }
            }][..],
            2
        )
    );
    assert!(
        error.to_string().contains("sent to nobody"),
        "the error says nothing went out: {error}"
    );
    assert_eq!(
        relay.server.messages(),
        [],
        "the accepted recipient must not get it either: no half-sent message"
    );
    assert_eq!(
        recorder.actions(),
        ["get", "store"],
        "a 550 is not a credential failure: no erase"
    );

    // The connection was reset, not dropped: the next message reuses it.
    transport.send(&message("whole", &[RECIPIENT])).unwrap();
    assert_eq!(relay.server.messages().len(), 1);
    assert_eq!(relay.logins().len(), 1, "still one connection, one login");
}

#[test]
fn with_the_real_helper_a_535_leaves_a_protected_account_its_password() {
    let relay = MailAccount::with(SmtpMode::Plain, &[], WRONG_PASSWORD, &[]);
    let transport = relay.builder(relay.real_helper()).build().unwrap();
    let error = transport
        .send(&message("refused", &[RECIPIENT]))
        .unwrap_err();
    assert!(matches!(error, Error::Authentication { .. }), "{error:?}");
    assert_eq!(relay.logins(), [(WRONG_PASSWORD.to_owned(), false)]);
    relay.assert_still_holds(
        WRONG_PASSWORD,
        "an account made with `mailcred add` survives git's erase",
    );
}

#[test]
fn a_password_changed_with_set_password_is_used_by_the_next_new_connection() {
    let relay = MailAccount::with(SmtpMode::StartTls, &[], WRONG_PASSWORD, &[]);
    let transport = relay
        .builder(relay.real_helper())
        .idle_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let set_password = |password: &str| {
        let changed = relay.mailcred(
            &["set-password", ACCOUNT, "--password-stdin"],
            &format!("{password}\n"),
        );
        assert!(changed.success(), "set-password should succeed:\n{changed}");
    };

    // The stored password is wrong: refused, and nothing cached.
    assert!(transport.send(&message("one", &[RECIPIENT])).is_err());
    set_password(PASSWORD);
    transport
        .send(&message("two", &[RECIPIENT]))
        .expect("the next connection should ask again and get the new password");
    // Changed again while a logged-in connection is idle in the pool: that
    // connection goes on working without asking...
    set_password(WRONG_PASSWORD);
    transport
        .send(&message("three", &[RECIPIENT]))
        .expect("the pooled connection is already logged in");
    // ...and the next new one asks, and gets the newest password.
    std::thread::sleep(Duration::from_millis(700));
    assert!(transport.send(&message("four", &[RECIPIENT])).is_err());

    assert_eq!(
        relay.logins(),
        [
            (WRONG_PASSWORD.to_owned(), false),
            (PASSWORD.to_owned(), true),
            (WRONG_PASSWORD.to_owned(), false),
        ],
        "each new connection logs in with the password stored at that moment"
    );
    let subjects: Vec<_> = relay
        .server
        .messages()
        .iter()
        .filter_map(|m| {
            m.data
                .lines()
                .find_map(|l| l.strip_prefix("Subject: "))
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(subjects, ["two", "three"]);
}

//! `mailcred test ACCOUNT` and `mailcred send`, run as users and scripts
//! run them: the built `mailcred`, which hands both to `mailcred-smtp`.

use super::*;

fn mailcred_test(relay: &MailAccount, account: &str) -> Outcome {
    let mut args = vec!["test", account];
    let ca = relay.ca_args();
    args.extend(ca.iter().map(String::as_str));
    relay.mailcred(&args, "")
}

#[test]
fn mailcred_test_logs_in_sends_nothing_and_says_so() {
    for mode in SmtpMode::ALL {
        let relay = MailAccount::new(mode, PASSWORD);
        let tested = mailcred_test(&relay, ACCOUNT);
        assert!(
            tested.success()
                && tested
                    .stdout
                    .contains("the server accepted the login of alice@example.org")
                && tested.stdout.contains("nothing was sent")
                && tested.stderr.is_empty(),
            "mailcred test should succeed quietly over {mode:?}:\n{tested}"
        );
        if mode == SmtpMode::Plain {
            assert!(
                tested.stdout.contains("UNENCRYPTED"),
                "a none-dangerous account is called what it is:\n{tested}"
            );
        }
        assert_eq!(relay.logins(), [(PASSWORD.to_owned(), true)]);
        assert_eq!(relay.server.messages(), [], "mailcred test sends nothing");
    }
}

#[test]
fn mailcred_test_shows_the_servers_reason_and_fails_on_a_wrong_password() {
    let relay = MailAccount::with(SmtpMode::StartTls, &[], WRONG_PASSWORD, &[]);
    let tested = mailcred_test(&relay, ACCOUNT);
    assert_eq!(
        tested.code,
        Some(NO_PERMISSION),
        "a refused login exits 77 (EX_NOPERM):\n{tested}"
    );
    assert!(
        tested.stdout.is_empty()
            && tested.stderr.lines().count() == 1
            && tested
                .stderr
                .contains("535 5.7.8 Authentication credentials invalid")
            && tested.stderr.contains("was not accepted")
            && tested.stderr.contains("mailcred set-password"),
        "one line quoting the server and saying what to do:\n{tested}"
    );
    assert!(!tested.stderr.contains(WRONG_PASSWORD), "{tested}");
    relay.assert_still_holds(WRONG_PASSWORD, "the account is protected from erase");
}

#[test]
fn mailcred_test_of_an_untrusted_server_fails_before_any_password() {
    let relay = MailAccount::new(SmtpMode::Tls, PASSWORD);
    let tested = relay.mailcred(&["test", ACCOUNT], "");
    assert_eq!(tested.code, Some(SERVER_UNAVAILABLE), "{tested}");
    assert!(
        tested.stderr.contains("certificate is not trusted"),
        "{tested}"
    );
    assert_eq!(relay.logins(), [], "no password to an unverified server");
}

#[test]
fn mailcred_test_of_an_unknown_account_says_how_to_add_one() {
    let relay = MailAccount::new(SmtpMode::Plain, PASSWORD);
    let tested = relay.mailcred(&["test", "nope"], "");
    assert_eq!(tested.code, Some(NO_ACCOUNT), "{tested}");
    assert!(tested.stderr.contains("mailcred add"), "{tested}");
}

const MESSAGE: &str = "\
From: Alice <alice@example.org>
To: Bob <bob@example.org>
Cc: carol@example.org
Bcc: dave@example.org
Subject: sent by mailcred send

Hello Bob,
.
a line holding only a dot, which -i keeps.
";

fn send(relay: &MailAccount, args: &[&str], message: &str) -> Outcome {
    let mut all = vec!["send"];
    let ca = relay.ca_args();
    all.extend(ca.iter().map(String::as_str));
    all.extend(args);
    relay.mailcred(&all, message)
}

#[test]
fn mailcred_send_sends_stdin_to_the_arguments_through_the_from_account() {
    let relay = MailAccount::new(SmtpMode::StartTls, PASSWORD);
    let sent = send(&relay, &["-oi", "--", RECIPIENT], MESSAGE);
    assert!(
        sent.success() && sent.stdout.is_empty() && sent.stderr.is_empty(),
        "mailcred send is silent on success, like sendmail:\n{sent}"
    );
    let messages = relay.server.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(
        (messages[0].mail_from.as_str(), &messages[0].rcpt_tos[..]),
        (USER, &[RECIPIENT.to_owned()][..]),
        "only the argument recipients without -t; the sender is From:"
    );
    assert!(
        messages[0]
            .data
            .ends_with(".\r\na line holding only a dot, which -i keeps.\r\n"),
        "with -i the whole message arrives, CRLF line ends: {:?}",
        messages[0].data
    );
    assert!(
        !messages[0].data.contains("Bcc:"),
        "Bcc lines are never sent: {:?}",
        messages[0].data
    );
}

/// The mailcred-mta package links `/usr/sbin/sendmail` to mailcred-smtp;
/// cron and mail(1) run it by that name, with sendmail's options and no
/// command.
#[test]
fn mailcred_smtp_linked_as_sendmail_sends_like_mailcred_send() {
    let relay = MailAccount::new(SmtpMode::StartTls, PASSWORD);
    let sbin = TempDir::new().unwrap();
    let sendmail = sbin.path().join("sendmail");
    std::os::unix::fs::symlink(bin("mailcred-smtp"), &sendmail).unwrap();
    let mut command = relay.command(sendmail.to_str().unwrap());
    command.args(relay.ca_args()).args([
        "-i",
        "-FCronDaemon",
        "-B8BITMIME",
        "-oem",
        "--",
        RECIPIENT,
    ]);
    let sent = run(command, MESSAGE.as_bytes());
    assert!(
        sent.success() && sent.stderr.is_empty(),
        "a link named sendmail is `mailcred send`, taking cron's options:\n{sent}"
    );
    let messages = relay.server.messages();
    assert_eq!(messages.len(), 1, "one message sent: {messages:?}");
    assert_eq!(
        messages[0].rcpt_tos,
        [RECIPIENT],
        "to the argument recipient"
    );
}

#[test]
fn mailcred_send_dash_t_sends_to_to_cc_and_bcc_with_the_given_sender() {
    let relay = MailAccount::new(SmtpMode::Tls, PASSWORD);
    let sent = send(&relay, &["-t", "-i", "-f", USER], MESSAGE);
    assert!(sent.success(), "{sent}");
    let messages = relay.server.messages();
    assert_eq!(messages.len(), 1, "{messages:?}\n{sent}");
    assert_eq!(
        messages[0].rcpt_tos,
        ["bob@example.org", "carol@example.org", "dave@example.org"]
    );
    assert!(!messages[0].data.contains("dave@"), "Bcc stays secret");
}

#[test]
fn mailcred_send_without_dash_i_stops_at_a_lone_dot() {
    let relay = MailAccount::new(SmtpMode::Plain, PASSWORD);
    let sent = send(&relay, &[RECIPIENT], MESSAGE);
    assert!(sent.success(), "{sent}");
    let data = &relay.server.messages()[0].data;
    assert!(
        data.ends_with("Hello Bob,\r\n") && !data.contains("which -i keeps"),
        "sendmail without -i ends the message at a line holding only a dot: {data:?}"
    );
}

#[test]
fn mailcred_send_with_a_refused_recipient_sends_to_nobody_and_names_it() {
    let refused = "nobody@example.org";
    let relay = MailAccount::with(SmtpMode::StartTls, &[refused], PASSWORD, &[]);
    let sent = send(&relay, &["-i", RECIPIENT, refused], MESSAGE);
    assert_eq!(
        sent.code,
        Some(SERVER_UNAVAILABLE),
        "a permanent refusal exits 69 (EX_UNAVAILABLE), like msmtp:\n{sent}"
    );
    assert!(
        sent.stderr.starts_with("mailcred: message not sent: ")
            && sent.stderr.contains("refused 1 of 2 recipients")
            && sent
                .stderr
                .contains("nobody@example.org (\"550 5.1.1 Recipient rejected\")"),
        "the one stderr line says nothing was sent and names the refused recipient:\n{sent}"
    );
    assert_eq!(relay.server.messages(), [], "nothing half-sent");
    relay.assert_still_holds(PASSWORD, "a 550 erases nothing");
}

#[test]
fn mailcred_send_needs_an_account_for_the_from_address() {
    let relay = MailAccount::new(SmtpMode::Plain, PASSWORD);
    let stranger = MESSAGE.replace("alice@example.org", "mallory@example.org");
    let sent = send(&relay, &["-i", RECIPIENT], &stranger);
    assert_eq!(sent.code, Some(NO_ACCOUNT), "{sent}");
    assert!(
        sent.stderr
            .contains("no mail account for the login mallory@example.org")
            && sent.stderr.contains("--account"),
        "{sent}"
    );
    // With --account it goes out through the named account.
    let sent = send(&relay, &["--account", ACCOUNT, "-i", RECIPIENT], &stranger);
    assert!(sent.success(), "{sent}");
    assert_eq!(relay.server.messages().len(), 1);
}

#[test]
fn mailcred_send_without_recipients_is_a_usage_error() {
    let relay = MailAccount::new(SmtpMode::Plain, PASSWORD);
    let sent = send(&relay, &["-i"], MESSAGE);
    assert_eq!(sent.code, Some(USAGE), "{sent}");
    assert!(sent.stderr.contains("no recipients"), "{sent}");
    assert_eq!(relay.logins(), [], "nothing to send, no login");
}

/// Blind copies spelled as RFC 5322's obsolete syntax allows: spaces before
/// the colon, any case, a continuation line (tabs: the unit tests).
const OBSOLETE_BCC: &str = "\
From: Alice <alice@example.org>
To: Bob <bob@example.org>
Bcc : hidden@example.org
bCC  :  second@example.org,
\tthird@example.org
Subject: blind copies

Hello Bob.
";

#[test]
fn mailcred_send_dash_t_sends_to_every_spelling_of_bcc_and_shows_none_of_them() {
    let relay = MailAccount::new(SmtpMode::Plain, PASSWORD);
    let sent = send(&relay, &["-t", "-i"], OBSOLETE_BCC);
    assert!(sent.success(), "{sent}");
    let messages = relay.server.messages();
    assert_eq!(messages.len(), 1, "{messages:?}\n{sent}");
    assert_eq!(
        messages[0].rcpt_tos,
        [
            "bob@example.org",
            "hidden@example.org",
            "second@example.org",
            "third@example.org"
        ],
        "each Bcc spelling puts its addresses in the envelope"
    );
    let data = &messages[0].data;
    let leaked: Vec<&str> = data
        .lines()
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            l.starts_with("bcc")
                || ["hidden@", "second@", "third@"]
                    .iter()
                    .any(|a| l.contains(a))
        })
        .collect();
    assert!(
        leaked.is_empty(),
        "no Bcc line, nor its continuation, reaches the recipients: {leaked:?} in {data:?}"
    );
}

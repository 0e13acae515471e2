//! neomutt in batch mode (`neomutt -n -F RC -s SUBJECT -- bob@example.org <
//! BODY`), configured with what `mailcred config neomutt work` prints.
//!
//! Two real neomutts: Debian 12's (20220429), which has no `account_command`
//! and takes the snippet's backtick branch, and a newer one (2022-11 or
//! later; on Debian 12 the bookworm-backports package that `scripts/test`
//! unpacks under `target/`), which takes the `account_command` branch.
//!
//! neomutt runs both commands while it reads its rc file, lending them its
//! own stdin, which in batch mode is the message body: the body arriving
//! whole proves mailcred never reads stdin.

use std::path::PathBuf;

use super::*;

const SUBJECT: &str = "sent by neomutt";
/// The body neomutt reads from stdin, long enough that a command nibbling
/// at stdin would show.
const BODY: &str = "\
Hello Bob,

this body is neomutt's stdin, which it lends to mailcred while reading its
rc file. Every line must arrive.

-- 
Alice
";

/// Which real neomutt runs.
#[derive(Clone, Copy, Debug)]
enum Neomutt {
    /// The system's `neomutt` (Debian 12: 20220429, no `account_command`).
    System,
    /// A neomutt with `account_command`: `MAILCRED_TEST_NEW_NEOMUTT`, else
    /// `target/neomutt-backports/usr/bin/neomutt` as `scripts/test` leaves it.
    WithAccountCommand,
}

impl Neomutt {
    fn program(self) -> PathBuf {
        match self {
            Self::System => {
                require("neomutt", "neomutt");
                PathBuf::from("neomutt")
            }
            Self::WithAccountCommand => {
                let path = std::env::var_os("MAILCRED_TEST_NEW_NEOMUTT")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| {
                        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                            .join("../target/neomutt-backports/usr/bin/neomutt")
                    });
                assert!(
                    path.exists(),
                    "no neomutt with account_command at {}: run scripts/test, which unpacks \
                     Debian's bookworm-backports neomutt there (Debian 12's own 20220429 \
                     predates account_command). This test never skips.",
                    path.display()
                );
                path
            }
        }
    }
}

/// Where neomutt gets the password.
#[derive(Clone, Copy)]
enum Source {
    /// The snippet as printed: `account_command` where neomutt has it,
    /// backticks where it does not.
    Snippet,
    /// Only `set account_command = "mailcred neomutt"`.
    AccountCommandOnly,
    /// Only ``set smtp_pass = "`mailcred get work`"``.
    BackticksOnly,
}

const IFDEF_ACCOUNT_COMMAND: &str =
    "ifdef account_command 'set account_command = \"mailcred neomutt\"'";
const IFNDEF_BACKTICKS: &str = "ifndef account_command 'set smtp_pass = \"`mailcred get work`\"'";

/// The snippet, with the password from `source`, plus what the test server
/// and batch mode need: the certificate to trust, and no copy of the sent
/// message in `~/sent`.
fn neomuttrc(mail: &MailAccount, source: Source) -> String {
    let snippet = mail.snippet("neomutt");
    assert!(
        snippet.lines().any(|l| l == IFDEF_ACCOUNT_COMMAND)
            && snippet.lines().any(|l| l == IFNDEF_BACKTICKS),
        "the neomutt snippet should use account_command where neomutt has it and backticks \
         elsewhere:\n{snippet}"
    );
    let mut rc = String::new();
    for line in snippet.lines() {
        let line = match (source, line) {
            (Source::Snippet, _) => line,
            (Source::AccountCommandOnly, IFDEF_ACCOUNT_COMMAND) => {
                "set account_command = \"mailcred neomutt\""
            }
            (Source::BackticksOnly, IFNDEF_BACKTICKS) => "set smtp_pass = \"`mailcred get work`\"",
            (_, IFDEF_ACCOUNT_COMMAND | IFNDEF_BACKTICKS) => continue,
            _ => line,
        };
        rc.push_str(line);
        rc.push('\n');
    }
    if mail.server.mode().uses_tls() {
        rc.push_str(&format!(
            "set ssl_ca_certificates_file = \"{}\"\n",
            mail.server.ca_file().display()
        ));
    }
    rc.push_str("set record = \"\"\n");
    rc
}

/// neomutt in batch mode sending [`BODY`] to bob@example.org.
fn send(mail: &MailAccount, which: Neomutt, rc: &str) -> Outcome {
    let program = which.program();
    let rc = mail.write("neomuttrc", rc);
    let mut neomutt = mail.command(&program.to_string_lossy());
    neomutt
        .args(["-n", "-F"])
        .arg(rc)
        .args(["-s", SUBJECT, "--", RECIPIENT]);
    run(neomutt, BODY.as_bytes())
}

/// [`BODY`] as it crosses the wire.
fn body_on_the_wire() -> String {
    BODY.replace('\n', "\r\n")
}

/// Sends over `mode` with `which` neomutt and the password from `source`,
/// and checks that the message, its body whole, arrived after AUTH with the
/// stored password.
fn delivers_with_the_stored_password(which: Neomutt, mode: SmtpMode, source: Source) {
    let mail = MailAccount::new(mode, PASSWORD);
    let sent = send(&mail, which, &neomuttrc(&mail, source));
    assert!(
        !sent.stderr.contains("unknown variable"),
        "{which:?} neomutt rejected a line of its rc file:\n{sent}"
    );
    mail.assert_delivered("neomutt", &sent, &format!("Subject: {SUBJECT}"));
    let data = &mail.server.messages()[0].data;
    assert!(
        data.ends_with(&body_on_the_wire()),
        "the body neomutt read from stdin should arrive intact: mailcred must not read \
         stdin, which neomutt lends it while reading its rc file: {data:?}"
    );
}

#[test]
fn the_snippet_delivers_with_debian_12_neomutt_through_backticks() {
    delivers_with_the_stored_password(Neomutt::System, SmtpMode::StartTls, Source::Snippet);
}

#[test]
fn the_snippet_delivers_with_a_newer_neomutt_through_account_command() {
    delivers_with_the_stored_password(
        Neomutt::WithAccountCommand,
        SmtpMode::StartTls,
        Source::Snippet,
    );
}

#[test]
fn account_command_alone_delivers_over_starttls_and_leaves_the_body_intact() {
    delivers_with_the_stored_password(
        Neomutt::WithAccountCommand,
        SmtpMode::StartTls,
        Source::AccountCommandOnly,
    );
}

#[test]
fn backticks_deliver_over_starttls_and_leave_the_body_intact() {
    delivers_with_the_stored_password(Neomutt::System, SmtpMode::StartTls, Source::BackticksOnly);
}

#[test]
fn backticks_deliver_over_plain_smtp_and_leave_the_body_intact() {
    delivers_with_the_stored_password(Neomutt::System, SmtpMode::Plain, Source::BackticksOnly);
}

#[test]
fn a_wrong_stored_password_is_refused_neomutt_fails_and_nothing_is_delivered() {
    for which in [Neomutt::System, Neomutt::WithAccountCommand] {
        let mail = MailAccount::new(SmtpMode::StartTls, WRONG_PASSWORD);
        let sent = send(&mail, which, &neomuttrc(&mail, Source::Snippet));
        assert!(
            !sent.success(),
            "{which:?} neomutt should fail when the server refuses the password:\n{sent}"
        );
        mail.assert_refused("neomutt", &sent);
    }
}

#[test]
fn backticks_naming_an_unknown_account_make_neomutt_fail_and_send_nothing() {
    let mail = MailAccount::new(SmtpMode::StartTls, PASSWORD);
    let rc =
        neomuttrc(&mail, Source::BackticksOnly).replace("mailcred get work", "mailcred get nobody");
    let sent = send(&mail, Neomutt::System, &rc);
    assert!(
        !sent.success() && sent.stderr.contains("no mail account named \"nobody\""),
        "neomutt should fail, showing mailcred's reason on stderr:\n{sent}"
    );
    mail.assert_nothing_sent("neomutt", &sent);
}

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
pub(crate) enum Neomutt {
    /// The system's `neomutt` (Debian 12: 20220429, no `account_command`).
    System,
    /// A neomutt with `account_command`: `MAILCRED_TEST_NEW_NEOMUTT`, else
    /// `target/neomutt-backports/usr/bin/neomutt` as `scripts/test` leaves it.
    WithAccountCommand,
}

impl Neomutt {
    pub(crate) fn program(self) -> PathBuf {
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
    rc + &test_settings(mail)
}

/// The certificate to trust, and no copy of the sent message in `~/sent`.
fn test_settings(mail: &MailAccount) -> String {
    let mut rc = String::new();
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

/// `neomutt -n -F RC -Q VARIABLE`: neomutt reads the rc file, running what
/// it says to run, prints the variable and sends nothing.
fn query(which: Neomutt, session: &KeyringSession, rc: &str, variable: &str) -> Outcome {
    let rc = write_private(session, "neomuttrc", rc);
    let mut neomutt = command_in(session, &which.program().to_string_lossy());
    neomutt.args(["-n", "-F"]).arg(rc).args(["-Q", variable]);
    run(neomutt, b"")
}

/// The value in neomutt's `set VARIABLE = "VALUE"` answer, its `\`
/// escapes undone.
#[track_caller]
fn queried_value(answer: &Outcome, variable: &str) -> String {
    let quoted = answer
        .stdout
        .trim_end()
        .strip_prefix(&format!("set {variable} = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or_else(|| panic!("neomutt should print `set {variable} = \"…\"`:\n{answer}"));
    let mut value = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        value.extend(if c == '\\' { chars.next() } else { Some(c) });
    }
    value
}

/// The login in an `smtp://LOGIN@HOST:PORT/` URL, percent-decoded as
/// neomutt decodes it.
#[track_caller]
fn login_in(url: &str) -> String {
    let user = url
        .split_once("://")
        .and_then(|(_, rest)| rest.rsplit_once('@'))
        .map(|(user, _)| user)
        .unwrap_or_else(|| panic!("{url:?} should be an smtp URL with a login"));
    percent_encoding::percent_decode_str(user)
        .decode_utf8()
        .expect("the login decodes to UTF-8")
        .into_owned()
}

#[test]
fn the_attack_login_pasted_between_double_quotes_does_run_a_command_in_neomutt() {
    // The positive control for the tests below: the login really is an
    // attack on this neomutt, and a file PWNED in HOME shows that it ran.
    for which in [Neomutt::System, Neomutt::WithAccountCommand] {
        let hand = HandEdited::login(HOSTILE_LOGIN);
        let rc = format!("set from = \"{HOSTILE_LOGIN}\"\n");
        let answer = query(which, &hand.session, &rc, "from");
        assert!(
            hand.pwned(),
            "{which:?} neomutt should run the login's `source \"touch PWNED |\"` when it is \
             pasted between double quotes; else the tests below prove nothing:\n{answer}"
        );
    }
}

#[test]
fn a_hostile_login_in_the_snippet_runs_nothing_and_reaches_neomutt_whole() {
    for which in [Neomutt::System, Neomutt::WithAccountCommand] {
        let hand = HandEdited::login(HOSTILE_LOGIN);
        let snippet = hand.snippet("neomutt");
        let answer = query(which, &hand.session, &snippet, "smtp_url");
        assert!(
            !hand.pwned(),
            "{which:?} neomutt ran the command hidden in the login:\n{snippet}\n{answer}"
        );
        // The newer neomutt exits 1 after any -Q; its stderr tells.
        assert!(
            answer.stderr.is_empty(),
            "{which:?} neomutt should read every line of the snippet without error:\n{answer}"
        );
        assert_eq!(
            login_in(&queried_value(&answer, "smtp_url")),
            HOSTILE_LOGIN,
            "{which:?} neomutt should log in with the login exactly as the account has it"
        );
    }
}

#[test]
fn a_login_sh_would_run_never_reaches_account_command_and_logs_in_whole() {
    // neomutt pastes the login unquoted into `ACCOUNT_COMMAND --username
    // LOGIN` and runs that with sh, which would run `touch PWNED` here
    // (`$IFS` is a blank to sh; the backslash keeps neomutt's double quotes
    // from expanding it first). The snippet must use backticks for it.
    let login = r"ann;touch\$IFS'PWNED';";
    let mail = MailAccount::with_hand_edited_login(SmtpMode::StartTls, login);
    let rc = mail.snippet("neomutt") + &test_settings(&mail);
    let sent = send(&mail, Neomutt::WithAccountCommand, &rc);
    assert!(
        !mail.session.home().join("PWNED").exists(),
        "neomutt's account_command ran with the login's shell syntax:\n{rc}\n{sent}"
    );
    let auths: Vec<_> = mail
        .server
        .auths()
        .iter()
        .map(|a| (a.username.clone(), a.password.clone(), a.ok))
        .collect();
    assert_eq!(
        auths,
        [(login.to_owned(), PASSWORD.to_owned(), true)],
        "neomutt should log in once, with the login byte for byte and the stored \
         password:\n{sent}"
    );
}

#[test]
fn a_hostile_server_name_gets_no_neomutt_snippet() {
    let host = r#"smtp.example.org"; source "touch PWNED |"; set x=""#;
    let hand = HandEdited::new(|a| smtp_of(a).host = host.into());
    let printed = hand.config("neomutt");
    if printed.success() {
        query(Neomutt::System, &hand.session, &printed.stdout, "smtp_url");
    }
    assert!(
        !hand.pwned(),
        "neomutt ran the command hidden in the server name"
    );
    assert_no_snippet(
        &printed,
        "the server name goes unquoted into neomutt's account_command shell line, so one that \
         is no DNS name must get no snippet",
    );
}

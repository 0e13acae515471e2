//! neomutt reading over IMAP with the password from mailcred: an account
//! with SMTP and IMAP on one host and an IMAP login of its own, configured
//! with `mailcred config neomutt`; neomutt, on a terminal (a pty made by
//! util-linux `script`: it fetches no mail in batch mode), opens the IMAP
//! inbox and quits.
//!
//! The newer neomutt asks `account_command` with `--type imap`: the login
//! it gets (`ann`, not the SMTP login) proves mailcred answered for the
//! endpoint of the type asked. Debian 12's neomutt takes `imap_pass` from
//! backticks. The IMAP server is a plaintext stand-in that records every
//! LOGIN (`mailcred_e2e::imap_stub`).

use mailcred_e2e::imap_stub::{ImapStub, Login};
use mailcred_e2e::smtp::SmtpMode;

use super::neomutt::Neomutt;
use super::*;

/// The IMAP endpoint's own login.
const IMAP_LOGIN: &str = "ann";

/// A session whose `work` sends through the plaintext SMTP server and
/// reads from the stand-in IMAP server, both on 127.0.0.1.
fn reading_account(stored: &str) -> (MailAccount, ImapStub) {
    let imap = ImapStub::start(IMAP_LOGIN, PASSWORD);
    let mail = MailAccount::start(SmtpMode::Plain, &[(USER, PASSWORD)], &[]);
    let port = imap.port().to_string();
    mail.add(
        stored,
        &[
            "--imap-host",
            "127.0.0.1",
            "--imap-port",
            &port,
            "--imap-security",
            "starttls",
            "--imap-login",
            IMAP_LOGIN,
        ],
    );
    (mail, imap)
}

/// The snippet, with account_command logging its arguments to
/// `~/account_command.log`, and what the stand-ins need: no STARTTLS (the
/// stand-in speaks plaintext only) and the sent copy in `+Sent`.
fn rc(mail: &MailAccount) -> String {
    let log = mail.session.home().join("account_command.log");
    let logger = mail.write(
        "account_command",
        &format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\nexec mailcred neomutt \"$@\"\n",
            log.display()
        ),
    );
    let mut permissions = fs::metadata(&logger).unwrap().permissions();
    permissions.set_mode(0o700);
    fs::set_permissions(&logger, permissions).unwrap();
    let snippet = mail.snippet("neomutt");
    assert!(
        snippet.contains(&format!("set folder = 'imap://{IMAP_LOGIN}@127.0.0.1:")),
        "the snippet should set the IMAP folder with the endpoint's login:\n{snippet}"
    );
    snippet.replace(
        "set account_command = \"mailcred neomutt\"",
        &format!("set account_command = \"{}\"", logger.display()),
    ) + "set ssl_starttls = no\nset quit = yes\n"
}

/// `which` neomutt on a terminal, opening the inbox and quitting at once.
fn open_inbox(mail: &MailAccount, which: Neomutt, rc: &str) -> Outcome {
    require("script", "util-linux (script)");
    let rc = mail.write("neomuttrc", rc);
    let line = format!(
        "stty rows 24 cols 80; '{}' -n -F '{}' -e 'push <quit>'",
        which.program().display(),
        rc.display()
    );
    let mut script = mail.command("script");
    script
        .args(["-qec", &line, "/dev/null"])
        .env("TERM", "xterm");
    run(script, b"")
}

#[test]
fn a_newer_neomutt_gets_the_imap_login_and_password_through_account_command_with_its_type() {
    let (mail, imap) = reading_account(PASSWORD);
    let sent = open_inbox(&mail, Neomutt::WithAccountCommand, &rc(&mail));
    let asked =
        fs::read_to_string(mail.session.home().join("account_command.log")).unwrap_or_default();
    assert_eq!(
        asked,
        format!("--hostname 127.0.0.1 --username {IMAP_LOGIN} --type imap\n"),
        "neomutt should ask account_command once, for IMAP:\n{sent}"
    );
    assert_eq!(
        imap.logins(),
        [Login {
            user: IMAP_LOGIN.into(),
            password: PASSWORD.into(),
            ok: true
        }],
        "neomutt should log in to IMAP once, as the IMAP endpoint's login with the account's \
         one password:\n{asked}\n{sent}"
    );
    assert!(
        sent.success(),
        "neomutt should open the inbox and quit:\n{sent}"
    );
}

#[test]
fn debian_12_neomutt_gets_the_imap_password_from_backticks() {
    let (mail, imap) = reading_account(PASSWORD);
    let sent = open_inbox(&mail, Neomutt::System, &rc(&mail));
    assert_eq!(
        imap.logins(),
        [Login {
            user: IMAP_LOGIN.into(),
            password: PASSWORD.into(),
            ok: true
        }],
        "Debian 12's neomutt should log in to IMAP with imap_pass from `mailcred get`:\n{sent}"
    );
    assert!(
        sent.success(),
        "neomutt should open the inbox and quit:\n{sent}"
    );
}

//! aerc with what `mailcred config aerc work` prints: `source-cred-cmd =
//! mailcred get work`. aerc has no batch mode: it runs in a tmux window,
//! and the server's log tells when it has logged in.

use std::time::Duration;

use mailcred_e2e::terminal::Terminal;

use super::*;

/// How long aerc may take to connect.
const PATIENCE: Duration = Duration::from_secs(20);

/// aerc in a terminal with the snippet as its accounts.conf, trusting the
/// test CA (Go's TLS reads `SSL_CERT_FILE`).
fn aerc(reader: &Reader) -> Terminal {
    require("aerc", "aerc");
    let snippet = reader.snippet("aerc");
    assert!(
        snippet.contains("\nsource-cred-cmd = mailcred get work\n"),
        "the password comes from mailcred:\n{snippet}"
    );
    let mut aerc = reader.command("aerc");
    // The session's own config directory, where mailcred keeps its accounts.
    let config = aerc
        .get_envs()
        .find(|(key, _)| *key == "XDG_CONFIG_HOME")
        .and_then(|(_, value)| value)
        .map(PathBuf::from)
        .expect("the session sets XDG_CONFIG_HOME");
    for (name, contents) in [("accounts.conf", snippet.as_str()), ("aerc.conf", "")] {
        let path = config.join("aerc").join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, contents).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    }
    aerc.env("SSL_CERT_FILE", reader.server.ca_file());
    Terminal::start(&aerc)
}

#[test]
fn aerc_opens_the_inbox_with_the_password_from_mailcred() {
    let reader = Reader::new(PASSWORD, &[Endpoint::ImapTls]);
    let terminal = aerc(&reader);
    let login = reader.server.wait_for_login(USER, PATIENCE, |l| l.accepted);
    let screen = terminal.screen();
    assert!(
        login.is_some(),
        "aerc should log in:\n{screen}\n{}",
        reader.server.log()
    );
    drop(terminal);
    reader.assert_logged_in("aerc", MailProtocol::Imap, &reader.logins(), &screen);
}

#[test]
fn aerc_with_a_wrong_stored_password_is_refused() {
    let reader = Reader::new(WRONG_PASSWORD, &[Endpoint::ImapTls]);
    let terminal = aerc(&reader);
    // Refused passwords are logged at once; the connection's record when
    // it closes, which aerc, waiting to reconnect, may not do.
    let refused = reader
        .server
        .wait_for_log(PATIENCE, |log| log.contains("Password mismatch"));
    let screen = terminal.screen();
    assert!(
        refused,
        "aerc should try:\n{screen}\n{}",
        reader.server.log()
    );
    drop(terminal);
    reader.assert_wrong_password_refused("aerc", &reader.logins(), &screen);
}

#[test]
fn aerc_with_a_failing_helper_sends_no_password() {
    let mut reader = Reader::new(PASSWORD, &[Endpoint::ImapTls]);
    reader.break_the_keyring();
    let terminal = aerc(&reader);
    let screen = terminal.wait_for_screen(PATIENCE, |s| s.contains("exit status 80"));
    drop(terminal);
    assert!(
        screen.contains("exit status 80"),
        "aerc should show that the password command failed:\n{screen}"
    );
    reader.assert_no_password_sent("aerc", &reader.logins(), &screen);
}

//! neomutt and mutt opening the account's IMAP INBOX, configured with what
//! `mailcred config neomutt work` and `mailcred config mutt work` print:
//! Debian 12's neomutt and mutt take the password from backticks, a newer
//! NeoMutt (`$MAILCRED_TEST_NEW_NEOMUTT`) from `account_command`. Both run
//! in a tmux window (`-z`: open the mailbox, leave if it is empty); the
//! server's log tells how they logged in.

use std::time::Duration;

use mailcred_e2e::terminal::Terminal;

use super::*;

const PATIENCE: Duration = Duration::from_secs(20);

/// Which mail reader runs.
#[derive(Debug, Clone, Copy)]
enum MailReader {
    /// Debian 12's neomutt (20220429): no account_command, backticks.
    SystemNeomutt,
    /// A NeoMutt with account_command (2022-11 or later).
    NewNeomutt,
    /// Debian 12's mutt (2.2).
    Mutt,
}

impl MailReader {
    const ALL: [MailReader; 3] = [
        MailReader::SystemNeomutt,
        MailReader::NewNeomutt,
        MailReader::Mutt,
    ];

    fn program(self) -> String {
        match self {
            MailReader::SystemNeomutt => {
                require("neomutt", "neomutt");
                "neomutt".into()
            }
            MailReader::Mutt => {
                require("mutt", "mutt");
                "mutt".into()
            }
            MailReader::NewNeomutt => {
                let path = std::env::var_os("MAILCRED_TEST_NEW_NEOMUTT")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| {
                        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                            .join("../target/neomutt-backports/usr/bin/neomutt")
                    });
                assert!(
                    path.exists(),
                    "no neomutt with account_command at {}: run scripts/test, which unpacks \
                     Debian's bookworm-backports neomutt there. This test never skips.",
                    path.display()
                );
                path.display().to_string()
            }
        }
    }

    fn tool(self) -> &'static str {
        match self {
            MailReader::Mutt => "mutt",
            _ => "neomutt",
        }
    }
}

/// The reader in a terminal, opening the INBOX with the snippet as its rc
/// file, trusting the test CA.
fn open_inbox(reader: &Reader, which: MailReader) -> Terminal {
    let snippet = reader.snippet(which.tool());
    let expected = match which {
        MailReader::Mutt => "set imap_pass = \"`mailcred get work`\"",
        _ => "ifdef account_command 'set account_command = \"mailcred neomutt\"'",
    };
    assert!(
        snippet.lines().any(|l| l == expected) && snippet.contains("set folder = 'imaps://"),
        "{which:?}: the IMAP folder, the password from mailcred:\n{snippet}"
    );
    let rc = format!(
        "{snippet}set ssl_ca_certificates_file = \"{}\"\n",
        reader.server.ca_file().display()
    );
    let rc = reader.write("muttrc", &rc);
    let mut mutt = reader.command(&which.program());
    mutt.args(["-n", "-F"]).arg(rc).arg("-z");
    Terminal::start(&mutt)
}

#[test]
fn each_reader_opens_the_inbox_with_the_password_from_mailcred() {
    for which in MailReader::ALL {
        let reader = Reader::new(PASSWORD, &[Endpoint::ImapTls]);
        let terminal = open_inbox(&reader, which);
        let login = reader.server.wait_for_login(USER, PATIENCE, |l| l.accepted);
        let screen = terminal.screen();
        assert!(
            login.is_some(),
            "{which:?} should log in:\n{screen}\n{}",
            reader.server.log()
        );
        drop(terminal);
        reader.assert_logged_in(which.tool(), MailProtocol::Imap, &reader.logins(), &screen);
    }
}

#[test]
fn each_reader_with_a_wrong_stored_password_is_refused() {
    for which in MailReader::ALL {
        let reader = Reader::new(WRONG_PASSWORD, &[Endpoint::ImapTls]);
        let terminal = open_inbox(&reader, which);
        let refused = reader
            .server
            .wait_for_log(PATIENCE, |log| log.contains("Password mismatch"));
        let screen = terminal.screen();
        assert!(
            refused,
            "{which:?} should try:\n{screen}\n{}",
            reader.server.log()
        );
        drop(terminal);
        reader.assert_wrong_password_refused(which.tool(), &reader.logins(), &screen);
    }
}

#[test]
fn each_reader_with_a_failing_helper_sends_no_password_and_asks_instead() {
    for which in MailReader::ALL {
        let mut reader = Reader::new(PASSWORD, &[Endpoint::ImapTls]);
        reader.break_the_keyring();
        let terminal = open_inbox(&reader, which);
        let screen = terminal.wait_for_screen(PATIENCE, |s| s.contains("Password"));
        drop(terminal);
        assert!(
            screen.contains("Password"),
            "{which:?} should fall back to asking for the password:\n{screen}"
        );
        reader.assert_no_password_sent(which.tool(), &reader.logins(), &screen);
    }
}

//! The snippets of accounts that read mail too: neomutt's IMAP folder beside
//! its SMTP server, git imap-send's settings beside git send-email's, and
//! programs that only send refusing an account that only reads.

use mailcred::accounts::{Account, Provider, Security};
use mailcred::commands::accounts::{EndpointFlags, NewAccount};
use mailcred::commands::snippets::{self, Tool};
use mailcred::exit;

use super::{Outcome, Setup, new_account};

fn config(s: &Setup, tool: Tool, name: &str) -> Outcome {
    s.run(|ctx, out| snippets::config(ctx, tool, name, "mailcred", out))
}

#[track_caller]
fn snippet_of(new: &NewAccount, tool: Tool) -> String {
    let s = Setup::new();
    s.added(new, "reader-snippet-pw-1");
    let text = config(&s, tool, &new.name).ok("config");
    assert!(
        !text.contains("reader-snippet-pw-1"),
        "never the password:\n{text}"
    );
    text
}

#[track_caller]
fn assert_lines(text: &str, wanted: &[&str], why: &str) {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    for line in wanted {
        assert!(
            lines.contains(line),
            "{why}: expected the line {line:?} in:\n{text}"
        );
    }
}

fn reader_only() -> NewAccount {
    NewAccount {
        imap: EndpointFlags {
            host: Some("imap.example.org".into()),
            security: Some(Security::Starttls),
            ..EndpointFlags::default()
        },
        ..new_account("reader", Provider::Custom)
    }
}

#[test]
fn neomutt_snippet_sets_the_imap_folder_with_its_password_from_mailcred() {
    let text = snippet_of(&new_account("work", Provider::Gmail), Tool::Neomutt);
    assert_lines(
        &text,
        &[
            "set smtp_url = 'smtp://ann%40example.org@smtp.gmail.com:587/'",
            "set folder = 'imaps://ann%40example.org@imap.gmail.com:993/'",
            "set spoolfile = '+INBOX'",
            "#   mailcred neomutt --hostname imap.gmail.com --username ann@example.org --type imap",
            "ifdef account_command 'set account_command = \"mailcred neomutt\"'",
            "ifndef account_command 'set smtp_pass = \"`mailcred get work`\"'",
            "ifndef account_command 'set imap_pass = \"`mailcred get work`\"'",
            "set ssl_starttls = yes",
            "set ssl_force_tls = yes",
        ],
        "neomutt reads over imaps with the login %-encoded, and gets one password for both",
    );
}

#[test]
fn neomutt_snippet_puts_the_imap_login_of_its_own_in_the_folder_url() {
    let icloud = NewAccount {
        imap: EndpointFlags {
            login: Some("ann".into()),
            ..EndpointFlags::default()
        },
        ..new_account("home", Provider::Icloud)
    };
    let text = snippet_of(&icloud, Tool::Neomutt);
    assert_lines(
        &text,
        &[
            "set folder = 'imaps://ann@imap.mail.me.com:993/'",
            "set smtp_url = 'smtp://ann%40example.org@smtp.mail.me.com:587/'",
        ],
        "neomutt passes the URL's user as --username: it must be the IMAP login",
    );
}

#[test]
fn neomutt_snippet_of_a_reader_only_account_over_starttls_has_no_smtp() {
    let text = snippet_of(&reader_only(), Tool::Neomutt);
    assert_lines(
        &text,
        &[
            "set folder = 'imap://ann%40example.org@imap.example.org:143/'",
            "set ssl_starttls = yes",
            "set ssl_force_tls = yes",
            "ifndef account_command 'set imap_pass = \"`mailcred get reader`\"'",
        ],
        "STARTTLS is the imap scheme with ssl_starttls, and TLS stays required",
    );
    assert!(
        !text.contains("smtp"),
        "an account that only reads gets no SMTP settings:\n{text}"
    );
}

#[test]
fn neomutt_snippet_leaves_out_an_imap_server_that_takes_oauth_only() {
    let text = snippet_of(&new_account("work", Provider::Office365), Tool::Neomutt);
    assert!(
        !text.contains("set folder") && !text.contains("imap_pass"),
        "Exchange Online's IMAP refuses app passwords: no folder that cannot log in:\n{text}"
    );
    assert!(text.contains("# no IMAP folder: Exchange Online"), "{text}");
}

#[test]
fn git_snippet_sets_up_imap_send_with_credential_sections_with_and_without_the_port() {
    let text = snippet_of(&new_account("work", Provider::Gmail), Tool::Git);
    assert_lines(
        &text,
        &[
            "[imap]",
            "host = imaps://imap.gmail.com",
            "port = 993",
            "user = \"ann@example.org\"",
            "[credential \"imaps://imap.gmail.com:993\"]",
            "[credential \"imaps://imap.gmail.com\"]",
            "[credential \"smtp://smtp.gmail.com:587\"]",
        ],
        "git imap-send asks for imaps://HOST (to 2.50) or HOST:PORT (from 2.51): both must \
         reach mailcred",
    );
}

#[test]
fn programs_that_only_send_refuse_an_account_that_only_reads() {
    let s = Setup::new();
    s.added(&reader_only(), "reader-snippet-pw-1");
    let message = config(&s, Tool::Msmtp, "reader").fails_with(
        exit::USAGE,
        "msmtp only sends: an account without SMTP cannot be used as asked",
    );
    assert!(message.contains("no SMTP endpoint"), "{message}");
    let git = config(&s, Tool::Git, "reader").ok("git snippet of a reader");
    assert!(
        !git.contains("sendemail") && git.contains("host = imap://imap.example.org"),
        "git gets imap-send alone:\n{git}"
    );
}

#[test]
fn every_snippet_refuses_a_hand_edited_imap_server_login_or_plaintext_security() {
    type Edit = fn(&mut Account);
    let edits: [(&str, Edit); 3] = [
        ("security", |a| {
            a.imap.as_mut().expect("IMAP").security = Security::NoneDangerous
        }),
        ("server", |a| {
            a.imap.as_mut().expect("IMAP").host = "imap.example.org\"; source \"x |\"".into()
        }),
        ("login", |a| {
            a.imap.as_mut().expect("IMAP").login = Some("ann\n[core]".into())
        }),
    ];
    for (what, edit) in edits {
        let s = Setup::new();
        s.added(&new_account("work", Provider::Gmail), "reader-snippet-pw-1");
        let accounts = s.ctx().accounts;
        let (held, _) = accounts.lock().expect("the account file locks");
        accounts
            .update(&held, |all| {
                edit(&mut all.accounts[0]);
                Ok(())
            })
            .expect("saved");
        drop(held);
        for tool in [Tool::Msmtp, Tool::Neomutt, Tool::Git] {
            config(&s, tool, "work").fails_with(
                exit::USAGE,
                &format!("the IMAP {what} is checked like the SMTP one, for {tool:?} too"),
            );
        }
    }
}

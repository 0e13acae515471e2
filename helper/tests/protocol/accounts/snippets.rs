//! `mailcred config msmtp|neomutt|git ACCOUNT`: ready snippets that call
//! mailcred for the password and never contain it, and that keep a hostile
//! login one value (or refuse the account).

use mailcred::accounts::{Account, Provider};
use mailcred::commands::snippets::{self, Tool};
use mailcred::exit;

use super::{Outcome, Setup, new_account};

fn config(s: &Setup, tool: Tool, name: &str) -> Outcome {
    s.run(|ctx, out| snippets::config(ctx, tool, name, "mailcred", out))
}

/// The snippet for `tool` of an account `work` at `provider`.
#[track_caller]
fn snippet(provider: Provider, tool: Tool) -> String {
    let s = Setup::new();
    s.added(&new_account("work", provider), "snippet-pw-1");
    let text = config(&s, tool, "work").ok("config");
    assert!(
        !text.contains("snippet-pw-1"),
        "a snippet ends up in dotfiles and repositories: it must never hold the password:\n{text}"
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

#[test]
fn msmtp_snippet_reads_the_password_with_mailcred_get() {
    let text = snippet(Provider::Office365, Tool::Msmtp);
    assert_lines(
        &text,
        &[
            "account work",
            "host smtp.office365.com",
            "port 587",
            "tls on",
            "tls_starttls on",
            "auth on",
            "user \"ann@example.org\"",
            "passwordeval \"mailcred get work\"",
        ],
        "msmtp must reach the server with STARTTLS and ask mailcred for the password",
    );
}

#[test]
fn msmtp_snippet_for_implicit_tls_turns_starttls_off() {
    let text = snippet(Provider::Fastmail, Tool::Msmtp);
    assert_lines(
        &text,
        &["port 465", "tls on", "tls_starttls off"],
        "on port 465 TLS starts with the first byte; msmtp's STARTTLS would never connect",
    );
}

#[test]
fn neomutt_snippet_uses_account_command_and_escapes_the_at_in_smtp_url() {
    let text = snippet(Provider::Office365, Tool::Neomutt);
    assert_lines(
        &text,
        &[
            "set smtp_url = 'smtp://ann%40example.org@smtp.office365.com:587/'",
            "ifdef account_command 'set account_command = \"mailcred neomutt\"'",
            "ifndef account_command 'set smtp_pass = \"`mailcred get work`\"'",
            "set ssl_starttls = yes",
            "set ssl_force_tls = yes",
        ],
        "the login's @ must be %40 in the URL, or neomutt reads example.org@smtp... as the host",
    );
}

#[test]
fn neomutt_snippet_for_implicit_tls_uses_smtps() {
    let text = snippet(Provider::Fastmail, Tool::Neomutt);
    assert_lines(
        &text,
        &["set smtp_url = 'smtps://ann%40example.org@smtp.fastmail.com:465/'"],
        "implicit TLS is the smtps scheme in neomutt",
    );
}

#[test]
fn git_snippet_sets_server_port_encryption_and_user() {
    let text = snippet(Provider::Office365, Tool::Git);
    assert_lines(
        &text,
        &[
            "[sendemail]",
            "smtpServer = smtp.office365.com",
            "smtpServerPort = 587",
            "smtpEncryption = tls",
            "smtpUser = \"ann@example.org\"",
        ],
        "git send-email must send host=SERVER:PORT and the user, the very slot the account's \
         password is stored in (git's `tls` is STARTTLS)",
    );
}

#[test]
fn git_snippet_for_implicit_tls_says_ssl() {
    let text = snippet(Provider::Fastmail, Tool::Git);
    assert_lines(
        &text,
        &["smtpServerPort = 465", "smtpEncryption = ssl"],
        "git send-email calls TLS from the first byte `ssl`",
    );
}

#[test]
fn git_snippet_resets_other_helpers_before_naming_mailcred() {
    let text = snippet(Provider::Office365, Tool::Git);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let section = lines
        .iter()
        .position(|l| *l == "[credential \"smtp://smtp.office365.com:587\"]")
        .unwrap_or_else(|| panic!("a credential section scoped to the server's URL in:\n{text}"));
    let helpers: Vec<&str> = lines[section + 1..]
        .iter()
        .take_while(|l| !l.starts_with('['))
        .copied()
        .filter(|l| l.starts_with("helper"))
        .collect();
    assert_eq!(
        helpers,
        ["helper =", "helper = mailcred"],
        "an empty helper must come first, so after a good send git does not also hand the \
         password to a helper configured elsewhere (e.g. a plain-text store)"
    );
}

#[test]
fn config_of_an_unknown_account_exits_66_and_prints_nothing() {
    let s = Setup::new();
    for tool in [Tool::Msmtp, Tool::Neomutt, Tool::Git] {
        config(&s, tool, "work").fails_with(
            exit::NO_ACCOUNT,
            "a snippet for an account nobody added would not work: exit 66",
        );
    }
}

// Logins and servers from an account file edited by hand: `add` refuses
// these, so nothing but the snippet's own quoting stands between them and
// the program that reads the snippet.

/// The login of the attack in issue 10: pasted between double quotes it
/// closes them, and neomutt runs `touch PWNED` while reading its rc file.
const HOSTILE_LOGIN: &str = r#"u@x.example"; source "touch PWNED |"; set x=""#;

/// A setup whose account `work` was changed by hand after `add`.
fn hand_edited(edit: impl FnOnce(&mut Account)) -> Setup {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "snippet-pw-1");
    let mut edit = Some(edit);
    let ctx = s.ctx();
    let (held, _) = ctx.accounts.lock().expect("the account file locks");
    ctx.accounts
        .update(&held, |all| {
            if let Some(edit) = edit.take() {
                edit(&mut all.accounts[0]);
            }
            Ok(())
        })
        .expect("the account file saves");
    drop((held, ctx));
    s
}

/// The snippet for `tool` of `work` with its login changed to `login`.
#[track_caller]
fn snippet_for_login(login: &str, tool: Tool) -> String {
    let s = hand_edited(|a| a.user = login.into());
    config(&s, tool, "work").ok(&format!("config for the login {login:?}"))
}

#[test]
fn neomutt_snippet_keeps_a_hostile_login_inside_single_quotes() {
    let text = snippet_for_login(HOSTILE_LOGIN, Tool::Neomutt);
    assert_lines(
        &text,
        &[
            r#"set from = 'u@x.example"; source "touch PWNED |"; set x="'"#,
            "set smtp_url = 'smtp://u%40x.example%22%3B%20source%20%22touch%20PWNED%20%7C%22%3B%20set%20x%3D%22@smtp.office365.com:587/'",
        ],
        "neomutt expands nothing between single quotes, so the login must sit there whole, \
         and percent-encoded in the URL",
    );
    assert!(
        !text.lines().any(|l| l.trim_start().starts_with("source")),
        "no line of the snippet may be a `source` command:\n{text}"
    );
}

#[test]
fn neomutt_snippet_gets_the_password_from_backticks_for_a_login_sh_would_change() {
    for login in [r"CORP\ann", "o'brien@example.ie", "ann>PWNED", "ann smith"] {
        let text = snippet_for_login(login, Tool::Neomutt);
        assert!(
            !text
                .lines()
                .any(|l| !l.starts_with('#') && l.contains("account_command")),
            "neomutt pastes the login unquoted into account_command's `sh -c` line, so the \
             snippet for {login:?} must not use account_command:\n{text}"
        );
        assert_lines(
            &text,
            &["set smtp_pass = \"`mailcred get work`\""],
            &format!("the snippet for {login:?} must still get the password, from backticks"),
        );
    }
}

#[test]
fn neomutt_snippet_ends_the_quotes_around_an_apostrophe_and_escapes_it() {
    let text = snippet_for_login("o'brien@example.ie", Tool::Neomutt);
    assert_lines(
        &text,
        &[r"set from = 'o'\''brien@example.ie'"],
        "nothing can escape a ' inside single quotes: it must close them, follow as \\' and \
         open them again",
    );
}

#[test]
fn msmtp_snippet_encloses_the_login_in_double_quotes_msmtp_strips_once() {
    let text = snippet_for_login(r#""ann""#, Tool::Msmtp);
    assert_lines(
        &text,
        &["user \"\"ann\"\"", "from \"\"ann\"\""],
        "msmtp strips one pair of enclosing quotes and knows no escapes: without a pair of its \
         own the login \"ann\" would reach the server as ann",
    );
    let text = snippet_for_login(HOSTILE_LOGIN, Tool::Msmtp);
    assert_lines(
        &text,
        &[r#"user "u@x.example"; source "touch PWNED |"; set x="""#],
        "msmtp takes the rest of the line: inner quotes stay as they are",
    );
}

#[test]
fn git_snippet_escapes_quotes_and_backslashes_and_keeps_comment_characters() {
    let text = snippet_for_login(r#"CORP\ann "x" ;#y"#, Tool::Git);
    assert_lines(
        &text,
        &[r#"smtpUser = "CORP\\ann \"x\" ;#y""#],
        "in git's double quotes \\ and \" need a backslash, and ; and # are no comment; \
         unquoted, git reads \\a as a bad escape and cuts the value at ;",
    );
}

#[test]
fn every_snippet_refuses_a_login_with_a_line_break_with_exit_64() {
    let s = hand_edited(|a| a.user = "ann@example.org\neval touch PWNED".into());
    for tool in [Tool::Msmtp, Tool::Neomutt, Tool::Git] {
        let message = config(&s, tool, "work").fails_with(
            exit::USAGE,
            "a line break in the login would start a line of its own (msmtp runs `eval CMD` \
             lines while reading its file), so every snippet must refuse it with exit 64",
        );
        assert!(
            message.contains("accounts.json"),
            "the refusal must say which file to fix, got {message:?}"
        );
    }
}

#[test]
fn every_snippet_refuses_a_server_that_is_no_dns_name_with_exit_64() {
    for host in [
        r#"smtp.example.org"; source "touch PWNED |"; set x=""#,
        "smtp.example.org/evil",
        "smtp example org",
        "smtp.example.org\n[core]",
    ] {
        let s = hand_edited(|a| a.smtp.as_mut().expect("SMTP").host = host.into());
        for tool in [Tool::Msmtp, Tool::Neomutt, Tool::Git] {
            config(&s, tool, "work").fails_with(
                exit::USAGE,
                &format!(
                    "the server {host:?} goes unquoted into URLs and into neomutt's \
                     account_command shell line, so {tool:?} must refuse it with exit 64"
                ),
            );
        }
    }
}

#[test]
fn every_snippet_refuses_an_account_name_unfit_for_a_shell_command_with_exit_64() {
    let name = "work;touch PWNED";
    let s = hand_edited(|a| a.name = name.into());
    for tool in [Tool::Msmtp, Tool::Neomutt, Tool::Git] {
        config(&s, tool, name).fails_with(
            exit::USAGE,
            &format!(
                "the name goes into `mailcred get NAME`, which msmtp and neomutt run through \
                 sh, so {tool:?} must refuse {name:?} with exit 64"
            ),
        );
    }
}

//! `mailcred config msmtp|neomutt|git ACCOUNT`: ready snippets that call
//! mailcred for the password and never contain it.

use mailcred::accounts::Provider;
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
            "user ann@example.org",
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
            "set smtp_url = \"smtp://ann%40example.org@smtp.office365.com:587/\"",
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
        &["set smtp_url = \"smtps://ann%40example.org@smtp.fastmail.com:465/\""],
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
            "smtpUser = ann@example.org",
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

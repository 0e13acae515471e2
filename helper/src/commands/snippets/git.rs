//! `mailcred config git` and `mailcred configure git`: git send-email's
//! settings for the SMTP endpoint, git imap-send's for the IMAP endpoint,
//! and a credential section per server that hands git to mailcred. For an
//! OAuth2 account git logs in with XOAUTH2 (`smtpAuth`, `authMethod`), the
//! helper answering the access token as the password.

use std::io::Write;
use std::process::Command;

use super::{CommandError, Context, GitScope, check_writable, find, usable};
use crate::accounts::{Account, Endpoint, Protocol, Security};

/// git settings as `(key, value)` pairs, in the order they are written. Each
/// credential section first resets the helper list, so a successful send
/// does not copy the password into other helpers.
fn settings(a: &Account) -> Vec<(String, String)> {
    let mut settings = Vec::new();
    if let Some(smtp) = &a.smtp {
        settings.extend([
            ("sendemail.smtpServer".into(), smtp.host.clone()),
            ("sendemail.smtpServerPort".into(), smtp.port.to_string()),
            (
                "sendemail.smtpEncryption".into(),
                encryption(smtp.security).into(),
            ),
            ("sendemail.smtpUser".into(), a.login_at(smtp).to_owned()),
        ]);
        if a.is_oauth() {
            settings.push(("sendemail.smtpAuth".into(), XOAUTH2.into()));
        }
    }
    if let Some(imap) = usable(a, Protocol::Imap) {
        settings.extend([
            ("imap.host".into(), imap_url(imap)),
            ("imap.port".into(), imap.port.to_string()),
            ("imap.user".into(), a.login_at(imap).to_owned()),
        ]);
        if a.is_oauth() {
            settings.push(("imap.authMethod".into(), XOAUTH2.into()));
        }
    }
    for url in credential_urls(a) {
        let key = format!("credential.{url}.helper");
        settings.push((key.clone(), String::new()));
        settings.push((key, "mailcred".into()));
    }
    settings
}

/// The SASL mechanism of an OAuth2 account, as git send-email (through
/// Perl's Authen::SASL) and git imap-send name it.
const XOAUTH2: &str = "XOAUTH2";

/// What an OAuth2 account's git needs, in the snippet's words.
const SEND_EMAIL_OAUTH_NOTE: &str = "\t# OAuth2: git send-email's XOAUTH2 needs Perl's Authen::SASL 2.1800 or \
     later (Debian 12 ships 2.1600:\n\
     \t# perl -MAuthen::SASL -e 'print $Authen::SASL::VERSION'). With any git and Perl,\n\
     \t# send through mailcred instead, in place of smtpAuth (mailcred picks the account\n\
     \t# by the From address):\n\
     \t# sendmailCmd = mailcred send\n";

/// git imap-send's `imap.host`: a URL whose scheme is the security, `imaps`
/// for TLS from the first byte, `imap` for a connection it upgrades with
/// STARTTLS (git-config(1), "imap.host").
fn imap_url(imap: &Endpoint) -> String {
    format!("{}://{}", imap_scheme(imap), imap.host)
}

fn imap_scheme(imap: &Endpoint) -> &'static str {
    if imap.security == Security::Tls {
        "imaps"
    } else {
        "imap"
    }
}

/// The URLs git's credential sections are scoped to: each server with its
/// port, and without it. git matches a section's port exactly, and git
/// send-email without `smtpServerPort` asks for `host=SERVER` alone, as git
/// imap-send up to 2.50 always does; mailcred answers both for mail
/// accounts, but without the second section git would not ask mailcred.
fn credential_urls(a: &Account) -> Vec<String> {
    let mut urls = Vec::new();
    if let Some(smtp) = &a.smtp {
        urls.push(format!("smtp://{}:{}", smtp.host, smtp.port));
        urls.push(format!("smtp://{}", smtp.host));
    }
    if let Some(imap) = usable(a, Protocol::Imap) {
        let scheme = imap_scheme(imap);
        urls.push(format!("{scheme}://{}:{}", imap.host, imap.port));
        urls.push(format!("{scheme}://{}", imap.host));
    }
    urls
}

/// git send-email's name for the security: `tls` is STARTTLS, `ssl` is
/// TLS from the first byte.
fn encryption(security: Security) -> &'static str {
    match security {
        Security::Starttls => "tls",
        Security::Tls => "ssl",
        Security::NoneDangerous => "none",
    }
}

pub(super) fn snippet(a: &Account) -> String {
    let mut text = String::from("# git config --global --edit (or: mailcred configure git ");
    text.push_str(&a.name);
    text.push_str(")\n");
    if let Some(smtp) = &a.smtp {
        text.push_str(&format!(
            "[sendemail]\n\tsmtpServer = {}\n\tsmtpServerPort = {}\n\tsmtpEncryption = {}\n\tsmtpUser = {}\n",
            smtp.host,
            smtp.port,
            encryption(smtp.security),
            quoted(a.login_at(smtp))
        ));
        if a.is_oauth() {
            text.push_str(SEND_EMAIL_OAUTH_NOTE);
            text.push_str(&format!("\tsmtpAuth = {XOAUTH2}\n"));
        }
    }
    if let Some(imap) = usable(a, Protocol::Imap) {
        text.push_str(&format!(
            "[imap]\n\t# git imap-send; also set folder = your Drafts folder\n\thost = {}\n\tport = {}\n\tuser = {}\n",
            imap_url(imap),
            imap.port,
            quoted(a.login_at(imap))
        ));
        if a.is_oauth() {
            text.push_str(&format!(
                "\t# OAuth2: git imap-send logs in with XOAUTH2 from git 2.50 on\n\tauthMethod = {XOAUTH2}\n"
            ));
        }
    }
    for url in credential_urls(a) {
        text.push_str(&format!(
            "[credential {}]\n\t# the empty value resets helpers set elsewhere\n\thelper =\n\thelper = mailcred\n",
            quoted(&url)
        ));
    }
    text
}

/// `value` in git-config(1)'s double quotes, for a value or a subsection
/// name alike ("Syntax"): inside them `#` and `;` start no comment, blanks
/// at the ends are kept, and only `"` and `\` need a backslash ("Double
/// quote and backslash characters ... must be escaped"). Line breaks are
/// refused before (`check_writable`): a subsection name cannot hold one.
pub(crate) fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', r"\\").replace('"', "\\\""))
}

/// Writes the git settings with `git config`: git send-email's for the SMTP
/// endpoint, git imap-send's for the IMAP endpoint.
pub fn configure_git(
    ctx: &Context<'_>,
    name: &str,
    scope: GitScope,
    mut out: impl Write,
) -> Result<(), CommandError> {
    let account = find(ctx, name)?;
    check_writable(ctx, &account)?;
    let scope_flag = match scope {
        GitScope::Global => "--global",
        GitScope::Local => "--local",
    };
    let settings = settings(&account);
    if settings.is_empty() {
        return Err(CommandError::Usage(format!(
            "mail account \"{name}\" has neither an SMTP endpoint for git send-email nor an \
             IMAP endpoint for git imap-send that its app password can sign in to"
        )));
    }
    let is_helper = |key: &str| key.starts_with("credential.");
    // Start the credential sections afresh so running this twice is harmless.
    // Each section's first value is the empty reset: one unset per section.
    for (key, _) in settings
        .iter()
        .filter(|(key, value)| is_helper(key) && value.is_empty())
    {
        let _ = run_git(&[scope_flag, "--unset-all", key]);
    }
    for (key, value) in &settings {
        if is_helper(key) {
            run_git(&[scope_flag, "--add", key, value])?;
        } else {
            run_git(&[scope_flag, key, value])?;
        }
    }
    let scope_name = scope_flag.trim_start_matches('-');
    if let Some(smtp) = &account.smtp {
        writeln!(
            out,
            "Configured git ({scope_name}) to send as {} through {}:{}.",
            account.login_at(smtp),
            smtp.host,
            smtp.port
        )?;
        if account.is_oauth() {
            writeln!(
                out,
                "It logs in with XOAUTH2 (sendemail.smtpAuth), which needs Perl's Authen::SASL \
                 2.1800 or later; with an older one, send through mailcred instead: git config \
                 {scope_flag} --unset sendemail.smtpAuth && git config {scope_flag} \
                 sendemail.sendmailCmd 'mailcred send'."
            )?;
        }
    }
    if let Some(imap) = usable(&account, Protocol::Imap) {
        writeln!(
            out,
            "Configured git imap-send ({scope_name}) to log in as {} on {}:{}; set imap.folder \
             to your Drafts folder (git config {scope_flag} imap.folder Drafts).",
            account.login_at(imap),
            imap.host,
            imap.port
        )?;
    }
    Ok(())
}

fn run_git(args: &[&str]) -> Result<(), CommandError> {
    let output = Command::new("git")
        .arg("config")
        .args(args)
        .output()
        .map_err(|e| CommandError::GitConfig(format!("cannot run git: {e}")))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(CommandError::GitConfig(format!(
            "`git config {}` said: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

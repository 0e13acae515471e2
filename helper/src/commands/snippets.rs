//! `mailcred config msmtp|neomutt|git ACCOUNT` prints a ready configuration
//! snippet; `mailcred configure git ACCOUNT` writes the git one.

use std::io::Write;
use std::process::Command;

use super::{CommandError, Context, accounts::find};
use crate::accounts::{Account, Security};

/// Which program the snippet is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Tool {
    /// An msmtp account block using `passwordeval`.
    Msmtp,
    /// neomutt settings using `account_command`, or backticks on older neomutt.
    Neomutt,
    /// git send-email settings and a credential section for the server.
    Git,
}

/// Where `configure git` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitScope {
    /// `~/.gitconfig`.
    Global,
    /// The current repository's `.git/config`.
    Local,
}

/// Prints the snippet for `tool`.
pub fn config(
    ctx: &Context<'_>,
    tool: Tool,
    name: &str,
    command: &str,
    mut out: impl Write,
) -> Result<(), CommandError> {
    let account = find(ctx, name)?;
    let text = match tool {
        Tool::Msmtp => msmtp(&account, command),
        Tool::Neomutt => neomutt(&account, command),
        Tool::Git => git_snippet(&account),
    };
    out.write_all(text.as_bytes())?;
    Ok(())
}

fn msmtp(a: &Account, command: &str) -> String {
    // Without TLS, msmtp's `auth on` refuses every method that sends the
    // password in the clear ("cannot use a secure authentication method"):
    // an unencrypted relay must name the mechanism.
    let (tls, starttls, auth) = match a.security {
        Security::Starttls => ("on", "on", "on"),
        Security::Tls => ("on", "off", "on"),
        Security::NoneDangerous => ("off", "off", "plain"),
    };
    format!(
        "# ~/.msmtprc (or ~/.config/msmtp/config)\n\
         account {name}\n\
         host {host}\n\
         port {port}\n\
         tls {tls}\n\
         tls_starttls {starttls}\n\
         auth {auth}\n\
         user {user}\n\
         from {user}\n\
         passwordeval \"{command} get {name}\"\n",
        name = a.name,
        host = a.host,
        port = a.port,
        user = a.user,
    )
}

fn neomutt(a: &Account, command: &str) -> String {
    let (scheme, starttls) = match a.security {
        Security::Starttls => ("smtp", "yes"),
        Security::Tls => ("smtps", "no"),
        Security::NoneDangerous => ("smtp", "no"),
    };
    let force_tls = if a.security == Security::NoneDangerous {
        "no"
    } else {
        "yes"
    };
    format!(
        "# ~/.neomuttrc\n\
         set from = \"{user}\"\n\
         set smtp_url = \"{scheme}://{login}@{host}:{port}/\"\n\
         set ssl_starttls = {starttls}\n\
         set ssl_force_tls = {force_tls}\n\
         # NeoMutt 2022-11 and later ask through account_command, running\n\
         #   {command} neomutt --hostname {host} --username {user} --type smtp\n\
         ifdef account_command 'set account_command = \"{command} neomutt\"'\n\
         # older ones (Debian 12 has 20220429) take the password from backticks:\n\
         ifndef account_command 'set smtp_pass = \"`{command} get {name}`\"'\n",
        user = a.user,
        login = url_user(&a.user),
        host = a.host,
        port = a.port,
        name = a.name,
    )
}

/// git settings as `(key, value)` pairs, in the order they are written. Each
/// credential section first resets the helper list, so a successful send
/// does not copy the password into other helpers.
fn git_settings(a: &Account) -> Vec<(String, String)> {
    let encryption = git_encryption(a.security);
    let mut settings = vec![
        ("sendemail.smtpServer".into(), a.host.clone()),
        ("sendemail.smtpServerPort".into(), a.port.to_string()),
        ("sendemail.smtpEncryption".into(), encryption.into()),
        ("sendemail.smtpUser".into(), a.user.clone()),
    ];
    for url in credential_urls(a) {
        let key = format!("credential.{url}.helper");
        settings.push((key.clone(), String::new()));
        settings.push((key, "mailcred".into()));
    }
    settings
}

/// The URLs git's credential sections are scoped to: the server with its
/// port, and without it. git matches a section's port exactly, and git
/// send-email without `smtpServerPort` asks for `host=SERVER` alone, which
/// mailcred answers for mail accounts; without the second section git
/// would not ask mailcred at all.
fn credential_urls(a: &Account) -> [String; 2] {
    [
        format!("smtp://{}:{}", a.host, a.port),
        format!("smtp://{}", a.host),
    ]
}

/// git send-email's name for the security: `tls` is STARTTLS, `ssl` is
/// TLS from the first byte.
fn git_encryption(security: Security) -> &'static str {
    match security {
        Security::Starttls => "tls",
        Security::Tls => "ssl",
        Security::NoneDangerous => "none",
    }
}

fn git_snippet(a: &Account) -> String {
    let mut text = String::from("# git config --global --edit (or: mailcred configure git ");
    text.push_str(&a.name);
    text.push_str(")\n");
    text.push_str(&format!(
        "[sendemail]\n\tsmtpServer = {}\n\tsmtpServerPort = {}\n\tsmtpEncryption = {}\n\tsmtpUser = {}\n",
        a.host,
        a.port,
        git_encryption(a.security),
        a.user
    ));
    for url in credential_urls(a) {
        text.push_str(&format!(
            "[credential \"{url}\"]\n\t# the empty value resets helpers set elsewhere\n\thelper =\n\thelper = mailcred\n",
        ));
    }
    text
}

/// Writes the git settings with `git config`.
pub fn configure_git(
    ctx: &Context<'_>,
    name: &str,
    scope: GitScope,
    mut out: impl Write,
) -> Result<(), CommandError> {
    let account = find(ctx, name)?;
    let scope_flag = match scope {
        GitScope::Global => "--global",
        GitScope::Local => "--local",
    };
    let settings = git_settings(&account);
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
    writeln!(
        out,
        "Configured git ({}) to send as {} through {}:{}.",
        scope_flag.trim_start_matches('-'),
        account.user,
        account.host,
        account.port
    )?;
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

/// The login as it must appear in a URL's user part.
fn url_user(user: &str) -> String {
    user.replace('%', "%25")
        .replace('@', "%40")
        .replace(':', "%3A")
}

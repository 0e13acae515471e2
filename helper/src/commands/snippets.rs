//! `mailcred config msmtp|neomutt|git ACCOUNT` prints a ready configuration
//! snippet; `mailcred configure git ACCOUNT` writes the git one.
//!
//! The login is quoted by the rules of the program that reads it, one
//! function per syntax; an account that no snippet can hold safely is
//! refused (`check_writable`), whatever `add` let through.

use std::io::Write;
use std::process::Command;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::{CommandError, Context, accounts::find};
use crate::accounts::{self, Account, Security};

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
    check_writable(ctx, &account)?;
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
        user = msmtp_quoted(&a.user),
    )
}

/// `value` as one msmtp argument. msmtp takes the rest of the line after
/// the command, drops blanks at both ends, then one pair of double quotes
/// enclosing what is left (msmtp(1): "The argument may be enclosed in
/// double quotes"), and knows no escapes: a pair of our own keeps any value
/// without a line break whole, its own quotes and blanks included.
fn msmtp_quoted(value: &str) -> String {
    format!("\"{value}\"")
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
    let url = format!(
        "{scheme}://{login}@{host}:{port}/",
        login = utf8_percent_encode(&a.user, URL_LOGIN),
        host = a.host,
        port = a.port,
    );
    let password = if is_shell_word(&a.user) {
        format!(
            "# NeoMutt 2022-11 and later ask through account_command, running\n\
             #   {command} neomutt --hostname {host} --username {user} --type smtp\n\
             ifdef account_command 'set account_command = \"{command} neomutt\"'\n\
             # older ones (Debian 12 has 20220429) take the password from backticks:\n\
             ifndef account_command 'set smtp_pass = \"`{command} get {name}`\"'\n",
            host = a.host,
            user = a.user,
            name = a.name,
        )
    } else {
        format!(
            "# neomutt would hand this login to account_command unquoted, through sh,\n\
             # so the password comes from backticks:\n\
             set smtp_pass = \"`{command} get {name}`\"\n",
            name = a.name,
        )
    };
    format!(
        "# ~/.neomuttrc\n\
         set from = {from}\n\
         set smtp_url = {url}\n\
         set ssl_starttls = {starttls}\n\
         set ssl_force_tls = {force_tls}\n\
         {password}",
        from = neomutt_quoted(&a.user),
        url = neomutt_quoted(&url),
    )
}

/// What a login keeps of itself in a URL's user part: the unreserved
/// characters (RFC 3986 §2.3); neomutt decodes the rest.
const URL_LOGIN: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `value` as one neomutt rc word: in single quotes neomutt expands nothing,
/// neither backslashes nor backticks nor `$` variables (neomuttrc(5),
/// "Syntax of Initialization Files": "a single quote is used to specify a
/// literal string"). A `'` of the value closes them, follows as `\'` and
/// opens them again, as in sh.
fn neomutt_quoted(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// Whether sh keeps `login` as one word, unchanged. neomutt runs
/// `account_command --hostname HOST --username LOGIN` through `sh -c` with
/// the login pasted in unquoted (NeoMutt's conn/accountcmd.c, `make_cmd`):
/// for any other login the snippet leaves account_command out.
fn is_shell_word(login: &str) -> bool {
    !login.starts_with('-')
        && login
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '@' | '.' | '_' | '+' | '-' | '%' | '='))
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
        git_quoted(&a.user)
    ));
    for url in credential_urls(a) {
        text.push_str(&format!(
            "[credential {}]\n\t# the empty value resets helpers set elsewhere\n\thelper =\n\thelper = mailcred\n",
            git_quoted(&url)
        ));
    }
    text
}

/// `value` in git-config(1)'s double quotes, for a value or a subsection
/// name alike ("Syntax"): inside them `#` and `;` start no comment, blanks
/// at the ends are kept, and only `"` and `\` need a backslash ("Double
/// quote and backslash characters ... must be escaped"). Line breaks are
/// refused before (`check_writable`): a subsection name cannot hold one.
fn git_quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', r"\\").replace('"', "\\\""))
}

/// Refuses an account whose values no snippet can hold safely; the account
/// file may have been edited by hand, so `add`'s checks are not enough.
/// The name goes unquoted into `mailcred get NAME`, which msmtp and neomutt
/// run through sh; the server unquoted into URLs and neomutt's
/// account_command line; the login is quoted, but a line break would still
/// end the line it is on.
fn check_writable(ctx: &Context<'_>, a: &Account) -> Result<(), CommandError> {
    let problem = if !accounts::valid_name(&a.name) {
        Some(format!(
            "its name {:?} cannot go into a shell command",
            a.name
        ))
    } else if let Err(reason) = accounts::check_host(&a.host) {
        Some(format!(
            "its server {:?} is not a server name: {reason}",
            a.host
        ))
    } else if a.user.is_empty() || a.user.contains(char::is_control) {
        Some(format!(
            "its login {:?} is empty or holds a control character",
            a.user
        ))
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(CommandError::Usage(format!(
            "cannot write settings for mail account {:?}: {problem}. Fix it in {}, or remove \
             the account and add it again",
            a.name,
            ctx.accounts.path().display()
        ))),
    }
}

/// Writes the git settings with `git config`.
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

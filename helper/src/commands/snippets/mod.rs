//! `mailcred config TOOL ACCOUNT` prints a ready configuration snippet for
//! msmtp, neomutt, git, mutt, mbsync, OfflineIMAP, getmail6, aerc or
//! himalaya; `mailcred configure git ACCOUNT` writes the git one.
//!
//! The login is quoted by the rules of the program that reads it, one
//! function per syntax; an account that no snippet can hold safely is
//! refused (`check_writable`), whatever `add` let through.
//!
//! For an account that signs in with OAuth2 (`add --auth oauth2`) each
//! snippet is its OAuth form: the program logs in with XOAUTH2, the access
//! token coming from the same `mailcred get NAME` (which refreshes it when
//! it has less than five minutes left). XOAUTH2 rather than OAUTHBEARER:
//! it is all Microsoft accepts, and Debian 12's neomutt cuts OAUTHBEARER
//! tokens of Entra's size short.

mod aerc;
mod git;
mod himalaya;
mod mutt;
mod neomutt;
mod sync;

use std::io::Write;

pub use git::configure_git;
/// git's quoting, for `mailcred import`'s rewrites.
pub(crate) use git::quoted as git_quoted;

use super::{CommandError, Context, accounts::find};
use crate::accounts::{self, Account, Endpoint, Protocol, Security};

/// Which program the snippet is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Tool {
    /// An msmtp account block using `passwordeval`.
    Msmtp,
    /// neomutt settings (SMTP, and the IMAP folder when the account has
    /// IMAP) using `account_command`, or backticks on older neomutt.
    Neomutt,
    /// git send-email settings (and git imap-send's, when the account has
    /// IMAP) and credential sections for the servers.
    Git,
    /// mutt settings (the IMAP folder and SMTP) with the password from
    /// backticks.
    Mutt,
    /// An mbsync (isync) channel for the IMAP server, using `PassCmd`.
    Mbsync,
    /// An OfflineIMAP account for the IMAP server, using `remotepasseval`.
    Offlineimap,
    /// A getmail6 retriever (POP3 or IMAP over TLS), using `password_command`.
    #[value(alias = "getmail6")]
    Getmail,
    /// An aerc account (IMAP, and SMTP), using `source-cred-cmd` and
    /// `outgoing-cred-cmd`.
    Aerc,
    /// A himalaya account (IMAP, and SMTP), in the keys of himalaya 2 and 1.
    Himalaya,
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
        Tool::Msmtp => msmtp(&account, sending(&account, "msmtp")?, command),
        Tool::Neomutt => neomutt::snippet(&account, command),
        Tool::Git => git::snippet(&account),
        Tool::Mutt => mutt::snippet(&account, command)?,
        Tool::Mbsync => sync::mbsync(&account, command)?,
        Tool::Offlineimap => sync::offlineimap(&account, command)?,
        Tool::Getmail => sync::getmail(&account, command)?,
        Tool::Aerc => aerc::snippet(&account, command)?,
        Tool::Himalaya => himalaya::snippet(&account, command)?,
    };
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// The account's SMTP endpoint, for a program that only sends.
pub(crate) fn sending<'a>(a: &'a Account, program: &str) -> Result<&'a Endpoint, CommandError> {
    a.smtp.as_ref().ok_or_else(|| {
        CommandError::Usage(format!(
            "mail account \"{}\" only reads mail (it has no SMTP endpoint): {program} has \
             nothing to send through",
            a.name
        ))
    })
}

/// The account's endpoint for `protocol`, unless the app password cannot
/// sign in there (Exchange Online's IMAP and POP take OAuth only): a
/// snippet for it would only make the program fail at the server. An
/// OAuth2 account signs in everywhere.
pub(crate) fn usable(a: &Account, protocol: Protocol) -> Option<&Endpoint> {
    a.endpoint(protocol)
        .filter(|_| a.is_oauth() || a.provider.oauth_only(protocol).is_none())
}

fn msmtp(a: &Account, smtp: &Endpoint, command: &str) -> String {
    // Without TLS, msmtp's `auth on` refuses every method that sends the
    // password in the clear ("cannot use a secure authentication method"):
    // an unencrypted relay must name the mechanism. A token must always be
    // named: `auth on` would pick PLAIN, which no OAuth2 server takes.
    let (tls, starttls, mut auth) = match smtp.security {
        Security::Starttls => ("on", "on", "on"),
        Security::Tls => ("on", "off", "on"),
        Security::NoneDangerous => ("off", "off", "plain"),
    };
    let mut note = "";
    if a.is_oauth() {
        auth = "xoauth2";
        note =
            "# the password is an OAuth2 access token: `mailcred get` refreshes it when needed\n";
    }
    format!(
        "# ~/.msmtprc (or ~/.config/msmtp/config)\n\
         account {name}\n\
         host {host}\n\
         port {port}\n\
         tls {tls}\n\
         tls_starttls {starttls}\n\
         auth {auth}\n\
         user {user}\n\
         from {from}\n\
         {note}\
         passwordeval \"{command} get {name}\"\n",
        name = a.name,
        host = smtp.host,
        port = smtp.port,
        user = msmtp_quoted(a.login_at(smtp)),
        from = msmtp_quoted(&a.user),
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

/// Refuses an account whose values no snippet can hold safely; the account
/// file may have been edited by hand, so `add`'s checks are not enough.
/// The name goes unquoted into `mailcred get NAME`, which msmtp and neomutt
/// run through sh; every server unquoted into URLs and neomutt's
/// account_command line; the logins are quoted, but a line break would
/// still end the line it is on. A reader without TLS is refused too: `add`
/// never makes one.
fn check_writable(ctx: &Context<'_>, a: &Account) -> Result<(), CommandError> {
    let bad_login = |login: &str| login.is_empty() || login.contains(char::is_control);
    let problem = if !accounts::valid_name(&a.name) {
        Some(format!(
            "its name {:?} cannot go into a shell command",
            a.name
        ))
    } else if let Some((protocol, host, reason)) = a
        .endpoints()
        .find_map(|(p, e)| accounts::check_host(&e.host).err().map(|r| (p, &e.host, r)))
    {
        Some(format!(
            "its {protocol} server {host:?} is not a server name: {reason}"
        ))
    } else if let Some((protocol, e)) = a
        .endpoints()
        .find(|(p, e)| !p.securities().contains(&e.security))
    {
        Some(format!(
            "its {protocol} server {} is set to {}, which {protocol} never is (a password \
             read over it would cross the network unencrypted)",
            e.host,
            e.security.name()
        ))
    } else {
        std::iter::once(a.user.as_str())
            .chain(a.endpoints().map(|(_, e)| a.login_at(e)))
            .find(|login| bad_login(login))
            .map(|login| format!("its login {login:?} is empty or holds a control character"))
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(CommandError::Usage(format!(
            "cannot write settings for mail account {:?}: {problem}. Fix it in {}, or remove \
             the account and add it again",
            a.name,
            ctx.accounts.describe()
        ))),
    }
}

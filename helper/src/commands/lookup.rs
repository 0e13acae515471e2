//! `mailcred get ACCOUNT` (msmtp's passwordeval, neomutt backticks, and
//! every reader's password command) and `mailcred neomutt` (neomutt's
//! account_command, for SMTP, IMAP and POP alike).
//!
//! Neither ever reads stdin: neomutt runs them with its own stdin, which in
//! batch mode is the message being sent.

use std::io::Write;

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::{CommandError, Context, accounts::find};
use crate::accounts::{Account, AccountQuery, Protocol};
use crate::protocol::unsafe_value;
use crate::vault::Vault;

/// Prints the account's password and a newline, and nothing else.
pub fn get(ctx: &Context<'_>, name: &str, out: impl Write) -> Result<(), CommandError> {
    let account = find(ctx, name)?;
    let password = password_of(ctx, &account)?;
    let mut line = Zeroizing::new(String::with_capacity(password.expose_secret().len() + 1));
    line.push_str(password.expose_secret());
    line.push('\n');
    write_all(out, line.as_bytes())
}

/// neomutt's `account_command`: `--hostname H [--username U] --type T`.
/// Answers for the single account with an endpoint of that protocol on that
/// server (and login), with that endpoint's login; for none or several,
/// prints nothing and says which on stderr. `protocol` is `None` when no
/// `--type` was given: any endpoint on the server.
pub fn neomutt(
    ctx: &Context<'_>,
    hostname: &str,
    username: Option<&str>,
    protocol: Option<Protocol>,
    out: impl Write,
) -> Result<(), CommandError> {
    let account = &ctx.accounts.find(AccountQuery::Server {
        protocol,
        host: hostname,
        user: username,
    })?;
    let login = account
        .endpoints()
        .find(|(p, e)| {
            protocol.is_none_or(|wanted| wanted == *p) && e.host.eq_ignore_ascii_case(hostname)
        })
        .map_or(account.user.as_str(), |(_, e)| account.login_at(e));
    let password = password_of(ctx, account)?;
    if unsafe_value(login) {
        return Err(CommandError::UnsafeStoredValue { key: "login" });
    }
    let mut answer = Zeroizing::new(String::new());
    for key in ["username", "login"] {
        answer.push_str(key);
        answer.push_str(": ");
        answer.push_str(login);
        answer.push('\n');
    }
    answer.push_str("password: ");
    answer.push_str(password.expose_secret());
    answer.push('\n');
    write_all(out, answer.as_bytes())
}

/// The account's one secret, the same for every protocol: its app
/// password, or its OAuth2 access token (refreshed first when stale).
fn password_of(ctx: &Context<'_>, account: &Account) -> Result<SecretString, CommandError> {
    let store = ctx.lazy_store();
    let vault = Vault::new(ctx.index.clone(), &store);
    let found = match vault.find_account(&account.name)? {
        Some(found) => super::tokens::checked(ctx, &store, account, found)?,
        None if account.is_oauth() => {
            return Err(CommandError::SignInAgain {
                name: account.name.clone(),
                why: "no OAuth2 tokens are stored for it".into(),
            });
        }
        None => {
            return Err(CommandError::NoPassword {
                name: account.name.clone(),
            });
        }
    };
    let password = found
        .secrets
        .password
        .ok_or_else(|| CommandError::NoPassword {
            name: account.name.clone(),
        })?;
    if unsafe_value(password.expose_secret()) || unsafe_value(&account.user) {
        return Err(CommandError::UnsafeStoredValue { key: "password" });
    }
    Ok(password)
}

/// One write of the whole answer, so a failure never leaves half of it.
fn write_all(mut out: impl Write, bytes: &[u8]) -> Result<(), CommandError> {
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

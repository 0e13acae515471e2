//! `mailcred add`, `set-password` and `remove`: the life of a mail account.

use std::io::Write;

use secrecy::SecretString;

use super::{CommandError, Context};
use crate::accounts::{self, Account, AccountQuery, AccountSource, Accounts, Provider, Security};
use crate::vault::{IndexEntry, SecretParts, Vault};

/// What `mailcred add` was asked for.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Account name.
    pub name: String,
    /// Provider preset.
    pub provider: Provider,
    /// Login.
    pub user: String,
    /// Server, overriding the preset.
    pub host: Option<String>,
    /// Port, overriding the preset (or the security's usual port).
    pub port: Option<u16>,
    /// Security, overriding the preset.
    pub security: Option<Security>,
    /// Let git's `erase` remove the password.
    pub allow_erase: bool,
}

/// Turns the request into an account, applying the preset; explicit flags win.
pub fn resolve(new: &NewAccount, added: String) -> Result<Account, CommandError> {
    if !accounts::valid_name(&new.name) {
        return Err(CommandError::Usage(format!(
            "\"{}\" is not a usable account name: use letters, digits and - _ . @ + (it ends up in shell commands)",
            new.name
        )));
    }
    if let Some(reason) = new.provider.refusal() {
        return Err(CommandError::Usage(reason.into()));
    }
    if let Err(reason) = accounts::check_login(&new.user) {
        return Err(CommandError::Usage(format!(
            "--user {:?} is not a login a mail server would accept: {reason}. Give the login \
             (usually the e-mail address)",
            new.user
        )));
    }
    let preset = new.provider.preset();
    let host = match (&new.host, preset) {
        (Some(host), _) => host.clone(),
        (None, Some(preset)) => preset.host.into(),
        (None, None) => {
            return Err(CommandError::Usage(
                "--provider custom needs --host (and usually --port and --security)".into(),
            ));
        }
    };
    if let Err(reason) = accounts::check_host(&host) {
        return Err(CommandError::Usage(format!(
            "--host {host:?} is not a server name: {reason}"
        )));
    }
    let security = new
        .security
        .or(preset.map(|p| p.security))
        .unwrap_or(Security::Starttls);
    let port = new
        .port
        .or(preset
            .filter(|p| new.security.is_none_or(|s| s == p.security))
            .map(|p| p.port))
        .unwrap_or(security.default_port());
    Ok(Account {
        name: new.name.clone(),
        provider: new.provider,
        user: new.user.clone(),
        host,
        port,
        security,
        added,
        allow_erase: new.allow_erase,
    })
}

/// Stores the account's password and records the account, so that either
/// both exist or neither seems to: the account is first written as
/// *pending* (invisible to every lookup), then its password is stored,
/// then it is made an account. Killed in between, `add` leaves no account
/// without a password, and running it again simply finishes the job.
pub fn add(
    ctx: &Context<'_>,
    account: Account,
    password: SecretString,
    mut out: impl Write,
) -> Result<(), CommandError> {
    let store = ctx.open_store()?;
    let (lock, mut all) = ctx.accounts.lock()?;
    check_free(&all, &account)?;
    // What an interrupted `add` of this name or credential slot left.
    all.pending
        .retain(|p| p.name != account.name && !same_credential(p, &account));
    all.pending.push(account.clone());
    ctx.accounts.save(&lock, &mut all)?;
    ctx.warn_about_store();
    let vault = Vault::new(ctx.index.clone(), store.as_ref());
    let stored = store_password(&vault, &account, password, ctx.now);
    all.pending.retain(|p| p.name != account.name);
    if stored.is_ok() {
        all.accounts.push(account.clone());
    }
    ctx.accounts.save(&lock, &mut all)?;
    stored?;
    writeln!(
        out,
        "Added {name}: smtp://{user}@{host}:{port} ({security}). Next: mailcred config msmtp|neomutt|git {name}",
        name = account.name,
        user = account.user,
        host = account.host,
        port = account.port,
        security = account.security.name(),
    )?;
    Ok(())
}

/// Whether two accounts keep their password in the same credential slot.
fn same_credential(a: &Account, b: &Account) -> bool {
    a.host_port() == b.host_port() && a.user == b.user
}

/// Replaces the stored password of an existing account.
pub fn set_password(
    ctx: &Context<'_>,
    name: &str,
    password: SecretString,
    mut out: impl Write,
) -> Result<(), CommandError> {
    find(ctx, name)?;
    let store = ctx.open_store()?;
    // Checked again under the account lock, held while storing: a `remove`
    // running meanwhile would otherwise finish between the check and the
    // store, leaving this password behind, served to git but owned by no
    // account.
    let (_lock, all) = ctx.accounts.lock()?;
    let account = all.find(AccountQuery::Named(name))?.clone();
    ctx.warn_about_store();
    let vault = Vault::new(ctx.index.clone(), store.as_ref());
    store_password(&vault, &account, password, ctx.now)?;
    writeln!(out, "Stored the new password of {name}.")?;
    Ok(())
}

/// Removes the password, then the account (or what an interrupted `add`
/// of that name left).
pub fn remove(ctx: &Context<'_>, name: &str, mut out: impl Write) -> Result<(), CommandError> {
    let store = ctx.open_store()?;
    let (lock, mut all) = ctx.accounts.lock()?;
    let known = all.get(name).is_some() || all.pending.iter().any(|p| p.name == name);
    if !known {
        all.find(AccountQuery::Named(name))?;
    }
    let vault = Vault::new(ctx.index.clone(), store.as_ref());
    vault.erase_account(name)?;
    all.accounts.retain(|a| a.name != name);
    all.pending.retain(|p| p.name != name);
    ctx.accounts.save(&lock, &mut all)?;
    writeln!(out, "Removed {name} and its password.")?;
    Ok(())
}

/// Refuses an account whose name, or whose credential slot (server, port
/// and user), another account already has.
pub fn check_free(all: &Accounts, account: &Account) -> Result<(), CommandError> {
    if all.get(&account.name).is_some() {
        return Err(CommandError::AccountExists {
            name: account.name.clone(),
        });
    }
    if let Some(other) = all.sharing_credential(account) {
        return Err(CommandError::CredentialTaken {
            existing: other.name.clone(),
            user: account.user.clone(),
            server: account.host_port(),
        });
    }
    Ok(())
}

/// The account called `name`.
pub fn find(ctx: &Context<'_>, name: &str) -> Result<Account, CommandError> {
    Ok(ctx.accounts.find(AccountQuery::Named(name))?)
}

fn store_password(
    vault: &Vault<'_>,
    account: &Account,
    password: SecretString,
    now: u64,
) -> Result<(), CommandError> {
    let request = account.credential_request();
    let entry = IndexEntry {
        protocol: request.protocol,
        host: request.host,
        username: request.username,
        stored_at: now,
        account: Some(account.name.clone()),
        protected: !account.allow_erase,
        ..IndexEntry::default()
    };
    let secrets = SecretParts {
        password: Some(password),
        ..SecretParts::default()
    };
    vault.store(entry, &secrets)?;
    Ok(())
}

//! `mailcred add`, `set-password` and `remove`: the life of a mail account.

use std::io::Write;

use secrecy::SecretString;

use super::{CommandError, Context};
use crate::accounts::{Account, AccountQuery, Accounts};
use crate::vault::{EndpointSlot, IndexEntry, SecretParts, Vault};

pub use super::resolve::{EndpointFlags, NewAccount, OAuthFlags, resolve};

/// Stores the account's password and records the account, so that either
/// both exist or neither seems to: the account is first written as
/// *pending* (invisible to every lookup), then its password is stored,
/// then it is made an account. Killed in between, `add` leaves no account
/// without a password, and running it again simply finishes the job.
pub fn add(
    ctx: &Context<'_>,
    account: Account,
    password: SecretString,
    out: impl Write,
) -> Result<(), CommandError> {
    let secrets = SecretParts {
        password: Some(password),
        ..SecretParts::default()
    };
    add_with(ctx, account, &secrets, out)
}

/// [`add`] with the secret in its parts: an app password, or an OAuth2
/// account's first tokens.
pub fn add_with(
    ctx: &Context<'_>,
    account: Account,
    secrets: &SecretParts,
    mut out: impl Write,
) -> Result<(), CommandError> {
    let store = ctx.open_store()?;
    let (held, _) = ctx.accounts.lock()?;
    ctx.accounts.update(&held, |all| {
        check_free(all, &account)?;
        // What an interrupted `add` of this name or credential slot left.
        all.pending
            .retain(|p| p.name != account.name && !same_credential(p, &account));
        all.pending.push(account.clone());
        Ok(())
    })?;
    ctx.warn_about_store();
    let vault = Vault::new(ctx.index.clone(), store.as_ref());
    let stored = store_secret(&vault, &account, secrets, ctx.now);
    let recorded = ctx.accounts.update(&held, |all| {
        all.pending.retain(|p| p.name != account.name);
        if stored.is_err() {
            return Ok(Ok(()));
        }
        // Checked again: in a shared store another machine may have added
        // the name meanwhile (with the file, the lock kept it out).
        let free = check_free(all, &account);
        if free.is_ok() {
            all.accounts.push(account.clone());
        }
        Ok(free)
    })?;
    stored?;
    recorded?;
    let endpoints: Vec<String> = account
        .endpoints()
        .map(|(protocol, e)| {
            format!(
                "{protocol}://{}@{}:{} ({})",
                account.login_at(e),
                e.host,
                e.port,
                e.security.name()
            )
        })
        .collect();
    writeln!(
        out,
        "Added {name}{how}: {endpoints}. Next: mailcred config msmtp|neomutt|git {name}",
        name = account.name,
        how = if account.is_oauth() {
            " (signed in with OAuth2)"
        } else {
            ""
        },
        endpoints = endpoints.join(", "),
    )?;
    Ok(())
}

/// Whether two accounts keep their password in the same credential slot.
fn same_credential(a: &Account, b: &Account) -> bool {
    a.shares_slot_with(b).is_some()
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
    let (_held, all) = ctx.accounts.lock()?;
    let account = all.find(AccountQuery::Named(name))?.clone();
    if account.is_oauth() {
        return Err(CommandError::OAuthAccount { name: account.name });
    }
    ctx.warn_about_store();
    let vault = Vault::new(ctx.index.clone(), store.as_ref());
    let secrets = SecretParts {
        password: Some(password),
        ..SecretParts::default()
    };
    store_secret(&vault, &account, &secrets, ctx.now)?;
    // In a shared store no lock kept a `remove` on another machine out:
    // if it ran meanwhile, the password just stored is taken back.
    if ctx.accounts.in_store() && ctx.accounts.read()?.get(name).is_none() {
        vault.erase_account(name)?;
        return Err(CommandError::Usage(format!(
            "mail account \"{name}\" was removed by another mailcred meanwhile; the new \
             password was not kept"
        )));
    }
    writeln!(out, "Stored the new password of {name}.")?;
    Ok(())
}

/// Removes the password, then the account (or what an interrupted `add`
/// of that name left).
pub fn remove(ctx: &Context<'_>, name: &str, mut out: impl Write) -> Result<(), CommandError> {
    let store = ctx.open_store()?;
    let (held, all) = ctx.accounts.lock()?;
    let known = all.get(name).is_some() || all.pending.iter().any(|p| p.name == name);
    if !known {
        all.find(AccountQuery::Named(name))?;
    }
    let what = if all.get(name).is_some_and(Account::is_oauth) {
        "its tokens"
    } else {
        "its password"
    };
    let vault = Vault::new(ctx.index.clone(), store.as_ref());
    vault.erase_account(name)?;
    ctx.accounts.update(&held, |all| {
        all.accounts.retain(|a| a.name != name);
        all.pending.retain(|p| p.name != name);
        Ok(())
    })?;
    writeln!(out, "Removed {name} and {what}.")?;
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
    if let Some((other, protocol)) = all.sharing_credential(account) {
        let endpoint = account
            .endpoint(protocol)
            .expect("the accounts meet at one of this account's endpoints");
        return Err(CommandError::CredentialTaken {
            existing: other.name.clone(),
            user: account.login_at(endpoint).to_owned(),
            server: format!("{protocol}://{}", endpoint.host_port()),
        });
    }
    Ok(())
}

/// The account called `name`.
pub fn find(ctx: &Context<'_>, name: &str) -> Result<Account, CommandError> {
    ctx.accounts.find(AccountQuery::Named(name))
}

/// Stores `secrets` as the account's one secret (an OAuth2 account's
/// marked as a token pair), replacing what it had.
pub(crate) fn store_secret(
    vault: &Vault<'_>,
    account: &Account,
    secrets: &SecretParts,
    now: u64,
) -> Result<(), CommandError> {
    let entry = if account.is_oauth() {
        super::tokens::token_entry(account, now)
    } else {
        IndexEntry {
            stored_at: now,
            account: Some(account.name.clone()),
            protected: !account.allow_erase,
            endpoints: slots(account),
            ..IndexEntry::default()
        }
    };
    vault.store(entry, secrets)?;
    Ok(())
}

/// The account's endpoints as git asks for them: the one secret's slots.
pub fn slots(account: &Account) -> Vec<EndpointSlot> {
    account
        .endpoints()
        .map(|(protocol, endpoint)| EndpointSlot {
            protocol,
            host: endpoint.host_port(),
            username: account.login_at(endpoint).to_owned(),
        })
        .collect()
}

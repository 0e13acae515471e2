//! Doing a plan's account steps: new accounts through `add` (which records
//! them as pending until their secret is stored), passwords through
//! `set-password`, and endpoints added to an account whose secret is the
//! same (its secret stored again with the new slots, then the account
//! saved: killed in between, the rerun does it again).

use std::io;

use secrecy::{ExposeSecret, SecretString};

use super::found::GitSlot;
use super::plan::Step;
use crate::accounts::AccountQuery;
use crate::commands::accounts::{self, slots};
use crate::commands::{CommandError, Context};
use crate::protocol::Credential;
use crate::vault::{IndexEntry, SecretParts, Vault};

/// Does one step.
pub fn run(ctx: &Context<'_>, step: &Step) -> Result<(), CommandError> {
    match step {
        Step::New { account, secret } => {
            accounts::add(ctx, (**account).clone(), secret.clone(), io::sink())
        }
        Step::SetPassword { name, secret } => {
            accounts::set_password(ctx, name, secret.clone(), io::sink())
        }
        Step::Credential { slot, user, secret } => {
            let store = ctx.open_store()?;
            let entry = IndexEntry {
                protocol: Some(slot.protocol.clone()),
                host: Some(slot.host.clone()),
                path: slot.path.clone(),
                username: Some(user.clone()),
                stored_at: ctx.now,
                ..IndexEntry::default()
            };
            let secrets = SecretParts {
                password: Some(secret.clone()),
                ..SecretParts::default()
            };
            Vault::new(ctx.index.clone(), store.as_ref()).store(entry, &secrets)?;
            Ok(())
        }
        Step::AddEndpoints {
            name,
            endpoints,
            secret,
        } => {
            let store = ctx.open_store()?;
            let (held, all) = ctx.accounts.lock()?;
            let mut account = all.find(AccountQuery::Named(name))?.clone();
            for (protocol, endpoint) in endpoints {
                if account.endpoint(*protocol).is_none() {
                    *account.endpoint_mut(*protocol) = Some(endpoint.clone());
                }
            }
            accounts::check_free(
                &crate::accounts::Accounts {
                    accounts: all
                        .accounts
                        .iter()
                        .filter(|a| a.name != *name)
                        .cloned()
                        .collect(),
                    ..Default::default()
                },
                &account,
            )?;
            let entry = IndexEntry {
                stored_at: ctx.now,
                account: Some(name.clone()),
                protected: !account.allow_erase,
                endpoints: slots(&account),
                ..IndexEntry::default()
            };
            let secrets = SecretParts {
                password: Some(secret.clone()),
                ..SecretParts::default()
            };
            Vault::new(ctx.index.clone(), store.as_ref()).store(entry, &secrets)?;
            ctx.accounts.update(&held, |all| {
                for kept in all.accounts.iter_mut().filter(|a| a.name == *name) {
                    *kept = account.clone();
                }
                Ok(())
            })
        }
    }
}

/// The password mailcred gives git for this slot and login, if any.
pub fn credential(
    ctx: &Context<'_>,
    slot: &GitSlot,
    user: &str,
) -> Result<Option<SecretString>, CommandError> {
    let store = ctx.lazy_store();
    let request = Credential {
        protocol: Some(slot.protocol.clone()),
        host: Some(slot.host.clone()),
        path: slot.path.clone(),
        username: Some(user.to_owned()),
        ..Credential::default()
    };
    let found = Vault::new(ctx.index.clone(), &store).find(&request, ctx.now)?;
    Ok(found.and_then(|f| f.secrets.password))
}

/// Whether `mailcred get NAME` answers with `secret` now.
pub fn serves(ctx: &Context<'_>, name: &str, secret: &SecretString) -> Result<bool, CommandError> {
    let store = ctx.lazy_store();
    let found = Vault::new(ctx.index.clone(), &store).find_account(name)?;
    Ok(found
        .and_then(|f| f.secrets.password)
        .is_some_and(|p| p.expose_secret() == secret.expose_secret()))
}

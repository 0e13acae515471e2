//! Signing in with OAuth2: `mailcred add --auth oauth2` (the first tokens
//! of a new account) and `mailcred login NAME` (new tokens for an OAuth2
//! account, or an app-password account switched to OAuth2).
//!
//! The sign-in always comes first, before anything is written: a sign-in
//! that fails or is abandoned leaves every account, password and token as
//! it was.
//!
//! A switch writes three things, in this order, under the account lock:
//! 1. the account as it will be (with its OAuth2 settings), as *pending*
//!    beside the account as it is (lookups never see pending records);
//! 2. the tokens, as the account's one secret: the store lists them before
//!    it retires the app password, so one of the two is always there;
//! 3. the account replaced by its pending record.
//!
//! Killed after 2, the account file still says "app password" while the
//! store holds tokens: `get` then refuses (exit 83) and says to run
//! `mailcred login NAME`, which finds the pending record and the tokens and
//! finishes step 3 without signing in again. Killed before 2, nothing
//! visible changed and `login` starts over.

use std::io::Write;

use secrecy::SecretString;

use super::accounts::{self, check_free};
use super::resolve_oauth::{self, OAuthFlags};
use super::{CommandError, Context};
use crate::accounts::{Account, AccountQuery};
use crate::oauth::{Flow, TokenRequest, Tokens};
use crate::store::SecretStore;
use crate::vault::{SecretParts, Vault};

/// The first tokens of a new OAuth2 account, then the account stored as
/// `add` stores one (pending first, so that a kill leaves no account
/// without its tokens).
pub fn add(
    ctx: &Context<'_>,
    account: Account,
    client_secret: Option<SecretString>,
    flow: Flow,
    out: impl Write,
) -> Result<(), CommandError> {
    let settings = account
        .oauth
        .as_ref()
        .expect("add --auth oauth2 resolves to an OAuth2 account");
    // Said before the user signs in for nothing.
    check_free(&ctx.accounts.read()?, &account)?;
    let request = TokenRequest::new(&account, settings, client_secret.as_ref());
    let tokens = ctx.tokens().login(&request, flow)?;
    let secrets = first_pair(tokens, client_secret);
    accounts::add_with(ctx, account, &secrets, out)
}

/// What `mailcred login NAME` was asked for.
#[derive(Debug, Default)]
pub struct Login {
    /// `--auth oauth2`: switch an app-password account.
    pub switch: bool,
    /// The OAuth2 flags, overriding what the account has.
    pub flags: OAuthFlags,
    /// A new client secret, when one was given.
    pub client_secret: Option<SecretString>,
    /// How to sign in.
    pub flow: Option<Flow>,
}

/// `mailcred login NAME`: signs in and replaces the tokens, or switches an
/// app-password account to OAuth2 (`--auth oauth2`), or finishes a switch
/// that was interrupted.
pub fn login(
    ctx: &Context<'_>,
    name: &str,
    login: Login,
    mut out: impl Write,
) -> Result<(), CommandError> {
    let all = ctx.accounts.read()?;
    let account = all.find(AccountQuery::Named(name))?.clone();
    let store = ctx.open_store()?;
    let vault = Vault::new(ctx.index.clone(), store.as_ref());
    let stored = vault.find_account(name)?;
    let tokens_stored = stored.as_ref().is_some_and(|f| f.entry.oauth);
    if !account.is_oauth()
        && tokens_stored
        && all.pending.iter().any(|p| p.name == name && p.is_oauth())
    {
        finish_switch(ctx, name)?;
        writeln!(
            out,
            "Finished switching {name} to OAuth2: its tokens had been stored when the switch \
             was interrupted, so no new sign-in was needed."
        )?;
        return Ok(());
    }
    if !account.is_oauth() && !login.switch {
        return Err(CommandError::Usage(format!(
            "mail account \"{name}\" signs in with an app password; to switch it to OAuth2: \
             mailcred login {name} --auth oauth2 --client-id ID"
        )));
    }
    let settings = resolve_oauth::settings(&account, &login.flags, account.oauth.as_ref())?;
    let new = Account {
        oauth: Some(settings),
        ..account.clone()
    };
    let settings = new.oauth.as_ref().expect("just set");
    let client_secret = match login.client_secret {
        Some(secret) => Some(secret),
        None if account.is_oauth() => stored.and_then(|f| f.secrets.client_secret),
        None => None,
    };
    let request = TokenRequest::new(&new, settings, client_secret.as_ref());
    let tokens = ctx
        .tokens()
        .login(&request, login.flow.unwrap_or(Flow::Browser))?;
    let secrets = first_pair(tokens, client_secret);
    ctx.warn_about_store();
    if account.is_oauth() {
        replace_tokens(ctx, store.as_ref(), &new, &secrets)?;
        writeln!(out, "Signed in to {name} again; its new tokens are stored.")?;
    } else {
        switch(ctx, store.as_ref(), &new, &secrets)?;
        writeln!(
            out,
            "Switched {name} to OAuth2; its app password was removed from the keyring."
        )?;
    }
    Ok(())
}

/// A sign-in's tokens as an account's pair.
fn first_pair(tokens: Tokens, client_secret: Option<SecretString>) -> SecretParts {
    SecretParts {
        password: Some(tokens.access_token),
        oauth_refresh_token: tokens.refresh_token,
        expires_at: Some(tokens.expires_at),
        client_secret,
        credential: None,
    }
}

/// New tokens (and settings) for an OAuth2 account, under its refresh
/// lock so that no refresh with the old refresh token lands after them.
fn replace_tokens(
    ctx: &Context<'_>,
    store: &dyn SecretStore,
    new: &Account,
    secrets: &SecretParts,
) -> Result<(), CommandError> {
    let _refreshing = ctx
        .index
        .refresh_lock(&new.name)
        .map_err(crate::vault::VaultError::from)?;
    let (held, _) = ctx.accounts.lock()?;
    ctx.accounts.update(&held, |all| {
        let now = all.find(AccountQuery::Named(&new.name))?;
        if !now.is_oauth() {
            return Err(changed_meanwhile(&new.name));
        }
        // Settings first: a kill before the tokens leaves new settings
        // with the old tokens, which the next refresh reports (83), and
        // `login` mends.
        if now.oauth != new.oauth {
            replace(&mut all.accounts, new);
        }
        Ok(())
    })?;
    accounts::store_secret(&Vault::new(ctx.index.clone(), store), new, secrets, ctx.now)
}

/// Switches an app-password account to OAuth2 (see the module's steps).
fn switch(
    ctx: &Context<'_>,
    store: &dyn SecretStore,
    new: &Account,
    secrets: &SecretParts,
) -> Result<(), CommandError> {
    let _refreshing = ctx
        .index
        .refresh_lock(&new.name)
        .map_err(crate::vault::VaultError::from)?;
    let (held, _) = ctx.accounts.lock()?;
    ctx.accounts.update(&held, |all| {
        if all.find(AccountQuery::Named(&new.name))?.is_oauth() {
            return Err(changed_meanwhile(&new.name));
        }
        all.pending.retain(|p| p.name != new.name);
        all.pending.push(new.clone());
        Ok(())
    })?;
    // On failure the pending record stays: invisible, and the next
    // `login` either finishes from it (if the tokens landed) or replaces it.
    accounts::store_secret(&Vault::new(ctx.index.clone(), store), new, secrets, ctx.now)?;
    ctx.accounts.update(&held, |all| {
        replace(&mut all.accounts, new);
        all.pending.retain(|p| p.name != new.name);
        Ok(())
    })
}

/// Step 3 of a switch whose tokens were stored.
fn finish_switch(ctx: &Context<'_>, name: &str) -> Result<(), CommandError> {
    let (held, _) = ctx.accounts.lock()?;
    ctx.accounts.update(&held, |all| {
        let Some(new) = all
            .pending
            .iter()
            .find(|p| p.name == name && p.is_oauth())
            .cloned()
        else {
            return Err(changed_meanwhile(name));
        };
        replace(&mut all.accounts, &new);
        all.pending.retain(|p| p.name != name);
        Ok(())
    })
}

/// Puts `new` in the place of the account of its name.
fn replace(accounts: &mut [Account], new: &Account) {
    if let Some(slot) = accounts.iter_mut().find(|a| a.name == new.name) {
        *slot = new.clone();
    }
}

fn changed_meanwhile(name: &str) -> CommandError {
    CommandError::Usage(format!(
        "mail account \"{name}\" was changed by another mailcred meanwhile; nothing was stored, \
         run `mailcred login {name}` again"
    ))
}

//! Serving an OAuth2 account's access token (`mailcred get`, `mailcred
//! neomutt`, git's `get`), refreshed first when it has less than
//! [`MIN_SECONDS_LEFT`] left, and saving the tokens a sign-in or refresh
//! brought.
//!
//! A token that is still good is served from the store alone: no lock, no
//! companion, no HTTP. A stale one is refreshed under the account's refresh
//! lock: whoever holds it reads the pair again, refreshes only if nobody
//! did meanwhile, and saves the new pair (refresh token and access token in
//! one keyring write) before anyone is handed the access token. So
//! concurrent readers cause one refresh, and a rotated refresh token is
//! never lost nor used twice.

use secrecy::{ExposeSecret, SecretString};

use super::{CommandError, Context, accounts::slots};
use crate::accounts::{Account, AccountQuery};
use crate::oauth::{MIN_SECONDS_LEFT, TokenRequest, Tokens};
use crate::store::{SecretStore, StoreError, WriteIf};
use crate::vault::{Found, IndexEntry, SecretParts, Vault};

/// Whether the pair holds an access token with at least
/// [`MIN_SECONDS_LEFT`] left at `now`.
pub fn fresh(parts: &SecretParts, now: u64) -> bool {
    parts.password.is_some()
        && parts
            .expires_at
            .is_some_and(|expiry| expiry >= now.saturating_add(MIN_SECONDS_LEFT))
}

/// Whether the pair holds an access token that has not expired at `now`.
fn usable(parts: &SecretParts, now: u64) -> bool {
    parts.password.is_some() && parts.expires_at.is_some_and(|expiry| expiry > now)
}

/// The secret `found` for `account` as it may be handed out: an app
/// password as it is, an OAuth2 pair with a fresh access token. Account
/// file and store must agree on which it is.
pub fn checked(
    ctx: &Context<'_>,
    store: &dyn SecretStore,
    account: &Account,
    found: Found,
) -> Result<Found, CommandError> {
    match (account.is_oauth(), found.entry.oauth) {
        (false, false) => Ok(found),
        (true, true) => serve(ctx, store, account, found),
        (false, true) => Err(CommandError::SwitchUnfinished {
            name: account.name.clone(),
        }),
        (true, false) => Err(CommandError::SignInAgain {
            name: account.name.clone(),
            why: "the keyring holds an app password for it, not OAuth2 tokens".into(),
        }),
    }
}

/// The OAuth2 account's token pair as `seen`, with an access token fit to
/// hand out: `seen` itself when it is fresh, else refreshed.
///
/// In a store with compare-and-set (shared by several machines, which no
/// lock file spans) the new pair replaces the one it was refreshed from
/// only if that is still there unchanged ([`WriteIf::Unchanged`]); when
/// another machine saved a pair meanwhile, this one's is dropped and the
/// other's served: a newer pair is never overwritten with an older one,
/// and the refresh token a provider rotated stays the one kept.
pub fn serve(
    ctx: &Context<'_>,
    store: &dyn SecretStore,
    account: &Account,
    seen: Found,
) -> Result<Found, CommandError> {
    if fresh(&seen.secrets, ctx.now) {
        return Ok(seen);
    }
    let settings = oauth_settings(account)?;
    let _refreshing = ctx
        .index
        .refresh_lock(&account.name)
        .map_err(crate::vault::VaultError::from)?;
    let vault = Vault::new(ctx.index.clone(), store);
    let cas = store.supports_cas();
    // Each lost race brings another machine's pair, served at the next
    // turn; more turns only when that one is stale too.
    let mut turns = 0;
    loop {
        turns += 1;
        let current = vault
            .find_account(&account.name)?
            .ok_or_else(|| no_tokens(account))?;
        // Someone refreshed while this one waited for the lock: theirs is
        // the token to serve, even when it is short-lived (a provider may
        // issue tokens of less than five minutes; refreshing again would
        // not help).
        let refreshed_meanwhile = (current.entry.id != seen.entry.id
            || current.version != seen.version)
            && usable(&current.secrets, ctx.now);
        if fresh(&current.secrets, ctx.now) || refreshed_meanwhile {
            return Ok(Found {
                username: seen.username,
                ..current
            });
        }
        let Some(refresh_token) = current.secrets.oauth_refresh_token.as_ref() else {
            return Err(no_tokens(account));
        };
        let request = TokenRequest::new(account, settings, current.secrets.client_secret.as_ref());
        let refreshed = ctx.tokens().refresh(&request, refresh_token);
        let tokens = match refreshed {
            Ok(tokens) => tokens,
            // Refused, perhaps because another machine used (and so
            // rotated) the refresh token: what it saves is then served.
            Err(e)
                if cas
                    && turns < MAX_TURNS
                    && e.exit_code() == crate::exit::SIGN_IN_AGAIN
                    && changed_soon(&vault, account, &current)? =>
            {
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let parts = merged(tokens, &current.secrets);
        let (true, Some(version)) = (cas, current.version.clone()) else {
            let entry = save(ctx, store, account, &parts)?;
            return Ok(Found {
                entry,
                username: seen.username,
                secrets: parts,
                version: None,
            });
        };
        still_oauth(ctx, account)?;
        let written = store.write_if(
            &current.entry.id,
            &current.entry.label(),
            &parts.encode(),
            WriteIf::Unchanged(version),
        );
        match written {
            Ok(version) => {
                return Ok(Found {
                    entry: current.entry,
                    username: seen.username,
                    secrets: parts,
                    version,
                });
            }
            Err(StoreError::Conflict { .. }) if turns < MAX_TURNS => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// How many times [`serve`] reads the pair: the first, and after each
/// race lost to another machine.
const MAX_TURNS: u32 = 4;

/// Whether the account's pair stops being `current` (replaced: another
/// id; rewritten: another version) within [`SAVE_PATIENCE`]: the machine
/// whose refresh rotated the token is saving its pair just after the
/// provider answered it, which may be a little after it refused this one.
/// So a token truly revoked is reported that much later, and one rotated
/// by another machine never asks to sign in again.
fn changed_soon(
    vault: &Vault<'_>,
    account: &Account,
    current: &Found,
) -> Result<bool, CommandError> {
    let started = std::time::Instant::now();
    loop {
        let now = vault.find_account(&account.name)?;
        if now.is_some_and(|now| now.entry.id != current.entry.id || now.version != current.version)
        {
            return Ok(true);
        }
        if started.elapsed() >= SAVE_PATIENCE {
            return Ok(false);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// How long a refused refresh waits for another machine's pair.
const SAVE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(1);

/// The new pair: the new tokens, the old refresh token when the provider
/// sent no new one (it stays valid then), the client secret kept.
pub fn merged(tokens: Tokens, old: &SecretParts) -> SecretParts {
    let copy = |s: &SecretString| SecretString::from(s.expose_secret());
    SecretParts {
        password: Some(tokens.access_token),
        oauth_refresh_token: tokens
            .refresh_token
            .or_else(|| old.oauth_refresh_token.as_ref().map(copy)),
        expires_at: Some(tokens.expires_at),
        client_secret: old.client_secret.as_ref().map(copy),
        credential: None,
    }
}

/// Saves `parts` as the account's one secret, replacing the pair there,
/// while the account is checked to be still there and still OAuth2 (a
/// `remove` meanwhile must not be undone by a token saved after it).
fn save(
    ctx: &Context<'_>,
    store: &dyn SecretStore,
    account: &Account,
    parts: &SecretParts,
) -> Result<IndexEntry, CommandError> {
    let (_lock, all) = ctx.accounts.lock()?;
    let now = all.find(AccountQuery::Named(&account.name))?;
    if !now.is_oauth() {
        return Err(switched(account));
    }
    let mut entry = token_entry(now, ctx.now);
    let id = Vault::new(ctx.index.clone(), store).store(entry.clone(), parts)?;
    entry.id = id.unwrap_or_default();
    Ok(entry)
}

/// Checks that the account is still there and still OAuth2 before its new
/// pair is written over the old one (a removal meanwhile deleted the old
/// one, and the conditional write then fails on its own).
fn still_oauth(ctx: &Context<'_>, account: &Account) -> Result<(), CommandError> {
    let all = ctx.accounts.read()?;
    if !all.find(AccountQuery::Named(&account.name))?.is_oauth() {
        return Err(switched(account));
    }
    Ok(())
}

fn switched(account: &Account) -> CommandError {
    CommandError::Usage(format!(
        "mail account \"{}\" was switched to an app password meanwhile; its new tokens were not \
         saved",
        account.name
    ))
}

/// The index entry of an OAuth2 account's token pair.
pub fn token_entry(account: &Account, now: u64) -> IndexEntry {
    IndexEntry {
        stored_at: now,
        account: Some(account.name.clone()),
        protected: !account.allow_erase,
        endpoints: slots(account),
        oauth: true,
        ..IndexEntry::default()
    }
}

fn oauth_settings(account: &Account) -> Result<&crate::accounts::OAuthSettings, CommandError> {
    account
        .oauth
        .as_ref()
        .ok_or_else(|| CommandError::SwitchUnfinished {
            name: account.name.clone(),
        })
}

/// The account has no refresh token to use.
fn no_tokens(account: &Account) -> CommandError {
    CommandError::SignInAgain {
        name: account.name.clone(),
        why: "no refresh token is stored for it".into(),
    }
}

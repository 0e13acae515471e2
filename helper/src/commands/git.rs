//! `git-credential-mailcred ACTION`: the git credential helper protocol.

use std::io::{Read, Write};

use secrecy::ExposeSecret;

use super::{CommandError, Context};
use crate::accounts::AccountQuery;
use crate::protocol::{self, Answer, Credential, MAX_REQUEST_BYTES};
use crate::vault::{Found, IndexEntry, SecretParts, Vault};

/// What `capability` answers: the protocol version and what we understand.
const CAPABILITIES: &[u8] = b"version 0\ncapability authtype\n";

/// Runs one helper action with injected I/O, so every protocol rule can be
/// tested in-process on byte buffers.
pub fn run(
    action: &str,
    input: impl Read,
    output: impl Write,
    ctx: &Context<'_>,
) -> Result<(), CommandError> {
    match action {
        "capability" => {
            let mut output = output;
            output.write_all(CAPABILITIES)?;
            output.flush()?;
            Ok(())
        }
        "get" => get(&read(input)?, output, ctx),
        "store" => store(&read(input)?, ctx),
        "erase" => erase(&read(input)?, ctx),
        // git may grow new actions; helpers must stay silent on those.
        _ => {
            let _ = protocol::read_request_bytes(input, MAX_REQUEST_BYTES);
            Ok(())
        }
    }
}

fn read(input: impl Read) -> Result<Credential, CommandError> {
    let bytes = protocol::read_request_bytes(input, MAX_REQUEST_BYTES)?;
    Ok(protocol::parse(&bytes)?)
}

fn get(request: &Credential, output: impl Write, ctx: &Context<'_>) -> Result<(), CommandError> {
    // Without both, any stored credential could be handed to any server (CVE-2020-11008).
    if request.protocol.is_none() || request.host.is_none() {
        return Ok(());
    }
    let store = ctx.lazy_store();
    let vault = Vault::new(ctx.index.clone(), &store);
    let Some(found) = vault.find(request, ctx.now)? else {
        return Ok(());
    };
    if found.entry.oauth {
        return get_token(ctx, &store, found, output);
    }
    let (entry, secrets) = (&found.entry, &found.secrets);
    let mut answer = Answer::default();
    if request.has_capability("authtype") && entry.authtype.is_some() {
        answer
            .field("capability[]", "authtype")
            .optional("authtype", entry.authtype.as_deref())
            .optional(
                "credential",
                secrets.credential.as_ref().map(|s| s.expose_secret()),
            );
    }
    answer
        .optional("username", found.username.as_deref())
        .optional(
            "password",
            secrets.password.as_ref().map(|s| s.expose_secret()),
        )
        .optional("password_expiry_utc", entry.password_expiry_utc.as_deref())
        .optional(
            "oauth_refresh_token",
            secrets
                .oauth_refresh_token
                .as_ref()
                .map(|s| s.expose_secret()),
        );
    answer
        .write_to(output)?
        .map_err(|key| CommandError::UnsafeStoredValue { key })
}

/// An OAuth2 account's answer: the access token as the password, with its
/// expiry (so git, and git send-email, never reuse it past that), refreshed
/// first when stale. Never the refresh token: it stays in the store.
fn get_token(
    ctx: &Context<'_>,
    store: &dyn crate::store::SecretStore,
    found: Found,
    output: impl Write,
) -> Result<(), CommandError> {
    let name = found.entry.account.clone().unwrap_or_default();
    let account = ctx.accounts.find(AccountQuery::Named(&name))?;
    let found = super::tokens::checked(ctx, store, &account, found)?;
    let expiry = found.secrets.expires_at.map(|e| e.to_string());
    let mut answer = Answer::default();
    answer
        .optional("username", found.username.as_deref())
        .optional(
            "password",
            found.secrets.password.as_ref().map(|s| s.expose_secret()),
        )
        .optional("password_expiry_utc", expiry.as_deref());
    answer
        .write_to(output)?
        .map_err(|key| CommandError::UnsafeStoredValue { key })
}

fn store(request: &Credential, ctx: &Context<'_>) -> Result<(), CommandError> {
    let Some((entry, secrets)) = storable(request, ctx.now) else {
        return Ok(());
    };
    let store = ctx.open_store()?;
    ctx.warn_about_store();
    Vault::new(ctx.index.clone(), store.as_ref()).store(entry, &secrets)?;
    Ok(())
}

/// Splits a `store` request into index entry and secrets, or `None` when
/// git's rules say to ignore it: ephemeral, or missing protocol or host, or
/// missing username/password without an authtype credential.
fn storable(request: &Credential, now: u64) -> Option<(IndexEntry, SecretParts)> {
    if request.is_ephemeral() || request.protocol.is_none() || request.host.is_none() {
        return None;
    }
    let authtype = request.has_capability("authtype")
        && request.authtype.is_some()
        && request.credential.is_some();
    let classic = request.username.is_some() && request.password.is_some();
    if !classic && !authtype {
        return None;
    }
    let copy = |s: &Option<secrecy::SecretString>| {
        s.as_ref()
            .map(|s| secrecy::SecretString::from(s.expose_secret()))
    };
    let entry = IndexEntry {
        id: String::new(),
        protocol: request.protocol.clone(),
        host: request.host.clone(),
        path: request.path.clone(),
        username: request.username.clone(),
        password_expiry_utc: request.password_expiry_utc.clone(),
        authtype: authtype.then(|| request.authtype.clone()).flatten(),
        stored_at: now,
        ..IndexEntry::default()
    };
    let secrets = SecretParts {
        password: copy(&request.password),
        oauth_refresh_token: copy(&request.oauth_refresh_token),
        credential: if authtype {
            copy(&request.credential)
        } else {
            None
        },
        ..SecretParts::default()
    };
    Some((entry, secrets))
}

fn erase(request: &Credential, ctx: &Context<'_>) -> Result<(), CommandError> {
    let store = ctx.lazy_store();
    let erased = Vault::new(ctx.index.clone(), &store).erase(request)?;
    for account in &erased.kept {
        eprintln!(
            "mailcred: kept the password of mail account \"{account}\": git asked to erase it \
             (git send-email does so whenever AUTH fails, e.g. 535 5.7.139 when SMTP AUTH is off for the tenant), but an app password is shown only \
             once. If it really is wrong: mailcred set-password {account}"
        );
    }
    Ok(())
}

//! `mailcred list` and `mailcred show`: account details, never a secret.
//!
//! `--json` prints accounts as the account file holds them (format 2: an
//! object per endpoint under `smtp`, `imap`, `pop`), so scripts read one
//! shape everywhere.

use std::io::Write;

use super::{CommandError, Context, accounts::find};
use crate::accounts::{Account, Endpoint, Protocol};
use crate::terminal::printable;

/// How `list` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    /// A table for people.
    Table,
    /// JSON for scripts.
    Json,
    /// One name a line, for shell completion.
    Names,
}

/// Lists every account.
pub fn list(
    ctx: &Context<'_>,
    format: ListFormat,
    mut out: impl Write,
) -> Result<(), CommandError> {
    let all = ctx.accounts.read()?;
    match format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &all.accounts).map_err(std::io::Error::from)?;
            writeln!(out)?;
            return Ok(());
        }
        ListFormat::Names => {
            // Only names a shell can take back as one word: a hand-edited
            // name with a space or a control character is no completion.
            for a in all
                .accounts
                .iter()
                .filter(|a| crate::accounts::valid_name(&a.name))
            {
                writeln!(out, "{}", a.name)?;
            }
            return Ok(());
        }
        ListFormat::Table => {}
    }
    if all.accounts.is_empty() {
        writeln!(
            out,
            "No mail accounts yet: mailcred add NAME --provider ... --user ..."
        )?;
        return Ok(());
    }
    let width = all
        .accounts
        .iter()
        .map(|a| printable(&a.name).chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    writeln!(out, "{:width$}  {:9}  ENDPOINTS", "NAME", "PROVIDER")?;
    for a in &all.accounts {
        let mut first = true;
        for (protocol, endpoint) in a.endpoints() {
            let (name, provider) = if first {
                (printable(&a.name).to_string(), a.provider.name())
            } else {
                (String::new(), "")
            };
            writeln!(
                out,
                "{name:width$}  {provider:9}  {}",
                url(a, protocol, endpoint)
            )?;
            first = false;
        }
        if first {
            writeln!(
                out,
                "{:width$}  {:9}  (none)",
                printable(&a.name),
                a.provider.name()
            )?;
        }
    }
    Ok(())
}

/// `smtp://login@host:port (security)`, with a note when the endpoint
/// takes no app password and the account has one.
fn url(a: &Account, protocol: Protocol, e: &Endpoint) -> String {
    let mut text = format!(
        "{protocol}://{}@{}:{} ({})",
        printable(a.login_at(e)),
        printable(&e.host),
        e.port,
        e.security.name()
    );
    if !a.is_oauth() && a.provider.oauth_only(protocol).is_some() {
        text.push_str(", OAuth only: the app password does not sign in here");
    }
    text
}

/// Shows one account in full.
pub fn show(
    ctx: &Context<'_>,
    name: &str,
    json: bool,
    mut out: impl Write,
) -> Result<(), CommandError> {
    let account = find(ctx, name)?;
    if json {
        serde_json::to_writer_pretty(&mut out, &account).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
    }
    let Account {
        name,
        provider,
        user,
        smtp: _,
        imap: _,
        pop: _,
        added,
        allow_erase,
        oauth,
    } = &account;
    // The file may have been edited by hand: show its control characters.
    let (name, user, added) = (printable(name), printable(user), printable(added));
    writeln!(out, "name:        {name}")?;
    writeln!(out, "provider:    {}", provider.name())?;
    writeln!(out, "user:        {user}")?;
    for protocol in Protocol::ALL {
        let label = format!("{protocol}:");
        match account.endpoint(protocol) {
            Some(e) => writeln!(out, "{label:12} {}", url(&account, protocol, e))?,
            None => writeln!(out, "{label:12} none")?,
        }
    }
    writeln!(out, "added:       {added}")?;
    match oauth {
        None => writeln!(out, "sign-in:     app password")?,
        Some(oauth) => {
            writeln!(
                out,
                "sign-in:     OAuth2, client id {}",
                printable(&oauth.client_id)
            )?;
            if let Some(tenant) = &oauth.tenant {
                writeln!(out, "tenant:      {}", printable(tenant))?;
            }
            writeln!(out, "authorize:   {}", printable(&oauth.authorize_url))?;
            writeln!(out, "token URL:   {}", printable(&oauth.token_url))?;
            if let Some(device) = &oauth.device_url {
                writeln!(out, "device URL:  {}", printable(device))?;
            }
            writeln!(out, "scopes:      {}", printable(&oauth.scopes.join(" ")))?;
            if oauth.client_secret {
                writeln!(out, "secret:      the client secret is kept in the keyring")?;
            }
        }
    }
    let erase = match (oauth.is_some(), *allow_erase) {
        (true, _) => {
            "drops only the cached access token, through any endpoint (the next get refreshes \
             it); the refresh token stays"
        }
        (false, true) => "allowed (--allow-erase), through any endpoint",
        (false, false) => {
            "refused through every endpoint: the password survives git send-email's erase \
             after a failed AUTH"
        }
    };
    writeln!(out, "git erase:   {erase}")?;
    let secret = if oauth.is_some() {
        "the same tokens (access token as the password)"
    } else {
        "the same password"
    };
    writeln!(
        out,
        "stored as:   one keyring item, {secret} for every endpoint; git finds it as"
    )?;
    for (protocol, e) in account.endpoints() {
        let protocols = match protocol {
            Protocol::Smtp => "smtp",
            Protocol::Imap => "imap|imaps",
            Protocol::Pop => "pop|pops",
        };
        writeln!(
            out,
            "             protocol={protocols} host={}:{} username={}",
            printable(&e.host),
            e.port,
            printable(account.login_at(e))
        )?;
    }
    Ok(())
}

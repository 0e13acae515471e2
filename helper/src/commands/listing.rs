//! `mailcred list` and `mailcred show`: account details, never a secret.

use std::io::Write;

use super::{CommandError, Context, accounts::find};
use crate::accounts::Account;
use crate::terminal::printable;

/// Lists every account, as a table or as JSON.
pub fn list(ctx: &Context<'_>, json: bool, mut out: impl Write) -> Result<(), CommandError> {
    let all = ctx.accounts.read()?;
    if json {
        serde_json::to_writer_pretty(&mut out, &all.accounts).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
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
        .map(|a| a.name.len())
        .max()
        .unwrap_or(0)
        .max(4);
    writeln!(out, "{:width$}  {:9}  SERVER", "NAME", "PROVIDER")?;
    for a in &all.accounts {
        writeln!(
            out,
            "{:width$}  {:9}  smtp://{}@{}:{} ({})",
            printable(&a.name),
            a.provider.name(),
            printable(&a.user),
            printable(&a.host),
            a.port,
            a.security.name()
        )?;
    }
    Ok(())
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
        host,
        port,
        security,
        added,
        allow_erase,
    } = &account;
    // The file may have been edited by hand: show its control characters.
    let (name, user, host, added) = (
        printable(name),
        printable(user),
        printable(host),
        printable(added),
    );
    writeln!(out, "name:        {name}")?;
    writeln!(out, "provider:    {}", provider.name())?;
    writeln!(out, "user:        {user}")?;
    writeln!(out, "server:      {host}:{port} ({})", security.name())?;
    writeln!(out, "added:       {added}")?;
    writeln!(
        out,
        "git erase:   {}",
        if *allow_erase {
            "allowed (--allow-erase)"
        } else {
            "refused: the password survives git send-email's erase after a failed AUTH"
        }
    )?;
    writeln!(
        out,
        "stored as:   git credential protocol=smtp host={host}:{port} username={user}"
    )?;
    Ok(())
}

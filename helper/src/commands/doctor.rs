//! `mailcred doctor`: is the store there, and does it keep a secret?

use std::io::Write;

use super::{CommandError, Context};

/// Writes, reads back and deletes a throwaway secret, reporting each step.
/// Succeeds only when the round trip does.
pub fn run(ctx: &Context<'_>, store_name: &str, mut out: impl Write) -> Result<(), CommandError> {
    writeln!(out, "store:  {store_name}")?;
    writeln!(out, "index:  {}", ctx.index.path().display())?;
    if let Some(warning) = ctx.warning() {
        writeln!(out, "note:   {warning}")?;
    }
    let id = format!("doctor-{}", std::process::id());
    // A store may connect lazily (the Secret Service's opens its session
    // while the first read is on the wire): reading the probe's id, which
    // holds nothing yet, is what shows that the store answers.
    let store = match ctx.open_store() {
        Ok(store) => store,
        Err(e) => return Err(report(&mut out, "connect", e)?),
    };
    if let Err(e) = store.read(&id) {
        return Err(report(&mut out, "connect", e.into())?);
    }
    writeln!(out, "connect: ok ({})", store.describe())?;
    let probe = b"mailcred doctor probe";
    if let Err(e) = store.write(&id, "mailcred: doctor probe (safe to delete)", probe) {
        return Err(report(&mut out, "write", e.into())?);
    }
    writeln!(out, "write:  ok")?;
    let read = store.read(&id);
    let deleted = store.delete(&id);
    match read {
        Ok(Some(stored)) if stored.secret.as_slice() == probe => writeln!(out, "read:   ok")?,
        Ok(_) => {
            return Err(report(
                &mut out,
                "read",
                CommandError::Doctor(
                    "the store accepted a secret but gave back something else or nothing".into(),
                ),
            )?);
        }
        Err(e) => return Err(report(&mut out, "read", e.into())?),
    }
    if let Err(e) = deleted {
        return Err(report(&mut out, "delete", e.into())?);
    }
    writeln!(out, "delete: ok")?;
    writeln!(out, "mailcred can keep and serve secrets.")?;
    Ok(())
}

fn report(out: &mut impl Write, step: &str, e: CommandError) -> Result<CommandError, CommandError> {
    writeln!(out, "{step}: FAILED")?;
    Ok(e)
}

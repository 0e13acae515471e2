//! `mailcred doctor`: is the store there, and does it keep a secret?

use std::io::Write;

use super::{CommandError, Context};
use crate::store::{Ready, StoreError};

/// Asks the store's server how this machine may use it (OpenBao's `ping`);
/// `None` for a store without a server.
pub type ServerStatus<'a> = &'a dyn Fn() -> Result<Option<Ready>, StoreError>;

/// Writes, reads back and deletes a throwaway secret, reporting each step,
/// after the server's account of the login for a store that has one.
/// `chosen_by` says what chose the store. Succeeds only when every step does.
pub fn run(
    ctx: &Context<'_>,
    store_name: &str,
    chosen_by: &str,
    server: ServerStatus<'_>,
    mut out: impl Write,
) -> Result<(), CommandError> {
    writeln!(out, "store:  {store_name} ({chosen_by})")?;
    writeln!(out, "index:  {}", ctx.index.describe())?;
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
    match server() {
        Ok(None) => {}
        Ok(Some(ready)) => {
            writeln!(out, "server: {}", ready.server)?;
            writeln!(out, "token:  {}", token_line(&ready))?;
        }
        Err(e) => return Err(report(&mut out, "server", e.into())?),
    }
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

/// The token's time left and policies; never the token.
fn token_line(ready: &Ready) -> String {
    let left = match ready.token_ttl_seconds {
        None | Some(0) => "never expires".to_owned(),
        Some(seconds) => format!(
            "expires in {}",
            humantime::format_duration(std::time::Duration::from_secs(seconds))
        ),
    };
    let policies = if ready.policies.is_empty() {
        "none".to_owned()
    } else {
        ready.policies.join(", ")
    };
    format!("{left}; policies: {policies}")
}

fn report(out: &mut impl Write, step: &str, e: CommandError) -> Result<CommandError, CommandError> {
    writeln!(out, "{step}: FAILED")?;
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::openbao::fake::FakeBao;
    use crate::vault::IndexFile;

    #[test]
    fn doctor_on_openbao_names_the_chooser_the_server_and_the_tokens_policies() {
        let dir = tempfile::tempdir().unwrap();
        let bao = FakeBao::new();
        let store = bao.store();
        let ctx = Context::with_store(IndexFile::in_dir(dir.path().join("mailcred")), 0, &store);
        let mut out = Vec::new();
        run(
            &ctx,
            "openbao",
            "chosen by MAILCRED_STORE",
            &|| store.ping().map(Some),
            &mut out,
        )
        .expect("doctor passes against a working server");
        let out = String::from_utf8(out).unwrap();
        for line in [
            "store:  openbao (chosen by MAILCRED_STORE)\n",
            "server: OpenBao (fake)\n",
            "token:  expires in 1h; policies: default, mailcred-team\n",
            "mailcred can keep and serve secrets.\n",
        ] {
            assert!(out.contains(line), "doctor should print {line:?}:\n{out}");
        }
        assert!(
            bao.keys().is_empty(),
            "the probe is deleted: {:?}",
            bao.keys()
        );
    }

    #[test]
    fn doctor_stops_at_the_first_call_to_a_server_that_refuses_the_login() {
        let dir = tempfile::tempdir().unwrap();
        let bao = FakeBao::new();
        let store = bao.store();
        let ctx = Context::with_store(IndexFile::in_dir(dir.path().join("mailcred")), 0, &store);
        bao.fail_next("token_expired");
        let mut out = Vec::new();
        let error = run(
            &ctx,
            "openbao",
            "chosen by x",
            &|| store.ping().map(Some),
            &mut out,
        )
        .expect_err("an expired token fails the doctor");
        assert_eq!(error.exit_code(), crate::exit::KEYRING_LOCKED);
        assert!(
            String::from_utf8(out).unwrap().contains("connect: FAILED"),
            "the step that failed is named: the first call to the server, which shows \
             that it answers"
        );
    }

    #[test]
    fn the_token_line_gives_time_left_and_policies() {
        let ready = |ttl, policies: &[&str]| Ready {
            server: "OpenBao 2.7.2".into(),
            token_ttl_seconds: ttl,
            policies: policies.iter().map(|p| (*p).to_owned()).collect(),
        };
        assert_eq!(
            token_line(&ready(Some(3660), &["default", "mailcred-team"])),
            "expires in 1h 1m; policies: default, mailcred-team"
        );
        assert_eq!(
            token_line(&ready(Some(0), &["root"])),
            "never expires; policies: root",
            "a TTL of 0 is a token without expiry (root, or periodic)"
        );
        assert_eq!(
            token_line(&ready(None, &[])),
            "never expires; policies: none"
        );
    }
}

//! Where this crate reads mailcred's accounts: the local account file, or,
//! when the configured store keeps the accounts itself (a store shared by
//! several machines, see [`mailcred_core::shared_store`]), `mailcred`,
//! which reads them there: `mailcred show NAME --json` for one account,
//! `mailcred list --json` for all. This crate never opens a store itself.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use mailcred_core::accounts::{Account, AccountFile, AccountQuery, AccountSource, Accounts};
use mailcred_core::shared_store::configured_store_keeps_documents;

use crate::Error;

/// The account called `name`.
pub(crate) fn account(name: &str) -> Result<Account, Error> {
    if !configured_store_keeps_documents() {
        return Ok(AccountFile::default_location()?.find(AccountQuery::Named(name))?);
    }
    account_from(Command::new(mailcred()), name)
}

/// Every account.
pub(crate) fn accounts() -> Result<Accounts, Error> {
    if !configured_store_keeps_documents() {
        return Ok(AccountFile::default_location()?.read()?);
    }
    accounts_from(Command::new(mailcred()))
}

/// The account called `name` as `mailcred` (run as `command`, to which
/// `show NAME --json` is added) prints it. Public for the end-to-end
/// tests, which run the real `mailcred` in a session of their own.
#[doc(hidden)]
pub fn account_from(command: Command, name: &str) -> Result<Account, Error> {
    let json = ask(command, "show", &[name, "--json"])?;
    serde_json::from_slice(&json).map_err(|e| unusable("show", &e))
}

/// Every account, as `mailcred list --json` (run as `command`) prints them.
#[doc(hidden)]
pub fn accounts_from(command: Command) -> Result<Accounts, Error> {
    let json = ask(command, "list", &["--json"])?;
    Ok(Accounts {
        accounts: serde_json::from_slice(&json).map_err(|e| unusable("list", &e))?,
        ..Accounts::default()
    })
}

/// `mailcred`: beside this program (an installation, or `target/debug`),
/// else on `PATH`.
fn mailcred() -> PathBuf {
    let file = format!("mailcred{}", std::env::consts::EXE_SUFFIX);
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(&file)))
        .filter(|beside| beside.is_file())
        .unwrap_or_else(|| file.into())
}

/// The stdout of `mailcred ACTION ARGS...`; its stderr is the user's, so
/// that what it says on failure (no such account, the store unreachable)
/// is seen as it said it, and its exit status is passed on.
fn ask(mut command: Command, action: &'static str, args: &[&str]) -> Result<Vec<u8>, Error> {
    let helper = format!("{} {action}", command.get_program().to_string_lossy());
    let output = command
        .arg(action)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|source| Error::HelperRun {
            helper: helper.clone(),
            action,
            source,
        })?;
    if !output.status.success() {
        return Err(Error::HelperFailed {
            helper,
            action,
            status: output.status,
        });
    }
    Ok(output.stdout)
}

fn unusable(action: &'static str, e: &serde_json::Error) -> Error {
    Error::AccountAnswer {
        action,
        why: format!(
            "line {}, column {}: {:?}",
            e.line(),
            e.column(),
            e.classify()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `sh -c SCRIPT`, to which the action and its arguments are added
    /// as `$0`, `$1`...
    fn stand_in(script: &str) -> Command {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        command
    }

    #[test]
    fn a_failure_of_mailcred_is_passed_on_with_its_status() {
        let Err(error) = account_from(stand_in("exit 69"), "work") else {
            panic!("a mailcred that fails must fail the lookup");
        };
        assert!(
            matches!(&error, Error::HelperFailed { action: "show", .. }),
            "{error:?}"
        );
        assert_eq!(
            crate::cli::exit_code(&error),
            69,
            "mailcred's own status (69: no such account) is the one exited with"
        );
    }

    #[test]
    fn an_answer_that_is_not_an_account_is_refused_without_quoting_it() {
        let Err(error) = account_from(stand_in("echo '{\"secret\": 1}'"), "work") else {
            panic!("an answer that is no account must fail the lookup");
        };
        assert!(matches!(error, Error::AccountAnswer { .. }), "{error:?}");
        assert!(
            !error.to_string().contains("secret"),
            "the message gives a position, never the answer: {error}"
        );
        assert_eq!(crate::cli::exit_code(&error), mailcred_core::exit::PROTOCOL);
    }

    #[test]
    fn the_list_of_every_account_comes_from_mailcred_list_json() {
        let all = accounts_from(stand_in(r#"[ "$0 $1" = "list --json" ] && echo '[]'"#))
            .expect("an empty list is a list");
        assert!(all.accounts.is_empty() && all.pending.is_empty());
    }
}

//! The commands of the `mailcred-smtp` binary, which `mailcred test` and
//! `mailcred send` run: public so that its `main` is one call, like
//! `mailcred::cli`; not meant as an API.

mod check;
mod exit;
mod send;
mod test_args;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use mailcred_core::accounts::Account;
use mailcred_core::smtp_options::{SEND, TEST};

use crate::{CredentialHelper, Error, MailcredTransportBuilder};

pub use exit::{TEST_PRECEDENCE, exit_code, first_by_precedence, reader_exit_code};

/// The usage of `mailcred-smtp`, from the tables of mailcred-core.
fn usage() -> String {
    format!(
        "usage: {}\n       {}\n\n\
         test   {}.\n\
         send   {}.\n\
         `mailcred test --help` and `mailcred send --help` describe their options.",
        TEST.usage_for("mailcred"),
        SEND.usage_for("mailcred"),
        TEST.about,
        SEND.about,
    )
}

/// A failure of one of the commands, with its exit status.
#[derive(Debug)]
pub struct Failure {
    /// The exit status (sysexits).
    pub code: u8,
    /// The one-line message, without the `mailcred: ` prefix.
    pub message: String,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure {
            code: exit_code(&error),
            message: format!("{:#}", anyhow::Error::from(error)),
        }
    }
}

impl Failure {
    /// A failure whose messages were already printed.
    fn reported(code: u8) -> Self {
        Failure {
            code,
            message: String::new(),
        }
    }

    fn new(code: u8, message: impl std::fmt::Display) -> Self {
        Failure {
            code,
            message: message.to_string(),
        }
    }
}

/// Runs `mailcred-smtp ARGS` (`args` without the program name).
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    mailcred_core::harden::forbid_core_dumps();
    let mut args = args.into_iter();
    let result = match args.next().as_ref().and_then(|a| a.to_str()) {
        Some("test") => check::run(args.collect()),
        Some("send") => send::run(args.collect()),
        Some("--version" | "-V") => {
            say(&format!("mailcred-smtp {}", env!("CARGO_PKG_VERSION")));
            Ok(())
        }
        Some("--help" | "-h" | "help") => {
            say(&usage());
            Ok(())
        }
        _ => Err(Failure::new(mailcred_core::exit::USAGE, usage())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !failure.message.is_empty() {
                warn(&failure.message);
            }
            ExitCode::from(failure.code)
        }
    }
}

/// Prints `mailcred: MESSAGE` on stderr. Messages may quote an account
/// file or a server: their control characters never reach the terminal.
fn warn(message: &str) {
    let message = mailcred_core::terminal::printable(message);
    let _ = writeln!(std::io::stderr(), "mailcred: {message}");
}

/// Prints `text` and a newline on stdout; a reader that went away (`| head`)
/// is no error, where `println!` would panic.
fn say(text: &str) {
    let _ = writeln!(std::io::stdout(), "{text}");
}

/// The credential helper the commands use: `git-credential-mailcred`
/// beside this program when it is there (an installation, or
/// `target/debug`), else the one on `PATH`.
fn helper() -> CredentialHelper {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("git-credential-mailcred")))
        .filter(|sibling| sibling.is_file())
        .map_or_else(CredentialHelper::mailcred, CredentialHelper::program)
}

/// A transport for `account`. The account's security is the user's choice,
/// made at `mailcred add` with a warning, so `none-dangerous` is honoured.
///
/// The helper is asked, not told how the login went: the password came
/// from mailcred's own store, so `store` would only write it back, and an
/// account's password survives `erase` anyway (the error says to run
/// `mailcred set-password`).
fn builder(
    account: &Account,
    ca_file: Option<&PathBuf>,
) -> Result<MailcredTransportBuilder, Error> {
    let mut builder = MailcredTransportBuilder::from_account_dangerous(account)?
        .credential_helper(helper())
        .approve_and_reject(false)
        .max_connections(1);
    if let Some(ca_file) = ca_file {
        builder = builder.add_root_certificate_file(ca_file)?;
    }
    Ok(builder)
}

fn read_accounts() -> Result<mailcred_core::accounts::Accounts, Error> {
    Ok(mailcred_core::accounts::AccountFile::default_location()?.read()?)
}

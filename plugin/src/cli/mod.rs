//! The commands of the `mailcred-smtp` binary, which `mailcred test` and
//! `mailcred send` run: public so that its `main` is one call, like
//! `mailcred::cli`; not meant as an API.

mod check;
mod exit;
mod send;
mod test_args;

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
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

/// Runs the program with its whole command line, program name first:
/// installed as the system's `sendmail` (the mailcred-mta package links
/// `/usr/sbin/sendmail` to it, as msmtp-mta does for msmtp), it is
/// `mailcred send`, since cron, mail(1) and every other caller of sendmail
/// give no command.
pub fn main(command_line: impl IntoIterator<Item = OsString>) -> ExitCode {
    run(arguments(command_line))
}

/// The arguments for [`run`]: those after the program name, with `send`
/// before them when the program is called `sendmail`.
fn arguments(command_line: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut command_line = command_line.into_iter();
    let program = command_line.next().unwrap_or_default();
    let called_as_sendmail = Path::new(&program)
        .file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| {
            name.strip_suffix(std::env::consts::EXE_SUFFIX)
                .unwrap_or(name)
                == "sendmail"
        });
    called_as_sendmail
        .then(|| OsString::from("send"))
        .into_iter()
        .chain(command_line)
        .collect()
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
/// `mailcred set-password`). An OAuth2 account's refused token is still
/// erased once, which drops only the cached access token so that the
/// retry gets a refreshed one (see `MailcredTransportBuilder::oauth2`).
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
    crate::account_source::accounts()
}

#[cfg(test)]
mod tests {
    use super::arguments;
    use std::ffi::OsString;

    fn args_for(command_line: &[&str]) -> Vec<OsString> {
        arguments(command_line.iter().map(OsString::from))
    }

    #[test]
    fn called_as_sendmail_it_is_send_with_every_argument() {
        for program in ["/usr/sbin/sendmail", "/usr/lib/sendmail", "sendmail"] {
            assert_eq!(
                args_for(&[program, "-i", "-FCronDaemon", "--", "root@example.org"]),
                ["send", "-i", "-FCronDaemon", "--", "root@example.org"],
                "{program} is what cron and mail(1) run: it must send, with all their options"
            );
        }
    }

    #[test]
    fn under_its_own_name_the_first_argument_is_the_command() {
        for program in [
            "/usr/bin/mailcred-smtp",
            "mailcred-smtp",
            "/opt/sendmail/mailcred-smtp",
        ] {
            assert_eq!(
                args_for(&[program, "test", "work"]),
                ["test", "work"],
                "only the program's own name makes it sendmail, not its folder"
            );
        }
        assert_eq!(
            args_for(&["sendmail-wrapper", "send"]),
            ["send"],
            "a name that merely starts with sendmail is not sendmail"
        );
        assert!(args_for(&[]).is_empty(), "no command line is no arguments");
    }
}

//! The command line, defined once with clap: the binaries parse it, and man
//! pages and completions are generated from it.

use std::io::{self, BufRead, IsTerminal, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use const_format::concatcp;
use mailcred_core::smtp_options;

use crate::accounts::Protocol;
use crate::commands::snippets::{GitScope, Tool};
use crate::commands::{self, CommandError, Context};

mod add;
mod import;
mod login;
mod oauth_args;

use crate::terminal::printable;
use crate::{exit, harden, secret_input};
pub use add::AddArgs;
pub use login::LoginArgs;
pub use oauth_args::{Auth, OAuthArgs};

/// Keeps mail app passwords in the OS keyring and serves them to git
/// send-email, msmtp and neomutt.
#[derive(Debug, Parser)]
#[command(name = "mailcred", version = version(), about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Where `mailcred test` and `mailcred send` come from, for their one-line help.
const RUNS_SMTP: &str = " (runs mailcred-smtp, from the mailcred-lettre package)";

/// The subcommands of `mailcred`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add a mail account and store its app password (prompted, or
    /// --password-stdin), or sign in with OAuth2 (--auth oauth2).
    Add(AddArgs),
    /// Sign in to an OAuth2 account again (its refresh token expired or was
    /// revoked, or new scopes), or switch an app-password account to OAuth2
    /// (--auth oauth2 --client-id ID).
    Login(LoginArgs),
    /// Print an account's password (or OAuth2 access token, refreshed when
    /// it has less than 5 minutes left) and a newline (for msmtp's
    /// passwordeval, neomutt backticks). Never reads stdin.
    Get {
        /// The account.
        account: String,
    },
    /// List the accounts and their endpoints (never a secret).
    List {
        /// Print JSON.
        #[arg(long, conflicts_with = "names")]
        json: bool,
        /// Print only the names, one a line (for shell completion).
        #[arg(long)]
        names: bool,
    },
    /// Show one account (never a secret).
    Show {
        /// The account.
        account: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove an account and its stored password or tokens.
    Remove {
        /// The account.
        account: String,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Replace an account's stored password (prompted, or --password-stdin).
    SetPassword {
        /// The account.
        account: String,
        /// Read the password from the first line of stdin instead of a prompt.
        #[arg(long)]
        password_stdin: bool,
    },
    /// neomutt's account_command: print username, login and password lines
    /// for the account on that server.
    Neomutt(NeomuttArgs),
    /// Print a configuration snippet for msmtp, neomutt, git, mutt, mbsync,
    /// OfflineIMAP, getmail6, aerc or himalaya.
    Config {
        /// For which program.
        #[arg(value_enum)]
        tool: Tool,
        /// The account.
        account: String,
    },
    /// Find the plaintext mail passwords in msmtp's, git's, mbsync's,
    /// neomutt's… files and move them into the keyring (a dry run unless
    /// --apply).
    Import(import::ImportArgs),
    /// Write an account's git send-email settings with git config.
    Configure {
        /// Only `git` can be configured this way.
        #[arg(value_parser = ["git"])]
        tool: String,
        /// The account.
        account: String,
        /// Write to the current repository instead of ~/.gitconfig.
        #[arg(long, conflicts_with = "global")]
        local: bool,
        /// Write to ~/.gitconfig (the default).
        #[arg(long)]
        global: bool,
    },
    /// Act as git's credential helper: `mailcred git get` is `git-credential-mailcred get`.
    Git(GitHelperArgs),
    /// Check that the keyring works, by storing, reading and deleting a throwaway secret
    /// (for OpenBao, first the server, the token's time left and its policies).
    Doctor,
    /// `mailcred test`: mailcred-smtp's, whose options are the table
    /// [`smtp_options::TEST`]; `mailcred test --help` is its help.
    #[command(
        about = concatcp!(smtp_options::TEST.about, RUNS_SMTP),
        long_about = None,
        disable_help_flag = true
    )]
    Test {
        /// The arguments of `mailcred test`, passed to mailcred-smtp.
        #[arg(num_args = 0.., allow_hyphen_values = true, trailing_var_arg = true)]
        args: Vec<std::ffi::OsString>,
    },
    /// `mailcred send`: mailcred-smtp's, whose options are the table
    /// [`smtp_options::SEND`]; `mailcred send --help` is its help.
    #[command(
        about = concatcp!(smtp_options::SEND.about, RUNS_SMTP),
        long_about = None,
        disable_help_flag = true
    )]
    Send {
        /// The arguments of `mailcred send`, passed to mailcred-smtp.
        #[arg(num_args = 0.., allow_hyphen_values = true, trailing_var_arg = true)]
        args: Vec<std::ffi::OsString>,
    },
    /// Write the man pages and shell completions into DIR (for packagers).
    #[command(hide = true)]
    GenerateAssets {
        /// The folder to write man/ and completions/ into.
        dir: std::path::PathBuf,
    },
}

/// `mailcred neomutt`, with the arguments neomutt passes.
#[derive(Debug, Args)]
pub struct NeomuttArgs {
    /// The server neomutt connects to (no port).
    #[arg(long)]
    pub hostname: String,
    /// The login neomutt knows, if any.
    #[arg(long)]
    pub username: Option<String>,
    /// The protocol: smtp, imap or pop, with an `s` under TLS (smtps,
    /// imaps, pops). Answered for the account's endpoint of that protocol;
    /// nntp is not served.
    #[arg(long = "type")]
    pub kind: Option<String>,
}

/// git credential helper keeping credentials in the OS keyring.
///
/// Configure with `git config --global credential.helper mailcred`.
#[derive(Debug, Parser)]
#[command(name = "git-credential-mailcred", version = version())]
pub struct GitHelperArgs {
    /// get, store, erase or capability; git may send others, which are ignored.
    pub action: String,
}

/// `mailcred --version`: the version and the stores compiled in, from the
/// store factory's list.
pub fn version() -> String {
    format!(
        "{} (stores: {})",
        env!("CARGO_PKG_VERSION"),
        crate::store::StoreChoice::compiled_in_list()
    )
}

/// The command lines a mail program or git runs on every lookup, read
/// without clap: `mailcred get ACCOUNT` and `git-credential-mailcred
/// ACTION`. Building clap's command (every subcommand, argument and help
/// text of `mailcred`) costs more than the rest of a process start (measured
/// in `bench/secret-service-get`), and a lookup needs none of it. Anything
/// else (an option, a second argument, bytes that are not UTF-8) goes to
/// clap, which parses these two shapes the same way.
pub trait Quick: Sized {
    /// The arguments, if they have the one shape read without clap.
    fn quick(args: &[std::ffi::OsString]) -> Option<Self>;
}

/// A plain word: not an option, so clap would take it as a value.
fn plain(arg: &std::ffi::OsString) -> Option<String> {
    arg.to_str()
        .filter(|s| !s.starts_with('-'))
        .map(str::to_owned)
}

impl Quick for Cli {
    fn quick(args: &[std::ffi::OsString]) -> Option<Self> {
        match args {
            [get, account] if get == "get" => Some(Cli {
                command: Command::Get {
                    account: plain(account)?,
                },
            }),
            _ => None,
        }
    }
}

impl Quick for GitHelperArgs {
    fn quick(args: &[std::ffi::OsString]) -> Option<Self> {
        match args {
            [action] => Some(GitHelperArgs {
                action: plain(action)?,
            }),
            _ => None,
        }
    }
}

/// This process's arguments: [`Quick`]'s shapes directly, anything else
/// through clap ([`parse_args`]).
pub fn parse_args_quickly<T: Parser + Quick>() -> Result<T, ExitCode> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    match T::quick(&args) {
        Some(parsed) => Ok(parsed),
        None => parse_args(),
    }
}

/// Parses this process's arguments. `--help` and `--version` print to
/// stdout and exit 0; a command line that does not parse says why on stderr
/// and exits [`exit::USAGE`] (64, as every mailcred binary, sendmail and
/// msmtp do), not clap's own 2.
pub fn parse_args<T: Parser>() -> Result<T, ExitCode> {
    T::try_parse().map_err(|error| {
        let _ = error.print();
        if error.use_stderr() {
            ExitCode::from(exit::USAGE)
        } else {
            ExitCode::SUCCESS
        }
    })
}

/// Runs `mailcred`.
pub fn run(cli: Cli) -> ExitCode {
    // Another binary, so that this one links no SMTP or TLS code.
    if let Command::Test { args } | Command::Send { args } = &cli.command {
        let subcommand = if matches!(cli.command, Command::Test { .. }) {
            "test"
        } else {
            "send"
        };
        return crate::external::run_smtp(subcommand, args);
    }
    if let Command::Git(args) = cli.command {
        return run_git_helper(args);
    }
    if let Command::GenerateAssets { dir } = &cli.command {
        return finish(crate::assets::write_all(dir).map_err(CommandError::from));
    }
    harden::forbid_core_dumps();
    finish(dispatch(cli.command))
}

/// Runs `git-credential-mailcred ACTION`.
pub fn run_git_helper(args: GitHelperArgs) -> ExitCode {
    harden::forbid_core_dumps();
    let result = Context::from_environment().and_then(|ctx| {
        let input = secret_input::unbuffered_stdin();
        commands::git::run(&args.action, input, io::stdout().lock(), &ctx)
    });
    finish(result)
}

fn dispatch(command: Command) -> Result<(), CommandError> {
    let ctx = Context::from_environment()?;
    let out = io::stdout().lock();
    match command {
        Command::Add(args) => add::run(&ctx, args),
        Command::Login(args) => login::run(&ctx, args),
        Command::Get { account } => commands::lookup::get(&ctx, &account, out),
        Command::List { json, names } => {
            let format = match (json, names) {
                (true, _) => commands::listing::ListFormat::Json,
                (_, true) => commands::listing::ListFormat::Names,
                _ => commands::listing::ListFormat::Table,
            };
            commands::listing::list(&ctx, format, out)
        }
        Command::Show { account, json } => commands::listing::show(&ctx, &account, json, out),
        Command::Remove { account, yes } => {
            let found = commands::accounts::find(&ctx, &account)?;
            if !yes {
                confirm_removal(&account, found.is_oauth())?;
            }
            commands::accounts::remove(&ctx, &account, out)
        }
        Command::SetPassword {
            account,
            password_stdin,
        } => {
            commands::accounts::find(&ctx, &account)?;
            let password = new_password(&account, password_stdin)?;
            commands::accounts::set_password(&ctx, &account, password, out)
        }
        Command::Neomutt(args) => {
            let protocol = match args.kind.as_deref() {
                None => None,
                Some(kind) => Some(Protocol::from_scheme(kind).ok_or_else(|| {
                    CommandError::Usage(format!(
                        "--type {kind:?}: mailcred serves smtp, imap and pop (with or without \
                         the s of TLS), not this"
                    ))
                })?),
            };
            commands::lookup::neomutt(
                &ctx,
                &args.hostname,
                args.username.as_deref(),
                protocol,
                out,
            )
        }
        Command::Config { tool, account } => {
            commands::snippets::config(&ctx, tool, &account, "mailcred", out)
        }
        Command::Configure { account, local, .. } => {
            let scope = if local {
                GitScope::Local
            } else {
                GitScope::Global
            };
            commands::snippets::configure_git(&ctx, &account, scope, out)
        }
        Command::Import(args) => import::run(&ctx, args, out),
        Command::Doctor => {
            let (config, chosen_by) = crate::settings::store_config_chosen()?;
            commands::doctor::run(
                &ctx,
                config.choice.name(),
                &chosen_by.to_string(),
                &|| config.server_status(),
                out,
            )
        }
        Command::Git(_)
        | Command::GenerateAssets { .. }
        | Command::Test { .. }
        | Command::Send { .. } => {
            unreachable!("handled before the context is built")
        }
    }
}

pub(crate) fn new_password(
    account: &str,
    from_stdin: bool,
) -> Result<secrecy::SecretString, CommandError> {
    Ok(if from_stdin {
        secret_input::from_stdin(secret_input::unbuffered_stdin())?
    } else {
        secret_input::from_prompt(account)?
    })
}

fn confirm_removal(account: &str, oauth: bool) -> Result<(), CommandError> {
    if !io::stdin().is_terminal() {
        return Err(CommandError::Usage(format!(
            "not removing {account} without confirmation: pass --yes when there is no terminal to ask on"
        )));
    }
    if oauth {
        eprint!(
            "Remove {account} and its OAuth2 tokens? Signing in again needs `mailcred add`. [y/N] "
        );
    } else {
        eprint!(
            "Remove {account} and its stored app password? The provider will not show it again. [y/N] "
        );
    }
    let mut answer = String::new();
    io::stdin().lock().read_line(&mut answer)?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        Err(CommandError::Usage(format!(
            "kept {account}: not confirmed"
        )))
    }
}

/// Turns a result into an exit status, with one line on stderr on failure.
fn finish(result: Result<(), CommandError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) if e.already_told() => ExitCode::from(e.exit_code()),
        Err(e) => {
            let code = e.exit_code();
            // A message may quote a hand-edited account file: never pass its
            // control characters to the terminal.
            let message = format!("{:#}", anyhow::Error::from(e));
            let _ = writeln!(io::stderr(), "mailcred: {}", printable(&message));
            ExitCode::from(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use clap::Parser;

    use super::{Cli, Command, GitHelperArgs, Quick};
    use crate::store::StoreChoice;

    fn words(line: &[&str]) -> Vec<OsString> {
        line.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_quick_shapes_parse_as_clap_parses_them() {
        for line in [&["get", "work"][..], &["get", "get"], &["get", "ünïcode"]] {
            let quick = Cli::quick(&words(line)).expect("a plain get is read without clap");
            let clap = Cli::try_parse_from(std::iter::once("mailcred").chain(line.iter().copied()))
                .expect("clap parses it too");
            assert!(
                matches!((&quick.command, &clap.command), (Command::Get { account: a }, Command::Get { account: b }) if a == b),
                "{line:?}: quick {quick:?}, clap {clap:?}"
            );
        }
        for action in ["get", "store", "erase", "capability", "something-new"] {
            let quick = GitHelperArgs::quick(&words(&[action])).expect("one plain word");
            let clap = GitHelperArgs::try_parse_from(["git-credential-mailcred", action]).unwrap();
            assert_eq!(quick.action, clap.action);
        }
    }

    #[test]
    fn options_and_other_shapes_are_left_to_clap() {
        for line in [
            &["get", "--help"][..],
            &["get", "-h"],
            &["get"],
            &["get", "a", "b"],
            &["--version"],
            &["list"],
            &["git", "get"],
        ] {
            assert!(
                Cli::quick(&words(line)).is_none(),
                "{line:?} is clap's to parse"
            );
        }
        for line in [&["--help"][..], &["-V"], &[], &["get", "extra"]] {
            assert!(
                GitHelperArgs::quick(&words(line)).is_none(),
                "{line:?} is clap's to parse"
            );
        }
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            let not_utf8 = vec![OsString::from("get"), OsString::from_vec(vec![0xff, b'x'])];
            assert!(
                Cli::quick(&not_utf8).is_none(),
                "clap reports bytes that are not UTF-8"
            );
        }
    }

    #[test]
    fn the_version_lists_the_compiled_in_stores_with_the_default_marked() {
        let version = super::version();
        for choice in StoreChoice::compiled_in() {
            assert!(
                version.contains(choice.name()),
                "--version must list the compiled-in store {}: {version}",
                choice.name()
            );
        }
        if let Some(default) = StoreChoice::platform_default() {
            assert!(
                version.contains(&format!("{} (default)", default.name())),
                "--version must mark the default store: {version}"
            );
        }
    }
}

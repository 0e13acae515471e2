//! The command line, defined once with clap: the binaries parse it, and man
//! pages and completions are generated from it.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::commands::{self, CommandError, Context};
use crate::harden;

/// Keeps mail app passwords in the OS keyring and serves them to git
/// send-email, msmtp and neomutt.
#[derive(Debug, Parser)]
#[command(name = "mailcred", version = version(), about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands of `mailcred`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Act as git's credential helper: `mailcred git get` is `git-credential-mailcred get`.
    Git(GitHelperArgs),
    /// Check that the keyring works, by storing, reading and deleting a throwaway secret.
    Doctor,
}

/// The git credential helper's command line.
#[derive(Debug, Parser)]
#[command(name = "git-credential-mailcred", version = version())]
/// git credential helper keeping credentials in the OS keyring.
///
/// Configure with `git config --global credential.helper mailcred`.
pub struct GitHelperArgs {
    /// get, store, erase or capability; git may send others, which are ignored.
    pub action: String,
}

/// `mailcred --version`: the version and the stores compiled in.
pub const fn version() -> &'static str {
    #[cfg(target_os = "linux")]
    const STORES: &str = "stores: secret-service (default), keyutils";
    #[cfg(target_os = "macos")]
    const STORES: &str = "stores: keychain (default)";
    #[cfg(target_os = "windows")]
    const STORES: &str = "stores: credential-manager (default)";
    #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
    const STORES: &str = "stores: none";
    const_format::concatcp!(env!("CARGO_PKG_VERSION"), " (", STORES, ")")
}

/// Runs `mailcred`.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Git(args) => run_git_helper(args),
        Command::Doctor => finish(doctor()),
    }
}

/// Runs `git-credential-mailcred ACTION`.
pub fn run_git_helper(args: GitHelperArgs) -> ExitCode {
    harden::forbid_core_dumps();
    let result = Context::from_environment().and_then(|ctx| {
        commands::git::run(&args.action, io::stdin().lock(), io::stdout().lock(), &ctx)
    });
    finish(result)
}

fn doctor() -> Result<(), CommandError> {
    let choice = commands::configured_store()?;
    let ctx = Context::from_environment()?;
    commands::doctor::run(&ctx, choice.name(), io::stdout().lock())
}

/// Turns a result into an exit status, with one line on stderr on failure.
fn finish(result: Result<(), CommandError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            let code = e.exit_code();
            let _ = writeln!(io::stderr(), "mailcred: {:#}", anyhow::Error::from(e));
            ExitCode::from(code)
        }
    }
}

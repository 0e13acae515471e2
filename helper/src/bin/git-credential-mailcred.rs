//! `git-credential-mailcred ACTION`: the git credential helper.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    mailcred::cli::run_git_helper(mailcred::cli::GitHelperArgs::parse())
}

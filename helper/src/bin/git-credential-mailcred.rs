//! `git-credential-mailcred ACTION`: the git credential helper.

use std::process::ExitCode;

use mailcred::cli::{GitHelperArgs, parse_args_quickly};

fn main() -> ExitCode {
    match parse_args_quickly::<GitHelperArgs>() {
        Ok(args) => mailcred::cli::run_git_helper(args),
        Err(code) => code,
    }
}

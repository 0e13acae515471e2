//! `mailcred`: see `mailcred --help`.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    mailcred::cli::run(mailcred::cli::Cli::parse())
}

//! `mailcred`: see `mailcred --help`.

use std::process::ExitCode;

use mailcred::cli::{Cli, parse_args_quickly};

fn main() -> ExitCode {
    match parse_args_quickly::<Cli>() {
        Ok(cli) => mailcred::cli::run(cli),
        Err(code) => code,
    }
}

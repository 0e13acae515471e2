//! `mailcred`: see `mailcred --help`.

use std::process::ExitCode;

use mailcred::cli::{Cli, parse_args};

fn main() -> ExitCode {
    match parse_args::<Cli>() {
        Ok(cli) => mailcred::cli::run(cli),
        Err(code) => code,
    }
}

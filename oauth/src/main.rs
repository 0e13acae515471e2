//! `mailcred-oauth login|refresh`: what `mailcred` runs when a token must be
//! fetched (see the library for the contract).

use std::io::{self, BufReader};
use std::process::ExitCode;

fn main() -> ExitCode {
    mailcred_core::harden::forbid_core_dumps();
    mailcred_oauth::install_panic_hook();
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let status = mailcred_oauth::run(
        &args,
        BufReader::new(io::stdin()),
        &mut io::stdout().lock(),
        // Not locked for the whole run: the thread reading a pasted address
        // writes its hints to stderr too.
        &mut io::stderr(),
    );
    ExitCode::from(status)
}

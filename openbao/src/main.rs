//! `mailcred-openbao`: what `mailcred` runs to reach an OpenBao or Vault
//! server (see the library for the contract).

use std::io::{self, BufReader};
use std::process::ExitCode;

fn main() -> ExitCode {
    mailcred_core::harden::forbid_core_dumps();
    mailcred_openbao::install_panic_hook();
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let status = mailcred_openbao::run(
        &args,
        &mut BufReader::new(io::stdin().lock()),
        &mut io::stdout().lock(),
    );
    ExitCode::from(status)
}

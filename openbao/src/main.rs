//! `mailcred-openbao`: what `mailcred` runs to reach an OpenBao or Vault
//! server, so that `mailcred` itself links no HTTP or TLS code (the
//! contract is in the library once the client lands).

use std::process::ExitCode;

fn main() -> ExitCode {
    mailcred_core::harden::forbid_core_dumps();
    match std::env::args().nth(1).as_deref() {
        Some("--version" | "-V") => {
            println!("mailcred-openbao {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("--help" | "-h") => {
            println!("mailcred-openbao: mailcred's OpenBao/Vault companion, run by mailcred.");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("mailcred-openbao: not yet able to reach a server");
            ExitCode::from(mailcred_core::exit::SOFTWARE)
        }
    }
}

//! `mailcred-openbao`: the only mailcred program that speaks HTTP(S) to an
//! OpenBao or Vault server, so that `mailcred` and `git-credential-mailcred`
//! link no HTTP client and no TLS (notes/bao-design.md §1).
//!
//! The contract (§2): `mailcred` starts it with no arguments and keeps it
//! for one command. stdin's first line is the configuration (JSON); every
//! further line is one request (`read`, `write`, `delete`, `ping`) and gets
//! one answer line on stdout, in order; EOF ends the session with status 0.
//! Errors are answers too (`{"error":{"kind":…}}`) and the session goes on,
//! except after `bad_config`, when the companion exits with
//! [`exit::CONFIG`]. Secrets (blobs, tokens, secret ids) travel only on the
//! pipes and in 0600 files, never in argv, the environment or a message.

pub mod auth;
pub mod classify;
pub mod config;
pub mod failure;
pub mod http;
pub mod key;
mod kv;
pub mod protocol;
pub mod session;

use std::io::{BufRead, Write};

use mailcred_core::exit;

const USAGE: &str = "usage: mailcred-openbao  (a session of JSON lines on stdin and stdout; run by mailcred, not by hand)";

/// Runs the companion with `args` (without the program name) and returns
/// the exit status.
pub fn run(args: &[String], input: &mut dyn BufRead, output: &mut dyn Write) -> u8 {
    match args {
        [] => session::run(input, output),
        [one] if one == "--help" || one == "-h" => {
            let _ = writeln!(output, "{USAGE}");
            exit::SUCCESS
        }
        [one] if one == "--version" || one == "-V" => {
            let _ = writeln!(output, "mailcred-openbao {}", env!("CARGO_PKG_VERSION"));
            exit::SUCCESS
        }
        _ => {
            eprintln!("mailcred: {USAGE}");
            exit::USAGE
        }
    }
}

/// Replaces the default panic message (which may quote any value) with one
/// line and status [`exit::SOFTWARE`], also where panics abort.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "mailcred: mailcred-openbao failed unexpectedly{place} (a bug); nothing more was written"
        );
        std::process::exit(i32::from(exit::SOFTWARE));
    }));
}

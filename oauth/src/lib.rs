//! `mailcred-oauth`: the only mailcred program that speaks HTTP(S) to an
//! identity provider. `mailcred` runs it only when a token must be fetched,
//! so a `get` with a cached token loads no HTTP client and no TLS library.
//!
//! The contract (notes/oauth-design.md §2): `login` or `refresh` as the one
//! argument, one JSON request on stdin's first line, one JSON answer on
//! stdout on success; on failure nothing on stdout, one `mailcred: …` line
//! on stderr and a status from [`mailcred_core::exit`].

pub mod classify;
pub mod client;
pub mod endpoint;
pub mod failure;
pub mod http;
pub mod login;
pub mod refresh;
pub mod request;

use std::io::{BufRead, Write};

use mailcred_core::exit;

use crate::failure::Failure;
use crate::request::Request;

const USAGE: &str = "usage: mailcred-oauth login|refresh  (one JSON request on stdin; run by mailcred, not by hand)";

/// Runs the subcommand in `args` (without the program name) on `stdin`, and
/// returns the exit status.
pub fn run<R: BufRead + Send + 'static>(
    args: &[String],
    mut stdin: R,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8 {
    let command = match args {
        [one] if one == "login" || one == "refresh" => one.as_str(),
        [one] if one == "--help" || one == "-h" => {
            let _ = writeln!(stdout, "{USAGE}");
            return exit::SUCCESS;
        }
        [one] if one == "--version" || one == "-V" => {
            let _ = writeln!(stdout, "mailcred-oauth {}", env!("CARGO_PKG_VERSION"));
            return exit::SUCCESS;
        }
        _ => {
            let _ = writeln!(stderr, "mailcred: {USAGE}");
            return exit::USAGE;
        }
    };
    let request = match Request::read(&mut stdin) {
        Ok(request) => request,
        Err(failure) => {
            let _ = writeln!(stderr, "{}", failure.line(&[]));
            return failure.status;
        }
    };
    let result = match command {
        "login" => login::login(&request, Box::new(stdin), stderr),
        _ => refresh::refresh(&request),
    };
    let failure = match result {
        Ok(tokens) => match tokens.write(stdout) {
            Ok(()) => return exit::SUCCESS,
            Err(err) => Failure::new(
                exit::IO_ERROR,
                format!(
                    "{}: the new tokens could not be handed to mailcred ({err}); sign in again with `mailcred login {}`",
                    request.account, request.account
                ),
            ),
        },
        Err(failure) => failure,
    };
    let _ = writeln!(stderr, "{}", failure.line(&request.secrets()));
    failure.status
}

/// Replaces the default panic message (which may quote any value) with one
/// line and status [`exit::SOFTWARE`], also where panics abort.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("mailcred: mailcred-oauth failed unexpectedly{place} (a bug); nothing was saved");
        std::process::exit(i32::from(exit::SOFTWARE));
    }));
}

//! `mailcred-smtp test|send`: what `mailcred test` and `mailcred send` run.
//! It lives in the mailcred-lettre crate so that the `mailcred` binary,
//! which msmtp runs for every message, links neither lettre nor rustls.
//! Called as `sendmail` (a link of that name), it is `send`.

use std::process::ExitCode;

fn main() -> ExitCode {
    mailcred_lettre::cli::main(std::env::args_os())
}

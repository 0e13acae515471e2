//! `mailcred test ACCOUNT`: connect, TLS, log in, send nothing.

use std::ffi::OsString;
use std::path::PathBuf;

use mailcred_core::accounts::{AccountQuery, Security};
use mailcred_core::exit;

use super::{Failure, builder, read_accounts, say};
use crate::Error;

/// The help of `mailcred test`.
const HELP: &str = "\
usage: mailcred test ACCOUNT [--ca-file PEM]

Connects to the account's server, negotiates TLS and logs in with the
password from the keyring; sends nothing. The exit status is 0 only when
the server accepted the login.

  --ca-file PEM  also trust this CA certificate (a self-signed server)
  -h, --help     print this help";

pub(super) fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let usage = |why: &str| {
        Failure::new(
            exit::USAGE,
            format!("{why}; usage: mailcred test ACCOUNT [--ca-file PEM]"),
        )
    };
    let mut name = None;
    let mut ca_file = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let arg = arg
            .into_string()
            .map_err(|_| usage("arguments must be UTF-8"))?;
        if arg == "--help" || arg == "-h" {
            say(HELP);
            return Ok(());
        } else if let Some(path) = arg.strip_prefix("--ca-file=") {
            ca_file = Some(PathBuf::from(path));
        } else if arg == "--ca-file" {
            ca_file = Some(PathBuf::from(
                args.next().ok_or_else(|| usage("--ca-file needs a file"))?,
            ));
        } else if arg.starts_with('-') {
            return Err(usage(&format!("unknown option {arg}")));
        } else if name.replace(arg).is_some() {
            return Err(usage("one account at a time"));
        }
    }
    let name = name.ok_or_else(|| usage("which account?"))?;

    let accounts = read_accounts()?;
    let account = accounts
        .find(AccountQuery::Named(&name))
        .map_err(Error::from)?;
    let transport = builder(account, ca_file.as_ref())?.build()?;
    transport.test_connection()?;
    let over = match account.security {
        Security::Starttls => "over STARTTLS",
        Security::Tls => "over TLS",
        Security::NoneDangerous => "over an UNENCRYPTED connection (none-dangerous)",
    };
    println!(
        "{name}: the server accepted the login of {} on {}:{} {over}; nothing was sent",
        account.user, account.host, account.port
    );
    Ok(())
}

//! `mailcred test ACCOUNT`: connect, TLS, log in, send nothing.

use std::ffi::OsString;

use mailcred_core::accounts::{AccountQuery, Security};
use mailcred_core::exit;
use mailcred_core::smtp_options::TEST;

use super::test_args::TestArgs;
use super::{Failure, builder, read_accounts, say};
use crate::Error;

pub(super) fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let usage = |why: &str| Failure::new(exit::USAGE, format!("{why}; {}", TEST.usage()));
    let TestArgs {
        name,
        ca_file,
        help,
    } = TestArgs::parse(args).map_err(|why| usage(&why))?;
    if help {
        say(&TEST.help());
        return Ok(());
    }
    let name = name.ok_or_else(|| usage("which account?"))?;

    let accounts = read_accounts()?;
    let account = accounts
        .find(AccountQuery::Named(&name))
        .map_err(Error::from)?;
    let transport = builder(account, ca_file.as_ref())?.build()?;
    let smtp = account
        .smtp
        .as_ref()
        .expect("the builder refuses an account without SMTP");
    transport.test_connection()?;
    let over = match smtp.security {
        Security::Starttls => "over STARTTLS",
        Security::Tls => "over TLS",
        Security::NoneDangerous => "over an UNENCRYPTED connection (none-dangerous)",
    };
    println!(
        "{name}: the server accepted the login of {} on {}:{} {over}; nothing was sent",
        account.login_at(smtp),
        smtp.host,
        smtp.port
    );
    Ok(())
}

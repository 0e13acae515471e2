//! `mailcred test ACCOUNT`: log in to every endpoint of the account (SMTP,
//! IMAP, POP), send and fetch nothing, and report each on its own line:
//! accepted logins on stdout, refusals on stderr in plain words.
//!
//! An account that signs in with OAuth2 logs in with XOAUTH2 everywhere.
//! For an app-password account, an endpoint its sign-in cannot use
//! (Exchange Online's IMAP and POP take OAuth only) is reported as such and
//! not counted. The exit
//! status is 0 only when every counted endpoint accepted the login;
//! otherwise it is one status, picked by
//! [`TEST_PRECEDENCE`](super::TEST_PRECEDENCE).

use std::ffi::OsString;
use std::path::PathBuf;

use mailcred_core::accounts::{Account, AccountQuery, Endpoint, Protocol, Security};
use mailcred_core::exit;
use mailcred_core::smtp_options::TEST;
use mailcred_core::terminal::printable;

use super::exit::{first_by_precedence, reader_exit_code};
use super::test_args::TestArgs;
use super::{Failure, builder, helper, read_accounts, say, warn};
use crate::Error;
use crate::reader::{ReadProtocol, ReaderCheck};

/// The host whose IMAP and POP take OAuth only, whatever the provider
/// preset (a `custom` account may name it too).
const EXCHANGE_ONLINE: &str = "outlook.office365.com";

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

    let mut failed = Vec::new();
    let mut counted = 0;
    for (protocol, endpoint) in account.endpoints() {
        let label = label(protocol);
        if let Some(why) = oauth_only(account, protocol, endpoint) {
            say(&printable(&format!(
                "{name}: {label}: {} signs in with OAuth only: {why}; not tested, not counted",
                endpoint.host_port()
            )));
            continue;
        }
        counted += 1;
        let outcome = match protocol {
            Protocol::Smtp => test_smtp(account, ca_file.as_ref()),
            Protocol::Imap => test_reader(account, ReadProtocol::Imap, endpoint, ca_file.as_ref()),
            Protocol::Pop => test_reader(account, ReadProtocol::Pop, endpoint, ca_file.as_ref()),
        };
        match outcome {
            Ok(done) => say(&printable(&format!(
                "{name}: {label}: the server accepted the login of {} on {} {}; {done}",
                account.login_at(endpoint),
                endpoint.host_port(),
                over(endpoint.security),
            ))),
            Err(failure) => {
                warn(&format!("{label}: {}", failure.message));
                failed.push(failure.code);
            }
        }
    }
    if counted == 0 {
        return Err(Failure::new(
            exit::SERVER_UNAVAILABLE,
            format!(
                "{name}: no endpoint of the account takes its app password, so none was tested"
            ),
        ));
    }
    match first_by_precedence(&failed) {
        None => Ok(()),
        Some(code) => Err(Failure::reported(code)),
    }
}

/// SMTP, as `mailcred test` always did: connect, TLS, AUTH, QUIT.
fn test_smtp(account: &Account, ca_file: Option<&PathBuf>) -> Result<&'static str, Failure> {
    let transport = builder(account, ca_file)?.build()?;
    transport.test_connection()?;
    Ok("nothing was sent")
}

/// IMAP or POP3: connect, TLS, log in, log out.
fn test_reader(
    account: &Account,
    protocol: ReadProtocol,
    endpoint: &Endpoint,
    ca_file: Option<&PathBuf>,
) -> Result<&'static str, Failure> {
    let mut check = ReaderCheck::new(
        protocol,
        &endpoint.host,
        endpoint.port,
        endpoint.security,
        account.login_at(endpoint),
    )
    .account(&account.name)
    .oauth2(account.is_oauth())
    .credential_helper(helper());
    if let Some(ca_file) = ca_file {
        check = check.add_root_certificate_file(ca_file)?;
    }
    check.run().map_err(|error| Failure {
        code: reader_exit_code(&error),
        message: format!("{:#}", anyhow::Error::from(error)),
    })?;
    Ok("logged out at once, nothing was fetched")
}

/// Why the account's sign-in cannot log in at `endpoint`, if it cannot:
/// an app password where only OAuth is taken. An OAuth2 account can.
fn oauth_only(account: &Account, protocol: Protocol, endpoint: &Endpoint) -> Option<&'static str> {
    if account.is_oauth() {
        return None;
    }
    account.provider.oauth_only(protocol).or_else(|| {
        (protocol != Protocol::Smtp && endpoint.host.eq_ignore_ascii_case(EXCHANGE_ONLINE)).then_some(
            "Exchange Online accepts only OAuth sign-in on IMAP and POP (Microsoft turned basic \
             authentication off there in 2022), and this account has an app password: switch it \
             to OAuth2 sign-in (--auth oauth2)",
        )
    })
}

fn label(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Smtp => "SMTP",
        Protocol::Imap => "IMAP",
        Protocol::Pop => "POP3",
    }
}

fn over(security: Security) -> &'static str {
    match security {
        Security::Starttls => "over STARTTLS",
        Security::Tls => "over TLS",
        Security::NoneDangerous => "over an UNENCRYPTED connection (none-dangerous)",
    }
}

//! `mailcred send`: sendmail's interface over one SMTP transaction.

use std::ffi::OsString;
use std::str::FromStr;

use lettre::Transport;
use lettre::address::{Address, Envelope};
use mailcred_core::exit;
use mailcred_core::smtp_options::SEND;

use super::{Failure, builder, read_accounts, say};
use crate::sendmail::{self, AccountChoiceError, SendmailArgs};

pub(super) fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let args = SendmailArgs::parse(args)
        .map_err(|e| Failure::new(exit::USAGE, format!("{e}\n{}", SEND.usage())))?;
    if args.help {
        say(&SEND.help());
        return Ok(());
    }
    let not_sent = |code, why: String| Failure::new(code, format!("message not sent: {why}"));

    let raw = sendmail::read_message(std::io::stdin().lock(), args.ignore_dots)
        .map_err(|e| not_sent(exit::IO_ERROR, format!("cannot read it from stdin: {e}")))?;
    let prepared =
        sendmail::prepare(&raw).map_err(|e| not_sent(exit::REFUSED_INPUT, e.to_string()))?;
    let recipients = sendmail::recipients(&args, &prepared);
    if recipients.is_empty() {
        return Err(not_sent(
            exit::USAGE,
            "no recipients: give them as arguments, or -t to take To, Cc and Bcc from the message"
                .into(),
        ));
    }
    let accounts = read_accounts().map_err(|e| not_sent_error(e.into()))?;
    let account = sendmail::choose_account(&accounts, &args, &prepared).map_err(|e| {
        let code = match &e {
            AccountChoiceError::NoSender => exit::USAGE,
            AccountChoiceError::Lookup(lookup) => lookup.exit_code(),
        };
        not_sent(code, e.to_string())
    })?;

    let sender = match args.from.as_deref().or(prepared.from.as_deref()) {
        // -f '' and -f '<>' ask for the null sender (bounces).
        None | Some("" | "<>") => None,
        Some(sender) => Some(Address::from_str(sender).map_err(|_| {
            not_sent(
                exit::USAGE,
                format!("\"{sender}\" is not an e-mail address"),
            )
        })?),
    };
    let to = recipients
        .iter()
        .map(|r| {
            Address::from_str(r).map_err(|_| {
                not_sent(
                    exit::USAGE,
                    format!("recipient \"{r}\" is not an e-mail address"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let envelope = Envelope::new(sender, to).map_err(|e| not_sent(exit::USAGE, e.to_string()))?;

    let transport = builder(account, args.ca_file.as_ref())
        .and_then(|b| b.build())
        .map_err(|e| not_sent_error(e.into()))?;
    transport
        .send_raw(&envelope, &prepared.data)
        .map_err(|e| not_sent_error(e.into()))?;
    transport.shutdown();
    Ok(())
}

/// Every failure of `send` says that nothing was sent.
fn not_sent_error(failure: Failure) -> Failure {
    Failure {
        message: format!("message not sent: {}", failure.message),
        ..failure
    }
}

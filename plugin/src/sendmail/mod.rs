//! The pieces of a sendmail-compatible sender (`mailcred send`): its
//! command line, the message on stdin, and the envelope taken from both.
//! Pure functions over bytes and strings; sending is [`MailcredTransport`]'s.
//!
//! [`MailcredTransport`]: crate::MailcredTransport

mod addresses;
mod args;
mod header;
mod message;

pub use addresses::{AddressError, parse_list};
pub use args::{SendmailArgs, UsageError};
pub use message::{MessageError, Prepared, prepare, read_message};

use mailcred_core::accounts::{Account, AccountQuery, Accounts, LookupError};

/// The recipients of the envelope: the arguments, then (with `-t`) the
/// message's To, Cc and Bcc addresses, each address once.
pub fn recipients(args: &SendmailArgs, prepared: &Prepared) -> Vec<String> {
    let from_headers = args
        .read_recipients
        .then_some(&prepared.header_recipients)
        .into_iter()
        .flatten();
    let mut seen = std::collections::HashSet::new();
    args.recipients
        .iter()
        .chain(from_headers)
        .filter(|r| seen.insert(r.to_ascii_lowercase()))
        .cloned()
        .collect()
}

/// Why no account could be chosen for a message.
#[derive(Debug, thiserror::Error)]
pub enum AccountChoiceError {
    /// No From: and no -f, and no --account.
    #[error("the message has no From: address and no -f was given: pass --account NAME")]
    NoSender,
    /// `--account NAME` names no account, or no single account logs in as
    /// the sender (the message is mailcred-core's, as for every lookup).
    #[error(transparent)]
    Lookup(#[from] LookupError),
}

/// The account to send with: `--account`, else the one whose user is the
/// From: address (or, without From:, the `-f` sender), compared without
/// regard to case.
pub fn choose_account<'a>(
    accounts: &'a Accounts,
    args: &SendmailArgs,
    prepared: &Prepared,
) -> Result<&'a Account, AccountChoiceError> {
    let query = match &args.account {
        Some(name) => AccountQuery::Named(name),
        None => AccountQuery::Login(
            prepared
                .from
                .as_ref()
                .or(args.from.as_ref())
                .ok_or(AccountChoiceError::NoSender)?,
        ),
    };
    Ok(accounts.find(query)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailcred_core::accounts::{Endpoint, Provider, Security};

    fn account(name: &str, user: &str) -> Account {
        Account {
            name: name.into(),
            provider: Provider::Custom,
            user: user.into(),
            smtp: Some(Endpoint::new("smtp.example.org", 587, Security::Starttls)),
            imap: None,
            pop: None,
            added: "2026-01-01T00:00:00Z".into(),
            allow_erase: false,
            oauth: None,
        }
    }

    fn accounts(list: Vec<Account>) -> Accounts {
        Accounts {
            version: 1,
            accounts: list,
            pending: Vec::new(),
        }
    }

    fn from(address: Option<&str>) -> Prepared {
        Prepared {
            from: address.map(Into::into),
            header_recipients: vec!["to@example.org".into(), "Bob@example.org".into()],
            data: Vec::new(),
        }
    }

    #[test]
    fn the_account_is_the_one_logging_in_as_the_from_address() {
        let all = accounts(vec![
            account("home", "a@home.org"),
            account("work", "Alice@Work.org"),
        ]);
        let chosen = choose_account(
            &all,
            &SendmailArgs::default(),
            &from(Some("alice@work.org")),
        );
        assert_eq!(chosen.unwrap().name, "work");
    }

    #[test]
    fn an_explicit_account_wins_and_must_exist() {
        let all = accounts(vec![account("home", "a@home.org")]);
        let args = SendmailArgs {
            account: Some("home".into()),
            ..SendmailArgs::default()
        };
        assert_eq!(
            choose_account(&all, &args, &from(None)).unwrap().name,
            "home"
        );
        let args = SendmailArgs {
            account: Some("nope".into()),
            ..SendmailArgs::default()
        };
        assert!(matches!(
            choose_account(&all, &args, &from(None)),
            Err(AccountChoiceError::Lookup(LookupError::UnknownName { name })) if name == "nope"
        ));
    }

    #[test]
    fn no_match_or_several_are_errors_that_say_what_to_do() {
        let all = accounts(vec![
            account("a", "x@example.org"),
            account("b", "x@example.org"),
        ]);
        assert!(matches!(
            choose_account(&all, &SendmailArgs::default(), &from(Some("x@example.org"))),
            Err(AccountChoiceError::Lookup(LookupError::Several { names, .. })) if names == ["a", "b"]
        ));
        let none = choose_account(&all, &SendmailArgs::default(), &from(Some("y@example.org")))
            .unwrap_err();
        assert!(
            none.to_string().contains("pass --account NAME"),
            "the message says what to do: {none}"
        );
        assert!(matches!(
            choose_account(&all, &SendmailArgs::default(), &from(None)),
            Err(AccountChoiceError::NoSender)
        ));
    }

    #[test]
    fn dash_t_adds_the_header_recipients_once_each() {
        let args = SendmailArgs {
            recipients: vec!["bob@example.org".into()],
            read_recipients: true,
            ..SendmailArgs::default()
        };
        assert_eq!(
            recipients(&args, &from(None)),
            ["bob@example.org", "to@example.org"]
        );
        let without_t = SendmailArgs {
            read_recipients: false,
            ..args
        };
        assert_eq!(recipients(&without_t, &from(None)), ["bob@example.org"]);
    }
}

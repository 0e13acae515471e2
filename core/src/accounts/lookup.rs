//! The one way every mailcred program finds an account: by name, by server
//! and login, or by login address, always "exactly one" or a typed error
//! whose message is written here and nowhere else.
//!
//! Programs ask an [`AccountSource`] rather than reading `accounts.json`:
//! the local file is one source; accounts kept in a shared store (a team's
//! OpenBao) will be another, and callers will not change.

use super::{Account, AccountError, AccountFile, Accounts, Protocol};
use crate::exit;

/// Which account is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountQuery<'a> {
    /// The account with this name (`mailcred get NAME`, `--account NAME`).
    Named(&'a str),
    /// The account with an endpoint of `protocol` on this server (a host
    /// name without port, compared without regard to case), logging in as
    /// `user` when one is given (neomutt's `account_command`). An account
    /// counts once, however many of its endpoints are on the server.
    Server {
        /// The endpoint's protocol; `None`: any.
        protocol: Option<Protocol>,
        /// The server.
        host: &'a str,
        /// The login, when the caller knows it: the endpoint's own login or
        /// the account's user.
        user: Option<&'a str>,
    },
    /// The account that sends as this address (its user, compared without
    /// regard to case; sendmail's From: or `-f`). Accounts without an SMTP
    /// endpoint cannot send and are not asked.
    Login(&'a str),
}

/// Why no single account answers a query. Carries names, servers and
/// logins, never a secret.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// No account by that name.
    #[error(
        "no mail account named \"{name}\"; `mailcred list` shows them, `mailcred add` makes one"
    )]
    UnknownName {
        /// The name asked for.
        name: String,
    },
    /// No account on that server (and login), or with that login.
    #[error("no mail account for {who}; {advice}")]
    NoMatch {
        /// The server and login, or the login address, asked for.
        who: String,
        /// What to do.
        advice: String,
    },
    /// Several accounts answer; refusing to guess.
    #[error("several mail accounts for {who} ({}); {advice}", names.join(", "))]
    Several {
        /// The server and login, or the login address, asked for.
        who: String,
        /// The accounts that answer.
        names: Vec<String>,
        /// How to pick one.
        advice: &'static str,
    },
    /// The accounts could not be read.
    #[error(transparent)]
    Source(#[from] AccountError),
}

impl LookupError {
    /// The exit status (see [`exit`]).
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::UnknownName { .. } | Self::NoMatch { .. } | Self::Several { .. } => {
                exit::NO_ACCOUNT
            }
            Self::Source(e) => e.exit_code(),
        }
    }
}

impl AccountQuery<'_> {
    fn who(&self) -> String {
        match self {
            Self::Named(name) => format!("the name \"{name}\""),
            Self::Server {
                protocol,
                host,
                user,
            } => {
                let mut who = String::new();
                if let Some(user) = user {
                    who.push_str(user);
                    who.push_str(" on ");
                }
                who.push_str(host);
                if let Some(protocol) = protocol {
                    who.push_str(" (");
                    who.push_str(&protocol.name().to_ascii_uppercase());
                    who.push(')');
                }
                who
            }
            Self::Login(address) => format!("the login {address}"),
        }
    }

    fn advice_for_none(&self) -> String {
        match self {
            Self::Login(address) => format!(
                "pass --account NAME, or add one with `mailcred add NAME --user {address} ...`"
            ),
            _ => "`mailcred list` shows the accounts, `mailcred add` makes one".into(),
        }
    }

    fn advice(&self) -> &'static str {
        match self {
            Self::Named(_) => "rename one of them in the account file",
            Self::Server { .. } => {
                "pass the login too (in neomutt: set smtp_user / imap_user, so it passes --username)"
            }
            Self::Login(_) => "pass --account NAME",
        }
    }

    fn matches(&self, account: &Account) -> bool {
        match *self {
            Self::Named(name) => account.name == name,
            Self::Server {
                protocol,
                host,
                user,
            } => account.endpoints().any(|(p, endpoint)| {
                protocol.is_none_or(|wanted| wanted == p)
                    && endpoint.host.eq_ignore_ascii_case(host)
                    && user.is_none_or(|u| u == account.login_at(endpoint) || u == account.user)
            }),
            Self::Login(address) => {
                account.smtp.is_some() && account.user.eq_ignore_ascii_case(address)
            }
        }
    }
}

impl Accounts {
    /// The one account answering `query`.
    pub fn find(&self, query: AccountQuery<'_>) -> Result<&Account, LookupError> {
        let mut matching = self.accounts.iter().filter(|a| query.matches(a));
        let Some(first) = matching.next() else {
            return Err(match query {
                AccountQuery::Named(name) => LookupError::UnknownName { name: name.into() },
                _ => LookupError::NoMatch {
                    who: query.who(),
                    advice: query.advice_for_none(),
                },
            });
        };
        let rest: Vec<&Account> = matching.collect();
        if rest.is_empty() {
            return Ok(first);
        }
        Err(LookupError::Several {
            who: query.who(),
            names: std::iter::once(first)
                .chain(rest)
                .map(|a| a.name.clone())
                .collect(),
            advice: query.advice(),
        })
    }
}

/// Where accounts are kept.
pub trait AccountSource {
    /// Every account, as one consistent snapshot.
    fn load(&self) -> Result<Accounts, AccountError>;

    /// The one account answering `query`.
    fn find(&self, query: AccountQuery<'_>) -> Result<Account, LookupError> {
        Ok(self.load()?.find(query)?.clone())
    }
}

impl AccountSource for AccountFile {
    fn load(&self) -> Result<Accounts, AccountError> {
        self.read()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{Endpoint, Provider, Security};

    fn account(name: &str, user: &str, host: &str) -> Account {
        Account {
            name: name.into(),
            provider: Provider::Custom,
            user: user.into(),
            smtp: Some(Endpoint::new(host, 587, Security::Starttls)),
            imap: None,
            pop: None,
            added: String::new(),
            allow_erase: false,
            oauth: None,
        }
    }

    fn two_on_one_server() -> Accounts {
        Accounts {
            version: 1,
            accounts: vec![
                account("work", "alice@example.org", "smtp.example.org"),
                account("bot", "bot@example.org", "SMTP.example.org"),
            ],
            pending: Vec::new(),
        }
    }

    #[test]
    fn a_name_finds_exactly_that_account() {
        let all = two_on_one_server();
        assert_eq!(all.find(AccountQuery::Named("bot")).unwrap().name, "bot");
        let missing = all.find(AccountQuery::Named("home")).unwrap_err();
        assert!(
            missing
                .to_string()
                .contains("no mail account named \"home\""),
            "the message names what was asked for: {missing}"
        );
        assert_eq!(missing.exit_code(), exit::NO_ACCOUNT);
    }

    #[test]
    fn a_server_without_a_login_answers_only_when_one_account_is_there() {
        let all = two_on_one_server();
        let several = all
            .find(AccountQuery::Server {
                protocol: Some(Protocol::Smtp),
                host: "smtp.example.org",
                user: None,
            })
            .unwrap_err();
        assert!(
            matches!(&several, LookupError::Several { names, .. } if names == &["work", "bot"]),
            "two accounts on one server must not be guessed between: {several}"
        );
        let one = all
            .find(AccountQuery::Server {
                protocol: None,
                host: "smtp.EXAMPLE.org",
                user: Some("bot@example.org"),
            })
            .unwrap();
        assert_eq!(one.name, "bot", "host names compare without regard to case");
    }

    #[test]
    fn a_login_address_compares_without_regard_to_case() {
        let all = two_on_one_server();
        let found = all.find(AccountQuery::Login("Alice@Example.org")).unwrap();
        assert_eq!(found.name, "work");
        assert!(matches!(
            all.find(AccountQuery::Login("carol@example.org")),
            Err(LookupError::NoMatch { .. })
        ));
    }

    /// Ann's mail on one host for every protocol, with an IMAP login of its
    /// own, and a reader-only account of Bob's on the same host.
    fn readers() -> Accounts {
        let mut ann = account("ann", "ann@example.org", "mail.example.org");
        ann.imap = Some(Endpoint {
            login: Some("ann".into()),
            ..Endpoint::new("mail.example.org", 993, Security::Tls)
        });
        ann.pop = Some(Endpoint::new("mail.example.org", 995, Security::Tls));
        let mut bob = account("bob", "bob@example.org", "mail.example.org");
        bob.smtp = None;
        bob.imap = Some(Endpoint::new("mail.example.org", 993, Security::Tls));
        Accounts {
            version: 2,
            accounts: vec![ann, bob],
            pending: Vec::new(),
        }
    }

    #[test]
    fn a_server_query_names_the_protocol_whose_endpoint_is_there() {
        let all = readers();
        let on = |protocol, user| AccountQuery::Server {
            protocol: Some(protocol),
            host: "mail.example.org",
            user,
        };
        assert_eq!(
            all.find(on(Protocol::Smtp, None)).unwrap().name,
            "ann",
            "only Ann sends through the server: Bob's account only reads"
        );
        assert_eq!(all.find(on(Protocol::Pop, None)).unwrap().name, "ann");
        assert!(
            matches!(
                all.find(on(Protocol::Imap, None)),
                Err(LookupError::Several { .. })
            ),
            "both read over IMAP there: without a login, no guess"
        );
        for login in ["ann", "ann@example.org"] {
            assert_eq!(
                all.find(on(Protocol::Imap, Some(login))).unwrap().name,
                "ann",
                "the endpoint's own login and the account's user both name Ann's account"
            );
        }
    }

    #[test]
    fn a_login_query_asks_only_accounts_that_send() {
        let all = readers();
        assert!(
            matches!(
                all.find(AccountQuery::Login("bob@example.org")),
                Err(LookupError::NoMatch { .. })
            ),
            "Bob's reader-only account cannot send mail as bob@example.org"
        );
    }
}

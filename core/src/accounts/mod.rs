//! Named mail accounts: what `mailcred add` records (never a secret).
//!
//! An account is one identity (name, provider, user) with an endpoint per
//! protocol it uses — SMTP, IMAP, POP — and one secret for all of them: an
//! app password is the same for sending and reading. The secret is kept
//! once, in one keyring item, which git finds under every endpoint
//! (`protocol=smtp host=SMTP-HOST:PORT`, `protocol=imaps host=IMAP-HOST`…).

mod checks;
mod endpoint;
mod file;
mod format1;
mod guides;
mod lookup;
mod oauth;
mod providers;

pub use checks::{check_host, check_login};
pub use endpoint::{Endpoint, Protocol};
pub use file::{AccountError, AccountFile, Accounts};
pub use guides::{Guide, PASSWORD_NAME, PASTE_NOW};
pub use lookup::{AccountQuery, AccountSource, LookupError};
pub use oauth::{
    DEFAULT_WORK_TENANT, GOOGLE_MAIL_SCOPE, OAuthPresetError, OAuthSettings, OFFLINE_ACCESS,
    PERSONAL_TENANT,
};
pub use providers::{Preset, Provider, Security};

use serde::{Deserialize, Serialize};

use crate::protocol::Credential;

/// One mail account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The name users give it (`mailcred get NAME`).
    pub name: String,
    /// The provider preset it was made from.
    pub provider: Provider,
    /// The login, usually the e-mail address; every endpoint's unless it
    /// has a login of its own.
    pub user: String,
    /// Where mail is sent; `None` for an account that only reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp: Option<Endpoint>,
    /// Where mail is read over IMAP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imap: Option<Endpoint>,
    /// Where mail is fetched over POP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pop: Option<Endpoint>,
    /// When it was added (RFC 3339, UTC).
    pub added: String,
    /// Whether git's `erase` may remove its password (`add --allow-erase`),
    /// through any endpoint.
    #[serde(default)]
    pub allow_erase: bool,
    /// OAuth2 sign-in (`add --auth oauth2`); `None` for an app password.
    /// Its secret is then a pair of tokens, not a password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<OAuthSettings>,
}

impl Account {
    /// Whether the account signs in with OAuth2 tokens.
    pub fn is_oauth(&self) -> bool {
        self.oauth.is_some()
    }

    /// The endpoint for `protocol`, if the account has one.
    pub fn endpoint(&self, protocol: Protocol) -> Option<&Endpoint> {
        match protocol {
            Protocol::Smtp => self.smtp.as_ref(),
            Protocol::Imap => self.imap.as_ref(),
            Protocol::Pop => self.pop.as_ref(),
        }
    }

    /// The endpoint for `protocol`, to change it.
    pub fn endpoint_mut(&mut self, protocol: Protocol) -> &mut Option<Endpoint> {
        match protocol {
            Protocol::Smtp => &mut self.smtp,
            Protocol::Imap => &mut self.imap,
            Protocol::Pop => &mut self.pop,
        }
    }

    /// Every endpoint, SMTP first, then IMAP, then POP.
    pub fn endpoints(&self) -> impl Iterator<Item = (Protocol, &Endpoint)> {
        Protocol::ALL
            .into_iter()
            .filter_map(|p| self.endpoint(p).map(|e| (p, e)))
    }

    /// The login sent to `endpoint`: its own, else the account's user.
    pub fn login_at<'a>(&'a self, endpoint: &'a Endpoint) -> &'a str {
        endpoint.login.as_deref().unwrap_or(&self.user)
    }

    /// The login for `protocol`, if the account has that endpoint.
    pub fn login(&self, protocol: Protocol) -> Option<&str> {
        self.endpoint(protocol).map(|e| self.login_at(e))
    }

    /// The git credential request that finds this account's secret through
    /// its `protocol` endpoint (`protocol=smtp|imap|pop`, `host=HOST:PORT`,
    /// the endpoint's login), if it has one.
    pub fn credential_request(&self, protocol: Protocol) -> Option<Credential> {
        let endpoint = self.endpoint(protocol)?;
        Some(Credential {
            protocol: Some(protocol.name().into()),
            host: Some(endpoint.host_port()),
            username: Some(self.login_at(endpoint).to_owned()),
            ..Credential::default()
        })
    }

    /// Whether `self` and `other` have an endpoint in the same git
    /// credential slot (protocol, server and port, login): they would share,
    /// and overwrite, one stored password (server names compared without
    /// regard to case, as DNS does). The protocol where they meet.
    pub fn shares_slot_with(&self, other: &Account) -> Option<Protocol> {
        self.endpoints().find_map(|(protocol, mine)| {
            let theirs = other.endpoint(protocol)?;
            (mine.host.eq_ignore_ascii_case(&theirs.host)
                && mine.port == theirs.port
                && self.login_at(mine) == other.login_at(theirs))
            .then_some(protocol)
        })
    }
}

/// Whether `name` is usable as an account name: it ends up in shell
/// commands (`passwordeval "mailcred get NAME"`), so keep it plain.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '+'))
}

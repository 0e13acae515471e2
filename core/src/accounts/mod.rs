//! Named mail accounts: what `mailcred add` records (never a secret).
//!
//! The secret itself is stored once, as the git credential for
//! `protocol=smtp`, `host=HOST:PORT`, `username=USER`, so git send-email
//! configured for that server finds the very same secret.

mod checks;
mod file;
mod lookup;
mod providers;

pub use checks::{check_host, check_login};
pub use file::{AccountError, AccountFile, Accounts};
pub use lookup::{AccountQuery, AccountSource, LookupError};
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
    /// The login, usually the e-mail address.
    pub user: String,
    /// SMTP server.
    pub host: String,
    /// SMTP port.
    pub port: u16,
    /// How the connection is secured.
    pub security: Security,
    /// When it was added (RFC 3339, UTC).
    pub added: String,
    /// Whether git's `erase` may remove its password (`add --allow-erase`).
    #[serde(default)]
    pub allow_erase: bool,
}

impl Account {
    /// `HOST:PORT`, as git sends it when `smtpServerPort` is set.
    pub fn host_port(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// The git credential request that finds this account's secret.
    pub fn credential_request(&self) -> Credential {
        Credential {
            protocol: Some("smtp".into()),
            host: Some(self.host_port()),
            username: Some(self.user.clone()),
            ..Credential::default()
        }
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

//! OAuth2 accounts, in-process, against the fake identity provider
//! (`mailcred::oauth::FakeTokenSource`) and the in-memory store:
//!
//! - [`add`]: `add --auth oauth2`, its flags, and what it refuses;
//! - [`get`]: `get` and `neomutt` serving the access token, refreshing it
//!   when less than five minutes are left, and concurrent readers;
//! - [`git`]: git's `get`, `store` and `erase` on an OAuth2 account;
//! - [`sign_in`]: `login` again, and switching an app-password account.

mod add;
mod get;
mod git;
mod sign_in;

use mailcred::accounts::{Account, Provider};
use mailcred::commands::accounts::{self, NewAccount, OAuthFlags};
use mailcred::commands::login;
use mailcred::oauth::Flow;
use mailcred::vault::SecretParts;
use secrecy::ExposeSecret;

use crate::accounts::{ADDED, Outcome, Setup, new_account};
use crate::replay::NOW;

/// The client id of the tests' accounts.
const CLIENT_ID: &str = "11111111-2222-3333-4444-555555555555";

/// `--auth oauth2 --client-id CLIENT_ID`, nothing else.
fn oauth_flags() -> OAuthFlags {
    OAuthFlags {
        client_id: Some(CLIENT_ID.into()),
        ..OAuthFlags::default()
    }
}

/// `mailcred add NAME --provider PROVIDER --user ann@example.org --auth
/// oauth2 --client-id CLIENT_ID`.
fn oauth_account(name: &str, provider: Provider) -> NewAccount {
    NewAccount {
        oauth: Some(oauth_flags()),
        ..new_account(name, provider)
    }
}

impl Setup {
    /// `mailcred add --auth oauth2` as the binary runs it: `resolve`, then
    /// the sign-in (`flow`), then the account stored.
    fn add_oauth(&self, new: &NewAccount, flow: Flow) -> Outcome {
        self.run(|ctx, out| {
            let account = accounts::resolve(new, ADDED.into())?;
            login::add(ctx, account, None, flow, out)
        })
    }

    /// Adds an OAuth2 account that must be accepted; returns it as recorded.
    #[track_caller]
    fn added_oauth(&self, new: &NewAccount) -> Account {
        self.add_oauth(new, Flow::Browser)
            .ok("adding a valid OAuth2 account");
        self.ctx()
            .accounts
            .read()
            .expect("the account file reads")
            .get(&new.name)
            .cloned()
            .expect("an account just added is in the account file")
    }

    /// The secret kept for the account `name` now, decoded.
    #[track_caller]
    fn pair(&self, name: &str) -> SecretParts {
        let entries = self.index_entries();
        let entry = entries
            .iter()
            .find(|e| e.account.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("the index must list an entry of {name}"));
        let blob = mailcred::store::SecretStore::read(&self.store, &entry.id)
            .expect("the store reads")
            .expect("the account's entry has its secret");
        SecretParts::decode(&blob.secret).expect("mailcred's own encoding")
    }

    /// `mailcred login NAME` with `login`.
    fn login(&self, name: &str, login: login::Login) -> Outcome {
        self.run(|ctx, out| login::login(ctx, name, login, out))
    }
}

/// The value of a secret part, for comparing.
fn shown(part: &Option<secrecy::SecretString>) -> Option<&str> {
    part.as_ref().map(|s| s.expose_secret())
}

/// When the fake's tokens issued at NOW with `lifetime` expire.
const fn expiry(lifetime: u64) -> u64 {
    NOW + lifetime
}

//! OAuth2 sign-in settings of an account: where its identity provider is,
//! which app (client id) signs in, and which scopes it asks for.
//!
//! They are recorded in the account file, not the keyring: none of them is
//! a secret (a Google desktop client's secret is kept with the tokens, in
//! the store; [`OAuthSettings::client_secret`] only says that one is there).

use serde::{Deserialize, Serialize};

use super::{Account, Protocol, Provider};

/// Microsoft's identity platform, v2.0 endpoints, for a tenant.
const MICROSOFT_LOGIN: &str = "https://login.microsoftonline.com";
/// Google's authorization endpoint for installed apps.
const GOOGLE_AUTHORIZE: &str = "https://accounts.google.com/o/oauth2/v2/auth";
/// Google's token endpoint.
const GOOGLE_TOKEN: &str = "https://oauth2.googleapis.com/token";
/// The one scope Google grants mail access with, for SMTP, IMAP and POP.
pub const GOOGLE_MAIL_SCOPE: &str = "https://mail.google.com/";
/// Asks Microsoft for a refresh token.
pub const OFFLINE_ACCESS: &str = "offline_access";
/// The tenant of `--provider office365` without `--tenant`: any work or
/// school account.
pub const DEFAULT_WORK_TENANT: &str = "organizations";
/// The tenant of personal Microsoft accounts (`--provider outlook`).
pub const PERSONAL_TENANT: &str = "consumers";

/// How an OAuth2 account signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthSettings {
    /// The authorization endpoint (browser sign-in).
    pub authorize_url: String,
    /// The token endpoint (code exchange and refresh).
    pub token_url: String,
    /// The device authorization endpoint (RFC 8628), where the provider
    /// allows the device flow for mail: Microsoft yes, Google no.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_url: Option<String>,
    /// The registered app that signs in (public client id).
    pub client_id: String,
    /// Exactly the scopes asked for.
    pub scopes: Vec<String>,
    /// Microsoft's tenant (id or domain), for messages and the
    /// admin-consent URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Whether a client secret (Google's desktop clients have one) is kept
    /// in the store with the tokens.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub client_secret: bool,
}

/// Why no OAuth settings can be made for a provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthPresetError {
    /// The provider signs in with app passwords only.
    #[error("{0} has no OAuth2 sign-in in mailcred: use an app password (without --auth oauth2)")]
    NotOAuth(&'static str),
    /// `custom` needs its endpoints named.
    #[error("--provider custom --auth oauth2 needs --oauth-authorize-url and --oauth-token-url")]
    CustomNeedsEndpoints,
}

impl OAuthSettings {
    /// The preset for `provider`, asking for the scopes of the endpoints
    /// `account` has. `tenant` only matters for Microsoft 365.
    pub fn preset(
        provider: Provider,
        tenant: Option<&str>,
        client_id: &str,
        account: &Account,
    ) -> Result<Self, OAuthPresetError> {
        let microsoft = |tenant: &str| Self {
            authorize_url: format!("{MICROSOFT_LOGIN}/{tenant}/oauth2/v2.0/authorize"),
            token_url: format!("{MICROSOFT_LOGIN}/{tenant}/oauth2/v2.0/token"),
            device_url: Some(format!("{MICROSOFT_LOGIN}/{tenant}/oauth2/v2.0/devicecode")),
            client_id: client_id.to_owned(),
            scopes: microsoft_scopes(account),
            tenant: Some(tenant.to_owned()),
            client_secret: false,
        };
        match provider {
            Provider::Office365 => Ok(microsoft(tenant.unwrap_or(DEFAULT_WORK_TENANT))),
            Provider::Outlook => Ok(microsoft(PERSONAL_TENANT)),
            Provider::Gmail => Ok(Self {
                authorize_url: GOOGLE_AUTHORIZE.to_owned(),
                token_url: GOOGLE_TOKEN.to_owned(),
                device_url: None,
                client_id: client_id.to_owned(),
                scopes: vec![GOOGLE_MAIL_SCOPE.to_owned()],
                tenant: None,
                client_secret: false,
            }),
            Provider::Custom => Err(OAuthPresetError::CustomNeedsEndpoints),
            other => Err(OAuthPresetError::NotOAuth(other.description())),
        }
    }

    /// Microsoft's admin-consent URL for this app, for tenants whose admins
    /// must consent before anyone signs in.
    pub fn admin_consent_url(&self) -> Option<String> {
        let tenant = self.tenant.as_deref()?;
        self.authorize_url.starts_with(MICROSOFT_LOGIN).then(|| {
            format!(
                "{MICROSOFT_LOGIN}/{tenant}/adminconsent?client_id={}",
                self.client_id
            )
        })
    }
}

/// Microsoft's scopes for the endpoints the account has, plus
/// `offline_access` for a refresh token.
fn microsoft_scopes(account: &Account) -> Vec<String> {
    let mut scopes: Vec<String> = account
        .endpoints()
        .map(|(protocol, _)| match protocol {
            Protocol::Smtp => "https://outlook.office.com/SMTP.Send",
            Protocol::Imap => "https://outlook.office.com/IMAP.AccessAsUser.All",
            Protocol::Pop => "https://outlook.office.com/POP.AccessAsUser.All",
        })
        .map(str::to_owned)
        .collect();
    scopes.push(OFFLINE_ACCESS.to_owned());
    scopes
}

impl Provider {
    /// Whether mailcred can sign in to this provider with OAuth2.
    pub const fn has_oauth(self) -> bool {
        matches!(
            self,
            Self::Office365 | Self::Outlook | Self::Gmail | Self::Custom
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{Endpoint, Security};

    fn account(protocols: &[Protocol]) -> Account {
        let endpoint = |host: &str, port| Endpoint {
            host: host.into(),
            port,
            security: Security::Tls,
            login: None,
        };
        Account {
            name: "work".into(),
            provider: Provider::Office365,
            user: "me@example.com".into(),
            smtp: protocols
                .contains(&Protocol::Smtp)
                .then(|| endpoint("smtp.office365.com", 587)),
            imap: protocols
                .contains(&Protocol::Imap)
                .then(|| endpoint("outlook.office365.com", 993)),
            pop: None,
            added: "2026-12-01T00:00:00Z".into(),
            allow_erase: false,
            oauth: None,
        }
    }

    #[test]
    fn microsoft_asks_for_the_scopes_of_the_endpoints_the_account_has_and_offline_access() {
        let smtp_only =
            OAuthSettings::preset(Provider::Office365, None, "id", &account(&[Protocol::Smtp]))
                .unwrap();
        assert_eq!(
            smtp_only.scopes,
            ["https://outlook.office.com/SMTP.Send", "offline_access"]
        );
        let both = OAuthSettings::preset(
            Provider::Office365,
            Some("contoso.com"),
            "id",
            &account(&[Protocol::Smtp, Protocol::Imap]),
        )
        .unwrap();
        assert_eq!(
            both.scopes,
            [
                "https://outlook.office.com/SMTP.Send",
                "https://outlook.office.com/IMAP.AccessAsUser.All",
                "offline_access"
            ]
        );
        assert_eq!(
            both.token_url,
            "https://login.microsoftonline.com/contoso.com/oauth2/v2.0/token"
        );
        assert_eq!(
            both.admin_consent_url().unwrap(),
            "https://login.microsoftonline.com/contoso.com/adminconsent?client_id=id"
        );
    }

    #[test]
    fn work_accounts_default_to_organizations_and_personal_ones_to_consumers() {
        let a = account(&[Protocol::Smtp]);
        let work = OAuthSettings::preset(Provider::Office365, None, "id", &a).unwrap();
        assert_eq!(work.tenant.as_deref(), Some("organizations"));
        let personal = OAuthSettings::preset(Provider::Outlook, Some("x"), "id", &a).unwrap();
        assert_eq!(personal.tenant.as_deref(), Some("consumers"));
    }

    #[test]
    fn google_has_one_mail_scope_and_no_device_flow() {
        let gmail = OAuthSettings::preset(Provider::Gmail, None, "id", &account(&[Protocol::Smtp]))
            .unwrap();
        assert_eq!(gmail.scopes, ["https://mail.google.com/"]);
        assert!(gmail.device_url.is_none());
        assert!(gmail.admin_consent_url().is_none());
    }

    #[test]
    fn app_password_providers_have_no_oauth_preset() {
        let a = account(&[Protocol::Smtp]);
        assert!(matches!(
            OAuthSettings::preset(Provider::Icloud, None, "id", &a),
            Err(OAuthPresetError::NotOAuth(_))
        ));
        assert_eq!(
            OAuthSettings::preset(Provider::Custom, None, "id", &a),
            Err(OAuthPresetError::CustomNeedsEndpoints)
        );
    }
}

//! The OAuth2 flags `mailcred add --auth oauth2` and `mailcred login`
//! share, and the client secret they may read.

use std::io::{self, IsTerminal};

use clap::{Args, ValueEnum};
use secrecy::SecretString;

use crate::accounts::Provider;
use crate::commands::CommandError;
use crate::commands::accounts::OAuthFlags;
use crate::oauth::Flow;
use crate::secret_input;

/// How an account signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Auth {
    /// An app password, kept in the keyring (the default).
    #[default]
    Password,
    /// OAuth2: sign in once in the browser; the tokens are kept in the
    /// keyring and refreshed when needed.
    Oauth2,
}

/// Where and how an OAuth2 account signs in.
#[derive(Debug, Clone, Default, Args)]
pub struct OAuthArgs {
    /// The app (client id) that signs in: register your own, as the
    /// README's "OAuth2: registering a client id" says; mailcred has none
    /// of its own.
    #[arg(long, value_name = "ID", help_heading = "Signing in (OAuth2)")]
    pub client_id: Option<String>,
    /// Microsoft 365: the tenant (id or domain); `organizations` by default.
    #[arg(long, help_heading = "Signing in (OAuth2)")]
    pub tenant: Option<String>,
    /// The authorization endpoint, overriding the provider's (for
    /// --provider custom: required). https://, or http:// to this machine.
    #[arg(long, value_name = "URL", help_heading = "Signing in (OAuth2)")]
    pub oauth_authorize_url: Option<String>,
    /// The token endpoint, overriding the provider's (for --provider
    /// custom: required).
    #[arg(long, value_name = "URL", help_heading = "Signing in (OAuth2)")]
    pub oauth_token_url: Option<String>,
    /// The device authorization endpoint (RFC 8628), for --device.
    #[arg(long, value_name = "URL", help_heading = "Signing in (OAuth2)")]
    pub oauth_device_url: Option<String>,
    /// A scope to ask for; repeat for each. Given, these are exactly the
    /// scopes asked for (a refresh token needs offline_access at
    /// Microsoft).
    #[arg(
        long = "scope",
        value_name = "SCOPE",
        help_heading = "Signing in (OAuth2)"
    )]
    pub scopes: Vec<String>,
    /// Sign in with a code shown here, on another device's browser (the
    /// device flow; not for Gmail).
    #[arg(
        long,
        conflicts_with = "no_browser",
        help_heading = "Signing in (OAuth2)"
    )]
    pub device: bool,
    /// Print the sign-in URL instead of opening a browser (SSH sessions),
    /// and accept the URL the browser was sent to pasted back here.
    #[arg(long, help_heading = "Signing in (OAuth2)")]
    pub no_browser: bool,
    /// Read the client secret (Google desktop clients have one) from the
    /// first line of stdin instead of a prompt.
    #[arg(long, help_heading = "Signing in (OAuth2)")]
    pub client_secret_stdin: bool,
}

impl OAuthArgs {
    /// The flags as the commands take them.
    pub fn flags(&self, client_secret: bool) -> OAuthFlags {
        OAuthFlags {
            client_id: self.client_id.clone(),
            tenant: self.tenant.clone(),
            authorize_url: self.oauth_authorize_url.clone(),
            token_url: self.oauth_token_url.clone(),
            device_url: self.oauth_device_url.clone(),
            scopes: self.scopes.clone(),
            client_secret,
        }
    }

    /// The sign-in flow asked for.
    pub fn flow(&self) -> Flow {
        Flow::from_flags(self.device, self.no_browser)
    }

    /// The first OAuth2-only flag given, for refusing it without
    /// `--auth oauth2`.
    pub fn first_given(&self) -> Option<&'static str> {
        [
            ("--client-id", self.client_id.is_some()),
            ("--tenant", self.tenant.is_some()),
            ("--oauth-authorize-url", self.oauth_authorize_url.is_some()),
            ("--oauth-token-url", self.oauth_token_url.is_some()),
            ("--oauth-device-url", self.oauth_device_url.is_some()),
            ("--scope", !self.scopes.is_empty()),
            ("--device", self.device),
            ("--no-browser", self.no_browser),
            ("--client-secret-stdin", self.client_secret_stdin),
        ]
        .into_iter()
        .find_map(|(flag, given)| given.then_some(flag))
    }

    /// The client secret: from stdin with `--client-secret-stdin`; for a
    /// new Gmail sign-in (`ask`), from a hidden prompt; else none.
    pub fn client_secret(
        &self,
        provider: Provider,
        ask: bool,
    ) -> Result<Option<SecretString>, CommandError> {
        if self.client_secret_stdin {
            return Ok(Some(secret_input::first_line(
                &mut secret_input::unbuffered_stdin(),
            )?));
        }
        if !ask || provider != Provider::Gmail {
            return Ok(None);
        }
        if !(io::stdin().is_terminal() && io::stderr().is_terminal()) {
            return Err(CommandError::Usage(
                "a Google desktop client has a client secret (shown beside its id in the Google \
                 Cloud console): pipe it in with --client-secret-stdin when there is no \
                 terminal to ask on"
                    .into(),
            ));
        }
        Ok(Some(secret_input::from_prompt_once(
            "Client secret of the Google desktop client: ",
        )?))
    }
}

//! What `mailcred add --auth oauth2` and `mailcred login` make of their
//! OAuth2 flags: the provider's preset (or the settings the account has),
//! overridden by explicit flags, every endpoint URL checked before anything
//! is stored or anyone signs in.

use std::net::Ipv4Addr;

use super::CommandError;
use crate::accounts::{Account, OAuthPresetError, OAuthSettings, Provider};

/// Where the README tells how to register a client id.
pub const CLIENT_ID_HELP: &str = "OAuth2: registering a client id";

/// The OAuth2 flags of `add` and `login`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OAuthFlags {
    /// `--client-id`.
    pub client_id: Option<String>,
    /// `--tenant` (Microsoft 365).
    pub tenant: Option<String>,
    /// `--oauth-authorize-url`.
    pub authorize_url: Option<String>,
    /// `--oauth-token-url`.
    pub token_url: Option<String>,
    /// `--oauth-device-url`.
    pub device_url: Option<String>,
    /// `--scope`, repeated: then exactly these.
    pub scopes: Vec<String>,
    /// Whether a client secret is given (Google's desktop clients).
    pub client_secret: bool,
}

fn usage(message: String) -> CommandError {
    CommandError::Usage(message)
}

/// The settings `account` signs in with: `base` (what it has, for
/// `login`) or the provider's preset, with the flags applied.
pub fn settings(
    account: &Account,
    flags: &OAuthFlags,
    base: Option<&OAuthSettings>,
) -> Result<OAuthSettings, CommandError> {
    let provider = account.provider;
    let client_id = match (&flags.client_id, base) {
        (Some(id), _) => id.clone(),
        (None, Some(base)) => base.client_id.clone(),
        (None, None) => return Err(no_client_id(provider)),
    };
    if client_id.trim().is_empty() || client_id.chars().any(char::is_control) {
        return Err(usage(format!(
            "--client-id {client_id:?} is not a client id"
        )));
    }
    if flags.tenant.is_some() && !matches!(provider, Provider::Office365 | Provider::Custom) {
        return Err(usage(format!(
            "--tenant is for Microsoft 365 work and school accounts (--provider office365), not {}",
            provider.name()
        )));
    }
    let mut settings = match base {
        Some(base) if flags.tenant.is_none() || provider == Provider::Custom => base.clone(),
        _ => preset(account, flags, &client_id)?,
    };
    settings.client_id = client_id;
    if let Some(tenant) = &flags.tenant {
        settings.tenant = Some(tenant.clone());
    }
    if let Some(url) = &flags.authorize_url {
        settings.authorize_url = url.clone();
    }
    if let Some(url) = &flags.token_url {
        settings.token_url = url.clone();
    }
    if let Some(url) = &flags.device_url {
        settings.device_url = Some(url.clone());
    }
    if !flags.scopes.is_empty() {
        settings.scopes = flags.scopes.clone();
    }
    if settings.scopes.is_empty() {
        return Err(usage(
            "--provider custom --auth oauth2 needs the scopes to ask for: give --scope once for \
             each (a refresh token usually needs offline_access too)"
                .into(),
        ));
    }
    if let Some(scope) = settings
        .scopes
        .iter()
        .find(|s| s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()))
    {
        return Err(usage(format!(
            "--scope {scope:?} is not a scope: give each scope as one --scope, without spaces"
        )));
    }
    check_url("--oauth-authorize-url", &settings.authorize_url)?;
    check_url("--oauth-token-url", &settings.token_url)?;
    if let Some(url) = &settings.device_url {
        check_url("--oauth-device-url", url)?;
    }
    settings.client_secret = flags.client_secret || base.is_some_and(|b| b.client_secret);
    Ok(settings)
}

/// The preset of a named provider; for `custom`, the flags' endpoints.
fn preset(
    account: &Account,
    flags: &OAuthFlags,
    client_id: &str,
) -> Result<OAuthSettings, CommandError> {
    match OAuthSettings::preset(
        account.provider,
        flags.tenant.as_deref(),
        client_id,
        account,
    ) {
        Ok(settings) => Ok(settings),
        Err(OAuthPresetError::CustomNeedsEndpoints) => {
            match (&flags.authorize_url, &flags.token_url) {
                (Some(authorize_url), Some(token_url)) => Ok(OAuthSettings {
                    authorize_url: authorize_url.clone(),
                    token_url: token_url.clone(),
                    device_url: flags.device_url.clone(),
                    client_id: client_id.to_owned(),
                    scopes: Vec::new(),
                    tenant: flags.tenant.clone(),
                    client_secret: false,
                }),
                _ => Err(usage(OAuthPresetError::CustomNeedsEndpoints.to_string())),
            }
        }
        Err(e @ OAuthPresetError::NotOAuth(_)) => Err(usage(e.to_string())),
    }
}

/// `--auth oauth2` without a client id: how to get one. mailcred has no
/// app registered of its own, and borrowing another program's identity
/// without saying so is not done.
fn no_client_id(provider: Provider) -> CommandError {
    let whose = match provider {
        Provider::Gmail => "a Google Cloud desktop client (its id and its secret)",
        Provider::Custom => "a client registered with your identity provider",
        _ => "an app registered in Microsoft Entra (a public client, redirect http://localhost)",
    };
    usage(format!(
        "--auth oauth2 needs --client-id: mailcred has no app of its own registered with the \
         provider, and does not borrow another program's. Register {whose} as the README's \
         section \"{CLIENT_ID_HELP}\" says step by step, then pass its id with --client-id"
    ))
}

/// An identity provider's endpoint URL: `https://`, or plain `http://`
/// only to this machine (127.0.0.0/8, ::1, localhost), where nothing
/// crosses the network. Checked by hand rather than with a URL crate:
/// mailcred links no HTTP code at all (the companion parses URLs in full),
/// and this needs only the scheme and the host.
pub fn check_url(flag: &str, url: &str) -> Result<(), CommandError> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(usage(format!(
            "{flag} {url:?} is not a URL: it has spaces or control characters"
        )));
    }
    let lower = url.to_ascii_lowercase();
    let (secure, rest) = if let Some(rest) = lower.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = lower.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(usage(format!("{flag} {url:?} is not an https:// URL")));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(usage(format!(
            "{flag} {url:?}: a user or password in the URL is not accepted"
        )));
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((host, after)) => (host, after.strip_prefix(':')),
            None => return Err(usage(format!("{flag} {url:?} is not a URL: unclosed ["))),
        },
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if host.is_empty() || port.is_some_and(|p| p.parse::<u16>().is_err()) {
        return Err(usage(format!(
            "{flag} {url:?} is not a URL with a server and port"
        )));
    }
    if !secure && !loopback(host) {
        return Err(CommandError::Config(format!(
            "{flag} {url:?}: plain http:// would send the tokens unencrypted; use https://, or \
             http:// only to this machine (127.0.0.1, ::1, localhost)"
        )));
    }
    Ok(())
}

/// Whether `host` (lower case, IPv6 without brackets) is this machine.
fn loopback(host: &str) -> bool {
    host == "localhost"
        || host == "::1"
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit;

    fn status(url: &str) -> u8 {
        check_url("--oauth-token-url", url).map_or_else(|e| e.exit_code(), |()| 0)
    }

    #[test]
    fn https_anywhere_and_http_only_to_this_machine_are_accepted() {
        for url in [
            "https://login.example.com/t/oauth2/v2.0/token",
            "http://127.0.0.1:8080/token",
            "http://127.3.2.1/token",
            "http://localhost:1/x",
            "HTTP://LOCALHOST/x",
            "http://[::1]:9/x",
        ] {
            assert_eq!(status(url), 0, "{url} must be accepted");
        }
    }

    #[test]
    fn plain_http_elsewhere_is_a_configuration_error_and_nonsense_a_usage_error() {
        for url in [
            "http://login.example.com/token",
            "http://10.0.0.1/token",
            "http://localhost.example.com/x",
            "http://[::2]/x",
            "http://128.0.0.1/x",
        ] {
            assert_eq!(
                status(url),
                exit::CONFIG,
                "{url} must be refused as insecure"
            );
        }
        for url in [
            "ftp://example.com/",
            "https://",
            "https://user:pw@example.com/",
            "https://example.com:99999/",
            "https://exa mple.com/",
            "login.example.com/token",
        ] {
            assert_eq!(status(url), exit::USAGE, "{url} is no endpoint URL");
        }
    }
}

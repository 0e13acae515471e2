//! What `mailcred add` makes of its flags: the provider's preset for each
//! protocol, overridden by explicit flags, every value checked before a
//! password is asked for.

use super::CommandError;
pub use super::resolve_oauth::OAuthFlags;
use crate::accounts::{self, Account, Endpoint, Protocol, Provider, Security};

/// The flags of one endpoint (`--host --port --security` for SMTP,
/// `--imap-host --imap-port --imap-security --imap-login` for IMAP…).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointFlags {
    /// Server, overriding the preset.
    pub host: Option<String>,
    /// Port, overriding the preset (or the security's usual port).
    pub port: Option<u16>,
    /// Security, overriding the preset.
    pub security: Option<Security>,
    /// A login of this endpoint's own, when it is not the account's user.
    pub login: Option<String>,
}

impl EndpointFlags {
    /// Whether any flag of this endpoint was given.
    pub fn any(&self) -> bool {
        let Self {
            host,
            port,
            security,
            login,
        } = self;
        host.is_some() || port.is_some() || security.is_some() || login.is_some()
    }
}

/// What `mailcred add` was asked for.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Account name.
    pub name: String,
    /// Provider preset.
    pub provider: Provider,
    /// Login.
    pub user: String,
    /// The SMTP endpoint's flags.
    pub smtp: EndpointFlags,
    /// The IMAP endpoint's flags.
    pub imap: EndpointFlags,
    /// The POP endpoint's flags.
    pub pop: EndpointFlags,
    /// Record the provider's POP server too (`--pop`): providers keep POP
    /// off until the user turns it on, so presets leave it out otherwise.
    pub with_pop: bool,
    /// Let git's `erase` remove the password.
    pub allow_erase: bool,
    /// Sign in with OAuth2 (`--auth oauth2`) with these flags; `None` for
    /// an app password.
    pub oauth: Option<OAuthFlags>,
}

impl NewAccount {
    /// `mailcred add NAME --provider PROVIDER --user USER`, no other flag.
    pub fn new(name: impl Into<String>, provider: Provider, user: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            provider,
            user: user.into(),
            smtp: EndpointFlags::default(),
            imap: EndpointFlags::default(),
            pop: EndpointFlags::default(),
            with_pop: false,
            allow_erase: false,
            oauth: None,
        }
    }

    /// The flags of `protocol`'s endpoint.
    pub fn flags(&self, protocol: Protocol) -> &EndpointFlags {
        match protocol {
            Protocol::Smtp => &self.smtp,
            Protocol::Imap => &self.imap,
            Protocol::Pop => &self.pop,
        }
    }
}

/// How the flags of `protocol` are spelled on the command line.
fn flag(protocol: Protocol, what: &str) -> String {
    match protocol {
        Protocol::Smtp => format!("--{what}"),
        _ => format!("--{}-{what}", protocol.name()),
    }
}

fn usage(message: String) -> CommandError {
    CommandError::Usage(message)
}

/// Turns the request into an account, applying the preset; explicit flags win.
pub fn resolve(new: &NewAccount, added: String) -> Result<Account, CommandError> {
    if !accounts::valid_name(&new.name) {
        return Err(usage(format!(
            "\"{}\" is not a usable account name: use letters, digits and - _ . @ + (it ends up in shell commands)",
            new.name
        )));
    }
    if let Some(reason) = new.provider.refusal().filter(|_| new.oauth.is_none()) {
        return Err(usage(reason.into()));
    }
    if let Err(reason) = accounts::check_login(&new.user) {
        return Err(usage(format!(
            "--user {:?} is not a login a mail server would accept: {reason}. Give the login \
             (usually the e-mail address)",
            new.user
        )));
    }
    let mut account = Account {
        name: new.name.clone(),
        provider: new.provider,
        user: new.user.clone(),
        smtp: None,
        imap: None,
        pop: None,
        added,
        allow_erase: new.allow_erase,
        oauth: None,
    };
    for protocol in Protocol::ALL {
        *account.endpoint_mut(protocol) = endpoint(new, protocol)?;
    }
    if account.endpoints().next().is_none() {
        return Err(usage(
            "--provider custom needs at least one server: --host for sending (SMTP, with \
             --port and --security), --imap-host or --pop-host for reading"
                .into(),
        ));
    }
    if let Some(flags) = &new.oauth {
        account.oauth = Some(super::resolve_oauth::settings(&account, flags, None)?);
    }
    Ok(account)
}

/// The endpoint `protocol` gets from the preset and the flags, if any.
fn endpoint(new: &NewAccount, protocol: Protocol) -> Result<Option<Endpoint>, CommandError> {
    let flags = new.flags(protocol);
    let wanted = protocol != Protocol::Pop || new.with_pop || flags.any();
    let preset = new.provider.preset(protocol).filter(|_| wanted);
    if protocol == Protocol::Pop && new.with_pop && preset.is_none() && flags.host.is_none() {
        return Err(usage(if new.provider == Provider::Custom {
            "--pop needs --pop-host: custom has no POP server to preset".into()
        } else {
            format!(
                "--pop: {} has no POP server; read its mail over IMAP",
                new.provider.description()
            )
        }));
    }
    let host = match (&flags.host, preset) {
        (Some(host), _) => host.clone(),
        (None, Some(preset)) => preset.host.into(),
        (None, None) if flags.any() => {
            return Err(usage(format!(
                "{} needs {} too: {} has no {} server to preset",
                given_flags(flags, protocol).join(" and "),
                flag(protocol, "host"),
                new.provider.name(),
                protocol.name().to_ascii_uppercase()
            )));
        }
        (None, None) => return Ok(None),
    };
    if let Err(reason) = accounts::check_host(&host) {
        return Err(usage(format!(
            "{} {host:?} is not a server name: {reason}",
            flag(protocol, "host")
        )));
    }
    let usual = if protocol == Protocol::Smtp {
        Security::Starttls
    } else {
        Security::Tls
    };
    let security = flags
        .security
        .or(preset.map(|p| p.security))
        .unwrap_or(usual);
    if !protocol.securities().contains(&security) {
        return Err(usage(format!(
            "{} {}: {} passwords never cross the network unencrypted; use tls or starttls",
            flag(protocol, "security"),
            security.name(),
            protocol.name().to_ascii_uppercase()
        )));
    }
    let port = flags
        .port
        .or(preset
            .filter(|p| flags.security.is_none_or(|s| s == p.security))
            .map(|p| p.port))
        .unwrap_or(protocol.default_port(security));
    if let Some(login) = &flags.login
        && let Err(reason) = accounts::check_login(login)
    {
        return Err(usage(format!(
            "{} {login:?} is not a login a mail server would accept: {reason}",
            flag(protocol, "login")
        )));
    }
    Ok(Some(Endpoint {
        host,
        port,
        security,
        login: flags.login.clone().filter(|login| *login != new.user),
    }))
}

/// The flags of `protocol` given without its host, as typed.
fn given_flags(flags: &EndpointFlags, protocol: Protocol) -> Vec<String> {
    [
        ("port", flags.port.is_some()),
        ("security", flags.security.is_some()),
        ("login", flags.login.is_some()),
    ]
    .into_iter()
    .filter(|(_, given)| *given)
    .map(|(what, _)| flag(protocol, what))
    .collect()
}

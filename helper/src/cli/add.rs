//! `mailcred add`: its flags (an endpoint's worth for each of SMTP, IMAP
//! and POP) and what it does before storing the account.

use std::io::{self, IsTerminal};

use clap::Args;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

use super::oauth_args::{Auth, OAuthArgs};
use crate::accounts::{Protocol, Provider, Security};
use crate::commands::{self, CommandError, Context};

/// `mailcred add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// A short name for the account, used by `mailcred get NAME`.
    pub account: String,
    /// The mail provider; presets its server, port and security.
    #[arg(long, value_parser = provider_parser())]
    pub provider: Provider,
    /// The login, usually the e-mail address.
    #[arg(long)]
    pub user: String,
    /// SMTP server, overriding the preset (for --provider custom: give it
    /// to send mail).
    #[arg(long, help_heading = "Sending (SMTP)")]
    pub host: Option<String>,
    /// SMTP port.
    #[arg(long, help_heading = "Sending (SMTP)")]
    pub port: Option<u16>,
    /// SMTP connection security.
    #[arg(long, value_parser = security_parser(Protocol::Smtp), help_heading = "Sending (SMTP)")]
    pub security: Option<Security>,
    /// IMAP server, overriding the preset (for --provider custom: give it
    /// to read mail over IMAP).
    #[arg(long, help_heading = "Reading (IMAP)")]
    pub imap_host: Option<String>,
    /// IMAP port (993 under TLS, 143 with STARTTLS).
    #[arg(long, help_heading = "Reading (IMAP)")]
    pub imap_port: Option<u16>,
    /// IMAP connection security.
    #[arg(long, value_parser = security_parser(Protocol::Imap), help_heading = "Reading (IMAP)")]
    pub imap_security: Option<Security>,
    /// The IMAP login, when it is not --user (iCloud may take the name
    /// without @icloud.com).
    #[arg(long, help_heading = "Reading (IMAP)")]
    pub imap_login: Option<String>,
    /// Also record the provider's POP server (providers keep POP off until
    /// you turn it on).
    #[arg(long, help_heading = "Reading (POP)")]
    pub pop: bool,
    /// POP server, overriding the preset (implies --pop).
    #[arg(long, help_heading = "Reading (POP)")]
    pub pop_host: Option<String>,
    /// POP port (995 under TLS, 110 with STARTTLS).
    #[arg(long, help_heading = "Reading (POP)")]
    pub pop_port: Option<u16>,
    /// POP connection security.
    #[arg(long, value_parser = security_parser(Protocol::Pop), help_heading = "Reading (POP)")]
    pub pop_security: Option<Security>,
    /// The POP login, when it is not --user.
    #[arg(long, help_heading = "Reading (POP)")]
    pub pop_login: Option<String>,
    /// Read the password from the first line of stdin instead of a prompt.
    #[arg(long)]
    pub password_stdin: bool,
    /// How the account signs in: an app password, or OAuth2 (signs in now,
    /// in the browser or with --device).
    #[arg(long, value_enum, default_value_t = Auth::Password)]
    pub auth: Auth,
    /// Where and how an OAuth2 account signs in.
    #[command(flatten)]
    pub oauth: OAuthArgs,
    /// Let `git credential reject` (git send-email after a failed AUTH) erase
    /// the password. By default it is kept: an app password is shown once.
    #[arg(long)]
    pub allow_erase: bool,
}

/// `--provider`'s values, from the preset table of mailcred-core (which has
/// no clap, so no `ValueEnum` derive there).
fn provider_parser() -> impl clap::builder::TypedValueParser<Value = Provider> {
    let values = Provider::ALL.map(|p| PossibleValue::new(p.name()).help(p.description()));
    PossibleValuesParser::new(values)
        .map(|name| Provider::from_name(&name).expect("only listed names parse"))
}

/// The values of `--security`, `--imap-security` and `--pop-security`,
/// like [`provider_parser`]: readers take no `none-dangerous`.
fn security_parser(protocol: Protocol) -> impl clap::builder::TypedValueParser<Value = Security> {
    let values = protocol.securities().iter().map(|s| {
        let usual = protocol.default_port(*s);
        let help = match s {
            Security::Starttls => {
                format!("Plain connection upgraded with STARTTLS (usually port {usual})")
            }
            Security::Tls => format!("TLS from the first byte (usually port {usual})"),
            Security::NoneDangerous => s.description().to_owned(),
        };
        PossibleValue::new(s.name()).help(help)
    });
    PossibleValuesParser::new(values)
        .map(|name| Security::from_name(&name).expect("only listed names parse"))
}

/// `mailcred add`: the account from the flags, refused before any
/// password is asked when it cannot be added; its warnings; on a terminal
/// the provider's walkthrough; then the password, and the account stored.
pub(super) fn run(ctx: &Context<'_>, args: AddArgs) -> Result<(), CommandError> {
    use commands::accounts::EndpointFlags;
    let oauth = args.auth == Auth::Oauth2;
    if oauth && args.password_stdin {
        return Err(CommandError::Usage(
            "--password-stdin is for app passwords; --auth oauth2 signs in instead".into(),
        ));
    }
    if let Some(flag) = args.oauth.first_given().filter(|_| !oauth) {
        return Err(CommandError::Usage(format!(
            "{flag} is for OAuth2 sign-in: add --auth oauth2"
        )));
    }
    let new = commands::accounts::NewAccount {
        name: args.account,
        provider: args.provider,
        user: args.user,
        smtp: EndpointFlags {
            host: args.host,
            port: args.port,
            security: args.security,
            login: None,
        },
        imap: EndpointFlags {
            host: args.imap_host,
            port: args.imap_port,
            security: args.imap_security,
            login: args.imap_login,
        },
        pop: EndpointFlags {
            host: args.pop_host,
            port: args.pop_port,
            security: args.pop_security,
            login: args.pop_login,
        },
        with_pop: args.pop,
        allow_erase: args.allow_erase,
        oauth: oauth.then(|| {
            args.oauth
                .flags(args.oauth.client_secret_stdin || args.provider == Provider::Gmail)
        }),
    };
    let added = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let account = commands::accounts::resolve(&new, added)?;
    // Say so before asking for a password that would then be thrown away.
    commands::accounts::check_free(&ctx.accounts.read()?, &account)?;
    if oauth {
        let secret = args.oauth.client_secret(account.provider, true)?;
        return commands::login::add(ctx, account, secret, args.oauth.flow(), io::stdout().lock());
    }
    let protocols: Vec<Protocol> = account.endpoints().map(|(p, _)| p).collect();
    for warning in account.provider.warnings(&protocols) {
        eprintln!("mailcred: warning: {warning}");
    }
    if account
        .smtp
        .as_ref()
        .is_some_and(|e| e.security == Security::NoneDangerous)
    {
        eprintln!(
            "mailcred: warning: --security none-dangerous sends the password unencrypted; use it only for a relay on this machine"
        );
    }
    if !args.password_stdin {
        let ask = io::stdin().is_terminal() && io::stderr().is_terminal();
        crate::guided::walk_through(
            &account,
            new.with_pop,
            ask,
            io::stdin().lock(),
            io::stderr().lock(),
            crate::guided::open_in_browser,
        )?;
    }
    let password = super::new_password(&account.name, args.password_stdin)?;
    commands::accounts::add(ctx, account, password, io::stdout().lock())
}

//! `mailcred login NAME`: sign in again, or switch an app-password
//! account to OAuth2.

use std::io;

use clap::Args;

use super::oauth_args::{Auth, OAuthArgs};
use crate::commands::{self, CommandError, Context};

/// `mailcred login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The account.
    pub account: String,
    /// `oauth2` switches an app-password account to OAuth2; its app
    /// password is removed only once the sign-in worked.
    #[arg(long, value_enum)]
    pub auth: Option<Auth>,
    /// Where and how to sign in (overriding what the account has).
    #[command(flatten)]
    pub oauth: OAuthArgs,
}

/// Signs in, then stores the tokens.
pub(super) fn run(ctx: &Context<'_>, args: LoginArgs) -> Result<(), CommandError> {
    let account = commands::accounts::find(ctx, &args.account)?;
    if args.auth == Some(Auth::Password) {
        return Err(CommandError::Usage(if account.is_oauth() {
            format!(
                "mailcred login does not switch an OAuth2 account back to an app password: \
                 `mailcred remove {0}`, then `mailcred add {0} ...` with the app password",
                account.name
            )
        } else {
            format!(
                "mail account \"{}\" signs in with an app password already; change it with \
                 `mailcred set-password {0}`",
                account.name
            )
        }));
    }
    let switch = args.auth == Some(Auth::Oauth2);
    // A new Gmail client (a switch) has a secret to ask for; a sign-in
    // again reuses the one kept, unless a new one is piped in.
    let ask = switch && !account.is_oauth();
    let client_secret = args.oauth.client_secret(account.provider, ask)?;
    let login = commands::login::Login {
        switch,
        flags: args.oauth.flags(client_secret.is_some()),
        client_secret,
        flow: Some(args.oauth.flow()),
    };
    commands::login::login(ctx, &args.account, login, io::stdout().lock())
}

//! `mailcred import`: its flags.

use std::path::PathBuf;

use clap::Args;

use crate::commands::import::{
    self, Format, ImportError, NoItems, Options, OtherItems, Places, Prefer,
};
use crate::commands::{CommandError, Context};

/// `mailcred import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Store the passwords and rewrite the files to ask mailcred. Without
    /// it, only show what would be done.
    #[arg(long)]
    pub apply: bool,
    /// Keep each rewritten file's old text next to it (FILE.mailcred-backup,
    /// readable by you only). It still holds the passwords.
    #[arg(long, requires = "apply")]
    pub keep_backups: bool,
    /// Where files disagree on a password: FILE:LINE of the right one, or
    /// the name of the account whose stored password is right.
    #[arg(long, value_name = "FILE:LINE|ACCOUNT")]
    pub prefer: Vec<String>,
    /// Read only this file, in this format (msmtp, netrc, authinfo,
    /// fetchmail, git-credentials, gitconfig, mbsync, neomutt, mutt, aerc,
    /// offlineimap, getmail), instead of the usual places. Repeatable.
    #[arg(long, value_name = "FORMAT:PATH", value_parser = file_parser)]
    pub file: Vec<(Format, PathBuf)>,
    /// Also import git-credential-store's passwords of other servers
    /// (https…), as git credentials.
    #[arg(long)]
    pub all: bool,
}

fn file_parser(value: &str) -> Result<(Format, PathBuf), String> {
    let (format, path) = value
        .split_once(':')
        .ok_or_else(|| format!("{value:?} is not FORMAT:PATH"))?;
    let format = Format::from_name(format).ok_or_else(|| {
        let known: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!("unknown format {format:?}; known: {}", known.join(", "))
    })?;
    Ok((format, PathBuf::from(path)))
}

/// Runs `mailcred import`.
pub(super) fn run(
    ctx: &Context<'_>,
    args: ImportArgs,
    out: impl std::io::Write,
) -> Result<(), CommandError> {
    let places = Places::from_environment().ok_or(ImportError::NoHome)?;
    // `--file msmtp:~/.msmtprc`: no shell expands a `~` after the colon.
    let files = args
        .file
        .into_iter()
        .map(|(format, path)| match path.strip_prefix("~") {
            Ok(rest) => (format, places.home.join(rest)),
            Err(_) => (format, path),
        })
        .collect();
    let options = Options {
        places,
        files,
        apply: args.apply,
        keep_backups: args.keep_backups,
        prefer: args.prefer.iter().map(|p| Prefer::parse(p)).collect(),
        all: args.all,
    };
    import::run(ctx, &options, others()?.as_ref(), out)
}

/// The other programs' keyring items are Secret Service items: searched
/// only when that is the store mailcred uses.
fn others() -> Result<Box<dyn OtherItems>, CommandError> {
    let config = crate::settings::store_config()?;
    #[cfg(target_os = "linux")]
    if config.choice == crate::store::StoreChoice::SecretService {
        return Ok(Box::new(import::keyring_items::SecretService {
            deadline: config.deadline,
        }));
    }
    let _ = config;
    Ok(Box::new(NoItems))
}

//! `mailcred import`: finds the plaintext mail passwords a user already has
//! (msmtp, netrc and authinfo, fetchmail, git-credential-store, git
//! send-email and imap-send, mbsync, mutt and neomutt, aerc, OfflineIMAP,
//! getmail) and moves them into the keyring.
//!
//! A dry run by default: it prints, per secret, the file and line, the
//! server and login, the account it would go to and what in the file would
//! change. `--apply` stores each secret first, then rewrites each file to
//! ask mailcred, atomically, keeping every other byte.
//!
//! Safe to run again, whatever stopped the last run: a secret already
//! stored matches its account, so only the rewrite remains; a file already
//! rewritten has nothing left to find.
//!
//! - [`found`]: what a reader finds; [`formats`]: one reader per format;
//! - [`sources`]: the usual places, and reading them; [`keyring_items`]:
//!   msmtp's and git-credential-libsecret's items; `wanting`: msmtp
//!   accounts without a password, given the one netrc or an item holds;
//! - [`plan`]: which account each secret goes to, each file's new text;
//! - `apply`: the account steps; [`rewrite`]: replacing a file;
//! - `report`: what the user is told.

mod apply;
mod error;
pub mod formats;
pub mod found;
pub mod keyring_items;
mod lines;
pub mod plan;
mod report;
pub mod rewrite;
pub mod sources;
mod wanting;

use std::io::Write;
use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};

pub use error::ImportError;
pub use found::Format;
pub use keyring_items::{NoItems, OtherItems};
pub use plan::Prefer;
pub use sources::Places;

use super::{CommandError, Context};
use crate::private_files::PrivateDir;
use crate::vault::Vault;
use plan::{FileChange, Outcome, Plan};
use sources::{Source, Unreadable};

/// The shortest password looked for anywhere in a rewritten file: app
/// passwords are 16 characters, and a shorter string may occur by chance.
const MIN_SEARCHED: usize = 8;

/// What `mailcred import` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where the usual files are.
    pub places: Places,
    /// `--file`: read only these instead.
    pub files: Vec<(Format, PathBuf)>,
    /// `--apply`: store and rewrite; else only say what would be done.
    pub apply: bool,
    /// `--keep-backups`.
    pub keep_backups: bool,
    /// `--prefer`.
    pub prefer: Vec<Prefer>,
    /// `--all`: other servers' git credentials too.
    pub all: bool,
}

/// Runs the import: the files, and the items `others` finds.
pub fn run(
    ctx: &Context<'_>,
    options: &Options,
    others: &dyn OtherItems,
    mut out: impl Write,
) -> Result<(), CommandError> {
    // One import at a time: two would rewrite the same files.
    let _running = match options.apply {
        true => Some(
            PrivateDir::new(ctx.accounts.dir())
                .lock("import.lock", true)
                .map_err(ImportError::Lock)?,
        ),
        false => None,
    };
    let (mut sources, unreadable) = read_all(options);
    wanting::netrc(&mut sources, |p| options.places.show(p));
    let mut notes = Vec::new();
    match others.items() {
        Ok(items) => keyring_items::fold(&mut sources, items),
        Err(why) => notes.push(format!(
            "msmtp's and git's items in the Secret Service: not searched: {why}"
        )),
    }
    let existing = ctx.accounts.read()?;
    let store = ctx.lazy_store();
    let vault = Vault::new(ctx.index.clone(), &store);
    let stored = |name: &str| -> Result<Option<SecretString>, CommandError> {
        Ok(vault.find_account(name)?.and_then(|f| f.secrets.password))
    };
    let credential = |slot: &found::GitSlot, user: &str| apply::credential(ctx, slot, user);
    let input = plan::Input {
        sources: &sources,
        places: &options.places,
        existing: &existing,
        prefer: &options.prefer,
        stored: &stored,
        all: options.all,
        credential: &credential,
        added: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
    };
    let plan = plan::plan(&input)?;
    let view = report::View {
        places: &options.places,
        sources: &sources,
        unreadable: &unreadable,
        plan: &plan,
        notes: &notes,
    };
    if !options.apply {
        view.items(&mut out, false)?;
        view.rest(&mut out)?;
        if !plan.steps.is_empty() || !plan.files.is_empty() {
            writeln!(
                out,
                "\nDry run: nothing was stored or changed. `mailcred import --apply` does it."
            )?;
        }
        return unreadable_is_an_error(&unreadable);
    }
    apply_plan(ctx, options, &sources, &plan, &view, out)?;
    unreadable_is_an_error(&unreadable)
}

/// `--apply`: every account step first, then every file, then the report.
///
/// Nothing is printed before the first step is done: a run stopped at its
/// first line of output (killed, or a full pipe) has stored something and
/// rewritten nothing, which the end-to-end test of an interrupted import
/// relies on.
fn apply_plan(
    ctx: &Context<'_>,
    options: &Options,
    sources: &[Source],
    plan: &Plan,
    view: &report::View<'_>,
    mut out: impl Write,
) -> Result<(), CommandError> {
    if !plan.steps.is_empty() {
        ctx.warn_about_store();
    }
    for step in &plan.steps {
        apply::run(ctx, step)?;
        report::stored(&mut out, step)?;
    }
    let mut failure: Option<CommandError> = None;
    let mut backups = Vec::new();
    for file in &plan.files {
        match rewrite_one(ctx, options, sources, plan, file) {
            Ok(backup) => {
                writeln!(out, "Rewrote {}.", options.places.show(&file.path))?;
                backups.extend(backup);
            }
            Err(e) => {
                writeln!(
                    out,
                    "Left {} as it was: {e}",
                    options.places.show(&file.path)
                )?;
                failure.get_or_insert(e);
            }
        }
    }
    let mut stale = Vec::new();
    for source in sources.iter().filter(|s| s.format != Format::Keyring) {
        // Next to the file itself, as the rewrite keeps it: a dotfile
        // manager's link points elsewhere.
        let real = std::fs::canonicalize(&source.path).unwrap_or_else(|_| source.path.clone());
        let backup = rewrite::backup_path(&real);
        if !backup.is_file() || backups.contains(&backup) {
            continue;
        }
        let clean = source.parsed.found.is_empty() && source.parsed.refused.is_none();
        if clean && !options.keep_backups && std::fs::remove_file(&backup).is_ok() {
            writeln!(
                out,
                "Deleted {}, left by an import that was interrupted.",
                options.places.show(&backup)
            )?;
        } else {
            stale.push(backup);
        }
    }
    writeln!(out)?;
    view.items(&mut out, true)?;
    view.rest(&mut out)?;
    if !backups.is_empty() || !stale.is_empty() {
        writeln!(
            out,
            "\nThe backups still hold the plaintext passwords; delete them once you have \
             checked the files:"
        )?;
        for backup in backups.iter().chain(&stale) {
            writeln!(out, "  {}", options.places.show(backup))?;
        }
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The files to read: `--file`, else every usual place that exists.
fn read_all(options: &Options) -> (Vec<Source>, Vec<Unreadable>) {
    let wanted = if options.files.is_empty() {
        options.places.usual()
    } else {
        options.files.clone()
    };
    let mut sources: Vec<Source> = Vec::new();
    let mut unreadable = Vec::new();
    for (format, path) in wanted {
        if sources.iter().any(|s| same_file(&s.path, &path)) {
            continue;
        }
        match sources::read(format, &path) {
            Ok(Some(source)) => sources.push(source),
            Ok(None) if !options.files.is_empty() => unreadable.push(Unreadable {
                format,
                path,
                why: "there is no such file".into(),
            }),
            Ok(None) => {}
            Err(e) => unreadable.push(e),
        }
    }
    (sources, unreadable)
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    a == b || std::fs::canonicalize(a).is_ok_and(|a| std::fs::canonicalize(b).is_ok_and(|b| a == b))
}

/// Rewrites one file, once every account it will ask serves the secret it
/// held; the backup kept, if asked for.
fn rewrite_one(
    ctx: &Context<'_>,
    options: &Options,
    sources: &[Source],
    plan: &Plan,
    file: &FileChange,
) -> Result<Option<PathBuf>, CommandError> {
    let secret_of = |at: usize| {
        let item = &plan.items[at];
        &sources[item.source].parsed.found[item.found]
    };
    for at in &file.items {
        let item = &plan.items[*at];
        let Some(secret) = &item.serves else {
            continue;
        };
        let (served, name) = match &item.outcome {
            Outcome::Account { name, .. } => (apply::serves(ctx, name, secret), name.clone()),
            Outcome::Credential { url, .. } => {
                let found = secret_of(*at);
                let slot = found.git.as_ref().expect("a git credential's item");
                let user = found.user.as_deref().unwrap_or_default();
                let held = apply::credential(ctx, slot, user);
                (
                    held.map(|h| h.is_some_and(|h| h.expose_secret() == secret.expose_secret())),
                    url.clone(),
                )
            }
            _ => continue,
        };
        if !served? {
            return Err(ImportError::NotServed {
                name,
                path: file.path.clone(),
            }
            .into());
        }
    }
    let check = |text: &str| {
        let parsed = formats::parse(file.format, text);
        if let Some(why) = parsed.refused {
            return Err(format!(
                "no longer reads as {} ({})",
                file.format.name(),
                why.text
            ));
        }
        for left in &parsed.found {
            let fixed = file.items.iter().map(|at| secret_of(*at)).find(|f| {
                f.secret.expose_secret() == left.secret.expose_secret()
                    && f.server.host.eq_ignore_ascii_case(&left.server.host)
                    && f.user == left.user
            });
            if fixed.is_some() {
                return Err(format!("still holds a password at line {}", left.line));
            }
        }
        // Nor anywhere else (a comment quoting it), unless a secret left in
        // place on purpose is the same; short ones would match by chance.
        for fixed in file.items.iter().map(|at| secret_of(*at)) {
            let secret = fixed.secret.expose_secret();
            let kept = parsed
                .found
                .iter()
                .any(|f| f.secret.expose_secret() == secret);
            if secret.len() >= MIN_SEARCHED && !kept && text.contains(secret) {
                return Err(format!(
                    "still holds a password outside the lines mailcred rewrites (a comment?), at \
                     line {}: remove it and run the import again",
                    lines::line_of(text, text.find(secret).expect("contained"))
                ));
            }
        }
        Ok(())
    };
    let replaced = rewrite::replace(
        &file.path,
        file.original.as_ref().map(|t| t.as_str()),
        &file.text,
        options.keep_backups,
        check,
    )
    .map_err(ImportError::from)?;
    Ok(replaced.backup)
}

fn unreadable_is_an_error(unreadable: &[Unreadable]) -> Result<(), CommandError> {
    if unreadable.is_empty() {
        return Ok(());
    }
    Err(ImportError::Unreadable {
        files: unreadable
            .iter()
            .map(|u| format!("{} ({})", u.path.display(), u.why))
            .collect(),
    }
    .into())
}

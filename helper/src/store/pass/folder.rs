//! [`PassFolder`]: mailcred's index and account file for the pass store,
//! kept in the password store itself, `<dir>/<prefix>/.mailcred/`, so that
//! a password store shared through git carries them to every machine with
//! the entries they list: another machine pointed at the same store (a
//! clone, or the same folder) sees the same accounts.
//!
//! They are plain JSON and hold no secret (the secrets are the gpg
//! entries beside them). A `.gitignore` there keeps the lock files out of
//! git; when the password store is a git repository, each save is
//! committed, as pass commits each entry, under the same lock on the store
//! folder (two commits at once would race for git's index lock).

use std::ffi::OsStr;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rustix::fs::{FlockOperation, flock};

use super::{PassSettings, run};
use crate::private_files::PrivateDir;
use crate::vault::SaveHook;

/// The folder's name inside `<dir>/<prefix>/`.
pub const FOLDER: &str = ".mailcred";

const GITIGNORE: &str = "# mailcred's lock files: this machine's only.\n*.lock\n";

/// mailcred's non-secret files in the password store.
#[derive(Debug, Clone)]
pub struct PassFolder {
    store: PathBuf,
    folder: PathBuf,
    limit: Duration,
}

impl PassFolder {
    /// The folder for `settings`; git runs bounded by `limit`.
    pub fn new(settings: &PassSettings, limit: Duration) -> Self {
        Self {
            store: settings.dir.clone(),
            folder: settings.dir.join(&settings.prefix).join(FOLDER),
            limit,
        }
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.folder
    }

    /// Moves `name` from `from` (where mailcred kept it before it kept it
    /// here) into the folder, once, under the folder's lock `lock`: never
    /// lost (copied atomically, then removed), and never merged by guess.
    /// Both there and different is an error saying what to do.
    pub fn move_in(&self, from: &Path, name: &str, lock: &str) -> Result<(), String> {
        let local = from.join(name);
        if !local.is_file() || from == self.folder {
            return Ok(());
        }
        let folder = PrivateDir::new(&self.folder);
        let held = folder
            .lock(lock, true)
            .map_err(|e| format!("cannot lock {}: {e}", self.folder.join(lock).display()))?;
        let read = |path: &Path| {
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
        };
        let mine = read(&local)?;
        let there = self.folder.join(name);
        if there.exists() {
            if read(&there)? != mine {
                return Err(format!(
                    "{} and {} both exist and differ: with the pass store mailcred keeps this \
                     file in the password store; merge the two by hand into {}, remove {}, \
                     and run the command again",
                    local.display(),
                    there.display(),
                    there.display(),
                    local.display()
                ));
            }
        } else {
            folder
                .write_atomic(name, &mine, &held)
                .map_err(|e| format!("cannot write {}: {e}", there.display()))?;
            self.saved(&there);
        }
        std::fs::remove_file(&local)
            .map_err(|e| format!("cannot remove {} after moving it: {e}", local.display()))
    }

    /// Whether the password store is a git repository.
    fn in_git(&self) -> bool {
        self.store.join(".git").exists()
    }

    fn git(&self, args: &[&OsStr]) -> Result<run::Output, String> {
        let mut all: Vec<&OsStr> = vec![OsStr::new("-C"), self.store.as_os_str()];
        all.extend_from_slice(args);
        run::run("git", &all, &self.store, None, self.limit).map_err(|e| e.to_string())
    }

    /// Commits `file` and the `.gitignore` beside it, if they changed.
    fn commit(&self, file: &Path) -> Result<(), String> {
        // The store folder's lock, as PassStore takes it to write.
        let folder = File::open(&self.store).map_err(|e| e.to_string())?;
        flock(&folder, FlockOperation::LockExclusive).map_err(|e| e.to_string())?;
        let ignore = self.folder.join(".gitignore");
        let git = |args: &[&str]| {
            let mut all: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
            all.extend([OsStr::new("--"), ignore.as_os_str(), file.as_os_str()]);
            self.git(&all)
        };
        let added = git(&["add"])?;
        if !added.status.success() {
            return Err(added.stderr);
        }
        if git(&["diff", "--cached", "--quiet"])?.status.success() {
            return Ok(());
        }
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        let message = format!("mailcred: update {name}");
        let committed = git(&["commit", "--quiet", "--no-verify", "-m", &message])?;
        match committed.status.success() {
            true => Ok(()),
            false => Err(committed.stderr),
        }
    }
}

impl SaveHook for PassFolder {
    fn saved(&self, file: &Path) {
        let ignore = self.folder.join(".gitignore");
        if !ignore.exists()
            && let Err(e) = std::fs::write(&ignore, GITIGNORE)
        {
            eprintln!("mailcred: warning: cannot write {}: {e}", ignore.display());
        }
        if self.in_git()
            && let Err(why) = self.commit(file)
        {
            // Saved all the same: only other machines wait for it, and the
            // next change commits it with its own.
            eprintln!(
                "mailcred: warning: {} was saved but not committed to the password store's git: {}",
                file.display(),
                why.trim()
            );
        }
    }
}

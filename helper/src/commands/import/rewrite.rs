//! Replacing a configuration file with its rewritten text, so that no
//! moment leaves it half-written or loses it: the new text goes to a
//! temporary file in the same folder, is flushed to disk and renamed over
//! the old one, keeping its permissions. The old text, which holds the
//! plaintext passwords, is kept in a backup readable by its owner only
//! until the new file is read back and checked, then deleted (unless the
//! user asks to keep it).

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::sources::MAX_CONFIG_BYTES;
use crate::private_files::read_regular_file;

/// Why a file was not replaced.
#[derive(Debug, thiserror::Error)]
pub enum RewriteError {
    /// The file changed since it was read: rewriting would lose that change.
    #[error(
        "{path} changed while mailcred was importing from it; it was left as it is: run the import again"
    )]
    Changed {
        /// The file.
        path: PathBuf,
    },
    /// A file operation failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The failure.
        #[source]
        source: io::Error,
    },
    /// The new file, read back, still holds a password it should not.
    #[error("{path} was put back as it was: its rewritten text {why}")]
    NotVerified {
        /// The file.
        path: PathBuf,
        /// What the check found.
        why: String,
    },
}

/// What a replace left behind.
#[derive(Debug)]
pub struct Replaced {
    /// The file replaced (a symbolic link's target).
    pub path: PathBuf,
    /// The backup still holding the old text, when asked to keep it.
    pub backup: Option<PathBuf>,
}

/// Where the old text of `path` is kept while it is replaced: a name of
/// its own, so that a backup an interrupted run left is told apart from
/// one the user asked to keep.
pub fn backup_path(path: &Path) -> PathBuf {
    with_suffix(path, ".mailcred-import-backup")
}

/// Where `--keep-backups` keeps the old text of `path`.
pub fn kept_backup_path(path: &Path) -> PathBuf {
    with_suffix(path, ".mailcred-backup")
}

/// Whether a file name is one of mailcred's backups or temporary files,
/// never a configuration file.
pub fn is_ours(name: &str) -> bool {
    name.contains(".mailcred-")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Replaces the file at `path`, which must still hold `original` (`None`:
/// must not exist), with `text`; `check` reads the new text back and says
/// what is wrong with it, if anything.
pub fn replace(
    path: &Path,
    original: Option<&str>,
    text: &str,
    keep_backup: bool,
    check: impl Fn(&str) -> Result<(), String>,
) -> Result<Replaced, RewriteError> {
    let io = |action: &'static str, path: &Path| {
        let path = path.to_owned();
        move |source| RewriteError::Io {
            action,
            path,
            source,
        }
    };
    // A dotfile manager's symbolic link stays one: its target is rewritten.
    let target = match fs::canonicalize(path) {
        Ok(target) => target,
        Err(e) if e.kind() == io::ErrorKind::NotFound && original.is_none() => path.to_owned(),
        Err(e) => return Err(io("find", path)(e)),
    };
    let now = read_regular_file(&target, MAX_CONFIG_BYTES).map_err(io("read", &target))?;
    if now.as_deref() != original.map(str::as_bytes) {
        return Err(RewriteError::Changed { path: target });
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    let backup = if keep_backup {
        kept_backup_path(&target)
    } else {
        backup_path(&target)
    };
    let mode = fs::metadata(&target).ok().map(|m| m.permissions());
    if let Some(original) = original {
        write_private(&backup, original.as_bytes()).map_err(io("write the backup", &backup))?;
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".mailcred-import-")
        .tempfile_in(dir)
        .map_err(io("create a temporary file next to", &target))?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| match &mode {
            Some(mode) => fs::set_permissions(tmp.path(), mode.clone()),
            None => Ok(()),
        })
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(io("write a temporary file next to", &target))?;
    tmp.persist(&target)
        .map_err(|e| io("replace", &target)(e.error))?;
    sync_dir(dir);
    let back = read_regular_file(&target, MAX_CONFIG_BYTES).map_err(io("read back", &target))?;
    let verdict = match back.as_deref().map(std::str::from_utf8) {
        Some(Ok(back)) if back == text => check(back),
        _ => Err("is not what was written".to_owned()),
    };
    if let Err(why) = verdict {
        if original.is_some() {
            fs::rename(&backup, &target).map_err(io("put back", &target))?;
            if let Some(mode) = mode {
                let _ = fs::set_permissions(&target, mode);
            }
        }
        return Err(RewriteError::NotVerified { path: target, why });
    }
    if original.is_none() || keep_backup {
        return Ok(Replaced {
            path: target,
            backup: original.is_some().then_some(backup),
        });
    }
    fs::remove_file(&backup).map_err(io("delete the backup", &backup))?;
    sync_dir(dir);
    Ok(Replaced {
        path: target,
        backup: None,
    })
}

/// Writes `bytes` to a file only its owner may read, flushed to disk.
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let _ = fs::remove_file(path);
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes a rename in `dir` durable; best effort.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rc");
        fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_left_as_it_is() {
        let (_dir, path) = file("edited meanwhile\n");
        let error = replace(&path, Some("as read\n"), "new\n", false, |_| Ok(())).unwrap_err();
        assert!(matches!(error, RewriteError::Changed { .. }), "{error}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "edited meanwhile\n");
        assert!(
            !backup_path(&path).exists(),
            "no backup is made of a file not replaced"
        );
    }

    #[test]
    fn a_new_text_that_fails_its_check_is_replaced_by_the_old_one_again() {
        let (_dir, path) = file("old\n");
        let error = replace(&path, Some("old\n"), "new\n", false, |_| {
            Err("still holds it".into())
        })
        .unwrap_err();
        assert!(matches!(error, RewriteError::NotVerified { .. }), "{error}");
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "old\n",
            "the old text is back"
        );
        assert!(
            !backup_path(&path).exists(),
            "the backup became the file again"
        );
    }

    #[test]
    fn a_file_to_create_must_not_have_appeared_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gitconfig");
        replace(&path, None, "[credential]\n", false, |_| Ok(())).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "[credential]\n");
        let error = replace(&path, None, "again\n", false, |_| Ok(())).unwrap_err();
        assert!(matches!(error, RewriteError::Changed { .. }), "{error}");
    }
}

//! Where mailcred keeps its files: the accounts and settings in the
//! configuration folder, the credential index in the data folder.
//!
//! | platform | configuration | data |
//! | --- | --- | --- |
//! | Linux | `$XDG_CONFIG_HOME/mailcred` | `$XDG_DATA_HOME/mailcred` |
//! | macOS | `~/Library/Application Support/mailcred` | the same |
//! | Windows | `%LOCALAPPDATA%\mailcred` | the same |
//!
//! On Windows, local and not roaming (`%APPDATA%`), because the secrets
//! stay on the machine too: Credential Manager keeps mailcred's
//! credentials with Local persistence. The index and the secrets it lists
//! are kept consistent by the order in which they are written, on one
//! machine; an index that roamed with the profile while the secrets stayed
//! (or the reverse, or each synchronised at another logon) would list
//! secrets that are not there and leave secrets nobody lists. The
//! accounts go with the index, whose entries name them. mailcred 0.1 kept
//! all three files in `%APPDATA%\mailcred`: each is moved to the new
//! folder the first time it is looked for there, if the new folder has none.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::private_files::PrivateDir;

const NAME: &str = "mailcred";

/// The configuration folder (accounts, settings).
pub fn config_dir() -> Option<PathBuf> {
    dirs::config_local_dir().map(|d| d.join(NAME))
}

/// The data folder (the credential index).
pub fn data_dir() -> Option<PathBuf> {
    dirs::data_local_dir().map(|d| d.join(NAME))
}

/// The settings file: `settings.json` in [`config_dir`], moved there from
/// where mailcred 0.1 kept it on Windows; where the move fails, it is read
/// where it is. One place, because `mailcred` and the plugin (which reads
/// only the store's name from it) must read the same file.
pub fn settings_file() -> Option<PathBuf> {
    const FILE: &str = "settings.json";
    let dir = config_dir()?;
    let earlier = earlier_config_dir();
    match move_from_earlier(&dir, earlier.as_deref(), FILE) {
        Err(_) => earlier.map(|e| e.join(FILE)),
        Ok(()) => Some(dir.join(FILE)),
    }
}

/// Where mailcred 0.1 kept configuration: differs from [`config_dir`] on
/// Windows only (`%APPDATA%`, which roams).
pub fn earlier_config_dir() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join(NAME))
}

/// Where mailcred 0.1 kept data: differs from [`data_dir`] on Windows only.
pub fn earlier_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join(NAME))
}

/// Moves the file `name` from `earlier` into `dir` when `dir` has none and
/// `earlier` (another folder) has one; removes `earlier` once empty. Safe
/// to run from several processes at once: the move is a rename, and a file
/// another process moved first is no error.
pub fn move_from_earlier(dir: &Path, earlier: Option<&Path>, name: &str) -> io::Result<()> {
    let Some(earlier) = earlier.filter(|e| *e != dir) else {
        return Ok(());
    };
    let (from, to) = (earlier.join(name), dir.join(name));
    // The earlier file first: it is almost always gone, and then the new
    // one, which other processes may be replacing, is never looked at (on
    // Windows looking opens it, and an open file cannot be replaced).
    if from.symlink_metadata().is_err() || to.symlink_metadata().is_ok() {
        return Ok(());
    }
    PrivateDir::new(dir).create()?;
    match fs::rename(&from, &to) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        // %APPDATA% redirected to another volume (a network share).
        Err(e) if e.kind() == io::ErrorKind::CrossesDevices => copy_then_remove(&from, &to)?,
        Err(e) => return Err(e),
    }
    // Only once nothing is left in it (lock files included).
    let _ = fs::remove_dir(earlier);
    Ok(())
}

/// A move across volumes: a copy beside the target renamed into place, so
/// that the target appears whole or not at all, then the original removed.
fn copy_then_remove(from: &Path, to: &Path) -> io::Result<()> {
    let dir = to.parent().unwrap_or(Path::new("."));
    let temp = tempfile::NamedTempFile::new_in(dir)?;
    fs::copy(from, temp.path())?;
    temp.persist(to).map_err(|e| e.error)?;
    fs::remove_file(from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folders() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let root = tempfile::tempdir().unwrap();
        let (new, old) = (root.path().join("local"), root.path().join("roaming"));
        fs::create_dir_all(&old).unwrap();
        (root, new, old)
    }

    #[test]
    fn a_file_left_in_the_earlier_folder_moves_to_the_new_one() {
        let (_root, new, old) = folders();
        fs::write(old.join("accounts.json"), "accounts").unwrap();
        move_from_earlier(&new, Some(&old), "accounts.json").unwrap();
        assert_eq!(
            fs::read_to_string(new.join("accounts.json")).unwrap(),
            "accounts"
        );
        assert!(!old.exists(), "the emptied earlier folder is removed");
    }

    #[test]
    fn a_file_in_the_new_folder_is_kept_and_the_earlier_one_left_alone() {
        let (_root, new, old) = folders();
        fs::create_dir_all(&new).unwrap();
        fs::write(new.join("credentials.json"), "new").unwrap();
        fs::write(old.join("credentials.json"), "old").unwrap();
        move_from_earlier(&new, Some(&old), "credentials.json").unwrap();
        assert_eq!(
            fs::read_to_string(new.join("credentials.json")).unwrap(),
            "new"
        );
        assert_eq!(
            fs::read_to_string(old.join("credentials.json")).unwrap(),
            "old"
        );
    }

    #[test]
    fn nothing_to_move_creates_nothing() {
        let (_root, new, old) = folders();
        move_from_earlier(&new, Some(&old), "settings.json").unwrap();
        assert!(
            !new.exists(),
            "no folder is made for a file that was never there"
        );
        move_from_earlier(&old, Some(&old), "settings.json").unwrap();
        move_from_earlier(&new, None, "settings.json").unwrap();
    }

    #[test]
    fn the_folder_is_the_same_as_before_except_on_windows() {
        let moved = config_dir() != earlier_config_dir() || data_dir() != earlier_data_dir();
        assert_eq!(
            moved,
            cfg!(windows),
            "only Windows has a local folder apart from the roaming one"
        );
    }
}

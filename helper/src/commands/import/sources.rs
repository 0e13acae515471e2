//! Where each program keeps its configuration, and reading those files.
//!
//! Every file is read through [`read_regular_file`] with a size cap: a
//! FIFO at `~/.netrc` or a link to `/dev/zero` is an error that names what
//! was found, never a hang.

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::found::{Format, Parsed};
use crate::private_files::read_regular_file;

/// The largest configuration file read: far more than any hand-written one.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The folders the usual places are relative to.
#[derive(Debug, Clone)]
pub struct Places {
    /// `$HOME`.
    pub home: PathBuf,
    /// `$XDG_CONFIG_HOME`, else `~/.config`.
    pub config_home: PathBuf,
}

impl Places {
    /// From `HOME` and `XDG_CONFIG_HOME` (a relative one is ignored, as the
    /// XDG specification says).
    pub fn from_environment() -> Option<Self> {
        let home = PathBuf::from(std::env::var_os("HOME").filter(|h| !h.is_empty())?);
        let config_home = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .unwrap_or_else(|| home.join(".config"));
        Some(Self { home, config_home })
    }

    /// The files each format is read from, in the order the programs look
    /// for them. getmail keeps one rc file per account: every `getmailrc*`
    /// in its folders.
    pub fn usual(&self) -> Vec<(Format, PathBuf)> {
        let (home, config) = (&self.home, &self.config_home);
        let mut files = vec![
            (Format::Msmtp, home.join(".msmtprc")),
            (Format::Msmtp, config.join("msmtp/config")),
            (Format::Netrc, home.join(".netrc")),
            (Format::Authinfo, home.join(".authinfo")),
            (Format::Fetchmail, home.join(".fetchmailrc")),
            (Format::GitCredentials, home.join(".git-credentials")),
            (Format::GitCredentials, config.join("git/credentials")),
            (Format::GitConfig, home.join(".gitconfig")),
            (Format::GitConfig, config.join("git/config")),
            (Format::Mbsync, home.join(".mbsyncrc")),
            (Format::Mbsync, config.join("isyncrc")),
            (Format::Mutt, home.join(".muttrc")),
            (Format::Mutt, home.join(".mutt/muttrc")),
            (Format::Mutt, config.join("mutt/muttrc")),
            (Format::Mutt, home.join(".neomuttrc")),
            (Format::Mutt, home.join(".neomutt/neomuttrc")),
            (Format::Mutt, config.join("neomutt/neomuttrc")),
            (Format::Aerc, config.join("aerc/accounts.conf")),
            (Format::Offlineimap, home.join(".offlineimaprc")),
            (Format::Offlineimap, config.join("offlineimap/config")),
        ];
        for dir in [home.join(".getmail"), config.join("getmail")] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut rcs: Vec<PathBuf> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                        n.starts_with("getmailrc")
                            && !n.ends_with('~')
                            && !super::rewrite::is_ours(n)
                    })
                })
                .collect();
            rcs.sort();
            files.extend(rcs.into_iter().map(|p| (Format::Getmail, p)));
        }
        files
    }

    /// `path` for people: under HOME as `~/…`.
    pub fn show(&self, path: &Path) -> String {
        match path.strip_prefix(&self.home) {
            Ok(rest) => format!("~/{}", rest.display()),
            Err(_) => path.display().to_string(),
        }
    }

    /// The global git configuration file `git config --global` writes:
    /// `~/.gitconfig`, unless only `$XDG_CONFIG_HOME/git/config` exists.
    pub fn global_gitconfig(&self) -> PathBuf {
        let dotfile = self.home.join(".gitconfig");
        let xdg = self.config_home.join("git/config");
        if !dotfile.exists() && xdg.exists() {
            xdg
        } else {
            dotfile
        }
    }
}

/// One configuration file, read and understood.
pub struct Source {
    /// Its format.
    pub format: Format,
    /// Where it is.
    pub path: PathBuf,
    /// Its bytes, exactly as read (the rewrite keeps all the others),
    /// wiped when dropped: they hold the secrets.
    pub text: Zeroizing<String>,
    /// What its reader found.
    pub parsed: Parsed,
}

impl std::fmt::Debug for Source {
    /// Everything but the text, which holds the secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Source {
            format,
            path,
            text: _,
            parsed,
        } = self;
        f.debug_struct("Source")
            .field("format", format)
            .field("path", path)
            .field("parsed", parsed)
            .finish_non_exhaustive()
    }
}

/// A file that could not be read (the import goes on without it).
#[derive(Debug)]
pub struct Unreadable {
    /// Its format.
    pub format: Format,
    /// Where it is.
    pub path: PathBuf,
    /// Why.
    pub why: String,
}

/// Reads `path`: `Ok(None)` when there is no such file.
pub fn read(format: Format, path: &Path) -> Result<Option<Source>, Unreadable> {
    let unreadable = |why: String| Unreadable {
        format,
        path: path.to_owned(),
        why,
    };
    let Some(bytes) =
        read_regular_file(path, MAX_CONFIG_BYTES).map_err(|e| unreadable(e.to_string()))?
    else {
        return Ok(None);
    };
    let bytes = Zeroizing::new(bytes);
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Err(unreadable(
            "it is not UTF-8 text, which mailcred does not rewrite".into(),
        ));
    };
    let text = Zeroizing::new(text.to_owned());
    let parsed = super::formats::parse(format, &text);
    Ok(Some(Source {
        format,
        path: path.to_owned(),
        text,
        parsed,
    }))
}

//! `mailcred import`, in-process: real-looking configuration files of each
//! program (`tests/fixtures/import/`) in a temporary HOME, an in-memory
//! keyring, and the files as they must be after `--apply`
//! (`NAME.after`), compared byte for byte.
//!
//! - [`msmtp`]: `defaults`, inheritance, a line several accounts share;
//! - [`readers`]: mbsync, neomutt, aerc, OfflineIMAP, getmail;
//! - [`git`]: git-credential-store's file and git config;
//! - [`kept`]: netrc, authinfo, fetchmail, whose files stay as they are;
//! - [`keyring`]: the items msmtp and git-credential-libsecret made;
//! - [`accounts`]: secrets that match, join or conflict with accounts;
//! - [`safety`]: reruns, interruptions, backups, odd files.
//!
//! Every run goes through [`Home::run`], which checks what holds for all:
//! no secret of the fixtures ever reaches stdout or an error message.

mod accounts;
mod git;
mod kept;
mod keyring;
mod msmtp;
mod readers;
mod safety;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use mailcred::accounts::Account;
use mailcred::commands::import::keyring_items::{Item, OtherItems, Owner};
use mailcred::commands::import::{self, Options, Places, Prefer};
use secrecy::SecretString;

use crate::accounts::{Outcome, Setup};

/// Every password the fixtures hold.
pub const SECRETS: &[&str] = &[
    "abcd efgh ijkl mnop",
    "s3cr3t",
    "s3cr%3t",
    // Not a mail password: the https line it is on stays.
    "ghp_notamailpassword0000",
    "other-password",
];

/// The text of `tests/fixtures/import/NAME`.
pub fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name);
    fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the fixture {}: {e}", path.display()))
}

/// A temporary HOME with configuration files, and mailcred's index,
/// account file and in-memory keyring.
pub struct Home {
    /// The keyring, index and accounts.
    pub s: Setup,
    home: tempfile::TempDir,
    /// What other programs keep in the Secret Service.
    pub items: Items,
}

/// One keyring item of another program: whose, its attributes, its secret.
pub type TestItem = (Owner, Vec<(&'static str, String)>, &'static str);

/// Other programs' keyring items, as a test sets them.
#[derive(Default)]
pub struct Items(pub std::cell::RefCell<Vec<TestItem>>);

impl OtherItems for Items {
    fn items(&self) -> Result<Vec<Item>, String> {
        Ok(self
            .0
            .borrow()
            .iter()
            .map(|(owner, attributes, secret)| Item {
                owner: *owner,
                attributes: attributes
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
                secret: SecretString::from(*secret),
            })
            .collect())
    }
}

impl Home {
    pub fn new() -> Self {
        Self {
            s: Setup::new(),
            home: tempfile::tempdir().expect("a temporary HOME"),
            items: Items::default(),
        }
    }

    /// HOME.
    pub fn path(&self) -> &Path {
        self.home.path()
    }

    /// Where the programs' files are.
    pub fn places(&self) -> Places {
        Places {
            home: self.path().to_owned(),
            config_home: self.path().join(".config"),
        }
    }

    /// Writes `text` to `name` under HOME (folders made), mode 0600.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        fs::create_dir_all(path.parent().expect("in HOME")).expect("folders in HOME");
        fs::write(&path, text).expect("a file in HOME");
        set_mode(&path, 0o600);
        path
    }

    /// Writes the fixture `fixture` to `name` under HOME.
    pub fn put(&self, name: &str, fixture_name: &str) -> PathBuf {
        self.write(name, &fixture(fixture_name))
    }

    /// The text of `name` under HOME.
    pub fn read(&self, name: &str) -> String {
        fs::read_to_string(self.path().join(name))
            .unwrap_or_else(|e| panic!("cannot read ~/{name}: {e}"))
    }

    /// `mailcred import` with `options` changed by `edit`, writing to `out`.
    pub fn run_into(
        &self,
        apply: bool,
        edit: impl FnOnce(&mut Options),
        out: &mut dyn Write,
    ) -> Outcome {
        let mut options = Options {
            places: self.places(),
            files: Vec::new(),
            apply,
            keep_backups: false,
            prefer: Vec::new(),
            all: false,
        };
        edit(&mut options);
        let ctx = self.s.ctx();
        let result = import::run(&ctx, &options, &self.items, &mut *out);
        let outcome = match result {
            Ok(()) => Outcome {
                stdout: String::new(),
                exit: 0,
                stderr: String::new(),
            },
            Err(e) => Outcome {
                stdout: String::new(),
                exit: e.exit_code(),
                stderr: format!("mailcred: {:#}", anyhow::Error::from(e)),
            },
        };
        for secret in SECRETS {
            assert!(
                !outcome.stderr.contains(secret),
                "an error message must never carry a password, but {:?} repeats one",
                outcome.stderr
            );
        }
        outcome
    }

    /// `mailcred import [--apply]` with `options` changed by `edit`.
    pub fn run(&self, apply: bool, edit: impl FnOnce(&mut Options)) -> Outcome {
        let mut out = Vec::new();
        let mut outcome = self.run_into(apply, edit, &mut out);
        outcome.stdout = String::from_utf8(out).expect("the report is UTF-8");
        for secret in SECRETS {
            assert!(
                !outcome.stdout.contains(secret),
                "the report must never show a password, but it shows {secret:?}:\n{}",
                outcome.stdout
            );
        }
        outcome
    }

    /// The dry run, which must succeed.
    #[track_caller]
    pub fn dry_run(&self) -> String {
        self.run(false, |_| {}).ok("the dry run")
    }

    /// `--apply`, which must succeed.
    #[track_caller]
    pub fn apply(&self) -> String {
        self.run(true, |_| {}).ok("mailcred import --apply")
    }

    /// `--apply` with `--prefer` each of `prefer`.
    #[track_caller]
    pub fn apply_preferring(&self, prefer: &[&str]) -> String {
        self.run(true, |o| {
            o.prefer = prefer.iter().map(|p| Prefer::parse(p)).collect()
        })
        .ok("mailcred import --apply --prefer")
    }

    /// What `mailcred get NAME` prints, which must succeed.
    #[track_caller]
    pub fn get(&self, name: &str) -> String {
        self.s.get(name).ok(&format!("mailcred get {name}"))
    }

    /// The account `name`, which must exist.
    #[track_caller]
    pub fn account(&self, name: &str) -> Account {
        self.s
            .ctx()
            .accounts
            .read()
            .expect("the account file reads")
            .get(name)
            .cloned()
            .unwrap_or_else(|| {
                panic!(
                    "an account \"{name}\" should exist; there are {:?}",
                    self.s.account_names()
                )
            })
    }

    /// Asserts the file `name` under HOME holds exactly `fixture`'s text.
    #[track_caller]
    pub fn assert_file(&self, name: &str, fixture_name: &str, why: &str) {
        let now = self.read(name);
        assert_eq!(
            now,
            fixture(fixture_name),
            "~/{name} ({why}) should be tests/fixtures/import/{fixture_name} byte for byte"
        );
        for secret in SECRETS.iter().filter(|s| !s.starts_with("ghp_")) {
            assert!(
                !fixture_name.ends_with(".after") || !now.contains(secret),
                "no plaintext password may be left in ~/{name}, but {secret:?} is:\n{now}"
            );
        }
    }

    /// Every file under HOME with its text, to compare two moments.
    pub fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files = Vec::new();
        let mut dirs = vec![self.path().to_owned()];
        while let Some(dir) = dirs.pop() {
            for entry in fs::read_dir(&dir).expect("a folder in HOME") {
                let path = entry.expect("an entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push((path.clone(), fs::read(&path).unwrap_or_default()));
                }
            }
        }
        files.sort();
        files
    }
}

/// Sets a file's permission bits.
pub fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
    }
}

/// A file's permission bits.
pub fn mode(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).expect("the file").permissions().mode() & 0o777
    }
    #[cfg(not(unix))]
    0
}

/// Asserts `text` has a line containing every one of `parts`.
#[track_caller]
pub fn assert_line(text: &str, parts: &[&str], why: &str) {
    assert!(
        text.lines().any(|l| parts.iter().all(|p| l.contains(p))),
        "{why}: expected a line with {parts:?} in:\n{text}"
    );
}

//! The pass store for real: pass 1.7 and gpg with throwaway keys (no
//! passphrase) in a private GNUPGHOME, a private PASSWORD_STORE_DIR, and
//! `MAILCRED_STORE=pass`; mailcred's commands and real git go through it.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

use super::*;

mod failures;
mod serving;
mod shared;

/// A session with its own gpg keys and password store.
pub(crate) struct PassSession {
    pub session: KeyringSession,
    /// The GNUPGHOME mailcred runs with.
    pub gnupg: PathBuf,
    /// Every GNUPGHOME made, whose agents are stopped at the end.
    homes: Vec<PathBuf>,
}

/// A key's fingerprint (for `pass init`) and the id of the subkey entries
/// are encrypted to (what gpg names).
pub(crate) struct Key {
    pub fingerprint: String,
    pub encryption_id: String,
}

impl PassSession {
    /// A session with one key, and a password store initialised for it.
    pub fn start() -> (Self, Key) {
        require("pass", "pass");
        require("gpg", "gnupg");
        let session = KeyringSession::without_bus();
        let gnupg = session.home().join(".gnupg");
        let mut this = Self {
            session,
            gnupg: gnupg.clone(),
            homes: Vec::new(),
        };
        let key = this.new_key(&gnupg, "Ann");
        this.pass_init(&[&key]);
        (this, key)
    }

    /// The password store folder.
    pub fn store(&self) -> PathBuf {
        self.session.home().join(".password-store")
    }

    /// `program` in the session, with its gpg, its store and the pass store.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = self.session.command(program);
        command
            .env("GNUPGHOME", &self.gnupg)
            .env("PASSWORD_STORE_DIR", self.store())
            .env("MAILCRED_STORE", "pass");
        command
    }

    /// A GNUPGHOME `home` (made if need be) with a new key for `name`.
    pub fn new_key(&mut self, home: &std::path::Path, name: &str) -> Key {
        if !home.exists() {
            fs::create_dir(home).expect("cannot create a GNUPGHOME");
            fs::set_permissions(home, fs::Permissions::from_mode(0o700)).expect("chmod GNUPGHOME");
            self.homes.push(home.to_owned());
        }
        let script = format!(
            "%no-protection\nKey-Type: eddsa\nKey-Curve: ed25519\nSubkey-Type: ecdh\n\
             Subkey-Curve: cv25519\nName-Real: {name}\nName-Email: {name}@example.com\n\
             Expire-Date: 0\n%commit\n"
        );
        let made = self.gpg(home, &["--batch", "--gen-key"], script.as_bytes());
        assert!(made.success(), "gpg cannot make a throwaway key:\n{made}");
        let listed = self.gpg(
            home,
            &[
                "--batch",
                "--with-colons",
                "--list-keys",
                &format!("{name}@example.com"),
            ],
            b"",
        );
        let field = |kind: &str, at: usize| {
            listed
                .stdout
                .lines()
                .find(|l| l.starts_with(kind))
                .and_then(|l| l.split(':').nth(at))
                .unwrap_or_else(|| panic!("no {kind} line for {name}:\n{listed}"))
                .to_owned()
        };
        Key {
            fingerprint: field("fpr:", 9),
            encryption_id: field("sub:", 4),
        }
    }

    /// Teaches the session's gpg the public key `key` of another `home`,
    /// trusted, so that pass can encrypt to it.
    pub fn import_public(&self, home: &std::path::Path, key: &Key) {
        let exported = self.gpg(
            home,
            &["--batch", "--export", "--armor", &key.fingerprint],
            b"",
        );
        assert!(exported.success(), "export:\n{exported}");
        let imported = self.gpg(
            &self.gnupg,
            &["--batch", "--import"],
            exported.stdout.as_bytes(),
        );
        assert!(imported.success(), "import:\n{imported}");
        let trust = format!("{}:6:\n", key.fingerprint);
        let trusted = self.gpg(
            &self.gnupg,
            &["--batch", "--import-ownertrust"],
            trust.as_bytes(),
        );
        assert!(trusted.success(), "ownertrust:\n{trusted}");
    }

    /// `pass init` of the store for these keys.
    pub fn pass_init(&self, keys: &[&Key]) {
        let mut init = self.command("pass");
        init.arg("init").args(keys.iter().map(|k| &k.fingerprint));
        let done = run(init, b"");
        assert!(done.success(), "pass init:\n{done}");
    }

    fn gpg(&self, home: &std::path::Path, args: &[&str], input: &[u8]) -> Outcome {
        let mut gpg = self.session.command("gpg");
        gpg.env("GNUPGHOME", home).args(args);
        run(gpg, input)
    }

    /// `mailcred ARGS` (or another binary) with the pass store.
    pub fn run(&self, binary: &str, args: &[&str], input: &str) -> Outcome {
        let mut command = self.command(bin(binary));
        command.args(args);
        run(command, input.as_bytes())
    }

    /// The names of mailcred's entries, as `pass show` takes them.
    pub fn entries(&self) -> Vec<String> {
        let Ok(dir) = fs::read_dir(self.store().join("mailcred")) else {
            return Vec::new();
        };
        let mut names: Vec<String> = dir
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|n| n.strip_suffix(".gpg").map(|id| format!("mailcred/{id}")))
            .collect();
        names.sort();
        names
    }
}

impl Drop for PassSession {
    fn drop(&mut self) {
        // gpg starts an agent per GNUPGHOME; it would outlive the test.
        for home in &self.homes {
            let mut kill = self.session.command("gpgconf");
            kill.env("GNUPGHOME", home).args(["--kill", "gpg-agent"]);
            let _ = kill.status();
        }
    }
}

/// Adds the Gmail account "work" with `password`, which must succeed.
pub(super) fn add_work(pass: &PassSession, password: &str) {
    let added = pass.run(MAILCRED, ADD_WORK_FROM_STDIN, &format!("{password}\n"));
    assert!(
        added.success(),
        "mailcred add with the pass store:\n{added}"
    );
}

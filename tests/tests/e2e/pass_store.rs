//! The pass store for real: pass 1.7 and gpg with throwaway keys (no
//! passphrase) in a private GNUPGHOME, a private PASSWORD_STORE_DIR, and
//! `MAILCRED_STORE=pass`; mailcred's commands and real git go through it.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

use super::*;

/// A session with its own gpg keys and password store.
pub(super) struct PassSession {
    pub session: KeyringSession,
    /// The GNUPGHOME mailcred runs with.
    pub gnupg: PathBuf,
    /// Every GNUPGHOME made, whose agents are stopped at the end.
    homes: Vec<PathBuf>,
}

/// A key's fingerprint (for `pass init`) and the id of the subkey entries
/// are encrypted to (what gpg names).
pub(super) struct Key {
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
fn add_work(pass: &PassSession, password: &str) {
    let added = pass.run(MAILCRED, ADD_WORK_FROM_STDIN, &format!("{password}\n"));
    assert!(
        added.success(),
        "mailcred add with the pass store:\n{added}"
    );
}

#[test]
fn an_account_added_to_pass_is_served_and_pass_show_prints_its_password_first() {
    let (pass, _) = PassSession::start();
    add_work(&pass, "work-app-password");

    let got = pass.run(MAILCRED, &["get", "work"], "");
    assert!(got.success(), "mailcred get from pass:\n{got}");
    assert_eq!(
        got.stdout, "work-app-password\n",
        "get prints the stored password"
    );

    let entries = pass.entries();
    assert_eq!(entries.len(), 1, "one account, one pass entry: {entries:?}");
    let mut show = pass.command("pass");
    show.args(["show", &entries[0]]);
    let shown = run(show, b"");
    assert!(shown.success(), "pass show by hand:\n{shown}");
    assert_eq!(
        shown.stdout.lines().next(),
        Some("work-app-password"),
        "pass users expect the password on the first line:\n{shown}"
    );
}

#[test]
fn git_credential_approve_fill_and_reject_go_through_the_pass_store() {
    require("git", "git (2.46 or later)");
    let (pass, _) = PassSession::start();
    let git = |action: &str, input: &str| {
        let mut git = pass.command("git");
        git.env("PATH", path_with_binaries())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .args(["-c", "credential.helper=mailcred"])
            .args(["-c", "credential.interactive=false", "credential", action]);
        run(git, input.as_bytes())
    };

    let approved = git("approve", ALICE);
    assert!(approved.success(), "git credential approve:\n{approved}");
    assert_eq!(
        pass.entries().len(),
        1,
        "approve keeps the password in pass"
    );
    let filled = git("fill", ASK_ALICE);
    assert!(filled.success(), "git credential fill:\n{filled}");
    assert_eq!(
        filled.stdout, FILLED_ALICE,
        "fill gets the approved password back"
    );

    let rejected = git("reject", FILLED_ALICE);
    assert!(rejected.success(), "git credential reject:\n{rejected}");
    assert!(
        pass.entries().is_empty(),
        "reject removes the pass entry, not only the index line: {:?}",
        pass.entries()
    );
    let after = git("fill", ASK_ALICE);
    assert!(
        !after.success(),
        "after reject, fill finds nothing:\n{after}"
    );
}

#[test]
fn a_store_shared_by_two_recipients_serves_each_of_them() {
    let (mut pass, ann) = PassSession::start();
    let bobs_home = pass.session.home().join("bob-gnupg");
    let bob = pass.new_key(&bobs_home, "Bob");
    pass.import_public(&bobs_home, &bob);
    pass.pass_init(&[&ann, &bob]);
    add_work(&pass, "team-app-password");

    for (who, home) in [("Ann", pass.gnupg.clone()), ("Bob", bobs_home)] {
        let mut get = pass.command(bin(MAILCRED));
        get.env("GNUPGHOME", &home).args(["get", "work"]);
        let got = run(get, b"");
        assert!(
            got.success() && got.stdout == "team-app-password\n",
            "{who} holds one of the store's two keys and must be able to read it:\n{got}"
        );
    }
}

#[test]
fn an_entry_for_a_key_this_machine_lacks_fails_with_78_naming_the_key() {
    let (mut pass, ann) = PassSession::start();
    add_work(&pass, "work-app-password");
    let elsewhere = pass.session.home().join("other-gnupg");
    pass.new_key(&elsewhere, "Carol");

    let mut get = pass.command(bin(MAILCRED));
    get.env("GNUPGHOME", &elsewhere).args(["get", "work"]);
    let got = run(get, b"");

    assert_fails_cleanly(&got, CONFIG, "no secret key here");
    assert!(
        got.stderr.contains(&ann.encryption_id),
        "the message names the key the entry is encrypted to ({}):\n{got}",
        ann.encryption_id
    );
}

#[test]
fn a_password_store_never_initialised_fails_with_78_and_says_to_run_pass_init() {
    let (pass, _) = PassSession::start();
    fs::remove_file(pass.store().join(".gpg-id")).expect("remove .gpg-id");

    let added = pass.run(MAILCRED, ADD_WORK_FROM_STDIN, "work-app-password\n");

    assert_eq!(added.code, Some(CONFIG), "{added}");
    assert!(
        added.stderr.contains("not set up") && added.stderr.contains("pass init"),
        "the message says what is missing and how to set it up:\n{added}"
    );
}

#[test]
fn without_pass_installed_the_store_is_unavailable_and_says_to_install_it() {
    let (pass, _) = PassSession::start();
    add_work(&pass, "work-app-password");
    let mut get = pass.command(bin(MAILCRED));
    get.env("PATH", pass.session.home()).args(["get", "work"]);

    let got = run(get, b"");

    assert_fails_cleanly(&got, KEYRING_UNAVAILABLE, "pass is not installed");
}

#[test]
fn a_key_whose_passphrase_nobody_can_type_fails_with_81_instead_of_hanging() {
    let (pass, _) = PassSession::start();
    add_work(&pass, "work-app-password");
    // A key that needs its passphrase, and an agent with no pinentry to ask.
    let locked = pass.session.home().join("locked-gnupg");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o700)).unwrap();
    let mut gen_key = pass.session.command("gpg");
    gen_key
        .env("GNUPGHOME", &locked)
        .args(["--batch", "--gen-key"]);
    let made = run(
        gen_key,
        b"Key-Type: eddsa\nKey-Curve: ed25519\nSubkey-Type: ecdh\nSubkey-Curve: cv25519\n\
          Name-Real: Dan\nName-Email: dan@example.com\nPassphrase: only-dan-knows\n%commit\n",
    );
    assert!(made.success(), "{made}");
    fs::write(
        locked.join("gpg-agent.conf"),
        "pinentry-program /nonexistent/pinentry\n",
    )
    .unwrap();
    let mut kill = pass.session.command("gpgconf");
    kill.env("GNUPGHOME", &locked).args(["--kill", "gpg-agent"]);
    run(kill, b"");
    let mut init = pass.command("pass");
    init.env("GNUPGHOME", &locked)
        .args(["init", "dan@example.com"]);
    assert!(run(init, b"").success(), "pass init for Dan's key");
    let mut add = pass.command(bin(MAILCRED));
    add.env("GNUPGHOME", &locked).args([
        "add",
        "home",
        "--provider",
        "gmail",
        "--user",
        "dan@gmail.com",
        "--password-stdin",
    ]);
    let added = run(add, b"home-app-password\n");
    assert!(added.success(), "encrypting needs no passphrase:\n{added}");

    let mut get = pass.command(bin(MAILCRED));
    get.env("GNUPGHOME", &locked).args(["get", "home"]);
    let got = run(get, b"");
    let mut stop = pass.session.command("gpgconf");
    stop.env("GNUPGHOME", &locked).args(["--kill", "gpg-agent"]);
    run(stop, b"");

    assert_fails_cleanly(&got, KEYRING_LOCKED, "passphrase");
}

#[test]
fn settings_json_picks_pass_with_its_own_folder_and_prefix() {
    let (pass, ann) = PassSession::start();
    let team = pass.session.home().join("team-store");
    let settings = pass.session.home().join("../config/mailcred/settings.json");
    fs::create_dir_all(settings.parent().unwrap()).unwrap();
    let text = serde_json::json!({
        "store": "pass",
        "pass": {"dir": team, "prefix": "team/mail"},
    });
    fs::write(&settings, text.to_string()).unwrap();
    let mut init = pass.command("pass");
    init.env("PASSWORD_STORE_DIR", &team)
        .args(["init", &ann.fingerprint]);
    assert!(run(init, b"").success(), "pass init of the team store");

    let mut add = pass.command(bin(MAILCRED));
    add.env_remove("MAILCRED_STORE").args(ADD_WORK_FROM_STDIN);
    let added = run(add, b"team-app-password\n");
    assert!(added.success(), "{added}");

    let kept: Vec<_> = fs::read_dir(team.join("team/mail"))
        .map(|d| d.count())
        .into_iter()
        .collect();
    assert_eq!(
        kept,
        vec![1],
        "the entry is under the configured prefix of the configured store"
    );
    assert!(
        pass.entries().is_empty(),
        "nothing went to PASSWORD_STORE_DIR's store"
    );
}

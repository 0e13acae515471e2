//! The Windows binaries under Wine: Debian 12's Wine 8 running the `.exe`
//! files cross-built for `x86_64-pc-windows-gnu`, each test in a private
//! Wine prefix (its own `C:` drive, registry and Credential Manager).
//!
//! This is Wine, not Windows: what passes here is Wine's reading of the
//! Windows API (Credential Manager is Wine's, kept in the prefix's
//! registry). Every test name says `under_wine`, and every failure says
//! "under Wine".
//!
//! `wineboot` takes seconds, so one prefix is made once (in
//! `target/wine-prefix`, kept between runs while the Wine version stays)
//! and copied per test: the small, changing files copied (the registry,
//! which the wineserver rewrites in place, and the user profile), the big
//! ones of `C:\windows` (700 MB of DLLs, which Wine writes only when
//! wineboot updates a prefix for a new Wine version, and then the template
//! is made again first) hard-linked.

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use tempfile::TempDir;

use crate::{require, run, system_path};

/// Files under `drive_c/windows` bigger than this are linked, not copied.
const LINK_ABOVE: u64 = 64 * 1024;
/// The Windows target the binaries are built for.
const TARGET: &str = "x86_64-pc-windows-gnu";

/// The folder of the cross-built `.exe` files and the shim DLL:
/// `$MAILCRED_WINDOWS_BIN_DIR`, else `target/x86_64-pc-windows-gnu/debug`.
///
/// # Panics
/// When a file is missing: `scripts/test` builds them
/// (`. scripts/lib.sh; build_windows_binaries`).
pub fn windows_bin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = match std::env::var_os("MAILCRED_WINDOWS_BIN_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => workspace_target().join(TARGET).join("debug"),
        };
        for name in [
            "mailcred.exe",
            "git-credential-mailcred.exe",
            "mailcred-smtp.exe",
            "mailcred-oauth.exe",
            "mailcred-openbao.exe",
            "store-conformance.exe",
            "bcryptprimitives.dll",
        ] {
            assert!(
                dir.join(name).is_file(),
                "the Windows tests (under Wine) need {}, which is missing: build them with \
                 `bash -c '. scripts/lib.sh; build_windows_binaries'` (scripts/test does)",
                dir.join(name).display()
            );
        }
        dir
    })
}

/// One cross-built program (`mailcred.exe`, ...).
pub fn windows_bin(name: &str) -> PathBuf {
    windows_bin_dir().join(name)
}

fn workspace_target() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target")
}

/// `wine --version`, e.g. `wine-8.0 (Debian 8.0~repack-4)`.
pub fn wine_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        require("wine", "wine (and wine64)");
        let mut command = Command::new("wine");
        command.arg("--version").env("WINEDEBUG", "-all");
        let outcome = run(command, b"");
        assert!(
            outcome.success(),
            "`wine --version` fails: Wine cannot run here, and the Windows tests must not pass \
             without it:\n{outcome}"
        );
        outcome.stdout.trim().to_owned()
    })
}

/// A private Wine prefix for one test; dropping it stops its wineserver
/// and removes it.
pub struct WinePrefix {
    dir: TempDir,
}

impl WinePrefix {
    /// A fresh copy of the initialised prefix.
    pub fn new() -> Self {
        let template = template();
        let dir = tempfile::Builder::new()
            .prefix("mailcred-wine-")
            .tempdir()
            .expect("cannot create a temporary directory for the Wine prefix");
        fs::create_dir(dir.path().join("home")).unwrap();
        copy_prefix(template, &dir.path().join("prefix"))
            .unwrap_or_else(|e| panic!("cannot copy the Wine prefix {}: {e}", template.display()));
        let prefix = Self { dir };
        prefix.start_wineserver();
        prefix
    }

    /// Starts the prefix's wineserver and Wine's own services (a first
    /// program starts them) with no terminal or pipe of a test's command:
    /// started by that command, they would keep its stdout open, and the
    /// test would wait for them to exit (wineserver lingers 3 s after its
    /// last program) at every command.
    fn start_wineserver(&self) {
        let mut server = self.command("wineserver");
        server.arg("-p");
        let mut first = self.command("wine");
        first.args(["cmd.exe", "/c", "exit"]);
        for mut command in [server, first] {
            let status = command
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("cannot start Wine");
            assert!(
                status.success(),
                "Wine does not start in a copy of the prefix ({status}): the Windows tests \
                 cannot run, and must not pass"
            );
        }
    }

    /// The prefix (`WINEPREFIX`).
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("prefix")
    }

    /// A command for `program` with this prefix: the environment cleared
    /// down to PATH, HOME, the prefix and quiet Wine, run in a temporary
    /// HOME of its own.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("PATH", system_path())
            .env("HOME", self.dir.path().join("home"))
            .env("LANG", "C.UTF-8")
            .env("WINEPREFIX", self.path())
            // Wine's own messages (and Debian's "wine32 is missing" hint,
            // which only WINEDEBUG=-all silences) would land on stderr.
            .env("WINEDEBUG", "-all")
            .current_dir(self.dir.path().join("home"));
        command
    }

    /// `wine PROGRAM.exe ARGS` for one of the cross-built programs.
    pub fn exe(&self, name: &str, args: &[&str]) -> Command {
        let mut command = self.command("wine");
        command.arg(windows_bin(name)).args(args);
        command
    }

    /// The Windows user's profile folder, `C:\users\NAME`.
    pub fn profile(&self) -> PathBuf {
        let users = self.path().join("drive_c/users");
        fs::read_dir(&users)
            .expect("the prefix has C:\\users")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.file_name().is_some_and(|n| n != "Public"))
            .expect("the prefix has a user profile")
    }

    /// `%LOCALAPPDATA%\mailcred`.
    pub fn local_mailcred(&self) -> PathBuf {
        self.profile().join("AppData/Local/mailcred")
    }

    /// `%APPDATA%\mailcred`, where mailcred 0.1 kept its files.
    pub fn roaming_mailcred(&self) -> PathBuf {
        self.profile().join("AppData/Roaming/mailcred")
    }

    /// The current user's registry (`user.reg`), after the wineserver has
    /// written it out: it is stopped for that, and started again.
    pub fn user_registry(&self) -> String {
        self.stop_wineserver();
        let registry = fs::read_to_string(self.path().join("user.reg")).expect("reading user.reg");
        self.start_wineserver();
        registry
    }

    fn stop_wineserver(&self) {
        for flag in ["-k", "-w"] {
            let mut command = self.command("wineserver");
            command.arg(flag);
            let _ = run(command, b"");
        }
    }
}

impl Default for WinePrefix {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for WinePrefix {
    fn drop(&mut self) {
        self.stop_wineserver();
    }
}

/// The initialised prefix every test copies, made once per Wine version.
fn template() -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let version = wine_version();
        let target = workspace_target();
        fs::create_dir_all(&target).unwrap();
        let template = target.join("wine-prefix");
        let marker = template.join(".mailcred-wine-version");
        // Another test process may be making it: one at a time.
        let lock = File::create(target.join("wine-prefix.lock")).unwrap();
        lock.lock().expect("locking target/wine-prefix.lock");
        if fs::read_to_string(&marker).ok().as_deref() != Some(version) {
            make_template(&template, version);
            fs::write(&marker, version).unwrap();
        }
        template
    })
}

fn make_template(template: &Path, version: &str) {
    let _ = fs::remove_dir_all(template);
    let mut boot = Command::new("wine");
    boot.args(["wineboot", "--init"])
        .env("WINEPREFIX", template)
        .env("WINEDEBUG", "-all")
        // No Mono or Gecko installers: nothing here needs .NET or HTML.
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=");
    let booted = run(boot, b"");
    let mut wait = Command::new("wineserver");
    wait.arg("-w").env("WINEPREFIX", template);
    let _ = run(wait, b"");
    assert!(
        booted.success() && template.join("system.reg").is_file(),
        "wineboot could not make a Wine prefix ({version}): Wine cannot run here, and the \
         Windows tests must not pass without it:\n{booted}"
    );
}

/// Copies the prefix `from` to `to`: links the big files of `C:\windows`,
/// copies everything else, keeps symbolic links as links.
fn copy_prefix(from: &Path, to: &Path) -> io::Result<()> {
    copy_tree(from, to, false)
}

fn copy_tree(from: &Path, to: &Path, in_windows: bool) -> io::Result<()> {
    fs::create_dir(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        // The running wineserver's tag, and the template's own marker.
        if !in_windows && (name == "wineserver" || name == ".mailcred-wine-version") {
            continue;
        }
        let (source, target) = (entry.path(), to.join(&name));
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(&source)?, &target)?;
        } else if kind.is_dir() {
            let windows = in_windows || source.ends_with("drive_c/windows");
            copy_tree(&source, &target, windows)?;
        } else if in_windows && entry.metadata()?.len() > LINK_ABOVE {
            fs::hard_link(&source, &target)?;
        } else {
            fs::copy(&source, &target)?;
        }
    }
    Ok(())
}

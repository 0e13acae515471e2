//! Shared fixtures for the end-to-end tests: the built binaries, a private
//! headless Secret Service, temporary homes.
//!
//! Every test builds its own [`KeyringSession`]: a temporary HOME and XDG
//! directories, a private D-Bus session bus and a gnome-keyring-daemon on it.
//! Commands made by [`KeyringSession::command`] see only that session, never
//! the developer's real keyring, gitconfig or mailcred index, so tests can run
//! in parallel without seeing each other's secrets.

pub mod dovecot;
pub mod hostile;
pub mod idp;
pub mod imap_stub;
mod interactive;
pub mod openbao;
mod process;
mod session;
mod session_id;
pub mod wine;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub use interactive::Interactive;
pub use process::{Outcome, Running, finish, run, start};
pub use session::KeyringSession;
pub use session_id::SessionId;

/// The git credential helper binary.
pub const HELPER: &str = "git-credential-mailcred";
/// The main binary (`mailcred git ACTION`, `mailcred doctor`).
pub const MAILCRED: &str = "mailcred";

/// The directory holding the built `mailcred` binaries: `$MAILCRED_BIN_DIR`
/// if set, else the workspace's `target/debug`.
///
/// # Panics
/// When either binary is missing: the tests run what `cargo build -p
/// mailcred` built, and cargo does not build another package's binaries for
/// this crate's tests.
pub fn bin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = match std::env::var_os("MAILCRED_BIN_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug"),
        };
        for name in [HELPER, MAILCRED] {
            let path = dir.join(name);
            assert!(
                path.is_file(),
                "the end-to-end tests need the built binary {}, which is missing: \
                 run `cargo build -p mailcred` first (or point MAILCRED_BIN_DIR at the \
                 directory holding `mailcred` and `git-credential-mailcred`)",
                path.display()
            );
        }
        dir.canonicalize().unwrap_or(dir)
    })
}

/// The absolute path of one built binary ([`HELPER`] or [`MAILCRED`]).
pub fn bin(name: &str) -> PathBuf {
    bin_dir().join(name)
}

/// `$PATH` with the directory of the built binaries in front, so git finds
/// `credential.helper=mailcred` as `git-credential-mailcred`.
pub fn path_with_binaries() -> String {
    format!("{}:{}", bin_dir().display(), system_path())
}

pub(crate) fn system_path() -> String {
    std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".into())
}

/// Fails the test, naming the Debian package, when a program it runs is not
/// installed. A missing Secret Service must not look like a pass.
pub fn require(program: &str, package: &str) {
    let found = std::env::split_paths(&system_path()).any(|dir| dir.join(program).is_file());
    assert!(
        found,
        "`{program}` is not on PATH: install the Debian package {package}; \
         the end-to-end tests run the real programs and never skip"
    );
}

pub mod smtp;
pub mod terminal;

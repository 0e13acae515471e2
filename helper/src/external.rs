//! `mailcred test` and `mailcred send` are `mailcred-smtp test|send`, a
//! binary of the mailcred-lettre crate, run git-style as an external
//! subcommand. So the `mailcred` binary, which msmtp runs for every message
//! (`passwordeval "mailcred get NAME"`), links neither lettre nor rustls and
//! stays as small and quick to start as it is. The companions
//! (`mailcred-oauth`, `mailcred-openbao`) are found and started with the
//! same [`find`] and [`spawn_when_not_busy`].

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

use crate::exit;

/// The program behind `mailcred test` and `mailcred send`.
pub const SMTP_PROGRAM: &str = "mailcred-smtp";

/// Runs `mailcred-smtp SUBCOMMAND ARGS...` in place of this process (on
/// Unix; elsewhere as a child whose exit status is passed on), with this
/// process's stdin, stdout and stderr: `send` reads the message from stdin.
pub fn run_smtp(subcommand: &str, args: &[OsString]) -> ExitCode {
    let Some(program) = find(SMTP_PROGRAM) else {
        eprintln!(
            "mailcred: `mailcred {subcommand}` needs {SMTP_PROGRAM}, from the mailcred-lettre \
             package (`cargo install --path plugin`), which is neither beside mailcred nor on PATH"
        );
        return ExitCode::from(exit::CONFIG);
    };
    let mut command = Command::new(&program);
    command.arg(subcommand).args(args);
    #[cfg(unix)]
    let error = {
        use std::os::unix::process::CommandExt;
        command.exec()
    };
    #[cfg(not(unix))]
    let error = match command.status() {
        Ok(status) => {
            let code = status.code().and_then(|c| u8::try_from(c).ok());
            return ExitCode::from(code.unwrap_or(exit::SOFTWARE));
        }
        Err(error) => error,
    };
    eprintln!("mailcred: cannot run {}: {error}", program.display());
    ExitCode::from(exit::SOFTWARE)
}

/// `name` beside the running binary (an installation, or `target/debug`),
/// else on `PATH`.
pub(crate) fn find(name: &str) -> Option<PathBuf> {
    let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(&file)));
    let on_path = std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(&file))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    beside.into_iter().chain(on_path).find(|p| p.is_file())
}

/// Starts `command`, trying again for a moment while its program is "text
/// file busy" (ETXTBSY): another thread's child, forked while the program
/// was being written (an upgrade installing it, or a test writing a
/// stand-in), still holds it open for writing until that child execs.
pub(crate) fn spawn_when_not_busy(command: &mut Command) -> std::io::Result<std::process::Child> {
    let mut tries = 0;
    loop {
        match command.spawn() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 50 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

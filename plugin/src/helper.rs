//! The client side of the git credential protocol: run a helper the way
//! git's `credential.helper` names it and `get`, `store` or `erase` one
//! credential. The wire format itself is [`mailcred_core::protocol`]'s.

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use mailcred_core::protocol::{self, Credential};
use secrecy::{ExposeSecret, SecretString};

use crate::Error;

/// A credential helper, named as git's `credential.helper` setting names one.
///
/// - `mailcred` (any `NAME`): the program `git-credential-NAME` on `PATH`
///   (git itself runs `git credential-NAME`, which also looks in git's own
///   exec path);
/// - `/abs/path/to/helper`: that program;
/// - `!shell command`: the command, run by `sh`.
///
/// As in git, a `NAME` or path followed by arguments is run by `sh`, and the
/// action (`get`, `store`, `erase`) is appended as the last argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialHelper {
    spec: String,
    run: Run,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Run {
    /// A program run directly, the action its only argument.
    Program(OsString),
    /// A command line run by `sh -c`.
    Shell(String),
}

/// The shell metacharacters and blanks after which git runs a helper
/// through `sh` (git's `prepare_shell_cmd`).
const SHELL_CHARS: &[char] = &[
    '|', '&', ';', '<', '>', '(', ')', '$', '`', '\\', '"', '\'', ' ', '\t', '\n', '*', '?', '[',
    '#', '~', '=', '%',
];

impl CredentialHelper {
    /// mailcred's own helper, `git-credential-mailcred` on `PATH`.
    pub fn mailcred() -> Self {
        Self::new("mailcred").expect("a non-empty helper name")
    }

    /// A helper given as git's `credential.helper` would give it.
    pub fn new(spec: &str) -> Result<Self, Error> {
        let spec = spec.trim();
        let run = if let Some(command) = spec.strip_prefix('!') {
            Run::Shell(command.to_owned())
        } else if spec.is_empty() {
            return Err(Error::NoHelper);
        } else {
            let command = if Path::new(spec).is_absolute() {
                spec.to_owned()
            } else {
                format!("git-credential-{spec}")
            };
            if command.contains(SHELL_CHARS) {
                Run::Shell(command)
            } else {
                Run::Program(command.into())
            }
        };
        Ok(Self {
            spec: spec.to_owned(),
            run,
        })
    }

    /// Exactly this program, run without a shell whatever its path holds.
    pub fn program(path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        Self {
            spec: path.display().to_string(),
            run: Run::Program(path.as_os_str().to_owned()),
        }
    }

    /// The helper as it was given, for messages.
    pub fn spec(&self) -> &str {
        &self.spec
    }

    /// `get`: asks for the credential matching `request`. Returns the
    /// helper's answer, which may lack a password (nothing stored).
    pub fn fill(&self, request: &Credential) -> Result<Credential, Error> {
        let answer = self.call("get", request)?;
        protocol::parse(&answer).map_err(|source| Error::HelperAnswer {
            helper: self.spec.clone(),
            source,
        })
    }

    /// `store`: tells the helper that `credential` worked.
    pub fn approve(&self, credential: &Credential) -> Result<(), Error> {
        self.call("store", credential).map(drop)
    }

    /// `erase`: tells the helper that `credential` was refused as wrong.
    pub fn reject(&self, credential: &Credential) -> Result<(), Error> {
        self.call("erase", credential).map(drop)
    }

    /// Runs the helper with `action`, writes the request, reads its stdout
    /// into a wiped buffer. stderr is the caller's: the helper's own
    /// messages reach the user as they are.
    fn call(
        &self,
        action: &'static str,
        request: &Credential,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
        // Check the request before anything runs.
        let mut bytes = zeroize::Zeroizing::new(Vec::new());
        protocol::write_request(request, &mut *bytes)
            .expect("writing to a Vec cannot fail")
            .map_err(|key| Error::UnsafeValue { key })?;

        let failed = |source| Error::HelperRun {
            helper: self.spec.clone(),
            action,
            source,
        };
        let mut child = self
            .command(action)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(failed)?;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        // A helper may exit without reading (nothing to do): not a failure
        // in itself; its exit status tells.
        let _ = stdin.write_all(&bytes).and_then(|()| stdin.flush());
        drop(stdin);
        let stdout = child.stdout.take().expect("stdout is piped");
        let answer = protocol::read_request_bytes(stdout, protocol::MAX_REQUEST_BYTES);
        let status = child.wait().map_err(failed)?;
        if !status.success() {
            return Err(Error::HelperFailed {
                helper: self.spec.clone(),
                action,
                status,
            });
        }
        answer.map_err(|source| Error::HelperAnswer {
            helper: self.spec.clone(),
            source,
        })
    }

    fn command(&self, action: &str) -> Command {
        match &self.run {
            Run::Program(program) => {
                let mut command = Command::new(program);
                command.arg(action);
                command
            }
            Run::Shell(line) => {
                let mut command = Command::new("sh");
                command
                    .arg("-c")
                    .arg(format!("{line} \"$@\""))
                    .arg(line)
                    .arg(action);
                command
            }
        }
    }
}

impl Default for CredentialHelper {
    fn default() -> Self {
        Self::mailcred()
    }
}

/// The git credential request for a login on `server` (`HOST:PORT`), as
/// mailcred stores an account's password.
pub(crate) fn smtp_request(server: &str, user: &str) -> Credential {
    Credential {
        protocol: Some("smtp".into()),
        host: Some(server.to_owned()),
        username: Some(user.to_owned()),
        ..Credential::default()
    }
}

/// The request carrying `password`, for `store` and `erase`.
pub(crate) fn with_password(request: &Credential, password: &SecretString) -> Credential {
    Credential {
        password: Some(SecretString::from(password.expose_secret())),
        ..request.redacted()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_runs_git_credential_name_directly() {
        let helper = CredentialHelper::new("mailcred").unwrap();
        assert_eq!(helper.run, Run::Program("git-credential-mailcred".into()));
    }

    #[test]
    fn an_absolute_path_runs_that_program() {
        let helper = CredentialHelper::new("/usr/local/bin/git-credential-mailcred").unwrap();
        assert_eq!(
            helper.run,
            Run::Program("/usr/local/bin/git-credential-mailcred".into())
        );
    }

    #[test]
    fn a_bang_runs_the_rest_through_the_shell() {
        let helper = CredentialHelper::new("!f() { echo password=x; }; f").unwrap();
        assert_eq!(helper.run, Run::Shell("f() { echo password=x; }; f".into()));
    }

    #[test]
    fn a_name_with_arguments_runs_through_the_shell() {
        let helper = CredentialHelper::new("store --file ~/.creds").unwrap();
        assert_eq!(
            helper.run,
            Run::Shell("git-credential-store --file ~/.creds".into())
        );
    }

    #[test]
    fn an_empty_helper_is_refused() {
        assert!(matches!(CredentialHelper::new("  "), Err(Error::NoHelper)));
    }

    #[test]
    fn a_shell_helper_answers_and_gets_the_action_last() {
        let helper = CredentialHelper::new(
            "!f() { test \"$1\" = get && cat >/dev/null && printf 'username=u\\npassword=p w\\n'; }; f",
        )
        .unwrap();
        let answer = helper.fill(&smtp_request("h:587", "u")).unwrap();
        assert_eq!(answer.username.as_deref(), Some("u"));
        assert_eq!(answer.password.unwrap().expose_secret(), "p w");
    }

    #[test]
    fn a_failing_helper_is_an_error_naming_it() {
        let helper = CredentialHelper::new("!exit 3").unwrap();
        let error = helper.fill(&smtp_request("h:587", "u")).unwrap_err();
        assert!(
            matches!(&error, Error::HelperFailed { action: "get", .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("`!exit 3`"), "{error}");
    }

    #[test]
    fn a_missing_program_is_an_error_naming_it() {
        let helper = CredentialHelper::new("no-such-helper-here").unwrap();
        let error = helper.fill(&smtp_request("h:587", "u")).unwrap_err();
        assert!(matches!(&error, Error::HelperRun { .. }), "{error:?}");
    }

    #[test]
    fn a_user_with_a_line_break_never_reaches_the_helper() {
        let helper = CredentialHelper::new("!echo password=leak").unwrap();
        let error = helper
            .fill(&smtp_request("h:587", "u\nhost=evil"))
            .unwrap_err();
        assert!(matches!(error, Error::UnsafeValue { key: "username" }));
    }
}

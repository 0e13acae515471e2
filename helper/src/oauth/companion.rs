//! [`Companion`]: the token source that runs `mailcred-oauth login|refresh`
//! (beside this binary, else on PATH, as `mailcred test` finds
//! mailcred-smtp), the request on its stdin, the tokens read from its
//! stdout, its stderr the user's (the URL to open, the device code, its
//! one-line reason when it fails).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use secrecy::SecretString;
use zeroize::Zeroizing;

use super::wire::{MAX_RESPONSE_BYTES, parse_response, request_line};
use super::{Flow, LOGIN_TIMEOUT_SECONDS, TokenError, TokenRequest, TokenSource, Tokens};

/// The program that speaks to identity providers.
pub const OAUTH_PROGRAM: &str = "mailcred-oauth";

/// How long a refresh may take before it counts as failed: mbsync, aerc
/// and himalaya wait on `mailcred get` for ever, so mailcred must not.
const REFRESH_PATIENCE: Duration = Duration::from_secs(120);

/// How long a sign-in may take beyond the time the user is given.
const LOGIN_SLACK: Duration = Duration::from_secs(60);

/// `mailcred-oauth`, run once per sign-in or refresh.
#[derive(Debug, Default)]
pub struct Companion {
    /// The program; `None`: found when needed, beside this binary or on PATH.
    program: Option<PathBuf>,
}

impl Companion {
    /// The companion at `program` (for tests of this side of the pipes).
    pub fn at(program: impl Into<PathBuf>) -> Self {
        Self {
            program: Some(program.into()),
        }
    }

    fn program(&self) -> Result<PathBuf, TokenError> {
        match &self.program {
            Some(program) => Ok(program.clone()),
            None => crate::external::find(OAUTH_PROGRAM).ok_or(TokenError::NotFound),
        }
    }
}

impl TokenSource for Companion {
    fn login(&self, request: &TokenRequest<'_>, flow: Flow) -> Result<Tokens, TokenError> {
        let line = request_line(request, Some(flow), None);
        let patience = Duration::from_secs(LOGIN_TIMEOUT_SECONDS) + LOGIN_SLACK;
        run(&self.program()?, "login", &line, true, patience)
    }

    fn refresh(
        &self,
        request: &TokenRequest<'_>,
        refresh_token: &SecretString,
    ) -> Result<Tokens, TokenError> {
        let line = request_line(request, None, Some(refresh_token));
        run(&self.program()?, "refresh", &line, false, REFRESH_PATIENCE)
    }
}

/// Runs `mailcred-oauth SUBCOMMAND` with `line` as its first stdin line;
/// with `relay`, this process's stdin follows (a pasted redirect URL);
/// without, its stdin ends there (`get` never reads stdin: neomutt's is the
/// message being sent).
fn run(
    program: &Path,
    subcommand: &str,
    line: &[u8],
    relay: bool,
    patience: Duration,
) -> Result<Tokens, TokenError> {
    let shown = program.display().to_string();
    let io = |source| TokenError::Io {
        program: shown.clone(),
        source,
    };
    let mut command = Command::new(program);
    command
        .arg(subcommand)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = crate::external::spawn_when_not_busy(&mut command).map_err(io)?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let stdout = child.stdout.take().expect("stdout is piped");
    let answer = read_bounded(stdout);
    // A companion that exits without reading its request is told by its
    // exit status, not by this write.
    let _ = stdin.write_all(line).and_then(|()| stdin.flush());
    if relay {
        thread::spawn(move || {
            // Ends with our stdin or when the companion stops reading.
            let _ = std::io::copy(&mut crate::secret_input::unbuffered_stdin(), &mut stdin);
        });
    } else {
        drop(stdin);
    }
    let Some(status) = wait(&mut child, patience).map_err(io)? else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(TokenError::Ended {
            program: shown,
            how: format!("did not finish within {} s", patience.as_secs()),
        });
    };
    match status.code() {
        Some(0) => {}
        Some(code) => {
            return Err(TokenError::Failed {
                program: OAUTH_PROGRAM,
                status: u8::try_from(code).unwrap_or(crate::exit::SOFTWARE),
            });
        }
        None => {
            return Err(TokenError::Ended {
                program: shown,
                how: "was ended by a signal".into(),
            });
        }
    }
    let bytes = answer.take();
    if bytes.len() > MAX_RESPONSE_BYTES {
        return Err(TokenError::Malformed {
            program: shown,
            reason: "larger than any token response",
        });
    }
    parse_response(&bytes).map_err(|reason| TokenError::Malformed {
        program: shown,
        reason,
    })
}

/// The companion's stdout, read in a thread into a buffer reserved up
/// front (growing it would leave unwiped copies of the tokens behind), at
/// most one byte more than a response may hold.
struct Answer {
    bytes: Arc<Mutex<Zeroizing<Vec<u8>>>>,
    ended: mpsc::Receiver<()>,
}

impl Answer {
    /// What the companion wrote, once its stdout ended or, should a
    /// program it started (the browser) still hold stdout open, shortly
    /// after the companion exited: it writes its answer before it exits.
    fn take(self) -> Zeroizing<Vec<u8>> {
        let _ = self.ended.recv_timeout(Duration::from_secs(1));
        let mut bytes = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *bytes)
    }
}

fn read_bounded(mut pipe: impl Read + Send + 'static) -> Answer {
    let bytes = Arc::new(Mutex::new(Zeroizing::new(Vec::with_capacity(
        MAX_RESPONSE_BYTES + 1,
    ))));
    let (tx, ended) = mpsc::channel();
    let shared = Arc::clone(&bytes);
    thread::spawn(move || {
        let mut chunk = Zeroizing::new([0u8; 4096]);
        loop {
            match pipe.read(&mut chunk[..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let mut bytes = shared.lock().unwrap_or_else(|e| e.into_inner());
                    let room = MAX_RESPONSE_BYTES + 1 - bytes.len();
                    bytes.extend_from_slice(&chunk[..n.min(room)]);
                }
            }
        }
        let _ = tx.send(());
    });
    Answer { bytes, ended }
}

/// Waits at most `patience` for `child`; `None` when it is still running.
fn wait(
    child: &mut Child,
    patience: Duration,
) -> std::io::Result<Option<std::process::ExitStatus>> {
    let deadline = Instant::now() + patience;
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(10));
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use secrecy::ExposeSecret;

    use super::*;
    use crate::accounts::{OAuthSettings, Provider};

    /// A stand-in companion: `script` run by sh, in `dir`.
    fn companion(dir: &Path, script: &str) -> Companion {
        let path = dir.join("mailcred-oauth");
        std::fs::write(
            &path,
            format!("#!/bin/sh\ncd '{}' || exit 70\n{script}\n", dir.display()),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        Companion::at(path)
    }

    fn settings() -> OAuthSettings {
        OAuthSettings {
            authorize_url: "http://127.0.0.1:1/a".into(),
            token_url: "http://127.0.0.1:1/t".into(),
            device_url: None,
            client_id: "id".into(),
            scopes: vec!["s".into()],
            tenant: None,
            client_secret: false,
        }
    }

    fn refresh(companion: &Companion) -> Result<Tokens, TokenError> {
        let settings = settings();
        let request = TokenRequest {
            account: "work",
            user: "me@example.com",
            provider: Provider::Custom,
            settings: &settings,
            client_secret: None,
        };
        companion.refresh(&request, &SecretString::from("rt-1"))
    }

    #[test]
    fn a_refresh_sends_one_request_line_closes_stdin_and_reads_the_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let companion = companion(
            dir.path(),
            r#"[ "$1" = refresh ] || exit 64
cat > request
printf '{"access_token":"at-2","refresh_token":"rt-2","expires_at":1798000000,"scope":"s"}\n'"#,
        );
        let tokens = refresh(&companion).expect("the stand-in answers");
        assert_eq!(tokens.access_token.expose_secret(), "at-2");
        assert_eq!(tokens.refresh_token.unwrap().expose_secret(), "rt-2");
        assert_eq!(tokens.expires_at, 1_798_000_000);
        let request = std::fs::read_to_string(dir.path().join("request")).unwrap();
        assert_eq!(
            request.lines().count(),
            1,
            "the request is one line, and stdin ends after it (cat returned): {request}"
        );
        assert!(request.contains(r#""refresh_token":"rt-1""#), "{request}");
    }

    #[test]
    fn a_failing_companions_exit_status_is_passed_on_as_told() {
        let dir = tempfile::tempdir().unwrap();
        let companion = companion(dir.path(), "echo 'mailcred: sign in again' >&2; exit 83");
        let error = refresh(&companion).unwrap_err();
        assert_eq!(error.exit_code(), crate::exit::SIGN_IN_AGAIN);
        assert!(
            error.already_told(),
            "the companion's stderr line is the message"
        );
    }

    #[test]
    fn an_answer_that_is_not_a_token_response_is_a_protocol_error() {
        let dir = tempfile::tempdir().unwrap();
        let companion = companion(dir.path(), "echo 'hello'");
        let error = refresh(&companion).unwrap_err();
        assert_eq!(error.exit_code(), crate::exit::PROTOCOL);
        assert!(!error.already_told());
    }

    #[test]
    fn a_companion_killed_by_a_signal_is_a_temporary_failure() {
        let dir = tempfile::tempdir().unwrap();
        let companion = companion(dir.path(), "kill -9 $$");
        assert_eq!(
            refresh(&companion).unwrap_err().exit_code(),
            crate::exit::TEMPORARY
        );
    }

    #[test]
    fn a_companion_that_cannot_run_is_a_software_failure_and_none_found_a_config_error() {
        let error = refresh(&Companion::at("/nonexistent/mailcred-oauth")).unwrap_err();
        assert_eq!(error.exit_code(), crate::exit::SOFTWARE);
        assert_eq!(TokenError::NotFound.exit_code(), crate::exit::CONFIG);
        assert!(TokenError::NotFound.to_string().contains(OAUTH_PROGRAM));
    }
}

//! [`Companion`]: the token source that runs `mailcred-oauth login|refresh`
//! (beside this binary, else on PATH, as `mailcred test` finds
//! mailcred-smtp), the request on its stdin, the tokens read from its
//! stdout, its stderr the user's (the URL to open, the device code, its
//! one-line reason when it fails).

use std::io::{Read, Write};
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
pub struct Companion;

impl TokenSource for Companion {
    fn login(&self, request: &TokenRequest<'_>, flow: Flow) -> Result<Tokens, TokenError> {
        let line = request_line(request, Some(flow), None);
        let patience = Duration::from_secs(LOGIN_TIMEOUT_SECONDS) + LOGIN_SLACK;
        run("login", &line, true, patience)
    }

    fn refresh(
        &self,
        request: &TokenRequest<'_>,
        refresh_token: &SecretString,
    ) -> Result<Tokens, TokenError> {
        let line = request_line(request, None, Some(refresh_token));
        run("refresh", &line, false, REFRESH_PATIENCE)
    }
}

/// Runs `mailcred-oauth SUBCOMMAND` with `line` as its first stdin line;
/// with `relay`, this process's stdin follows (a pasted redirect URL);
/// without, its stdin ends there (`get` never reads stdin: neomutt's is the
/// message being sent).
fn run(
    subcommand: &str,
    line: &[u8],
    relay: bool,
    patience: Duration,
) -> Result<Tokens, TokenError> {
    let program = crate::external::find(OAUTH_PROGRAM).ok_or(TokenError::NotFound)?;
    let shown = program.display().to_string();
    let io = |source| TokenError::Io {
        program: shown.clone(),
        source,
    };
    let mut child = Command::new(&program)
        .arg(subcommand)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(io)?;
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

//! The session with `mailcred-openbao`: started on the first call that
//! needs the server (never for a lookup the index answers alone), then kept
//! for the life of the process, so that a command's several reads and
//! writes share one TLS connection and one login. Calls take turns on it
//! (a mutex), each answered within the session's patience: a companion that
//! hangs is killed, one that dies or answers garbage is reported, and the
//! next call starts a new one.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use super::PROGRAM;
use super::wire::{self, Answer, MAX_ANSWER_BYTES};
use crate::store::{Hint, Seconds, StoreError};

/// The two ends of a companion's pipes, and the process behind them
/// (`None` for a companion that is a thread, in tests).
pub struct Connection {
    /// Its stdin.
    pub input: Box<dyn Write + Send>,
    /// Its stdout.
    pub output: Box<dyn Read + Send>,
    /// Its process, killed when the session ends.
    pub child: Option<Child>,
}

/// Starts a companion.
type Connect = dyn Fn() -> Result<Connection, StoreError> + Send + Sync;

/// One companion at a time, started when first needed.
pub struct Session {
    config: Vec<u8>,
    connect: Box<Connect>,
    patience: Duration,
    running: Mutex<Option<Running>>,
}

struct Running {
    requests: mpsc::Sender<Zeroizing<Vec<u8>>>,
    answers: mpsc::Receiver<Line>,
    child: Option<Child>,
}

enum Line {
    Answer(Zeroizing<Vec<u8>>),
    TooLong,
}

const INSTALL: Hint = Hint::new(
    "install it from the mailcred-openbao package (`cargo install --path openbao`) beside mailcred",
);
const NO_ANSWER: Hint = Hint::new(
    "mailcred-openbao was stopped; it bounds every request to the server, so it was stuck: \
     try again, and report it if it recurs",
);
const ENDED: Hint = Hint::new("its message above says why; `mailcred doctor` checks the store");

impl Session {
    /// A session with the `mailcred-openbao` found beside this binary or on
    /// PATH, as `mailcred-oauth` is found; `config` is its first line.
    pub fn with_companion(config: Vec<u8>, patience: Duration) -> Self {
        Self::over(
            || {
                let program =
                    crate::external::find(PROGRAM).ok_or_else(|| StoreError::NotSetUp {
                        why: format!(
                            "{PROGRAM}, which mailcred reaches OpenBao through, is neither \
                             beside mailcred nor on PATH"
                        ),
                        hint: INSTALL,
                    })?;
                spawn(&program)
            },
            config,
            patience,
        )
    }

    /// A session whose companion `connect` starts (a stand-in, in tests).
    pub fn over(
        connect: impl Fn() -> Result<Connection, StoreError> + Send + Sync + 'static,
        config: Vec<u8>,
        patience: Duration,
    ) -> Self {
        Self {
            config,
            connect: Box::new(connect),
            patience,
            running: Mutex::new(None),
        }
    }

    /// Sends `request` and returns the answer to it. A companion that
    /// cannot be trusted to answer the next request in order (it timed
    /// out, ended, or broke the protocol) is ended first.
    pub fn ask(&self, request: Zeroizing<Vec<u8>>) -> Result<Answer, StoreError> {
        let mut running = self.running();
        let session = match &mut *running {
            Some(session) => session,
            empty => empty.insert(self.start()?),
        };
        let answer = session.exchange(request, self.patience);
        // After a bad configuration the companion exits: the next call
        // starts it again and hears why again.
        let ended = match &answer {
            Ok(Answer::Failed(failure)) => failure.kind == "bad_config",
            Ok(_) => false,
            Err(_) => true,
        };
        if ended && let Some(session) = running.take() {
            session.end();
        }
        answer
    }

    /// Ends the companion, if one runs (after an answer that did not fit
    /// the request); the next call starts another.
    pub fn reset(&self) {
        if let Some(session) = self.running().take() {
            session.end();
        }
    }

    fn running(&self) -> MutexGuard<'_, Option<Running>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn start(&self) -> Result<Running, StoreError> {
        let Connection {
            mut input,
            output,
            child,
        } = (self.connect)()?;
        let (requests, to_send) = mpsc::channel::<Zeroizing<Vec<u8>>>();
        let (answered, answers) = mpsc::channel();
        // A thread writes, so that a companion that stops reading cannot
        // block this one past its patience (a request holding a 64 KiB
        // secret fills a pipe).
        thread::Builder::new()
            .name("mailcred-openbao-in".into())
            .spawn(move || {
                for line in to_send {
                    if input.write_all(&line).and_then(|()| input.flush()).is_err() {
                        break;
                    }
                }
            })
            .map_err(thread_error)?;
        thread::Builder::new()
            .name("mailcred-openbao-out".into())
            .spawn(move || read_lines(output, &answered))
            .map_err(thread_error)?;
        let running = Running {
            requests,
            answers,
            child,
        };
        // The writer holds the receiving end until it fails.
        let _ = running.requests.send(Zeroizing::new(self.config.clone()));
        Ok(running)
    }
}

fn thread_error(e: std::io::Error) -> StoreError {
    StoreError::failed(format!("cannot start a thread for {PROGRAM}: {e}"))
}

impl Running {
    fn exchange(
        &mut self,
        request: Zeroizing<Vec<u8>>,
        patience: Duration,
    ) -> Result<Answer, StoreError> {
        if self.requests.send(request).is_err() {
            return Err(self.ended());
        }
        match self.answers.recv_timeout(patience) {
            Ok(Line::Answer(line)) => wire::parse(&line),
            Ok(Line::TooLong) => Err(StoreError::BadAnswer {
                why: format!("{PROGRAM} answered a line longer than {MAX_ANSWER_BYTES} bytes"),
                hint: Hint::NONE,
            }),
            Err(RecvTimeoutError::Timeout) => Err(StoreError::TimedOut {
                limit: Seconds(patience),
                hint: NO_ANSWER,
            }),
            Err(RecvTimeoutError::Disconnected) => Err(self.ended()),
        }
    }

    /// Why the companion's output ended: how it exited, once it did (a
    /// moment after closing its output, or it is killed).
    fn ended(&mut self) -> StoreError {
        let how = match self.child.as_mut().map(exited) {
            None => "ended".to_owned(),
            Some(Some(status)) => match status.code() {
                Some(code) => format!("exited with status {code}"),
                None => "was ended by a signal".to_owned(),
            },
            Some(None) => "closed its output".to_owned(),
        };
        StoreError::Failed {
            reason: format!("{PROGRAM} {how} without answering"),
            hint: ENDED,
        }
    }

    fn end(self) {
        let Self {
            requests, child, ..
        } = self;
        // Closing its stdin ends a companion that still reads; the kill, one
        // that does not.
        drop(requests);
        if let Some(mut child) = child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The exit status of `child`, waiting at most a second for it.
fn exited(child: &mut Child) -> Option<std::process::ExitStatus> {
    let until = Instant::now() + Duration::from_secs(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < until => thread::sleep(Duration::from_millis(5)),
            _ => return None,
        }
    }
}

/// Starts the companion at `program`, its stderr this process's.
pub fn spawn(program: &Path) -> Result<Connection, StoreError> {
    let mut command = Command::new(program);
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = crate::external::spawn_when_not_busy(&mut command)
        .map_err(|e| StoreError::failed(format!("cannot run {}: {e}", program.display())))?;
    let input = child.stdin.take().expect("stdin is piped");
    let output = child.stdout.take().expect("stdout is piped");
    Ok(Connection {
        input: Box::new(input),
        output: Box::new(output),
        child: Some(child),
    })
}

/// Sends each line of `output` (without its newline) until it ends, or a
/// line is longer than any answer.
fn read_lines(mut output: Box<dyn Read + Send>, answered: &mpsc::Sender<Line>) {
    let mut chunk = Zeroizing::new([0u8; 8192]);
    let mut line = Zeroizing::new(Vec::new());
    loop {
        let read = match output.read(&mut chunk[..]) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let mut rest = &chunk[..read];
        loop {
            let (part, done) = match rest.iter().position(|&b| b == b'\n') {
                Some(at) => (&rest[..at], Some(at + 1)),
                None => (rest, None),
            };
            if line.len() + part.len() > MAX_ANSWER_BYTES {
                let _ = answered.send(Line::TooLong);
                return;
            }
            append(&mut line, part);
            let Some(next) = done else { break };
            if answered
                .send(Line::Answer(std::mem::take(&mut line)))
                .is_err()
            {
                return;
            }
            rest = &rest[next..];
        }
    }
}

/// Appends `bytes`, moving to a larger buffer by hand when needed: a Vec
/// growing itself would leave an unwiped copy behind, the old one is
/// wiped as it is dropped.
fn append(line: &mut Zeroizing<Vec<u8>>, bytes: &[u8]) {
    let needed = line.len() + bytes.len();
    if needed > line.capacity() {
        let mut larger = Zeroizing::new(Vec::with_capacity(needed.next_power_of_two().max(4096)));
        larger.extend_from_slice(line);
        *line = larger;
    }
    line.extend_from_slice(bytes);
}

/// One session per configuration for the whole process: every store the
/// factory opens for it (a command may open several) shares its companion.
pub fn shared(config: Vec<u8>, patience: Duration) -> Arc<Session> {
    static SESSIONS: Mutex<Vec<(Vec<u8>, Arc<Session>)>> = Mutex::new(Vec::new());
    let mut sessions = SESSIONS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, session)) = sessions.iter().find(|(c, _)| *c == config) {
        return Arc::clone(session);
    }
    let session = Arc::new(Session::with_companion(config.clone(), patience));
    sessions.push((config, Arc::clone(&session)));
    session
}

#[cfg(all(test, unix))]
#[path = "session_tests.rs"]
mod tests;

//! Replays a transcript against `commands::git::run`, in-process, with an
//! in-memory store and a temporary index: no subprocess, no keyring.

use std::path::PathBuf;

use mailcred::commands::{self, CommandError, Context};
use mailcred::store::MemoryStore;
use mailcred::vault::IndexFile;

use crate::transcript::{self, Step, Transcript};

/// The clock of every transcript, so expiry is deterministic:
/// 2027-01-15T08:00:00Z.
pub const NOW: u64 = 1_800_000_000;

/// Where the git helper's transcripts live.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/git")
}

/// Reads and parses `tests/fixtures/git/NAME.txt`, panicking with the line
/// of any mistake in it.
pub fn load(name: &str) -> Transcript {
    let path = fixtures_dir().join(format!("{name}.txt"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the fixture {}: {e}", path.display()));
    transcript::parse(&text)
        .unwrap_or_else(|e| panic!("the fixture {} is malformed: {e}", path.display()))
}

/// Replays `tests/fixtures/git/NAME.txt`: every step against one store and
/// one index, stopping at the first step that does not go as written.
pub fn replay(name: &str) {
    let transcript = load(name);
    let dir = tempfile::tempdir().expect("a temporary directory for the index");
    let index = IndexFile::in_dir(dir.path().join("mailcred"));
    let store = MemoryStore::default();
    let ctx = Context::with_store(index.clone(), NOW, &store);
    let secrets = secrets_sent(&transcript);
    for step in &transcript.steps {
        let mut stdout = Vec::new();
        let result = commands::git::run(&step.action, &step.stdin[..], &mut stdout, &ctx);
        let (exit, stderr) = outcome(result);
        let here = format!("{name}.txt:{} (`> {}`)", step.line, step.action);
        check_step(&here, step, &stdout, exit, &stderr);
        for secret in &secrets {
            assert!(
                !stderr.contains(secret.as_str()),
                "{here}: stderr must never carry a secret, but it repeats one sent earlier: {stderr}"
            );
        }
        if let Some(expected) = step.stored {
            let entries = index_entries(&index);
            assert_eq!(
                (entries, store.len()),
                (expected, expected),
                "{here}: expected {expected} credential(s) kept after this step, each as one index \
                 entry and one keyring secret; found (index entries, keyring secrets)"
            );
        }
    }
}

/// What the binary would do with the result: the exit status from
/// `CommandError::exit_code()`, and the one stderr line `cli::finish` prints.
fn outcome(result: Result<(), CommandError>) -> (u8, String) {
    match result {
        Ok(()) => (0, String::new()),
        Err(e) => (
            e.exit_code(),
            format!("mailcred: {:#}", anyhow::Error::from(e)),
        ),
    }
}

fn check_step(here: &str, step: &Step, stdout: &[u8], exit: u8, stderr: &str) {
    assert!(
        stdout == step.stdout.as_slice(),
        "{here}: stdout must be exactly what the transcript says, since git reads every line of it\n  \
         expected:{}\n  got:{}\n  (exit {exit}, stderr {stderr:?})",
        transcript::show(&step.stdout),
        transcript::show(stdout),
    );
    assert_eq!(
        exit, step.exit,
        "{here}: expected exit status {} (0 unless the transcript says `! exit=N`); stderr was {stderr:?}",
        step.exit
    );
    if exit == 0 {
        assert!(
            stderr.is_empty(),
            "{here}: stderr must stay silent on a normal path, got {stderr:?}"
        );
    }
    for wanted in &step.stderr_contains {
        assert!(
            stderr.contains(wanted.as_str()),
            "{here}: expected stderr to explain the failure with {wanted:?}, got {stderr:?}"
        );
    }
}

/// How many entries the index lists (0 when it was never written).
fn index_entries(index: &IndexFile) -> usize {
    match index.lock(false).expect("the index can be locked") {
        None => 0,
        Some(lock) => index.load(&lock).expect("the index loads").entries.len(),
    }
}

/// Every non-empty secret a transcript sends (`password`, `credential`,
/// `oauth_refresh_token`), so stderr can be checked never to repeat one.
fn secrets_sent(transcript: &Transcript) -> Vec<String> {
    let mut secrets = Vec::new();
    for step in &transcript.steps {
        for line in step.stdin.split(|&b| b == b'\n') {
            let line = String::from_utf8_lossy(line);
            if let Some((key, value)) = line.split_once('=')
                && matches!(key, "password" | "credential" | "oauth_refresh_token")
                && !value.is_empty()
            {
                secrets.push(value.trim_end_matches('\r').to_owned());
            }
        }
    }
    secrets
}

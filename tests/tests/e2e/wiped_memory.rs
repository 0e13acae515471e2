//! Buffers that held a secret are wiped: while a helper waits, with the
//! request already parsed, no raw copy of the input is left in its memory.
//!
//! The helper is held at a known point by taking, from the test, the lock it
//! needs next (the index's for `erase`, the account file's for
//! `set-password`); its writable memory is then read through
//! `/proc/PID/mem` (the tests run as root, which may read even a
//! non-dumpable process). The parsed secret itself is alive at that point,
//! as it must be; what is searched for is a marker that only the raw input
//! carries: the `password=` key in front of the value, or a second line
//! after the password line. Each test first finds a known non-secret marker
//! in the same memory, so an unreadable process fails instead of passing.

use std::fs::{self, File};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::time::{Duration, Instant};

use mailcred_e2e::{finish, start};

use super::*;

/// x86-64's and aarch64's numbers for flock(2), as /proc/PID/syscall shows them.
const FLOCK: &[&str] = &["73", "32"];
/// Their numbers for nanosleep(2) and clock_nanosleep(2): mailcred polls a
/// lock held elsewhere (so that its wait is bounded), sleeping in between.
const SLEEPS: &[&str] = &["35", "230", "101", "115"];

/// Takes the lock file `path` exclusively, as mailcred does.
fn hold_lock(path: &Path) -> File {
    let file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    file.lock().expect("taking the lock");
    file
}

/// Waits until `pid` waits for the lock at `lock`: in flock(2), or
/// sleeping between two tries while it has the lock file open.
fn await_blocked_on(pid: u32, lock: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let syscall = fs::read_to_string(format!("/proc/{pid}/syscall")).unwrap_or_default();
        let number = syscall.split_whitespace().next().unwrap_or_default();
        let holds_lock_file = || {
            fs::read_dir(format!("/proc/{pid}/fd"))
                .into_iter()
                .flatten()
                .flatten()
                .any(|fd| fs::read_link(fd.path()).is_ok_and(|target| target == lock))
        };
        if FLOCK.contains(&number) || (SLEEPS.contains(&number) && holds_lock_file()) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the helper never waited for the lock (syscall {syscall:?})"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A variable given to the helper whose `NAME=value` sits in its stack,
/// where the kernel puts the environment: the positive control that proves
/// the helper's memory was read at all. Not a secret.
const MARKER: (&str, &str) = ("MAILCRED_E2E_MARKER", "memory-was-read-0f7c2a");

/// The writable memory of a process, as read through `/proc/PID/mem`.
struct WritableMemory(Vec<Vec<u8>>);

impl WritableMemory {
    /// Reads every writable mapping of `pid` that can be read, then checks
    /// that [`MARKER`] is among them: without it, finding no copy of the
    /// input would prove nothing (no memory read, nothing found).
    fn of(pid: u32) -> Self {
        let maps = fs::read_to_string(format!("/proc/{pid}/maps")).expect("the memory map");
        let mem = File::open(format!("/proc/{pid}/mem")).expect("/proc/PID/mem (needs root)");
        let mut mappings = Vec::new();
        for line in maps.lines() {
            let mut fields = line.split_whitespace();
            let (Some(range), Some(perms)) = (fields.next(), fields.next()) else {
                continue;
            };
            if !perms.starts_with("rw") {
                continue;
            }
            let Some((start, end)) = range.split_once('-') else {
                continue;
            };
            let (Ok(start), Ok(end)) =
                (u64::from_str_radix(start, 16), u64::from_str_radix(end, 16))
            else {
                continue;
            };
            let mut bytes = vec![0u8; usize::try_from(end - start).expect("a mapping fits")];
            if mem.read_exact_at(&mut bytes, start).is_err() {
                continue; // a mapping that cannot be read (guard pages)
            }
            mappings.push(bytes);
        }
        let memory = Self(mappings);
        let marker = format!("{}={}", MARKER.0, MARKER.1);
        assert!(
            memory.count(marker.as_bytes()) > 0,
            "the helper's environment variable {marker:?} was not found in the {} bytes read \
             from /proc/{pid}/mem: this test cannot see the helper's memory (it needs root), so \
             it could not tell wiped buffers from unread ones",
            memory.0.iter().map(Vec::len).sum::<usize>()
        );
        memory
    }

    /// How many times `needle` occurs.
    fn count(&self, needle: &[u8]) -> usize {
        self.0
            .iter()
            .map(|bytes| bytes.windows(needle.len()).filter(|w| *w == needle).count())
            .sum()
    }
}

#[test]
fn a_parsed_request_leaves_no_raw_copy_of_the_input_in_memory() {
    let session = KeyringSession::start();
    approve(&session, ALICE);
    let lock_path = session.index_path().with_file_name("credentials.lock");
    let lock = hold_lock(&lock_path);

    let mut erase = session.command(bin(HELPER));
    erase.arg("erase").env(MARKER.0, MARKER.1);
    let running = start(erase, ALICE.as_bytes());
    let pid = running.id();
    await_blocked_on(pid, &lock_path);
    let raw = WritableMemory::of(pid).count(b"password=alice-app-password");
    drop(lock);
    let erased = finish(running);

    assert!(
        erased.success(),
        "the erase should finish once the lock is free:\n{erased}"
    );
    assert_eq!(
        raw, 0,
        "the raw `password=` line of the request must be wiped once parsed, but the waiting \
         helper's memory holds {raw} copies"
    );
}

#[test]
fn a_password_read_from_stdin_leaves_no_raw_copy_of_the_input_in_memory() {
    let session = KeyringSession::start();
    let added = mailcred(
        &session,
        MAILCRED,
        ADD_WORK_FROM_STDIN,
        "first-app-password\n",
    );
    assert!(added.success(), "{added}");
    let config = session
        .home()
        .parent()
        .expect("session folder")
        .join("config/mailcred");
    let lock_path = config.join("accounts.lock");
    let lock = hold_lock(&lock_path);

    let mut change = session.command(bin(MAILCRED));
    change
        .args(["set-password", "work", "--password-stdin"])
        .env(MARKER.0, MARKER.1);
    let running = start(change, b"second-app-password\nline-after-the-password\n");
    let pid = running.id();
    await_blocked_on(pid, &lock_path);
    let raw = WritableMemory::of(pid).count(b"line-after-the-password");
    drop(lock);
    let changed = finish(running);

    assert!(
        changed.success(),
        "set-password should finish once the lock is free:\n{changed}"
    );
    assert_eq!(
        raw, 0,
        "the raw stdin buffer holding the password line must be wiped once read, but the \
         waiting process's memory holds {raw} copies of what followed it"
    );
}

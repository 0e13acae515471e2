//! The checks of the suite, one function per behaviour, named in [`super::CHECKS`].

use std::thread;

use super::Fixture;
use crate::store::{Borrowed, Op, SecretStore, StoreError, Version, WithFaults, WriteIf};

const LABEL: &str = "mailcred: conformance check (safe to delete)";

#[track_caller]
fn write(store: &dyn SecretStore, id: &str, secret: &[u8]) {
    store
        .write(id, LABEL, secret)
        .unwrap_or_else(|e| panic!("writing {} bytes failed: {e}", secret.len()));
}

/// The bytes kept under `id`, or `None`.
#[track_caller]
fn read(store: &dyn SecretStore, id: &str) -> Option<Vec<u8>> {
    store
        .read(id)
        .unwrap_or_else(|e| panic!("reading failed: {e}"))
        .map(|stored| stored.secret.to_vec())
}

/// Where two blobs first differ, for messages that never print a blob.
fn differs(got: Option<&[u8]>, wanted: &[u8]) -> String {
    match got {
        None => "nothing came back".into(),
        Some(got) if got.len() != wanted.len() => {
            format!("{} bytes came back for {} written", got.len(), wanted.len())
        }
        Some(got) => match got.iter().zip(wanted).position(|(a, b)| a != b) {
            Some(at) => format!("the bytes differ from offset {at}"),
            None => "equal".into(),
        },
    }
}

#[track_caller]
fn assert_holds(store: &dyn SecretStore, id: &str, wanted: &[u8], what: &str) {
    let got = read(store, id);
    assert!(
        got.as_deref() == Some(wanted),
        "{what}: {}",
        differs(got.as_deref(), wanted)
    );
}

/// Bytes that look like nothing in particular, the same every run.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

pub(super) fn written_reads_back(f: &Fixture<'_, '_>) {
    let id = f.id("written");
    write(f.store(), &id, b"password=app-password\n");
    assert_holds(
        f.store(),
        &id,
        b"password=app-password\n",
        "a secret just written",
    );
}

pub(super) fn missing_reads_as_none(f: &Fixture<'_, '_>) {
    let id = f.id("never-written");
    assert!(
        read(f.store(), &id).is_none(),
        "an id never written must read as missing"
    );
}

pub(super) fn overwrite_replaces(f: &Fixture<'_, '_>) {
    let id = f.id("overwritten");
    write(f.store(), &id, &noise(600, 1));
    write(f.store(), &id, b"short");
    assert_holds(
        f.store(),
        &id,
        b"short",
        "after a shorter overwrite, only the new secret",
    );
}

pub(super) fn deleted_reads_as_none(f: &Fixture<'_, '_>) {
    let id = f.id("deleted");
    write(f.store(), &id, b"doomed");
    f.store().delete(&id).expect("deleting a stored secret");
    assert!(
        read(f.store(), &id).is_none(),
        "a deleted secret must read as missing"
    );
}

pub(super) fn delete_missing_succeeds(f: &Fixture<'_, '_>) {
    let id = f.id("never-there");
    for attempt in ["first", "second"] {
        f.store().delete(&id).unwrap_or_else(|e| {
            panic!("the {attempt} delete of a missing secret must succeed: {e}")
        });
    }
}

pub(super) fn ids_are_kept_apart(f: &Fixture<'_, '_>) {
    let (a, b) = (f.id("apart-a"), f.id("apart-b"));
    write(f.store(), &a, b"secret of a");
    write(f.store(), &b, b"secret of b");
    f.store().delete(&a).expect("deleting a");
    assert!(
        read(f.store(), &a).is_none(),
        "a deleted id must read as missing"
    );
    assert_holds(
        f.store(),
        &b,
        b"secret of b",
        "deleting a must leave b as it was",
    );
}

pub(super) fn every_byte_value_is_kept(f: &Fixture<'_, '_>) {
    let all: Vec<u8> = (0..=255).chain((0..=255).rev()).collect();
    let blobs: [(&str, &[u8]); 5] = [
        ("all 256 byte values", &all),
        ("only NULs", b"\0\0\0\0"),
        ("invalid UTF-8", b"\xff\xfe\xc3\x28\xa0\xa1\x80"),
        ("line breaks only", b"\r\n\n\r"),
        ("a trailing NUL", b"password=x\0"),
    ];
    for (what, blob) in blobs {
        let id = f.id(&format!("bytes-{}", what.replace(' ', "-")));
        write(f.store(), &id, blob);
        assert_holds(f.store(), &id, blob, what);
    }
}

/// Each blob is deleted before the next is written: keyutils allows a user
/// who is not root 20,000 bytes of keys in all, and the suite must not be
/// what fills them.
pub(super) fn sizes_up_to_16_kib_are_kept(f: &Fixture<'_, '_>) {
    for (seed, size) in [1, 255, 256, 1024, 2560, 2561, 4096, 8191, 16 * 1024]
        .into_iter()
        .enumerate()
    {
        let id = f.id(&format!("size-{size}"));
        let blob = noise(size, seed as u64 + 7);
        write(f.store(), &id, &blob);
        assert_holds(f.store(), &id, &blob, &format!("a blob of {size} bytes"));
        f.store()
            .delete(&id)
            .unwrap_or_else(|e| panic!("deleting the blob of {size} bytes: {e}"));
    }
}

/// Beyond the 16 KiB every store keeps, a store may have no room (keyutils
/// for a user who is not root); then it says so, and keeps nothing.
pub(super) fn sixty_four_kib_are_kept(f: &Fixture<'_, '_>) {
    let id = f.id("size-64k");
    let blob = noise(64 * 1024, 64);
    match f.store().write(&id, LABEL, &blob) {
        Ok(()) => assert_holds(f.store(), &id, &blob, "a blob of 64 KiB"),
        Err(e) => {
            let left = read(f.store(), &id);
            panic!(
                "writing 64 KiB failed: {e}; {}",
                match left {
                    None => "nothing was left behind".to_owned(),
                    Some(got) => format!("yet {} bytes are kept under its id", got.len()),
                }
            )
        }
    }
}

/// keyutils refuses an empty secret (keyring-core: "cannot be empty"), and
/// the vault never writes one: a blob always holds at least one part. What
/// every store must do is not to turn it into something else.
pub(super) fn empty_is_kept_or_refused(f: &Fixture<'_, '_>) {
    let id = f.id("empty");
    match f.store().write(&id, LABEL, b"") {
        Ok(()) => assert_holds(f.store(), &id, b"", "an empty secret, once accepted"),
        Err(_) => assert!(
            read(f.store(), &id).is_none(),
            "a refused empty secret must leave nothing behind"
        ),
    }
}

const THREADS: usize = 6;
const ROUNDS: usize = 4;

fn value(thread: usize, round: usize) -> Vec<u8> {
    format!(
        "password=thread-{thread}-round-{round}-{}",
        "x".repeat(thread * 40)
    )
    .into_bytes()
}

pub(super) fn threads_different_ids(f: &Fixture<'_, '_>) {
    let ids: Vec<String> = (0..THREADS).map(|t| f.id(&format!("thread-{t}"))).collect();
    thread::scope(|scope| {
        for (t, id) in ids.iter().enumerate() {
            scope.spawn(move || {
                let store = f.another();
                for round in 0..ROUNDS {
                    write(store.as_ref(), id, &value(t, round));
                }
            });
        }
    });
    for (t, id) in ids.iter().enumerate() {
        assert_holds(
            f.store(),
            id,
            &value(t, ROUNDS - 1),
            &format!("thread {t}'s last write"),
        );
    }
}

pub(super) fn threads_one_id(f: &Fixture<'_, '_>) {
    threads_on_one_id(f, "contended", 0);
}

/// Long enough to be kept in parts where items hold 2,560 bytes.
pub(super) fn threads_one_id_long(f: &Fixture<'_, '_>) {
    threads_on_one_id(f, "contended-long", 5000);
}

fn threads_on_one_id(f: &Fixture<'_, '_>, name: &str, padding: usize) {
    // Copy (it holds a usize), so every thread takes its own.
    let value = move |thread: usize, round: usize| {
        let mut value = value(thread, round);
        value.resize(value.len() + padding, b'.');
        value
    };
    let id = f.id(name);
    thread::scope(|scope| {
        for t in 0..THREADS {
            let id = &id;
            scope.spawn(move || {
                let store = f.another();
                for round in 0..ROUNDS {
                    write(store.as_ref(), id, &value(t, round));
                }
            });
        }
    });
    let got = read(f.store(), &id).expect("after concurrent writes, one of them is kept");
    let whole = (0..THREADS).any(|t| (0..ROUNDS).any(|r| got == value(t, r)));
    assert!(
        whole,
        "concurrent writes to one id must leave one written value whole, not a mix"
    );
}

pub(super) fn conditional_writes(f: &Fixture<'_, '_>) {
    let store = f.store();
    let id = f.id("conditional");
    let write_if = |secret: &[u8], condition| store.write_if(&id, LABEL, secret, condition);
    if !store.supports_cas() {
        for condition in [WriteIf::Absent, WriteIf::Unchanged(Version::new("1"))] {
            let result = write_if(b"conditional", condition.clone());
            assert!(
                matches!(result, Err(StoreError::NoCompareAndSet { .. })),
                "a store without compare-and-set must refuse {condition:?}, got {result:?}"
            );
        }
        assert!(
            read(store, &id).is_none(),
            "a refused conditional write writes nothing"
        );
        return;
    }
    let first = write_if(b"first", WriteIf::Absent)
        .expect("creating a missing secret")
        .expect("a store with compare-and-set returns versions");
    assert!(
        matches!(
            write_if(b"again", WriteIf::Absent),
            Err(StoreError::Conflict { .. })
        ),
        "create-only must fail when the secret exists"
    );
    let stored = store
        .read(&id)
        .expect("reading")
        .expect("the created secret");
    assert_eq!(
        stored.version.as_ref(),
        Some(&first),
        "a read returns the version written"
    );
    let second = write_if(b"second", WriteIf::Unchanged(first.clone()))
        .expect("replacing the version read")
        .expect("a new version");
    assert_ne!(first, second, "every write makes a new version");
    assert!(
        matches!(
            write_if(b"stale", WriteIf::Unchanged(first.clone())),
            Err(StoreError::Conflict { .. })
        ),
        "a write naming a stale version must fail"
    );
    assert_holds(
        store,
        &id,
        b"second",
        "failed conditional writes change nothing",
    );
    store.delete(&id).expect("deleting");
    assert!(
        matches!(
            write_if(b"gone", WriteIf::Unchanged(second)),
            Err(StoreError::Conflict { .. })
        ),
        "a write naming the version of a deleted secret must fail"
    );
    let winners = thread::scope(|scope| {
        let racers: Vec<_> = (0..THREADS)
            .map(|t| {
                let id = &id;
                scope.spawn(move || {
                    f.another()
                        .write_if(id, LABEL, &value(t, 0), WriteIf::Absent)
                        .is_ok()
                })
            })
            .collect();
        racers
            .into_iter()
            .filter_map(|r| r.join().ok())
            .filter(|won| *won)
            .count()
    });
    assert_eq!(
        winners, 1,
        "of threads racing to create one id, exactly one may win"
    );
}

pub(super) fn injected_faults(f: &Fixture<'_, '_>) {
    let store = WithFaults::new(Borrowed(f.store()));
    let id = f.id("faults");
    write(&store, &id, b"before");
    let fault = || StoreError::failed("injected by the conformance suite");

    store.faults.fail_next(Op::Write, fault());
    assert!(
        store.write(&id, LABEL, b"lost").is_err(),
        "the planned write fault strikes"
    );
    assert_holds(
        &store,
        &id,
        b"before",
        "a failed write leaves the secret as it was",
    );
    write(&store, &id, b"after");

    store.faults.fail_next(Op::Read, fault());
    assert!(store.read(&id).is_err(), "the planned read fault strikes");
    assert_holds(&store, &id, b"after", "the read after a failed one works");

    store.faults.fail_next(Op::Delete, fault());
    assert!(
        store.delete(&id).is_err(),
        "the planned delete fault strikes"
    );
    assert_holds(&store, &id, b"after", "a failed delete leaves the secret");
    store
        .delete(&id)
        .expect("the delete after a failed one works");
    assert!(
        read(&store, &id).is_none(),
        "the delete after a failed one must delete"
    );
    assert_eq!(
        store.faults.pending(),
        0,
        "every planned fault struck exactly once"
    );
}

//! Secrets in parts over the in-memory store, whose items are made to hold
//! at most [`ITEM`] bytes, with faults planned at every step of a write and
//! a delete.

use super::*;
use crate::store::{Borrowed, MemoryStore, Op, conformance};

const ITEM: usize = 600;
const LABEL: &str = "mailcred: smtp://ann@mail.example";

fn noise(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn in_parts(memory: &MemoryStore) -> InParts<Borrowed<'_>> {
    InParts::new(Borrowed(memory), ITEM)
}

fn read(store: &dyn SecretStore, id: &str) -> Option<Vec<u8>> {
    store
        .read(id)
        .expect("reading")
        .map(|stored| stored.secret.to_vec())
}

/// How many writes a write of `len` bytes over a long secret makes: the
/// list of started writes, each part, the head, the list again.
fn writes_of(len: usize) -> usize {
    len.div_ceil(ITEM) + 3
}

#[test]
fn a_store_of_small_items_in_parts_passes_the_conformance_suite() {
    let memory = MemoryStore::default();
    conformance::run(&|| Ok(Box::new(in_parts(&memory)))).assert_passed();
}

#[test]
fn a_secret_that_fits_in_one_item_is_kept_as_it_is_in_one_item() {
    let memory = MemoryStore::default();
    in_parts(&memory)
        .write("id", LABEL, b"password=app-pw\n")
        .unwrap();
    assert_eq!(memory.ids(), ["id"], "one item, under the secret's own id");
    assert_eq!(
        read(&memory, "id").as_deref(),
        Some(&b"password=app-pw\n"[..]),
        "the item holds the secret itself, as format 1 did"
    );
}

#[test]
fn a_secret_of_format_1_is_read_unchanged() {
    // The blob of helper/tests/fixtures/layout-v1, planted as 0.1 kept it.
    let memory = MemoryStore::default();
    let blob = b"password=bob-pw\noauth_refresh_token=rt\n";
    memory
        .write("9ff7547fc0dade2b1eab6b9c5dbc9b04", LABEL, blob)
        .unwrap();
    assert_eq!(
        read(&in_parts(&memory), "9ff7547fc0dade2b1eab6b9c5dbc9b04").as_deref(),
        Some(&blob[..])
    );
}

#[test]
fn a_long_secret_is_kept_in_parts_and_deleted_with_all_of_them() {
    let memory = MemoryStore::default();
    let store = in_parts(&memory);
    let secret = noise(16 * 1024, 1);
    store.write("id", LABEL, &secret).unwrap();
    assert_eq!(
        memory.len(),
        1 + secret.len().div_ceil(ITEM),
        "a head and the parts, and no list of started writes once done: {:?}",
        memory.ids()
    );
    assert_eq!(read(&store, "id"), Some(secret));
    store.delete("id").unwrap();
    assert!(memory.is_empty(), "left behind: {:?}", memory.ids());
}

#[test]
fn replacing_a_long_secret_retires_its_parts() {
    let memory = MemoryStore::default();
    let store = in_parts(&memory);
    store.write("id", LABEL, &noise(5000, 1)).unwrap();
    store.write("id", LABEL, &noise(3000, 2)).unwrap();
    assert_eq!(memory.len(), 1 + 5, "only the new head and parts");
    store.write("id", LABEL, b"short").unwrap();
    assert_eq!(read(&store, "id").as_deref(), Some(&b"short"[..]));
    store.delete("id").unwrap();
    assert!(memory.is_empty(), "left behind: {:?}", memory.ids());
}

#[test]
fn a_short_secret_that_begins_like_a_head_is_kept_in_parts_and_read_back() {
    let memory = MemoryStore::default();
    let store = in_parts(&memory);
    let tricky = [HEAD_MAGIC, b"generation=0123456789abcdef\n"].concat();
    store.write("id", LABEL, &tricky).unwrap();
    assert_eq!(read(&store, "id"), Some(tricky));
    assert_eq!(memory.len(), 2, "a head and one part: {:?}", memory.ids());
}

#[test]
fn a_write_that_fails_at_any_step_before_the_head_leaves_the_old_secret_whole() {
    let old = noise(2000, 1);
    let new = noise(4000, 2);
    // The list, the parts, the head: every write up to the one that shows the new secret.
    for step in 0..writes_of(new.len()) - 1 {
        let memory = MemoryStore::default();
        let store = in_parts(&memory);
        store.write("id", LABEL, &old).unwrap();
        let before = memory.ids();

        memory.fail_after(Op::Write, step, StoreError::failed("injected"));
        assert!(store.write("id", LABEL, &new).is_err(), "step {step} fails");

        assert_eq!(
            read(&store, "id"),
            Some(old.clone()),
            "after a failure at step {step}, the old secret and only it"
        );
        assert_eq!(
            memory.ids(),
            before,
            "a failed write at step {step} takes back what it wrote"
        );
    }
}

#[test]
fn a_write_cut_off_at_any_step_leaves_a_whole_secret_and_nothing_a_delete_misses() {
    let old = noise(2000, 1);
    let new = noise(4000, 2);
    for step in 0..writes_of(new.len()) {
        let memory = MemoryStore::default();
        let store = in_parts(&memory);
        store.write("id", LABEL, &old).unwrap();

        // A timeout: the write may still land, so nothing is taken back,
        // as after a crash at that step.
        memory.fail_after(
            Op::Write,
            step,
            StoreError::TimedOut {
                limit: crate::store::Seconds(std::time::Duration::from_secs(1)),
                hint: Hint::NONE,
            },
        );
        let outcome = store.write("id", LABEL, &new);

        let got = read(&store, "id").expect("a secret is kept");
        assert!(
            got == old || (got == new && outcome.is_ok()),
            "cut off at step {step}: the old secret, or the new one once its write returned"
        );
        store.delete("id").unwrap();
        assert!(
            memory.is_empty(),
            "cut off at step {step}, a delete must still find every part: left {:?}",
            memory.ids()
        );
    }
}

#[test]
fn a_first_write_cut_off_before_its_head_reads_as_missing_and_is_deleted_whole() {
    let memory = MemoryStore::default();
    let store = in_parts(&memory);
    memory.fail_after(
        Op::Write,
        3,
        StoreError::TimedOut {
            limit: crate::store::Seconds(std::time::Duration::from_secs(1)),
            hint: Hint::NONE,
        },
    );
    assert!(store.write("id", LABEL, &noise(4000, 1)).is_err());
    assert_eq!(read(&store, "id"), None, "no head yet: nothing is stored");
    assert!(!memory.is_empty(), "the list and two parts are there");
    store.delete("id").unwrap();
    assert!(memory.is_empty(), "left behind: {:?}", memory.ids());
}

#[test]
fn a_delete_cut_short_at_any_step_leaves_the_rest_for_the_next_delete() {
    let secret = noise(4000, 3);
    for step in 0..secret.len().div_ceil(ITEM) {
        let memory = MemoryStore::default();
        let store = in_parts(&memory);
        store.write("id", LABEL, &secret).unwrap();

        memory.fail_after(Op::Delete, step, StoreError::failed("injected"));
        assert!(store.delete("id").is_err(), "step {step} fails");
        match store.read("id") {
            Ok(Some(got)) => assert_eq!(*got.secret, secret, "never another secret"),
            Ok(None) => panic!("the head goes last: it must still be there"),
            Err(e) => assert!(
                matches!(e, StoreError::Damaged { .. }),
                "half deleted is damaged: {e}"
            ),
        }
        store.delete("id").unwrap();
        assert!(memory.is_empty(), "left behind: {:?}", memory.ids());
    }
}

#[test]
fn a_missing_part_makes_the_secret_damaged_never_shorter() {
    let memory = MemoryStore::default();
    let store = in_parts(&memory);
    store.write("id", LABEL, &noise(4000, 4)).unwrap();
    let part = store.items_of("id").unwrap()[3].clone();
    memory.delete(&part).unwrap();
    assert!(
        matches!(store.read("id"), Err(StoreError::Damaged { .. })),
        "a secret without its part {part} is damaged"
    );
}

#[test]
fn an_altered_part_makes_the_secret_damaged() {
    for altered in [noise(ITEM, 9), noise(10, 9), noise(ITEM + 1, 9)] {
        let memory = MemoryStore::default();
        let store = in_parts(&memory);
        store.write("id", LABEL, &noise(4000, 4)).unwrap();
        let part = store.items_of("id").unwrap()[2].clone();
        memory.write(&part, LABEL, &altered).unwrap();
        assert!(
            matches!(store.read("id"), Err(StoreError::Damaged { .. })),
            "a part of {} other bytes makes the secret damaged",
            altered.len()
        );
    }
}

#[test]
fn a_head_that_does_not_decode_is_damage() {
    let memory = MemoryStore::default();
    memory
        .write("id", LABEL, &[HEAD_MAGIC, b"parts=lots\n"].concat())
        .unwrap();
    assert!(matches!(
        in_parts(&memory).read("id"),
        Err(StoreError::Damaged { .. })
    ));
}

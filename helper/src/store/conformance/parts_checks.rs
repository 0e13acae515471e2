//! Secrets in parts ([`InParts`]) over the store under test, with items of
//! [`ITEM`] bytes so that every store, whatever its own limit, keeps these
//! secrets in several of its items: a failure or a cut between parts must
//! leave a whole secret, a damaged part must be reported, and a delete must
//! leave nothing of any of it in the real store.

use std::time::Duration;

use super::Fixture;
use crate::store::{Borrowed, Hint, InParts, Op, Seconds, SecretStore, StoreError, WithFaults};

const LABEL: &str = "mailcred: conformance check of parts (safe to delete)";
const ITEM: usize = 1000;
const OLD: usize = 2500;
const NEW: usize = 3500;

/// The store under test, with faults, below secrets in parts.
type Parted<'a> = InParts<Borrowed<'a>>;

/// Deletes the secret through the parts when the check ends, passed or
/// not: the suite's own cleanup deletes through the store under test,
/// which knows nothing of these parts.
struct Tidy<'s, 'a>(&'s Parted<'a>, String);

impl Drop for Tidy<'_, '_> {
    fn drop(&mut self) {
        let _ = self.0.delete(&self.1);
    }
}

fn blob(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(97).wrapping_add(seed))
        .collect()
}

fn timed_out() -> StoreError {
    StoreError::TimedOut {
        limit: Seconds(Duration::from_secs(1)),
        hint: Hint::NONE,
    }
}

#[track_caller]
fn read(store: &dyn SecretStore, id: &str) -> Option<Vec<u8>> {
    store
        .read(id)
        .unwrap_or_else(|e| panic!("reading failed: {e}"))
        .map(|stored| stored.secret.to_vec())
}

/// How many writes a write of `NEW` bytes over a secret in parts makes:
/// the list of started writes, the parts, the head.
const WRITES: usize = NEW.div_ceil(ITEM) + 2;

pub(super) fn failed_write_between_parts(f: &Fixture<'_, '_>) {
    let faulty = WithFaults::new(Borrowed(f.store()));
    let parted = InParts::new(Borrowed(&faulty), ITEM);
    let (old, new) = (blob(OLD, 1), blob(NEW, 2));
    for step in 0..WRITES {
        let id = f.id(&format!("parts-failed-{step}"));
        let _tidy = Tidy(&parted, id.clone());
        parted
            .write(&id, LABEL, &old)
            .expect("writing the old secret");
        let before = parted.items_of(&id).expect("listing its items");

        faulty
            .faults
            .fail_after(Op::Write, step, StoreError::failed("injected"));
        assert!(
            parted.write(&id, LABEL, &new).is_err(),
            "the fault at write {step} strikes"
        );
        assert!(
            read(&parted, &id) == Some(old.clone()),
            "a write that failed at its write {step} must leave the old secret whole"
        );
        let after = parted.items_of(&id).expect("listing its items");
        assert_eq!(
            after, before,
            "a write that failed at its write {step} must take back what it wrote"
        );
    }
}

pub(super) fn cut_write_between_parts(f: &Fixture<'_, '_>) {
    let faulty = WithFaults::new(Borrowed(f.store()));
    let parted = InParts::new(Borrowed(&faulty), ITEM);
    let (old, new) = (blob(OLD, 3), blob(NEW, 4));
    for step in 0..WRITES {
        let id = f.id(&format!("parts-cut-{step}"));
        let _tidy = Tidy(&parted, id.clone());
        parted
            .write(&id, LABEL, &old)
            .expect("writing the old secret");

        // A timeout leaves everything as a crash at that point would.
        faulty.faults.fail_after(Op::Write, step, timed_out());
        assert!(
            parted.write(&id, LABEL, &new).is_err(),
            "the cut at write {step} strikes"
        );
        assert!(
            read(&parted, &id) == Some(old.clone()),
            "a write cut off at its write {step} must leave the old secret whole"
        );
        let items = parted.items_of(&id).expect("listing its items");
        parted.delete(&id).expect("deleting after the cut");
        for item in &items {
            assert!(
                read(f.store(), item).is_none(),
                "after a cut at write {step} and a delete, the store still holds {item}"
            );
        }
    }
}

pub(super) fn damaged_parts(f: &Fixture<'_, '_>) {
    let parted = InParts::new(Borrowed(f.store()), ITEM);
    let secret = blob(NEW, 5);
    for (what, change) in [
        ("missing", None),
        ("changed", Some(blob(ITEM, 6))),
        ("shortened", Some(blob(ITEM / 2, 5))),
    ] {
        let id = f.id(&format!("parts-{what}"));
        let _tidy = Tidy(&parted, id.clone());
        parted.write(&id, LABEL, &secret).expect("writing in parts");
        let part = &parted.items_of(&id).expect("listing its items")[2];
        match &change {
            None => f.store().delete(part).expect("deleting a part"),
            Some(bytes) => f
                .store()
                .write(part, LABEL, bytes)
                .expect("changing a part"),
        }
        let got = parted.read(&id);
        assert!(
            matches!(got, Err(StoreError::Damaged { .. })),
            "a secret with a {what} part must read as damaged, got {}",
            match got {
                Ok(Some(s)) => format!("{} bytes", s.secret.len()),
                Ok(None) => "nothing".into(),
                Err(e) => e.to_string(),
            }
        );
    }
}

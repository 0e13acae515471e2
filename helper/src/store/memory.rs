use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use zeroize::Zeroizing;

use super::{Capabilities, Faults, Op, SecretStore, StoreError, Stored, Version, WriteIf};

/// A store that forgets everything when dropped: for tests only, never
/// chosen at run time. It has versions and compare-and-set, like the
/// shared stores to come, so the conformance suite checks both kinds of
/// store, and per-call faults ([`MemoryStore::fail_next`]).
#[derive(Default)]
pub struct MemoryStore {
    items: Mutex<Items>,
    faults: Faults,
}

#[derive(Default)]
struct Items {
    by_id: HashMap<String, (Zeroizing<Vec<u8>>, u64)>,
    /// The last version handed out. Never reused, even after a delete, so
    /// a version read before a delete and re-create cannot match again.
    last_version: u64,
}

impl MemoryStore {
    /// Fails exactly the next `op` call with `error`; later calls work.
    pub fn fail_next(&self, op: Op, error: StoreError) {
        self.faults.fail_next(op, error);
    }

    /// Lets `passing` calls of kind `op` through and fails the next one.
    pub fn fail_after(&self, op: Op, passing: usize, error: StoreError) {
        self.faults.fail_after(op, passing, error);
    }

    /// The ids of every secret kept, sorted.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.items().by_id.keys().cloned().collect();
        ids.sort();
        ids
    }

    /// How many secrets are kept.
    pub fn len(&self) -> usize {
        self.items().by_id.len()
    }

    /// Whether no secret is kept.
    pub fn is_empty(&self) -> bool {
        self.items().by_id.is_empty()
    }

    fn items(&self) -> MutexGuard<'_, Items> {
        self.items.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl SecretStore for MemoryStore {
    fn describe(&self) -> String {
        "in-memory store (tests only)".into()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::COMPARE_AND_SET
    }

    fn read(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        self.faults.strike(Op::Read)?;
        Ok(self.items().by_id.get(id).map(|(secret, version)| Stored {
            secret: secret.clone(),
            version: Some(Version::new(version.to_string())),
        }))
    }

    fn write_if(
        &self,
        id: &str,
        _label: &str,
        secret: &[u8],
        condition: WriteIf,
    ) -> Result<Option<Version>, StoreError> {
        self.faults.strike(Op::Write)?;
        let mut items = self.items();
        let current = items.by_id.get(id).map(|(_, v)| v.to_string());
        let holds = match &condition {
            WriteIf::Always => true,
            WriteIf::Absent => current.is_none(),
            WriteIf::Unchanged(version) => current.as_deref() == Some(version.as_str()),
        };
        if !holds {
            return Err(StoreError::Conflict { id: id.to_owned() });
        }
        items.last_version += 1;
        let version = items.last_version;
        items
            .by_id
            .insert(id.to_owned(), (Zeroizing::new(secret.to_vec()), version));
        Ok(Some(Version::new(version.to_string())))
    }

    fn delete(&self, id: &str) -> Result<(), StoreError> {
        self.faults.strike(Op::Delete)?;
        self.items().by_id.remove(id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_store_passes_the_conformance_suite() {
        let store = MemoryStore::default();
        crate::store::conformance::run(&|| Ok(Box::new(crate::store::Borrowed(&store))))
            .assert_passed();
    }

    #[test]
    fn the_memory_store_passes_the_conformance_suite_behind_a_deadline() {
        let store = std::sync::Arc::new(MemoryStore::default());
        crate::store::conformance::run(&|| {
            Ok(Box::new(crate::store::Deadline::new(
                store.clone(),
                std::time::Duration::from_secs(60),
                crate::store::Hint::NONE,
            )))
        })
        .assert_passed();
    }

    #[test]
    fn a_planned_fault_fails_exactly_the_next_call_of_its_kind() {
        let store = MemoryStore::default();
        store.write("a", "label", b"x").unwrap();
        store.fail_next(Op::Read, StoreError::locked());

        store.delete("b").expect("a delete is not the planned read");
        assert!(
            matches!(store.read("a"), Err(StoreError::Locked { .. })),
            "the next read fails as planned"
        );
        assert!(
            store.read("a").unwrap().is_some(),
            "the read after it works again, and the secret is still there"
        );
    }

    #[test]
    fn a_fault_planned_after_passing_calls_strikes_the_one_after_them() {
        let store = MemoryStore::default();
        store.fail_after(Op::Write, 2, StoreError::locked());
        for id in ["a", "b"] {
            store
                .write(id, "label", b"x")
                .expect("the passing writes work");
        }
        assert!(
            store.write("c", "label", b"x").is_err(),
            "the third write fails"
        );
        store
            .write("c", "label", b"x")
            .expect("and the fourth works");
        assert_eq!(store.ids(), ["a", "b", "c"]);
    }
}

//! The contract of [`SecretStore`] as checks that any store can be run
//! through: `conformance::run(&open).assert_passed()`, where `open` opens the
//! store under test. The in-memory store runs it in its unit tests; the
//! end-to-end crate runs it against the Secret Service (a private
//! gnome-keyring) and keyutils, through the store factory, deadline
//! included. A new store adds one such line where its server is at hand.
//!
//! Built for tests only (`cfg(test)` here, the `conformance` cargo feature
//! for the end-to-end crate). Concurrency checks call `open` once per
//! thread, so a store reached over a connection gets one per thread, as
//! separate processes would. Every id is this run's own, and every id used
//! is deleted at the end: the keyutils store outlives the test.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;

mod checks;
mod parts_checks;

use super::{SecretStore, StoreError};
use checks::*;
use parts_checks::*;

/// Opens the store under test.
pub type Open<'a> = dyn Fn() -> Result<Box<dyn SecretStore + 'a>, StoreError> + Sync + 'a;

/// One check of the contract.
type Check = fn(&Fixture<'_, '_>);

/// Every check, by the behaviour it asserts.
const CHECKS: &[(&str, Check)] = &[
    ("a written secret reads back", written_reads_back),
    (
        "an id never written reads as missing",
        missing_reads_as_none,
    ),
    ("an overwrite replaces the whole secret", overwrite_replaces),
    ("a deleted secret reads as missing", deleted_reads_as_none),
    (
        "deleting a missing secret succeeds",
        delete_missing_succeeds,
    ),
    ("ids are kept apart", ids_are_kept_apart),
    ("every byte value is kept", every_byte_value_is_kept),
    ("blobs up to 16 KiB are kept", sizes_up_to_16_kib_are_kept),
    ("blobs of 64 KiB are kept", sixty_four_kib_are_kept),
    (
        "an empty secret is kept or refused, never changed",
        empty_is_kept_or_refused,
    ),
    (
        "threads writing different ids all land",
        threads_different_ids,
    ),
    (
        "threads writing one id leave one whole value",
        threads_one_id,
    ),
    (
        "threads writing long secrets to one id leave one whole value",
        threads_one_id_long,
    ),
    ("conditional writes keep their promise", conditional_writes),
    (
        "a fault fails exactly the next matching call",
        injected_faults,
    ),
    (
        "a write in parts that fails between parts leaves the old secret whole",
        failed_write_between_parts,
    ),
    (
        "a write in parts cut off between parts leaves nothing a delete misses",
        cut_write_between_parts,
    ),
    (
        "a missing or changed part is damage, never a shorter secret",
        damaged_parts,
    ),
];

/// The outcome of every check against one store.
#[derive(Debug)]
pub struct Report {
    /// The store's description.
    pub store: String,
    /// Each check and, when it failed, why.
    pub outcomes: Vec<(&'static str, Result<(), String>)>,
}

impl Report {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.outcomes.iter().all(|(_, outcome)| outcome.is_ok())
    }

    /// Panics with the failed checks unless every check passed.
    #[track_caller]
    pub fn assert_passed(&self) {
        assert!(self.passed(), "{self}");
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let failed = self.outcomes.iter().filter(|(_, o)| o.is_err()).count();
        writeln!(
            f,
            "store conformance of {}: {} checks, {failed} failed",
            self.store,
            self.outcomes.len()
        )?;
        for (name, outcome) in &self.outcomes {
            match outcome {
                Ok(()) => writeln!(f, "  ok    {name}")?,
                Err(why) => writeln!(f, "  FAIL  {name}: {why}")?,
            }
        }
        Ok(())
    }
}

/// Runs every check against the store `open` opens. A store that cannot be
/// opened fails every check with the reason.
pub fn run(open: &Open<'_>) -> Report {
    let store = match open() {
        Ok(store) => store,
        Err(e) => {
            return Report {
                store: "a store that cannot be opened".into(),
                outcomes: CHECKS
                    .iter()
                    .map(|(name, _)| (*name, Err(format!("cannot open the store: {e}"))))
                    .collect(),
            };
        }
    };
    let fixture = Fixture {
        open,
        store,
        run: format!(
            "conformance-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ),
        used: Mutex::new(Vec::new()),
    };
    let outcomes = CHECKS
        .iter()
        .map(|(name, check)| {
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| check(&fixture)));
            (*name, outcome.map_err(|payload| panic_message(&*payload)))
        })
        .collect();
    for id in fixture
        .used
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
    {
        let _ = fixture.store.delete(id);
    }
    Report {
        store: fixture.store.describe(),
        outcomes,
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "panicked".into())
}

/// The store under test, a way to open more of it, and this run's ids.
struct Fixture<'o, 'a> {
    open: &'o Open<'a>,
    store: Box<dyn SecretStore + 'a>,
    run: String,
    used: Mutex<Vec<String>>,
}

impl Fixture<'_, '_> {
    /// An id of this run, deleted at its end.
    fn id(&self, name: &str) -> String {
        let id = format!("{}-{name}", self.run);
        self.used
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(id.clone());
        id
    }

    fn store(&self) -> &dyn SecretStore {
        self.store.as_ref()
    }

    fn another(&self) -> Box<dyn SecretStore + '_> {
        (self.open)().unwrap_or_else(|e| panic!("cannot open the store again: {e}"))
    }
}

#[cfg(test)]
mod tests;

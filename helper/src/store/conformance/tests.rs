//! The suite itself must fail a store that breaks the contract.

use super::*;
use crate::store::{Borrowed, Capabilities, MemoryStore, Stored, Version, WriteIf};

/// A store that breaks the contract twice: it keeps at most 4 KiB of a
/// secret, and its delete forgets nothing.
struct Broken(MemoryStore);

impl SecretStore for Broken {
    fn describe(&self) -> String {
        "a broken store (test)".into()
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::UNCONDITIONAL_ONLY
    }
    fn read(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        self.0.read(id)
    }
    fn write_if(
        &self,
        id: &str,
        label: &str,
        secret: &[u8],
        condition: WriteIf,
    ) -> Result<Option<Version>, StoreError> {
        crate::store::refuse_conditions(self, &condition)?;
        let kept = &secret[..secret.len().min(4096)];
        self.0
            .write_if(id, label, kept, WriteIf::Always)
            .map(|_| None)
    }
    fn delete(&self, _: &str) -> Result<(), StoreError> {
        Ok(())
    }
}

#[test]
fn a_store_that_breaks_the_contract_fails_the_checks_it_breaks() {
    let broken = Broken(MemoryStore::default());
    let report = run(&|| Ok(Box::new(Borrowed(&broken))));

    let failed: Vec<&str> = report
        .outcomes
        .iter()
        .filter(|(_, outcome)| outcome.is_err())
        .map(|(name, _)| *name)
        .collect();
    assert_eq!(
        failed,
        [
            "a deleted secret reads as missing",
            "ids are kept apart",
            "blobs up to 16 KiB are kept",
            "blobs of 64 KiB are kept",
            "threads writing long secrets to one id leave one whole value",
            "a fault fails exactly the next matching call",
            "a write in parts cut off between parts leaves nothing a delete misses",
            "a missing or changed part is damage, never a shorter secret",
        ],
        "the suite must catch a store that truncates and never deletes:\n{report}"
    );
    assert!(!report.passed());
    assert!(
        report
            .to_string()
            .contains("4096 bytes came back for 8191 written"),
        "a failure says what differed, never the bytes:\n{report}"
    );
}

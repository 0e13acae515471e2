//! The vault over an index kept in the store itself (a store shared by
//! several machines): the same rules as with the file, and a lookup that
//! holds no lock across machines reading again when a writer's step fell
//! between its reads.

use std::sync::atomic::{AtomicBool, Ordering};

use secrecy::ExposeSecret;

use super::*;
use crate::store::documents::{self, Document};
use crate::store::{Capabilities, MemoryStore, Stored, Version, WriteIf};

const NOW: u64 = 1_800_000_000;

fn in_store(dir: &tempfile::TempDir) -> IndexPlace {
    IndexPlace::Store {
        locks: IndexFile::in_dir(dir.path()),
    }
}

fn entry(username: &str) -> IndexEntry {
    IndexEntry {
        protocol: Some("smtp".into()),
        host: Some("mail.example:587".into()),
        username: Some(username.into()),
        stored_at: NOW,
        ..IndexEntry::default()
    }
}

fn request(username: &str) -> Credential {
    Credential {
        protocol: Some("smtp".into()),
        host: Some("mail.example:587".into()),
        username: Some(username.into()),
        ..Credential::default()
    }
}

fn parts(password: &str) -> SecretParts {
    SecretParts {
        password: Some(password.into()),
        ..SecretParts::default()
    }
}

/// A store whose first read of a secret (not a document) finds nothing:
/// as if the lookup read the index just before a writer on another machine
/// wrote the new secret and deleted the old one.
struct FirstReadMisses {
    inner: MemoryStore,
    missed: AtomicBool,
}

impl SecretStore for FirstReadMisses {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::COMPARE_AND_SET
    }
    fn read(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        if Document::from_id(id).is_none() && !self.missed.swap(true, Ordering::SeqCst) {
            return Ok(None);
        }
        self.inner.read(id)
    }
    fn write_if(
        &self,
        id: &str,
        label: &str,
        secret: &[u8],
        condition: WriteIf,
    ) -> Result<Option<Version>, StoreError> {
        self.inner.write_if(id, label, secret, condition)
    }
    fn delete(&self, id: &str) -> Result<(), StoreError> {
        self.inner.delete(id)
    }
}

#[test]
fn an_index_in_the_store_keeps_one_entry_per_slot_and_no_local_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::default();
    let vault = Vault::new(in_store(&dir), &store);
    vault.store(entry("ann"), &parts("pw-1")).unwrap();
    vault.store(entry("ann"), &parts("pw-2")).unwrap();

    let index: Index = documents::read(&store, Document::Index).unwrap().0;
    assert_eq!(
        index.entries.len(),
        1,
        "the second store replaced the first"
    );
    assert_eq!(
        store.len(),
        2,
        "one secret and the index document, nothing else"
    );
    let found = vault.find(&request("ann"), NOW).unwrap().unwrap();
    assert_eq!(found.secrets.password.unwrap().expose_secret(), "pw-2");
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "nothing is written to the local folder"
    );
}

#[test]
fn a_lookup_that_found_a_listed_secret_missing_reads_again_and_serves_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = FirstReadMisses {
        inner: MemoryStore::default(),
        missed: AtomicBool::new(true),
    };
    let vault = Vault::new(in_store(&dir), &store);
    vault.store(entry("ann"), &parts("pw-1")).unwrap();
    store.missed.store(false, Ordering::SeqCst);

    let found = vault
        .find(&request("ann"), NOW)
        .expect("the lookup succeeds")
        .expect("a secret listed and there is served, though the first read missed it");
    assert_eq!(found.secrets.password.unwrap().expose_secret(), "pw-1");
}

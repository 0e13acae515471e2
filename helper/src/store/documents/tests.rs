use std::sync::atomic::{AtomicU32, Ordering};

use serde::{Deserialize, Serialize};

use super::*;
use crate::store::{Capabilities, MemoryStore, Stored};

/// A document of names, the smallest that shows what a change does.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Names {
    version: u32,
    names: Vec<String>,
}

impl VersionedJson for Names {
    const FORMAT_VERSION: u32 = 1;
    fn version_mut(&mut self) -> &mut u32 {
        &mut self.version
    }
}

/// A memory store where another writer adds a name to the document just
/// before each of the next `meddles` conditional writes of it.
struct Meddled {
    inner: MemoryStore,
    meddles: AtomicU32,
}

impl Meddled {
    fn new(meddles: u32) -> Self {
        Self {
            inner: MemoryStore::default(),
            meddles: AtomicU32::new(meddles),
        }
    }

    fn names(&self) -> Vec<String> {
        read::<Names>(&self.inner, Document::Index).unwrap().0.names
    }
}

impl SecretStore for Meddled {
    fn describe(&self) -> String {
        "meddled memory store".into()
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::COMPARE_AND_SET
    }
    fn read(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        self.inner.read(id)
    }
    fn write_if(
        &self,
        id: &str,
        label: &str,
        secret: &[u8],
        condition: WriteIf,
    ) -> Result<Option<Version>, StoreError> {
        let left = self.meddles.load(Ordering::SeqCst);
        if left > 0 {
            self.meddles.store(left - 1, Ordering::SeqCst);
            update(&self.inner, Document::Index, |n: &mut Names| {
                n.names.push(format!("other-{left}"));
                Ok::<_, DocumentError>(())
            })
            .unwrap();
        }
        self.inner.write_if(id, label, secret, condition)
    }
    fn delete(&self, id: &str) -> Result<(), StoreError> {
        self.inner.delete(id)
    }
}

fn add(store: &dyn SecretStore, name: &str) -> Result<(), DocumentError> {
    update(store, Document::Index, |n: &mut Names| {
        n.names.push(name.to_owned());
        Ok(())
    })
}

#[test]
fn reserved_ids_name_their_documents_and_are_never_a_secret_id() {
    for document in [Document::Index, Document::Accounts] {
        assert_eq!(Document::from_id(document.id()), Some(document));
        assert!(
            !document.id().bytes().all(|b| b.is_ascii_hexdigit()),
            "a secret's id is hex digits only; a document's must never look like one"
        );
    }
    assert_eq!(Document::from_id("0123abcd"), None);
}

#[test]
fn the_first_change_creates_the_document_and_the_next_ones_replace_it() {
    let store = MemoryStore::default();
    add(&store, "a").unwrap();
    add(&store, "b").unwrap();
    let (names, version) = read::<Names>(&store, Document::Index).unwrap();
    assert_eq!(names.names, ["a", "b"], "both changes are kept, in order");
    assert!(version.is_some(), "a kept document has a version");
}

#[test]
fn a_change_that_changes_nothing_writes_nothing() {
    let store = MemoryStore::default();
    update(&store, Document::Index, |_: &mut Names| {
        Ok::<_, DocumentError>(())
    })
    .unwrap();
    assert!(
        store.is_empty(),
        "no document is created for a change that leaves it empty"
    );
}

#[test]
fn a_change_that_lost_a_race_is_applied_again_to_what_the_other_writer_wrote() {
    let store = Meddled::new(3);
    add(&store, "mine").unwrap();
    assert_eq!(
        store.names(),
        ["other-3", "other-2", "other-1", "mine"],
        "the other writer's three changes stay, and this one is applied after them"
    );
}

#[test]
fn a_change_that_loses_every_race_gives_up_after_64_attempts_and_says_try_again() {
    let store = Meddled::new(ATTEMPTS);
    let Err(DocumentError::Store(error)) = add(&store, "mine") else {
        panic!("64 lost races must end the change with an error");
    };
    assert!(
        matches!(error, StoreError::Contended { attempts: 64, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("changed by others too often")
            && error.to_string().contains("try again"),
        "the message says what happened and what to do: {error}"
    );
    assert_eq!(
        crate::commands::store_exit_code(&error),
        mailcred_core::exit::TEMPORARY,
        "a contended document is a temporary failure (75)"
    );
    assert!(
        !store.names().contains(&"mine".to_owned()),
        "nothing of the abandoned change was written"
    );
}

#[test]
fn a_damaged_document_is_reported_with_its_place_not_its_bytes() {
    let store = MemoryStore::default();
    store.write("index", "x", b"{ not json").unwrap();
    let Err(DocumentError::Json(JsonFileError::Corrupt { path, .. })) =
        read::<Names>(&store, Document::Index)
    else {
        panic!("a damaged document must be reported as damaged");
    };
    assert!(
        path.display()
            .to_string()
            .contains("\"index\" in in-memory store"),
        "{}",
        path.display()
    );
}

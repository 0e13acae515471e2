//! A change of the shared index that loses a race to another machine is
//! applied again to the index that machine left, in the vault's
//! crash-safety order (listed before written, deleted before unlisted);
//! one that loses every race gives up with exit 75.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use mailcred::exit;
use mailcred::oauth::FakeTokenSource;
use mailcred::store::documents::{self, Document, DocumentError};
use mailcred::store::{
    Capabilities, MemoryStore, SecretStore, StoreError, Stored, Version, WriteIf,
};
use mailcred::vault::{Index, IndexEntry};

use super::{Machine, index};
use crate::replay::NOW;

/// What reached the store, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    /// The index was written, listing these ids.
    Listed(Vec<String>),
    /// A secret was written.
    Wrote(String),
    /// A secret was deleted.
    Deleted(String),
}

/// The other machine's credential, listed in the index behind our back.
const THEIRS: &str = "ffffffffffffffffffffffffffffffff";

/// A shared store that logs what reaches it and, before each of the next
/// `meddles` conditional writes of the index, lets another machine list a
/// credential of its own first, so that the write finds the index changed.
struct Watched<'a> {
    inner: &'a MemoryStore,
    meddles: AtomicU32,
    log: Mutex<Vec<Event>>,
}

impl<'a> Watched<'a> {
    fn new(inner: &'a MemoryStore, meddles: u32) -> Self {
        Self {
            inner,
            meddles: AtomicU32::new(meddles),
            log: Mutex::default(),
        }
    }

    fn log(&self) -> Vec<Event> {
        self.log.lock().unwrap().clone()
    }

    /// Another machine lists a credential (one more each time).
    fn meddle(&self) {
        documents::update(self.inner, Document::Index, |index: &mut Index| {
            index.entries.push(IndexEntry {
                id: THEIRS.into(),
                protocol: Some("smtp".into()),
                host: Some(format!("other-{}.example:587", index.entries.len())),
                username: Some("them".into()),
                stored_at: NOW,
                ..IndexEntry::default()
            });
            Ok::<_, DocumentError>(())
        })
        .unwrap();
    }
}

impl SecretStore for Watched<'_> {
    fn describe(&self) -> String {
        self.inner.describe()
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
        let is_index = Document::from_id(id) == Some(Document::Index);
        if is_index
            && self
                .meddles
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
        {
            self.meddle();
        }
        let written = self.inner.write_if(id, label, secret, condition)?;
        let event = match Document::from_id(id) {
            Some(Document::Index) => {
                let index: Index = serde_json::from_slice(secret).expect("the index is JSON");
                Event::Listed(index.entries.into_iter().map(|e| e.id).collect())
            }
            Some(Document::Accounts) => return Ok(written),
            None => Event::Wrote(id.to_owned()),
        };
        self.log.lock().unwrap().push(event);
        Ok(written)
    }
    fn delete(&self, id: &str) -> Result<(), StoreError> {
        self.inner.delete(id)?;
        self.log.lock().unwrap().push(Event::Deleted(id.to_owned()));
        Ok(())
    }
}

/// The id of the account's one index entry.
fn entry_of(store: &MemoryStore, name: &str) -> String {
    let ids: Vec<String> = index(store)
        .entries
        .into_iter()
        .filter(|e| e.account.as_deref() == Some(name))
        .map(|e| e.id)
        .collect();
    assert_eq!(ids.len(), 1, "the account has exactly one index entry");
    ids[0].clone()
}

fn position(log: &[Event], what: &str, wanted: impl Fn(&Event) -> bool) -> usize {
    log.iter()
        .position(wanted)
        .unwrap_or_else(|| panic!("expected {what} in {log:#?}"))
}

#[test]
fn a_password_change_that_lost_a_race_is_applied_again_in_the_crash_safe_order() {
    let (store, tokens) = (MemoryStore::default(), FakeTokenSource::new(NOW, 3600));
    assert_eq!(Machine::new(&store, &tokens).add("work", "work-pw-1").0, 0);
    let old = entry_of(&store, "work");

    let watched = Watched::new(&store, 1);
    let changed = Machine::new(&watched, &tokens).set_password("work", "work-pw-2");
    assert_eq!(changed.0, 0, "set-password succeeds: {}", changed.1);

    let new = entry_of(&store, "work");
    let log = watched.log();
    let listed = position(
        &log,
        "the new entry listed beside the old",
        |e| matches!(e, Event::Listed(ids) if ids.contains(&new) && ids.contains(&old)),
    );
    let wrote = position(&log, "the new secret written", |e| {
        *e == Event::Wrote(new.clone())
    });
    let deleted = position(&log, "the old secret deleted", |e| {
        *e == Event::Deleted(old.clone())
    });
    let unlisted = position(
        &log,
        "the old entry unlisted",
        |e| matches!(e, Event::Listed(ids) if ids.contains(&new) && !ids.contains(&old)),
    );
    assert!(
        listed < wrote && wrote < deleted && deleted < unlisted,
        "listed ({listed}) before written ({wrote}), deleted ({deleted}) before unlisted \
         ({unlisted}): a crash at any point leaves a password served; log {log:#?}"
    );
    assert!(
        index(&store).entries.iter().any(|e| e.id == THEIRS),
        "the other machine's entry, listed while this change ran, is still listed"
    );
    assert_eq!(
        Machine::new(&store, &tokens).get("work"),
        (0, "work-pw-2\n".to_owned()),
        "the new password serves"
    );
}

#[test]
fn an_index_changed_by_others_at_every_attempt_fails_with_75_and_keeps_the_old_password() {
    let (store, tokens) = (MemoryStore::default(), FakeTokenSource::new(NOW, 3600));
    assert_eq!(Machine::new(&store, &tokens).add("work", "work-pw-1").0, 0);

    let watched = Watched::new(&store, u32::MAX);
    let (status, message) = Machine::new(&watched, &tokens).set_password("work", "work-pw-2");
    assert_eq!(
        status,
        exit::TEMPORARY,
        "64 lost races end in a temporary failure: {message}"
    );
    assert!(
        message.contains("changed by others too often") && message.contains("try again"),
        "the message says what happened and what to do: {message}"
    );
    assert!(
        !watched.log().iter().any(|e| matches!(e, Event::Wrote(_))),
        "no secret is written when its listing never landed: {:#?}",
        watched.log()
    );
    assert_eq!(
        Machine::new(&store, &tokens).get("work"),
        (0, "work-pw-1\n".to_owned()),
        "the old password still serves"
    );
}

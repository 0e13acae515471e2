//! Several machines sharing one store that keeps mailcred's documents (the
//! index and the accounts, as OpenBao does): each "machine" is a context of
//! its own, with its own local folder, over one compare-and-set store.
//!
//! - here: accounts added on one machine serve on the other, and 32
//!   concurrent adds, changes and removes from two machines lose nothing;
//! - [`order`]: a change that lost a race is applied again and keeps the
//!   vault's crash-safety order; one that loses every race exits 75;
//! - [`refresh`]: two machines refreshing one OAuth2 account at once keep
//!   one pair, the winner's, and the loser serves it.

mod order;
mod refresh;

use std::collections::BTreeMap;

use mailcred::accounts::Provider;
use mailcred::commands::accounts::{self, NewAccount};
use mailcred::commands::{self, CommandError, Context};
use mailcred::oauth::FakeTokenSource;
use mailcred::store::documents::{self, Document};
use mailcred::store::{MemoryStore, SecretStore};
use mailcred::vault::Index;
use secrecy::SecretString;
use tempfile::TempDir;

use crate::accounts::ADDED;
use crate::replay::NOW;

/// One machine: its own local folder, the shared store.
pub struct Machine<'s> {
    dir: TempDir,
    store: &'s dyn SecretStore,
    tokens: &'s FakeTokenSource,
}

impl<'s> Machine<'s> {
    pub fn new(store: &'s dyn SecretStore, tokens: &'s FakeTokenSource) -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temporary directory"),
            store,
            tokens,
        }
    }

    pub fn ctx(&self) -> Context<'_> {
        Context::sharing_store(self.dir.path(), NOW, self.store).with_tokens(self.tokens)
    }

    /// Runs `command`, its exit status and output (or error line).
    pub fn run(
        &self,
        command: impl FnOnce(&Context<'_>, &mut Vec<u8>) -> Result<(), CommandError>,
    ) -> (u8, String) {
        let mut out = Vec::new();
        match command(&self.ctx(), &mut out) {
            Ok(()) => (0, String::from_utf8(out).expect("UTF-8")),
            Err(e) => (e.exit_code(), format!("{:#}", anyhow::Error::from(e))),
        }
    }

    pub fn add(&self, name: &str, password: &str) -> (u8, String) {
        let new = account(name);
        let password = SecretString::from(password);
        self.run(|ctx, out| {
            accounts::add(ctx, accounts::resolve(&new, ADDED.into())?, password, out)
        })
    }

    pub fn set_password(&self, name: &str, password: &str) -> (u8, String) {
        let password = SecretString::from(password);
        self.run(|ctx, out| accounts::set_password(ctx, name, password, out))
    }

    pub fn remove(&self, name: &str) -> (u8, String) {
        self.run(|ctx, out| accounts::remove(ctx, name, out))
    }

    pub fn get(&self, name: &str) -> (u8, String) {
        self.run(|ctx, out| commands::lookup::get(ctx, name, out))
    }

    /// Whether the machine's local folder holds anything but lock files.
    pub fn local_files(&self) -> Vec<String> {
        walk(self.dir.path())
            .into_iter()
            .filter(|name| !name.ends_with(".lock"))
            .collect()
    }
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path.display().to_string());
        }
    }
    found
}

/// `mailcred add NAME --provider gmail --user NAME@example.org`: every
/// account its own login, so that none shares another's credential slot.
pub fn account(name: &str) -> NewAccount {
    NewAccount::new(name, Provider::Gmail, format!("{name}@example.org"))
}

/// The index as the store keeps it.
pub fn index(store: &dyn SecretStore) -> Index {
    documents::read::<Index>(store, Document::Index)
        .expect("the index in the store reads")
        .0
}

#[test]
fn an_account_added_on_one_machine_serves_from_the_other_and_leaves_no_local_file() {
    let (store, tokens) = (MemoryStore::default(), FakeTokenSource::new(NOW, 3600));
    let (one, other) = (Machine::new(&store, &tokens), Machine::new(&store, &tokens));
    assert_eq!(
        one.add("work", "work-pw-1").0,
        0,
        "add on the first machine"
    );

    assert_eq!(
        other.get("work"),
        (0, "work-pw-1\n".to_owned()),
        "the other machine, sharing only the store, serves the account's password"
    );
    assert_eq!(other.remove("work").0, 0, "and can remove it");
    assert_eq!(
        one.get("work").0,
        mailcred::exit::NO_ACCOUNT,
        "after which the first machine no longer knows it"
    );
    for machine in [&one, &other] {
        assert_eq!(
            machine.local_files(),
            Vec::<String>::new(),
            "a store that keeps the documents leaves no index or account file on the machine"
        );
    }
}

/// What a machine does to its sixteen accounts, by number: add all; change
/// the password of every second; remove every fourth.
fn busy_machine(machine: &Machine<'_>, prefix: &str) {
    for i in 0..16 {
        let name = format!("{prefix}{i}");
        let added = machine.add(&name, &format!("{name}-pw-1"));
        assert_eq!(added.0, 0, "add {name}: {}", added.1);
        if i % 2 == 0 {
            let changed = machine.set_password(&name, &format!("{name}-pw-2"));
            assert_eq!(changed.0, 0, "set-password {name}: {}", changed.1);
        }
        if i % 4 == 3 {
            let removed = machine.remove(&name);
            assert_eq!(removed.0, 0, "remove {name}: {}", removed.1);
        }
    }
}

/// The password each account must have after [`busy_machine`].
fn expected(prefix: &str) -> BTreeMap<String, String> {
    (0..16)
        .filter(|i| i % 4 != 3)
        .map(|i| {
            let name = format!("{prefix}{i}");
            let version = if i % 2 == 0 { 2 } else { 1 };
            let password = format!("{name}-pw-{version}");
            (name, password)
        })
        .collect()
}

#[test]
fn thirty_two_concurrent_adds_changes_and_removes_from_two_machines_lose_nothing() {
    let (store, tokens) = (MemoryStore::default(), FakeTokenSource::new(NOW, 3600));
    let (one, other) = (Machine::new(&store, &tokens), Machine::new(&store, &tokens));
    let start = std::sync::Barrier::new(2);
    std::thread::scope(|scope| {
        for (machine, prefix) in [(&one, "a"), (&other, "b")] {
            let start = &start;
            scope.spawn(move || {
                start.wait();
                busy_machine(machine, prefix);
            });
        }
    });

    let mut want = expected("a");
    want.extend(expected("b"));
    let names: Vec<String> = one
        .ctx()
        .accounts
        .read()
        .expect("the accounts read")
        .accounts
        .into_iter()
        .map(|a| a.name)
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        want.keys().cloned().collect::<Vec<_>>(),
        "every account added and not removed by either machine is listed, once"
    );
    for (name, password) in &want {
        assert_eq!(
            other.get(name),
            (0, format!("{password}\n")),
            "{name} serves its last password on either machine"
        );
    }
    let listed: Vec<String> = index(&store).entries.into_iter().map(|e| e.id).collect();
    assert_eq!(
        listed.len(),
        want.len(),
        "one index entry per account: none lost, none left by a removal"
    );
    let mut kept: Vec<String> = store
        .ids()
        .into_iter()
        .filter(|id| Document::from_id(id).is_none())
        .collect();
    let mut listed = listed;
    kept.sort();
    listed.sort();
    assert_eq!(
        kept, listed,
        "every secret in the store is listed, and every listed one is there"
    );
}

//! The vault over an in-memory store and a temporary index: crash-safety
//! ordering, store failures, file modes and a damaged index.

use secrecy::ExposeSecret;
use tempfile::TempDir;

use super::*;
use crate::store::{MemoryStore, Op};

const NOW: u64 = 1_800_000_000;

/// A temporary index folder (created by the vault itself) and a store.
struct Setup {
    dir: TempDir,
    store: MemoryStore,
}

impl Setup {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temporary directory"),
            store: MemoryStore::default(),
        }
    }

    fn index(&self) -> IndexFile {
        IndexFile::in_dir(self.dir.path().join("mailcred"))
    }

    fn vault(&self) -> Vault<'_> {
        Vault::new(self.index(), &self.store)
    }

    /// Stores `password` for `username` at smtp://mail.example.
    fn store(&self, username: &str, password: &str) {
        self.vault()
            .store(entry(username), &parts(password))
            .expect("storing into a working store succeeds");
    }

    /// The index as saved on disk, newest first.
    fn entries(&self) -> Vec<IndexEntry> {
        let index = self.index();
        match index.lock(false).expect("the index can be locked") {
            None => Vec::new(),
            Some(lock) => index.load(&lock).expect("the index loads").entries,
        }
    }

    fn usernames(&self) -> Vec<String> {
        self.entries()
            .into_iter()
            .map(|e| e.username.unwrap_or_default())
            .collect()
    }
}

fn entry(username: &str) -> IndexEntry {
    IndexEntry {
        id: String::new(),
        protocol: Some("smtp".into()),
        host: Some("mail.example".into()),
        username: Some(username.into()),
        stored_at: NOW,
        ..IndexEntry::default()
    }
}

fn parts(password: &str) -> SecretParts {
    SecretParts {
        password: Some(password.into()),
        ..SecretParts::default()
    }
}

/// A request for smtp://mail.example, for `username` when given.
fn request(username: Option<&str>) -> Credential {
    Credential {
        protocol: Some("smtp".into()),
        host: Some("mail.example".into()),
        username: username.map(Into::into),
        ..Credential::default()
    }
}

fn with_password(mut request: Credential, password: &str) -> Credential {
    request.password = Some(password.into());
    request
}

/// The password `find` serves, if any.
fn served(vault: &Vault<'_>, request: &Credential) -> Option<String> {
    vault
        .find(request, NOW)
        .expect("find succeeds")
        .and_then(|found| found.secrets.password)
        .map(|p| p.expose_secret().to_owned())
}

#[test]
fn an_entry_whose_secret_is_missing_is_skipped_and_the_next_match_served() {
    let s = Setup::new();
    s.store("ann", "ann-pw");
    s.store("bob", "bob-pw");
    let newest = &s.entries()[0];
    assert_eq!(
        newest.username.as_deref(),
        Some("bob"),
        "newest entries come first"
    );
    s.store.delete(&newest.id).unwrap();

    assert_eq!(
        served(&s.vault(), &request(None)),
        Some("ann-pw".into()),
        "an entry whose keyring secret is gone (a crash between steps) must be skipped, \
         and the next matching entry served instead of nothing"
    );
}

#[test]
fn a_listed_secret_that_does_not_decode_is_reported_as_damaged_not_skipped() {
    let s = Setup::new();
    s.store("ann", "ann-pw");
    s.store("bob", "bob-pw");
    let newest = s.entries()[0].clone();
    // Not in our encoding (a bare CR): damaged, or written by someone else.
    s.store
        .write(&newest.id, "foreign", b"password=x\ry\n")
        .unwrap();

    let result = s.vault().find(&request(None), NOW);

    let Err(error @ VaultError::DamagedSecret { .. }) = result else {
        panic!(
            "a listed keyring item that does not decode is damage: it must be reported, \
             not skipped for an older match or read as no password; got {result:?}"
        );
    };
    let message = error.to_string();
    assert!(
        message.contains(&newest.id) && message.contains("smtp://bob@mail.example"),
        "the message must name the item and whose it is: {message}"
    );
    assert!(
        !message.contains("password=x"),
        "the message must never show the item's bytes: {message}"
    );
}

#[test]
fn an_expired_newer_entry_is_skipped_for_an_older_valid_one() {
    let s = Setup::new();
    s.store("ann", "ann-pw");
    let mut expired = entry("bob");
    expired.password_expiry_utc = Some((NOW - 1).to_string());
    s.vault().store(expired, &parts("bob-pw")).unwrap();

    assert_eq!(
        served(&s.vault(), &request(None)),
        Some("ann-pw".into()),
        "an expired password is never served, and must not hide an older valid match"
    );
}

#[test]
fn an_authtype_only_entry_answers_only_a_caller_with_the_capability() {
    let s = Setup::new();
    let mut token = entry("ann");
    token.authtype = Some("Bearer".into());
    let secrets = SecretParts {
        credential: Some("bearer-token".into()),
        ..SecretParts::default()
    };
    s.vault().store(token, &secrets).unwrap();

    assert!(
        s.vault().find(&request(None), NOW).unwrap().is_none(),
        "without capability[]=authtype the caller cannot use a credential that has no password"
    );
    let mut capable = request(None);
    capable.capabilities.push("authtype".into());
    let found = s.vault().find(&capable, NOW).unwrap();
    assert_eq!(
        found
            .and_then(|f| f.secrets.credential)
            .map(|c| c.expose_secret().to_owned()),
        Some("bearer-token".into()),
        "with capability[]=authtype the authtype credential is served"
    );
}

#[test]
fn a_failed_secret_write_leaves_no_index_entry() {
    let s = Setup::new();
    s.store("ann", "ann-pw");
    s.store.fail_next(Op::Write, StoreError::locked());

    let result = s.vault().store(entry("bob"), &parts("bob-pw"));

    assert!(
        matches!(result, Err(VaultError::Store(StoreError::Locked { .. }))),
        "the store's failure must be reported, got {result:?}"
    );
    assert_eq!(
        s.usernames(),
        ["ann"],
        "the entry listed before the failed secret write must be taken back, \
         and the entries already there kept"
    );
}

#[test]
fn a_first_store_that_fails_leaves_an_empty_index() {
    let s = Setup::new();
    s.store.fail_next(Op::Write, StoreError::locked());

    assert!(s.vault().store(entry("ann"), &parts("ann-pw")).is_err());

    assert!(
        s.entries().is_empty(),
        "a store whose secret was never written must leave no entry pointing at nothing"
    );
}

#[test]
fn erase_with_a_store_that_fails_on_read_deletes_nothing() {
    let s = Setup::new();
    s.store("ann", "ann-pw");
    s.store.fail_next(Op::Read, StoreError::locked());

    let result = s
        .vault()
        .erase(&with_password(request(Some("ann")), "ann-pw"));

    assert!(
        matches!(result, Err(VaultError::Store(StoreError::Locked { .. }))),
        "an erase that cannot read the stored password must fail, got {result:?}"
    );
    assert_eq!(
        (s.usernames(), s.store.len()),
        (vec!["ann".to_owned()], 1),
        "when the password cannot be compared, nothing may be deleted on doubt: \
         expected the index entry and its secret kept"
    );
}

#[test]
fn erase_with_a_store_that_fails_on_delete_keeps_the_index_entry() {
    let s = Setup::new();
    s.store("ann", "ann-pw");
    s.store.fail_next(Op::Delete, StoreError::locked());

    assert!(s.vault().erase(&request(Some("ann"))).is_err());

    assert_eq!(
        (s.usernames(), s.store.len()),
        (vec!["ann".to_owned()], 1),
        "a secret that could not be deleted must stay listed, or it would be orphaned"
    );
}

#[test]
fn erase_with_a_password_removes_a_dangling_entry() {
    let s = Setup::new();
    s.store("ann", "ann-pw");
    let id = s.entries()[0].id.clone();
    s.store.delete(&id).unwrap();

    let erased = s
        .vault()
        .erase(&with_password(request(Some("ann")), "ann-pw"))
        .unwrap();

    assert_eq!(
        erased.removed, 1,
        "an entry without a secret has nothing left to keep"
    );
    assert!(
        s.entries().is_empty(),
        "the dangling entry must be tidied away"
    );
}

#[test]
fn an_unscoped_erase_is_refused_before_touching_anything() {
    let s = Setup::new();
    s.store("ann", "ann-pw");

    let result = s.vault().erase(&Credential {
        password: Some("ann-pw".into()),
        ..Credential::default()
    });

    assert!(
        matches!(result, Err(VaultError::UnscopedErase)),
        "an erase naming no protocol, host, path or username must be refused, got {result:?}"
    );
    assert_eq!((s.entries().len(), s.store.len()), (1, 1), "nothing erased");
}

#[test]
fn storing_the_same_slot_twice_leaves_one_entry_and_one_secret() {
    let s = Setup::new();
    s.store("ann", "first-pw");
    let first_id = s.entries()[0].id.clone();
    s.store("ann", "second-pw");

    assert_eq!(s.entries().len(), 1, "one index entry per slot");
    assert_eq!(
        s.store.len(),
        1,
        "the replaced secret must be deleted from the keyring"
    );
    assert_ne!(
        s.entries()[0].id,
        first_id,
        "a replacement gets a fresh id, so a stale entry can never find the new secret"
    );
    assert_eq!(
        served(&s.vault(), &request(Some("ann"))),
        Some("second-pw".into()),
        "the newer password is served"
    );
}

#[test]
fn the_index_never_holds_a_secret() {
    let s = Setup::new();
    let mut token = entry("ann");
    token.authtype = Some("Bearer".into());
    let secrets = SecretParts {
        password: Some("secret-password".into()),
        oauth_refresh_token: Some("secret-refresh".into()),
        credential: Some("secret-credential".into()),
        expires_at: Some(1_798_000_000),
        client_secret: Some("secret-client".into()),
    };
    s.vault().store(token, &secrets).unwrap();

    let text = std::fs::read_to_string(s.index().path()).unwrap();
    for secret in [
        "secret-password",
        "secret-refresh",
        "secret-credential",
        "secret-client",
    ] {
        assert!(
            !text.contains(secret),
            "the index file is plain JSON on disk: it must not contain {secret:?}"
        );
    }
}

#[test]
fn a_get_on_a_fresh_machine_creates_no_files() {
    let s = Setup::new();

    assert!(s.vault().find(&request(None), NOW).unwrap().is_none());

    assert!(
        !s.dir.path().join("mailcred").exists(),
        "looking up a credential must not create the index folder"
    );
}

#[cfg(unix)]
#[test]
fn the_index_file_is_0600_and_its_folder_0700() {
    use std::os::unix::fs::PermissionsExt;

    let s = Setup::new();
    s.store("ann", "ann-pw");

    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("{} exists: {e}", path.display()))
            .permissions()
            .mode()
            & 0o777
    };
    let index = s.index().path();
    let folder = index.parent().unwrap().to_owned();
    assert_eq!(
        mode(&index),
        0o600,
        "the index names hosts and users: only its owner may read it"
    );
    assert_eq!(
        mode(&folder),
        0o700,
        "the folder must be private too, so nobody else can swap files in it"
    );
    assert_eq!(
        mode(&folder.join("credentials.lock")),
        0o600,
        "the lock file is private like the rest"
    );
}

/// Writes `bytes` as the index file, as a damaged or foreign file would be.
fn plant_index(s: &Setup, bytes: &[u8]) -> std::path::PathBuf {
    let path = s.index().path();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_corrupt_index_is_reported_and_left_untouched_by_a_store() {
    let s = Setup::new();
    let damaged = b"{\"version\": 1, \"entries\": [ {\"id\": \"tr";
    let path = plant_index(&s, damaged);

    let result = s.vault().store(entry("ann"), &parts("ann-pw"));

    assert!(
        matches!(result, Err(VaultError::Index(IndexError::Corrupt { .. }))),
        "a damaged index must be reported as such, got {result:?}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        damaged,
        "the damaged index must be left byte for byte as it was, for the user to recover"
    );
    assert!(
        s.store.is_empty(),
        "no secret may be written without an index entry listing it"
    );
    assert!(
        matches!(
            s.vault().find(&request(None), NOW),
            Err(VaultError::Index(IndexError::Corrupt { .. }))
        ),
        "a lookup must report the damage too, not answer as if nothing were stored"
    );
}

#[test]
fn an_index_of_a_newer_version_is_refused_as_newer_and_left_untouched() {
    let s = Setup::new();
    let future = b"{\"version\": 99, \"entries\": []}\n";
    let path = plant_index(&s, future);

    let result = s.vault().erase(&request(Some("ann")));

    assert!(
        matches!(
            result,
            Err(VaultError::Index(IndexError::Newer {
                version: 99,
                supported: 2,
                ..
            }))
        ),
        "an index from a newer mailcred must not be read as ours, and be named as newer, not \
         damaged, got {result:?}"
    );
    let message = result.unwrap_err().to_string();
    assert!(
        message.contains("newer mailcred") && message.contains("upgrade"),
        "the message must say why and what to do: {message}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        future,
        "an index this version does not understand must not be rewritten"
    );
}

/// A keyring that stops being waited for but writes anyway: what a store
/// call abandoned at its deadline may do, or an OpenBao write whose answer
/// was lost while its cluster changed leader. It fails with the error made
/// by its second field.
struct LandsAfterTheDeadline(MemoryStore, fn() -> StoreError);

impl SecretStore for LandsAfterTheDeadline {
    fn describe(&self) -> String {
        "a keyring answering after the deadline (test)".into()
    }
    fn capabilities(&self) -> crate::store::Capabilities {
        self.0.capabilities()
    }
    fn read(&self, id: &str) -> Result<Option<crate::store::Stored>, StoreError> {
        self.0.read(id)
    }
    fn write_if(
        &self,
        id: &str,
        label: &str,
        secret: &[u8],
        condition: crate::store::WriteIf,
    ) -> Result<Option<crate::store::Version>, StoreError> {
        self.0.write_if(id, label, secret, condition)?;
        Err((self.1)())
    }
    fn delete(&self, id: &str) -> Result<(), StoreError> {
        self.0.delete(id)
    }
}

#[test]
fn a_write_that_timed_out_stays_listed_so_no_secret_is_ever_unlisted() {
    let s = Setup::new();
    let late = LandsAfterTheDeadline(MemoryStore::default(), || StoreError::TimedOut {
        limit: crate::store::Seconds(std::time::Duration::from_secs(2)),
        hint: crate::store::Hint::NONE,
    });
    let result = Vault::new(s.index(), &late).store(entry("bob"), &parts("bob-pw"));
    assert!(
        matches!(result, Err(VaultError::Store(StoreError::TimedOut { .. }))),
        "the timeout is reported, got {result:?}"
    );
    let listed: Vec<String> = s.entries().into_iter().map(|e| e.id).collect();
    assert_eq!(late.0.len(), 1, "the late write landed");
    assert_eq!(
        listed.len(),
        1,
        "the entry of a write abandoned at its deadline must stay listed: it may have landed"
    );
    assert!(
        late.0.read(&listed[0]).unwrap().is_some(),
        "and it lists the secret that landed"
    );
}

#[test]
fn a_write_cut_off_by_a_temporary_failure_stays_listed_too() {
    let s = Setup::new();
    let late = LandsAfterTheDeadline(MemoryStore::default(), || StoreError::Temporary {
        why: "no active node (the cluster is electing a leader)".into(),
        hint: crate::store::Hint::NONE,
    });
    let result = Vault::new(s.index(), &late).store(entry("bob"), &parts("bob-pw"));
    assert!(
        matches!(result, Err(VaultError::Store(StoreError::Temporary { .. }))),
        "the temporary failure is reported, got {result:?}"
    );
    let listed: Vec<String> = s.entries().into_iter().map(|e| e.id).collect();
    assert_eq!(
        listed.len(),
        1,
        "a write whose answer was lost may have landed, so its entry must stay listed"
    );
    assert!(late.0.read(&listed[0]).unwrap().is_some());
}

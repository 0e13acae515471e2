//! `git-credential-mailcred ACTION` (src/commands/git.rs): one test per
//! transcript in `tests/fixtures/git/`, named after it, then the rules a
//! transcript cannot set up (damaged stored data, a locked keyring).

use mailcred::commands::{self, Context};
use mailcred::exit;
use mailcred::store::{MemoryStore, Op, StoreError};
use mailcred::vault::{IndexEntry, IndexFile, SecretParts, Vault};

use crate::replay::{self, NOW};

/// One `#[test]` per transcript, replaying `tests/fixtures/git/NAME.txt`.
macro_rules! transcripts {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                replay::replay(stringify!($name));
            }
        )*
        /// Every transcript that has a test, to spot fixtures nobody runs.
        const TRANSCRIPTS: &[&str] = &[$(stringify!($name)),*];
    };
}

transcripts! {
    // The wire format: lines, bytes, keys.
    a_70000_byte_wwwauth_line_never_changes_the_host,
    a_bare_cr_inside_a_value_is_refused,
    a_cr_at_the_end_of_input_without_lf_is_refused,
    a_nul_anywhere_in_the_request_is_refused,
    crlf_line_endings_are_accepted_and_the_cr_stripped,
    a_line_without_equals_is_refused,
    a_request_ends_at_the_first_blank_line,
    unknown_keys_and_url_are_ignored,
    keys_are_case_sensitive,
    a_request_over_one_mebibyte_is_refused,
    // Actions.
    capability_announces_version_0_and_authtype,
    an_unknown_action_prints_nothing_and_succeeds,
    // get.
    get_without_protocol_or_host_answers_nothing,
    get_prints_only_the_credential_fields_never_protocol_host_or_path,
    an_absent_username_matches_any_user_but_an_empty_one_only_itself,
    an_empty_host_is_a_value_not_a_wildcard,
    the_host_includes_the_port,
    two_users_on_one_host_are_kept_apart,
    a_path_in_the_request_must_match_the_stored_path,
    an_expired_password_is_not_served_and_a_valid_expiry_is_echoed,
    an_oauth_refresh_token_round_trips,
    authtype_is_stored_and_returned_only_with_the_capability,
    // store.
    store_replaces_the_credential_in_the_same_slot,
    an_ephemeral_credential_is_not_stored,
    a_store_missing_protocol_host_username_or_password_is_ignored,
    // erase.
    erase_without_a_password_removes_every_match,
    erase_with_a_password_removes_only_entries_holding_it,
    an_erase_naming_no_protocol_host_path_or_username_is_refused,
    // A whole conversation, as git send-email has it.
    git_send_email_asks_stores_and_erases_a_rejected_password,
}

#[test]
fn every_transcript_in_the_fixtures_folder_has_a_test() {
    let mut unlisted = Vec::new();
    for entry in std::fs::read_dir(replay::fixtures_dir()).expect("the fixtures folder exists") {
        let path = entry.expect("a readable fixtures folder").path();
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "txt") && !TRANSCRIPTS.contains(&name) {
            unlisted.push(name.to_owned());
        }
    }
    assert!(
        unlisted.is_empty(),
        "every transcript must be replayed by a test named after it (add it to `transcripts!`); \
         not replayed: {unlisted:?}"
    );
}

#[test]
fn the_long_line_transcript_really_sends_a_70000_byte_line() {
    let transcript = replay::load("a_70000_byte_wwwauth_line_never_changes_the_host");
    let longest = transcript
        .steps
        .iter()
        .flat_map(|step| step.stdin.split(|&b| b == b'\n'))
        .max_by_key(|line| line.len())
        .expect("the transcript sends something");
    assert_eq!(
        longest.len(),
        70_000,
        "the fixture must keep its 70,000-byte line: past 64 KiB is where fixed buffers split lines"
    );
    assert!(
        longest.ends_with(b"host=evil.example"),
        "the long line must end in host=evil.example, the text a split would turn into a host line"
    );
}

/// A credential for smtp://mail.example, put in the vault directly so that
/// its index fields can hold what the protocol reader would refuse.
fn store_directly(vault: &Vault<'_>, username: &str) {
    let entry = IndexEntry {
        id: String::new(),
        protocol: Some("smtp".into()),
        host: Some("mail.example".into()),
        username: Some(username.into()),
        stored_at: NOW,
        ..IndexEntry::default()
    };
    let secrets = SecretParts {
        password: Some("pw-1".into()),
        ..SecretParts::default()
    };
    vault.store(entry, &secrets).expect("the vault stores");
}

#[test]
fn a_stored_value_with_a_line_break_is_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let index = IndexFile::in_dir(dir.path().join("mailcred"));
    let store = MemoryStore::default();
    // A hand-edited index could hold this; printed, it would add a line.
    store_directly(&Vault::new(index.clone(), &store), "ann\npassword=injected");
    let ctx = Context::with_store(index, NOW, &store);

    let mut stdout = Vec::new();
    let result = commands::git::run(
        "get",
        &b"protocol=smtp\nhost=mail.example\n"[..],
        &mut stdout,
        &ctx,
    );

    assert!(
        stdout.is_empty(),
        "a value with a line break must not reach stdout, where it would smuggle in a line; got {:?}",
        String::from_utf8_lossy(&stdout)
    );
    let err = result.expect_err("serving a value with a line break must fail, not answer");
    assert_eq!(
        err.exit_code(),
        exit::DATA_DAMAGED,
        "damaged stored data exits 76 so scripts can tell it from a refused request"
    );
}

#[test]
fn a_locked_keyring_fails_get_with_exit_75_and_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let index = IndexFile::in_dir(dir.path().join("mailcred"));
    let store = MemoryStore::default();
    store_directly(&Vault::new(index.clone(), &store), "ann");
    store.fail_next(Op::Read, StoreError::locked());
    let ctx = Context::with_store(index, NOW, &store);

    let mut stdout = Vec::new();
    let result = commands::git::run(
        "get",
        &b"protocol=smtp\nhost=mail.example\n"[..],
        &mut stdout,
        &ctx,
    );

    assert!(
        stdout.is_empty(),
        "a failure must print nothing on stdout, which msmtp and git would take as an answer"
    );
    assert_eq!(
        result.map_err(|e| e.exit_code()),
        Err(exit::KEYRING_LOCKED),
        "a locked keyring exits 75 (temporary failure: unlock and retry)"
    );
}

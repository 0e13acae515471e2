//! `Debug` output of every type that holds or passes near a secret shows
//! none: a `{:?}` in a log line, an `expect` or a panic message must not be
//! a way out. Each value is built from real input carrying a known secret.

use std::fmt::Debug;

use mailcred::accounts::{AccountError, Accounts, Provider};
use mailcred::commands::CommandError;
use mailcred::commands::accounts::{NewAccount, resolve};
use mailcred::protocol::{self, ProtocolError};
use mailcred::secret_input::{self, PasswordInputError};
use mailcred::store::{MemoryStore, StoreError};
use mailcred::vault::{IndexEntry, IndexFile, SecretParts, Vault, VaultError};
use secrecy::ExposeSecret;

const SECRET: &str = "debug-output-secret-3c9e71";

#[track_caller]
fn assert_hidden(value: &impl Debug) {
    for shown in [format!("{value:?}"), format!("{value:#?}")] {
        assert!(
            !shown.contains(SECRET),
            "Debug output must never show a secret, but it shows {SECRET:?}: {shown}"
        );
    }
}

fn request_with_every_secret() -> Vec<u8> {
    format!(
        "capability[]=authtype\nprotocol=smtp\nhost=smtp.example.com:587\nusername=ann\n\
         password={SECRET}\noauth_refresh_token={SECRET}\nauthtype=Bearer\ncredential={SECRET}\n"
    )
    .into_bytes()
}

#[test]
fn a_parsed_credential_and_its_redacted_copy_show_no_secret() {
    let credential = protocol::parse(&request_with_every_secret()).expect("a valid request");
    assert_eq!(
        credential.password.as_ref().map(|p| p.expose_secret()),
        Some(SECRET),
        "the request must really carry the secret for this test to mean anything"
    );
    assert_hidden(&credential);
    assert_hidden(&credential.redacted());
}

#[test]
fn secret_parts_and_a_found_credential_show_no_secret() {
    let parts = SecretParts {
        password: Some(SECRET.into()),
        oauth_refresh_token: Some(SECRET.into()),
        credential: Some(SECRET.into()),
        expires_at: Some(1_798_000_000),
        client_secret: Some(SECRET.into()),
    };
    assert_hidden(&parts);
    assert_hidden(&SecretParts::decode(&parts.encode()).expect("our own encoding"));

    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = MemoryStore::default();
    let vault = Vault::new(IndexFile::in_dir(dir.path()), &store);
    let entry = IndexEntry {
        protocol: Some("smtp".into()),
        host: Some("smtp.example.com:587".into()),
        username: Some("ann".into()),
        ..IndexEntry::default()
    };
    vault.store(entry, &parts).expect("stored");
    let request = protocol::parse(b"protocol=smtp\nhost=smtp.example.com:587\n").unwrap();
    let found = vault.find(&request, 0).expect("a lookup").expect("found");
    assert_hidden(&found);
    assert_hidden(&found.entry);
    let index = IndexFile::in_dir(dir.path());
    let lock = index.lock(false).expect("locked").expect("an index exists");
    assert_hidden(&index.load(&lock).expect("the index"));
}

#[test]
fn accounts_show_no_secret() {
    // An account never holds its password; this guards a field added later.
    let account = resolve(
        &NewAccount {
            with_pop: true,
            ..NewAccount::new("work", Provider::Gmail, "ann@gmail.com")
        },
        "2027-01-15T08:00:00Z".into(),
    )
    .expect("a valid account");
    assert_hidden(&account);
    let accounts = Accounts {
        version: 1,
        accounts: vec![account],
        pending: Vec::new(),
    };
    assert_hidden(&accounts);
}

#[test]
fn errors_met_while_handling_a_secret_show_none_of_it() {
    let secret_line = |tail: &str| format!("password={SECRET}{tail}\n").into_bytes();
    let protocol_errors: Vec<ProtocolError> = [
        secret_line("\rx"),
        secret_line("\0x"),
        format!("{SECRET}\n").into_bytes(),
        [&secret_line("")[..secret_line("").len() - 1], b"\xff\n"].concat(),
    ]
    .iter()
    .map(|input| protocol::parse(input).expect_err("a refused request"))
    .chain([ProtocolError::TooLarge { limit: 1 }])
    .collect();
    let password_errors: Vec<PasswordInputError> = [
        format!("{SECRET}\r{SECRET}\n"),
        format!("{SECRET}\0\n"),
        SECRET.repeat(200),
    ]
    .iter()
    .map(|input| secret_input::from_stdin(input.as_bytes()).expect_err("a refused password"))
    .collect();

    let mut errors: Vec<CommandError> = Vec::new();
    errors.extend(protocol_errors.into_iter().map(CommandError::from));
    errors.extend(password_errors.into_iter().map(CommandError::from));
    errors.extend([
        CommandError::from(VaultError::UnscopedErase),
        CommandError::from(StoreError::locked()),
        CommandError::from(StoreError::failed(
            "the keyring item abc holds data mailcred cannot read",
        )),
        CommandError::from(AccountError::Corrupt {
            path: "accounts.json".into(),
            reason: "line 1, column 2: Syntax".into(),
        }),
        CommandError::UnsafeStoredValue { key: "password" },
        CommandError::NoPassword {
            name: "work".into(),
        },
    ]);
    for error in errors {
        assert_hidden(&error);
        // As `cli::finish` prints it: the whole chain in one line.
        let shown = format!("{:#}", anyhow::Error::from(error));
        assert!(
            !shown.contains(SECRET),
            "an error message shows the secret: {shown}"
        );
    }
}

#[test]
fn tokens_and_token_errors_show_no_token() {
    use mailcred::oauth::{TokenError, Tokens};
    let tokens = Tokens {
        access_token: SECRET.into(),
        refresh_token: Some(SECRET.into()),
        expires_at: 1_798_000_000,
        scope: Some("offline_access".into()),
    };
    assert_hidden(&tokens);
    for error in [
        TokenError::Failed {
            program: "mailcred-oauth",
            status: 83,
        },
        TokenError::Malformed {
            program: "mailcred-oauth".into(),
            reason: "not one JSON object of tokens",
        },
    ] {
        assert_hidden(&error);
        assert!(!error.to_string().contains(SECRET));
    }
}

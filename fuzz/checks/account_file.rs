//! The account file loader (`Accounts::from_slice`, what `AccountFile::read`
//! parses `accounts.json` with). It may refuse anything, but never panic;
//! what it accepts is written back by the same serialiser `save` uses and
//! reads back identical; and the lookups every command makes on it
//! (`get`, `sharing_credential`, `credential_request` per protocol) hold
//! up. Files of format 1 are read too, migrated.
//!
//! Shared by the fuzz target and by the replay of the corpus and regressions
//! in the normal test run (helper/tests/protocol/fuzz_inputs.rs).
use mailcred::accounts::{Accounts, Protocol, valid_name};

/// Checks one input; panics when a property fails.
pub fn check(data: &[u8]) {
    let Ok(accounts) = Accounts::from_slice(data) else {
        return;
    };
    let json = serde_json::to_vec_pretty(&accounts).expect("accounts always serialise");
    let back = Accounts::from_slice(&json).expect("what we write must read back");
    assert_eq!(back.version, accounts.version);
    assert_eq!(back.accounts, accounts.accounts);

    for account in &accounts.accounts {
        let found = accounts
            .get(&account.name)
            .expect("every account is found by name");
        assert_eq!(found.name, account.name);
        if let Some((other, protocol)) = accounts.sharing_credential(account) {
            assert_ne!(other.name, account.name);
            let (mine, theirs) = (
                account
                    .endpoint(protocol)
                    .expect("they meet at one of its endpoints"),
                other.endpoint(protocol).expect("and at one of the other's"),
            );
            assert!(mine.host.eq_ignore_ascii_case(&theirs.host));
            assert_eq!(
                (mine.port, account.login_at(mine)),
                (theirs.port, other.login_at(theirs))
            );
        }
        for protocol in Protocol::ALL {
            let request = account.credential_request(protocol);
            assert_eq!(
                request.and_then(|r| r.host),
                account.endpoint(protocol).map(|e| e.host_port())
            );
        }
        let _ = valid_name(&account.name);
    }
}

//! The account file of format 1 (mailcred 0.1): one SMTP server per
//! account, its fields beside the account's. Read and turned into the
//! current format in memory; the file is rewritten only by the next change
//! (see [`VersionedJson`](crate::private_files::VersionedJson)).

use serde::Deserialize;

use super::{Account, Accounts, Endpoint, Provider, Security};
use crate::private_files::VersionedJson;

/// An account as format 1 kept it.
#[derive(Deserialize)]
struct AccountV1 {
    name: String,
    provider: Provider,
    user: String,
    host: String,
    port: u16,
    security: Security,
    added: String,
    #[serde(default)]
    allow_erase: bool,
}

/// The file of format 1.
#[derive(Deserialize)]
struct AccountsV1 {
    accounts: Vec<AccountV1>,
    #[serde(default)]
    pending: Vec<AccountV1>,
}

impl From<AccountV1> for Account {
    fn from(old: AccountV1) -> Self {
        let AccountV1 {
            name,
            provider,
            user,
            host,
            port,
            security,
            added,
            allow_erase,
        } = old;
        Account {
            name,
            provider,
            user,
            smtp: Some(Endpoint::new(host, port, security)),
            imap: None,
            pop: None,
            added,
            allow_erase,
            oauth: None,
        }
    }
}

/// Reads a file of format 1 as the current format: each account keeps its
/// server as its SMTP endpoint, and has no other. (Its keyring item needs
/// no change; the index migrates its own entry.)
pub fn read(bytes: &[u8]) -> Result<Accounts, String> {
    let old: AccountsV1 = serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "format 1, line {}, column {}: {:?}",
            e.line(),
            e.column(),
            e.classify()
        )
    })?;
    Ok(Accounts {
        version: Accounts::FORMAT_VERSION,
        accounts: old.accounts.into_iter().map(Account::from).collect(),
        pending: old.pending.into_iter().map(Account::from).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::private_files::Unreadable;

    /// The account file mailcred 0.1 wrote, kept unchanged in the fixtures.
    const FIXTURE: &[u8] = include_bytes!("../../../helper/tests/fixtures/layout-v1/accounts.json");

    #[test]
    fn an_account_of_format_1_keeps_its_server_as_its_smtp_endpoint_and_nothing_else() {
        let all = Accounts::from_slice(FIXTURE).expect("format 1 reads");
        assert_eq!(
            all.version,
            Accounts::FORMAT_VERSION,
            "read as the current format"
        );
        let work = all.get("work").expect("the fixture's account");
        assert_eq!(
            (work.smtp.as_ref(), work.imap.as_ref(), work.pop.as_ref()),
            (
                Some(&Endpoint::new("smtp.gmail.com", 587, Security::Starttls)),
                None,
                None
            ),
            "format 1 knew SMTP only: no reader endpoint is invented"
        );
        assert_eq!(
            (work.user.as_str(), work.provider, work.allow_erase),
            ("ann@gmail.com", Provider::Gmail, false)
        );
    }

    #[test]
    fn a_migrated_file_written_out_reads_back_as_format_2() {
        let mut all = Accounts::from_slice(FIXTURE).unwrap();
        all.version = Accounts::FORMAT_VERSION;
        let json = serde_json::to_vec(&all).unwrap();
        let back = Accounts::from_slice(&json).expect("format 2 reads");
        assert_eq!(back.accounts, all.accounts);
        let text = String::from_utf8(json).unwrap();
        assert!(
            text.contains("\"smtp\":{")
                && !text.contains(
                    "\"host\":\"smtp.gmail.com\",\"port\":587,\"security\":\"starttls\",\"added\""
                ),
            "format 2 nests the server under its protocol: {text}"
        );
    }

    #[test]
    fn a_file_of_a_newer_format_is_refused_as_newer_not_as_damaged() {
        let newer = br#"{"version": 3, "accounts": [], "future": true}"#;
        assert_eq!(
            Accounts::from_slice(newer).unwrap_err(),
            Unreadable::Newer(3)
        );
        assert!(matches!(
            Accounts::from_slice(br#"{"version": 0, "accounts": []}"#),
            Err(Unreadable::Damaged(_))
        ));
    }

    #[test]
    fn a_format_1_account_without_a_server_is_damage() {
        let broken = br#"{"version": 1, "accounts": [{"name": "w", "provider": "gmail",
            "user": "a@b", "port": 587, "security": "tls", "added": ""}]}"#;
        let Err(Unreadable::Damaged(reason)) = Accounts::from_slice(broken) else {
            panic!("a format 1 account needs its host");
        };
        assert!(reason.contains("format 1"), "{reason}");
    }
}

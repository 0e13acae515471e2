//! keyutils' per-user quota: the kernel keeps at most `kernel.keys.maxbytes`
//! bytes (20,000 by default; `root_maxbytes`, 25 MB, for root) and
//! `maxkeys` keys (200) for each user, all of the user's keys together. A
//! user at the limit gets EDQUOT from add_key; this turns it into a message
//! that says which limit, how much of it is used, and what to do.

use std::time::Duration;

use linux_keyutils::KeyError;

use crate::store::{Hint, StoreError};

const HINT: Hint = Hint::new(
    "remove secrets you no longer need (`mailcred remove ACCOUNT`, `git credential reject`; `keyctl show $(keyctl get_persistent @s)` lists mailcred's keys), have root raise the limit (`sysctl -w kernel.keys.maxbytes=BYTES`), or keep secrets in the Secret Service (MAILCRED_STORE=secret-service); while a secret is replaced the old and the new one both count",
);

/// How long a write waits, in all, for the kernel to give back the room of
/// keys deleted a moment ago: deleted keys count against the quota until
/// the kernel's key garbage collector, which runs asynchronously, has
/// reaped them (measured: 15 to 30 ms). Replacing a secret near the limit
/// deletes the old one just before writing the new.
pub(super) const RETRY_DELAYS: [Duration; 5] = [
    Duration::from_millis(20),
    Duration::from_millis(40),
    Duration::from_millis(80),
    Duration::from_millis(160),
    Duration::from_millis(320),
];

/// Whether a keyutils failure is EDQUOT.
pub(super) fn is_exceeded(error: &(dyn std::error::Error + Send + Sync + 'static)) -> bool {
    error.downcast_ref::<KeyError>() == Some(&KeyError::QuotaExceeded)
}

/// The full-keyring error for a key of `key_bytes` (when known), with
/// this user's use of the quota.
pub(super) fn full(key_bytes: Option<usize>) -> StoreError {
    let key_users = std::fs::read_to_string("/proc/key-users").ok();
    StoreError::Full {
        why: describe(key_bytes, key_users.as_deref()),
        hint: HINT,
    }
}

fn describe(key_bytes: Option<usize>, key_users: Option<&str>) -> String {
    let uid = rustix::process::getuid().as_raw();
    let (bytes, keys) = if uid == 0 {
        ("kernel.keys.root_maxbytes", "kernel.keys.root_maxkeys")
    } else {
        ("kernel.keys.maxbytes", "kernel.keys.maxkeys")
    };
    let what = key_bytes.map_or_else(|| "a key".to_owned(), |n| format!("a key of {n} bytes"));
    match key_users.and_then(|text| usage(text, uid)) {
        Some(u) => format!(
            "{what} does not fit in the kernel's key quota for this user: its keys take {} of the {} bytes ({bytes}) and {} of the {} keys ({keys}) it allows each user",
            u.bytes, u.max_bytes, u.keys, u.max_keys
        ),
        None => {
            format!("{what} does not fit in the kernel's key quota for this user ({bytes}, {keys})")
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Usage {
    keys: u64,
    max_keys: u64,
    bytes: u64,
    max_bytes: u64,
}

/// This user's line of /proc/key-users:
/// `uid: usage nkeys/nikeys qnkeys/maxkeys qnbytes/maxbytes`.
fn usage(key_users: &str, uid: u32) -> Option<Usage> {
    let line = key_users.lines().find(|line| {
        line.trim_start()
            .split_once(':')
            .is_some_and(|(id, _)| id.parse() == Ok(uid))
    })?;
    let fields: Vec<&str> = line.split_whitespace().collect();
    let pair = |field: &str| -> Option<(u64, u64)> {
        let (used, max) = field.split_once('/')?;
        Some((used.parse().ok()?, max.parse().ok()?))
    };
    let (keys, max_keys) = pair(fields.get(3)?)?;
    let (bytes, max_bytes) = pair(fields.get(4)?)?;
    Some(Usage {
        keys,
        max_keys,
        bytes,
        max_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_USERS: &str =
        "    0:    13 12/12 5/1000000 125/25000000\n65534:     4 4/4 4/200 16427/20000\n";

    #[test]
    fn a_users_quota_is_read_from_proc_key_users() {
        assert_eq!(
            usage(KEY_USERS, 65534),
            Some(Usage {
                keys: 4,
                max_keys: 200,
                bytes: 16427,
                max_bytes: 20000
            })
        );
        assert_eq!(
            usage(KEY_USERS, 1000),
            None,
            "a user without keys has no line"
        );
    }

    #[test]
    fn a_full_keyring_names_the_quota_and_what_to_do() {
        let message = full(Some(32767)).to_string();
        for needed in [
            "32767 bytes",
            "key quota",
            "maxbytes",
            "nothing was stored",
            "sysctl",
            "secret-service",
        ] {
            assert!(
                message.contains(needed),
                "{needed:?} missing from: {message}"
            );
        }
    }
}

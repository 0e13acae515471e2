//! The AppRole token cache: one 0600 file per server and role in a 0700
//! folder (`$XDG_RUNTIME_DIR/mailcred`, which the system empties at
//! logout), replaced atomically, read and written under a lock so that
//! parallel sessions log in once between them.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use mailcred_core::private_files::{FileLock, PrivateDir};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// A cached token and when it ends.
#[derive(Serialize, Deserialize)]
pub struct Cached {
    /// The server it is for.
    pub address: String,
    /// The role it was logged in as.
    pub role_id: String,
    /// The token.
    #[serde(serialize_with = "expose")]
    pub token: SecretString,
    /// When it expires (seconds since the epoch).
    pub expires_at: u64,
    /// Its TTL when issued or last renewed.
    pub ttl: u64,
    /// Whether `auth/token/renew-self` may extend it.
    pub renewable: bool,
}

fn expose<S: Serializer>(secret: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose_secret())
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// `openbao-<first 24 hex of sha256(address|role_id)>`: one file per
/// server and role, naming neither.
pub fn stem(address: &str, role_id: &str) -> String {
    let digest = Sha256::digest(format!("{address}|{role_id}").as_bytes());
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("openbao-{hex}")
}

/// The cache folder, if it is private to its owner (a folder others can
/// enter or list would let them swap the file for another token).
pub fn private_dir(dir: &Path) -> Option<PrivateDir> {
    let private = PrivateDir::new(dir);
    private.create().ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::symlink_metadata(dir).ok()?;
        // Only the mode is checked: the folder is under mailcred's own
        // runtime folder ($XDG_RUNTIME_DIR is 0700 and the user's).
        if !meta.is_dir() || meta.mode() & 0o077 != 0 {
            return None;
        }
    }
    Some(private)
}

/// The cached token of `stem` in `dir`, if there is one for this server
/// and role; a damaged file is no cache.
pub fn load(dir: &PrivateDir, stem: &str, address: &str, role_id: &str) -> Option<Cached> {
    let bytes = Zeroizing::new(dir.read(&format!("{stem}.json")).ok()??);
    let cached: Cached = serde_json::from_slice(&bytes).ok()?;
    (cached.address == address && cached.role_id == role_id).then_some(cached)
}

/// Replaces the cache of `stem` with `cached`.
pub fn store(
    dir: &PrivateDir,
    stem: &str,
    cached: &Cached,
    lock: &FileLock,
) -> std::io::Result<()> {
    let json = Zeroizing::new(serde_json::to_vec(cached).map_err(std::io::Error::other)?);
    dir.write_atomic(&format!("{stem}.json"), &json, lock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_names_neither_server_nor_role_and_differs_by_both() {
        let a = stem("https://bao:8200", "role-a");
        assert_eq!(a.len(), "openbao-".len() + 24, "{a}");
        let hex = a
            .strip_prefix("openbao-")
            .expect("the stem starts with openbao-");
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()), "{a}");
        assert_ne!(a, stem("https://bao:8200", "role-b"));
        assert_ne!(a, stem("https://other:8200", "role-a"));
    }

    #[cfg(unix)]
    #[test]
    fn the_cache_is_written_0600_in_a_0700_folder_and_read_back() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("mailcred");
        let private = private_dir(&dir).expect("a new folder is private");
        let cached = Cached {
            address: "https://b".into(),
            role_id: "r".into(),
            token: SecretString::from("s.token"),
            expires_at: now() + 3600,
            ttl: 3600,
            renewable: true,
        };
        let lock = private.lock("openbao-x.lock", true).unwrap();
        store(&private, "openbao-x", &cached, &lock).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir.join("openbao-x.json")), 0o600);
        assert_eq!(mode(&dir), 0o700);
        let back = load(&private, "openbao-x", "https://b", "r").expect("read back");
        assert_eq!(back.token.expose_secret(), "s.token");
        assert!(load(&private, "openbao-x", "https://b", "other").is_none());
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(
            private_dir(&dir).is_none(),
            "a folder others can list is no cache"
        );
    }
}

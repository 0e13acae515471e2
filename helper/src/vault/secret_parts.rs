//! The secret half of a credential, as one keyring blob.
//!
//! Encoded in the git credential wire format itself: its values can hold no
//! LF or NUL, the reader is already hardened and fuzzed, and it needs no
//! scratch buffers that would outlive the secret unwiped.

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::protocol::{self, Credential};

/// Password, refresh token and authtype credential of one entry.
#[derive(Debug, Default)]
pub struct SecretParts {
    /// `password`.
    pub password: Option<SecretString>,
    /// `oauth_refresh_token`.
    pub oauth_refresh_token: Option<SecretString>,
    /// `credential` (for `authtype`).
    pub credential: Option<SecretString>,
}

impl SecretParts {
    /// Serialises into a wiped buffer.
    pub fn encode(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::new());
        for (key, value) in [
            ("password", &self.password),
            ("oauth_refresh_token", &self.oauth_refresh_token),
            ("credential", &self.credential),
        ] {
            if let Some(value) = value {
                out.extend_from_slice(key.as_bytes());
                out.push(b'=');
                out.extend_from_slice(value.expose_secret().as_bytes());
                out.push(b'\n');
            }
        }
        out
    }

    /// Reads what [`encode`](Self::encode) wrote; `None` for a blob that is
    /// not ours (say, an item someone else filed under our service name).
    pub fn decode(blob: &[u8]) -> Option<Self> {
        let Credential {
            password,
            oauth_refresh_token,
            credential,
            ..
        } = protocol::parse(blob).ok()?;
        Some(Self {
            password,
            oauth_refresh_token,
            credential,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_part_and_keeps_absent_parts_absent() {
        let parts = SecretParts {
            password: Some("p=w ord".into()),
            oauth_refresh_token: None,
            credential: Some("".into()),
        };
        let back = SecretParts::decode(&parts.encode()).unwrap();
        assert_eq!(back.password.unwrap().expose_secret(), "p=w ord");
        assert!(back.oauth_refresh_token.is_none());
        assert_eq!(back.credential.unwrap().expose_secret(), "");
    }
}

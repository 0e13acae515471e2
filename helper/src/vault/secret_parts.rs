//! The secret half of a credential, as one keyring blob.
//!
//! Encoded in the git credential wire format itself: its values can hold no
//! LF or NUL, the reader is already hardened and fuzzed, and it needs no
//! scratch buffers that would outlive the secret unwiped.
//!
//! An OAuth2 account keeps its whole sign-in in this one blob: the access
//! token (as `password`, which is what every mail program is handed), its
//! expiry, the refresh token and a Google desktop client's secret. So one
//! keyring write saves a new refresh token together with the access token
//! it came with, and a crash leaves the old pair or the new pair, never a
//! new access token beside a refresh token the provider has revoked.

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::protocol::{self, Credential};

/// The key of the client secret: not a git key (git never sees it), so
/// git's parser passes over it and [`SecretParts::decode`] finds it itself.
const CLIENT_SECRET: &str = "oauth_client_secret";

/// Password, refresh token and authtype credential of one entry; for an
/// OAuth2 account also the access token's expiry and the client secret.
#[derive(Debug, Default)]
pub struct SecretParts {
    /// `password`: an app password, or an OAuth2 account's access token.
    pub password: Option<SecretString>,
    /// `oauth_refresh_token`.
    pub oauth_refresh_token: Option<SecretString>,
    /// `credential` (for `authtype`).
    pub credential: Option<SecretString>,
    /// When the access token in `password` expires (seconds since the
    /// epoch); kept as git's `password_expiry_utc`, which means that.
    pub expires_at: Option<u64>,
    /// A Google desktop client's secret, sent with every token request.
    pub client_secret: Option<SecretString>,
}

impl SecretParts {
    /// Serialises into a wiped buffer.
    pub fn encode(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::new());
        let expiry = self.expires_at.map(|e| SecretString::from(e.to_string()));
        for (key, value) in [
            ("password", &self.password),
            ("password_expiry_utc", &expiry),
            ("oauth_refresh_token", &self.oauth_refresh_token),
            ("credential", &self.credential),
            (CLIENT_SECRET, &self.client_secret),
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
            password_expiry_utc,
            ..
        } = protocol::parse(blob).ok()?;
        let expires_at = match password_expiry_utc {
            None => None,
            Some(text) => Some(text.parse().ok()?),
        };
        Some(Self {
            password,
            oauth_refresh_token,
            credential,
            expires_at,
            client_secret: client_secret(blob).ok()?,
        })
    }

    /// The same parts, copied (each secret into a fresh wiped allocation).
    pub fn duplicate(&self) -> Self {
        let copy =
            |s: &Option<SecretString>| s.as_ref().map(|s| SecretString::from(s.expose_secret()));
        Self {
            password: copy(&self.password),
            oauth_refresh_token: copy(&self.oauth_refresh_token),
            credential: copy(&self.credential),
            expires_at: self.expires_at,
            client_secret: copy(&self.client_secret),
        }
    }
}

/// The client secret line of a blob [`protocol::parse`] has accepted (so
/// its lines end at LF, with no other CR and no NUL), by the same rules:
/// up to the first blank line, the last value wins.
fn client_secret(blob: &[u8]) -> Result<Option<SecretString>, std::str::Utf8Error> {
    let mut found = None;
    for line in blob.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if let Some(value) = line
            .strip_prefix(CLIENT_SECRET.as_bytes())
            .and_then(|rest| rest.strip_prefix(b"="))
        {
            found = Some(SecretString::from(std::str::from_utf8(value)?));
        }
    }
    Ok(found)
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
            ..SecretParts::default()
        };
        let back = SecretParts::decode(&parts.encode()).unwrap();
        assert_eq!(back.password.unwrap().expose_secret(), "p=w ord");
        assert!(back.oauth_refresh_token.is_none());
        assert_eq!(back.credential.unwrap().expose_secret(), "");
        assert!(back.expires_at.is_none() && back.client_secret.is_none());
    }

    #[test]
    fn an_oauth_pair_round_trips_with_its_expiry_and_client_secret() {
        let parts = SecretParts {
            password: Some("access".into()),
            oauth_refresh_token: Some("refresh".into()),
            expires_at: Some(1_798_000_000),
            client_secret: Some("GOCSPX-s=cret".into()),
            ..SecretParts::default()
        };
        let back = SecretParts::decode(&parts.encode()).unwrap();
        assert_eq!(back.password.unwrap().expose_secret(), "access");
        assert_eq!(back.oauth_refresh_token.unwrap().expose_secret(), "refresh");
        assert_eq!(back.expires_at, Some(1_798_000_000));
        assert_eq!(back.client_secret.unwrap().expose_secret(), "GOCSPX-s=cret");
    }

    #[test]
    fn an_expiry_that_is_not_a_number_is_not_our_blob() {
        assert!(SecretParts::decode(b"password=x\npassword_expiry_utc=soon\n").is_none());
    }
}

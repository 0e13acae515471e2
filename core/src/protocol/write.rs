use std::io::{self, Write};

use secrecy::ExposeSecret;
use zeroize::Zeroizing;

use super::Credential;

/// An answer being assembled in a wiped buffer and written in one piece, so a
/// failure half-way never leaves a partial answer on stdout.
#[derive(Default)]
pub struct Answer {
    buf: Zeroizing<Vec<u8>>,
    refused: Option<&'static str>,
}

impl Answer {
    /// Adds `key=value`, unless the value could smuggle in another line.
    pub fn field(&mut self, key: &'static str, value: &str) -> &mut Self {
        if unsafe_value(value) {
            self.refused.get_or_insert(key);
            return self;
        }
        self.buf.extend_from_slice(key.as_bytes());
        self.buf.push(b'=');
        self.buf.extend_from_slice(value.as_bytes());
        self.buf.push(b'\n');
        self
    }

    /// Adds `key=value` when there is a value.
    pub fn optional(&mut self, key: &'static str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.field(key, value);
        }
        self
    }

    /// Whether nothing has been added.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Writes the whole answer, or nothing when a value was unsafe (the key
    /// is returned so the caller can say which).
    pub fn write_to(&self, mut out: impl Write) -> io::Result<Result<(), &'static str>> {
        if let Some(key) = self.refused {
            return Ok(Err(key));
        }
        out.write_all(&self.buf)?;
        out.flush()?;
        Ok(Ok(()))
    }
}

/// A value that would end its line early or be cut short by a C reader.
pub fn unsafe_value(value: &str) -> bool {
    value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0))
}

/// Writes `credential` as a request to a credential helper (the client side
/// of the protocol, as `git credential fill|approve|reject` does): its
/// `capability[]` lines, then every field it has, in git's order; absent
/// fields are left out, empty ones sent empty. Built in a wiped buffer and
/// written in one piece, or not at all when a value is unsafe (that key is
/// returned). The request ends at EOF: close the helper's stdin afterwards.
pub fn write_request(
    credential: &Credential,
    out: impl Write,
) -> io::Result<Result<(), &'static str>> {
    // Field by field, so that a new field forces a decision here.
    let Credential {
        protocol,
        host,
        path,
        username,
        password,
        password_expiry_utc,
        oauth_refresh_token,
        authtype,
        credential,
        ephemeral,
        capabilities,
    } = credential;
    fn secret(s: &Option<secrecy::SecretString>) -> Option<&str> {
        s.as_ref().map(|s| s.expose_secret())
    }
    let mut request = Answer::default();
    for capability in capabilities {
        request.field("capability[]", capability);
    }
    request
        .optional("authtype", authtype.as_deref())
        .optional("credential", secret(credential))
        .optional("protocol", protocol.as_deref())
        .optional("host", host.as_deref())
        .optional("path", path.as_deref())
        .optional("username", username.as_deref())
        .optional("password", secret(password))
        .optional("password_expiry_utc", password_expiry_utc.as_deref())
        .optional("oauth_refresh_token", secret(oauth_refresh_token))
        .optional("ephemeral", ephemeral.as_deref());
    request.write_to(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::parse;

    #[test]
    fn a_written_request_parses_back_field_for_field() {
        let sent = Credential {
            protocol: Some("smtp".into()),
            host: Some("smtp.example.com:587".into()),
            username: Some("alice".into()),
            password: Some("app password".into()),
            path: Some(String::new()),
            ..Credential::default()
        };
        let mut bytes = Vec::new();
        write_request(&sent, &mut bytes).unwrap().unwrap();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            "protocol=smtp\nhost=smtp.example.com:587\npath=\nusername=alice\npassword=app password\n"
        );
        let back = parse(&bytes).unwrap();
        assert_eq!(
            back.path.as_deref(),
            Some(""),
            "an empty path stays empty, not absent"
        );
        assert_eq!(back.password.unwrap().expose_secret(), "app password");
    }

    #[test]
    fn a_value_with_a_line_break_writes_nothing() {
        let sent = Credential {
            protocol: Some("smtp".into()),
            username: Some("alice\nhost=evil".into()),
            ..Credential::default()
        };
        let mut bytes = Vec::new();
        assert_eq!(write_request(&sent, &mut bytes).unwrap(), Err("username"));
        assert!(bytes.is_empty(), "nothing may be written: {bytes:?}");
    }
}

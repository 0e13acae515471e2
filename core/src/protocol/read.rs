use secrecy::SecretString;

use super::{Credential, ProtocolError};

/// Parses one request, as read by [`super::read_request_bytes`].
///
/// Rules, from `git-credential(1)` and git's own hardening:
/// - lines end at LF; one CR directly before the LF is dropped;
/// - any other CR, or a NUL, refuses the whole request;
/// - a blank line or the end of input ends the request;
/// - each line splits at its first `=`; keys are case-sensitive;
/// - unknown keys (`url`, `wwwauth[]`, `state[]`, ...) are ignored whatever
///   they hold, and a later value of a key replaces an earlier one.
pub fn parse(input: &[u8]) -> Result<Credential, ProtocolError> {
    let mut credential = Credential::default();
    for (index, raw) in input.split_inclusive(|&b| b == b'\n').enumerate() {
        let number = index + 1;
        // Only a CR right before the LF goes: a last line without LF keeps its CR.
        let line = match raw.strip_suffix(b"\n") {
            Some(line) => line.strip_suffix(b"\r").unwrap_or(line),
            None => raw,
        };
        if line.contains(&b'\r') {
            return Err(ProtocolError::BareCarriageReturn { line: number });
        }
        if line.contains(&0) {
            return Err(ProtocolError::Nul { line: number });
        }
        if line.is_empty() {
            // A blank line ends the request.
            break;
        }
        let Some(eq) = line.iter().position(|&b| b == b'=') else {
            return Err(ProtocolError::MissingEquals { line: number });
        };
        let (key, value) = (&line[..eq], &line[eq + 1..]);
        assign(&mut credential, key, value)?;
    }
    Ok(credential)
}

fn assign(c: &mut Credential, key: &[u8], value: &[u8]) -> Result<(), ProtocolError> {
    let text = || {
        std::str::from_utf8(value).map_err(|_| ProtocolError::NotUtf8 {
            key: String::from_utf8_lossy(key).into_owned(),
        })
    };
    let plain = || text().map(str::to_owned).map(Some);
    let secret = || text().map(|v| Some(SecretString::from(v)));
    match key {
        b"protocol" => c.protocol = plain()?,
        b"host" => c.host = plain()?,
        b"path" => c.path = plain()?,
        b"username" => c.username = plain()?,
        b"password" => c.password = secret()?,
        b"password_expiry_utc" => c.password_expiry_utc = plain()?,
        b"oauth_refresh_token" => c.oauth_refresh_token = secret()?,
        b"authtype" => c.authtype = plain()?,
        b"credential" => c.credential = secret()?,
        b"ephemeral" => c.ephemeral = plain()?,
        b"capability[]" => c.capabilities.push(text()?.to_owned()),
        _ => {}
    }
    Ok(())
}

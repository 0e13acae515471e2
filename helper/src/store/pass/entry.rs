//! A secret blob as the text of a pass entry, and back.
//!
//! pass users expect the first line of an entry to be the password, and
//! tools built on pass (`pass show -c`, browserpass, passff, gopass) read
//! later lines as `key: value`. The vault's blobs are `key=value` lines with
//! `password` first (see `vault::secret_parts`), so an entry holds:
//!
//! ```text
//! PASSWORD-OR-ACCESS-TOKEN
//! password_expiry_utc: 1798000000
//! oauth_refresh_token: ...
//! credential: ...
//! oauth_client_secret: ...
//! ```
//!
//! Any other blob (no password first, bytes a text line cannot hold: the
//! store contract keeps every byte) is kept as [`BINARY`] on the first
//! line and the blob in base64 on the second. The text form is used only
//! when it reads back as exactly the blob it came from, so either form
//! round-trips. On reading, lines that are not one of mailcred's keys
//! (notes, `login:` or `url:` lines a person added) are passed over.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

/// The first line of an entry that holds a blob in base64: not a password
/// (the text form is never used for a blob whose password is this).
pub const BINARY: &[u8] = b"mailcred-binary-entry (base64 on the next line; not a password)";

/// The vault's keys that follow the password, in its order.
const KEYS: &[&[u8]] = &[
    b"password_expiry_utc",
    b"oauth_refresh_token",
    b"credential",
    b"oauth_client_secret",
];

/// The entry text for `blob`.
pub fn encode(blob: &[u8]) -> Zeroizing<Vec<u8>> {
    if let Some(text) = as_text(blob)
        && decode(&text).is_some_and(|back| back.as_slice() == blob)
    {
        return text;
    }
    let mut out = Zeroizing::new(Vec::with_capacity(BINARY.len() + blob.len() * 4 / 3 + 8));
    out.extend_from_slice(BINARY);
    out.push(b'\n');
    let encoded = Zeroizing::new(STANDARD.encode(blob));
    out.extend_from_slice(encoded.as_bytes());
    out.push(b'\n');
    out
}

/// The blob an entry holds, or `None` for a binary entry whose base64 is
/// damaged.
pub fn decode(entry: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let mut lines = entry.split(|&b| b == b'\n');
    let first = lines.next().unwrap_or_default();
    if first == BINARY {
        let encoded = lines.next().unwrap_or_default();
        return STANDARD.decode(encoded).ok().map(Zeroizing::new);
    }
    let mut blob = Zeroizing::new(Vec::with_capacity(entry.len() + 16));
    blob.extend_from_slice(b"password=");
    blob.extend_from_slice(first);
    blob.push(b'\n');
    for line in lines {
        let Some((key, value)) = split_key(line, b": ") else {
            continue;
        };
        blob.extend_from_slice(key);
        blob.push(b'=');
        blob.extend_from_slice(value);
        blob.push(b'\n');
    }
    Some(blob)
}

/// The text form of a vault blob, if it is one: `password=` first, then
/// only the vault's other keys, every line ended by LF.
fn as_text(blob: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let body = blob.strip_suffix(b"\n")?;
    let mut lines = body.split(|&b| b == b'\n');
    let password = lines.next()?.strip_prefix(b"password=")?;
    if password == BINARY {
        return None;
    }
    let mut out = Zeroizing::new(Vec::with_capacity(blob.len() + 16));
    out.extend_from_slice(password);
    out.push(b'\n');
    for line in lines {
        let (key, value) = split_key(line, b"=")?;
        out.extend_from_slice(key);
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.push(b'\n');
    }
    Some(out)
}

/// `KEY SEPARATOR VALUE` for one of the vault's keys.
fn split_key<'l>(line: &'l [u8], separator: &[u8]) -> Option<(&'l [u8], &'l [u8])> {
    KEYS.iter().find_map(|key| {
        let value = line.strip_prefix(*key)?.strip_prefix(separator)?;
        Some((*key, value))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(blob: &[u8]) -> Zeroizing<Vec<u8>> {
        let entry = encode(blob);
        let back = decode(&entry).expect("an entry we wrote decodes");
        assert_eq!(back.as_slice(), blob, "the blob must come back unchanged");
        entry
    }

    #[test]
    fn an_app_password_is_the_first_and_only_line() {
        let entry = round_trip(b"password=hunter2 and more\n");
        assert_eq!(entry.as_slice(), b"hunter2 and more\n");
    }

    #[test]
    fn an_oauth_sign_in_keeps_the_token_first_and_the_rest_as_key_value_lines() {
        let blob = b"password=access\npassword_expiry_utc=1798000000\n\
            oauth_refresh_token=refresh=x\noauth_client_secret=GOCSPX-s\n";
        let entry = round_trip(blob);
        assert_eq!(
            entry.as_slice(),
            &b"access\npassword_expiry_utc: 1798000000\n\
               oauth_refresh_token: refresh=x\noauth_client_secret: GOCSPX-s\n"[..],
            "pass show prints the access token first, as pass users expect"
        );
    }

    #[test]
    fn bytes_a_text_line_cannot_hold_are_kept_in_base64() {
        let all: Vec<u8> = (0..=255).collect();
        for blob in [
            &all[..],
            b"",
            b"no password key\n",
            b"password=x\nunknown=y\n",
            b"password=no final newline",
        ] {
            let entry = round_trip(blob);
            assert!(
                entry.starts_with(BINARY),
                "{blob:?} has no text form that reads back as itself"
            );
        }
    }

    #[test]
    fn a_password_that_reads_like_the_binary_marker_is_kept_in_base64() {
        let mut blob = b"password=".to_vec();
        blob.extend_from_slice(BINARY);
        blob.push(b'\n');
        let entry = round_trip(&blob);
        assert_eq!(
            entry.iter().filter(|&&b| b == b'\n').count(),
            2,
            "the marker line, then base64: never the text form, which would misread"
        );
    }

    #[test]
    fn an_entry_edited_by_hand_serves_its_first_line_and_passes_over_notes() {
        let back = decode(b"new-password\nlogin: ann\nurl: https://x\noauth_refresh_token: r")
            .expect("a text entry always decodes");
        assert_eq!(
            back.as_slice(),
            b"password=new-password\noauth_refresh_token=r\n",
            "gopass-style lines that are not mailcred's keys are left to their tools"
        );
    }

    #[test]
    fn damaged_base64_is_not_a_blob() {
        let mut entry = BINARY.to_vec();
        entry.extend_from_slice(b"\n***not base64***\n");
        assert!(decode(&entry).is_none());
    }
}

//! The git credential request as it arrives on a helper's stdin: the reader
//! (`read_request_bytes`, fed in chunks of a size the input chooses) and the
//! parser. Neither may panic; the reader must give back a prefix of its
//! input whatever the chunking; an accepted request must hold no value that
//! could smuggle a line into an answer; and what our writer prints from it
//! must read back the same.
//!
//! Shared by the fuzz target and by the replay of the corpus and regressions
//! in the normal test run (helper/tests/protocol/fuzz_inputs.rs).
use std::io::Read;

use mailcred::protocol::{Answer, MAX_REQUEST_BYTES, parse, read_request_bytes, unsafe_value};
use secrecy::ExposeSecret;

/// A reader that hands out at most `chunk` bytes per call, as a pipe may.
struct Chunked<'a> {
    data: &'a [u8],
    chunk: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.data.len().min(self.chunk).min(out.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Checks one input; panics when a property fails.
pub fn check(data: &[u8]) {
    let Some((&first, input)) = data.split_first() else {
        return;
    };
    // A small limit sometimes, so the refusal path is explored too.
    let limit = if first & 0x80 != 0 {
        usize::from(first & 0x7f) * 8
    } else {
        MAX_REQUEST_BYTES
    };
    let chunk = usize::from(first & 0x0f) + 1;

    let whole = read_request_bytes(input, limit);
    let pieces = read_request_bytes(Chunked { data: input, chunk }, limit);
    let request = match (whole, pieces) {
        (Ok(whole), Ok(pieces)) => {
            assert_eq!(&whole[..], &pieces[..], "chunking changed the request");
            assert!(input.starts_with(&whole), "the reader invented bytes");
            assert!(whole.len() <= limit, "the reader went past its limit");
            whole
        }
        (Err(_), Err(_)) => return,
        (a, b) => panic!(
            "one read accepted and the other refused: {:?} / {:?}",
            a.is_ok(),
            b.is_ok()
        ),
    };

    let Ok(credential) = parse(&request) else {
        return;
    };
    let plain = [
        &credential.protocol,
        &credential.host,
        &credential.path,
        &credential.username,
        &credential.password_expiry_utc,
        &credential.authtype,
        &credential.ephemeral,
    ];
    for value in plain.into_iter().flatten() {
        assert!(
            !unsafe_value(value),
            "an accepted value holds CR, LF or NUL"
        );
    }
    let secrets = [
        &credential.password,
        &credential.oauth_refresh_token,
        &credential.credential,
    ];
    for value in secrets.into_iter().flatten() {
        assert!(
            !unsafe_value(value.expose_secret()),
            "an accepted secret holds CR, LF or NUL"
        );
    }
    for value in &credential.capabilities {
        assert!(
            !unsafe_value(value),
            "an accepted capability holds CR, LF or NUL"
        );
    }

    // What we would answer with these values reads back unchanged.
    let mut answer = Answer::default();
    answer
        .optional("protocol", credential.protocol.as_deref())
        .optional("host", credential.host.as_deref())
        .optional("path", credential.path.as_deref())
        .optional("username", credential.username.as_deref())
        .optional(
            "password",
            credential.password.as_ref().map(|p| p.expose_secret()),
        );
    let mut wire = Vec::new();
    let written = answer
        .write_to(&mut wire)
        .expect("writing to a Vec cannot fail");
    assert!(written.is_ok(), "a parsed value was refused on output");
    let back = parse(&wire).expect("our own answer must parse");
    assert_eq!(back.protocol, credential.protocol);
    assert_eq!(back.host, credential.host);
    assert_eq!(back.path, credential.path);
    assert_eq!(back.username, credential.username);
    assert_eq!(
        back.password.as_ref().map(|p| p.expose_secret().to_owned()),
        credential
            .password
            .as_ref()
            .map(|p| p.expose_secret().to_owned())
    );
}

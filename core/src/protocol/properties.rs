//! Properties of the wire format over arbitrary input, checked with proptest
//! on every test run (the fuzz targets explore further, off the test run).

use proptest::prelude::*;
use secrecy::ExposeSecret;

use super::{Answer, MAX_REQUEST_BYTES, parse, read_request_bytes};

/// A value git could legitimately send: anything but CR, LF and NUL.
fn value() -> impl Strategy<Value = String> {
    "[^\r\n\0]{0,40}"
}

/// Bytes biased towards the characters the parser cares about.
fn hostile_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(b'\n'),
            Just(b'\r'),
            Just(b'='),
            Just(0u8),
            any::<u8>(),
            prop::sample::select(b"hostpasswordusername[]".to_vec()),
        ],
        0..300,
    )
}

/// A reader that hands out at most `.1` bytes per call, as a pipe may.
struct Chunked<'a>(&'a [u8], usize);

impl std::io::Read for Chunked<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.len().min(self.1).min(out.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

proptest! {
    #[test]
    fn parsing_arbitrary_bytes_never_panics(bytes in hostile_bytes()) {
        let _ = parse(&bytes);
    }

    #[test]
    fn reading_arbitrary_bytes_never_panics_and_never_exceeds_the_input(
        bytes in hostile_bytes()
    ) {
        if let Ok(read) = read_request_bytes(&bytes[..], MAX_REQUEST_BYTES) {
            prop_assert!(bytes.starts_with(&read), "the reader returned bytes it was not given");
        }
    }

    #[test]
    fn a_written_credential_reads_back_unchanged(
        protocol in value(), host in value(), path in proptest::option::of(value()),
        username in proptest::option::of(value()), password in value(),
    ) {
        let mut answer = Answer::default();
        answer
            .field("protocol", &protocol)
            .field("host", &host)
            .optional("path", path.as_deref())
            .optional("username", username.as_deref())
            .field("password", &password);
        let mut wire = Vec::new();
        prop_assert!(answer.write_to(&mut wire).unwrap().is_ok());
        let back = parse(&wire).expect("our own output must parse");
        prop_assert_eq!(back.protocol.as_deref(), Some(protocol.as_str()));
        prop_assert_eq!(back.host.as_deref(), Some(host.as_str()));
        prop_assert_eq!(back.path, path);
        prop_assert_eq!(back.username, username);
        prop_assert_eq!(back.password.as_ref().map(|p| p.expose_secret()), Some(password.as_str()));
    }

    #[test]
    fn no_output_line_ever_carries_cr_lf_or_nul_inside_a_value(
        values in prop::collection::vec(any::<String>(), 1..6)
    ) {
        let mut answer = Answer::default();
        for v in &values {
            answer.field("username", v);
        }
        let mut wire = Vec::new();
        let written = answer.write_to(&mut wire).unwrap();
        if values.iter().any(|v| v.contains(['\r', '\n', '\0'])) {
            prop_assert!(written.is_err(), "an unsafe value must refuse the whole answer");
            prop_assert!(wire.is_empty(), "a refused answer must print nothing");
        } else {
            for line in wire.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                prop_assert!(!line.contains(&b'\r') && !line.contains(&0));
            }
            prop_assert_eq!(wire.iter().filter(|&&b| b == b'\n').count(), values.len());
        }
    }

    #[test]
    fn chunked_reads_give_the_same_request_as_one_read(
        bytes in hostile_bytes(), chunk in 1usize..17
    ) {
        let whole = read_request_bytes(&bytes[..], MAX_REQUEST_BYTES).unwrap();
        let pieces = read_request_bytes(Chunked(&bytes, chunk), MAX_REQUEST_BYTES).unwrap();
        prop_assert_eq!(&whole[..], &pieces[..]);
    }

    #[test]
    fn chunking_never_decides_whether_a_request_is_within_the_limit(
        bytes in hostile_bytes(), chunk in 1usize..17, limit in 0usize..300
    ) {
        // Found by the protocol_request fuzz target: bytes after the blank
        // line, read together with it, used to count against the limit.
        let whole = read_request_bytes(&bytes[..], limit).ok();
        let pieces = read_request_bytes(Chunked(&bytes, chunk), limit).ok();
        prop_assert_eq!(whole.as_deref(), pieces.as_deref());
    }
}

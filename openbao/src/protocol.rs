//! The lines of a session (notes/bao-design.md §2): requests from
//! `mailcred` on stdin, one answer each on stdout. Secrets (the blobs) are
//! held in [`SecretString`]s and every buffer that held one is zeroed.

use std::io::{self, BufRead, Read, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};
use zeroize::Zeroizing;

use crate::failure::{Failure, Kind};

/// The largest blob kept in one entry.
pub const MAX_BLOB: usize = 256 * 1024;
/// The longest request line: a write of a [`MAX_BLOB`] blob in base64 with
/// its label, with room to spare.
pub const MAX_LINE: usize = 1024 * 1024;

/// One request.
pub enum Request {
    /// The entry at `key` (relative to `<mount>/data/<prefix>/`).
    Read {
        /// The key.
        key: String,
    },
    /// Writes `data` (base64) at `key`, if `cas` allows.
    Write {
        /// The key.
        key: String,
        /// Human-readable, never secret.
        label: String,
        /// The blob, base64 (standard alphabet, padded).
        data: SecretString,
        /// None: unconditional; 0: only if absent; N: only if at version N.
        cas: Option<u64>,
    },
    /// Removes every version of `key`.
    Delete {
        /// The key.
        key: String,
    },
    /// Server and token state, for `doctor`.
    Ping,
}

/// A request as sent: one flat object, so that serde reads `data` straight
/// into a [`SecretString`] (an internally tagged enum would first copy the
/// whole object, secret included, into buffers nobody zeroes).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    op: String,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    data: Option<SecretString>,
    #[serde(default)]
    cas: Option<u64>,
}

impl Request {
    /// Parses one line.
    pub fn parse(line: &[u8]) -> Result<Self, Failure> {
        let bad = |what: String| {
            Failure::new(
                Kind::BadRequest,
                format!(
                    "a request from mailcred is not usable ({what}); this is a bug in mailcred"
                ),
            )
        };
        // serde_json's message names the field or the position, never the value.
        let wire: Wire = serde_json::from_slice(line).map_err(|err| bad(err.to_string()))?;
        let key =
            |key: Option<String>| key.ok_or_else(|| bad(format!("{} without a key", wire.op)));
        match wire.op.as_str() {
            "read" => Ok(Request::Read {
                key: key(wire.key)?,
            }),
            "delete" => Ok(Request::Delete {
                key: key(wire.key)?,
            }),
            "write" => Ok(Request::Write {
                key: key(wire.key)?,
                label: wire.label.unwrap_or_default(),
                data: wire.data.ok_or_else(|| bad("write without data".into()))?,
                cas: wire.cas,
            }),
            "ping" => Ok(Request::Ping),
            other => Err(bad(format!(
                "unknown op {:?}",
                crate::failure::server_text(other)
            ))),
        }
    }
}

/// `data` checked to be a base64 blob of at most [`MAX_BLOB`] bytes.
pub fn check_blob(data: &SecretString) -> Result<(), Failure> {
    let decoded = Zeroizing::new(
        STANDARD
            .decode(data.expose_secret())
            .map_err(|_| Failure::new(Kind::BadRequest, "the blob is not base64"))?,
    );
    if decoded.len() > MAX_BLOB {
        return Err(Failure::new(
            Kind::BadRequest,
            format!("the blob is larger than {} KiB", MAX_BLOB / 1024),
        ));
    }
    Ok(())
}

/// One answer.
#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    /// The entry's blob and version.
    Found {
        /// Base64 of the blob.
        #[serde(serialize_with = "expose")]
        data: SecretString,
        /// The KV version read.
        version: u64,
    },
    /// No entry; `version` is the current one when it is only deleted.
    Absent {
        /// The soft-deleted or destroyed version, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        version: Option<u64>,
    },
    /// The version written.
    Written {
        /// It.
        version: u64,
    },
    /// Every version gone (or none was there).
    Deleted {},
    /// The server and the token answer.
    Ready {
        /// "OpenBao 2.7.2".
        server: String,
        /// What is left of the token's TTL (0: it never expires).
        token_ttl_seconds: u64,
        /// The token's policies.
        policies: Vec<String>,
    },
    /// A failure.
    Error {
        /// Its kind.
        kind: Kind,
        /// What happened and what to do.
        message: String,
        /// The server path concerned.
        #[serde(skip_serializing_if = "Option::is_none")]
        path: Option<String>,
    },
}

fn expose<S: Serializer>(secret: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose_secret())
}

impl From<Failure> for Answer {
    fn from(failure: Failure) -> Self {
        Answer::Error {
            kind: failure.kind,
            message: failure.message,
            path: failure.path,
        }
    }
}

impl Answer {
    /// Writes the answer as one line and flushes it; the buffer that held
    /// it is zeroed.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut line = Zeroizing::new(serde_json::to_vec(self).map_err(io::Error::other)?);
        line.push(b'\n');
        out.write_all(&line)?;
        out.flush()
    }
}

/// One line read from `input` (without its newline), at most [`MAX_LINE`]
/// bytes: `Ok(None)` at the end of input, `Err` for a longer line (which is
/// read to its end and dropped, so the next request is read whole).
pub fn read_line(
    input: &mut dyn BufRead,
) -> io::Result<Option<Result<Zeroizing<Vec<u8>>, Failure>>> {
    let mut line = Zeroizing::new(Vec::new());
    let read = (&mut *input)
        .take(MAX_LINE as u64 + 1)
        .read_until(b'\n', &mut line)?;
    if read == 0 {
        return Ok(None);
    }
    if line.last() == Some(&b'\n') {
        line.pop();
        return Ok(Some(Ok(line)));
    }
    if line.len() <= MAX_LINE {
        // The last line, without a newline.
        return Ok(Some(Ok(line)));
    }
    let mut rest = Zeroizing::new(Vec::new());
    loop {
        rest.clear();
        let n = (&mut *input).take(64 * 1024).read_until(b'\n', &mut rest)?;
        if n == 0 || rest.last() == Some(&b'\n') {
            break;
        }
    }
    Ok(Some(Err(Failure::new(
        Kind::BadRequest,
        format!("a request line is longer than {} KiB", MAX_LINE / 1024),
    ))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_requests_parse_and_unknown_ones_are_bad_requests() {
        assert!(matches!(
            Request::parse(br#"{"op":"read","key":"k"}"#),
            Ok(Request::Read { .. })
        ));
        assert!(matches!(
            Request::parse(br#"{"op":"write","key":"k","label":"l","data":"AA==","cas":0}"#),
            Ok(Request::Write { cas: Some(0), .. })
        ));
        assert!(matches!(
            Request::parse(br#"{"op":"delete","key":"k"}"#),
            Ok(Request::Delete { .. })
        ));
        assert!(matches!(
            Request::parse(br#"{"op":"ping"}"#),
            Ok(Request::Ping)
        ));
        for bad in [&br#"{"op":"list"}"#[..], b"not json", br#"{"op":"read"}"#] {
            assert_eq!(
                Request::parse(bad).err().map(|f| f.kind),
                Some(Kind::BadRequest)
            );
        }
    }

    #[test]
    fn a_bad_request_never_repeats_the_data() {
        let failure = Request::parse(br#"{"op":"write","key":"k","data":"c2VjcmV0","extra":"x"}"#)
            .err()
            .expect("an unknown field is refused");
        assert!(!failure.message.contains("c2VjcmV0"), "{failure}");
    }

    #[test]
    fn answers_are_spelled_as_the_contract_says() {
        let line = |a: Answer| {
            let mut out = Vec::new();
            a.write(&mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            line(Answer::Found {
                data: SecretString::from("AA=="),
                version: 3
            }),
            "{\"found\":{\"data\":\"AA==\",\"version\":3}}\n"
        );
        assert_eq!(line(Answer::Absent { version: None }), "{\"absent\":{}}\n");
        assert_eq!(
            line(Answer::Absent { version: Some(2) }),
            "{\"absent\":{\"version\":2}}\n"
        );
        assert_eq!(line(Answer::Deleted {}), "{\"deleted\":{}}\n");
        assert_eq!(
            line(Failure::new(Kind::Sealed, "m").at("p").into()),
            "{\"error\":{\"kind\":\"sealed\",\"message\":\"m\",\"path\":\"p\"}}\n"
        );
    }

    #[test]
    fn an_overlong_line_is_refused_and_the_next_one_read_whole() {
        let mut input = vec![b'x'; MAX_LINE + 10];
        input.extend_from_slice(b"\n{\"op\":\"ping\"}\n");
        let mut reader = io::BufReader::new(&input[..]);
        assert!(read_line(&mut reader).unwrap().unwrap().is_err());
        assert_eq!(
            &read_line(&mut reader).unwrap().unwrap().unwrap()[..],
            b"{\"op\":\"ping\"}"
        );
        assert!(read_line(&mut reader).unwrap().is_none());
    }

    #[test]
    fn blobs_must_be_base64_and_at_most_256_kib() {
        assert!(check_blob(&SecretString::from(STANDARD.encode(vec![0u8; MAX_BLOB]))).is_ok());
        assert!(
            check_blob(&SecretString::from(
                STANDARD.encode(vec![0u8; MAX_BLOB + 1])
            ))
            .is_err()
        );
        assert!(check_blob(&SecretString::from("not base64!")).is_err());
    }
}

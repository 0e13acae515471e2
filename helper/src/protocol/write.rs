use std::io::{self, Write};

use zeroize::Zeroizing;

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

//! A line-based conversation with an IMAP or POP3 server over the bounded
//! [`Io`] of [`crate::wire`]: each line at most [`MAX_LINE_BYTES`](crate::wire)
//! long, each reply at most [`MAX_LINES`] lines, every wait bounded by the
//! clock; lines carrying the password are written from a wiped buffer.

use std::time::Instant;

use zeroize::Zeroizing;

use crate::wire::{Inbox, Io, MAX_LINES, Oversize, Tls, WireError};

/// A connection, line by line.
#[derive(Debug)]
pub(crate) struct Session<S> {
    io: S,
    inbox: Inbox,
    /// Lines read for the current reply, against [`MAX_LINES`].
    lines: usize,
}

impl<S: Io> Session<S> {
    pub(crate) fn new(io: S) -> Self {
        Session {
            io,
            inbox: Inbox::default(),
            lines: 0,
        }
    }

    /// Starts counting the lines of a new reply.
    pub(crate) fn new_reply(&mut self) {
        self.lines = 0;
    }

    /// The next line, without its line end, as text a terminal may show
    /// (control characters replaced).
    pub(crate) async fn line(&mut self) -> Result<String, WireError> {
        self.lines += 1;
        if self.lines > MAX_LINES {
            return Err(WireError::Oversize(Oversize::Lines(MAX_LINES)));
        }
        loop {
            if let Some(line) = self.inbox.take_line()? {
                let line = line.strip_suffix(b"\n").unwrap_or(&line);
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                return Ok(shown(line));
            }
            let read = self.io.read(self.inbox.room()).await?;
            if read == 0 {
                return Err(WireError::Closed);
            }
            self.inbox.filled(read);
        }
    }

    /// Sends `line` and CRLF in one write.
    pub(crate) async fn send(&mut self, line: &str) -> Result<(), WireError> {
        self.io.write_all(format!("{line}\r\n").as_bytes()).await
    }

    /// Sends a line made of `parts` (one of them the password) and CRLF,
    /// from a buffer wiped afterwards.
    pub(crate) async fn send_secret(&mut self, parts: &[&str]) -> Result<(), WireError> {
        let length = parts.iter().map(|p| p.len()).sum::<usize>() + 2;
        let mut line = Zeroizing::new(Vec::with_capacity(length));
        for part in parts {
            line.extend_from_slice(part.as_bytes());
        }
        line.extend_from_slice(b"\r\n");
        self.io.write_all(&line).await
    }

    /// Negotiates TLS after the server agreed to STARTTLS (STLS). Bytes
    /// already here were sent before TLS, yet would be read as the first
    /// reply through it: a known injection, refused.
    pub(crate) async fn start_tls(&mut self, tls: &Tls) -> Result<(), WireError> {
        if !self.inbox.is_empty() {
            return Err(WireError::DataBeforeTls);
        }
        self.io.start_tls(tls).await
    }

    /// From now on no wait goes past `deadline`.
    pub(crate) fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.io.set_deadline(deadline);
    }

    /// Closes the connection without a word.
    pub(crate) fn shutdown(&mut self) {
        self.io.shutdown();
    }

    /// The stream, for tests to look at what was written.
    #[cfg(test)]
    pub(crate) fn io_ref(&self) -> &S {
        &self.io
    }
}

/// At most this many characters of a server's line are quoted in a message.
const SHOWN_CHARS: usize = 300;

/// A server's line as it may be quoted: valid UTF-8, no control characters
/// (a server's escape sequences never reach a terminal), not too long.
pub(crate) fn shown(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    let mut out: String = text
        .chars()
        .take(SHOWN_CHARS)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if text.chars().count() > SHOWN_CHARS {
        out.push('…');
    }
    out.trim().to_owned()
}

#[cfg(test)]
pub(crate) mod script {
    //! A server as a script, for the conversations' unit tests.

    use std::collections::VecDeque;

    use crate::wire::{Clock, Io, Tls, WireError};

    /// Each read hands out the next chunk; every write is recorded; TLS
    /// "starts" by being noted.
    #[derive(Debug, Default)]
    pub(crate) struct Script {
        pub chunks: VecDeque<Vec<u8>>,
        pub written: Vec<u8>,
        pub tls_started: bool,
    }

    impl Script {
        pub(crate) fn new(chunks: &[&str]) -> Self {
            Script {
                chunks: chunks.iter().map(|c| c.as_bytes().to_vec()).collect(),
                ..Script::default()
            }
        }
    }

    impl Io for Script {
        async fn connect(_: &str, _: u16, _: Clock, _: Option<&Tls>) -> Result<Self, WireError> {
            unreachable!("scripts are made, not connected")
        }
        async fn read(&mut self, buf: &mut [u8]) -> Result<usize, WireError> {
            let Some(mut chunk) = self.chunks.pop_front() else {
                return Ok(0);
            };
            let n = chunk.len().min(buf.len());
            buf[..n].copy_from_slice(&chunk[..n]);
            if n < chunk.len() {
                self.chunks.push_front(chunk.split_off(n));
            }
            Ok(n)
        }
        async fn write_all(&mut self, bytes: &[u8]) -> Result<(), WireError> {
            self.written.extend_from_slice(bytes);
            Ok(())
        }
        async fn start_tls(&mut self, _: &Tls) -> Result<(), WireError> {
            self.tls_started = true;
            Ok(())
        }
        fn set_deadline(&mut self, _: Option<std::time::Instant>) {}
        fn shutdown(&mut self) {}
    }
}

#[cfg(test)]
mod tests {
    use super::script::Script;
    use super::*;
    use crate::wire::block_on;

    #[test]
    fn lines_come_without_their_ends_and_harmless() {
        let mut session = Session::new(Script::new(&["* OK ready\r\n+OK\n", "x\x1b[2Jy\r\n"]));
        assert_eq!(block_on(session.line()).unwrap(), "* OK ready");
        assert_eq!(block_on(session.line()).unwrap(), "+OK");
        assert_eq!(block_on(session.line()).unwrap(), "x\u{fffd}[2Jy");
        assert!(matches!(block_on(session.line()), Err(WireError::Closed)));
    }

    #[test]
    fn a_reply_of_endless_lines_is_cut_at_the_limit() {
        let lines = "* x\r\n".repeat(MAX_LINES + 1);
        let mut session = Session::new(Script::new(&[&lines]));
        session.new_reply();
        let mut result = Ok(String::new());
        for _ in 0..=MAX_LINES {
            result = block_on(session.line());
        }
        assert!(
            matches!(result, Err(WireError::Oversize(Oversize::Lines(MAX_LINES)))),
            "{result:?}"
        );
    }

    #[test]
    fn bytes_sent_before_tls_are_refused() {
        let mut session = Session::new(Script::new(&["+OK begin TLS\r\n+OK injected\r\n"]));
        block_on(session.line()).unwrap();
        let tls = Tls::new("pop.example.org", &[]).unwrap();
        assert!(matches!(
            block_on(session.start_tls(&tls)),
            Err(WireError::DataBeforeTls)
        ));
    }

    #[test]
    fn a_long_server_line_is_quoted_cut_short() {
        let long = "a".repeat(1000);
        assert_eq!(shown(long.as_bytes()).chars().count(), SHOWN_CHARS + 1);
    }
}

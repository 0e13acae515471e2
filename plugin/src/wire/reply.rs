//! Server replies read within bounds: a line is refused as soon as it is
//! longer than [`MAX_LINE_BYTES`] (newline or not), a reply as soon as it
//! has more than [`MAX_LINES`] lines, so what a server can make the client
//! hold is at most their product. Pure bookkeeping over bytes; the reading
//! itself is [`Connection`](super::Connection)'s.

use std::str::FromStr;

use lettre::transport::smtp::response::Response;

use super::{Oversize, WireError};

/// The longest reply line taken, CRLF included. RFC 5321 section 4.5.3.1.5
/// allows 512 octets; servers that list many extensions or quote long
/// policy URLs go past that, none by eight times.
pub(crate) const MAX_LINE_BYTES: usize = 4096;

/// The most lines taken in one reply: an EHLO reply, the longest kind,
/// runs to a few dozen.
pub(crate) const MAX_LINES: usize = 128;

/// Bytes read from the server and not yet used: at most one line's worth,
/// as reads are never larger than the room left.
#[derive(Debug)]
pub(crate) struct Inbox {
    buffer: Vec<u8>,
    len: usize,
}

impl Default for Inbox {
    fn default() -> Self {
        Self {
            buffer: vec![0; MAX_LINE_BYTES],
            len: 0,
        }
    }
}

impl Inbox {
    /// Room for the next read: the rest of a buffer of [`MAX_LINE_BYTES`].
    /// Keep what was read into it with [`Inbox::filled`].
    pub(crate) fn room(&mut self) -> &mut [u8] {
        &mut self.buffer[self.len..]
    }

    /// Keeps the first `read` bytes of the room.
    pub(crate) fn filled(&mut self, read: usize) {
        self.len = (self.len + read).min(MAX_LINE_BYTES);
    }

    /// Whether nothing is waiting.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The next whole line, line end included, taken out; `None` when the
    /// line is not complete yet; an error when it is already too long.
    pub(crate) fn take_line(&mut self) -> Result<Option<Vec<u8>>, WireError> {
        match self.buffer[..self.len].iter().position(|&b| b == b'\n') {
            Some(end) => {
                let line = self.buffer[..=end].to_vec();
                self.buffer.copy_within(end + 1..self.len, 0);
                self.len -= end + 1;
                Ok(Some(line))
            }
            None if self.len >= MAX_LINE_BYTES => {
                Err(WireError::Oversize(Oversize::LineBytes(MAX_LINE_BYTES)))
            }
            None => Ok(None),
        }
    }
}

/// The lines of one reply so far.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    code: Option<[u8; 3]>,
    /// Each line as `CODE-text` (or `CODE text` for the last), cleaned.
    text: String,
    count: usize,
}

impl Lines {
    /// Adds one line; the whole reply once it was the last line.
    pub(crate) fn push(&mut self, line: &[u8]) -> Result<Option<Response>, WireError> {
        self.count += 1;
        if self.count > MAX_LINES {
            return Err(WireError::Oversize(Oversize::Lines(MAX_LINES)));
        }
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let (code, more, text) = match line {
            [a, b, c, rest @ ..] if [a, b, c].iter().all(|d| d.is_ascii_digit()) => match rest {
                [] => ([*a, *b, *c], false, &[][..]),
                [b' ', text @ ..] => ([*a, *b, *c], false, text),
                [b'-', text @ ..] => ([*a, *b, *c], true, text),
                _ => return Err(malformed(line)),
            },
            _ => return Err(malformed(line)),
        };
        if *self.code.get_or_insert(code) != code {
            return Err(WireError::Malformed(
                "the lines of one reply have different codes".into(),
            ));
        }
        self.text
            .push_str(std::str::from_utf8(&code).expect("ASCII digits"));
        self.text.push(if more { '-' } else { ' ' });
        self.text.push_str(&clean(text));
        self.text.push_str("\r\n");
        if more {
            return Ok(None);
        }
        let text = std::mem::take(&mut self.text);
        *self = Lines::default();
        Response::from_str(&text)
            .map(Some)
            .map_err(|_| malformed(text.lines().last().unwrap_or_default().as_bytes()))
    }
}

/// A reply's text as it may be shown: valid UTF-8 without control
/// characters (a server's escape sequences never reach a terminal), and
/// without blanks at either end (lettre's EHLO parser expects a word on
/// every line that is not empty).
fn clean(text: &[u8]) -> String {
    String::from_utf8_lossy(text)
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

fn malformed(line: &[u8]) -> WireError {
    let shown: String = clean(line).chars().take(80).collect();
    WireError::Malformed(format!("{shown:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(lines: &[&str]) -> Result<Option<Response>, WireError> {
        let mut reply = Lines::default();
        let mut last = Ok(None);
        for line in lines {
            last = reply.push(line.as_bytes());
        }
        last
    }

    fn inbox(bytes: &[u8]) -> Inbox {
        let mut inbox = Inbox::default();
        inbox.room()[..bytes.len()].copy_from_slice(bytes);
        inbox.filled(bytes.len());
        inbox
    }

    #[test]
    fn a_multiline_reply_ends_at_the_line_with_a_space() {
        let ehlo = reply(&["250-mail.example.org\r\n", "250-AUTH PLAIN LOGIN\r\n"]);
        assert!(matches!(ehlo, Ok(None)), "two lines of three: {ehlo:?}");
        let ehlo = reply(&[
            "250-mail.example.org\r\n",
            "250-AUTH PLAIN LOGIN\r\n",
            "250 STARTTLS\n",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(
            ehlo.message().collect::<Vec<_>>(),
            ["mail.example.org", "AUTH PLAIN LOGIN", "STARTTLS"]
        );
        let bare = reply(&["250\r\n"]).unwrap().unwrap();
        assert!(bare.has_code(250), "a code alone is a reply: {bare:?}");
    }

    #[test]
    fn a_line_without_an_end_is_refused_once_it_passes_the_limit() {
        let mut partial = inbox(b"220 ");
        assert!(matches!(partial.take_line(), Ok(None)), "waits for more");
        let mut endless = inbox(&[b'a'; MAX_LINE_BYTES]);
        assert!(matches!(
            endless.take_line(),
            Err(WireError::Oversize(Oversize::LineBytes(MAX_LINE_BYTES)))
        ));
        assert!(
            endless.room().is_empty(),
            "nothing more is read into a full inbox"
        );
    }

    #[test]
    fn lines_come_out_one_at_a_time_and_the_rest_waits() {
        let mut inbox = inbox(b"250-a\r\n250 b\r\n221");
        assert_eq!(inbox.take_line().unwrap().unwrap(), b"250-a\r\n");
        assert_eq!(inbox.take_line().unwrap().unwrap(), b"250 b\r\n");
        assert!(matches!(inbox.take_line(), Ok(None)));
        assert!(!inbox.is_empty(), "the start of the next reply is kept");
    }

    #[test]
    fn a_reply_of_too_many_lines_is_refused() {
        let lines = vec!["250-x\r\n"; MAX_LINES + 1];
        assert!(matches!(
            reply(&lines),
            Err(WireError::Oversize(Oversize::Lines(MAX_LINES)))
        ));
    }

    #[test]
    fn what_is_not_a_reply_is_refused_and_shown_harmless() {
        for bad in ["HTTP/1.1 400 Bad Request\r\n", "25 x\r\n", "250x\r\n"] {
            assert!(
                matches!(reply(&[bad]), Err(WireError::Malformed(_))),
                "{bad:?} is no SMTP reply"
            );
        }
        let Err(WireError::Malformed(shown)) = reply(&["\x1b[2J\x1b]0;owned\x07\r\n"]) else {
            panic!("escape sequences are no reply");
        };
        assert!(
            !shown.contains('\x1b'),
            "no escape reaches a terminal: {shown}"
        );
        assert!(matches!(
            reply(&["250-a\r\n", "550 b\r\n"]),
            Err(WireError::Malformed(_))
        ));
    }

    #[test]
    fn control_characters_and_blank_lines_in_a_reply_are_made_harmless() {
        let got = reply(&["250- \r\n", "250 ok\x1b[31m red\r\n"])
            .unwrap()
            .unwrap();
        assert_eq!(
            got.message().collect::<Vec<_>>(),
            ["", "ok\u{fffd}[31m red"],
            "a blank line is empty (lettre's EHLO parser would panic on a blank), escapes replaced"
        );
    }
}

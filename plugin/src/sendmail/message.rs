//! The message on stdin, as sendmail takes it: read up to EOF (or a lone `.`
//! line without `-i`), headers read for From, To, Cc and Bcc, Bcc lines
//! removed, line ends made CRLF for SMTP.

use std::io::{self, BufRead};

use super::addresses::{self, AddressError};
use super::header::{self, Kind};

/// Reads the message. Without `ignore_dots` (`-i`), a line holding only
/// `.` ends it, as with sendmail; the rest of the input is left unread.
pub fn read_message(mut input: impl BufRead, ignore_dots: bool) -> io::Result<Vec<u8>> {
    let mut message = Vec::new();
    if ignore_dots {
        input.read_to_end(&mut message)?;
        return Ok(message);
    }
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(message);
        }
        if matches!(&line[..], b".\n" | b".\r\n" | b".") {
            return Ok(message);
        }
        message.extend_from_slice(&line);
    }
}

/// A message split into what the envelope needs and what goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// The first From: address, if the message has one.
    pub from: Option<String>,
    /// The addresses of To:, Cc: and Bcc:, in order.
    pub header_recipients: Vec<String>,
    /// The message with Bcc: lines removed, lines joined with CRLF, and no
    /// line end after the last line (SMTP's end of data adds it).
    pub data: Vec<u8>,
}

/// Why a message cannot be sent as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// Nothing on stdin.
    #[error("the message on stdin is empty")]
    Empty,
    /// A header with addresses that do not parse.
    #[error("the message's {header}: header cannot be read: {source}")]
    BadAddresses {
        /// The header.
        header: &'static str,
        /// What is wrong.
        #[source]
        source: AddressError,
    },
}

/// Reads the headers and makes the message ready for SMTP.
pub fn prepare(raw: &[u8]) -> Result<Prepared, MessageError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(MessageError::Empty);
    }
    let lines = split_lines(raw);
    let header_end = lines
        .iter()
        .position(|l| l.is_empty())
        .unwrap_or(lines.len());
    let fields = header::fields(&lines[..header_end]);

    let mut from = None;
    let mut header_recipients = Vec::new();
    for field in &fields {
        let header = match field.kind {
            Kind::From => "From",
            Kind::To => "To",
            Kind::Cc => "Cc",
            Kind::Bcc => "Bcc",
            Kind::Other | Kind::NotAField => continue,
        };
        let value = String::from_utf8_lossy(&field.value);
        let found = addresses::parse_list(&value)
            .map_err(|source| MessageError::BadAddresses { header, source })?;
        if field.kind == Kind::From {
            from = from.or_else(|| found.into_iter().next());
        } else {
            header_recipients.extend(found);
        }
    }
    // Every line of every field whose addresses went into the envelope as
    // blind copies: the same fields as above, so the two cannot disagree.
    let blind: Vec<_> = fields
        .iter()
        .filter(|f| f.kind == Kind::Bcc)
        .map(|f| f.lines.clone())
        .collect();

    // Lines joined with CRLF, without one after the last: the end of data
    // (CRLF . CRLF) supplies it.
    let mut data = Vec::with_capacity(raw.len() + raw.len() / 32 + 2);
    for (index, line) in lines.iter().enumerate() {
        if blind.iter().any(|range| range.contains(&index)) {
            continue;
        }
        if !data.is_empty() {
            data.extend_from_slice(b"\r\n");
        }
        data.extend_from_slice(line);
    }
    Ok(Prepared {
        from,
        header_recipients,
        data,
    })
}

/// The lines, without their LF or CRLF. A last line without an end counts.
fn split_lines(raw: &[u8]) -> Vec<&[u8]> {
    let body = raw.strip_suffix(b"\n").unwrap_or(raw);
    body.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_dash_i_a_lone_dot_ends_the_message() {
        let got = read_message(&b"Subject: x\n\nbody\n.\nnot read\n"[..], false).unwrap();
        assert_eq!(got, b"Subject: x\n\nbody\n");
        let all = read_message(&b"Subject: x\n\nbody\n.\nread too\n"[..], true).unwrap();
        assert_eq!(all, b"Subject: x\n\nbody\n.\nread too\n");
    }

    #[test]
    fn headers_give_the_sender_and_recipients_and_bcc_is_removed() {
        let raw = b"From: Alice <alice@example.org>\n\
To: bob@example.org,\n \"Carol, C.\" <carol@example.org>\n\
Bcc: secret@example.org\n  , hidden@example.org\n\
Subject: Hi\n\
\n\
Bcc: in the body stays\n";
        let prepared = prepare(raw).unwrap();
        assert_eq!(prepared.from.as_deref(), Some("alice@example.org"));
        assert_eq!(
            prepared.header_recipients,
            [
                "bob@example.org",
                "carol@example.org",
                "secret@example.org",
                "hidden@example.org"
            ]
        );
        assert_eq!(
            String::from_utf8(prepared.data).unwrap(),
            "From: Alice <alice@example.org>\r\n\
To: bob@example.org,\r\n \"Carol, C.\" <carol@example.org>\r\n\
Subject: Hi\r\n\
\r\n\
Bcc: in the body stays"
        );
    }

    #[test]
    fn every_spelling_of_bcc_is_a_recipient_and_removed_with_its_continuations() {
        let raw = b"From: alice@example.org\n\
To: bob@example.org\n\
Bcc : hidden@example.org\n\
bCC\t:\tsecond@example.org,\n\
\tthird@example.org\n\
Subject: Hi\n\
\n\
body\n";
        let prepared = prepare(raw).unwrap();
        assert_eq!(
            prepared.header_recipients,
            [
                "bob@example.org",
                "hidden@example.org",
                "second@example.org",
                "third@example.org"
            ],
            "each Bcc spelling names blind copies"
        );
        assert_eq!(
            String::from_utf8(prepared.data).unwrap(),
            "From: alice@example.org\r\nTo: bob@example.org\r\nSubject: Hi\r\n\r\nbody",
            "every line of every Bcc field is removed, or each recipient sees the blind copies"
        );
    }

    #[test]
    fn crlf_input_is_kept_and_the_last_line_end_left_to_smtp() {
        let prepared = prepare(b"Subject: x\r\n\r\nbody").unwrap();
        assert_eq!(prepared.data, b"Subject: x\r\n\r\nbody");
        let prepared = prepare(b"Subject: x\n\nbody\n").unwrap();
        assert_eq!(prepared.data, b"Subject: x\r\n\r\nbody");
        assert_eq!(prepared.from, None);
    }

    #[test]
    fn an_empty_message_is_refused() {
        assert_eq!(prepare(b"\n\n"), Err(MessageError::Empty));
    }

    #[test]
    fn an_unreadable_to_header_is_refused_naming_it() {
        let error = prepare(b"To: <bob@\n\nx\n").unwrap_err();
        assert!(matches!(
            error,
            MessageError::BadAddresses { header: "To", .. }
        ));
    }
}

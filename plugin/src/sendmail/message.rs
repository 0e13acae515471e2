//! The message on stdin, as sendmail takes it: read up to EOF (or a lone `.`
//! line without `-i`), headers read for From, To, Cc and Bcc, Bcc lines
//! removed, line ends made CRLF for SMTP.

use std::io::{self, BufRead};

use super::addresses::{self, AddressError};

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
    let fields = unfold(&lines[..header_end]);

    let mut from = None;
    let mut header_recipients = Vec::new();
    for (name, value) in &fields {
        let header = match name.to_ascii_lowercase().as_str() {
            "from" => "From",
            "to" => "To",
            "cc" => "Cc",
            "bcc" => "Bcc",
            _ => continue,
        };
        let value = String::from_utf8_lossy(value);
        let found = addresses::parse_list(&value)
            .map_err(|source| MessageError::BadAddresses { header, source })?;
        if header == "From" {
            from = from.or_else(|| found.into_iter().next());
        } else {
            header_recipients.extend(found);
        }
    }

    // Lines joined with CRLF, without one after the last: the end of data
    // (CRLF . CRLF) supplies it.
    let mut data = Vec::with_capacity(raw.len() + raw.len() / 32 + 2);
    let mut in_bcc = false;
    for (index, line) in lines.iter().enumerate() {
        if index < header_end {
            let continuation = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
            if !continuation {
                in_bcc = field_name(line).is_some_and(|n| n.eq_ignore_ascii_case(b"bcc"));
            }
            if in_bcc {
                continue;
            }
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

/// Header fields as (name, value), continuation lines joined.
fn unfold(lines: &[&[u8]]) -> Vec<(String, Vec<u8>)> {
    let mut fields: Vec<(String, Vec<u8>)> = Vec::new();
    for line in lines {
        if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            if let Some((_, value)) = fields.last_mut() {
                value.extend_from_slice(line);
            }
        } else if let Some(name) = field_name(line) {
            let value = &line[name.len() + 1..];
            fields.push((
                String::from_utf8_lossy(name).trim().to_owned(),
                value.to_vec(),
            ));
        }
    }
    fields
}

fn field_name(line: &[u8]) -> Option<&[u8]> {
    let colon = line.iter().position(|&b| b == b':')?;
    let name = &line[..colon];
    (!name.is_empty() && name.iter().all(|b| b.is_ascii_graphic() || *b == b' ')).then_some(name)
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

//! The header section of a message as `send -t` reads it: which lines make
//! up which field, and what each field is. Both the recipients and the
//! removal of Bcc lines come from [`fields`], so a spelling that makes an
//! address a blind copy always removes its lines too (the two once read
//! field names differently, and `Bcc : x` was sent to x and left in).

use std::ops::Range;

/// What a header field is to `send -t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// `From:`, the sender.
    From,
    /// `To:`.
    To,
    /// `Cc:`.
    Cc,
    /// `Bcc:`: a recipient, and a line never sent.
    Bcc,
    /// Any other field, passed through.
    Other,
    /// A line that is no field at all (no colon, or a name that is not one),
    /// and the continuation lines after it: passed through, never read.
    NotAField,
}

/// One field: its kind, its value with continuation lines joined, and the
/// lines it spans (its first line and every continuation line after it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Field {
    pub kind: Kind,
    pub value: Vec<u8>,
    pub lines: Range<usize>,
}

/// The fields of `header` (the lines before the empty one, without line
/// ends). A line starting with a space or tab continues the field above it,
/// whatever that is; one at the very top is a field of its own, of no kind.
pub(super) fn fields(header: &[&[u8]]) -> Vec<Field> {
    let mut fields: Vec<Field> = Vec::new();
    for (index, line) in header.iter().enumerate() {
        let continues = line.first().is_some_and(|b| is_wsp(*b));
        match fields.last_mut() {
            Some(field) if continues => {
                field.value.extend_from_slice(line);
                field.lines.end = index + 1;
            }
            _ => {
                let (kind, value) = classify(line);
                fields.push(Field {
                    kind,
                    value: value.to_vec(),
                    lines: index..index + 1,
                });
            }
        }
    }
    fields
}

/// The kind of the field starting at `line`, and its value: the one place
/// that reads a field name. RFC 5322 section 3.6.8 names a field with
/// printable ASCII other than the colon; its obsolete syntax (section 4.5)
/// allows spaces and tabs before the colon, in any case (`bCC\t:`).
fn classify(line: &[u8]) -> (Kind, &[u8]) {
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return (Kind::NotAField, &[]);
    };
    let name = trim_end_wsp(&line[..colon]);
    if name.is_empty() || !name.iter().all(|b| (33..=126).contains(b)) {
        return (Kind::NotAField, &[]);
    }
    let kind = [
        ("from", Kind::From),
        ("to", Kind::To),
        ("cc", Kind::Cc),
        ("bcc", Kind::Bcc),
    ]
    .into_iter()
    .find(|(known, _)| name.eq_ignore_ascii_case(known.as_bytes()))
    .map_or(Kind::Other, |(_, kind)| kind);
    (kind, &line[colon + 1..])
}

fn is_wsp(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

fn trim_end_wsp(mut bytes: &[u8]) -> &[u8] {
    while let [rest @ .., last] = bytes
        && is_wsp(*last)
    {
        bytes = rest;
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(line: &str) -> Kind {
        classify(line.as_bytes()).0
    }

    #[test]
    fn every_spelling_of_bcc_is_bcc() {
        for line in [
            "Bcc: x@example.org",
            "bcc:x@example.org",
            "bCC : x@example.org",
            "BCC\t: x@example.org",
            "Bcc \t : x@example.org",
        ] {
            assert_eq!(kind_of(line), Kind::Bcc, "{line:?} makes a blind copy");
        }
    }

    #[test]
    fn names_that_only_look_like_bcc_are_not() {
        assert_eq!(kind_of("X-Bcc: x@example.org"), Kind::Other);
        assert_eq!(kind_of("Resent-Bcc: x@example.org"), Kind::Other);
        assert_eq!(kind_of("B cc: x@example.org"), Kind::NotAField);
        assert_eq!(kind_of("Bcc x@example.org"), Kind::NotAField);
        assert_eq!(kind_of(": x@example.org"), Kind::NotAField);
    }

    #[test]
    fn continuation_lines_belong_to_the_field_above_even_when_it_is_no_field() {
        let header: Vec<&[u8]> = vec![
            b" stray",
            b"Bcc : a@example.org,",
            b"\tb@example.org",
            b"garbage without a colon",
            b" , c@example.org",
            b"To: d@example.org",
        ];
        let got: Vec<(Kind, Range<usize>)> = fields(&header)
            .into_iter()
            .map(|f| (f.kind, f.lines))
            .collect();
        assert_eq!(
            got,
            [
                (Kind::NotAField, 0..1),
                (Kind::Bcc, 1..3),
                (Kind::NotAField, 3..5),
                (Kind::To, 5..6),
            ],
            "c@example.org continues the line that is no field, not the Bcc"
        );
        assert_eq!(
            fields(&header)[1].value,
            b" a@example.org,\tb@example.org",
            "the Bcc's value joins its continuation line"
        );
    }
}

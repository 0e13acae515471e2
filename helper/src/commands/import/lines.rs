//! Lines with their byte offsets, which every reader needs to say where a
//! secret is and which bytes a rewrite replaces.

use std::ops::Range;

/// One line of a file (no `Debug`: it may hold a password).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// Its number, from 1.
    pub number: usize,
    /// The offset of its first byte.
    pub start: usize,
    /// Its text, without the line end (LF, or CR LF).
    pub text: &'a str,
    /// The offset after its line end.
    pub end: usize,
    /// Whether it ends with a line end (the last line may not).
    pub has_newline: bool,
}

impl Line<'_> {
    /// The whole line with its end: what deleting it removes.
    pub fn whole(&self) -> Range<usize> {
        self.start..self.end
    }

    /// The offsets of `part`, a slice of this line's text.
    pub fn range_of(&self, part: &str) -> Range<usize> {
        let at = part.as_ptr() as usize - self.text.as_ptr() as usize;
        debug_assert!(at + part.len() <= self.text.len(), "a slice of the line");
        self.start + at..self.start + at + part.len()
    }
}

/// The lines of `text`.
pub fn lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    let mut start = 0;
    let mut number = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        number += 1;
        let rest = &text[start..];
        let (raw, end, has_newline) = match rest.find('\n') {
            Some(at) => (&rest[..at], start + at + 1, true),
            None => (rest, text.len(), false),
        };
        let line = Line {
            number,
            start,
            text: raw.strip_suffix('\r').unwrap_or(raw),
            end,
            has_newline,
        };
        start = end;
        Some(line)
    })
}

/// The line a byte offset is on, from 1.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// A line to insert after `line`: on a line of its own even when `line`
/// is the file's last and has no line end.
pub fn after(line: &Line<'_>, text: &str) -> (usize, String) {
    if line.has_newline {
        (line.end, format!("{text}\n"))
    } else {
        (line.end, format!("\n{text}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_know_their_offsets_and_ends() {
        let text = "a b\r\n\nlast";
        let all: Vec<Line<'_>> = lines(text).collect();
        assert_eq!(all.len(), 3);
        assert_eq!((all[0].text, all[0].whole()), ("a b", 0..5));
        assert_eq!((all[1].text, all[1].whole()), ("", 5..6));
        assert_eq!((all[2].text, all[2].has_newline), ("last", false));
        assert_eq!(all[0].range_of(&all[0].text[2..]), 2..3);
        assert_eq!(line_of(text, 6), 3);
    }
}

//! The INI files of OfflineIMAP and getmail (Python's configparser) and of
//! aerc (go-ini): `[section]` headers, `key = value` or `key: value`
//! lines, `#` and `;` comment lines. Values are returned as written (after
//! the separator, blanks at both ends dropped); each format undoes its own
//! quoting.

use std::ops::Range;

use super::super::lines;

/// One `key = value` (no `Debug`: it may be a password).
#[derive(Clone)]
pub struct Entry {
    /// Its section, as written.
    pub section: String,
    /// Its key, in lower case.
    pub key: String,
    /// Its value, as written.
    pub value: String,
    /// Its line.
    pub line: usize,
    /// From the key to the end of the value.
    pub directive: Range<usize>,
    /// The whole line with its end, for inserting after it.
    pub end: usize,
    /// Whether the line has a line end.
    pub has_newline: bool,
}

/// The entries of `text`, or the first line that continues a value (an
/// indented line after a key), which none of these formats' passwords use:
/// a value over several lines is not rewritten.
pub fn entries(text: &str) -> Result<Vec<Entry>, usize> {
    let mut out: Vec<Entry> = Vec::new();
    let mut section = String::new();
    for line in lines::lines(text) {
        let body = line.text.trim();
        if body.is_empty() || body.starts_with(['#', ';']) {
            continue;
        }
        if line.text.starts_with([' ', '\t'])
            && !out.is_empty()
            && out.last().is_some_and(|e| e.line + 1 == line.number)
        {
            return Err(line.number);
        }
        if let Some(name) = body.strip_prefix('[').and_then(|b| b.strip_suffix(']')) {
            section = name.trim().to_owned();
            continue;
        }
        let Some(split) = body.find(['=', ':']) else {
            continue;
        };
        let key = body[..split].trim();
        let value = body[split + 1..].trim();
        out.push(Entry {
            section: section.clone(),
            key: key.to_ascii_lowercase(),
            value: value.to_owned(),
            line: line.number,
            directive: line.range_of(body),
            end: line.end,
            has_newline: line.has_newline,
        });
    }
    Ok(out)
}

/// The last value of `key` in `section`, else in `[DEFAULT]`
/// (configparser's fallback).
pub fn get<'a>(entries: &'a [Entry], section: &str, key: &str) -> Option<&'a Entry> {
    let find = |s: &str| {
        entries
            .iter()
            .rev()
            .find(|e| e.section == s && e.key == key)
    };
    find(section).or_else(|| find("DEFAULT"))
}

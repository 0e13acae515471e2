//! git-config(1)'s syntax, with byte offsets: every variable of a file,
//! its section, subsection, key and value, and what deleting it removes.

use std::ops::Range;

use super::super::super::lines::{self, Line};

/// One `name = value` of the file (no `Debug`: it may be a password).
#[derive(Clone)]
pub struct Variable {
    /// The section, in lower case.
    pub section: String,
    /// The subsection, as written (`None` for `[section]`).
    pub subsection: Option<String>,
    /// The key, in lower case.
    pub key: String,
    /// The value; `None` for a bare `name` (true).
    pub value: Option<String>,
    /// Its first line.
    pub line: usize,
    /// What deleting it removes: its lines, or only its part of a line it
    /// shares with a section header.
    pub delete: Range<usize>,
}

/// Every variable of `text`, or the line that does not parse and why.
pub fn variables(text: &str) -> Result<Vec<Variable>, (usize, String)> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut subsection: Option<String> = None;
    let all: Vec<Line<'_>> = lines::lines(text).collect();
    let mut at = 0;
    while at < all.len() {
        let line = all[at];
        let mut rest = line.text.trim_start();
        if rest.starts_with('[') {
            let (name, sub, after) =
                header(rest).ok_or((line.number, "a section header that does not parse".into()))?;
            section = name;
            subsection = sub;
            rest = after.trim_start();
        }
        if rest.is_empty() || rest.starts_with(['#', ';']) {
            at += 1;
            continue;
        }
        if section.is_empty() {
            return Err((line.number, "a variable before any section header".into()));
        }
        let key_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len());
        let key = &rest[..key_len];
        if key.is_empty() || !key.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Err((
                line.number,
                "a line that is neither a section nor a variable".into(),
            ));
        }
        let key_start = line.range_of(rest).start;
        let after_key = rest[key_len..].trim_start();
        let (value, last) = if let Some(raw) = after_key.strip_prefix('=') {
            let (value, last) = value(&all, at, line.range_of(raw).start - line.start)
                .map_err(|why| (line.number, why))?;
            (Some(value), last)
        } else if after_key.is_empty() || after_key.starts_with(['#', ';']) {
            (None, at)
        } else {
            return Err((line.number, "a variable without `=`".into()));
        };
        let shares_header = line.text.trim_start().starts_with('[');
        let delete = if shares_header {
            key_start..all[last].start + all[last].text.len()
        } else {
            line.start..all[last].end
        };
        out.push(Variable {
            section: section.clone(),
            subsection: subsection.clone(),
            key: key.to_ascii_lowercase(),
            value,
            line: line.number,
            delete,
        });
        at = last + 1;
    }
    Ok(out)
}

/// `[name]`, `[name "sub"]` or `[name.sub]`: the name in lower case, the
/// subsection, and the rest of the line.
pub(super) fn header(text: &str) -> Option<(String, Option<String>, &str)> {
    let inner = text.strip_prefix('[')?;
    let name_len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
        .unwrap_or(inner.len());
    let name = &inner[..name_len];
    let rest = &inner[name_len..];
    if let Some(rest) = rest.strip_prefix(']') {
        return Some(match name.split_once('.') {
            Some((name, sub)) => (
                name.to_ascii_lowercase(),
                Some(sub.to_ascii_lowercase()),
                rest,
            ),
            None => (name.to_ascii_lowercase(), None, rest),
        });
    }
    let quoted = rest.trim_start().strip_prefix('"')?;
    let mut sub = String::new();
    let mut chars = quoted.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => sub.push(chars.next()?.1),
            '"' => {
                let rest = quoted[i + 1..].strip_prefix(']')?;
                return Some((name.to_ascii_lowercase(), Some(sub), rest));
            }
            _ => sub.push(c),
        }
    }
    None
}

/// The value starting at byte `from` of line `at`, and the line it ends on.
fn value(all: &[Line<'_>], mut at: usize, from: usize) -> Result<(String, usize), String> {
    let mut value = String::new();
    let mut spaces = 0;
    let mut quoted = false;
    let mut text = &all[at].text[from..];
    loop {
        let mut chars = text.chars();
        let mut continued = false;
        while let Some(c) = chars.next() {
            if !quoted && (c == '#' || c == ';') {
                break;
            }
            if !quoted && c.is_whitespace() {
                if !value.is_empty() {
                    spaces += 1;
                }
                continue;
            }
            value.extend(std::iter::repeat_n(' ', spaces));
            spaces = 0;
            match c {
                '"' => quoted = !quoted,
                '\\' => match chars.next() {
                    None => continued = true,
                    Some('n') => value.push('\n'),
                    Some('t') => value.push('\t'),
                    Some('b') => value.push('\u{8}'),
                    Some(c @ ('"' | '\\')) => value.push(c),
                    Some(_) => return Err("a value with an escape git does not know".into()),
                },
                c => value.push(c),
            }
        }
        if !continued {
            break;
        }
        at += 1;
        let Some(next) = all.get(at) else {
            return Err("a value continued past the end of the file".into());
        };
        text = next.text;
    }
    if quoted {
        return Err("a value whose double quotes are not closed".into());
    }
    Ok((value, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_follow_gits_quoting_escapes_and_continuations() {
        let text = "[sendemail \"w\\\"x\"]\n\tsmtpPass = \"a # b\"\\\n c ; comment\n[Imap] Pass=  x\\ty  \n";
        let vars = variables(text).unwrap();
        assert_eq!(vars[0].subsection.as_deref(), Some("w\"x"));
        assert_eq!(vars[0].value.as_deref(), Some("a # b c"));
        assert_eq!(vars[0].delete, 19..text.find("[Imap]").unwrap());
        assert_eq!(
            (vars[1].section.as_str(), vars[1].key.as_str()),
            ("imap", "pass")
        );
        assert_eq!(vars[1].value.as_deref(), Some("x\ty"));
        assert_eq!(&text[vars[1].delete.clone()], "Pass=  x\\ty  ");
    }

    #[test]
    fn an_unclosed_quote_is_refused_not_guessed() {
        assert!(variables("[a]\n\tb = \"c\n").is_err());
        assert!(variables("b = c\n").is_err());
    }
}

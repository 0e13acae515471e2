//! Text bound for a person's terminal that came from somewhere mailcred
//! does not control: a hand-edited account file, a server's reply. An
//! escape sequence in it could rewrite the screen, retitle the window or,
//! on some terminals, answer back as typed input; so control characters
//! are shown as escapes (`\u{1b}`) instead of being passed through.

use std::borrow::Cow;

/// `text` with every control character (C0, DEL, C1) escaped, or `text`
/// itself when it has none. For one-line messages: line breaks are
/// escaped too.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_passed_as_it_is() {
        assert!(matches!(
            printable("ann@example.org on smtp:587"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn escape_sequences_and_line_breaks_are_shown_not_obeyed() {
        assert_eq!(
            printable("a\u{1b}]0;pwned\u{7}b\nc\u{9b}d"),
            "a\\u{1b}]0;pwned\\u{7}b\\u{a}c\\u{9b}d"
        );
    }
}

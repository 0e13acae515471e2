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

/// How much of a server's text a message may repeat, and what in it looks
/// like a token: each companion knows the tokens of its own servers.
#[derive(Debug, Clone, Copy)]
pub struct ServerText {
    /// The most characters shown; longer text is cut and ends with `…`.
    pub max_chars: usize,
    /// A run of [`token_chars`](Self::token_chars) this long may be a
    /// token, and is replaced by [`placeholder`](Self::placeholder).
    pub token_like: usize,
    /// The characters, besides ASCII letters and digits, a token is made of.
    pub token_chars: &'static str,
    /// What a token-shaped run is shown as.
    pub placeholder: &'static str,
}

impl ServerText {
    /// `text` from a server made fit to show in a message: token-shaped
    /// runs replaced, control characters escaped ([`printable`]), cut to
    /// [`max_chars`](Self::max_chars). A server may echo what it was sent,
    /// a token included, and may send escape sequences.
    pub fn show(&self, text: &str) -> String {
        let mut out = String::new();
        let mut run = String::new();
        let flush = |run: &mut String, out: &mut String| {
            if run.chars().count() >= self.token_like {
                out.push_str(self.placeholder);
            } else {
                out.push_str(run);
            }
            run.clear();
        };
        for c in text.trim().chars() {
            if c.is_ascii_alphanumeric() || self.token_chars.contains(c) {
                run.push(c);
            } else {
                flush(&mut run, &mut out);
                out.push(c);
            }
        }
        flush(&mut run, &mut out);
        let shown = printable(&out).into_owned();
        if shown.chars().count() > self.max_chars {
            let mut cut: String = shown.chars().take(self.max_chars).collect();
            cut.push('…');
            cut
        } else {
            shown
        }
    }
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

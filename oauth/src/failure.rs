//! What the companion reports when it has no tokens to hand back: one line
//! for the person (after `mailcred: `) and one exit status from the one
//! table. Every piece of server text in it is hostile: it is cut short,
//! stripped of anything shaped like a token and escaped before it is shown.

use std::fmt;

use mailcred_core::terminal::printable;

/// A failure with its exit status (from [`mailcred_core::exit`]) and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The exit status.
    pub status: u8,
    /// One line: what happened and what to do (without the `mailcred: ` prefix).
    pub message: String,
}

impl Failure {
    /// A failure with `status` saying `message`.
    pub fn new(status: u8, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// The line for stderr: printable, one line, without any of `secrets`.
    pub fn line(&self, secrets: &[&str]) -> String {
        let mut text = self.message.clone();
        for secret in secrets.iter().filter(|s| s.len() >= 8) {
            text = text.replace(secret, "[redacted]");
        }
        format!("mailcred: {}", printable(&text))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// The longest piece of server text shown.
const MAX_SERVER_TEXT: usize = 240;
/// A run of token characters this long is treated as a token and not shown
/// (Microsoft's trace ids, 36 characters, stay visible).
const TOKEN_LIKE: usize = 40;

/// `text` from a server made fit to show: the trace-id tail Microsoft adds
/// dropped, token-shaped runs replaced, control characters escaped, cut to
/// [`MAX_SERVER_TEXT`] characters.
pub fn server_text(text: &str) -> String {
    let text = text.split(" Trace ID:").next().unwrap_or_default().trim();
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().count() >= TOKEN_LIKE {
            out.push_str("[token-like text]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || "-._~+/=".contains(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    let shown = printable(&out).into_owned();
    if shown.chars().count() > MAX_SERVER_TEXT {
        let cut: String = shown.chars().take(MAX_SERVER_TEXT).collect();
        format!("{cut}…")
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_keeps_the_aadsts_sentence_and_drops_the_trace_tail() {
        assert_eq!(
            server_text(
                "AADSTS70008: The refresh token has expired. Trace ID: 8a03cc0f-8079-4778-9228-b30da3cd4661 Correlation ID: x"
            ),
            "AADSTS70008: The refresh token has expired."
        );
    }

    #[test]
    fn server_text_hides_token_shaped_runs_and_escapes_control_characters() {
        let token = "M.C5".to_owned() + &"x".repeat(60);
        let shown = server_text(&format!("bad token {token}\u{1b}[2J done"));
        assert!(
            !shown.contains(&token),
            "a token must not be shown: {shown}"
        );
        assert!(
            !shown.contains('\u{1b}'),
            "an escape sequence must be escaped: {shown}"
        );
    }

    #[test]
    fn server_text_is_cut_short() {
        let shown = server_text(&"word ".repeat(500));
        assert!(shown.chars().count() <= MAX_SERVER_TEXT + 1, "{shown}");
    }

    #[test]
    fn the_line_redacts_known_secrets_and_stays_on_one_line() {
        let failure = Failure::new(83, "echoed refresh-token-123456\nnext");
        let line = failure.line(&["refresh-token-123456"]);
        assert_eq!(line, "mailcred: echoed [redacted]\\u{a}next");
    }
}

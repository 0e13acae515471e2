//! What the companion reports when it has no tokens to hand back: one line
//! for the person (after `mailcred: `) and one exit status from the one
//! table. Every piece of server text in it is hostile: it is cut short,
//! stripped of anything shaped like a token and escaped before it is shown.

use std::fmt;

use mailcred_core::terminal::{ServerText, printable};

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

/// How much server text is shown: a run of 40 token characters is taken
/// for a token (Microsoft's trace ids, 36 characters, stay visible).
const SERVER_TEXT: ServerText = ServerText {
    max_chars: 240,
    token_like: 40,
    token_chars: "-._~+/=",
    placeholder: "[token-like text]",
};

/// `text` from a server made fit to show: the trace-id tail Microsoft adds
/// dropped, token-shaped runs replaced, control characters escaped, cut
/// short.
pub fn server_text(text: &str) -> String {
    SERVER_TEXT.show(text.split(" Trace ID:").next().unwrap_or_default())
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
        assert!(
            shown.chars().count() <= SERVER_TEXT.max_chars + 1,
            "{shown}"
        );
    }

    #[test]
    fn the_line_redacts_known_secrets_and_stays_on_one_line() {
        let failure = Failure::new(83, "echoed refresh-token-123456\nnext");
        let line = failure.line(&["refresh-token-123456"]);
        assert_eq!(line, "mailcred: echoed [redacted]\\u{a}next");
    }
}

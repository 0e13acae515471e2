//! The one error type of the companion: a kind `mailcred` maps to an exit
//! status, a message for a person, and the server path it concerns. Server
//! text in a message is hostile: it is escaped, cut short and stripped of
//! anything shaped like a token before it is shown.

use std::fmt;

use mailcred_core::terminal::ServerText;
use serde::Serialize;

/// What went wrong, as the contract names it (notes/bao-design.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// No connection: refused, DNS, reset, a connect that timed out.
    Unreachable,
    /// Connected, but no answer within `timeout_ms`.
    TimedOut,
    /// The node answering is sealed.
    Sealed,
    /// A Raft standby without an active node, or an election going on.
    NoLeader,
    /// The token's policies do not allow this path and capability.
    Denied,
    /// The token is invalid, expired or revoked; an AppRole login refused.
    TokenExpired,
    /// No usable token file (and never a token from the environment).
    NoToken,
    /// The server's certificate is not trusted or not for this name.
    TlsUntrusted,
    /// Check-and-set lost: someone else wrote first.
    CasMismatch,
    /// The server sent something that is not a KV v2 answer.
    BadAnswer,
    /// A request `mailcred` should not have sent.
    BadRequest,
    /// The configuration cannot be used (the session ends).
    BadConfig,
}

/// A failure to answer one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What went wrong.
    pub kind: Kind,
    /// What happened and what to do; never a secret.
    pub message: String,
    /// The server path concerned, if any (`secret/data/mailcred/x`).
    pub path: Option<String>,
}

impl Failure {
    /// A failure of `kind` saying `message`.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            path: None,
        }
    }

    /// The same failure, concerning `path`.
    #[must_use]
    pub fn at(mut self, path: &str) -> Self {
        self.path = Some(path.to_owned());
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// How much server text a message repeats: a run of 20 token characters
/// may be a token (`s.` + 24, `hvs.` + 90) or a secret id.
const SERVER_TEXT: ServerText = ServerText {
    max_chars: 300,
    token_like: 20,
    token_chars: "._-+=",
    placeholder: "[redacted]",
};

/// `text` from a server made fit to show: token-shaped runs replaced,
/// control characters escaped, cut short.
pub fn server_text(text: &str) -> String {
    SERVER_TEXT.show(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_hides_token_shaped_runs_and_escapes_controls() {
        let shown = server_text("bad token s.xkEMT8gyOxgK1HMbrQyJCVJg\n\u{1b}[2J here");
        assert!(
            !shown.contains("xkEMT8gy"),
            "a token must not be repeated: {shown}"
        );
        assert!(
            !shown.contains('\u{1b}'),
            "escapes must not reach a terminal: {shown}"
        );
        assert!(
            shown.contains("bad token") && shown.contains("here"),
            "{shown}"
        );
    }

    #[test]
    fn server_text_keeps_ordinary_messages_and_paths() {
        assert_eq!(
            server_text("1 error occurred: permission denied on secret/data/mailcred/x"),
            "1 error occurred: permission denied on secret/data/mailcred/x"
        );
    }

    #[test]
    fn kinds_are_spelled_as_the_contract_says() {
        let kinds = [
            (Kind::TimedOut, "timed_out"),
            (Kind::NoLeader, "no_leader"),
            (Kind::TokenExpired, "token_expired"),
            (Kind::TlsUntrusted, "tls_untrusted"),
            (Kind::CasMismatch, "cas_mismatch"),
            (Kind::BadConfig, "bad_config"),
        ];
        for (kind, name) in kinds {
            assert_eq!(serde_json::to_value(kind).unwrap(), name);
        }
    }
}

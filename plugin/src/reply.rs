//! What the server said, and who it said it to: the pieces errors carry.

use std::fmt;

use lettre::transport::smtp::response::Response;

/// Who was logging in where, for messages: `alice@example.org on
/// smtp.example.org:587 (account work)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// The mailcred account, when the transport was made from one.
    pub account: Option<String>,
    /// The login sent to the server.
    pub user: String,
    /// `HOST:PORT`.
    pub server: String,
    /// Whether the secret is an OAuth2 access token (the account signs in
    /// with `mailcred add --auth oauth2`) rather than an app password: the
    /// login is then XOAUTH2, and what a refusal means is different.
    pub oauth: bool,
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} on {}", self.user, self.server)?;
        if let Some(account) = &self.account {
            write!(f, " (account {account})")?;
        }
        Ok(())
    }
}

/// A reply from the server, as it said it: `535 5.7.8 Authentication
/// credentials invalid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The three-digit reply code.
    pub code: u16,
    /// The text after the code, lines joined with spaces.
    pub text: String,
}

impl Reply {
    /// The enhanced status code (RFC 3463) the text starts with, if any:
    /// `5.7.139` of `535 5.7.139 Authentication unsuccessful`.
    pub fn enhanced_code(&self) -> Option<&str> {
        let word = self.text.split_whitespace().next()?;
        let mut parts = word.split('.');
        let ok = parts.next().is_some_and(|c| matches!(c, "2" | "4" | "5"))
            && parts.clone().count() == 2
            && parts
                .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()));
        ok.then_some(word)
    }

    /// Whether this is a permanent failure (5xx).
    pub fn is_permanent(&self) -> bool {
        (500..600).contains(&self.code)
    }

    /// A response as lettre parsed it (for example the `250` after a
    /// message was accepted).
    /// Lines are joined with spaces, and an enhanced status code that
    /// every line repeats is kept only once.
    pub fn from_response(response: &Response) -> Reply {
        let mut lines = response.message();
        let mut text = lines.next().unwrap_or_default().to_owned();
        let repeated = Reply {
            code: response.code().into(),
            text: text.clone(),
        };
        let repeated = repeated
            .enhanced_code()
            .filter(|code| code.starts_with(&repeated.code.to_string()[..1]))
            .map(|code| format!("{code} "));
        for line in lines {
            text.push(' ');
            text.push_str(match &repeated {
                Some(code) => line.strip_prefix(code.as_str()).unwrap_or(line),
                None => line,
            });
        }
        Reply {
            code: response.code().into(),
            text,
        }
    }
}

#[cfg(test)]
impl Reply {
    /// A reply as a test writes it: `Reply::new(535, "5.7.8 Bad credentials")`.
    pub(crate) fn new(code: u16, text: &str) -> Reply {
        Reply {
            code,
            text: text.into(),
        }
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.text.is_empty() {
            write!(f, "{}", self.code)
        } else {
            write!(f, "{} {}", self.code, self.text)
        }
    }
}

/// A recipient the server would not take, and what it said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The address, as given in `RCPT TO`.
    pub recipient: String,
    /// The server's reply.
    pub reply: Reply,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multiline_reply_is_one_line_with_its_repeated_enhanced_code_once() {
        let response: Response = "534-5.7.9 Application-specific password required. Learn more at\r\n\
                                  534 5.7.9 https://support.google.com/mail/?p=InvalidSecondFactor\r\n"
            .parse()
            .unwrap();
        assert_eq!(
            Reply::from_response(&response),
            Reply::new(
                534,
                "5.7.9 Application-specific password required. Learn more at \
                 https://support.google.com/mail/?p=InvalidSecondFactor"
            )
        );
    }

    #[test]
    fn the_enhanced_code_is_the_first_word_when_it_looks_like_one() {
        assert_eq!(
            Reply::new(535, "5.7.139 Authentication unsuccessful").enhanced_code(),
            Some("5.7.139")
        );
        assert_eq!(Reply::new(550, "Recipient rejected").enhanced_code(), None);
        assert_eq!(Reply::new(550, "5.1 nope").enhanced_code(), None);
        assert_eq!(Reply::new(250, "").enhanced_code(), None);
    }
}

//! One SMTP mail transaction on an open, logged-in connection: `MAIL FROM`,
//! every `RCPT TO`, then `DATA` only if every recipient was accepted. A
//! message is sent to all its recipients or to none, and a refusal names
//! every refused recipient (lettre's own `send` stops at the first).
//!
//! The steps are written once, as a macro, for the blocking and the tokio
//! connection: their methods have the same names and differ only by `.await`.

use lettre::address::Envelope;
use lettre::transport::smtp::extension::{Extension, MailBodyParameter, MailParameter, ServerInfo};

use crate::{Error, Reply};

/// What became of the connection after a failed transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum After {
    /// Still in a clean state (the transaction was reset): it can be reused.
    Usable,
    /// It failed before anything was accepted, as a connection closed by
    /// the server while idle does: the message may be retried on another.
    Stale,
    /// Broken: close it.
    Broken,
}

impl After {
    /// The state after the `RSET` sent to clear a refused transaction: it
    /// is usable when the `RSET` went through.
    pub(crate) fn from_rset<T, E>(result: Result<T, E>) -> After {
        match result {
            Ok(_) => After::Usable,
            Err(_) => After::Broken,
        }
    }
}

/// A failed transaction.
#[derive(Debug)]
pub(crate) struct Failed {
    pub error: Error,
    pub after: After,
}

/// The `MAIL FROM` parameters the message needs, or why the server cannot
/// take it (RFC 6531 SMTPUTF8 for non-ASCII addresses, RFC 6152 8BITMIME
/// for a non-ASCII body).
pub(crate) fn mail_parameters(
    info: &ServerInfo,
    envelope: &Envelope,
    email: &[u8],
    server: &str,
) -> Result<Vec<MailParameter>, Error> {
    let mut parameters = Vec::new();
    let non_ascii_address = envelope
        .from()
        .into_iter()
        .chain(envelope.to())
        .any(|a| !AsRef::<str>::as_ref(a).is_ascii());
    if non_ascii_address {
        if !info.supports_feature(Extension::SmtpUtfEight) {
            return Err(Error::Unsupported {
                server: server.into(),
                need: "SMTPUTF8 (an address is not ASCII)",
            });
        }
        parameters.push(MailParameter::SmtpUtfEight);
    }
    if !email.is_ascii() {
        if !info.supports_feature(Extension::EightBitMime) {
            return Err(Error::Unsupported {
                server: server.into(),
                need: "8BITMIME (the message is not ASCII)",
            });
        }
        parameters.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    Ok(parameters)
}

/// A message's content as one SMTP write: dot-stuffed (a line starting
/// with `.` gets another, RFC 5321 section 4.5.2), lines as given, then the
/// end of data, `CRLF . CRLF`.
///
/// lettre's `message` writes the content and the end of data separately;
/// with Nagle's algorithm on (lettre does not set `TCP_NODELAY`) the short
/// second write waits for the server to acknowledge the first, which a
/// server delays by up to 40 ms on Linux: that was 40 ms per message.
/// Handed to `command`, which writes its argument in one piece and reads
/// the reply, the message goes out in one write. Only for UTF-8 content,
/// as `command` takes text; other content goes through `message`.
pub(crate) struct Content<'a>(pub &'a str);

impl std::fmt::Display for Content<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rest = self.0;
        // At the start of a line: the start of the message, or after CRLF.
        if rest.starts_with('.') {
            f.write_str(".")?;
        }
        while let Some(at) = rest.find("\r\n.") {
            f.write_str(&rest[..at + 2])?;
            f.write_str(".")?;
            rest = &rest[at + 2..];
        }
        f.write_str(rest)?;
        f.write_str("\r\n.\r\n")
    }
}

/// The server's refusal inside a lettre error: its reply, unless that is
/// 421, the server closing this connection (then the connection is gone,
/// not just the command refused).
pub(crate) fn refusal(error: &lettre::transport::smtp::Error) -> Option<Reply> {
    Reply::from_lettre(error).filter(|reply| reply.code != 421)
}

/// The envelope sender as the server sees it.
pub(crate) fn sender(envelope: &Envelope) -> String {
    envelope
        .from()
        .map_or_else(|| "<>".into(), ToString::to_string)
}

/// Runs one transaction: `$conn` is a `SmtpConnection` or an
/// `AsyncSmtpConnection`, and `$(.$await)?` is `.await` for the latter.
/// Evaluates to `Result<Response, Failed>` (a labelled block, not a
/// function: `return` would leave the caller).
macro_rules! transaction {
    ($conn:expr, $server:expr, $envelope:expr, $email:expr $(, .$await:ident)?) => {{
        use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
        use $crate::transaction::{After, Failed};
        use $crate::{Error, Refusal};

        'transaction: {
        let conn = $conn;
        let (server, envelope, email): (&str, &lettre::address::Envelope, &[u8]) =
            ($server, $envelope, $email);
        let broken = |source| Failed {
            error: Error::Smtp {
                server: server.to_owned(),
                source,
            },
            after: After::Broken,
        };
        let parameters = match $crate::transaction::mail_parameters(
            conn.server_info(),
            envelope,
            email,
            server,
        ) {
            Ok(parameters) => parameters,
            Err(error) => {
                break 'transaction Err(Failed {
                    error,
                    after: After::Usable,
                });
            }
        };
        match conn
            .command(Mail::new(envelope.from().cloned(), parameters))
            $(.$await)?
        {
            Ok(_) => {}
            Err(e) => {
                break 'transaction Err(match $crate::transaction::refusal(&e) {
                    Some(reply) => {
                        let after = After::from_rset(conn.command(Rset)$(.$await)?);
                        Failed {
                            error: Error::SenderRefused {
                                sender: $crate::transaction::sender(envelope),
                                reply,
                            },
                            after,
                        }
                    }
                    _ => Failed {
                        after: After::Stale,
                        ..broken(e)
                    },
                });
            }
        }
        let mut refused = Vec::new();
        for recipient in envelope.to() {
            match conn.command(Rcpt::new(recipient.clone(), vec![]))$(.$await)? {
                Ok(_) => {}
                Err(e) => match $crate::transaction::refusal(&e) {
                    Some(reply) => refused.push(Refusal {
                        recipient: recipient.to_string(),
                        reply,
                    }),
                    _ => break 'transaction Err(broken(e)),
                },
            }
        }
        if !refused.is_empty() {
            let after = After::from_rset(conn.command(Rset)$(.$await)?);
            break 'transaction Err(Failed {
                error: Error::RecipientsRefused {
                    refused,
                    total: envelope.to().len(),
                },
                after,
            });
        }
        match conn.command(Data)$(.$await)? {
            Ok(_) => {}
            Err(e) => {
                break 'transaction Err(match $crate::transaction::refusal(&e) {
                    Some(reply) => {
                        let after = After::from_rset(conn.command(Rset)$(.$await)?);
                        Failed {
                            error: Error::MessageRefused { reply },
                            after,
                        }
                    }
                    _ => broken(e),
                });
            }
        }
        // One write for the message and its end, where lettre's own
        // `message` makes two and so waits out a delayed ACK (see `Content`).
        let sent = match std::str::from_utf8(email) {
            Ok(text) => conn.command($crate::transaction::Content(text))$(.$await)?,
            Err(_) => conn.message(email)$(.$await)?,
        };
        match sent {
            Ok(response) => Ok(response),
            // After the final dot the transaction is over either way.
            Err(e) => Err(match $crate::transaction::refusal(&e) {
                Some(reply) => Failed {
                    error: Error::MessageRefused { reply },
                    after: After::Usable,
                },
                _ => broken(e),
            }),
        }
        }
    }};
}

pub(crate) use transaction;

#[cfg(test)]
mod tests {
    use super::Content;

    #[test]
    fn lines_starting_with_a_dot_are_stuffed_and_the_end_appended() {
        assert_eq!(
            Content(".first\r\nmiddle.\r\n.\r\n..two\r\nlast").to_string(),
            "..first\r\nmiddle.\r\n..\r\n...two\r\nlast\r\n.\r\n"
        );
        assert_eq!(Content("").to_string(), "\r\n.\r\n");
    }
}

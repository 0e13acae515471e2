//! One SMTP mail transaction on an open, logged-in connection: `MAIL FROM`,
//! every `RCPT TO`, then `DATA` only if every recipient was accepted. A
//! message is sent to all its recipients or to none, and a refusal names
//! every refused recipient (lettre's own `send` stops at the first). The
//! whole transaction has one deadline, the transport's `exchange_timeout`.

use lettre::address::Envelope;
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{Extension, MailBodyParameter, MailParameter, ServerInfo};
use lettre::transport::smtp::response::Response;

use crate::error::Exchange;
use crate::login::Settings;
use crate::wire::{Connection, Io, WireError};
use crate::{Error, Refusal, Reply};

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

/// The server's refusal: its reply, unless that is 421, the server closing
/// this connection (then the connection is gone, not just the command
/// refused).
fn refusal(error: &WireError) -> Option<Reply> {
    error.reply().filter(|reply| reply.code != 421).cloned()
}

/// The envelope sender as the server sees it.
fn sender(envelope: &Envelope) -> String {
    envelope
        .from()
        .map_or_else(|| "<>".into(), ToString::to_string)
}

/// Sends one message on `conn`, within the exchange deadline.
pub(crate) async fn transaction<S: Io>(
    conn: &mut Connection<S>,
    settings: &Settings,
    envelope: &Envelope,
    email: &[u8],
) -> Result<Response, Failed> {
    conn.set_deadline(settings.deadline());
    let result = steps(conn, settings, envelope, email).await;
    conn.set_deadline(None);
    result
}

async fn steps<S: Io>(
    conn: &mut Connection<S>,
    settings: &Settings,
    envelope: &Envelope,
    email: &[u8],
) -> Result<Response, Failed> {
    let server = settings.server();
    let broken = |source| Failed {
        error: settings.error(source, Exchange::Message),
        after: After::Broken,
    };
    let parameters =
        mail_parameters(conn.server_info(), envelope, email, server).map_err(|error| Failed {
            error,
            after: After::Usable,
        })?;
    if let Err(e) = conn
        .command(Mail::new(envelope.from().cloned(), parameters))
        .await
    {
        return Err(match refusal(&e) {
            Some(reply) => Failed {
                error: Error::SenderRefused {
                    sender: sender(envelope),
                    reply,
                },
                after: After::from_rset(conn.command(Rset).await),
            },
            None => Failed {
                after: After::Stale,
                ..broken(e)
            },
        });
    }
    let mut refused = Vec::new();
    for recipient in envelope.to() {
        if let Err(e) = conn.command(Rcpt::new(recipient.clone(), vec![])).await {
            match refusal(&e) {
                Some(reply) => refused.push(Refusal {
                    recipient: recipient.to_string(),
                    reply,
                }),
                None => return Err(broken(e)),
            }
        }
    }
    if !refused.is_empty() {
        return Err(Failed {
            error: Error::RecipientsRefused {
                refused,
                total: envelope.to().len(),
            },
            after: After::from_rset(conn.command(Rset).await),
        });
    }
    if let Err(e) = conn.command(Data).await {
        return Err(match refusal(&e) {
            Some(reply) => Failed {
                error: Error::MessageRefused { reply },
                after: After::from_rset(conn.command(Rset).await),
            },
            None => broken(e),
        });
    }
    conn.message(email).await.map_err(|e| match refusal(&e) {
        // After the final dot the transaction is over either way.
        Some(reply) => Failed {
            error: Error::MessageRefused { reply },
            after: After::Usable,
        },
        None => broken(e),
    })
}

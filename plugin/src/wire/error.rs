//! What can go wrong on the wire, below the level of what the transport
//! makes of it (see [`crate::Error`]).

use std::fmt;
use std::io;
use std::time::Duration;

use crate::Reply;

/// How the SMTP conversation with a server failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// The network failed.
    #[error(transparent)]
    Io(io::Error),
    /// TLS could not be negotiated.
    #[error("TLS failed: {0}")]
    Tls(io::Error),
    /// One wait for the server took longer than the transport's `timeout`.
    #[error("the server did not answer within {0:?}")]
    Timeout(Duration),
    /// The whole exchange took longer than the transport's
    /// `exchange_timeout`; [`crate::Error::Deadline`] says which.
    #[error("the exchange deadline was reached")]
    Deadline,
    /// The server's reply is larger than any SMTP server's.
    #[error("the server sent {0}")]
    Oversize(Oversize),
    /// The server closed the connection in the middle of the conversation.
    #[error("the server closed the connection")]
    Closed,
    /// The server's reply is not an SMTP reply.
    #[error("the server's reply is not SMTP: {0}")]
    Malformed(String),
    /// The server refused a command the conversation needs.
    #[error("the server replied \"{0}\"")]
    Refused(Reply),
    /// The server sent more after its reply to `STARTTLS`, before TLS: bytes
    /// that would be taken as coming through TLS (a known injection).
    #[error(
        "the server sent more after agreeing to STARTTLS, before TLS began: something on the \
         path is injecting data"
    )]
    DataBeforeTls,
    /// The server's AUTH challenge cannot be answered.
    #[error("the server's AUTH challenge cannot be answered: {0}")]
    Challenge(String),
}

/// Which size limit a reply broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oversize {
    /// A line longer than this many bytes, its line end included.
    LineBytes(usize),
    /// More than this many lines in one reply.
    Lines(usize),
}

impl fmt::Display for Oversize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Oversize::LineBytes(limit) => write!(f, "a reply line longer than {limit} bytes"),
            Oversize::Lines(limit) => write!(f, "a reply of more than {limit} lines"),
        }
    }
}

/// The payload of an [`io::Error`] for a wait cut short by the clock, so
/// that it survives the TLS layer between the socket and [`WireError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Expired {
    #[error("the server did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the exchange deadline was reached")]
    Deadline,
}

impl From<Expired> for WireError {
    fn from(expired: Expired) -> Self {
        match expired {
            Expired::Timeout(timeout) => WireError::Timeout(timeout),
            Expired::Deadline => WireError::Deadline,
        }
    }
}

impl From<Expired> for io::Error {
    fn from(expired: Expired) -> Self {
        io::Error::new(io::ErrorKind::TimedOut, expired)
    }
}

impl From<io::Error> for WireError {
    fn from(error: io::Error) -> Self {
        match error.get_ref().and_then(|e| e.downcast_ref::<Expired>()) {
            Some(expired) => (*expired).into(),
            None => WireError::Io(error),
        }
    }
}

impl WireError {
    /// The server's reply, for a refusal.
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            WireError::Refused(reply) => Some(reply),
            _ => None,
        }
    }

    /// Whether trying again later may help: not after a permanent (5xx)
    /// refusal, nor after a reply no SMTP server sends.
    pub fn is_transient(&self) -> bool {
        match self {
            WireError::Refused(reply) => !reply.is_permanent(),
            WireError::Oversize(_) | WireError::Malformed(_) | WireError::DataBeforeTls => false,
            _ => true,
        }
    }

    /// A failure of a TLS handshake as such, unless the clock ran out.
    pub(crate) fn during_tls(self) -> WireError {
        match self {
            WireError::Io(e) => WireError::Tls(e),
            WireError::Closed => WireError::Tls(io::ErrorKind::UnexpectedEof.into()),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expired_wait_stays_itself_through_an_io_error() {
        let through_tls = io::Error::from(Expired::Deadline);
        assert!(matches!(WireError::from(through_tls), WireError::Deadline));
        let timeout = io::Error::from(Expired::Timeout(Duration::from_secs(3)));
        assert!(matches!(
            WireError::from(timeout),
            WireError::Timeout(t) if t == Duration::from_secs(3)
        ));
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert!(matches!(WireError::from(reset), WireError::Io(_)));
    }

    #[test]
    fn the_oversize_messages_name_the_limit() {
        assert_eq!(
            Oversize::LineBytes(4096).to_string(),
            "a reply line longer than 4096 bytes"
        );
        assert_eq!(
            Oversize::Lines(100).to_string(),
            "a reply of more than 100 lines"
        );
    }
}

//! The SMTP client itself: the bytes on the wire, for the blocking and the
//! tokio transport alike.
//!
//! Hand-written rather than lettre's `SmtpConnection`, because lettre 0.11
//! cannot bound what a server sends: its reply reader checks the length of a
//! line only once a newline arrives, so a server (or anyone on the path, in
//! the clear-text greeting before STARTTLS) that never sends one fills the
//! memory without limit; and its blocking connection takes no stream of
//! ours to bound it with. Its timeout is per read, so a server that trickles
//! a byte now and then holds a connection forever. Here a reply line, the
//! lines of a reply and every whole exchange have limits, and what lettre
//! does well is still lettre's: the commands ([`lettre::transport::smtp::commands`]),
//! reply and EHLO parsing, AUTH mechanisms, addresses and envelopes.
//!
//! The IMAP and POP3 login checks of [`crate::reader`] use the same
//! connections, clock and bounded inbox.
//!
//! The conversation is written once, as `async` functions over [`Io`]: the
//! tokio transport awaits them, and the blocking one runs them with
//! [`block_on`], its I/O blocking inside each poll so that they never wait.

mod blocking;
mod clock;
mod connection;
mod error;
mod reply;
mod tls;
#[cfg(feature = "async")]
mod tokio_io;

use std::future::Future;
use std::time::Instant;

pub(crate) use blocking::BlockingIo;
pub(crate) use clock::Clock;
pub(crate) use connection::Connection;
pub use error::{Oversize, WireError};
pub(crate) use reply::{Inbox, MAX_LINES};
pub(crate) use tls::{Tls, roots_from_pem};
#[cfg(feature = "async")]
pub(crate) use tokio_io::TokioIo;

/// A byte stream to a mail server, plain or TLS, whose every wait is
/// bounded by its [`Clock`].
pub(crate) trait Io: Send + Sized {
    /// Connects to `host:port`, with TLS from the first byte when `tls` is
    /// given.
    fn connect(
        host: &str,
        port: u16,
        clock: Clock,
        tls: Option<&Tls>,
    ) -> impl Future<Output = Result<Self, WireError>> + Send;

    /// Reads at least one byte into `buf`, or returns 0 at the end of the stream.
    fn read(&mut self, buf: &mut [u8]) -> impl Future<Output = Result<usize, WireError>> + Send;

    /// Writes all of `bytes`.
    fn write_all(&mut self, bytes: &[u8]) -> impl Future<Output = Result<(), WireError>> + Send;

    /// Negotiates TLS on the plain connection (after `STARTTLS`).
    fn start_tls(&mut self, tls: &Tls) -> impl Future<Output = Result<(), WireError>> + Send;

    /// From now on no wait goes past `deadline` (`None`: only the timeout
    /// of each wait applies).
    fn set_deadline(&mut self, deadline: Option<Instant>);

    /// Closes the connection without a word.
    fn shutdown(&mut self);
}

/// Runs a future of the blocking [`Io`] to its end. Its I/O blocks inside
/// `poll`, so the future is ready at the first poll and no waker is needed.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("the blocking I/O never returns Pending"),
    }
}

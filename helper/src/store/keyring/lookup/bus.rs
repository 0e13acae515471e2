//! The bus under the read path: the session bus's socket connected without
//! zbus's connect thread, method calls sent without waiting (the serial to
//! await the reply by), and the connection's executor ticked by the caller
//! under a deadline.

use std::future::Future;
use std::os::unix::net::UnixStream;
use std::time::Instant;

use std::num::NonZeroU32;
use zbus::{Address, Connection, Message};

use super::super::secret_service::classify_text;
use crate::store::StoreError;

const DESTINATION: &str = "org.freedesktop.secrets";

/// `work`'s result, or `None` if it is not done by `deadline`.
pub(super) async fn before<T>(deadline: Instant, work: impl Future<Output = T>) -> Option<T> {
    futures_lite::future::or(async { Some(work.await) }, async {
        async_io::Timer::at(deadline).await;
        None
    })
    .await
}

/// Runs `work` while ticking the connection's executor, which runs zbus's
/// socket reader: the connection has no executor thread of its own.
pub(super) async fn ticking<T>(conn: &Connection, work: impl Future<Output = T>) -> T {
    let executor = conn.executor();
    futures_lite::future::or(work, async {
        loop {
            executor.tick().await;
        }
    })
    .await
}

/// The session bus's socket, connected here rather than by zbus (which
/// connects on a thread of its own): `None` for addresses other than a unix
/// socket path or abstract name, which zbus then connects itself. A unix
/// socket's connect returns at once unless the bus's backlog of connections
/// not yet accepted is full, so it runs before the deadline's timer, which
/// bounds the handshake and every call after it.
pub(super) fn session_socket() -> Result<Option<UnixStream>, StoreError> {
    use zbus::address::transport::{Transport, UnixSocket};

    // The store crate's wording when the address cannot be read.
    let address = Address::session()
        .map_err(|_| classify_text("no secret service provider or dbus session found", false))?;
    let Transport::Unix(unix) = address.transport() else {
        return Ok(None);
    };
    let connected = match unix.path() {
        UnixSocket::File(path) => UnixStream::connect(path),
        UnixSocket::Abstract(name) => {
            use std::os::linux::net::SocketAddrExt;
            std::os::unix::net::SocketAddr::from_abstract_name(name.as_encoded_bytes())
                .and_then(|a| UnixStream::connect_addr(&a))
        }
        _ => return Ok(None),
    };
    connected
        .map(Some)
        .map_err(|e| classify_text(&format!("Failed to connect to socket: {e}"), false))
}

/// Sends a method call to the Secret Service; the serial to await its reply by.
pub(super) async fn send<B>(
    conn: &Connection,
    path: &str,
    interface: &str,
    method: &str,
    body: &B,
) -> Result<NonZeroU32, StoreError>
where
    B: serde::Serialize + zbus::zvariant::DynamicType,
{
    send_to(conn, DESTINATION, path, interface, method, body).await
}

pub(super) async fn send_to<B>(
    conn: &Connection,
    destination: &str,
    path: &str,
    interface: &str,
    method: &str,
    body: &B,
) -> Result<NonZeroU32, StoreError>
where
    B: serde::Serialize + zbus::zvariant::DynamicType,
{
    let message = Message::method_call(path, method)
        .and_then(|b| b.destination(destination))
        .and_then(|b| b.interface(interface))
        .and_then(|b| b.build(body))
        .map_err(failure)?;
    let serial = message.primary_header().serial_num();
    conn.send(&message).await.map_err(failure)?;
    Ok(serial)
}

pub(super) fn decode<T>(message: &Message) -> Result<T, StoreError>
where
    T: for<'d> serde::Deserialize<'d> + zbus::zvariant::Type,
{
    message.body().deserialize().map_err(failure)
}

/// A failure on the bus, in the store crate's words for it.
pub(super) fn failure(error: zbus::Error) -> StoreError {
    classify_text(
        &format!("zbus error: {}", super::super::chain(&error)),
        false,
    )
}

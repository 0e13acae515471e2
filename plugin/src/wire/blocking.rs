//! [`Io`] over a blocking [`TcpStream`], with rustls for TLS. Each read and
//! write of the socket, TLS handshake included, first sets the socket's
//! timeout to what the [`Clock`] allows, so a server that trickles bytes
//! cannot stretch an exchange past its deadline one short wait at a time.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use rustls::{ClientConnection, StreamOwned};

use super::error::Expired;
use super::{Clock, Io, Tls, WireError};

/// A blocking connection, plain or TLS.
#[derive(Debug)]
pub(crate) struct BlockingIo {
    stream: Stream,
}

#[derive(Debug)]
enum Stream {
    Plain(Socket),
    Tls(Box<StreamOwned<ClientConnection, Socket>>),
    /// Only while TLS is being set up, and after it failed.
    Gone,
}

/// A TCP stream whose every wait is bounded by its clock.
#[derive(Debug)]
struct Socket {
    tcp: TcpStream,
    clock: Clock,
}

/// The shortest socket timeout: the socket refuses a zero one.
const SHORTEST: Duration = Duration::from_millis(1);

impl Socket {
    /// Sets the read or write timeout for the next wait, and says what it
    /// means when that wait lapses.
    fn bound(&self, read: bool) -> io::Result<Option<Expired>> {
        let wait = self.clock.wait(Instant::now())?;
        let timeout = wait.map(|w| w.at_most.max(SHORTEST));
        if read {
            self.tcp.set_read_timeout(timeout)?;
        } else {
            self.tcp.set_write_timeout(timeout)?;
        }
        Ok(wait.map(|w| w.lapsed))
    }
}

/// A lapsed socket timeout as what it means; other errors as they are.
fn lapsed(error: io::Error, meaning: Option<Expired>) -> io::Error {
    match (error.kind(), meaning) {
        (io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut, Some(expired)) => expired.into(),
        _ => error,
    }
}

impl Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let meaning = self.bound(true)?;
        self.tcp.read(buf).map_err(|e| lapsed(e, meaning))
    }
}

impl Write for Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let meaning = self.bound(false)?;
        self.tcp.write(buf).map_err(|e| lapsed(e, meaning))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

/// TLS over `socket`, the handshake done.
fn handshake(
    socket: Socket,
    tls: &Tls,
) -> Result<StreamOwned<ClientConnection, Socket>, WireError> {
    let mut socket = socket;
    let shake = |socket: &mut Socket| -> Result<ClientConnection, WireError> {
        let mut conn = ClientConnection::new(tls.config.clone(), tls.name.clone())
            .map_err(|e| WireError::Io(io::Error::new(io::ErrorKind::InvalidData, e)))?;
        while conn.is_handshaking() {
            if conn.complete_io(socket)? == (0, 0) {
                return Err(WireError::Closed);
            }
        }
        Ok(conn)
    };
    let conn = shake(&mut socket).map_err(WireError::during_tls)?;
    Ok(StreamOwned::new(conn, socket))
}

impl BlockingIo {
    fn socket_mut(&mut self) -> Option<&mut Socket> {
        match &mut self.stream {
            Stream::Plain(socket) => Some(socket),
            Stream::Tls(tls) => Some(&mut tls.sock),
            Stream::Gone => None,
        }
    }
}

impl Io for BlockingIo {
    async fn connect(
        host: &str,
        port: u16,
        clock: Clock,
        tls: Option<&Tls>,
    ) -> Result<Self, WireError> {
        // Name resolution is the system's, and as long as the system takes.
        let mut last = io::Error::new(io::ErrorKind::NotFound, "the host name has no address");
        let mut connected = None;
        for address in (host, port).to_socket_addrs()? {
            let attempt = match clock.wait(Instant::now())? {
                None => TcpStream::connect(address),
                Some(wait) => TcpStream::connect_timeout(&address, wait.at_most.max(SHORTEST))
                    .map_err(|e| lapsed(e, Some(wait.lapsed))),
            };
            match attempt {
                Ok(tcp) => {
                    connected = Some(tcp);
                    break;
                }
                Err(e) => last = e,
            }
        }
        let tcp = connected.ok_or(last)?;
        // Every command goes out in one write; none waits for an ACK.
        tcp.set_nodelay(true)?;
        let socket = Socket { tcp, clock };
        let stream = match tls {
            Some(tls) => Stream::Tls(Box::new(handshake(socket, tls)?)),
            None => Stream::Plain(socket),
        };
        Ok(BlockingIo { stream })
    }

    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, WireError> {
        Ok(match &mut self.stream {
            Stream::Plain(socket) => socket.read(buf)?,
            Stream::Tls(tls) => tls.read(buf)?,
            Stream::Gone => return Err(WireError::Closed),
        })
    }

    async fn write_all(&mut self, bytes: &[u8]) -> Result<(), WireError> {
        match &mut self.stream {
            Stream::Plain(socket) => socket.write_all(bytes)?,
            Stream::Tls(tls) => {
                tls.write_all(bytes)?;
                tls.flush()?;
            }
            Stream::Gone => return Err(WireError::Closed),
        }
        Ok(())
    }

    async fn start_tls(&mut self, tls: &Tls) -> Result<(), WireError> {
        let Stream::Plain(socket) = std::mem::replace(&mut self.stream, Stream::Gone) else {
            return Err(WireError::Closed);
        };
        self.stream = Stream::Tls(Box::new(handshake(socket, tls)?));
        Ok(())
    }

    fn set_deadline(&mut self, deadline: Option<Instant>) {
        if let Some(socket) = self.socket_mut() {
            socket.clock.deadline = deadline;
        }
    }

    fn shutdown(&mut self) {
        if let Some(socket) = self.socket_mut() {
            let _ = socket.tcp.shutdown(Shutdown::Both);
        }
    }
}

//! [`Io`] over tokio, with tokio-rustls for TLS. Each read, write, connect
//! and TLS handshake is one future raced against what the [`Clock`] allows.

use std::future::Future;
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::{Clock, Io, Tls, WireError};

/// A tokio connection, plain or TLS.
#[derive(Debug)]
pub(crate) struct TokioIo {
    stream: Stream,
    clock: Clock,
}

#[derive(Debug)]
enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    /// Only while TLS is being set up, and after it failed.
    Gone,
}

/// Runs `work` for as long as `clock` allows.
async fn bounded<T>(
    clock: &Clock,
    work: impl Future<Output = std::io::Result<T>>,
) -> Result<T, WireError> {
    match clock.wait(Instant::now())? {
        None => Ok(work.await?),
        Some(wait) => match tokio::time::timeout(wait.at_most, work).await {
            Ok(done) => Ok(done?),
            Err(_) => Err(WireError::from(wait.lapsed)),
        },
    }
}

async fn handshake(clock: &Clock, tcp: TcpStream, tls: &Tls) -> Result<Stream, WireError> {
    let connector = TlsConnector::from(tls.config.clone());
    let stream = bounded(clock, connector.connect(tls.name.clone(), tcp))
        .await
        .map_err(WireError::during_tls)?;
    Ok(Stream::Tls(Box::new(stream)))
}

impl Io for TokioIo {
    async fn connect(
        host: &str,
        port: u16,
        clock: Clock,
        tls: Option<&Tls>,
    ) -> Result<Self, WireError> {
        let tcp = bounded(&clock, TcpStream::connect((host, port))).await?;
        // Every command goes out in one write; none waits for an ACK.
        tcp.set_nodelay(true)?;
        let stream = match tls {
            Some(tls) => handshake(&clock, tcp, tls).await?,
            None => Stream::Plain(tcp),
        };
        Ok(TokioIo { stream, clock })
    }

    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, WireError> {
        match &mut self.stream {
            Stream::Plain(tcp) => bounded(&self.clock, tcp.read(buf)).await,
            Stream::Tls(tls) => bounded(&self.clock, tls.read(buf)).await,
            Stream::Gone => Err(WireError::Closed),
        }
    }

    async fn write_all(&mut self, bytes: &[u8]) -> Result<(), WireError> {
        match &mut self.stream {
            Stream::Plain(tcp) => bounded(&self.clock, tcp.write_all(bytes)).await,
            Stream::Tls(tls) => {
                bounded(&self.clock, async {
                    tls.write_all(bytes).await?;
                    tls.flush().await
                })
                .await
            }
            Stream::Gone => Err(WireError::Closed),
        }
    }

    async fn start_tls(&mut self, tls: &Tls) -> Result<(), WireError> {
        let Stream::Plain(tcp) = std::mem::replace(&mut self.stream, Stream::Gone) else {
            return Err(WireError::Closed);
        };
        self.stream = handshake(&self.clock, tcp, tls).await?;
        Ok(())
    }

    fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.clock.deadline = deadline;
    }

    fn shutdown(&mut self) {
        // Dropping the stream closes the socket.
        self.stream = Stream::Gone;
    }
}

//! [`AsyncMailcredTransport`]: lettre's [`AsyncTransport`] on tokio, with
//! the same pool and login rules as the blocking transport.

use std::sync::{Arc, Mutex, MutexGuard};

use lettre::AsyncTransport;
use lettre::address::Envelope;
use lettre::transport::smtp::response::Response;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::login::{LoggedIn, Settings};
use crate::pool::Idle;
use crate::transaction::{After, Failed, transaction};
use crate::wire::TokioIo;
use crate::{Error, MailcredTransportBuilder};

type AsyncSmtpConnection = crate::wire::Connection<TokioIo>;

/// The tokio version of [`MailcredTransport`](crate::MailcredTransport):
/// pooled connections, the password asked for from the credential helper
/// (in a blocking task) when a connection opens, `store` after a good
/// login, `erase` only after `535`.
///
/// ```no_run
/// use lettre::{AsyncTransport, Message};
/// use mailcred_lettre::AsyncMailcredTransport;
///
/// # async fn send() -> Result<(), Box<dyn std::error::Error>> {
/// let mailer = AsyncMailcredTransport::account("work")?.build_async()?;
/// let message = Message::builder()
///     .from("alice@example.org".parse()?)
///     .to("bob@example.org".parse()?)
///     .subject("Hello")
///     .body(String::from("Hello from tokio."))?;
/// mailer.send(message).await?;
/// # Ok(())
/// # }
/// ```
///
/// Cloning is cheap and shares the pool.
#[derive(Clone, Debug)]
pub struct AsyncMailcredTransport {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    settings: Arc<Settings>,
    idle: Mutex<Idle<AsyncSmtpConnection>>,
    /// One permit per connection in use; idle ones hold none, and a
    /// connection is taken from the idle list only with a permit, so no
    /// more than `max_connections` are ever open.
    slots: Arc<Semaphore>,
}

impl std::fmt::Debug for Idle<AsyncSmtpConnection> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} idle", self.len())
    }
}

impl AsyncMailcredTransport {
    /// The mailcred account `name`: see [`MailcredTransportBuilder::account`].
    /// Finish with [`build_async`](MailcredTransportBuilder::build_async).
    pub fn account(name: &str) -> Result<MailcredTransportBuilder, Error> {
        MailcredTransportBuilder::account(name)
    }

    pub(crate) fn from_settings(settings: Arc<Settings>) -> Self {
        let slots = Arc::new(Semaphore::new(settings.max_connections));
        Self {
            inner: Arc::new(Inner {
                settings,
                idle: Mutex::new(Idle::default()),
                slots,
            }),
        }
    }

    /// See [`MailcredTransport::test_connection`](crate::MailcredTransport::test_connection).
    pub async fn test_connection(&self) -> Result<(), Error> {
        let settings = &self.inner.settings;
        let mut conn = open(settings).await?;
        conn.set_deadline(settings.deadline());
        let _ = conn.quit().await;
        Ok(())
    }

    async fn lease(&self) -> Result<Lease, Error> {
        let permit = Arc::clone(&self.inner.slots)
            .acquire_owned()
            .await
            .map_err(|_| Error::Shutdown)?;
        let (conn, expired) = {
            let mut idle = self.inner.lock();
            if idle.is_shut() {
                return Err(Error::Shutdown);
            }
            idle.take(self.inner.settings.idle_timeout)
        };
        for mut stale in expired {
            stale.abort().await;
        }
        let reused = conn.is_some();
        let conn = match conn {
            Some(conn) => conn,
            None => open(&self.inner.settings).await?,
        };
        Ok(Lease {
            inner: Arc::clone(&self.inner),
            conn: Some(conn),
            _permit: permit,
            reused,
        })
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, Idle<AsyncSmtpConnection>> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait::async_trait]
impl AsyncTransport for AsyncMailcredTransport {
    type Ok = Response;
    type Error = Error;

    async fn send_raw(&self, envelope: &Envelope, email: &[u8]) -> Result<Response, Error> {
        let settings = &self.inner.settings;
        loop {
            let mut lease = self.lease().await?;
            let conn = lease.conn.as_mut().expect("a lease holds a connection");
            let result = transaction(conn, settings, envelope, email).await;
            match result {
                Ok(response) => {
                    lease.finish(true).await;
                    return Ok(response);
                }
                Err(Failed {
                    after: After::Stale,
                    ..
                }) if lease.reused => lease.finish(false).await,
                Err(Failed { error, after }) => {
                    lease.finish(after == After::Usable).await;
                    return Err(error);
                }
            }
        }
    }

    async fn shutdown(&self) {
        self.inner.slots.close();
        let idle = self.inner.lock().shut();
        for mut conn in idle {
            conn.abort().await;
        }
    }
}

/// A connection in use and its permit. [`Lease::finish`] parks or closes it;
/// a lease dropped unfinished (a cancelled send) drops the connection.
struct Lease {
    inner: Arc<Inner>,
    conn: Option<AsyncSmtpConnection>,
    _permit: OwnedSemaphorePermit,
    reused: bool,
}

impl Lease {
    async fn finish(mut self, keep: bool) {
        let Some(conn) = self.conn.take() else { return };
        let to_close = if keep && !conn.has_broken() {
            self.inner.lock().put(conn)
        } else {
            Some(conn)
        };
        if let Some(mut conn) = to_close {
            conn.abort().await;
        }
    }
}

/// Like the blocking transport's `open`: TLS first, then the helper (in a
/// blocking task), AUTH, and `store` or `erase`; an OAuth2 token refused
/// once is refreshed and tried once more.
async fn open(settings: &Arc<Settings>) -> Result<AsyncSmtpConnection, Error> {
    let mut first = true;
    loop {
        let mut secured = settings.secure::<TokioIo>().await?;
        let asking = Arc::clone(settings);
        let filled = match blocking(move || asking.fill()).await {
            Ok(filled) => filled,
            Err(e) => {
                secured.conn.abort().await;
                return Err(e);
            }
        };
        let outcome = secured.login(&filled).await;
        let telling = Arc::clone(settings);
        let attempt = first;
        match blocking(move || telling.after_auth(&filled, outcome, attempt)).await? {
            LoggedIn::Yes => return Ok(secured.conn),
            LoggedIn::RetryWithNewToken => first = false,
        }
    }
}

/// Runs helper work on tokio's blocking pool: it starts a process and waits.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Err(Error::Shutdown),
    }
}

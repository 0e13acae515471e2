//! [`MailcredTransport`]: lettre's blocking [`Transport`] over a pool of
//! connections, each logging in with a password asked for when it opens.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use lettre::Transport;
use lettre::address::Envelope;
use lettre::transport::smtp::response::Response;

use crate::login::{LoggedIn, Settings};
use crate::pool::Idle;
use crate::transaction::{After, Failed, transaction};
use crate::wire::{BlockingIo, block_on};
use crate::{Error, MailcredTransportBuilder};

type SmtpConnection = crate::wire::Connection<BlockingIo>;

/// A blocking lettre transport whose password comes from a credential
/// helper (mailcred's, by default) each time a connection opens.
///
/// Connections are pooled: a message goes out on an idle connection when
/// there is one, and a new connection asks the helper for the password
/// again, so a password changed with `mailcred set-password` is used from
/// the next new connection on. After a successful login the helper is told
/// `store`; after a `535` refusal, `erase`; other refusals (a recipient
/// refused with `550`, a message too large) tell the helper nothing.
///
/// Cloning is cheap and shares the pool.
#[derive(Clone, Debug)]
pub struct MailcredTransport {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    settings: Arc<Settings>,
    state: Mutex<State>,
    freed: Condvar,
}

struct State {
    idle: Idle<SmtpConnection>,
    in_use: usize,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("idle", &self.idle.len())
            .field("in_use", &self.in_use)
            .finish()
    }
}

impl MailcredTransport {
    /// The mailcred account `name`: see [`MailcredTransportBuilder::account`].
    pub fn account(name: &str) -> Result<MailcredTransportBuilder, Error> {
        MailcredTransportBuilder::account(name)
    }

    /// See [`MailcredTransportBuilder::account_dangerous`].
    pub fn account_dangerous(name: &str) -> Result<MailcredTransportBuilder, Error> {
        MailcredTransportBuilder::account_dangerous(name)
    }

    /// TLS from the first byte, port 465: see [`MailcredTransportBuilder::relay`].
    pub fn relay(host: &str, user: &str) -> MailcredTransportBuilder {
        MailcredTransportBuilder::relay(host, user)
    }

    /// STARTTLS, required, port 587: see [`MailcredTransportBuilder::starttls_relay`].
    pub fn starttls_relay(host: &str, user: &str) -> MailcredTransportBuilder {
        MailcredTransportBuilder::starttls_relay(host, user)
    }

    /// No encryption, port 25: see [`MailcredTransportBuilder::builder_dangerous`].
    pub fn builder_dangerous(host: &str, user: &str) -> MailcredTransportBuilder {
        MailcredTransportBuilder::builder_dangerous(host, user)
    }

    pub(crate) fn from_settings(settings: Arc<Settings>) -> Self {
        Self {
            inner: Arc::new(Inner {
                settings,
                state: Mutex::new(State {
                    idle: Idle::default(),
                    in_use: 0,
                }),
                freed: Condvar::new(),
            }),
        }
    }

    /// Opens a new connection, negotiates TLS, logs in with the password
    /// from the helper (telling it `store` or `erase` as for any new
    /// connection), sends nothing and says goodbye. `Ok` only when the
    /// server accepted the login.
    pub fn test_connection(&self) -> Result<(), Error> {
        let settings = &self.inner.settings;
        let mut conn = open(settings)?;
        conn.set_deadline(settings.deadline());
        let _ = block_on(conn.quit());
        Ok(())
    }

    fn lease(&self) -> Result<Lease<'_>, Error> {
        let settings = &self.inner.settings;
        let mut state = self.inner.lock();
        loop {
            if state.idle.is_shut() {
                return Err(Error::Shutdown);
            }
            let (conn, expired) = state.idle.take(settings.idle_timeout);
            let open_new = conn.is_none() && state.in_use < settings.max_connections;
            if conn.is_some() || open_new {
                state.in_use += 1;
                drop(state);
                expired.into_iter().for_each(close);
                let mut lease = Lease {
                    inner: &self.inner,
                    reused: conn.is_some(),
                    conn,
                    keep: false,
                };
                if lease.conn.is_none() {
                    // On failure the lease is dropped and frees its slot.
                    lease.conn = Some(open(settings)?);
                }
                return Ok(lease);
            }
            if !expired.is_empty() {
                // Closed without the lock held, then look again.
                drop(state);
                expired.into_iter().for_each(close);
                state = self.inner.lock();
                continue;
            }
            state = self
                .inner
                .freed
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Transport for MailcredTransport {
    type Ok = Response;
    type Error = Error;

    fn send_raw(&self, envelope: &Envelope, email: &[u8]) -> Result<Response, Error> {
        let settings = &self.inner.settings;
        loop {
            let mut lease = self.lease()?;
            let conn = lease.conn.as_mut().expect("a lease holds a connection");
            match block_on(transaction(conn, settings, envelope, email)) {
                Ok(response) => {
                    lease.keep = true;
                    return Ok(response);
                }
                // A connection the server closed while it was idle: nothing
                // was accepted, so the message goes on another one.
                Err(Failed {
                    after: After::Stale,
                    ..
                }) if lease.reused => continue,
                Err(Failed { error, after }) => {
                    lease.keep = after == After::Usable;
                    return Err(error);
                }
            }
        }
    }

    fn shutdown(&self) {
        let idle = self.inner.lock().idle.shut();
        idle.into_iter().for_each(close);
        self.inner.freed.notify_all();
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        let idle = self.lock().idle.shut();
        idle.into_iter().for_each(close);
    }
}

/// A connection taken from the pool or newly opened; given back, or
/// closed, when dropped.
struct Lease<'a> {
    inner: &'a Inner,
    conn: Option<SmtpConnection>,
    reused: bool,
    keep: bool,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let conn = self.conn.take();
        let mut state = self.inner.lock();
        state.in_use -= 1;
        let to_close = match conn {
            Some(conn) if self.keep && !conn.has_broken() => state.idle.put(conn),
            other => other,
        };
        drop(state);
        self.inner.freed.notify_one();
        to_close.into_iter().for_each(close);
    }
}

fn close(mut conn: SmtpConnection) {
    block_on(conn.abort());
}

/// Opens a connection: TCP (and TLS for port-465 style), STARTTLS when
/// required, then the password from the helper, AUTH, and `store` or
/// `erase` to the helper. The helper is asked only once TLS is up, so an
/// unreachable server never unlocks the keyring. An OAuth2 token refused
/// once is refreshed and tried once more, on a new connection.
fn open(settings: &Settings) -> Result<SmtpConnection, Error> {
    let mut first = true;
    loop {
        let mut secured = block_on(settings.secure::<BlockingIo>())?;
        let filled = match settings.fill() {
            Ok(filled) => filled,
            Err(e) => {
                block_on(secured.conn.abort());
                return Err(e);
            }
        };
        let outcome = block_on(secured.login(&filled));
        match settings.after_auth(&filled, outcome, first)? {
            LoggedIn::Yes => return Ok(secured.conn),
            LoggedIn::RetryWithNewToken => first = false,
        }
    }
}

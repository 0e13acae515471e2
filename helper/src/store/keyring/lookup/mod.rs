//! The read path of the Secret Service: a thin client of our own over zbus.
//!
//! Written by hand because the store crate (zbus-secret-service-keyring-store
//! over secret-service's blocking API) sends each call and waits for its
//! reply before building the next, and makes its DH key only once the bus has
//! answered: a lookup was connect, Hello, key, OpenSession, shared secret,
//! SearchItems, GetSecret, one after another. Here the client's key is made
//! on a thread while the bus connects, OpenSession and SearchItems are on the
//! wire together, and the shared secret is computed while GetSecret is: two
//! round trips to the service instead of three, and the computation off the
//! critical path as far as a free core allows. Fewer threads, too: no zbus
//! executor or connect thread (the socket is connected here, the executor
//! ticked by the caller, see `bus`) and no deadline worker (the deadline is
//! a timer beside the calls). Writes stay on the store crate (see
//! `secret_service_store`).
//!
//! What it asks is exactly what the store crate asks: SearchItems on the
//! service with the attributes the store crate writes (`service`,
//! `username`), Unlock of locked matches (with its prompt), then GetSecret of
//! the one match, in a session of the same algorithm. Failures go through the
//! same wording-to-cause mapping as the store crate's (`classify_text`).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::thread::{self, JoinHandle};
use std::time::Instant;

use futures_lite::StreamExt;
use zbus::message::Type;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};
use zbus::{Connection, Message, MessageStream};
use zeroize::Zeroizing;

use super::dh::{self, Keypair, SessionKey};
use super::secret_service::classify_text;
use crate::store::StoreError;
use bus::{before, decode, failure, send, send_to, session_socket, ticking};

mod bus;

const SERVICE_PATH: &str = "/org/freedesktop/secrets";
const SERVICE: &str = "org.freedesktop.Secret.Service";
const ITEM: &str = "org.freedesktop.Secret.Item";
const PROMPT: &str = "org.freedesktop.Secret.Prompt";

/// A connection to the session bus with an encrypted session being opened
/// or open.
pub(super) struct Client {
    conn: Connection,
    incoming: MessageStream,
    /// Replies and signals that came while another reply was awaited.
    early: Vec<Message>,
    session: Session,
}

/// Where the encrypted session is. Moved out while it advances, so a call
/// that fails half-way leaves `None`, and the next read opens a new one.
enum Session {
    None,
    /// Our key pair is being made on its thread.
    Keying(JoinHandle<Result<Keypair, getrandom::Error>>),
    /// OpenSession is on the wire.
    Opening {
        serial: NonZeroU32,
        keypair: Keypair,
    },
    /// Its reply is in; the shared secret is not computed yet.
    Answered {
        path: OwnedObjectPath,
        keypair: Keypair,
        service_public: Vec<u8>,
    },
    Open {
        path: OwnedObjectPath,
        key: SessionKey,
    },
}

impl Client {
    /// Connects to the session bus while our DH key is made: a missing
    /// bus fails here, a missing or stuck service at the first read. `None`
    /// when the bus did not answer by `deadline`.
    pub(super) fn connect(deadline: Instant) -> Result<Option<Self>, StoreError> {
        // 1024-bit exponentiation: made while the bus connects.
        let keypair = thread::Builder::new()
            .name("mailcred-dh".into())
            .spawn(Keypair::generate)
            .map_err(|e| {
                StoreError::failed(format!("cannot start a thread for the DH key: {e}"))
            })?;
        let socket = session_socket()?;
        zbus::block_on(before(deadline, async move {
            let builder = match socket {
                Some(stream) => zbus::connection::Builder::async_io_unix_stream(stream),
                None => zbus::connection::Builder::session().map_err(failure)?,
            };
            let conn = builder
                .internal_executor(false)
                .build()
                .await
                .map_err(failure)?;
            Ok(Client {
                incoming: MessageStream::from(&conn),
                conn,
                early: Vec::new(),
                session: Session::Keying(keypair),
            })
        }))
        .transpose()
    }

    /// The secret the store crate keeps under `service` and `user`, if any;
    /// `None` when the service did not answer by `deadline`.
    pub(super) fn read(
        &mut self,
        service: &str,
        user: &str,
        deadline: Instant,
    ) -> Result<Option<Option<Zeroizing<Vec<u8>>>>, StoreError> {
        let conn = self.conn.clone();
        zbus::block_on(ticking(
            &conn,
            before(deadline, self.read_async(service, user)),
        ))
        .transpose()
    }

    async fn read_async(
        &mut self,
        service: &str,
        user: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, StoreError> {
        let attributes = HashMap::from([("service", service), ("username", user)]);
        let search = send(
            &self.conn,
            SERVICE_PATH,
            SERVICE,
            "SearchItems",
            &(attributes,),
        )
        .await?;
        // OpenSession right behind it, without waiting for the search's answer.
        match std::mem::replace(&mut self.session, Session::None) {
            Session::Keying(keypair) => self.open_session(join(keypair)?).await?,
            Session::None => self.open_session(new_keypair()?).await?,
            other => self.session = other,
        }
        let (unlocked, locked): (Vec<OwnedObjectPath>, Vec<OwnedObjectPath>) =
            decode(&self.reply(search).await.map_err(failure)?)?;
        let session = self.session_path().await?;
        if !locked.is_empty() {
            self.unlock(&locked).await?;
        }
        let mut items = unlocked.into_iter().chain(locked);
        let item = match (items.next(), items.next()) {
            (None, _) => return Ok(None),
            (Some(item), None) => item,
            (Some(_), Some(_)) => {
                return Err(StoreError::Ambiguous {
                    id: user.into(),
                    hint: super::secret_service::AMBIGUOUS,
                });
            }
        };
        let asked = send(&self.conn, item.as_str(), ITEM, "GetSecret", &(session,)).await?;
        // The shared secret only now, while the service looks up the item.
        self.agree_key()?;
        let secret: ((OwnedObjectPath, Vec<u8>, Vec<u8>, String),) =
            decode(&self.reply(asked).await.map_err(failure)?)?;
        let (_, parameters, value, _) = secret.0;
        let Session::Open { key, .. } = &self.session else {
            unreachable!("the key was agreed above");
        };
        key.decrypt(&parameters, &value)
            .map(Some)
            .map_err(|e| classify_text(&e.to_string(), false))
    }

    async fn open_session(&mut self, keypair: Keypair) -> Result<(), StoreError> {
        let input = Value::from(keypair.public().to_vec());
        let serial = send(
            &self.conn,
            SERVICE_PATH,
            SERVICE,
            "OpenSession",
            &(dh::ALGORITHM, input),
        )
        .await?;
        self.session = Session::Opening { serial, keypair };
        Ok(())
    }

    /// The session's path, waiting for OpenSession's reply if need be.
    async fn session_path(&mut self) -> Result<OwnedObjectPath, StoreError> {
        match std::mem::replace(&mut self.session, Session::None) {
            Session::Opening { serial, keypair } => {
                let reply = self.reply(serial).await.map_err(failure)?;
                let (output, path): (OwnedValue, OwnedObjectPath) = decode(&reply)?;
                let service_public: Vec<u8> = output
                    .try_into()
                    .map_err(|e: zbus::zvariant::Error| failure(e.into()))?;
                self.session = Session::Answered {
                    path: path.clone(),
                    keypair,
                    service_public,
                };
                Ok(path)
            }
            other => {
                let path = match &other {
                    Session::Answered { path, .. } | Session::Open { path, .. } => path.clone(),
                    _ => unreachable!("a session is opened before it is used"),
                };
                self.session = other;
                Ok(path)
            }
        }
    }

    /// Derives the session's AES key from the shared secret, once.
    fn agree_key(&mut self) -> Result<(), StoreError> {
        if let Session::Answered { .. } = self.session {
            let Session::Answered {
                path,
                keypair,
                service_public,
            } = std::mem::replace(&mut self.session, Session::None)
            else {
                unreachable!("matched above");
            };
            let key = keypair
                .session_key(&service_public)
                .map_err(|e| classify_text(&e.to_string(), false))?;
            self.session = Session::Open { path, key };
        }
        Ok(())
    }

    /// Unlocks `items`, through the service's prompt if it wants one, as
    /// the store crate does; a dismissed prompt means locked.
    async fn unlock(&mut self, items: &[OwnedObjectPath]) -> Result<(), StoreError> {
        let asked = send(&self.conn, SERVICE_PATH, SERVICE, "Unlock", &(items,)).await?;
        let (unlocked, prompt): (Vec<OwnedObjectPath>, OwnedObjectPath) =
            decode(&self.reply(asked).await.map_err(failure)?)?;
        if !unlocked.is_empty() {
            return Ok(());
        }
        let rule = format!(
            "type='signal',interface='{PROMPT}',member='Completed',path='{}'",
            prompt.as_str()
        );
        let matched = send_to(
            &self.conn,
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "AddMatch",
            &(rule.as_str(),),
        )
        .await?;
        self.reply(matched).await.map_err(failure)?;
        let prompted = send(&self.conn, prompt.as_str(), PROMPT, "Prompt", &("",)).await?;
        self.reply(prompted).await.map_err(failure)?;
        let completed = self.completed(&prompt).await.map_err(failure)?;
        let (dismissed, _): (bool, OwnedValue) = decode(&completed)?;
        if dismissed {
            Err(classify_text("SS error: prompt dismissed", true))
        } else {
            Ok(())
        }
    }

    /// The reply to the call sent as `serial`, keeping whatever else comes
    /// first; an error reply as an error.
    async fn reply(&mut self, serial: NonZeroU32) -> zbus::Result<Message> {
        let is_reply = |m: &Message| m.header().reply_serial() == Some(serial);
        let message = match self.early.iter().position(is_reply) {
            Some(i) => self.early.remove(i),
            None => loop {
                let message = self.next().await?;
                if is_reply(&message) {
                    break message;
                }
                self.early.push(message);
            },
        };
        match message.message_type() {
            Type::Error => Err(zbus::Error::from(message)),
            _ => Ok(message),
        }
    }

    /// The prompt's Completed signal.
    async fn completed(&mut self, prompt: &OwnedObjectPath) -> zbus::Result<Message> {
        let is_completed = |m: &Message| {
            let header = m.header();
            m.message_type() == Type::Signal
                && header.path().is_some_and(|p| p.as_str() == prompt.as_str())
                && header.member().is_some_and(|m| m.as_str() == "Completed")
        };
        if let Some(i) = self.early.iter().position(is_completed) {
            return Ok(self.early.remove(i));
        }
        loop {
            let message = self.next().await?;
            if is_completed(&message) {
                return Ok(message);
            }
        }
    }

    async fn next(&mut self) -> zbus::Result<Message> {
        match self.incoming.next().await {
            Some(message) => message,
            // The bus closed the connection.
            None => Err(zbus::Error::InputOutput(std::sync::Arc::new(
                std::io::Error::other("Disconnected from the session bus"),
            ))),
        }
    }
}

fn join(keypair: JoinHandle<Result<Keypair, getrandom::Error>>) -> Result<Keypair, StoreError> {
    keypair
        .join()
        .map_err(|_| StoreError::failed("making the DH key failed (a panic)"))?
        .map_err(random_failed)
}

fn new_keypair() -> Result<Keypair, StoreError> {
    Keypair::generate().map_err(random_failed)
}

fn random_failed(error: getrandom::Error) -> StoreError {
    StoreError::failed(format!("the OS random generator failed: {error}"))
}

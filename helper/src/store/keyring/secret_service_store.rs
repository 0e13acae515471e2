//! The Secret Service store: reads through our own pipelined client
//! (`lookup`), writes and deletes through the store crate. Each connects on
//! first use: opening the store does nothing, so that a lookup can put its
//! search on the wire together with the session's key exchange.
//!
//! Reads keep the deadline themselves (a timer beside the calls, on the
//! caller's thread) instead of on a [`Deadline`] worker thread: one thread
//! fewer to start on every lookup. Writes go through a [`Deadline`], since
//! the store crate's calls block.

use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use super::lookup::Client;
use super::secret_service::TIMED_OUT;
use super::{KeyringStore, SERVICE};
use crate::store::error::Seconds;
use crate::store::{
    Capabilities, Deadline, SecretStore, StoreChoice, StoreError, Stored, Version, WriteIf,
    refuse_conditions,
};

/// A [`SecretStore`] over the freedesktop Secret Service.
pub struct SecretServiceStore {
    limit: Duration,
    reader: Mutex<Option<Client>>,
    writer: OnceLock<Deadline>,
}

impl SecretServiceStore {
    /// The store, not yet connected; every call, connecting included,
    /// returns within `limit`.
    pub fn new(limit: Duration) -> Self {
        Self {
            limit,
            reader: Mutex::new(None),
            writer: OnceLock::new(),
        }
    }

    fn writer(&self) -> Result<&Deadline, StoreError> {
        if let Some(store) = self.writer.get() {
            return Ok(store);
        }
        let store = Deadline::open(self.limit, TIMED_OUT, || {
            KeyringStore::open(StoreChoice::SecretService)
        })?;
        Ok(self.writer.get_or_init(|| store))
    }

    fn timed_out(&self) -> StoreError {
        StoreError::TimedOut {
            limit: Seconds(self.limit),
            hint: TIMED_OUT,
        }
    }
}

impl SecretStore for SecretServiceStore {
    fn describe(&self) -> String {
        "Secret Service (D-Bus)".into()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::UNCONDITIONAL_ONLY
    }

    fn read(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        let mut reader = self
            .reader
            .lock()
            .map_err(|_| StoreError::failed("an earlier keyring read panicked"))?;
        let deadline = Instant::now() + self.limit;
        let client = match reader.take() {
            Some(client) => client,
            None => Client::connect(deadline)?.ok_or_else(|| self.timed_out())?,
        };
        let mut client = client;
        // A client that failed half-way may still get the answers it no
        // longer waits for: the next read starts a new one.
        let secret = client
            .read(SERVICE, id, deadline)?
            .ok_or_else(|| self.timed_out())?;
        *reader = Some(client);
        Ok(secret.map(|secret: Zeroizing<Vec<u8>>| Stored::unversioned(secret)))
    }

    fn write_if(
        &self,
        id: &str,
        label: &str,
        secret: &[u8],
        condition: WriteIf,
    ) -> Result<Option<Version>, StoreError> {
        refuse_conditions(self, &condition)?;
        self.writer()?.write(id, label, secret)?;
        Ok(None)
    }

    fn delete(&self, id: &str) -> Result<(), StoreError> {
        self.writer()?.delete(id)
    }
}

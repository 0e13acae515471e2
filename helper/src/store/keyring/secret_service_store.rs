//! The Secret Service store: reads through our own pipelined client
//! (`lookup`), writes and deletes through the store crate. Each connects on
//! first use: opening the store does nothing, so that a lookup can put its
//! search on the wire together with the session's key exchange (and needs
//! no thread to open the store on).

use std::sync::{Mutex, OnceLock};

use zeroize::Zeroizing;

use super::lookup::Client;
use super::{KeyringStore, SERVICE};
use crate::store::{
    Capabilities, SecretStore, StoreChoice, StoreError, Stored, Version, WriteIf, refuse_conditions,
};

/// A [`SecretStore`] over the freedesktop Secret Service.
pub struct SecretServiceStore {
    reader: Mutex<Option<Client>>,
    writer: OnceLock<KeyringStore>,
}

impl SecretServiceStore {
    /// The store, not yet connected.
    pub fn new() -> Self {
        Self {
            reader: Mutex::new(None),
            writer: OnceLock::new(),
        }
    }

    fn writer(&self) -> Result<&KeyringStore, StoreError> {
        if let Some(store) = self.writer.get() {
            return Ok(store);
        }
        let store = KeyringStore::open(StoreChoice::SecretService)?;
        Ok(self.writer.get_or_init(|| store))
    }
}

impl Default for SecretServiceStore {
    fn default() -> Self {
        Self::new()
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
        let client = match reader.as_mut() {
            Some(client) => client,
            None => reader.insert(Client::connect()?),
        };
        Ok(client
            .read(SERVICE, id)?
            .map(|secret: Zeroizing<Vec<u8>>| Stored::unversioned(secret)))
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

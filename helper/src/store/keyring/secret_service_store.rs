//! The Secret Service store: reads through our own pipelined client
//! (`lookup`), writes and deletes through the store crate, which opens its
//! own connection and session only when something is written.

use std::sync::{Mutex, OnceLock};

use zeroize::Zeroizing;

use super::lookup::Client;
use super::{KeyringStore, SERVICE};
use crate::store::{
    Capabilities, SecretStore, StoreChoice, StoreError, Stored, Version, WriteIf, refuse_conditions,
};

/// A [`SecretStore`] over the freedesktop Secret Service.
pub struct SecretServiceStore {
    reader: Mutex<Client>,
    writer: OnceLock<KeyringStore>,
}

impl SecretServiceStore {
    /// Connects to the session bus and starts opening the encrypted session.
    pub fn open() -> Result<Self, StoreError> {
        Ok(Self {
            reader: Mutex::new(Client::connect()?),
            writer: OnceLock::new(),
        })
    }

    fn writer(&self) -> Result<&KeyringStore, StoreError> {
        if let Some(store) = self.writer.get() {
            return Ok(store);
        }
        let store = KeyringStore::open(StoreChoice::SecretService)?;
        Ok(self.writer.get_or_init(|| store))
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
        Ok(reader
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

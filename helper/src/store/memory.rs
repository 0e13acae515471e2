use std::cell::RefCell;
use std::collections::HashMap;

use zeroize::Zeroizing;

use super::{SecretStore, StoreError};

/// A store that forgets everything when dropped: for unit tests only, never
/// chosen at run time.
#[derive(Default)]
pub struct MemoryStore {
    items: RefCell<HashMap<String, Zeroizing<Vec<u8>>>>,
    failing: RefCell<bool>,
}

impl MemoryStore {
    /// Makes every later call fail as a locked keyring would.
    pub fn fail_from_now_on(&self) {
        *self.failing.borrow_mut() = true;
    }

    /// How many secrets are kept.
    pub fn len(&self) -> usize {
        self.items.borrow().len()
    }

    /// Whether no secret is kept.
    pub fn is_empty(&self) -> bool {
        self.items.borrow().is_empty()
    }

    fn check(&self) -> Result<(), StoreError> {
        if *self.failing.borrow() {
            Err(StoreError::Locked)
        } else {
            Ok(())
        }
    }
}

impl SecretStore for MemoryStore {
    fn describe(&self) -> String {
        "in-memory store (tests only)".into()
    }

    fn read(&self, id: &str) -> Result<Option<Zeroizing<Vec<u8>>>, StoreError> {
        self.check()?;
        Ok(self.items.borrow().get(id).cloned())
    }

    fn write(&self, id: &str, _label: &str, secret: &[u8]) -> Result<(), StoreError> {
        self.check()?;
        self.items
            .borrow_mut()
            .insert(id.to_owned(), Zeroizing::new(secret.to_vec()));
        Ok(())
    }

    fn delete(&self, id: &str) -> Result<(), StoreError> {
        self.check()?;
        self.items.borrow_mut().remove(id);
        Ok(())
    }
}

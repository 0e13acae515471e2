use std::sync::OnceLock;

use super::{Capabilities, SecretStore, StoreError, Stored, Version, WriteIf};

/// A store opened on first use.
///
/// Connecting to the Secret Service (bus, session key exchange) is most of
/// the cost of a lookup. When mailcred is git's global helper, most `get`s
/// are for servers it holds nothing for (every HTTPS fetch asks), and the
/// index alone can answer those: they then never touch D-Bus.
pub struct LazyStore<'a> {
    open: Box<Opener<'a>>,
    opened: OnceLock<Box<dyn SecretStore + 'a>>,
}

/// What makes the store when it is first needed.
type Opener<'a> = dyn Fn() -> Result<Box<dyn SecretStore + 'a>, StoreError> + Send + Sync + 'a;

impl<'a> LazyStore<'a> {
    /// A store that `open` will make when first needed.
    pub fn new(
        open: impl Fn() -> Result<Box<dyn SecretStore + 'a>, StoreError> + Send + Sync + 'a,
    ) -> Self {
        Self {
            open: Box::new(open),
            opened: OnceLock::new(),
        }
    }

    fn get(&self) -> Result<&dyn SecretStore, StoreError> {
        if let Some(store) = self.opened.get() {
            return Ok(store.as_ref());
        }
        let store = (self.open)()?;
        Ok(self.opened.get_or_init(|| store).as_ref())
    }
}

impl SecretStore for LazyStore<'_> {
    fn describe(&self) -> String {
        match self.get() {
            Ok(store) => store.describe(),
            Err(_) => "unopened store".into(),
        }
    }

    fn capabilities(&self) -> Capabilities {
        match self.get() {
            Ok(store) => store.capabilities(),
            // Claim nothing of a store that is not there.
            Err(_) => Capabilities::UNCONDITIONAL_ONLY,
        }
    }

    fn read(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        self.get()?.read(id)
    }

    fn write_if(
        &self,
        id: &str,
        label: &str,
        secret: &[u8],
        condition: WriteIf,
    ) -> Result<Option<Version>, StoreError> {
        self.get()?.write_if(id, label, secret, condition)
    }

    fn delete(&self, id: &str) -> Result<(), StoreError> {
        self.get()?.delete(id)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::store::MemoryStore;

    #[test]
    fn opens_once_and_only_when_used() {
        let opened = AtomicUsize::new(0);
        let memory = MemoryStore::default();
        let lazy = LazyStore::new(|| {
            opened.fetch_add(1, Ordering::SeqCst);
            Ok(Box::new(crate::store::Borrowed(&memory)))
        });
        assert_eq!(
            opened.load(Ordering::SeqCst),
            0,
            "creating the lazy store must not connect"
        );
        lazy.write("a", "label", b"x").unwrap();
        lazy.read("a").unwrap();
        assert_eq!(
            opened.load(Ordering::SeqCst),
            1,
            "the store is opened exactly once"
        );
    }

    #[test]
    fn an_open_failure_is_reported_on_use() {
        let lazy = LazyStore::new(|| Err(StoreError::locked()));
        assert!(matches!(lazy.read("a"), Err(StoreError::Locked { .. })));
    }
}

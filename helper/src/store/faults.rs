use std::sync::Mutex;

use super::{Capabilities, SecretStore, StoreError, Stored, Version, WriteIf};

/// A store call, as faults name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// [`SecretStore::read`].
    Read,
    /// [`SecretStore::write_if`] (and so [`SecretStore::write`]).
    Write,
    /// [`SecretStore::delete`].
    Delete,
}

/// Failures planned per call, as keyring-core's mock store does them: each
/// one fails exactly the next call of its kind, and the calls after it work
/// again. A fault that fails one step of a multi-step operation (the write
/// of a `store`, the delete of an `erase`) shows what the steps around it
/// do, which "fail from now on" cannot.
#[derive(Debug, Default)]
pub struct Faults {
    planned: Mutex<Vec<Planned>>,
}

/// One planned fault: the kind of call, how many such calls still pass
/// before it strikes, and the error.
#[derive(Debug)]
struct Planned {
    op: Op,
    passing: usize,
    error: StoreError,
}

impl Faults {
    /// Fails the next `op` call with `error`. Planned twice, a kind of call
    /// fails twice, in the order planned.
    pub fn fail_next(&self, op: Op, error: StoreError) {
        self.fail_after(op, 0, error);
    }

    /// Lets the next `passing` calls of kind `op` through and fails the one
    /// after them with `error`: the third write of a secret kept in parts
    /// is `fail_after(Op::Write, 2, ..)`. Only the first planned fault of a
    /// kind counts calls; the next one starts counting when it has struck.
    pub fn fail_after(&self, op: Op, passing: usize, error: StoreError) {
        self.lock().push(Planned { op, passing, error });
    }

    /// How many planned faults have not struck yet.
    pub fn pending(&self) -> usize {
        self.lock().len()
    }

    /// The fault planned for this call, if any, which is then used up.
    pub fn strike(&self, op: Op) -> Result<(), StoreError> {
        let mut planned = self.lock();
        let Some(at) = planned.iter().position(|p| p.op == op) else {
            return Ok(());
        };
        if planned[at].passing > 0 {
            planned[at].passing -= 1;
            return Ok(());
        }
        Err(planned.remove(at).error)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Planned>> {
        // A test that panicked while holding it leaves the plan usable.
        self.planned
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Any store with per-call faults in front of it: the conformance suite
/// uses it to check that a failed call leaves a real store as it was.
pub struct WithFaults<S> {
    inner: S,
    /// The planned faults.
    pub faults: Faults,
}

impl<S: SecretStore> WithFaults<S> {
    /// `inner`, with no fault planned yet.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            faults: Faults::default(),
        }
    }
}

impl<S: SecretStore> SecretStore for WithFaults<S> {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn read(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        self.faults.strike(Op::Read)?;
        self.inner.read(id)
    }
    fn write_if(
        &self,
        id: &str,
        label: &str,
        secret: &[u8],
        condition: WriteIf,
    ) -> Result<Option<Version>, StoreError> {
        self.faults.strike(Op::Write)?;
        self.inner.write_if(id, label, secret, condition)
    }
    fn delete(&self, id: &str) -> Result<(), StoreError> {
        self.faults.strike(Op::Delete)?;
        self.inner.delete(id)
    }
}

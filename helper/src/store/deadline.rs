use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

use zeroize::Zeroizing;

use super::error::Seconds;
use super::{Capabilities, Hint, SecretStore, StoreError, Stored, Version, WriteIf};

/// A store whose every call returns within a deadline.
///
/// mbsync, aerc and himalaya never time out a password command, so a keyring
/// that takes the call and never answers (a Secret Service stopped or stuck
/// on a prompt nobody sees) would hang `mailcred get` and the mail program
/// with it. The keyring crates offer no deadline of their own (zbus calls
/// wait forever), so each call runs on a worker thread and the caller waits
/// for its answer at most `limit`. A worker that never returns is left
/// behind; the command reports the timeout and exits, which ends it.
///
/// A write that timed out may still land later. The vault treats it as
/// failed, like a write interrupted by a crash: its random id is never
/// served unless listed.
pub struct Deadline {
    inner: Arc<dyn SecretStore>,
    limit: Duration,
    hint: Hint,
}

impl Deadline {
    /// Bounds every call of `inner` by `limit`; `hint` explains a timeout
    /// of this kind of store.
    pub fn new(inner: Arc<dyn SecretStore>, limit: Duration, hint: Hint) -> Self {
        Self { inner, limit, hint }
    }

    /// Opens a store with `open`, which may itself hang (connecting to the
    /// Secret Service is a D-Bus call), within `limit`.
    pub fn open<S: SecretStore + 'static>(
        limit: Duration,
        hint: Hint,
        open: impl FnOnce() -> Result<S, StoreError> + Send + 'static,
    ) -> Result<Self, StoreError> {
        let store = within(limit, hint, open)?;
        Ok(Self::new(Arc::new(store), limit, hint))
    }

    fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce(&dyn SecretStore) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let inner = Arc::clone(&self.inner);
        within(self.limit, self.hint, move || work(inner.as_ref()))
    }
}

/// Runs `work` on a worker thread and waits for it at most `limit`.
///
/// What crosses the channel is dropped on whichever side holds it last, so
/// a secret read after the deadline passed is still wiped (it travels in a
/// [`Stored`], whose buffer is [`Zeroizing`]).
pub(super) fn within<T: Send + 'static>(
    limit: Duration,
    hint: Hint,
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let (answer, answered) = mpsc::sync_channel(1);
    thread::Builder::new()
        .name("mailcred-store".into())
        .spawn(move || {
            // Fails only when the caller stopped waiting; the answer is dropped.
            let _ = answer.send(work());
        })
        .map_err(|e| StoreError::failed(format!("cannot start a thread for the keyring: {e}")))?;
    match answered.recv_timeout(limit) {
        Ok(result) => result,
        Err(RecvTimeoutError::Timeout) => Err(StoreError::TimedOut {
            limit: Seconds(limit),
            hint,
        }),
        Err(RecvTimeoutError::Disconnected) => Err(StoreError::failed(
            "the keyring call ended without an answer (a panic in the keyring crate)",
        )),
    }
}

impl SecretStore for Deadline {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn read(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        let id = id.to_owned();
        self.call(move |store| store.read(&id))
    }

    fn write_if(
        &self,
        id: &str,
        label: &str,
        secret: &[u8],
        condition: WriteIf,
    ) -> Result<Option<Version>, StoreError> {
        let (id, label) = (id.to_owned(), label.to_owned());
        let secret = Zeroizing::new(secret.to_vec());
        self.call(move |store| store.write_if(&id, &label, &secret, condition))
    }

    fn delete(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_owned();
        self.call(move |store| store.delete(&id))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::mpsc::{Receiver, Sender};

    use super::*;
    use crate::store::MemoryStore;

    /// A store that takes every call and answers none until the test ends
    /// (it waits for a message that never comes; dropping the sender ends it).
    struct Unanswering(Mutex<Receiver<()>>);

    impl Unanswering {
        fn new() -> (Self, Sender<()>) {
            let (tx, rx) = mpsc::channel();
            (Self(Mutex::new(rx)), tx)
        }

        fn hang(&self) {
            let _ = self.0.lock().map(|rx| rx.recv());
        }
    }

    impl SecretStore for Unanswering {
        fn describe(&self) -> String {
            "a store that never answers (test)".into()
        }
        fn capabilities(&self) -> Capabilities {
            Capabilities::UNCONDITIONAL_ONLY
        }
        fn read(&self, _: &str) -> Result<Option<Stored>, StoreError> {
            self.hang();
            Ok(None)
        }
        fn write_if(
            &self,
            _: &str,
            _: &str,
            _: &[u8],
            _: WriteIf,
        ) -> Result<Option<Version>, StoreError> {
            self.hang();
            Ok(None)
        }
        fn delete(&self, _: &str) -> Result<(), StoreError> {
            self.hang();
            Ok(())
        }
    }

    const SHORT: Duration = Duration::from_millis(50);

    #[test]
    fn a_store_that_never_answers_times_out_on_every_call() {
        let (store, _keep_hanging) = Unanswering::new();
        let store = Deadline::new(Arc::new(store), SHORT, Hint::new("restart it"));

        for (call, result) in [
            ("read", store.read("a").map(drop)),
            ("write", store.write("a", "label", b"x")),
            ("delete", store.delete("a")),
        ] {
            let error = result.expect_err("a call nobody answers must fail, not hang");
            assert!(
                matches!(error, StoreError::TimedOut { .. }),
                "{call} should time out, got {error:?}"
            );
            assert_eq!(
                error.to_string(),
                "the keyring did not answer within 0.05 s; restart it",
                "the message names the deadline and the backend's hint"
            );
        }
    }

    #[test]
    fn opening_a_store_that_never_answers_times_out() {
        // The worker parks for good; the test process ending ends it.
        let result = Deadline::open(SHORT, Hint::NONE, || -> Result<MemoryStore, StoreError> {
            loop {
                thread::park();
            }
        });
        assert!(
            matches!(result, Err(StoreError::TimedOut { .. })),
            "connecting is a call to the keyring too and must be bounded"
        );
    }

    #[test]
    fn a_store_that_answers_in_time_answers_through_the_deadline() {
        let memory = Arc::new(MemoryStore::default());
        let store = Deadline::new(memory.clone(), Duration::from_secs(60), Hint::NONE);
        store.write("a", "label", b"secret").unwrap();
        let read = store.read("a").unwrap().expect("the secret just written");
        assert_eq!(read.secret.as_slice(), b"secret");
        assert_eq!(
            memory.len(),
            1,
            "the call reached the store behind the deadline"
        );
    }
}

use std::sync::Arc;
use std::time::Duration;

use super::PROGRAM;
use super::session::{self, Session};
use super::settings::OpenBaoSettings;
use super::wire::{self, Answer, Ready};
use crate::store::{
    Capabilities, Document, Hint, SecretStore, StoreError, Stored, Version, WriteIf,
};

/// The OpenBao (or Vault) store: each secret a KV v2 entry
/// `<mount>/data/<prefix>/secrets/<id>` (the documents `index` and
/// `accounts` beside them), its KV version the [`Version`],
/// conditional writes KV's check-and-set. Reached through
/// `mailcred-openbao`, over a [`Session`].
pub struct OpenBaoStore {
    session: Arc<Session>,
    description: String,
}

/// What to tell users when even the deadline above the session passed.
pub const TIMED_OUT: Hint = Hint::new(
    "the OpenBao server or mailcred-openbao did not answer; check the server (`mailcred \
     doctor`), or set a longer keyring_timeout_seconds",
);

impl OpenBaoStore {
    /// The store `settings` name, every call answered within about
    /// `deadline` (the factory's [`crate::store::Deadline`] is above it),
    /// over this process's session for these settings.
    pub fn open(settings: &OpenBaoSettings, deadline: Duration) -> Self {
        // One request to the server may take 40% of the deadline, so that
        // a login and a request fit; the session waits for the companion
        // 90% of it, so that its clearer message comes before the deadline's.
        let config = wire::config_line(settings, deadline.mul_f64(0.4));
        let session = session::shared(config, deadline.mul_f64(0.9));
        Self::over(session, describe(settings))
    }

    /// The store over `session`, described as `description`.
    pub fn over(session: Arc<Session>, description: String) -> Self {
        Self {
            session,
            description,
        }
    }

    /// The server's name, and the token's time left and policies (`doctor`).
    pub fn ping(&self) -> Result<Ready, StoreError> {
        match self.session.ask(wire::ping())? {
            Answer::Ready(ready) => Ok(ready),
            Answer::Failed(failure) => Err(failure.into_store_error("")),
            other => Err(self.unexpected("a ping", &other)),
        }
    }

    /// A secret's key is `secrets/<id>`; mailcred's documents (the index
    /// and the account list, under their reserved ids) sit beside that
    /// folder as `index` and `accounts`, for people browsing the server.
    fn key(&self, id: &str) -> String {
        match Document::from_id(id) {
            Some(document) => document.id().to_owned(),
            None => format!("secrets/{id}"),
        }
    }

    fn put(
        &self,
        id: &str,
        label: &str,
        secret: &[u8],
        cas: Option<u64>,
    ) -> Result<Version, StoreError> {
        match self
            .session
            .ask(wire::write(&self.key(id), label, secret, cas))?
        {
            Answer::Written(version) => Ok(Version::new(version.to_string())),
            Answer::Failed(failure) => Err(failure.into_store_error(id)),
            other => Err(self.unexpected("a write", &other)),
        }
    }

    /// Writes only if nothing is there. KV's cas 0 fails once any version
    /// exists, also when the latest is soft-deleted (`bao kv delete`),
    /// which reads as absent: then the version that deletion left is named.
    fn create(&self, id: &str, label: &str, secret: &[u8]) -> Result<Version, StoreError> {
        match self.put(id, label, secret, Some(0)) {
            Err(StoreError::Conflict { .. }) => {}
            other => return other,
        }
        match self.session.ask(wire::read(&self.key(id)))? {
            Answer::Absent(Some(deleted)) => self.put(id, label, secret, Some(deleted)),
            Answer::Found(..) | Answer::Absent(None) => {
                Err(StoreError::Conflict { id: id.to_owned() })
            }
            Answer::Failed(failure) => Err(failure.into_store_error(id)),
            other => Err(self.unexpected("a read", &other)),
        }
    }

    /// An answer of the wrong kind: the companion is out of step, so the
    /// session ends and the next call starts another.
    fn unexpected(&self, request: &str, answer: &Answer) -> StoreError {
        self.session.reset();
        let what = match answer {
            Answer::Found(..) => "found",
            Answer::Absent(_) => "absent",
            Answer::Written(_) => "written",
            Answer::Deleted => "deleted",
            Answer::Ready(_) => "ready",
            Answer::Failed(_) => "error",
        };
        StoreError::BadAnswer {
            why: format!("{PROGRAM} answered {request} with \"{what}\""),
            hint: Hint::NONE,
        }
    }
}

fn describe(settings: &OpenBaoSettings) -> String {
    format!(
        "OpenBao at {}, entries under {}/data/{}/",
        settings.address, settings.mount, settings.prefix
    )
}

impl SecretStore for OpenBaoStore {
    fn describe(&self) -> String {
        self.description.clone()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::COMPARE_AND_SET
    }

    fn read(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        match self.session.ask(wire::read(&self.key(id)))? {
            Answer::Found(secret, version) => Ok(Some(Stored {
                secret,
                version: Some(Version::new(version.to_string())),
            })),
            Answer::Absent(_) => Ok(None),
            Answer::Failed(failure) => Err(failure.into_store_error(id)),
            other => Err(self.unexpected("a read", &other)),
        }
    }

    fn write_if(
        &self,
        id: &str,
        label: &str,
        secret: &[u8],
        condition: WriteIf,
    ) -> Result<Option<Version>, StoreError> {
        let version = match condition {
            WriteIf::Always => self.put(id, label, secret, None)?,
            WriteIf::Absent => self.create(id, label, secret)?,
            WriteIf::Unchanged(version) => match version.as_str().parse::<u64>() {
                // KV versions start at 1; 0 would mean "only if absent".
                Ok(number) if number > 0 => self.put(id, label, secret, Some(number))?,
                _ => return Err(StoreError::Conflict { id: id.to_owned() }),
            },
        };
        Ok(Some(version))
    }

    fn delete(&self, id: &str) -> Result<(), StoreError> {
        match self.session.ask(wire::delete(&self.key(id)))? {
            Answer::Deleted => Ok(()),
            Answer::Failed(failure) => Err(failure.into_store_error(id)),
            other => Err(self.unexpected("a delete", &other)),
        }
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;

//! Secrets longer than one keyring item can hold, kept in parts.
//!
//! Credential Manager keeps at most 2,560 bytes in one credential and a
//! kernel `user` key at most 32,767, while OAuth tokens and what git stores
//! are often longer. [`InParts`] puts a secret that does not fit in one item
//! of the store below into several, and reads them back whole or not at
//! all, under the same ordering rules as the vault above it (`vault`):
//! everything is listed before it is written and unlisted after it is
//! deleted, so that no half-written secret is ever served and nothing a
//! crash leaves behind is out of reach of the next delete.
//!
//! # Layout, for a secret under the id `ID`
//!
//! - a secret that fits in one item and does not begin like a head is kept
//!   as it is, under `ID`: exactly format 1, which is how every secret was
//!   kept before, so those are read unchanged;
//! - otherwise `ID` holds a *head*: a NUL, `mailcred-parts 1`, the
//!   generation (16 random hex digits, fresh for every write), the number
//!   of parts, the length and the SHA-256 of the whole secret; the parts
//!   are `ID.GENERATION.0`, `ID.GENERATION.1`, and so on;
//! - `ID.started` lists the generations whose parts a write has started
//!   (or is retiring) and that no head names yet, with their number of
//!   parts; it exists only while a write runs, or after one was cut short.
//!
//! # Ordering
//!
//! A write (1) lists its new generation, and the one it replaces, in
//! `ID.started`; (2) writes the parts; (3) writes the head, the one step
//! that makes the new secret visible, and a single-item write that every
//! store makes atomically; (4) deletes the replaced parts, and (5) unlists
//! both. A failure before (3) leaves the old secret whole: the new parts
//! are deleted again, or, after a timeout (the write may still land), stay
//! listed. A delete removes the parts named by the head and by
//! `ID.started`, then `ID.started`, then the head: cut short, it leaves the
//! head listing what remains, for the next delete.
//!
//! A read takes the head, then its parts, and checks their length and
//! SHA-256: a part that is missing or does not match makes the secret
//! damaged ([`StoreError::Damaged`]), never a shorter secret. A missing part
//! is first read as a sign that another writer has just replaced the
//! secret (and retired that part), and the head is read again.
//!
//! Several writers of one id at once (which the vault, holding its index
//! lock, never does) each leave a whole secret; the last head wins, and
//! parts of a write whose head was overtaken stay listed in `ID.started`
//! until the secret is deleted, unless two writers' updates of that list
//! cross, which can leave such parts unlisted.

mod format;

use zeroize::Zeroizing;

use super::{
    Capabilities, Hint, SecretStore, StoreError, Stored, Version, WriteIf, refuse_conditions,
};
use format::{Generation, HEAD_MAGIC, Head, Started, started_id};

/// A read that keeps finding its parts replaced gives up after this many
/// heads: only a store written to without pause can cause that.
const READ_ATTEMPTS: usize = 3;
/// Below this an item could not hold a head or a list of started writes.
const SMALLEST_ITEM: usize = 512;

const DAMAGED: Hint = Hint::new(
    "a part of this secret is missing or does not match its checksum; store the password again",
);

/// A store whose items hold at most `item_size` bytes, made to keep
/// secrets of any length (up to 2 MiB) in parts.
pub struct InParts<S> {
    inner: S,
    item_size: usize,
}

impl<S: SecretStore> InParts<S> {
    /// `inner`, whose items hold at most `item_size` bytes (at least 512).
    pub fn new(inner: S, item_size: usize) -> Self {
        Self {
            inner,
            item_size: item_size.max(SMALLEST_ITEM),
        }
    }

    /// The store below.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// Every item of the store below that belongs to the secret `id`: the
    /// head (or the one item), the parts it names, the list of started
    /// writes and the parts listed there. What a delete must remove, for
    /// tests that check it did.
    pub fn items_of(&self, id: &str) -> Result<Vec<String>, StoreError> {
        let mut items = vec![id.to_owned()];
        if let Some(head) = self.head(id)? {
            items.extend(head.generation.part_ids(id));
        }
        if let Some(started) = self.started(id)? {
            items.push(started_id(id));
            for generation in &started.0 {
                items.extend(generation.part_ids(id));
            }
        }
        Ok(items)
    }

    /// The head under `id`, if a head is what it holds. A head that does
    /// not decode names no parts.
    fn head(&self, id: &str) -> Result<Option<Head>, StoreError> {
        Ok(self
            .inner
            .read(id)?
            .filter(|raw| raw.secret.starts_with(HEAD_MAGIC))
            .and_then(|raw| Head::decode(&raw.secret)))
    }

    /// The list of started writes, if there is an item for it. One that
    /// does not decode lists nothing, but is there (a delete removes it).
    fn started(&self, id: &str) -> Result<Option<Started>, StoreError> {
        Ok(self
            .inner
            .read(&started_id(id))?
            .map(|raw| Started::decode(&raw.secret).unwrap_or_default()))
    }

    fn save_started(&self, id: &str, label: &str, started: &Started) -> Result<(), StoreError> {
        if started.0.is_empty() {
            self.inner.delete(&started_id(id))
        } else {
            let label = format!("{label} (parts being written)");
            self.inner.write(&started_id(id), &label, &started.encode())
        }
    }

    fn delete_parts(&self, id: &str, generation: &Generation) -> Result<(), StoreError> {
        for part in generation.part_ids(id) {
            self.inner.delete(&part)?;
        }
        Ok(())
    }

    /// The parts `head` names, checked against it: `Ok(None)` when one is
    /// missing.
    fn assemble(&self, id: &str, head: &Head) -> Result<Option<Zeroizing<Vec<u8>>>, StoreError> {
        // Exactly the length announced, so the buffer never grows: a Vec
        // that reallocates leaves the old copy behind, unwiped.
        let mut secret = Zeroizing::new(Vec::with_capacity(head.length));
        for part in head.generation.part_ids(id) {
            let Some(stored) = self.inner.read(&part)? else {
                return Ok(None);
            };
            if secret.len() + stored.secret.len() > head.length {
                return Err(damaged(id));
            }
            secret.extend_from_slice(&stored.secret);
        }
        if secret.len() != head.length || format::sha256_hex(&secret) != head.sha256 {
            return Err(damaged(id));
        }
        Ok(Some(secret))
    }

    /// Steps (1) to (5) of a write in parts (see the module's doc).
    fn write_in_parts(
        &self,
        id: &str,
        label: &str,
        secret: &[u8],
        old: Option<Head>,
    ) -> Result<(), StoreError> {
        let name = format::new_generation_name()
            .map_err(|_| StoreError::failed("cannot draw a random name for the parts"))?;
        let parts: Vec<&[u8]> = secret.chunks(self.item_size).collect();
        let generation = Generation {
            name,
            parts: parts.len(),
        };
        let head = Head::of(secret, generation.clone());

        // What this write lists, so that a failure unlists exactly that.
        let mut started = self.started(id)?.unwrap_or_default();
        let mut listed = Vec::new();
        for g in std::iter::once(&generation).chain(old.as_ref().map(|h| &h.generation)) {
            if started.add(g) {
                listed.push(g.name.as_str());
            }
        }
        self.save_started(id, label, &started)?;

        for (k, part) in parts.iter().enumerate() {
            let part_label = format!("{label} (part {} of {})", k + 1, parts.len());
            if let Err(e) = self
                .inner
                .write(&generation.part_id(id, k), &part_label, part)
            {
                self.abandon(id, label, &generation, &listed, &e);
                return Err(e);
            }
        }
        if let Err(e) = self.inner.write(id, label, &head.encode()) {
            self.abandon(id, label, &generation, &listed, &e);
            return Err(e);
        }

        // The new secret is in place: what follows only tidies, and a
        // failure there leaves parts listed, never a secret unreadable.
        let mut done = Vec::new();
        if let Some(old) = &old
            && self.delete_parts(id, &old.generation).is_ok()
        {
            done.push(old.generation.name.as_str());
        }
        // Named by the head now, unless another writer's head overtook it.
        if self
            .head(id)
            .is_ok_and(|now| now.is_some_and(|h| h.generation == generation))
        {
            done.push(generation.name.as_str());
        }
        if let Ok(Some(mut started)) = self.started(id) {
            started.remove(&done);
            let _ = self.save_started(id, label, &started);
        }
        Ok(())
    }

    /// After a failed write, deletes the parts it may have written and
    /// unlists what it listed; after a timeout leaves them listed, since
    /// they may still land.
    fn abandon(
        &self,
        id: &str,
        label: &str,
        generation: &Generation,
        listed: &[&str],
        error: &StoreError,
    ) {
        if matches!(error, StoreError::TimedOut { .. })
            || self.delete_parts(id, generation).is_err()
        {
            return;
        }
        if let Ok(Some(mut started)) = self.started(id) {
            started.remove(listed);
            let _ = self.save_started(id, label, &started);
        }
    }
}

impl<S: SecretStore> SecretStore for InParts<S> {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    /// None: a write in parts is several calls, which no condition could
    /// cover at once.
    fn capabilities(&self) -> Capabilities {
        Capabilities::UNCONDITIONAL_ONLY
    }

    fn read(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        let Some(mut raw) = self.inner.read(id)? else {
            return Ok(None);
        };
        for _ in 0..READ_ATTEMPTS {
            if !raw.secret.starts_with(HEAD_MAGIC) {
                return Ok(Some(Stored::unversioned(raw.secret)));
            }
            let head = Head::decode(&raw.secret).ok_or_else(|| damaged(id))?;
            if let Some(secret) = self.assemble(id, &head)? {
                return Ok(Some(Stored::unversioned(secret)));
            }
            // A part is missing: damage, unless the head changed meanwhile.
            match self.inner.read(id)? {
                None => return Ok(None),
                Some(again) if *again.secret != *raw.secret => raw = again,
                Some(_) => return Err(damaged(id)),
            }
        }
        Err(damaged(id))
    }

    fn write_if(
        &self,
        id: &str,
        label: &str,
        secret: &[u8],
        condition: WriteIf,
    ) -> Result<Option<Version>, StoreError> {
        refuse_conditions(self, &condition)?;
        if secret.len() > format::MAX_LENGTH {
            return Err(StoreError::failed(format!(
                "a secret of {} bytes is longer than the {} bytes mailcred keeps",
                secret.len(),
                format::MAX_LENGTH
            )));
        }
        let old = self.head(id)?;
        let fits = secret.len() <= self.item_size && !secret.starts_with(HEAD_MAGIC);
        if fits && old.is_none() {
            self.inner.write(id, label, secret)?;
        } else {
            // Also when it would fit but parts are kept: their head is
            // replaced by a head, so that they stay listed until retired.
            self.write_in_parts(id, label, secret, old)?;
        }
        Ok(None)
    }

    fn delete(&self, id: &str) -> Result<(), StoreError> {
        let head = self.head(id)?;
        let started = self.started(id)?;
        if let Some(head) = &head {
            self.delete_parts(id, &head.generation)?;
        }
        if let Some(started) = &started {
            for generation in &started.0 {
                self.delete_parts(id, generation)?;
            }
            self.inner.delete(&started_id(id))?;
        }
        self.inner.delete(id)
    }
}

fn damaged(id: &str) -> StoreError {
    StoreError::Damaged {
        id: id.into(),
        hint: DAMAGED,
    }
}

#[cfg(test)]
mod tests;

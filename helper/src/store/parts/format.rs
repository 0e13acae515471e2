//! The items of a secret kept in parts: the head under the secret's own
//! id, the parts under ids made from it, and the list of parts a write has
//! started. Hand-written text rather than serde: a few `key=value` lines
//! whose rules fit on this page, read strictly (any other line is damage).

use sha2::{Digest, Sha256};

/// How a head begins. A NUL first, so no secret of format 1 reads as a
/// head: those are git credential lines, which never hold a NUL. A secret
/// that does begin like this is kept in parts like a long one, so reading
/// never mistakes it for a head either.
pub(super) const HEAD_MAGIC: &[u8] = b"\0mailcred-parts 1\n";
/// How a list of started writes begins.
const STARTED_MAGIC: &[u8] = b"\0mailcred-started 1\n";
/// The longest secret a head may describe: twice the largest git
/// credential request (1 MiB), so a damaged head cannot make a read ask
/// for millions of parts or reserve gigabytes.
pub(super) const MAX_LENGTH: usize = 2 * 1024 * 1024;

/// One write's parts: a fresh random name, so that a write never touches
/// the parts of the secret it replaces, and their number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Generation {
    /// 16 hex digits.
    pub name: String,
    /// How many parts it has.
    pub parts: usize,
}

impl Generation {
    /// The id of part `k` of this generation of the secret `id`.
    pub fn part_id(&self, id: &str, k: usize) -> String {
        format!("{id}.{}.{k}", self.name)
    }

    /// The ids of all its parts.
    pub fn part_ids(&self, id: &str) -> Vec<String> {
        (0..self.parts).map(|k| self.part_id(id, k)).collect()
    }
}

/// The item under the secret's own id when the secret is kept in parts:
/// which parts, and what they must add up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Head {
    pub generation: Generation,
    /// The secret's length in bytes.
    pub length: usize,
    /// SHA-256 of the whole secret, in hex. Kept beside the parts, in the
    /// same keyring: it tells nobody more than the parts themselves.
    pub sha256: String,
}

impl Head {
    /// The head of `secret` kept as `generation`.
    pub fn of(secret: &[u8], generation: Generation) -> Self {
        Self {
            generation,
            length: secret.len(),
            sha256: sha256_hex(secret),
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = HEAD_MAGIC.to_vec();
        out.extend_from_slice(
            format!(
                "generation={}\nparts={}\nlength={}\nsha256={}\n",
                self.generation.name, self.generation.parts, self.length, self.sha256
            )
            .as_bytes(),
        );
        out
    }

    /// The head in `raw`, which begins with [`HEAD_MAGIC`]; `None` when
    /// anything about it is off.
    pub fn decode(raw: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(raw.strip_prefix(HEAD_MAGIC)?).ok()?;
        let mut lines = text.strip_suffix('\n')?.split('\n');
        let mut field = |key: &str| lines.next()?.strip_prefix(key)?.strip_prefix('=');
        let name = field("generation")?;
        let parts: usize = field("parts")?.parse().ok()?;
        let length: usize = field("length")?.parse().ok()?;
        let sha256 = field("sha256")?;
        let well_formed = is_generation_name(name)
            && length <= MAX_LENGTH
            && parts <= length.max(1)
            && sha256.len() == 64
            && sha256.bytes().all(|b| b.is_ascii_hexdigit());
        (well_formed && lines.next().is_none()).then(|| Self {
            generation: Generation {
                name: name.to_owned(),
                parts,
            },
            length,
            sha256: sha256.to_owned(),
        })
    }
}

/// The generations whose parts a write has started and not yet seen
/// retired or named by the head: the parts' own listing, written before
/// them, so that a write cut short leaves nothing that a later delete
/// cannot find. Under the id [`started_id`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Started(pub Vec<Generation>);

impl Started {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = STARTED_MAGIC.to_vec();
        for generation in &self.0 {
            out.extend_from_slice(format!("{} {}\n", generation.name, generation.parts).as_bytes());
        }
        out
    }

    /// The list in `raw`; `None` when it is not one.
    pub fn decode(raw: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(raw.strip_prefix(STARTED_MAGIC)?).ok()?;
        text.lines()
            .map(|line| {
                let (name, parts) = line.split_once(' ')?;
                let parts: usize = parts.parse().ok()?;
                (is_generation_name(name) && parts <= MAX_LENGTH).then(|| Generation {
                    name: name.to_owned(),
                    parts,
                })
            })
            .collect::<Option<Vec<_>>>()
            .map(Self)
    }

    /// Lists `generation`; `false` when it already was.
    pub fn add(&mut self, generation: &Generation) -> bool {
        let new = !self.0.contains(generation);
        if new {
            self.0.push(generation.clone());
        }
        new
    }

    pub fn remove(&mut self, names: &[&str]) {
        self.0.retain(|g| !names.contains(&g.name.as_str()));
    }
}

/// Where the list of started writes of the secret `id` is kept.
pub(super) fn started_id(id: &str) -> String {
    format!("{id}.started")
}

/// A fresh generation name: 64 random bits in hex.
pub(super) fn new_generation_name() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)?;
    Ok(hex(&bytes))
}

pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_generation_name(name: &str) -> bool {
    name.len() == 16 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generation(parts: usize) -> Generation {
        Generation {
            name: "0123456789abcdef".into(),
            parts,
        }
    }

    #[test]
    fn a_head_round_trips_and_begins_with_a_nul() {
        let head = Head::of(&[7; 5000], generation(2));
        let raw = head.encode();
        assert_eq!(raw[0], 0, "a NUL first: no git credential line begins so");
        assert_eq!(Head::decode(&raw), Some(head));
    }

    #[test]
    fn a_head_with_anything_off_is_refused() {
        let good = String::from_utf8(Head::of(b"abc", generation(1)).encode()).unwrap();
        let bad = [
            good.replace("parts=1", "parts=x"),
            good.replace("length=3", "length=99999999999"),
            good.replace("generation=0123456789abcdef", "generation=../../x"),
            good.replace("parts=1", "parts=4000"),
            format!("{good}extra=1\n"),
            good.trim_end().to_owned(),
        ];
        for raw in bad {
            assert_eq!(
                Head::decode(raw.as_bytes()),
                None,
                "{raw:?} must not decode"
            );
        }
    }

    #[test]
    fn the_list_of_started_writes_round_trips() {
        let mut started = Started::default();
        assert!(started.add(&generation(3)));
        assert!(!started.add(&generation(3)), "a generation is listed once");
        assert_eq!(Started::decode(&started.encode()), Some(started.clone()));
        started.remove(&["0123456789abcdef"]);
        assert_eq!(Started::decode(&started.encode()), Some(Started::default()));
    }
}

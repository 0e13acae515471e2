//! The KV version 2 calls: an entry's data map is `{"mailcred": "<base64
//! of the blob>", "label": "<label>"}`; its version is KV's, and KV's
//! check-and-set is what keeps two machines from losing each other's
//! writes.
//!
//! Measured on OpenBao 2.7.2: a soft-deleted (`bao kv delete`) or destroyed
//! latest version reads as 404 with its metadata (`data: null`), and
//! `cas: 0` fails once any version exists, deleted or not; so such an entry
//! is reported absent *with* its version, which "only if absent" must use.

use std::time::Instant;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};
use zeroize::Zeroizing;

use crate::classify;
use crate::failure::{Failure, Kind, server_text};
use crate::key::is_valid_key;
use crate::protocol::{Answer, check_blob};
use crate::session::Session;

/// The longest label kept (it is shown in `bao kv get`, never secret).
const MAX_LABEL: usize = 1024;

#[derive(Deserialize)]
struct ReadAnswer {
    data: Option<ReadData>,
}

#[derive(Deserialize)]
struct ReadData {
    data: Option<Entry>,
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Entry {
    mailcred: Option<SecretString>,
}

#[derive(Deserialize)]
struct Metadata {
    version: u64,
}

#[derive(Deserialize)]
struct WriteAnswer {
    data: Metadata,
}

#[derive(Serialize)]
struct WriteBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<Options>,
    data: WriteData<'a>,
}

#[derive(Serialize)]
struct Options {
    cas: u64,
}

#[derive(Serialize)]
struct WriteData<'a> {
    #[serde(serialize_with = "expose")]
    mailcred: &'a SecretString,
    label: &'a str,
}

fn expose<S: Serializer>(secret: &&SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose_secret())
}

fn checked(key: &str) -> Result<(), Failure> {
    if is_valid_key(key) {
        Ok(())
    } else {
        Err(Failure::new(
            Kind::BadRequest,
            format!(
                "the key {:?} is not usable: letters, digits, '.', '_', '-', with '/' between \
                 non-empty parts and no '.' or '..' parts",
                server_text(key)
            ),
        ))
    }
}

impl Session {
    /// The entry at `key`.
    pub(crate) fn read(&mut self, key: &str, deadline: Instant) -> Result<Answer, Failure> {
        checked(key)?;
        let path = self.config.data_path(key);
        let answer = self.authorized("GET", &path, None, "read", deadline)?;
        let address = &self.config.address;
        match answer.status {
            200 | 404 => {}
            _ => return Err(classify::failure(address, &answer, &path, "read")),
        }
        if answer.status == 404 && !classify::errors(&answer).is_empty() {
            return Err(classify::failure(address, &answer, &path, "read"));
        }
        let parsed: ReadAnswer = serde_json::from_slice(&answer.body)
            .map_err(|_| classify::bad_answer(address, &path, "no JSON"))?;
        let Some(data) = parsed.data else {
            return if answer.status == 404 {
                Ok(Answer::Absent { version: None })
            } else {
                Err(classify::bad_answer(address, &path, "no \"data\""))
            };
        };
        let version = data.metadata.map(|m| m.version);
        match (data.data, version) {
            (Some(entry), Some(version)) => {
                let blob = entry.mailcred.ok_or_else(|| {
                    classify::bad_answer(
                        address,
                        &path,
                        "the entry has no \"mailcred\" field: it was not written by mailcred",
                    )
                })?;
                check_blob(&blob)
                    .map_err(|why| classify::bad_answer(address, &path, &why.message))?;
                Ok(Answer::Found {
                    data: blob,
                    version,
                })
            }
            (None, version) => Ok(Answer::Absent { version }),
            (Some(_), None) => Err(classify::bad_answer(address, &path, "no version")),
        }
    }

    /// Writes `data` at `key` if `cas` allows.
    pub(crate) fn write(
        &mut self,
        key: &str,
        label: &str,
        data: &SecretString,
        cas: Option<u64>,
        deadline: Instant,
    ) -> Result<Answer, Failure> {
        checked(key)?;
        check_blob(data)?;
        if label.len() > MAX_LABEL || label.chars().any(char::is_control) {
            return Err(Failure::new(
                Kind::BadRequest,
                format!("the label is longer than {MAX_LABEL} bytes or not one line"),
            ));
        }
        let path = self.config.data_path(key);
        let body = Zeroizing::new(
            serde_json::to_vec(&WriteBody {
                options: cas.map(|cas| Options { cas }),
                data: WriteData {
                    mailcred: data,
                    label,
                },
            })
            .map_err(|_| Failure::new(Kind::BadRequest, "the entry could not be encoded"))?,
        );
        let capability = if cas == Some(0) { "create" } else { "update" };
        let answer = self.authorized("POST", &path, Some(&body), capability, deadline)?;
        let address = &self.config.address;
        if classify::is_cas_mismatch(&answer) {
            let expected = match cas {
                Some(0) => "that there was none yet".to_owned(),
                Some(n) => format!("version {n}"),
                None => "none".to_owned(),
            };
            return Err(Failure::new(
                Kind::CasMismatch,
                format!("{path} was changed by someone else (expected {expected}); read it again"),
            )
            .at(&path));
        }
        if answer.status != 200 {
            return Err(classify::failure(address, &answer, &path, capability));
        }
        let written: WriteAnswer = serde_json::from_slice(&answer.body)
            .map_err(|_| classify::bad_answer(address, &path, "no version in the answer"))?;
        Ok(Answer::Written {
            version: written.data.version,
        })
    }

    /// Removes every version of `key` and its metadata; a missing key is
    /// removed already.
    pub(crate) fn delete(&mut self, key: &str, deadline: Instant) -> Result<Answer, Failure> {
        checked(key)?;
        let path = self.config.metadata_path(key);
        let answer = self.authorized("DELETE", &path, None, "delete", deadline)?;
        match answer.status {
            200 | 204 => Ok(Answer::Deleted {}),
            404 if classify::errors(&answer).is_empty() => Ok(Answer::Deleted {}),
            _ => Err(classify::failure(
                &self.config.address,
                &answer,
                &path,
                "delete",
            )),
        }
    }
}

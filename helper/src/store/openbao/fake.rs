//! A stand-in for `mailcred-openbao` and its server, in a thread over
//! pipes: KV v2 as the contract describes it (a version per key, counted
//! from 1 again after a delete of its metadata; check-and-set; soft
//! deletes that read as absent and keep their version), with planned
//! failures. Tests only.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::OpenBaoStore;
use super::session::{Connection, Session};
use super::settings::check_path;
use crate::store::StoreError;

/// The fake server and companion.
#[derive(Default)]
pub struct FakeBao {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    keys: HashMap<String, Entry>,
    configs: Vec<String>,
    fail_next: Option<&'static str>,
}

struct Entry {
    version: u64,
    /// `None`: the latest version is soft-deleted.
    data: Option<Vec<u8>>,
    label: String,
}

/// The config line the tests' sessions send.
pub const CONFIG: &str = r#"{"address":"http://127.0.0.1:8200","mount":"secret","prefix":"mailcred","auth":{"token_file":"/nonexistent"},"ca_file":null,"token_cache_dir":null,"timeout_ms":1000}"#;

impl FakeBao {
    /// A fresh fake, shared by the sessions it starts.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Starts one more companion, as spawning the program would.
    pub fn connect(self: &Arc<Self>) -> Result<Connection, StoreError> {
        let (from_us, input) = std::io::pipe().map_err(|e| StoreError::failed(e.to_string()))?;
        let (output, to_us) = std::io::pipe().map_err(|e| StoreError::failed(e.to_string()))?;
        let bao = Arc::clone(self);
        thread::spawn(move || bao.serve(BufReader::new(from_us), to_us));
        Ok(Connection {
            input: Box::new(input),
            output: Box::new(output),
            child: None,
        })
    }

    /// A session whose companions this fake plays.
    pub fn session(self: &Arc<Self>) -> Arc<Session> {
        let bao = Arc::clone(self);
        Arc::new(Session::over(
            move || bao.connect(),
            format!("{CONFIG}\n").into_bytes(),
            Duration::from_secs(30),
        ))
    }

    /// A store over a session of its own.
    pub fn store(self: &Arc<Self>) -> OpenBaoStore {
        OpenBaoStore::over(self.session(), "OpenBao (fake)".into())
    }

    /// `bao kv delete`: the latest version of `key` is deleted, not destroyed.
    pub fn soft_delete(&self, key: &str) {
        if let Some(entry) = self.state().keys.get_mut(key) {
            entry.data = None;
        }
    }

    /// Answers the next request with an error of `kind`.
    pub fn fail_next(&self, kind: &'static str) {
        self.state().fail_next = Some(kind);
    }

    /// The config line of every companion started, in order.
    pub fn configs(&self) -> Vec<String> {
        self.state().configs.clone()
    }

    /// The keys kept, sorted.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.state().keys.keys().cloned().collect();
        keys.sort();
        keys
    }

    /// The label kept with `key`.
    pub fn label(&self, key: &str) -> Option<String> {
        self.state().keys.get(key).map(|e| e.label.clone())
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn serve(&self, input: impl BufRead, mut output: impl Write) {
        let mut lines = input.lines();
        let Some(Ok(config)) = lines.next() else {
            return;
        };
        self.state().configs.push(config);
        for line in lines {
            let Ok(line) = line else { return };
            let answer = self.answer(&line);
            if writeln!(output, "{answer}").is_err() {
                return;
            }
        }
    }

    fn answer(&self, line: &str) -> Value {
        let error =
            |kind: &str, message: &str| json!({"error": {"kind": kind, "message": message}});
        let Ok(request) = serde_json::from_str::<Value>(line) else {
            return error("bad_request", "not JSON");
        };
        let mut state = self.state();
        if let Some(kind) = state.fail_next.take() {
            return error(kind, "planned by the test");
        }
        let op = request["op"].as_str().unwrap_or_default();
        if op == "ping" {
            return json!({"ready": {"server": "OpenBao (fake)", "token_ttl_seconds": 3600,
                                    "policies": ["default", "mailcred-team"]}});
        }
        let key = request["key"].as_str().unwrap_or_default().to_owned();
        if check_path(&key).is_err() {
            return error("bad_request", "a key the contract does not allow");
        }
        match op {
            "read" => match state.keys.get(&key) {
                None => json!({"absent": {}}),
                Some(Entry {
                    data: None,
                    version,
                    ..
                }) => json!({"absent": {"version": version}}),
                Some(Entry {
                    data: Some(data),
                    version,
                    ..
                }) => json!({"found": {"data": STANDARD.encode(data), "version": version}}),
            },
            "write" => {
                let Some(data) = request["data"]
                    .as_str()
                    .and_then(|d| STANDARD.decode(d).ok())
                else {
                    return error("bad_request", "no base64 data");
                };
                let current = state.keys.get(&key).map_or(0, |e| e.version);
                let holds = match request["cas"].as_u64() {
                    None => true,
                    Some(cas) => cas == current,
                };
                if !holds {
                    return error("cas_mismatch", "check-and-set parameter did not match");
                }
                let label = request["label"].as_str().unwrap_or_default().to_owned();
                let version = current + 1;
                state.keys.insert(
                    key,
                    Entry {
                        version,
                        data: Some(data),
                        label,
                    },
                );
                json!({"written": {"version": version}})
            }
            "delete" => {
                state.keys.remove(&key);
                json!({"deleted": {}})
            }
            _ => error("bad_request", "no such op"),
        }
    }
}

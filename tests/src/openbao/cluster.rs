//! A Raft cluster of real OpenBao nodes on loopback: each node has its own
//! storage folder and two ports (API, cluster), all unsealed with one key.
//! `performance_multiplier = 1` makes elections take about a second (the
//! default is tuned for slow networks), and autopilot promotes a joined
//! node to voter after one second, so that losing the leader keeps a
//! quorum soon after the cluster is built.

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

use super::{bao_binary, cli, free_port, kill, private_file};
use crate::process::PATIENCE;
use crate::{Outcome, run};

struct Node {
    child: Option<Child>,
    api: u16,
    config: PathBuf,
    log: PathBuf,
}

/// A Raft cluster; every node is killed on drop.
pub struct BaoCluster {
    bin: PathBuf,
    dir: TempDir,
    nodes: Vec<Node>,
    root_token: String,
    unseal_key: String,
}

impl Drop for BaoCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            if let Some(child) = node.child.as_mut() {
                kill(child);
            }
        }
    }
}

impl BaoCluster {
    /// `count` nodes, initialized, unseal, joined as voters, with KV v2 at
    /// `secret/`; `None` when OpenBao tests are excused here.
    pub fn raft(count: usize) -> Option<Self> {
        let bin = bao_binary()?;
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut ports = Vec::new();
        while ports.len() < count * 2 {
            let port = free_port(Ipv4Addr::LOCALHOST, false);
            if !ports.contains(&port) {
                ports.push(port);
            }
        }
        let nodes = (0..count)
            .map(|i| {
                let (api, cluster) = (ports[2 * i], ports[2 * i + 1]);
                let storage = dir.path().join(format!("node{i}"));
                std::fs::create_dir_all(&storage).expect("a storage folder");
                let config = dir.path().join(format!("node{i}.hcl"));
                std::fs::write(
                    &config,
                    format!(
                        "storage \"raft\" {{\n  path = \"{}\"\n  node_id = \"node{i}\"\n  performance_multiplier = 1\n}}\n\
                         listener \"tcp\" {{\n  address = \"127.0.0.1:{api}\"\n  cluster_address = \"127.0.0.1:{cluster}\"\n  tls_disable = true\n}}\n\
                         api_addr = \"http://127.0.0.1:{api}\"\ncluster_addr = \"https://127.0.0.1:{cluster}\"\ndisable_mlock = true\n",
                        storage.display()
                    ),
                )
                .expect("a node configuration");
                Node {
                    child: None,
                    api,
                    config,
                    log: dir.path().join(format!("node{i}.log")),
                }
            })
            .collect();
        let mut cluster = Self {
            bin,
            dir,
            nodes,
            root_token: String::new(),
            unseal_key: String::new(),
        };
        for node in 0..count {
            cluster.spawn(node);
        }
        let init = cluster.json(
            0,
            &[
                "operator",
                "init",
                "-format=json",
                "-key-shares=1",
                "-key-threshold=1",
            ],
        );
        cluster.unseal_key = init["unseal_keys_b64"][0]
            .as_str()
            .expect("an unseal key")
            .to_owned();
        cluster.root_token = init["root_token"]
            .as_str()
            .expect("a root token")
            .to_owned();
        cluster.unseal(0);
        cluster.wait_until(|c| c.leader() == Some(0), "node0 to become the active node");
        cluster.must(
            0,
            &["secrets", "enable", "-path=secret", "-version=2", "kv"],
        );
        cluster.must(
            0,
            &[
                "write",
                "sys/storage/raft/autopilot/configuration",
                "server_stabilization_time=1s",
            ],
        );
        let leader = cluster.address(0);
        for node in 1..count {
            cluster.must(node, &["operator", "raft", "join", &leader]);
            cluster.unseal(node);
        }
        cluster.wait_until(|c| c.voters() == count, "every node to become a Raft voter");
        Some(cluster)
    }

    fn spawn(&mut self, node: usize) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.nodes[node].log)
            .expect("a node log");
        let mut command = cli(&self.bin, self.dir.path());
        command
            .arg("server")
            .arg(format!("-config={}", self.nodes[node].config.display()))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("the log again"))
            .stderr(log);
        self.nodes[node].child = Some(command.spawn().expect("start a bao server node"));
        // Up once it answers at all: `bao status` exits 2 while sealed.
        self.wait_until(
            |c| matches!(c.bao(node, &["status"]).code, Some(0 | 2)),
            "the node to listen",
        );
    }

    fn unseal(&self, node: usize) {
        self.must(node, &["operator", "unseal", &self.unseal_key]);
    }

    /// Waits (at most [`PATIENCE`]) until `done`, failing the test with
    /// every node's log otherwise.
    fn wait_until(&self, done: impl Fn(&Self) -> bool, what: &str) {
        let deadline = Instant::now() + PATIENCE;
        while !done(self) {
            if Instant::now() > deadline {
                let logs: String = self
                    .nodes
                    .iter()
                    .map(|n| {
                        format!(
                            "--- {} ---\n{}\n",
                            n.log.display(),
                            std::fs::read_to_string(&n.log).unwrap_or_default()
                        )
                    })
                    .collect();
                panic!("waited {PATIENCE:?} for {what} in vain:\n{logs}");
            }
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// `http://127.0.0.1:PORT` of `node`.
    pub fn address(&self, node: usize) -> String {
        format!("http://127.0.0.1:{}", self.nodes[node].api)
    }

    /// How many nodes the cluster has.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether it has none (never: for clippy's sake).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// A 0600 file holding the root token.
    pub fn root_token_file(&self) -> PathBuf {
        private_file(&self.dir.path().join("root-token"), &self.root_token)
    }

    /// settings.json choosing `node` of this cluster as mailcred's store,
    /// with the root token and mailcred's folder at `prefix`.
    pub fn settings(&self, node: usize, prefix: &str) -> Value {
        serde_json::json!({
            "store": "openbao",
            "openbao": {
                "address": self.address(node),
                "mount": "secret",
                "prefix": prefix,
                "token_file": self.root_token_file(),
            }
        })
    }

    /// `bao ARGS` against `node` as root.
    pub fn bao(&self, node: usize, args: &[&str]) -> Outcome {
        let mut command = cli(&self.bin, self.dir.path());
        command
            .env("BAO_ADDR", self.address(node))
            .env("BAO_TOKEN", &self.root_token)
            .env("BAO_CLIENT_TIMEOUT", "5s")
            .args(args);
        run(command, b"")
    }

    /// `bao ARGS` against `node`, which must succeed.
    pub fn must(&self, node: usize, args: &[&str]) -> String {
        let outcome = self.bao(node, args);
        assert!(
            outcome.success(),
            "bao {} on node{node} failed:\n{outcome}",
            args.join(" ")
        );
        outcome.stdout
    }

    fn json(&self, node: usize, args: &[&str]) -> Value {
        let stdout = self.must(node, args);
        serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("bao printed no JSON ({e}): {stdout}"))
    }

    /// The running node that says it is the active one, if any.
    pub fn leader(&self) -> Option<usize> {
        (0..self.nodes.len()).find(|&node| {
            self.nodes[node].child.is_some() && {
                let status = self.bao(node, &["status", "-format=json"]);
                serde_json::from_str::<Value>(&status.stdout)
                    .is_ok_and(|s| s["sealed"] == false && s["is_self"] == true)
            }
        })
    }

    fn voters(&self) -> usize {
        let listed = self.bao(0, &["operator", "raft", "list-peers", "-format=json"]);
        serde_json::from_str::<Value>(&listed.stdout).map_or(0, |peers| {
            peers["data"]["config"]["servers"]
                .as_array()
                .map_or(0, |s| s.iter().filter(|s| s["voter"] == true).count())
        })
    }

    /// Waits for an active node (a new one after [`stop`](Self::stop)) and
    /// returns it.
    pub fn wait_for_leader(&self) -> usize {
        self.wait_until(|c| c.leader().is_some(), "an active node");
        self.leader().expect("found just now")
    }

    /// Kills `node` (as a crash would).
    pub fn stop(&mut self, node: usize) {
        if let Some(mut child) = self.nodes[node].child.take() {
            kill(&mut child);
        }
    }

    /// Starts a stopped `node` again and unseals it; it rejoins from its
    /// own Raft storage.
    pub fn start(&mut self, node: usize) {
        assert!(
            self.nodes[node].child.is_none(),
            "node{node} is running already"
        );
        self.spawn(node);
        self.unseal(node);
    }

    /// Seals `node`.
    pub fn seal(&self, node: usize) {
        self.must(node, &["operator", "seal"]);
    }
}

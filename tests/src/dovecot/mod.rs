//! A real IMAP and POP3 server on loopback: Dovecot 2.3 (Debian 12's
//! `dovecot-imapd` and `dovecot-pop3d`), one per test, run unprivileged from
//! a temporary directory with its own configuration, a passwd-file of the
//! test's accounts and a certificate from a CA made for it.
//!
//! Four listeners, the ones a reader meets at a provider:
//!
//! - IMAP on 993 style, TLS from the first byte, and POP3S likewise, on
//!   `localhost` (127.0.0.1);
//! - IMAP and POP3 with STARTTLS (STLS) *required*, on 127.0.0.2. Dovecot
//!   counts a client whose address equals its own as secure and lets it log
//!   in without TLS whatever `ssl = required` says; a client on this machine
//!   connects from 127.0.0.1, so only a listener on another address really
//!   requires TLS;
//! - IMAP and POP3 with STARTTLS on `localhost` too, for the clients that
//!   check only the certificate's names, not its IP entries (mbsync,
//!   OfflineIMAP): no name of this machine points at 127.0.0.2. Here
//!   Dovecot would take a login without TLS, so the tests read from the log
//!   whether the client used STARTTLS ([`Login::tls`]).
//!
//! The server's log is the test's evidence: [`DovecotServer::logins`] reads
//! which user logged in or was refused, with which password, over TLS or
//! not, so a test checks what the server saw rather than a client's exit
//! status.

mod certificates;
mod config;
mod log;

use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::{PermissionsExt, chown};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub use log::{Login, MailProtocol};

use config::{Config, RunAs};

/// How long Dovecot may take to start before the test fails.
const READY_TIMEOUT: Duration = Duration::from_secs(20);
/// How long the log must stay unchanged before what it says is taken as
/// complete: the client has exited, so only lines already on their way
/// through Dovecot's log process are missing.
const QUIET: Duration = Duration::from_millis(500);
/// The longest wait for the log to settle.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts at starting with free ports: another test may take a port
/// between our probe and Dovecot's bind.
const START_ATTEMPTS: usize = 5;

/// The address of the listeners with TLS from the first byte.
pub const TLS_HOST: &str = "localhost";
/// The address of the listeners that require STARTTLS.
pub const STARTTLS_HOST: &str = "127.0.0.2";

/// The ports of one server.
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    /// IMAP, TLS from the first byte, on [`TLS_HOST`].
    pub imaps: u16,
    /// IMAP with STARTTLS required, on [`STARTTLS_HOST`].
    pub imap: u16,
    /// POP3, TLS from the first byte, on [`TLS_HOST`].
    pub pop3s: u16,
    /// POP3 with STLS required, on [`STARTTLS_HOST`].
    pub pop3: u16,
    /// IMAP with STARTTLS on [`TLS_HOST`] (not required: see the module).
    pub imap_localhost: u16,
    /// POP3 with STLS on [`TLS_HOST`] (not required: see the module).
    pub pop3_localhost: u16,
}

/// A running Dovecot; stopped when dropped.
#[derive(Debug)]
pub struct DovecotServer {
    ports: Ports,
    child: Option<Child>,
    run_as: RunAs,
    dir: TempDir,
}

impl DovecotServer {
    /// Starts a server that knows the given `(user, password)` accounts.
    ///
    /// Panics, naming the package, when Dovecot is not installed.
    pub fn start(accounts: &[(&str, &str)]) -> DovecotServer {
        DovecotServer::launch(accounts, None)
    }

    /// Starts a server that takes OAuth2 access tokens only (IMAP
    /// `AUTHENTICATE XOAUTH2` or `OAUTHBEARER`, POP3 `AUTH` likewise), each
    /// checked by its `oauth2` passdb at the RFC 7662 endpoint
    /// `introspect_url` (the test identity provider's `/introspect`): only
    /// tokens that provider issued, still valid, for the user who logs in.
    /// Every user has a mail home; no password works.
    pub fn with_oauth(introspect_url: &str) -> DovecotServer {
        DovecotServer::launch(&[], Some(introspect_url))
    }

    fn launch(accounts: &[(&str, &str)], introspect_url: Option<&str>) -> DovecotServer {
        crate::require("dovecot", "dovecot-imapd and dovecot-pop3d");
        let dir = tempfile::Builder::new()
            .prefix("mailcred-dovecot-")
            .tempdir()
            .expect("a temp dir for Dovecot");
        let run_as = RunAs::unprivileged();
        certificates::make(dir.path());
        write_passwd(&dir.path().join("passwd"), accounts);
        if let Some(url) = introspect_url {
            fs::write(dir.path().join("oauth2.conf.ext"), config::oauth2_args(url))
                .expect("write the oauth2 passdb's settings");
        }
        fs::create_dir(dir.path().join("home")).expect("create the mail homes");

        let mut last_log = String::new();
        for _ in 0..START_ATTEMPTS {
            let ports = free_ports();
            let config = Config {
                dir: dir.path(),
                ports,
                run_as: &run_as,
                introspect_url,
            };
            fs::write(dir.path().join("dovecot.conf"), config.render())
                .expect("write dovecot.conf");
            give_to(dir.path(), &run_as);
            let log_file = dir.path().join("dovecot.log");
            let _ = fs::remove_file(&log_file);
            let mut child = spawn(dir.path(), &run_as);
            match wait_until_listening(&mut child, &log_file) {
                Ok(()) => {
                    if introspect_url.is_some() {
                        wait_until_auth_is_ready(ports.imap_localhost);
                        wait_until_auth_is_ready(ports.pop3_localhost);
                    }
                    return DovecotServer {
                        ports,
                        child: Some(child),
                        run_as,
                        dir,
                    };
                }
                Err(log) if log.contains("Address already in use") => {
                    last_log = log;
                    continue;
                }
                Err(log) => panic!("Dovecot did not start; its log:\n{log}"),
            }
        }
        panic!(
            "Dovecot found no free ports in {START_ATTEMPTS} attempts; its last log:\n{last_log}"
        )
    }

    /// The ports it listens on.
    pub fn ports(&self) -> Ports {
        self.ports
    }

    /// The CA certificate (PEM) that issued the server's certificate, for
    /// the client to trust. The certificate is for `localhost`, 127.0.0.1
    /// and 127.0.0.2.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// Every login attempt so far, in the order the server logged them,
    /// once the log has settled.
    pub fn logins(&self) -> Vec<Login> {
        log::parse(&self.settled_log())
    }

    /// The attempts of `user`, once the log has settled.
    pub fn logins_of(&self, user: &str) -> Vec<Login> {
        self.logins()
            .into_iter()
            .filter(|l| l.user == user)
            .collect()
    }

    /// Waits until the server logs a login attempt by `user` that satisfies
    /// `wanted`, for clients that keep running (aerc): `None` after
    /// `timeout`.
    pub fn wait_for_login(
        &self,
        user: &str,
        timeout: Duration,
        wanted: impl Fn(&Login) -> bool,
    ) -> Option<Login> {
        let end = Instant::now() + timeout;
        loop {
            let found = log::parse(&self.log())
                .into_iter()
                .find(|l| l.user == user && wanted(l));
            if found.is_some() || Instant::now() >= end {
                return found;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the raw log satisfies `wanted` (a refused password is
    /// logged at once, the connection's record only when it closes): false
    /// after `timeout`.
    pub fn wait_for_log(&self, timeout: Duration, wanted: impl Fn(&str) -> bool) -> bool {
        let end = Instant::now() + timeout;
        loop {
            if wanted(&self.log()) {
                return true;
            }
            if Instant::now() >= end {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The whole log as it is now, for assertion messages.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }

    /// Puts a message into `user`'s INBOX (Maildir `new/`), for a reader to
    /// fetch. `name` is the file's unique part.
    pub fn deliver(&self, user: &str, name: &str, message: &str) {
        let maildir = self.dir.path().join("home").join(user).join("Maildir");
        for sub in ["cur", "new", "tmp"] {
            fs::create_dir_all(maildir.join(sub)).expect("create the Maildir");
        }
        fs::write(
            maildir.join("new").join(format!("{name}.mailcred-test")),
            message,
        )
        .expect("deliver the message");
        give_to(&self.dir.path().join("home"), &self.run_as);
    }

    /// The log once it has not changed for [`QUIET`].
    fn settled_log(&self) -> String {
        let end = Instant::now() + SETTLE_TIMEOUT;
        let mut last = self.log();
        let mut since = Instant::now();
        while Instant::now() < end {
            std::thread::sleep(Duration::from_millis(50));
            let now = self.log();
            if now != last {
                last = now;
                since = Instant::now();
            } else if since.elapsed() >= QUIET {
                break;
            }
        }
        last
    }
}

impl Drop for DovecotServer {
    /// SIGTERM, then reaping off the test's thread: Dovecot takes about a
    /// second to stop its services, which no test needs to wait for.
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = rustix::process::Pid::from_child(&child);
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        std::thread::spawn(move || {
            let end = Instant::now() + Duration::from_secs(10);
            while Instant::now() < end {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        });
    }
}

/// The passwd-file: `user:{PLAIN}password` and empty fields.
fn write_passwd(path: &Path, accounts: &[(&str, &str)]) {
    let mut passwd = String::new();
    for (user, password) in accounts {
        assert!(
            !format!("{user}{password}").contains([':', '\n', '\r']),
            "a passwd-file field cannot hold ':' or a line break: {user:?}"
        );
        passwd.push_str(&format!("{user}:{{PLAIN}}{password}::::::\n"));
    }
    fs::write(path, passwd).expect("write the passwd-file");
}

/// Ports free just now on each listener's address, all different: each
/// probe stays bound until every port is chosen, or the system could hand
/// out one port twice.
fn free_ports() -> Ports {
    let mut held = Vec::new();
    let mut free = |address: &str| {
        let listener = TcpListener::bind((address, 0))
            .unwrap_or_else(|e| panic!("no free port on {address}: {e}"));
        let port = listener.local_addr().expect("a bound address").port();
        held.push(listener);
        port
    };
    Ports {
        imaps: free("127.0.0.1"),
        imap: free(STARTTLS_HOST),
        pop3s: free("127.0.0.1"),
        pop3: free(STARTTLS_HOST),
        imap_localhost: free("127.0.0.1"),
        pop3_localhost: free("127.0.0.1"),
    }
}

/// Hands the directory to the user Dovecot runs as (a no-op when that is
/// the test's own user).
fn give_to(dir: &Path, run_as: &RunAs) {
    let Some((uid, gid)) = run_as.switch_to else {
        return;
    };
    fn walk(path: &Path, uid: u32, gid: u32) {
        chown(path, Some(uid), Some(gid)).expect("hand the file to Dovecot's user");
        if path.is_dir() {
            for entry in fs::read_dir(path).expect("list the Dovecot dir") {
                walk(&entry.expect("a dir entry").path(), uid, gid);
            }
        }
    }
    walk(dir, uid, gid);
    // Its parent is the temp dir's 0700: make the directory reachable.
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).expect("chmod the Dovecot dir");
}

fn spawn(dir: &Path, run_as: &RunAs) -> Child {
    use std::os::unix::process::CommandExt;
    let stderr = fs::File::create(dir.join("stderr")).expect("create Dovecot's stderr file");
    let mut command = Command::new("dovecot");
    command
        .arg("-F")
        .arg("-c")
        .arg(dir.join("dovecot.conf"))
        .env_clear()
        .env("PATH", crate::system_path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr);
    if let Some((uid, gid)) = run_as.switch_to {
        // As root, std also drops the supplementary groups (setgroups(0)).
        command.uid(uid).gid(gid);
    }
    command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run dovecot (apt-get install dovecot-imapd): {e}"))
}

/// Waits until a greeting on `port` says the login process is connected
/// to the auth process: until then it holds a client's input in a 1 KiB
/// buffer, and a client that sends an `AUTHENTICATE XOAUTH2` line with an
/// Entra-sized token (2 KiB in base64) before the greeting is told "Input
/// buffer full". With one long-lived login process per protocol (see
/// config.rs), once is enough.
fn wait_until_auth_is_ready(port: u16) {
    use std::io::{BufRead, BufReader};
    let end = Instant::now() + READY_TIMEOUT;
    let mut greeting = String::new();
    while Instant::now() < end {
        greeting.clear();
        if let Ok(stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = BufReader::new(stream).read_line(&mut greeting);
            let ok = greeting.starts_with("* OK") || greeting.starts_with("+OK");
            if ok && !greeting.contains("Waiting for authentication") {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("Dovecot's auth process did not become ready; last greeting {greeting:?}");
}

/// Waits for the master's "starting up" line, which it logs once its
/// listeners are bound; `Err` with the log and stderr when it exits or
/// stays silent.
fn wait_until_listening(child: &mut Child, log_file: &Path) -> Result<(), String> {
    let end = Instant::now() + READY_TIMEOUT;
    let stderr_file = log_file.with_file_name("stderr");
    let report = |status: String| {
        format!(
            "{status}\n--- log ---\n{}--- stderr ---\n{}",
            fs::read_to_string(log_file).unwrap_or_default(),
            fs::read_to_string(&stderr_file).unwrap_or_default()
        )
    };
    while Instant::now() < end {
        let log = fs::read_to_string(log_file).unwrap_or_default();
        if log.contains("starting up") {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(report(format!("dovecot exited: {status}")));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    Err(report(format!(
        "no \"starting up\" within {READY_TIMEOUT:?}"
    )))
}

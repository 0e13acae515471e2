//! A private headless Secret Service per test: temporary HOME and XDG
//! directories, a private D-Bus session bus, gnome-keyring-daemon on it.

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::process::{PATIENCE, run, wait_for, write_and_close};
use crate::session_id::SessionId;
use crate::{require, system_path};

/// The password of the test login keyring. Not empty: gnome-keyring-daemon
/// creates no `login` collection for an empty one.
const LOGIN_PASSWORD: &[u8] = b"e2e login keyring password";
/// The Secret Service's well-known bus name.
const SECRETS_NAME: &str = "org.freedesktop.secrets";
/// The collection gnome-keyring creates from the login password.
const LOGIN_COLLECTION: &str = "/org/freedesktop/secrets/collection/login";

/// A private, headless Secret Service for one test: temporary HOME and XDG
/// directories, a private D-Bus session bus, and gnome-keyring-daemon on it
/// with an unlocked `login` collection. Dropping it stops both daemons.
pub struct KeyringSession {
    dir: TempDir,
    bus_address: String,
    bus: Option<Child>,
    keyring: Option<Child>,
}

impl KeyringSession {
    /// A working session: bus, Secret Service, unlocked `login` collection.
    pub fn start() -> Self {
        let mut session = Self::bus_only();
        let keyring = session.start_keyring(&[], LOGIN_PASSWORD);
        session.keyring = Some(session.await_secret_service(keyring));
        session
    }

    /// A session bus on which nobody provides the Secret Service.
    pub fn bus_only() -> Self {
        let mut session = Self::without_bus();
        let (bus, address) = session.start_bus();
        session.bus = Some(bus);
        session.bus_address = address;
        session
    }

    /// A Secret Service without a `login` collection: gnome-keyring-daemon
    /// unlocked with an empty password creates none.
    pub fn without_login_collection() -> Self {
        let mut session = Self::bus_only();
        let keyring = session.start_keyring(&[], b"");
        session.keyring = Some(session.await_secret_service(keyring));
        session
    }

    /// Temporary directories only: `DBUS_SESSION_BUS_ADDRESS` names a socket
    /// that does not exist.
    pub fn without_bus() -> Self {
        require("dbus-daemon", "dbus-daemon (pulled in by dbus)");
        require("dbus-send", "dbus-bin (pulled in by dbus)");
        require("gnome-keyring-daemon", "gnome-keyring");
        let dir = tempfile::Builder::new()
            .prefix("mailcred-e2e-")
            .tempdir()
            .expect("cannot create a temporary directory for the test session");
        for sub in ["home", "data", "config", "run", "logs"] {
            fs::create_dir(dir.path().join(sub)).expect("cannot create a session directory");
        }
        fs::set_permissions(dir.path().join("run"), fs::Permissions::from_mode(0o700))
            .expect("cannot make XDG_RUNTIME_DIR private");
        let bus_address = format!("unix:path={}", dir.path().join("run/no-bus-here").display());
        Self {
            dir,
            bus_address,
            bus: None,
            keyring: None,
        }
    }

    /// A command for `program` that sees only this session: the environment
    /// is cleared down to PATH, HOME, the XDG directories and the session
    /// bus, and it runs in the temporary HOME (outside any git repository).
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("PATH", system_path())
            .env("HOME", self.home())
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_RUNTIME_DIR", self.dir.path().join("run"))
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .current_dir(self.home());
        command
    }

    /// The session bus address (`DBUS_SESSION_BUS_ADDRESS`) of this session.
    pub fn bus_address(&self) -> String {
        self.bus_address.clone()
    }

    /// The temporary HOME.
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// What tells this session's processes apart, even after it is dropped.
    pub fn id(&self) -> SessionId {
        let mut entry = b"XDG_RUNTIME_DIR=".to_vec();
        entry.extend_from_slice(self.dir.path().join("run").as_os_str().as_encoded_bytes());
        SessionId::for_environment_entry(entry)
    }

    /// Where mailcred keeps its mail accounts in this session.
    pub fn account_file(&self) -> PathBuf {
        self.dir.path().join("config/mailcred/accounts.json")
    }

    /// Where mailcred keeps its index in this session.
    pub fn index_path(&self) -> PathBuf {
        self.dir.path().join("data/mailcred/credentials.json")
    }

    /// Where mailcred reads its settings in this session.
    pub fn settings_file(&self) -> PathBuf {
        self.dir.path().join("config/mailcred/settings.json")
    }

    /// Writes `settings` (e.g. [`crate::openbao::Bao::settings`]) as this
    /// session's settings.json.
    pub fn write_settings(&self, settings: &serde_json::Value) {
        let file = self.settings_file();
        std::fs::create_dir_all(file.parent().expect("a folder")).expect("the config folder");
        std::fs::write(&file, format!("{settings:#}\n")).expect("write settings.json");
    }

    /// Locks the `login` collection through the Secret Service API, as a
    /// screen locker would.
    pub fn lock(&self) {
        let reply = run(
            self.dbus_send(&[
                &format!("--dest={SECRETS_NAME}"),
                "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service.Lock",
                &format!("array:objpath:{LOGIN_COLLECTION}"),
            ]),
            b"",
        );
        assert!(
            reply.success() && reply.stdout.contains(LOGIN_COLLECTION),
            "locking the login collection failed:\n{reply}"
        );
    }

    /// Unlocks the `login` collection with its password.
    ///
    /// gnome-keyring cannot be unlocked headlessly while it runs: the
    /// Secret Service `Unlock` method wants a graphical prompt, and a plain
    /// `gnome-keyring-daemon --unlock` starts a second daemon beside the
    /// first. So a new daemon replaces the old one (`--replace`) and opens
    /// the keyring file with the password, as happens at login.
    pub fn unlock(&mut self) {
        let old = self.keyring.take().expect("unlock needs a running keyring");
        // Kept in the session at once, so a failure below still stops it.
        self.keyring = Some(self.start_keyring(&["--replace"], LOGIN_PASSWORD));
        // The old daemon holds the name until the new one tells it to quit.
        self.reap(old, "the gnome-keyring-daemon being replaced");
        let new = self.keyring.take().expect("just started");
        self.keyring = Some(self.await_secret_service(new));
    }

    /// Stops gnome-keyring-daemon, as when it crashed: the bus stays, but
    /// nobody owns the Secret Service name any more. Mail accounts and the
    /// index stay on disk, so commands find the account but not its secret.
    pub fn stop_secret_service(&mut self) {
        if let Some(mut keyring) = self.keyring.take() {
            let _ = keyring.kill();
            let _ = keyring.wait();
        }
        // The bus releases the name when it notices the closed connection.
        let deadline = Instant::now() + PATIENCE;
        while self.secret_service_is_on_the_bus() {
            assert!(
                Instant::now() < deadline,
                "{SECRETS_NAME} is still owned {PATIENCE:?} after gnome-keyring-daemon exited"
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Stops gnome-keyring-daemon with SIGSTOP, as when it hangs: it keeps
    /// its name on the bus and its connections, so the bus accepts calls to
    /// the Secret Service that are never answered. Dropping the session
    /// still ends it (SIGKILL works on a stopped process).
    pub fn freeze_secret_service(&self) {
        let keyring = self
            .keyring
            .as_ref()
            .expect("freezing needs a running gnome-keyring-daemon");
        let pid = rustix::process::Pid::from_child(keyring);
        rustix::process::kill_process(pid, rustix::process::Signal::STOP)
            .unwrap_or_else(|e| panic!("cannot stop gnome-keyring-daemon with SIGSTOP: {e}"));
        assert!(
            self.secret_service_is_on_the_bus(),
            "a stopped gnome-keyring-daemon must still own {SECRETS_NAME}, or this is not a hang"
        );
    }

    /// Stops the session bus (and the Secret Service on it), as when the
    /// desktop session is gone: `DBUS_SESSION_BUS_ADDRESS` names a socket
    /// nobody listens on.
    pub fn stop_bus(&mut self) {
        for mut child in [self.keyring.take(), self.bus.take()].into_iter().flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Brings the Secret Service back after [`stop_secret_service`] or
    /// [`stop_bus`] (a new bus at the same address if it is gone), opening
    /// the same `login` keyring file: what was stored before is there again.
    ///
    /// [`stop_secret_service`]: Self::stop_secret_service
    /// [`stop_bus`]: Self::stop_bus
    pub fn restart_secret_service(&mut self) {
        if self.bus.is_none() {
            let (bus, address) = self.start_bus();
            self.bus = Some(bus);
            self.bus_address = address;
        }
        if self.keyring.is_none() {
            let keyring = self.start_keyring(&[], LOGIN_PASSWORD);
            self.keyring = Some(self.await_secret_service(keyring));
        }
    }

    fn start_bus(&self) -> (Child, String) {
        let socket = self.dir.path().join("run/bus");
        let socket = socket.to_str().expect("temporary paths are UTF-8");
        assert!(
            socket.len() < 100
                && socket
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_/.".contains(&b)),
            "the bus socket path {socket} is too long or needs escaping: \
             set TMPDIR to a short plain directory such as /tmp"
        );
        // No <servicedir>: nothing is started on demand. The system's
        // org.freedesktop.secrets.service would otherwise launch a
        // gnome-keyring-daemon nobody stops, and "no Secret Service" could
        // not be tested.
        let config = format!(
            r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#
        );
        let config_path = self.dir.path().join("bus.conf");
        fs::write(&config_path, config).expect("cannot write the bus configuration");
        let mut bus = self
            .command("dbus-daemon")
            .arg(format!("--config-file={}", config_path.display()))
            .args(["--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(self.log("dbus-daemon"))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start dbus-daemon: {e}"));
        // dbus-daemon prints its address once it listens.
        let stdout = bus.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        match rx.recv_timeout(PATIENCE) {
            Ok(line) if line.starts_with("unix:") => (bus, line.trim_end().to_owned()),
            _ => {
                let _ = bus.kill();
                let _ = bus.wait();
                panic!(
                    "dbus-daemon did not print its address:\n{}",
                    self.read_log("dbus-daemon")
                );
            }
        }
    }

    /// Starts gnome-keyring-daemon in the foreground, so its pid is ours to
    /// stop (`--daemonize` would hide it behind a double fork).
    fn start_keyring(&self, extra: &[&str], password: &[u8]) -> Child {
        let mut keyring = self
            .command("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(self.log("gnome-keyring-daemon"))
            .stderr(self.log("gnome-keyring-daemon"))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start gnome-keyring-daemon: {e}"));
        // It reads the login password up to EOF.
        write_and_close(keyring.stdin.take(), password);
        keyring
    }

    /// Waits until `keyring` owns the Secret Service name. It opens the
    /// login collection before it joins the bus, so the collection is ready
    /// then too.
    fn await_secret_service(&self, mut keyring: Child) -> Child {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(Some(status)) = keyring.try_wait() {
                panic!(
                    "gnome-keyring-daemon exited ({status}) before providing the Secret Service:\n{}",
                    self.read_log("gnome-keyring-daemon")
                );
            }
            if self.secret_service_is_on_the_bus() {
                return keyring;
            }
            if Instant::now() > deadline {
                let _ = keyring.kill();
                let _ = keyring.wait();
                panic!(
                    "gnome-keyring-daemon did not take {SECRETS_NAME} on the bus within {PATIENCE:?}:\n{}",
                    self.read_log("gnome-keyring-daemon")
                );
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    fn secret_service_is_on_the_bus(&self) -> bool {
        let reply = run(
            self.dbus_send(&[
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                &format!("string:{SECRETS_NAME}"),
            ]),
            b"",
        );
        reply.success() && reply.stdout.contains("boolean true")
    }

    fn dbus_send(&self, args: &[&str]) -> Command {
        let mut command = self.command("dbus-send");
        command.args(["--session", "--print-reply", "--type=method_call"]);
        command.args(args);
        command
    }

    /// A log file for a daemon's output, shown when it fails to start.
    fn log(&self, daemon: &str) -> File {
        File::options()
            .create(true)
            .append(true)
            .open(self.dir.path().join("logs").join(daemon))
            .expect("cannot open a daemon log file")
    }

    fn read_log(&self, daemon: &str) -> String {
        fs::read_to_string(self.dir.path().join("logs").join(daemon)).unwrap_or_default()
    }

    /// Waits for a daemon told to quit; kills it if it does not.
    fn reap(&self, mut child: Child, what: &str) {
        if wait_for(&mut child, PATIENCE).is_none() {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not exit within {PATIENCE:?}");
        }
    }
}

impl Drop for KeyringSession {
    fn drop(&mut self) {
        for mut child in [self.keyring.take(), self.bus.take()].into_iter().flatten() {
            // Fails only when it has already exited; wait() reaps it either way.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

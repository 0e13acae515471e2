//! `scripts/lib.sh`, which `scripts/test` uses to fetch a neomutt with
//! `account_command`: a failed download stops the run with apt's reason, an
//! interrupted one leaves no temporary apt source behind, and apt's chatter
//! never becomes part of the path it yields.
//!
//! Each test runs `ensure_new_neomutt` in bash as `scripts/test` does, with
//! fakes of `apt-get` and `neomutt` first on PATH, the mirror lookup
//! redefined and the temporary apt source pointed into a temporary
//! directory: nothing touches /etc/apt or the network.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use mailcred_e2e::{finish, start};
use rustix::process::{Pid, Signal, kill_process_group};
use tempfile::TempDir;

use super::*;

/// What `scripts/test` does with the library, around the seams the tests
/// redefine; the last line shows what the rest of the run would see.
const AS_SCRIPTS_TEST_DOES: &str = r#"
set -euo pipefail
. "$MAILCRED_LIB"
debian_codename() { echo bookworm; }
debian_mirror() { echo http://mirror.invalid/debian; }
BACKPORTS_LIST="$HARNESS/backports.list"
ensure_new_neomutt
export MAILCRED_TEST_NEW_NEOMUTT="$NEW_NEOMUTT"
echo "MAILCRED_TEST_NEW_NEOMUTT=$MAILCRED_TEST_NEW_NEOMUTT"
"#;

/// The system neomutt of Debian 12: it knows no `account_command`.
const OLD_NEOMUTT: &str = "#!/bin/sh\nexit 1\n";

/// A directory holding the fakes and everything the library writes.
struct Harness {
    dir: TempDir,
}

impl Harness {
    /// Fakes whose `apt-get` runs `apt_get` (a shell script body).
    fn with_apt_get(apt_get: &str) -> Self {
        require("bash", "bash");
        let dir = tempfile::Builder::new()
            .prefix("mailcred-lib-")
            .tempdir()
            .expect("a temporary directory");
        let harness = Self { dir };
        fs::create_dir(harness.path().join("fakes")).expect("the fakes' directory");
        harness.executable("fakes/apt-get", &format!("#!/bin/sh\n{apt_get}"));
        harness.executable("fakes/neomutt", OLD_NEOMUTT);
        // For a run as a user: the library asks sudo for what needs root.
        harness.executable("fakes/sudo", "#!/bin/sh\nexec \"$@\"\n");
        harness
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn executable(&self, name: &str, script: &str) -> PathBuf {
        let path = self.path().join(name);
        fs::write(&path, script).expect("writing a fake");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod a fake");
        path
    }

    /// The temporary apt source the library adds for bookworm-backports.
    fn backports_source(&self) -> PathBuf {
        self.path().join("backports.list")
    }

    /// bash running [`AS_SCRIPTS_TEST_DOES`] in the harness directory.
    /// `env --default-signal` undoes an ignored SIGINT inherited from a
    /// non-interactive shell, which bash could not trap.
    fn bash(&self) -> Command {
        let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/lib.sh");
        let mut bash = Command::new("env");
        bash.args([
            "--default-signal=INT,TERM",
            "bash",
            "-c",
            AS_SCRIPTS_TEST_DOES,
        ])
        .env("MAILCRED_LIB", lib)
        .env("HARNESS", self.path())
        .env(
            "PATH",
            format!("{}:{}", self.path().join("fakes").display(), system_path()),
        )
        .current_dir(self.path());
        bash
    }
}

fn system_path() -> String {
    std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into())
}

#[test]
fn a_failed_neomutt_download_stops_the_run_with_apts_own_reason() {
    let harness = Harness::with_apt_get(
        r#"case "$1" in
  update) echo "Hit:1 http://mirror.invalid/debian bookworm-backports InRelease" ;;
  download) echo "E: Failed to fetch http://mirror.invalid/debian/neomutt.deb  404  Not Found" >&2; exit 100 ;;
esac
"#,
    );
    let ran = run(harness.bash(), b"");

    assert_eq!(
        ran.code,
        Some(1),
        "a failed download must stop the run there:\n{ran}"
    );
    assert!(
        !ran.stdout.contains("MAILCRED_TEST_NEW_NEOMUTT="),
        "the run must not go on to the tests after a failed download:\n{ran}"
    );
    assert!(
        ran.stderr.contains("404  Not Found")
            && ran
                .stderr
                .contains("could not download neomutt from bookworm-backports"),
        "the error should be the download's, with apt's own reason, not a later misleading one:\n{ran}"
    );
    assert!(
        !harness.backports_source().exists(),
        "the temporary backports apt source must be gone after a failed download"
    );
}

#[test]
fn an_interrupted_neomutt_download_removes_the_temporary_apt_source() {
    for (signal, status) in [(Signal::INT, 130), (Signal::TERM, 143)] {
        let harness = Harness::with_apt_get(
            r#"if [ "$1" = download ]; then touch "$HARNESS/downloading"; exec sleep 60; fi
"#,
        );
        let mut bash = harness.bash();
        // Its own process group, as a terminal's Ctrl-C reaches the whole job.
        bash.process_group(0);
        let running = start(bash, b"");
        let deadline = Instant::now() + Duration::from_secs(20);
        while !harness.path().join("downloading").exists() {
            assert!(
                Instant::now() < deadline,
                "the fake apt-get download never started"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(
            harness.backports_source().exists(),
            "the backports apt source should be in place while apt-get download runs"
        );
        let group = Pid::from_raw(i32::try_from(running.id()).expect("a pid")).expect("a pid");
        kill_process_group(group, signal).expect("signalling the run");
        let ran = finish(running);

        assert_eq!(
            ran.code,
            Some(status),
            "{signal:?} should end the run with status {status}:\n{ran}"
        );
        assert!(
            !harness.backports_source().exists(),
            "a run ended by {signal:?} mid-download must remove the temporary backports apt source:\n{ran}"
        );
    }
}

#[test]
fn apts_output_goes_to_stderr_and_never_into_the_neomutt_path() {
    require("dpkg-deb", "dpkg");
    let harness = Harness::with_apt_get(
        r#"case "$1" in
  update) echo "Hit:1 http://mirror.invalid/debian bookworm-backports InRelease" ;;
  download) echo "Get:1 http://mirror.invalid/debian bookworm-backports/main neomutt"
            dpkg-deb --build --root-owner-group "$HARNESS/package" neomutt_20250510_all.deb >/dev/null ;;
esac
"#,
    );
    fs::create_dir_all(harness.path().join("package/DEBIAN")).unwrap();
    fs::create_dir_all(harness.path().join("package/usr/bin")).unwrap();
    fs::write(
        harness.path().join("package/DEBIAN/control"),
        "Package: neomutt\nVersion: 20250510\nArchitecture: all\n\
         Maintainer: tests <tests@example.org>\nDescription: a neomutt with account_command\n",
    )
    .unwrap();
    harness.executable(
        "package/usr/bin/neomutt",
        "#!/bin/sh\necho 'set account_command = \"\"'\nexit 1\n",
    );
    let ran = run(harness.bash(), b"");

    let unpacked = harness
        .path()
        .join("target/neomutt-backports/usr/bin/neomutt");
    assert_eq!(
        (ran.code, ran.stdout.as_str()),
        (
            Some(0),
            format!("MAILCRED_TEST_NEW_NEOMUTT={}\n", unpacked.display()).as_str()
        ),
        "the tests should get the unpacked neomutt's path and nothing else:\n{ran}"
    );
    assert!(
        ran.stderr.contains("Hit:1") && ran.stderr.contains("Get:1"),
        "apt's output should still be shown, on stderr:\n{ran}"
    );
    assert!(
        !harness.backports_source().exists(),
        "the temporary backports apt source must be gone after the download"
    );
}

//! The companion holds refresh tokens: other processes of the same user must
//! not read its memory, and it leaves no core file.

use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NOBODY: u32 = 65534;

/// The owner of `/proc/PID/environ` once `pid` sleeps (waiting on stdin):
/// the kernel gives the files of a non-dumpable process to root.
fn proc_owner_once_waiting(pid: u32, program: &str) -> u32 {
    let program = std::fs::canonicalize(program).expect("the program exists");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok();
        let sleeping = stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('S'));
        if sleeping && exe.as_deref() == Some(program.as_path()) {
            return std::fs::metadata(format!("/proc/{pid}/environ"))
                .expect("the process is still there")
                .uid();
        }
        assert!(
            Instant::now() < deadline,
            "the process never blocked reading stdin"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn owner_as_nobody(program: &str, args: &[&str]) -> u32 {
    let mut child = Command::new(program)
        .args(args)
        .env_clear()
        .current_dir("/")
        .uid(NOBODY)
        .gid(NOBODY)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("a process starts as nobody");
    let owner = proc_owner_once_waiting(child.id(), program);
    drop(child.stdin.take());
    let _ = child.kill();
    let _ = child.wait();
    owner
}

#[test]
fn the_companion_is_non_dumpable_before_it_reads_the_request() {
    let me = std::fs::metadata("/proc/self")
        .expect("/proc is mounted")
        .uid();
    if me != 0 {
        eprintln!("skipped: only root can start a process as nobody to look at its /proc files");
        return;
    }
    assert_eq!(
        owner_as_nobody("/bin/cat", &[]),
        NOBODY,
        "an ordinary process's /proc/PID files belong to its user (the control)"
    );
    assert_eq!(
        owner_as_nobody(env!("CARGO_BIN_EXE_mailcred-oauth"), &["refresh"]),
        0,
        "mailcred-oauth must be non-dumpable (its /proc/PID files root's) while it waits for the request"
    );
}

//! Telling a test session's processes apart in `/proc`, to check that none
//! outlives the session.

use std::fs;
use std::path::Path;

/// Names one session's processes: those started with its `XDG_RUNTIME_DIR`.
pub struct SessionId(Vec<u8>);

impl SessionId {
    /// The processes whose environment holds `entry` (`NAME=value`).
    pub(crate) fn for_environment_entry(entry: Vec<u8>) -> Self {
        Self(entry)
    }

    /// The pids of live processes started in the session (daemons included;
    /// zombies have no environment left and are not counted).
    ///
    /// # Panics
    /// When `/proc` does not show this test's own process and environment:
    /// then it could not show the session's either, and "none left" would
    /// be no finding.
    pub fn live_processes(&self) -> Vec<u32> {
        self.live_processes_in(Path::new("/proc"))
    }

    fn live_processes_in(&self, proc: &Path) -> Vec<u32> {
        let entries = fs::read_dir(proc).unwrap_or_else(|e| {
            panic!(
                "cannot list {} ({e}): no process can be seen, so none left would prove nothing",
                proc.display()
            )
        });
        let pids: Vec<u32> = entries
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .collect();
        let own = std::process::id();
        assert!(
            pids.contains(&own) && fs::read(proc.join(own.to_string()).join("environ")).is_ok(),
            "{} does not show this test's own process {own} and its environment (of {} \
             processes listed): it cannot show the session's either",
            proc.display(),
            pids.len()
        );
        pids.into_iter()
            .filter(|pid| {
                fs::read(proc.join(pid.to_string()).join("environ"))
                    .is_ok_and(|env| env.split(|&b| b == 0).any(|var| var == self.0.as_slice()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any_session() -> SessionId {
        SessionId(b"XDG_RUNTIME_DIR=/nowhere".to_vec())
    }

    #[test]
    fn live_processes_sees_this_process_and_no_session_where_none_runs() {
        assert_eq!(
            any_session().live_processes(),
            Vec::<u32>::new(),
            "no process was started with this XDG_RUNTIME_DIR"
        );
    }

    #[test]
    #[should_panic(expected = "cannot list")]
    fn live_processes_fails_when_proc_cannot_be_read() {
        any_session().live_processes_in(Path::new("/nonexistent/proc"));
    }

    #[test]
    #[should_panic(expected = "does not show this test's own process")]
    fn live_processes_fails_when_proc_does_not_show_this_process() {
        let empty = tempfile::tempdir().expect("a temporary directory");
        any_session().live_processes_in(empty.path());
    }
}

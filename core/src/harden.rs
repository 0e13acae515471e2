//! Process hardening done before any secret is touched.

/// Makes the process non-dumpable on Linux: no core file, and other
/// processes of the same user cannot ptrace it or read its memory through
/// `/proc`. Elsewhere a no-op.
pub fn forbid_core_dumps() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{DumpableBehavior, set_dumpable_behavior};
        // Failure leaves the process as it was; nothing to report to git.
        let _ = set_dumpable_behavior(DumpableBehavior::NotDumpable);
    }
}

/// Whether the process is currently dumpable (Linux; `None` elsewhere).
pub fn is_dumpable() -> Option<bool> {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{DumpableBehavior, dumpable_behavior};
        dumpable_behavior()
            .ok()
            .map(|b| b != DumpableBehavior::NotDumpable)
    }
    #[cfg(not(target_os = "linux"))]
    None
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn forbidding_core_dumps_is_read_back_as_not_dumpable() {
        use rustix::process::{DumpableBehavior, set_dumpable_behavior};
        let before = is_dumpable();
        forbid_core_dumps();
        let after = is_dumpable();
        // Put the test process back as it was before asserting.
        set_dumpable_behavior(DumpableBehavior::Dumpable).expect("restoring dumpability");
        assert_eq!(before, Some(true), "a test process starts dumpable");
        assert_eq!(
            after,
            Some(false),
            "after forbid_core_dumps the kernel must report the process non-dumpable"
        );
    }
}

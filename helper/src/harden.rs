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

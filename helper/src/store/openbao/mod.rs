//! OpenBao (the Linux Foundation's fork of HashiCorp Vault) as a store,
//! for teams and fleets: secrets in a KV v2 mount, shared by every machine
//! pointed at the same server and folder, guarded by the server's policies.
//!
//! `mailcred` links no HTTP or TLS code (it starts for every message msmtp
//! sends): the server is reached through the companion `mailcred-openbao`,
//! found as `mailcred-oauth` is, run once per process when the store is
//! first used and spoken to in JSON lines over its stdin and stdout (the
//! design note's contract; [`wire`]). Secrets and tokens cross only those
//! pipes, never argv or the environment.

mod session;
mod settings;
mod store;
mod wire;

#[cfg(test)]
pub(crate) mod fake;

pub use settings::{BadSetting, OpenBaoAuth, OpenBaoFile, OpenBaoSettings, Surroundings};
pub use store::{OpenBaoStore, TIMED_OUT};
pub use wire::Ready;

/// The companion that speaks to the server.
pub const PROGRAM: &str = "mailcred-openbao";

//! pass, the standard unix password manager, as a store: each secret is a
//! pass entry `PREFIX/ID` in the password store folder, encrypted by pass
//! to the recipients of its `.gpg-id` (one key, or a team's several), so
//! that `pass show PREFIX/ID` prints the password first (see [`entry`]).
//!
//! mailcred runs the `pass` program rather than gpg itself: pass finds the
//! recipients (per folder `.gpg-id`), signs nothing we would get wrong,
//! and commits to the store's git repository when it has one. Secrets go
//! only through pass's stdin and stdout. The index and the accounts live
//! in the password store too, as plain JSON beside the entries
//! ([`PassFolder`]: `<dir>/<prefix>/.mailcred/`), so that a store shared
//! through git carries them.
//!
//! pass takes no lock, and gpg writes its output file in place: every
//! write and delete holds an exclusive `flock` on the password store
//! folder (reads a shared one), so that processes of mailcred never see
//! one another's half-written files, and two commits never race for git's
//! index lock.

#[cfg(target_os = "linux")]
mod entry;
#[cfg(target_os = "linux")]
mod folder;
#[cfg(target_os = "linux")]
mod run;
mod settings;
#[cfg(target_os = "linux")]
mod store;

#[cfg(target_os = "linux")]
pub use folder::PassFolder;
pub use settings::PassSettings;
#[cfg(target_os = "linux")]
pub use store::PassStore;

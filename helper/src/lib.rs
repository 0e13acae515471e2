//! mailcred keeps mail app passwords in the OS keyring and serves them over
//! stdin/stdout to git send-email (as a git credential helper), msmtp and
//! neomutt.
//!
//! Three layers, kept apart:
//! - [`protocol`]: the git credential wire format, pure parse/serialise;
//! - [`store`] and [`vault`]: where secrets live, behind a trait of our own;
//! - [`commands`]: thin functions joining the two; [`cli`] parses arguments;
//! - [`oauth`]: where an OAuth2 account's tokens come from (the companion
//!   `mailcred-oauth`, run only when a token must be fetched).

pub mod assets;
pub mod cli;
pub mod commands;
pub mod external;
pub mod guided;
pub mod oauth;
pub mod secret_input;
pub mod settings;
pub mod store;
pub mod vault;

// The core's modules, at the paths they have always had here.
pub use mailcred_core::{accounts, exit, harden, private_files, protocol, terminal};

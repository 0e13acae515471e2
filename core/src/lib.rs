//! The dependency-light core of mailcred, shared by the helper (`mailcred`,
//! `git-credential-mailcred`) and the `mailcred-lettre` plugin:
//!
//! - [`protocol`]: the git credential wire format, pure parse/serialise;
//! - [`accounts`]: mail accounts, their presets, their file and the one
//!   typed lookup every program asks;
//! - [`exit`]: the one exit-status table of every mailcred binary;
//! - [`smtp_options`]: the command lines of `mailcred test` and `mailcred
//!   send`, as data that the plugin parses by and the helper documents;
//! - [`private_files`] and [`harden`]: 0600 files replaced atomically under a
//!   lock, and a process that cannot be dumped.
//!
//! It has no CLI parser, no prompt and no keyring or D-Bus code, so a
//! library user of mailcred-lettre compiles none of them.

pub mod accounts;
pub mod app_dirs;
pub mod exit;
pub mod harden;
pub mod private_files;
pub mod protocol;
pub mod shared_store;
pub mod smtp_options;
pub mod terminal;

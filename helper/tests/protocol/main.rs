//! In-process tests of the git credential protocol (`commands::git::run`),
//! driven by transcripts: `tests/fixtures/git/*.txt`, one per rule, in the
//! format described by `tests/fixtures/README.md`.
//!
//! - [`git`]: one test per transcript, plus the few rules a transcript
//!   cannot set up;
//! - [`accounts`]: the mail account commands (`add`, `get`, `neomutt`,
//!   `list`, `show`, `config`, `set-password`, `remove`) and git's helper
//!   meeting an account's credential;
//! - [`oauth`]: OAuth2 accounts against a fake identity provider;
//! - [`layout`]: the storage layout of format 1, kept as fixture files;
//! - [`migration`]: those files migrated to format 2 by the next change;
//! - [`replay`]: runs a transcript against an in-memory store;
//! - [`transcript`]: reads the fixture format;
//! - [`debug_output`]: `Debug` of everything near a secret shows none of it;
//! - [`fuzz_inputs`]: the fuzz targets' checks on the kept corpus and regressions;
//! - [`import`]: `mailcred import` of each program's files.
//! - [`shared_store`]: machines sharing a store that keeps the index and accounts.

mod accounts;
mod debug_output;
mod fuzz_inputs;
mod git;
mod import;
mod layout;
mod migration;
mod oauth;
mod replay;
mod shared_store;
mod transcript;

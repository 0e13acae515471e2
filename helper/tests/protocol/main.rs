//! In-process tests of the git credential protocol (`commands::git::run`),
//! driven by transcripts: `tests/fixtures/git/*.txt`, one per rule, in the
//! format described by `tests/fixtures/README.md`.
//!
//! - [`git`]: one test per transcript, plus the few rules a transcript
//!   cannot set up;
//! - [`replay`]: runs a transcript against an in-memory store;
//! - [`transcript`]: reads the fixture format.

mod git;
mod replay;
mod transcript;

//! mailcred-lettre: a lettre SMTP transport whose credentials come from the
//! mailcred helper. Only the skeleton exists so far; see the project issues.

/// lettre's credentials type, re-exported so users of this crate need not
/// depend on lettre directly for it.
pub use lettre::transport::smtp::authentication::Credentials;

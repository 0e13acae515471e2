//! Exit statuses, after sysexits(3), so scripts can tell failures apart.
//!
//! | status | meaning |
//! | --- | --- |
//! | 0 | success (including "no credential found" for git's `get`) |
//! | 2 | bad command line |
//! | 64 | arguments that parse but cannot be used (custom provider without --host, refused provider, no confirmation) |
//! | 65 | the request on stdin was refused (bare CR, NUL, malformed, too large, unscoped erase) |
//! | 66 | no such mail account (or, for `neomutt`, none or several match) |
//! | 67 | the account has no stored password |
//! | 69 | the keyring is unavailable: no session bus, or no Secret Service on it |
//! | 70 | the keyring failed in an unexpected way |
//! | 73 | an account by that name, or for that server, port and user, already exists |
//! | 74 | a file could not be read or written |
//! | 75 | the keyring is locked: unlock it and retry |
//! | 76 | stored data is damaged (index file, keyring item) |
//! | 78 | configuration error (unknown store, no default collection) |

/// Bad command line (clap's own status).
pub const USAGE: u8 = 2;
/// Arguments that parse but cannot be used.
pub const BAD_ARGUMENTS: u8 = 64;
/// The request on stdin was refused.
pub const REFUSED_INPUT: u8 = 65;
/// No such account.
pub const NO_ACCOUNT: u8 = 66;
/// The account has no stored password.
pub const NO_PASSWORD: u8 = 67;
/// The account (or one for its server, port and user) already exists.
pub const EXISTS: u8 = 73;
/// The keyring is not reachable.
pub const UNAVAILABLE: u8 = 69;
/// The keyring failed unexpectedly.
pub const SOFTWARE: u8 = 70;
/// A file could not be read or written.
pub const IO_ERROR: u8 = 74;
/// The keyring is locked.
pub const LOCKED: u8 = 75;
/// Stored data is damaged.
pub const DATA_DAMAGED: u8 = 76;
/// Configuration error.
pub const CONFIG: u8 = 78;

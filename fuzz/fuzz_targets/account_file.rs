//! cargo-fuzz target: see `checks/account_file.rs` for what is checked.
#![no_main]

#[path = "../checks/account_file.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check::check(data));

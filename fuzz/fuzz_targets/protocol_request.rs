//! cargo-fuzz target: see `checks/protocol_request.rs` for what is checked.
#![no_main]

#[path = "../checks/protocol_request.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check::check(data));

//! cargo-fuzz target: see `checks/neomutt_args.rs` for what is checked.
#![no_main]

#[path = "../checks/neomutt_args.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check::check(data));

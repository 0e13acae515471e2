//! `mailcred-oauth login|refresh` (work in progress).

fn main() {}

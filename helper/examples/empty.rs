//! An empty program, built with mailcred's release profile: the floor that
//! `bench/secret-service-get` compares mailcred's process start and memory with.

fn main() {}

//! `store-conformance STORE`: the store conformance suite against the
//! compiled-in store STORE (see `mailcred::store::conformance::runner`),
//! built for any target: the Windows tests cross-build it and run it under
//! Wine against Credential Manager. Needs the `conformance` feature.

fn main() -> std::process::ExitCode {
    mailcred::store::conformance::runner::main(std::env::args().skip(1))
}

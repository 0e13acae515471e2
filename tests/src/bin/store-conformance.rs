//! `store-conformance STORE`: mailcred's store conformance suite against
//! the compiled-in store STORE (see `mailcred::store::conformance::runner`).

fn main() -> std::process::ExitCode {
    mailcred::store::conformance::runner::main(std::env::args().skip(1))
}

//! `store-conformance STORE`: runs mailcred's store conformance suite
//! (`mailcred::store::conformance`) against the compiled-in store STORE,
//! opened by the store factory with its deadline, in whatever session this
//! process runs in (the end-to-end tests start it in a private keyring
//! session). A process of its own because a store reads its session from
//! the environment (`DBUS_SESSION_BUS_ADDRESS`), which a test must not
//! change under its parallel neighbours.
//!
//! Prints the report on stdout. Exits 0 when every check passed, 1 when one
//! failed, 2 on a bad command line, and 3 when the store cannot be used at
//! all (it cannot be opened, or refuses a first write or delete): a broken
//! environment, told apart so that a test can say so instead of blaming
//! the store.

use std::process::ExitCode;

use mailcred::store::{StoreChoice, StoreConfig, conformance};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [name] = args.as_slice() else {
        eprintln!("usage: store-conformance STORE");
        return ExitCode::from(2);
    };
    let choice = match StoreChoice::compiled_in_by_name(name) {
        Ok(choice) => choice,
        Err(e) => {
            eprintln!("store-conformance: {e}");
            return ExitCode::from(2);
        }
    };
    let config = StoreConfig {
        choice,
        deadline: StoreConfig::DEFAULT_DEADLINE,
    };
    if let Err(why) = probe(&config) {
        println!("UNUSABLE {name}: {why}");
        return ExitCode::from(3);
    }
    let report = conformance::run(&|| config.open());
    print!("{report}");
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Opens the store and writes and deletes one item: what any use needs.
fn probe(config: &StoreConfig) -> Result<(), String> {
    let store = config.open().map_err(|e| format!("cannot open it: {e}"))?;
    let id = format!("conformance-probe-{}", std::process::id());
    store
        .write(
            &id,
            "mailcred: conformance probe (safe to delete)",
            b"probe",
        )
        .map_err(|e| format!("a first write fails: {e}"))?;
    store
        .delete(&id)
        .map_err(|e| format!("a first delete fails: {e}"))
}

//! `store-conformance STORE`: the suite against the compiled-in store STORE,
//! opened by the store factory with its deadline, in whatever session the
//! process runs in. A process of its own because a store reads its session
//! from the environment (`DBUS_SESSION_BUS_ADDRESS`), which a test must not
//! change under its parallel neighbours; and one that cross-builds, so that
//! the Windows tests run it under Wine against Credential Manager. The
//! end-to-end crate's `store-conformance` binary (Linux) and the example of
//! that name (any platform) are this function.
//!
//! Prints the report on stdout. Exits 0 when every check passed, 1 when one
//! failed, 2 on a bad command line, and 3 when the store cannot be used at
//! all (it cannot be opened, or refuses a first write or delete): a broken
//! environment, told apart so that a test can say so instead of blaming
//! the store.

use std::process::ExitCode;

use crate::store::{StoreChoice, StoreConfig};

/// What Wine 8's Credential Manager cannot do, and Windows does: threads
/// of one process writing one credential at once make it fail (Windows
/// error 2), crash or hang the process. mailcred never does that (one
/// call at a time, and a fresh id for every write); writes from several
/// processes at once, which users do, the Windows tests check instead.
const WINE_CANNOT: &[(&str, &str)] = &[
    (
        "threads writing one id leave one whole value",
        "Wine 8's Credential Manager fails, crashes or hangs when threads of one process write one credential at once",
    ),
    (
        "threads writing long secrets to one id leave one whole value",
        "Wine 8's Credential Manager fails, crashes or hangs when threads of one process write one credential at once",
    ),
];

/// Runs the suite for the store named in `args`: `STORE [--under-wine]`,
/// where `--under-wine` leaves out what Wine cannot do ([`WINE_CANNOT`]).
pub fn main(args: impl Iterator<Item = String>) -> ExitCode {
    let args: Vec<String> = args.collect();
    let (name, excused) = match args.as_slice() {
        [name] => (name, &[][..]),
        [name, flag] if flag == "--under-wine" => (name, WINE_CANNOT),
        _ => {
            eprintln!("usage: store-conformance STORE [--under-wine]");
            return ExitCode::from(2);
        }
    };
    let choice = match StoreChoice::compiled_in_by_name(name) {
        Ok(choice) => choice,
        Err(e) => {
            eprintln!("store-conformance: {e}");
            return ExitCode::from(2);
        }
    };
    let config = StoreConfig::new(choice, StoreConfig::DEFAULT_DEADLINE);
    if let Err(why) = probe(&config) {
        println!("UNUSABLE {name}: {why}");
        return ExitCode::from(3);
    }
    let report = super::run_except(&|| config.open(), excused);
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

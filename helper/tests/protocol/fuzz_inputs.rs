//! The fuzz targets' checks (`fuzz/checks/*.rs`), replayed on every input
//! kept in the tree: the seed corpus (`fuzz/corpus/TARGET`) and the inputs
//! that once failed (`fuzz/regressions/TARGET`). The fuzzing itself runs off
//! the test run, with nightly (see `fuzz/README.md`); this keeps what it
//! found fixed.

use std::path::{Path, PathBuf};

#[path = "../../../fuzz/checks/account_file.rs"]
mod account_file;
#[cfg(unix)]
#[path = "../../../fuzz/checks/neomutt_args.rs"]
mod neomutt_args;
#[path = "../../../fuzz/checks/protocol_request.rs"]
mod protocol_request;

/// Every file kept for `target`, corpus and regressions alike.
fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut files: Vec<PathBuf> = ["corpus", "regressions"]
        .iter()
        .filter_map(|kind| std::fs::read_dir(fuzz.join(kind).join(target)).ok())
        .flatten()
        .map(|entry| entry.expect("a readable fuzz input folder").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "the seed corpus of {target} is missing from fuzz/corpus/{target}"
    );
    files
}

/// Runs `check` on every kept input of `target`, naming the file that fails.
fn replay(target: &str, check: fn(&[u8])) {
    for path in inputs(target) {
        let data = std::fs::read(&path).expect("a readable fuzz input");
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            panic!(
                "the {target} check fails on {}: reproduce with \
                 `cd fuzz && cargo +nightly fuzz run {target} {}`",
                path.display(),
                path.display()
            );
        }
    }
}

#[test]
fn every_kept_protocol_request_input_passes_the_fuzz_check() {
    replay("protocol_request", protocol_request::check);
}

#[cfg(unix)]
#[test]
fn every_kept_neomutt_args_input_passes_the_fuzz_check() {
    replay("neomutt_args", neomutt_args::check);
}

#[test]
fn every_kept_account_file_input_passes_the_fuzz_check() {
    replay("account_file", account_file::check);
}

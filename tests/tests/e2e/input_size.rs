//! Endless input: a helper fed hundreds of megabytes on stdin reads at most
//! `MAX_REQUEST_BYTES` (1 MiB) of it, keeps its memory bounded, and refuses
//! with one clear line. Peak memory is measured by GNU time (`%M`, the
//! maximum resident set size from wait4(2)).

use std::io::Write;
use std::process::{Command, Stdio};
use std::thread;

use mailcred::protocol::MAX_REQUEST_BYTES;

use super::*;

/// What the flood offers: 300 MiB, far past any bound worth having.
const FLOOD_BYTES: usize = 300 << 20;
/// How much more than a small request the flood may cost at most: the
/// request buffer (up to the cap), the copy made when it last grew (half
/// that), the read chunk, and allocator slack.
const ALLOWED_GROWTH_KIB: u64 = 4 * 1024;

/// What a measured run did.
struct Measured {
    outcome: Outcome,
    /// Peak resident set size in KiB.
    peak_kib: u64,
    /// How many bytes the helper let us write before it stopped reading.
    accepted: usize,
}

/// Runs `binary ARGS` under GNU time, offering `offered` bytes of `line`
/// repeated on stdin (stopping when the helper closes its end).
fn measured(
    session: &KeyringSession,
    binary: &str,
    args: &[&str],
    line: &[u8],
    offered: usize,
) -> Measured {
    require("time", "time");
    let report = tempfile::NamedTempFile::new().expect("a file for GNU time's report");
    let mut command: Command = session.command("time");
    command
        .args(["-f", "%M", "-o"])
        .arg(report.path())
        .arg(bin(binary))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("cannot start GNU time");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let line = line.to_vec();
    let writer = thread::spawn(move || {
        let block: Vec<u8> = line.iter().copied().cycle().take(1 << 20).collect();
        let mut written = 0;
        while written < offered {
            let n = block.len().min(offered - written);
            if stdin.write_all(&block[..n]).is_err() {
                break; // the helper stopped reading: the point of the test
            }
            written += n;
        }
        written
    });
    let output = child.wait_with_output().expect("cannot wait for GNU time");
    let accepted = writer.join().expect("the writer thread");
    let text = std::fs::read_to_string(report.path()).expect("GNU time's report");
    // On failure GNU time puts "Command exited with non-zero status N" first.
    let peak_kib = text
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("GNU time's report has no peak RSS: {text:?}"));
    Measured {
        outcome: Outcome {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        },
        peak_kib,
        accepted,
    }
}

#[test]
fn get_fed_hundreds_of_megabytes_stays_within_its_bound_and_refuses_the_request() {
    let session = KeyringSession::start();
    approve(&session, ALICE);

    let small = measured(
        &session,
        HELPER,
        &["get"],
        ASK_SERVER.as_bytes(),
        ASK_SERVER.len(),
    );
    assert_eq!(
        small.outcome.stdout, ANSWER_ALICE,
        "the baseline get should answer:\n{}",
        small.outcome
    );

    for (what, line) in [
        ("one endless line", &b"x"[..]),
        (
            "endless key=value lines",
            &b"wwwauth[]=Basic realm=\"flood\"\n"[..],
        ),
    ] {
        let flood = measured(&session, HELPER, &["get"], line, FLOOD_BYTES);
        eprintln!(
            "{what}: peak RSS {} KiB for a small get, {} KiB fed {} MiB (helper took {} KiB before refusing)",
            small.peak_kib,
            flood.peak_kib,
            FLOOD_BYTES >> 20,
            flood.accepted >> 10
        );
        assert_fails_cleanly(
            &flood.outcome,
            REFUSED_INPUT,
            &format!("refusing a credential request larger than {MAX_REQUEST_BYTES} bytes"),
        );
        assert!(
            flood.peak_kib <= small.peak_kib + ALLOWED_GROWTH_KIB,
            "{what}: peak RSS grew from {} KiB to {} KiB, more than the {ALLOWED_GROWTH_KIB} KiB \
             the 1 MiB request cap allows",
            small.peak_kib,
            flood.peak_kib
        );
        assert!(
            flood.accepted < FLOOD_BYTES / 10,
            "{what}: the helper read {} bytes instead of stopping near the cap",
            flood.accepted
        );
    }
}

#[test]
fn add_fed_hundreds_of_megabytes_as_a_password_refuses_without_growing() {
    let session = KeyringSession::start();
    let flood = measured(&session, MAILCRED, ADD_WORK_FROM_STDIN, b"p", FLOOD_BYTES);
    let small = measured(&session, MAILCRED, &["list"], b"", 0);
    eprintln!(
        "add --password-stdin: peak RSS {} KiB for list, {} KiB fed {} MiB",
        small.peak_kib,
        flood.peak_kib,
        FLOOD_BYTES >> 20
    );
    assert_eq!(
        flood.outcome.code,
        Some(REFUSED_INPUT),
        "an endless password line should be refused:\n{}",
        flood.outcome
    );
    assert!(
        flood.outcome.stderr.contains("longer than 4096 bytes"),
        "the refusal should say why:\n{}",
        flood.outcome
    );
    assert!(
        flood.peak_kib <= small.peak_kib + ALLOWED_GROWTH_KIB,
        "peak RSS grew from {} KiB to {} KiB",
        small.peak_kib,
        flood.peak_kib
    );
    let listed = mailcred(&session, MAILCRED, &["list", "--json"], "");
    assert_eq!(
        listed.stdout.trim(),
        "[]",
        "a refused add must leave no account behind:\n{listed}"
    );
}

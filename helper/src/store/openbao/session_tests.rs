//! The session against stand-in companions: shell scripts, run as the
//! real program is (spawned, pipes, killed).

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use super::*;
use crate::commands::store_exit_code;
use crate::exit;

/// A stand-in companion: `script` run by sh in `dir`; every start of it
/// appends a line to `dir/starts`.
fn companion(dir: &Path, script: &str) -> PathBuf {
    let path = dir.join(PROGRAM);
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\ncd '{}' || exit 70\necho $$ >> starts\n{script}\n",
            dir.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn session(program: PathBuf, patience: Duration) -> Session {
    Session::over(
        move || spawn(&program),
        b"{\"config\":1}\n".to_vec(),
        patience,
    )
}

fn starts(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("starts"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

const PATIENT: Duration = Duration::from_secs(30);

/// Reads the config line into `config`, then answers every request
/// `{"deleted":{}}`, logging it to `requests`.
const ECHO: &str = r#"read -r config; printf '%s\n' "$config" > config
while read -r line; do printf '%s\n' "$line" >> requests; printf '{"deleted":{}}\n'; done"#;

#[test]
fn the_companion_starts_on_the_first_call_gets_the_config_first_and_serves_every_call() {
    let dir = tempfile::tempdir().unwrap();
    let session = session(companion(dir.path(), ECHO), PATIENT);
    assert!(
        starts(dir.path()).is_empty(),
        "nothing runs before a call needs the server"
    );
    for key in ["a", "b", "c"] {
        assert!(matches!(
            session.ask(wire::delete(key)).unwrap(),
            Answer::Deleted
        ));
    }
    assert_eq!(
        starts(dir.path()).len(),
        1,
        "one companion serves the process"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("config")).unwrap(),
        "{\"config\":1}\n"
    );
    let requests = std::fs::read_to_string(dir.path().join("requests")).unwrap();
    assert_eq!(requests.lines().count(), 3, "{requests}");
    assert!(
        requests.starts_with(r#"{"op":"delete","key":"a"}"#),
        "{requests}"
    );
}

#[test]
fn a_secret_too_large_for_a_pipe_still_gets_through() {
    let dir = tempfile::tempdir().unwrap();
    let session = session(companion(dir.path(), ECHO), PATIENT);
    let secret = vec![b'x'; 200 << 10];
    session
        .ask(wire::write("secrets/big", "l", &secret, None))
        .expect("a write larger than a pipe's buffer is answered");
}

#[test]
fn a_garbage_answer_is_a_protocol_error_and_the_next_call_starts_a_new_companion() {
    let dir = tempfile::tempdir().unwrap();
    let session = session(
        companion(
            dir.path(),
            "read -r config; while read -r line; do echo hello; done",
        ),
        PATIENT,
    );
    let error = session.ask(wire::read("a")).unwrap_err();
    assert_eq!(store_exit_code(&error), exit::PROTOCOL, "{error}");
    assert!(
        error.to_string().contains(PROGRAM),
        "the message names the program that broke the protocol: {error}"
    );
    let _ = session.ask(wire::read("a"));
    assert_eq!(
        starts(dir.path()).len(),
        2,
        "a companion out of step is not asked again"
    );
}

#[test]
fn an_answer_longer_than_any_is_refused_without_reading_it_all() {
    let dir = tempfile::tempdir().unwrap();
    let session = session(
        companion(
            dir.path(),
            "read -r config; read -r line; yes x | tr -d '\\n'",
        ),
        PATIENT,
    );
    let error = session.ask(wire::read("a")).unwrap_err();
    assert!(
        matches!(error, StoreError::BadAnswer { .. }),
        "an endless line must end in a refusal, got {error}"
    );
}

#[test]
fn a_companion_that_exits_without_answering_is_a_failure_naming_its_status() {
    let dir = tempfile::tempdir().unwrap();
    let session = session(
        companion(dir.path(), "read -r config; read -r line; exit 3"),
        PATIENT,
    );
    let error = session.ask(wire::read("a")).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("exited with status 3 without answering"),
        "the failure says how the companion ended: {error}"
    );
    assert_eq!(store_exit_code(&error), exit::SOFTWARE);
}

#[test]
fn a_companion_that_never_answers_is_stopped_at_the_sessions_patience() {
    let dir = tempfile::tempdir().unwrap();
    let session = session(
        companion(dir.path(), "read -r config; read -r line; exec sleep 600"),
        Duration::from_millis(300),
    );
    let error = session.ask(wire::read("a")).unwrap_err();
    assert!(
        matches!(error, StoreError::TimedOut { .. }),
        "a call must be bounded, got {error}"
    );
    let pid = &starts(dir.path())[0];
    let alive = std::process::Command::new("kill")
        .args(["-0", pid])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(
        !alive.success(),
        "the stuck companion {pid} was killed and reaped, not left behind"
    );
}

#[test]
fn a_bad_configuration_is_told_on_every_call_from_a_new_companion() {
    let dir = tempfile::tempdir().unwrap();
    let session = session(
        companion(
            dir.path(),
            r#"read -r config; read -r line
printf '{"error":{"kind":"bad_config","message":"plain http:// to bao.example is refused: use https"}}\n'"#,
        ),
        PATIENT,
    );
    for _ in 0..2 {
        let Answer::Failed(failure) = session.ask(wire::read("a")).unwrap() else {
            panic!("a bad configuration is an error answer");
        };
        assert_eq!(failure.kind, "bad_config");
    }
    assert_eq!(
        starts(dir.path()).len(),
        2,
        "the companion exits after bad_config, so each call hears it from a new one"
    );
}

#[test]
fn a_program_that_cannot_run_is_a_failure_naming_it() {
    let session = session(PathBuf::from("/nonexistent/mailcred-openbao"), PATIENT);
    let error = session.ask(wire::read("a")).unwrap_err();
    assert!(
        error.to_string().contains("/nonexistent/mailcred-openbao"),
        "{error}"
    );
}

//! Token hygiene, as [`crate::hygiene`] checks it for app passwords: an
//! OAuth2 account's refresh token and access tokens turn up only on the
//! stdout of the command whose job is to print one (`mailcred get`) —
//! never in the argv or environment of any process while a refresh is in
//! flight (mailcred, mailcred-oauth), in a file under the account's home,
//! on stderr, or in `show`/`list`.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use mailcred_e2e::{finish, start};
use serde_json::json;

use super::*;

/// The refresh token the provider was last sent, once a refresh has
/// reached it (from idp.py's record of the requests).
fn refresh_token_in_flight(account: &OAuthAccount, before: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let requests = account.idp.requests();
        if let Some(token) = requests.iter().skip(before).find_map(|r| {
            (r["params"]["grant_type"] == "refresh_token")
                .then(|| r["params"]["refresh_token"].as_str().map(str::to_owned))
                .flatten()
        }) {
            return token;
        }
        assert!(
            Instant::now() < deadline,
            "the refresh never reached the provider"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Every process's argv and environment that can be read, as one text per
/// process (`PID: …`).
fn every_process_argv_and_environment() -> Vec<String> {
    let mut seen = Vec::new();
    for entry in fs::read_dir("/proc").expect("/proc is there").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let mut text = format!("{name}:");
        for part in ["cmdline", "environ"] {
            match fs::read(entry.path().join(part)) {
                Ok(bytes) => text.push_str(&String::from_utf8_lossy(&bytes).replace('\0', " ")),
                Err(_) => text.push_str(&format!(" <{part} unreadable>")),
            }
        }
        seen.push(text);
    }
    seen
}

/// Every file under `dir`, with its contents (lossy).
fn files_with_contents(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_with_contents(&path));
        } else if let Ok(bytes) = fs::read(&path) {
            found.push((
                path.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
    found
}

#[test]
fn tokens_turn_up_only_on_the_stdout_of_get_never_in_argv_environment_files_or_messages() {
    // Tokens of one second are always stale: every get refreshes.
    let account = OAuthAccount::signed_in(1);
    let first_access = account.token();

    // A slow token endpoint holds the next refresh in flight while every
    // process is looked at.
    account.idp.control(json!({ "token_delay_ms": 1500 }));
    let before = account.idp.requests().len();
    let get = start(
        account.command(MAILCRED, &["get".into(), ACCOUNT.into()]),
        b"",
    );
    let refresh_token = refresh_token_in_flight(&account, before);
    let processes = every_process_argv_and_environment();
    let got = finish(get);
    account.idp.control(json!({ "token_delay_ms": 0 }));
    assert!(got.success(), "the refresh in flight finishes:\n{got}");
    let second_access = got.stdout.trim_end().to_owned();
    assert!(
        account.idp.is_active(&second_access),
        "it printed a token the provider issued:\n{got}"
    );
    let companion: Vec<&String> = processes
        .iter()
        .filter(|p| p.contains("mailcred-oauth"))
        .collect();
    assert!(
        !companion.is_empty(),
        "the control: the refresh was caught in flight, its companion running:\n{}",
        processes.join("\n")
    );
    assert!(
        companion
            .iter()
            .all(|p| !p.contains("<environ unreadable>")),
        "the companion's environment must be readable to be checked (a non-dumpable \
         process's /proc files are root's: run the tests as root, as scripts/test does)"
    );

    let tokens = [
        ("the refresh token", refresh_token.as_str()),
        ("the first access token", first_access.as_str()),
        ("the second access token", second_access.as_str()),
    ];
    for (what, token) in tokens {
        assert!(token.len() > 20, "{what} is a real token, not a blank");
        for process in &processes {
            assert!(
                !process.contains(token),
                "{what} must not be in any process's argv or environment:\n{}",
                process.chars().take(300).collect::<String>()
            );
        }
        for (file, contents) in files_with_contents(&account.session.home()) {
            assert!(
                !contents.contains(token),
                "{what} must not be in a file ({file}): tokens live in the keyring only"
            );
        }
        assert!(
            !got.stderr.contains(token),
            "{what} must not be on stderr:\n{}",
            got.stderr
        );
    }

    for args in [
        vec!["show", ACCOUNT],
        vec!["show", ACCOUNT, "--json"],
        vec!["list"],
        vec!["list", "--json"],
    ] {
        let args: Vec<String> = args.into_iter().map(String::from).collect();
        let shown = account.mailcred(&args, "");
        assert!(shown.success(), "mailcred {args:?}:\n{shown}");
        for (what, token) in tokens {
            assert!(
                !shown.stdout.contains(token) && !shown.stderr.contains(token),
                "mailcred {args:?} must not show {what}"
            );
        }
    }
}

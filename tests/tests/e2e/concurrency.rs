//! Races: many helpers and account commands at once on one keyring, one
//! index and one account file. Whatever the interleaving, a `get` answers
//! nothing or the right password, never another user's, and the account
//! file stays valid JSON holding exactly the accounts that should survive.

use std::collections::BTreeSet;

use mailcred_e2e::{finish, start};

use super::*;

const RACERS: usize = 32;
const ACCOUNTS_EACH: usize = 8;

fn user(n: usize) -> String {
    format!("racer{n:02}")
}

fn password(n: usize) -> String {
    format!("racer{n:02}-app-password")
}

fn ask(n: usize) -> String {
    format!(
        "protocol=smtp\nhost=smtp.example.com:587\nusername={}\n",
        user(n)
    )
}

#[test]
fn thirty_two_stores_interleaved_with_thirty_two_gets_never_cross_users() {
    let session = KeyringSession::start();

    // Started all before any is waited for: store n, then a get for n and
    // one for a user whose store may or may not have landed yet.
    let mut running = Vec::new();
    for n in 0..RACERS {
        let request = format!("{}password={}\n", ask(n), password(n));
        running.push(("store", n, start_helper(&session, "store", &request)));
        let asked = (n * 7 + 3) % RACERS;
        running.push(("get", asked, start_helper(&session, "get", &ask(asked))));
    }
    for (action, n, process) in running {
        let outcome = finish(process);
        assert!(
            outcome.success() && outcome.stderr.is_empty(),
            "the concurrent {action} for {} should succeed silently:\n{outcome}",
            user(n)
        );
        if action == "get" {
            let right = format!("username={}\npassword={}\n", user(n), password(n));
            assert!(
                outcome.stdout.is_empty() || outcome.stdout == right,
                "a get for {} must answer nothing or {}'s own password:\n{outcome}",
                user(n),
                user(n)
            );
        }
    }

    for n in 0..RACERS {
        let answer = helper(&session, "get", &ask(n));
        assert_eq!(
            answer.stdout,
            format!("username={}\npassword={}\n", user(n), password(n)),
            "every store of the race should be served afterwards:\n{answer}"
        );
    }
    // A get naming no user answers one of them, with that user's password.
    let any = helper(
        &session,
        "get",
        "protocol=smtp\nhost=smtp.example.com:587\n",
    );
    let n: usize = any
        .stdout
        .strip_prefix("username=racer")
        .and_then(|rest| rest.get(..2))
        .and_then(|digits| digits.parse().ok())
        .unwrap_or_else(|| panic!("a get without username should answer someone:\n{any}"));
    assert_eq!(
        any.stdout,
        format!("username={}\npassword={}\n", user(n), password(n)),
        "{any}"
    );
}

fn start_helper(session: &KeyringSession, action: &str, input: &str) -> mailcred_e2e::Running {
    let mut command = session.command(bin(HELPER));
    command.arg(action);
    start(command, input.as_bytes())
}

fn start_mailcred(session: &KeyringSession, args: &[&str], input: &str) -> mailcred_e2e::Running {
    let mut command = session.command(bin(MAILCRED));
    command.args(args);
    start(command, input.as_bytes())
}

fn add_args(name: &str) -> Vec<String> {
    [
        "add",
        name,
        "--provider",
        "custom",
        "--host",
        "smtp.example.com",
        "--port",
        "587",
        "--user",
        &format!("{name}@example.com"),
        "--password-stdin",
    ]
    .map(String::from)
    .to_vec()
}

fn names(prefix: &str) -> Vec<String> {
    (0..ACCOUNTS_EACH).map(|n| format!("{prefix}{n}")).collect()
}

#[test]
fn parallel_add_remove_and_set_password_keep_the_account_file_exact() {
    let session = KeyringSession::start();
    let (doomed, changed, fresh) = (names("doomed"), names("changed"), names("fresh"));

    // The accounts that exist before the race, added in parallel too.
    let before: Vec<_> = doomed
        .iter()
        .chain(&changed)
        .map(|name| {
            let args = add_args(name);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            start_mailcred(&session, &args, &format!("{name}-first\n"))
        })
        .collect();
    for process in before {
        let added = finish(process);
        assert!(added.success(), "a parallel add should succeed:\n{added}");
    }

    // The race: add fresh ones, remove doomed ones while their passwords
    // are being changed, change the others.
    let mut running = Vec::new();
    for i in 0..ACCOUNTS_EACH {
        let args = add_args(&fresh[i]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        running.push((
            "add",
            fresh[i].clone(),
            start_mailcred(&session, &args, &format!("{}-first\n", fresh[i])),
        ));
        running.push((
            "remove",
            doomed[i].clone(),
            start_mailcred(&session, &["remove", &doomed[i], "--yes"], ""),
        ));
        running.push((
            "set-password (racing remove)",
            doomed[i].clone(),
            start_mailcred(
                &session,
                &["set-password", &doomed[i], "--password-stdin"],
                &format!("{}-second\n", doomed[i]),
            ),
        ));
        running.push((
            "set-password",
            changed[i].clone(),
            start_mailcred(
                &session,
                &["set-password", &changed[i], "--password-stdin"],
                &format!("{}-second\n", changed[i]),
            ),
        ));
    }
    for (what, name, process) in running {
        let outcome = finish(process);
        let lost_the_race = what.contains("racing") && outcome.code == Some(NO_ACCOUNT);
        assert!(
            outcome.success() || lost_the_race,
            "the parallel {what} of {name} should succeed:\n{outcome}"
        );
    }

    let file = session
        .home()
        .parent()
        .expect("the session folder")
        .join("config/mailcred/accounts.json");
    let text = std::fs::read_to_string(&file).expect("the account file");
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("invalid JSON ({e}):\n{text}"));
    let present: BTreeSet<&str> = json["accounts"]
        .as_array()
        .expect("an accounts array")
        .iter()
        .map(|a| a["name"].as_str().expect("a name"))
        .collect();
    let expected: BTreeSet<&str> = changed.iter().chain(&fresh).map(String::as_str).collect();
    assert_eq!(
        present, expected,
        "the account file should hold exactly the surviving accounts:\n{text}"
    );
    assert_eq!(
        json["accounts"].as_array().map(Vec::len),
        Some(expected.len()),
        "no account may be listed twice:\n{text}"
    );

    for name in &changed {
        let got = mailcred(&session, MAILCRED, &["get", name], "");
        assert_eq!(got.stdout, format!("{name}-second\n"), "{got}");
    }
    for name in &fresh {
        let got = mailcred(&session, MAILCRED, &["get", name], "");
        assert_eq!(got.stdout, format!("{name}-first\n"), "{got}");
    }
    for name in &doomed {
        let ask =
            format!("protocol=smtp\nhost=smtp.example.com:587\nusername={name}@example.com\n");
        let answer = helper(&session, "get", &ask);
        assert_eq!(
            (answer.code, answer.stdout.as_str()),
            (Some(0), ""),
            "a removed account's password must be gone, even when set-password raced the \
             removal:\n{answer}"
        );
    }
}

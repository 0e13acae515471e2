//! Secret hygiene: every command run with known secrets, checking where they
//! turn up. Only the stdout of the commands whose job is to print a secret
//! (`git-credential-mailcred get`, `mailcred get`, `mailcred neomutt`) may
//! carry one; never stderr, `list`/`show --json`, an error message, a file
//! on disk, or the argv and environment of a process mailcred starts.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::*;

/// The app password of the mail account, given once on stdin.
const ACCOUNT_SECRET: &str = "hygiene-account-secret-7f9a2c";
/// Its replacement, given to `set-password`.
const NEW_SECRET: &str = "hygiene-new-secret-41d0be";
/// A password git stores for an HTTPS server.
const GIT_SECRET: &str = "hygiene-git-secret-c3e815";
/// A refresh token and an authtype credential git stores with it.
const TOKEN_SECRET: &str = "hygiene-token-secret-9b7d04";
const AUTHTYPE_SECRET: &str = "hygiene-authtype-secret-55ae1f";
/// Secrets only ever offered in refused input.
const REFUSED_SECRET: &str = "hygiene-refused-secret-0d6b93";

const SECRETS: [&str; 6] = [
    ACCOUNT_SECRET,
    NEW_SECRET,
    GIT_SECRET,
    TOKEN_SECRET,
    AUTHTYPE_SECRET,
    REFUSED_SECRET,
];

const ADD_WORK: &[&str] = &[
    "add",
    "work",
    "--provider",
    "custom",
    "--host",
    "smtp.example.com",
    "--port",
    "587",
    "--security",
    "starttls",
    "--user",
    "ann@example.com",
    "--password-stdin",
];

const GIT_STORE: &str = "\
capability[]=authtype
protocol=https
host=git.example.com
username=ann
password=hygiene-git-secret-c3e815
oauth_refresh_token=hygiene-token-secret-9b7d04
authtype=Bearer
credential=hygiene-authtype-secret-55ae1f
";

/// Runs `mailcred ARGS` with `input` and asserts no secret appears in its
/// stderr, and none but `allowed` (for the commands that print one) on its
/// stdout.
fn run_checked(
    session: &KeyringSession,
    binary: &str,
    args: &[&str],
    input: &str,
    allowed: &[&str],
) -> Outcome {
    let outcome = mailcred(session, binary, args, input);
    assert_clean(&outcome, &format!("{binary} {}", args.join(" ")), allowed);
    outcome
}

#[track_caller]
fn assert_clean(outcome: &Outcome, what: &str, allowed: &[&str]) {
    for secret in SECRETS {
        assert!(
            !outcome.stderr.contains(secret),
            "`{what}` printed the secret {secret:?} on stderr:\n{outcome}"
        );
        if !allowed.contains(&secret) {
            assert!(
                !outcome.stdout.contains(secret),
                "`{what}` printed the secret {secret:?} on stdout, which is not its job:\n{outcome}"
            );
        }
    }
    assert!(
        !outcome.stderr.contains("panicked"),
        "`{what}` panicked:\n{outcome}"
    );
}

/// Every regular file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            files.extend(files_under(&path));
        } else if kind.is_file() {
            files.push(path);
        }
    }
    files
}

#[test]
fn a_secret_appears_only_on_the_stdout_of_the_commands_that_print_it() {
    let mut session = KeyringSession::start();
    fn work<'a>(args: &[&'a str]) -> Vec<&'a str> {
        [args, &["work"]].concat()
    }

    // Storing: add, git store, capability.
    let added = run_checked(
        &session,
        MAILCRED,
        ADD_WORK,
        &format!("{ACCOUNT_SECRET}\n"),
        &[],
    );
    assert!(added.success(), "add should succeed:\n{added}");
    let stored = run_checked(&session, HELPER, &["store"], GIT_STORE, &[]);
    assert!(stored.success(), "git store should succeed:\n{stored}");
    run_checked(&session, HELPER, &["capability"], "", &[]);
    run_checked(&session, MAILCRED, &["git", "capability"], "", &[]);

    // The printers print it, and only where asked.
    let got = run_checked(&session, MAILCRED, &work(&["get"]), "", &[ACCOUNT_SECRET]);
    assert_eq!(got.stdout, format!("{ACCOUNT_SECRET}\n"), "{got}");
    let neomutt = run_checked(
        &session,
        MAILCRED,
        &[
            "neomutt",
            "--hostname",
            "smtp.example.com",
            "--type",
            "smtp",
        ],
        "",
        &[ACCOUNT_SECRET],
    );
    assert!(neomutt.stdout.contains(ACCOUNT_SECRET), "{neomutt}");
    let ask_git = "capability[]=authtype\nprotocol=https\nhost=git.example.com\n";
    let git_get = run_checked(
        &session,
        HELPER,
        &["get"],
        ask_git,
        &[GIT_SECRET, TOKEN_SECRET, AUTHTYPE_SECRET],
    );
    assert!(
        git_get.stdout.contains(GIT_SECRET) && git_get.stdout.contains(AUTHTYPE_SECRET),
        "git get should answer with the stored secrets:\n{git_get}"
    );
    let ask_account = "protocol=smtp\nhost=smtp.example.com:587\n";
    let account_get = run_checked(
        &session,
        MAILCRED,
        &["git", "get"],
        ask_account,
        &[ACCOUNT_SECRET],
    );
    assert!(account_get.stdout.contains(ACCOUNT_SECRET), "{account_get}");

    // Everything that describes accounts or the store never shows a secret.
    for args in [
        &["list"][..],
        &["list", "--json"],
        &work(&["show"]),
        &work(&["show", "--json"]),
        &work(&["config", "msmtp"]),
        &work(&["config", "neomutt"]),
        &work(&["config", "git"]),
        &["doctor"],
        &["import"],
        &["--version"],
        &["--help"],
    ] {
        let outcome = run_checked(&session, MAILCRED, args, "", &[]);
        assert!(
            outcome.success(),
            "`mailcred {}` should succeed:\n{outcome}",
            args.join(" ")
        );
    }

    // Error paths, each offered a secret on stdin where it reads one.
    let refused = format!("{REFUSED_SECRET}\n");
    for (args, input) in [
        (&["get", "nosuch"][..], ""),
        (&["show", "nosuch", "--json"], ""),
        (
            &["neomutt", "--hostname", "nowhere.example", "--type", "smtp"],
            "",
        ),
        (ADD_WORK, refused.as_str()),
        (
            &[
                "add",
                "other",
                "--provider",
                "custom",
                "--user",
                "x",
                "--password-stdin",
            ],
            refused.as_str(),
        ),
        (
            &[
                "add",
                "personal",
                "--provider",
                "outlook",
                "--user",
                "x",
                "--password-stdin",
            ],
            refused.as_str(),
        ),
        (
            &["set-password", "nosuch", "--password-stdin"],
            refused.as_str(),
        ),
        (
            &["set-password", "work", "--password-stdin"],
            &format!("{REFUSED_SECRET}\r{REFUSED_SECRET}\n"),
        ),
        (&["set-password", "work", "--password-stdin"], "\n"),
        (&["remove", "work"], ""),
        (&["remove", "nosuch", "--yes"], ""),
        (&["config", "msmtp", "nosuch"], ""),
        (&["configure", "git", "nosuch"], ""),
    ] {
        let outcome = run_checked(&session, MAILCRED, args, input, &[]);
        assert!(
            !outcome.success() && outcome.stdout.is_empty(),
            "`mailcred {}` should fail with nothing on stdout:\n{outcome}",
            args.join(" ")
        );
    }
    for (action, input) in [
        (
            "store",
            format!("protocol=smtp\nhost=h\nusername=u\npassword={REFUSED_SECRET}\rx\n"),
        ),
        (
            "store",
            format!("protocol=smtp\nhost=h\nusername=u\npassword={REFUSED_SECRET}\0x\n"),
        ),
        ("store", format!("protocol=smtp\n{REFUSED_SECRET}\n")),
        ("get", format!("protocol=smtp\nhost={REFUSED_SECRET}\0\n")),
        ("erase", format!("password={REFUSED_SECRET}\n")),
    ] {
        let outcome = run_checked(&session, HELPER, &[action], &input, &[]);
        assert!(
            !outcome.success() && outcome.stdout.is_empty(),
            "a refused `{action}` should fail with nothing on stdout:\n{outcome}"
        );
    }
    let not_utf8 = run(
        {
            let mut c = session.command(bin(HELPER));
            c.arg("store");
            c
        },
        &[
            b"protocol=smtp\nhost=h\nusername=u\npassword=",
            REFUSED_SECRET.as_bytes(),
            b"\xff\n",
        ]
        .concat(),
    );
    assert_clean(&not_utf8, "store with a password that is not UTF-8", &[]);
    assert!(!not_utf8.success(), "{not_utf8}");

    // Keyring faults with secrets in flight.
    session.lock();
    for (binary, args, input) in [
        (MAILCRED, &["get", "work"][..], String::new()),
        (
            MAILCRED,
            &["set-password", "work", "--password-stdin"],
            refused.clone(),
        ),
        (HELPER, &["get"], ask_account.to_owned()),
        (
            HELPER,
            &["store"],
            format!("protocol=smtp\nhost=h\nusername=u\npassword={REFUSED_SECRET}\n"),
        ),
        (
            HELPER,
            &["erase"],
            format!("{ask_account}password={ACCOUNT_SECRET}\n"),
        ),
    ] {
        let outcome = run_checked(&session, binary, args, &input, &[]);
        assert_eq!(
            outcome.code,
            Some(KEYRING_LOCKED),
            "with the keyring locked, `{binary} {}` should fail as locked:\n{outcome}",
            args.join(" ")
        );
    }
    session.unlock();

    // Changing and removing.
    let changed = run_checked(
        &session,
        MAILCRED,
        &["set-password", "work", "--password-stdin"],
        &format!("{NEW_SECRET}\n"),
        &[],
    );
    assert!(changed.success(), "{changed}");
    let got = run_checked(&session, MAILCRED, &work(&["get"]), "", &[NEW_SECRET]);
    assert_eq!(got.stdout, format!("{NEW_SECRET}\n"), "{got}");
    let erase_git = format!("protocol=https\nhost=git.example.com\npassword={GIT_SECRET}\n");
    let erased = run_checked(&session, HELPER, &["erase"], &erase_git, &[]);
    assert!(erased.success() && erased.stderr.is_empty(), "{erased}");
    let kept = run_checked(
        &session,
        HELPER,
        &["erase"],
        &format!("{ask_account}password={NEW_SECRET}\n"),
        &[],
    );
    assert!(
        kept.success() && kept.stderr.contains("kept the password"),
        "{kept}"
    );

    // Nothing on disk holds a secret in clear: not the index, not the
    // account file, not git's config, not the keyring's own files.
    let root = session
        .home()
        .parent()
        .expect("the session folder")
        .to_owned();
    for file in files_under(&root) {
        let bytes = fs::read(&file).unwrap_or_default();
        for secret in SECRETS {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds the secret {secret:?} in clear",
                file.display()
            );
        }
    }

    let removed = run_checked(&session, MAILCRED, &["remove", "work", "--yes"], "", &[]);
    assert!(removed.success(), "{removed}");
}

#[test]
fn configure_git_passes_no_secret_to_git_in_argv_or_environment() {
    let session = KeyringSession::start();
    let added = run_checked(
        &session,
        MAILCRED,
        ADD_WORK,
        &format!("{ACCOUNT_SECRET}\n"),
        &[],
    );
    assert!(added.success(), "{added}");

    // A `git` first on PATH that records its argv and environment.
    let fake = session.home().join("fake-bin");
    fs::create_dir(&fake).expect("a folder for the fake git");
    let record = session.home().join("git-calls");
    let script = fake.join("git");
    fs::write(
        &script,
        format!(
            "#!/bin/sh\n{{ printf 'argv:'; printf ' %s' \"$@\"; printf '\\n'; env; printf -- '--\\n'; }} >> '{}'\n",
            record.display()
        ),
    )
    .expect("the fake git");
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).expect("chmod the fake git");

    let mut configure = session.command(bin(MAILCRED));
    configure
        .args(["configure", "git", "work"])
        // The session's clean environment: whatever secret git sees, mailcred put there.
        .env(
            "PATH",
            format!(
                "{}:{}",
                fake.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        );
    let configured = run(configure, b"");
    assert_clean(&configured, "mailcred configure git work", &[]);
    assert!(configured.success(), "{configured}");

    let calls = fs::read_to_string(&record).expect("mailcred configure git should run git");
    assert!(
        calls.contains("argv: config --global sendemail.smtpUser ann@example.com"),
        "the fake git should have seen the settings:\n{calls}"
    );
    for secret in SECRETS {
        assert!(
            !calls.contains(secret),
            "git was started with a secret in its argv or environment:\n{calls}"
        );
    }
}

/// The owner of `/proc/PID/environ` once `pid` runs `program` and waits on
/// stdin: the kernel gives the files under a non-dumpable process's
/// `/proc/PID` to root (the folder itself keeps the process's user).
fn proc_owner_once_waiting(pid: u32, program: &Path) -> u32 {
    use std::os::unix::fs::MetadataExt;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let exe = fs::read_link(format!("/proc/{pid}/exe")).ok();
        let state = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // The state follows the parenthesised command name.
        let sleeping = state
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('S'));
        if exe.as_deref() == Some(program) && sleeping {
            return fs::metadata(format!("/proc/{pid}/environ"))
                .expect("the process is still there")
                .uid();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} never blocked reading its stdin",
            program.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[test]
fn the_binaries_are_non_dumpable_before_they_read_a_secret() {
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;
    const NOBODY: u32 = 65534;

    // Run as an ordinary user: as root, the owner of /proc/PID/* is root
    // whatever the dumpable flag. Its HOME must be its own.
    let home = tempfile::tempdir().expect("a home for nobody");
    std::os::unix::fs::chown(home.path(), Some(NOBODY), Some(NOBODY)).expect("chown the home");
    let as_nobody = |program: &Path, args: &[&str]| {
        let mut command = std::process::Command::new(program);
        command
            .args(args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path())
            .env("XDG_DATA_HOME", home.path())
            .current_dir(home.path())
            .uid(NOBODY)
            .gid(NOBODY)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = command.spawn().expect("cannot start a process as nobody");
        let owner = proc_owner_once_waiting(child.id(), program);
        drop(child.stdin.take());
        let _ = child.kill();
        let _ = child.wait();
        owner
    };

    let cat = PathBuf::from("/usr/bin/cat");
    assert_eq!(
        as_nobody(&cat, &[]),
        NOBODY,
        "an ordinary process's /proc/PID files belong to its user (the control)"
    );
    for (binary, args) in [
        (HELPER, &["get"][..]),
        (HELPER, &["store"]),
        (MAILCRED, &["git", "store"]),
        (MAILCRED, ADD_WORK_FROM_STDIN),
    ] {
        assert_eq!(
            as_nobody(&bin(binary), args),
            0,
            "`{binary} {}` must be non-dumpable (its /proc/PID files root's) while it waits \
             for the secret on stdin",
            args.join(" ")
        );
    }
}

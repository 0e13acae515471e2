//! The entry points: `mailcred git ACTION` is `git-credential-mailcred ACTION`,
//! and `mailcred test`/`send` hand over to `mailcred-smtp`, help included;
//! the companions `mailcred-smtp`, `mailcred-oauth` and `mailcred-openbao` answer help, version
//! and usage errors like every other binary.

use super::*;

#[test]
fn mailcred_git_get_answers_like_git_credential_mailcred_get() {
    let session = KeyringSession::start();
    approve(&session, ALICE);

    for request in [ASK_ALICE, ASK_SERVER, ASK_BOB, "protocol=smtp\n"] {
        let standalone = helper(&session, "get", request);
        let subcommand = mailcred(&session, MAILCRED, &["git", "get"], request);
        assert_eq!(
            (subcommand.code, &subcommand.stdout, &subcommand.stderr),
            (standalone.code, &standalone.stdout, &standalone.stderr),
            "`mailcred git get` and `git-credential-mailcred get` should answer \
             {request:?} alike:\n{subcommand}\n{standalone}"
        );
    }
    let answer = helper(&session, "get", ASK_SERVER);
    assert_eq!(
        answer.stdout, ANSWER_ALICE,
        "get should print only username and password:\n{answer}"
    );
}

/// Every subcommand of `mailcred`, as `--help` lists them.
const SUBCOMMANDS: &[&str] = &[
    "add",
    "get",
    "list",
    "show",
    "remove",
    "set-password",
    "neomutt",
    "config",
    "configure",
    "git",
    "doctor",
    "import",
    "test",
    "send",
];

#[test]
fn every_command_answers_help_with_exit_0_on_stdout() {
    let session = KeyringSession::start();
    let mut commands: Vec<(&str, Vec<&str>)> = vec![
        (MAILCRED, vec!["--help"]),
        (HELPER, vec!["--help"]),
        ("mailcred-smtp", vec!["--help"]),
        ("mailcred-oauth", vec!["--help"]),
        ("mailcred-openbao", vec!["--help"]),
    ];
    commands.extend(
        SUBCOMMANDS
            .iter()
            .map(|sub| (MAILCRED, vec![*sub, "--help"])),
    );
    for (program, args) in commands {
        let helped = mailcred(&session, program, &args, "");
        assert_eq!(
            helped.code,
            Some(0),
            "`{program} {}` must print help and exit 0:\n{helped}",
            args.join(" ")
        );
        assert!(
            helped.stdout.to_ascii_lowercase().contains("usage"),
            "`{program} {}` must print its usage on stdout:\n{helped}",
            args.join(" ")
        );
    }
}

#[test]
fn mailcred_test_and_send_answer_help_with_their_usage_and_exit_0() {
    let session = KeyringSession::start();
    for (args, usage) in [
        (&["test", "--help"][..], "usage: mailcred test ACCOUNT"),
        (&["test", "-h"][..], "usage: mailcred test ACCOUNT"),
        (
            &["test", "work", "--help"][..],
            "usage: mailcred test ACCOUNT",
        ),
        (&["send", "--help"][..], "usage: mailcred send"),
    ] {
        let mut command = session.command(bin(MAILCRED));
        command.env("PATH", path_with_binaries()).args(args);
        let helped = run(command, b"");
        assert!(
            helped.success() && helped.stdout.starts_with(usage) && helped.stderr.is_empty(),
            "`mailcred {}` should print its help on stdout and exit 0:\n{helped}",
            args.join(" ")
        );
    }
}

#[test]
fn an_unknown_option_is_a_usage_error_with_one_status_in_every_binary() {
    let session = KeyringSession::start();
    let commands: &[(&str, &[&str])] = &[
        (MAILCRED, &["list", "--bogus"]),
        (MAILCRED, &["--bogus"]),
        (HELPER, &["get", "--bogus"]),
        (MAILCRED, &["test", "--bogus"]),
        (MAILCRED, &["send", "--bogus"]),
        ("mailcred-smtp", &["--bogus"]),
        ("mailcred-oauth", &["--bogus"]),
        ("mailcred-oauth", &["no-such-command"]),
        ("mailcred-openbao", &["--bogus"]),
        ("mailcred-openbao", &["no-such-command"]),
    ];
    for (program, args) in commands {
        let refused = mailcred(&session, program, args, "");
        assert_eq!(
            refused.code,
            Some(USAGE),
            "`{program} {}` must exit {USAGE} (EX_USAGE) like every other usage error:\n{refused}",
            args.join(" ")
        );
        assert!(
            refused.stdout.is_empty(),
            "a usage error prints nothing on stdout:\n{refused}"
        );
    }
}

/// The packages check the installed companions by their `--version`
/// (packaging/test): the program's name and the workspace's version.
#[test]
fn the_companions_print_their_name_and_the_workspace_version() {
    let session = KeyringSession::start();
    for program in ["mailcred-smtp", "mailcred-oauth", "mailcred-openbao"] {
        let version = mailcred(&session, program, &["--version"], "");
        assert_eq!(
            (version.code, version.stdout.as_str()),
            (
                Some(0),
                format!("{program} {}\n", env!("CARGO_PKG_VERSION")).as_str()
            ),
            "`{program} --version` must print its name and the version it was built as, \
             which the packages check:\n{version}"
        );
    }
}

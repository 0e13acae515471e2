//! The entry points: `mailcred git ACTION` is `git-credential-mailcred ACTION`,
//! and `mailcred test`/`send` hand over to `mailcred-smtp`, help included.

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

//! The two entry points: `mailcred git ACTION` is `git-credential-mailcred ACTION`.

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

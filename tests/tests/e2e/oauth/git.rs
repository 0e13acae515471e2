//! Real git on an OAuth2 account: `git credential fill` gets the access
//! token with its expiry; `approve` never overwrites the pair; `reject`
//! drops only the access token, and the next `fill` refreshes it.

use serde_json::json;

use super::*;

const ASK: &str = "protocol=smtp\nhost=smtp.example.com:587\nusername=alice@example.org\n";

/// `git credential ACTION` with mailcred as the only helper.
fn git(account: &OAuthAccount, action: &str, input: &str) -> Outcome {
    require("git", "git");
    let mut git = account.session.command("git");
    git.env("PATH", path_with_binaries())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("BROWSER", mailcred_e2e::idp::browser())
        .args([
            "-c",
            "credential.helper=mailcred",
            "-c",
            "credential.interactive=false",
        ])
        .args(["credential", action]);
    run(git, input.as_bytes())
}

/// The password line of a `fill`'s answer.
fn password(filled: &Outcome) -> String {
    filled
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("password="))
        .unwrap_or_else(|| panic!("git credential fill found a password:\n{filled}"))
        .to_owned()
}

#[test]
fn git_fill_approve_and_reject_keep_the_refresh_token_and_refresh_after_reject() {
    let account = OAuthAccount::signed_in(3600);

    let filled = git(&account, "fill", ASK);
    assert!(filled.success(), "{filled}");
    let token = password(&filled);
    assert!(
        account.idp.is_active(&token),
        "git gets a valid access token"
    );
    assert!(
        filled.stdout.contains("password_expiry_utc="),
        "with its expiry:\n{filled}"
    );

    let approved = git(
        &account,
        "approve",
        &format!("{ASK}password=something-else\n"),
    );
    assert!(
        approved.success() && approved.stderr.is_empty(),
        "{approved}"
    );
    assert_eq!(
        password(&git(&account, "fill", ASK)),
        token,
        "approve never overwrites an OAuth2 account's tokens"
    );

    let refreshes = account.idp.stat("refreshes");
    let rejected = git(&account, "reject", &format!("{ASK}password={token}\n"));
    assert!(
        rejected.success() && rejected.stderr.is_empty(),
        "{rejected}"
    );
    let refilled = git(&account, "fill", ASK);
    let fresh = password(&refilled);
    assert_eq!(
        account.idp.stat("refreshes"),
        refreshes + 1,
        "after reject the next fill refreshes, with the refresh token reject left alone"
    );
    assert_ne!(fresh, token);
    assert!(account.idp.is_active(&fresh));
}

#[test]
fn two_accounts_on_one_server_with_different_users_each_get_their_own_token() {
    let account = OAuthAccount::signed_in(3600);
    let mut args = account.add_args(&[]);
    let user = args.iter().position(|a| a == "--user").expect("--user") + 1;
    args[user] = "bob@example.org".into();
    args[1] = "bob".into();
    let added = account.mailcred(&args, "");
    assert!(added.success(), "{added}");
    account.idp.control(json!({}));

    let alice = password(&git(&account, "fill", ASK));
    let bob = password(&git(
        &account,
        "fill",
        "protocol=smtp\nhost=smtp.example.com:587\nusername=bob@example.org\n",
    ));
    assert_ne!(alice, bob, "each user has a token of their own");
    assert!(account.idp.is_active(&alice) && account.idp.is_active(&bob));
}

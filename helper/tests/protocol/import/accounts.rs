//! Secrets meeting the accounts mailcred already has: the same password
//! (only the file changes), an account of the same password without this
//! server (it gains the endpoint), one without a password (it gets this
//! one), and passwords that differ (listed and skipped until `--prefer`
//! names the right one).

use mailcred::accounts::Provider;
use mailcred::commands::accounts::EndpointFlags;
use mailcred::exit;

use super::{Home, assert_line};
use crate::accounts::new_account;

fn add_work(home: &Home, password: &str) {
    let mut new = new_account("work", Provider::Custom);
    new.user = "ann".into();
    new.smtp = EndpointFlags {
        host: Some("mail.example.org".into()),
        port: Some(465),
        security: Some(mailcred::accounts::Security::Tls),
        login: None,
    };
    home.s.added(&new, password);
}

#[test]
fn a_password_an_account_already_keeps_changes_only_the_file() {
    let home = Home::new();
    add_work(&home, "s3cr3t");
    home.write(".msmtprc", "account work\nhost mail.example.org\nport 465\ntls on\ntls_starttls off\nuser ann\npassword s3cr3t\n");

    let report = home.apply();

    assert_line(
        &report,
        &["account \"work\" already keeps this password"],
        "matched by server and login",
    );
    assert_eq!(
        home.read(".msmtprc").lines().last(),
        Some("passwordeval \"mailcred get work\"")
    );
    assert_eq!(home.s.account_names(), ["work"], "no second account");
}

#[test]
fn a_reader_of_the_same_password_joins_the_existing_account() {
    let home = Home::new();
    add_work(&home, "s3cr3t");
    home.put(".mbsyncrc", "mbsyncrc");

    let report = home.apply();

    assert_line(
        &report,
        &["account \"work\", which has the same password, gets this server"],
        "same login, same password",
    );
    let work = home.account("work");
    assert_eq!(
        work.imap.as_ref().map(|e| e.host.as_str()),
        Some("imap.example.org")
    );
    assert_eq!(home.get("work"), "s3cr3t\n");
    let slots: Vec<String> = home
        .s
        .index_entries()
        .iter()
        .flat_map(|e| e.endpoints.iter().map(|s| s.host.clone()))
        .collect();
    assert!(
        slots.contains(&"imap.example.org:993".to_owned()),
        "git finds the secret under the new endpoint too: {slots:?}"
    );
}

#[test]
fn differing_passwords_for_one_server_and_login_are_listed_and_skipped() {
    let home = Home::new();
    home.write(".msmtprc", "account work\nhost smtp.example.org\nport 587\ntls on\nuser ann@example.org\npassword s3cr3t\n");
    home.write(
        ".git-credentials",
        "smtp://ann%40example.org:other-password@smtp.example.org:587\n",
    );
    let before = home.snapshot();

    let report = home.apply();

    assert_line(&report, &["Conflicts, skipped"], "a section of its own");
    assert_line(
        &report,
        &[
            "ann@example.org on smtp://smtp.example.org: different passwords in ~/.msmtprc:6, ~/.git-credentials:1",
        ],
        "both places named",
    );
    assert_line(
        &report,
        &["skipped: another password for ann@example.org on smtp://smtp.example.org"],
        "each item says why",
    );
    assert_eq!(home.snapshot(), before, "neither file changes");
    home.s
        .assert_nothing_stored("neither password is guessed to be the right one");
}

#[test]
fn prefer_file_line_picks_the_winner_and_every_holder_then_asks_for_it() {
    let home = Home::new();
    home.write(".msmtprc", "account work\nhost smtp.example.org\nport 587\ntls on\nuser ann@example.org\npassword s3cr3t\n");
    home.write(
        ".git-credentials",
        "smtp://ann%40example.org:other-password@smtp.example.org:587\n",
    );

    home.apply_preferring(&["~/.git-credentials:1"]);

    assert_eq!(home.get("work"), "other-password\n", "the line named wins");
    assert_eq!(home.read(".git-credentials"), "", "the winner's line goes");
    assert!(
        home.read(".msmtprc")
            .ends_with("passwordeval \"mailcred get work\"\n"),
        "the loser's line asks for the winner's"
    );
}

#[test]
fn a_password_differing_from_a_stored_one_waits_for_prefer() {
    let home = Home::new();
    add_work(&home, "other-password");
    let msmtprc = "account work\nhost mail.example.org\nport 465\ntls on\ntls_starttls off\nuser ann\npassword s3cr3t\n";
    home.write(".msmtprc", msmtprc);

    assert_line(
        &home.apply(),
        &["different passwords in ~/.msmtprc:7, account \"work\""],
        "the account is a holder too",
    );
    assert_eq!(home.read(".msmtprc"), msmtprc);

    home.apply_preferring(&["work"]);
    assert_eq!(
        home.get("work"),
        "other-password\n",
        "--prefer ACCOUNT keeps the stored one"
    );
    assert!(
        home.read(".msmtprc")
            .ends_with("passwordeval \"mailcred get work\"\n")
    );
}

#[test]
fn prefer_of_a_place_that_is_no_conflict_is_a_usage_error() {
    let home = Home::new();
    home.put(".msmtprc", "msmtprc");

    let failed = home.run(true, |o| {
        o.prefer = vec![mailcred::commands::import::Prefer::parse("~/.msmtprc:3")]
    });

    assert_eq!(failed.exit, exit::USAGE, "{failed:?}");
    assert!(
        failed.stderr.contains("--prefer ~/.msmtprc:3: no conflict"),
        "{}",
        failed.stderr
    );
    home.s
        .assert_nothing_stored("a misspelt --prefer stops before anything is stored");
}

#[test]
fn an_oauth_accounts_server_keeps_its_tokens_and_the_password_is_skipped() {
    use mailcred::accounts::OAuthSettings;
    let home = Home::new();
    let mut gmail = home
        .s
        .added(&new_account("gmail", Provider::Gmail), "unused");
    gmail.oauth = Some(OAuthSettings::preset(Provider::Gmail, None, "client-id", &gmail).unwrap());
    let ctx = home.s.ctx();
    let (held, _) = ctx.accounts.lock().unwrap();
    ctx.accounts
        .update(&held, |all| {
            all.accounts[0] = gmail.clone();
            Ok(())
        })
        .unwrap();
    drop(held);
    // Signed in with tokens, which are not a password (here: none yet).
    mailcred::vault::Vault::new(home.s.index(), &home.s.store)
        .erase_account("gmail")
        .unwrap();
    let rc = "account gmail\nhost smtp.gmail.com\nport 587\ntls on\nuser ann@example.org\npassword s3cr3t\n";
    home.write(".msmtprc", rc);

    let report = home.apply();

    assert_line(
        &report,
        &["skipped: account \"gmail\" has this server and login, and signs in with OAuth2"],
        "tokens stay",
    );
    assert_eq!(home.read(".msmtprc"), rc, "the file stays");
    assert!(
        home.s.index_entries().is_empty(),
        "no password is stored where the tokens go"
    );
}

//! `mailcred list` and `mailcred show`: account details for people and for
//! scripts (`--json`), never a secret.

use mailcred::accounts::{Account, Provider};
use mailcred::commands::accounts::NewAccount;
use mailcred::commands::listing::{self, ListFormat};
use mailcred::exit;

use super::{Outcome, Setup, new_account};

/// Two accounts, `work` (office365, protected) and `home` (fastmail,
/// `--allow-erase`).
fn two_accounts() -> Setup {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Office365), "listed-pw-1");
    let home = NewAccount {
        allow_erase: true,
        ..new_account("home", Provider::Fastmail)
    };
    s.added(&home, "listed-pw-2");
    s
}

fn list(s: &Setup, json: bool) -> Outcome {
    let format = if json {
        ListFormat::Json
    } else {
        ListFormat::Table
    };
    s.run(|ctx, out| listing::list(ctx, format, out))
}

fn show(s: &Setup, name: &str, json: bool) -> Outcome {
    s.run(|ctx, out| listing::show(ctx, name, json, out))
}

#[track_caller]
fn assert_no_password(text: &str, what: &str) {
    for password in ["listed-pw-1", "listed-pw-2"] {
        assert!(
            !text.contains(password),
            "{what} must never show a secret, but it shows {password:?}:\n{text}"
        );
    }
}

#[test]
fn list_json_parses_and_holds_every_account_but_no_password() {
    let s = two_accounts();
    let stdout = list(&s, true).ok("list --json");

    let accounts: Vec<Account> =
        serde_json::from_str(&stdout).expect("list --json must be JSON a script can read");
    let summary: Vec<(&str, &str, u16, bool)> = accounts
        .iter()
        .map(|a| {
            let smtp = a.smtp.as_ref().expect("an SMTP endpoint");
            (
                a.name.as_str(),
                smtp.host.as_str(),
                smtp.port,
                a.allow_erase,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("work", "smtp.office365.com", 587, false),
            ("home", "smtp.fastmail.com", 465, true)
        ],
        "list --json must hold every account as added"
    );
    assert_no_password(&stdout, "list --json");
}

#[test]
fn list_json_with_no_accounts_is_an_empty_array() {
    let s = Setup::new();
    let stdout = list(&s, true).ok("list --json on a fresh machine");
    let value: serde_json::Value = serde_json::from_str(&stdout).expect("valid JSON");
    assert_eq!(
        value,
        serde_json::json!([]),
        "no accounts is an empty list, so scripts need no special case"
    );
}

#[test]
fn list_as_text_names_every_server_and_no_password() {
    let s = two_accounts();
    let stdout = list(&s, false).ok("list");
    assert!(
        stdout.contains("smtp.office365.com:587") && stdout.contains("smtp.fastmail.com:465"),
        "list must show where each account sends, got:\n{stdout}"
    );
    assert_no_password(&stdout, "list");
}

#[test]
fn show_json_parses_and_holds_the_account_but_no_password() {
    let s = two_accounts();
    let stdout = show(&s, "home", true).ok("show home --json");

    let value: serde_json::Value =
        serde_json::from_str(&stdout).expect("show --json must be JSON a script can read");
    assert_eq!(
        (
            &value["name"],
            &value["provider"],
            &value["smtp"]["host"],
            &value["smtp"]["port"],
            &value["smtp"]["security"],
            &value["allow_erase"]
        ),
        (
            &serde_json::json!("home"),
            &serde_json::json!("fastmail"),
            &serde_json::json!("smtp.fastmail.com"),
            &serde_json::json!(465),
            &serde_json::json!("tls"),
            &serde_json::json!(true)
        ),
        "show --json must hold the account's details under their field names"
    );
    assert_no_password(&stdout, "show --json");
}

#[test]
fn show_as_text_says_how_the_password_is_stored_and_whether_git_may_erase_it() {
    let s = two_accounts();
    let work = show(&s, "work", false).ok("show work");
    assert!(
        work.contains("host=smtp.office365.com:587") && work.contains("refused"),
        "show must name the git credential slot and that git's erase is refused, got:\n{work}"
    );
    let home = show(&s, "home", false).ok("show home");
    assert!(
        home.contains("allowed"),
        "an account added with --allow-erase must say so, got:\n{home}"
    );
    assert_no_password(&work, "show");
    assert_no_password(&home, "show");
}

#[test]
fn show_of_an_unknown_account_exits_66_and_prints_nothing() {
    let s = two_accounts();
    for json in [false, true] {
        show(&s, "office", json).fails_with(
            exit::NO_ACCOUNT,
            "show of a name nobody added must exit 66, with or without --json",
        );
    }
}

#[test]
fn list_and_show_name_every_endpoint_of_an_account() {
    let s = Setup::new();
    let gmail = NewAccount {
        with_pop: true,
        ..new_account("mail", Provider::Gmail)
    };
    s.added(&gmail, "listed-pw-1");
    let listed = list(&s, false).ok("list");
    for endpoint in [
        "smtp://ann@example.org@smtp.gmail.com:587 (starttls)",
        "imap://ann@example.org@imap.gmail.com:993 (tls)",
        "pop://ann@example.org@pop.gmail.com:995 (tls)",
    ] {
        assert!(
            listed.contains(endpoint),
            "list must show every endpoint, {endpoint:?} too:\n{listed}"
        );
    }
    let shown = show(&s, "mail", false).ok("show");
    for line in [
        "imap:        imap://ann@example.org@imap.gmail.com:993 (tls)",
        "             protocol=imap|imaps host=imap.gmail.com:993 username=ann@example.org",
        "             protocol=pop|pops host=pop.gmail.com:995 username=ann@example.org",
    ] {
        assert!(
            shown.lines().any(|l| l == line),
            "show must hold the line {line:?}:\n{shown}"
        );
    }
    assert_no_password(&listed, "list");
    assert_no_password(&shown, "show");
}

#[test]
fn list_and_show_mark_endpoints_the_app_password_cannot_sign_in_to() {
    let s = two_accounts();
    let shown = show(&s, "work", false).ok("show work");
    assert!(
        shown.lines().any(|l| l.starts_with("imap:")
            && l.contains("outlook.office365.com:993")
            && l.contains("OAuth only")),
        "Exchange Online's IMAP is recorded and marked as taking OAuth only:\n{shown}"
    );
}

#[test]
fn list_names_prints_one_name_a_line_for_completion() {
    let s = two_accounts();
    assert_eq!(
        s.run(|ctx, out| listing::list(ctx, ListFormat::Names, out))
            .ok("list --names"),
        "work\nhome\n",
        "shell completion reads one account name a line, nothing else"
    );
}

#[test]
fn show_json_holds_each_endpoint_under_its_protocol() {
    let s = two_accounts();
    let value: serde_json::Value =
        serde_json::from_str(&show(&s, "work", true).ok("show --json")).expect("JSON");
    assert_eq!(
        (
            &value["imap"]["host"],
            &value["imap"]["port"],
            value.get("pop")
        ),
        (
            &serde_json::json!("outlook.office365.com"),
            &serde_json::json!(993),
            None
        ),
        "an endpoint is an object under smtp, imap or pop; an absent one is left out"
    );
}

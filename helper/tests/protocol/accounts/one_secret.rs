//! One secret for every endpoint of an account: git finds it as
//! `protocol=imap` or `imaps` on the IMAP server (with or without the port,
//! as git imap-send sends it before and from 2.51) as well as on the SMTP
//! server; a git `store` into any endpoint updates it; `erase` protection,
//! `set-password` and `remove` hold for all endpoints at once.

use mailcred::accounts::Provider;
use mailcred::commands::accounts::{self, EndpointFlags, NewAccount};
use mailcred::exit;

use super::{Outcome, Setup, USER, new_account};

const PASSWORD: &str = "one-secret-pw-1";

/// A git credential request.
fn request(protocol: &str, host: &str, username: Option<&str>, password: Option<&str>) -> String {
    let mut text = format!("protocol={protocol}\nhost={host}\n");
    if let Some(username) = username {
        text.push_str(&format!("username={username}\n"));
    }
    if let Some(password) = password {
        text.push_str(&format!("password={password}\n"));
    }
    text
}

/// A Gmail account `work` (SMTP smtp.gmail.com:587, IMAP imap.gmail.com:993),
/// protected unless `allow_erase`.
fn gmail(allow_erase: bool) -> Setup {
    let s = Setup::new();
    let new = NewAccount {
        allow_erase,
        ..new_account("work", Provider::Gmail)
    };
    s.added(&new, PASSWORD);
    s
}

fn answer(login: &str, password: &str) -> String {
    format!("username={login}\npassword={password}\n")
}

/// Every spelling git uses for the IMAP endpoint: imap-send with
/// `imaps://` or `imap://`, up to 2.50 without the port, from 2.51 with it.
fn imap_requests(username: Option<&str>) -> Vec<String> {
    ["imaps", "imap"]
        .into_iter()
        .flat_map(|protocol| {
            ["imap.gmail.com", "imap.gmail.com:993"]
                .map(|host| request(protocol, host, username, None))
        })
        .collect()
}

#[test]
fn git_finds_the_account_password_as_imap_and_imaps_with_and_without_the_port() {
    let s = gmail(false);
    for username in [None, Some(USER)] {
        for asked in imap_requests(username) {
            assert_eq!(
                s.git("get", &asked).ok("git get for the IMAP endpoint"),
                answer(USER, PASSWORD),
                "git imap-send must be served the account's one password: {asked:?}"
            );
        }
    }
    assert_eq!(
        s.git("get", &request("smtp", "smtp.gmail.com:587", None, None))
            .ok("git get for the SMTP endpoint"),
        answer(USER, PASSWORD),
        "and git send-email the very same"
    );
    assert_eq!(s.store.len(), 1, "one keyring item for both endpoints");
}

#[test]
fn git_is_not_served_on_another_port_protocol_or_server() {
    let s = gmail(false);
    for asked in [
        request("imaps", "imap.gmail.com:143", None, None),
        request("imaps", "smtp.gmail.com:587", None, None),
        request("smtp", "imap.gmail.com:993", None, None),
        request("pop3", "imap.gmail.com", None, None),
        request("https", "imap.gmail.com", None, None),
        request("imaps", "gmail.com", None, None),
        request("imaps", "imap.gmail.com", Some("bob@example.org"), None),
    ] {
        assert_eq!(
            s.git("get", &asked).ok("git get for another credential"),
            "",
            "the endpoints are never wildcards: {asked:?}"
        );
    }
}

#[test]
fn git_answers_with_the_imap_endpoints_own_login() {
    let s = Setup::new();
    let icloud = NewAccount {
        imap: EndpointFlags {
            login: Some("ann".into()),
            ..EndpointFlags::default()
        },
        ..new_account("home", Provider::Icloud)
    };
    s.added(&icloud, PASSWORD);
    assert_eq!(
        s.git("get", &request("imaps", "imap.mail.me.com", None, None))
            .ok("git get for iCloud's IMAP"),
        answer("ann", PASSWORD),
        "iCloud's IMAP logs in as the name without the domain: git must be told that login"
    );
    assert_eq!(
        s.git("get", &request("smtp", "smtp.mail.me.com", None, None))
            .ok("git get for iCloud's SMTP"),
        answer(USER, PASSWORD),
        "while SMTP keeps the address"
    );
    assert_eq!(
        s.git(
            "get",
            &request("imaps", "imap.mail.me.com", Some(USER), None)
        )
        .ok("git get with the address as IMAP login"),
        "",
        "the IMAP endpoint's login is ann: git's username must equal it byte for byte"
    );
}

/// Two custom accounts reading on one IMAP server: Ann's on port 993 and
/// Bob's on port 1993, both logging in as `shared`.
fn two_on_one_imap_server() -> Setup {
    let s = Setup::new();
    for (name, port, password) in [("ann", 993, "ann-pw-1"), ("bob", 1993, "bob-pw-2")] {
        let new = NewAccount {
            imap: EndpointFlags {
                host: Some("imap.example.org".into()),
                port: Some(port),
                ..EndpointFlags::default()
            },
            ..NewAccount::new(name, Provider::Custom, "shared")
        };
        s.added(&new, password);
    }
    s
}

#[test]
fn an_exact_host_and_port_is_served_even_where_the_port_less_host_is_ambiguous() {
    let s = two_on_one_imap_server();
    assert_eq!(
        s.git(
            "get",
            &request("imaps", "imap.example.org:1993", None, None)
        )
        .ok("git get with the port"),
        answer("shared", "bob-pw-2"),
        "git imap-send 2.51 sends host:port: that names Bob's endpoint exactly"
    );
}

#[test]
fn a_port_less_host_of_several_accounts_answers_nothing_and_says_why_in_one_line() {
    let s = two_on_one_imap_server();
    let outcome: Outcome = s.git("get", &request("imaps", "imap.example.org", None, None));
    assert_eq!(
        outcome.stdout, "",
        "no guess: either password could be the wrong one"
    );
    let message = outcome.fails_with(
        exit::NO_ACCOUNT,
        "several accounts answer: the one documented status for that, 66",
    );
    assert_eq!(
        message.lines().count(),
        1,
        "one line on stderr: {message:?}"
    );
    assert!(
        message.contains("ann") && message.contains("bob") && message.contains("port"),
        "the line names both accounts and how to pick one: {message}"
    );
}

#[test]
fn a_port_less_store_into_several_accounts_stores_nothing() {
    let s = two_on_one_imap_server();
    s.git(
        "store",
        &request(
            "imaps",
            "imap.example.org",
            Some("shared"),
            Some("which-one-pw"),
        ),
    )
    .fails_with(
        exit::NO_ACCOUNT,
        "a store that could be either account's must not guess",
    );
    assert_eq!(
        (
            s.get("ann").ok("get ann"),
            s.get("bob").ok("get bob"),
            s.store.len()
        ),
        ("ann-pw-1\n".into(), "bob-pw-2\n".into(), 2),
        "both passwords stay as they were, and nothing else is stored"
    );
}

#[test]
fn a_git_store_into_the_imap_endpoint_updates_the_one_secret_everywhere() {
    for host in ["imap.gmail.com", "imap.gmail.com:993"] {
        let s = gmail(false);
        s.git(
            "store",
            &request("imaps", host, Some(USER), Some("proven-by-imap")),
        )
        .ok("git store after imap-send logged in");
        assert_eq!(
            (s.store.len(), s.index_entries().len()),
            (1, 1),
            "the store into {host} lands in the account's one item: no copy"
        );
        assert_eq!(
            s.git(
                "get",
                &request("smtp", "smtp.gmail.com:587", Some(USER), None)
            )
            .ok("git get for SMTP"),
            answer(USER, "proven-by-imap"),
            "the SMTP endpoint serves the password IMAP just proved"
        );
        assert_eq!(s.get("work").ok("get work"), "proven-by-imap\n");
        let entry = &s.index_entries()[0];
        assert!(
            entry.protected && entry.account.as_deref() == Some("work"),
            "it stays the account's, protected: {entry:?}"
        );
    }
}

#[test]
fn git_erase_through_any_endpoint_keeps_a_protected_account() {
    let s = gmail(false);
    for erase in [
        request("imaps", "imap.gmail.com", Some(USER), Some(PASSWORD)),
        request("imap", "imap.gmail.com:993", None, None),
        request("smtp", "smtp.gmail.com", Some(USER), None),
    ] {
        s.git("erase", &erase).ok("git erase");
        assert_eq!(
            s.get("work").ok("get after erase"),
            format!("{PASSWORD}\n"),
            "an app password is shown once: erase through {erase:?} must keep it"
        );
    }
}

#[test]
fn git_erase_through_the_imap_endpoint_removes_an_allow_erase_account_secret_everywhere() {
    let s = gmail(true);
    s.git(
        "erase",
        &request("imaps", "imap.gmail.com", Some(USER), Some(PASSWORD)),
    )
    .ok("git erase after a refused IMAP login");
    assert_eq!(s.store.len(), 0, "the one secret is gone");
    assert_eq!(
        s.git("get", &request("smtp", "smtp.gmail.com:587", None, None))
            .ok("git get for SMTP"),
        "",
        "and with it the SMTP endpoint's password: it was the same"
    );
}

#[test]
fn set_password_changes_it_for_every_endpoint_and_remove_removes_it_everywhere() {
    let s = gmail(false);
    let new = s.password("rotated-pw-2");
    s.run(|ctx, out| accounts::set_password(ctx, "work", new, out))
        .ok("set-password");
    for asked in
        imap_requests(None)
            .into_iter()
            .chain([request("smtp", "smtp.gmail.com", None, None)])
    {
        assert_eq!(
            s.git("get", &asked).ok("git get after set-password"),
            answer(USER, "rotated-pw-2"),
            "{asked:?}"
        );
    }
    assert_eq!(s.store.len(), 1, "still one keyring item");

    s.run(|ctx, out| accounts::remove(ctx, "work", out))
        .ok("remove");
    for asked in imap_requests(None) {
        assert_eq!(
            s.git("get", &asked).ok("git get after remove"),
            "",
            "nothing serves a removed account's password: {asked:?}"
        );
    }
    assert_eq!((s.store.len(), s.index_entries().len()), (0, 0));
}

#[test]
fn adding_an_account_takes_over_an_imaps_copy_git_stored_before() {
    let s = Setup::new();
    s.git(
        "store",
        &request("imaps", "imap.gmail.com", Some(USER), Some("git-stored-pw")),
    )
    .ok("git store before the account existed");
    s.added(&new_account("work", Provider::Gmail), PASSWORD);
    assert_eq!(
        (s.store.len(), s.index_entries().len()),
        (1, 1),
        "the account's secret replaces git's copy of its IMAP credential"
    );
    assert_eq!(
        s.git("get", &request("imaps", "imap.gmail.com", None, None))
            .ok("git get"),
        answer(USER, PASSWORD)
    );
}

#[test]
fn a_git_store_without_a_username_never_replaces_the_account_password() {
    let s = gmail(false);
    s.git(
        "store",
        "capability[]=authtype\nprotocol=imaps\nhost=imap.gmail.com:993\nauthtype=Bearer\ncredential=token-1\n",
    )
    .ok("git store of an authtype credential");
    assert_eq!(
        s.get("work").ok("get work"),
        format!("{PASSWORD}\n"),
        "only a store naming the endpoint's login may update the account's password"
    );
}

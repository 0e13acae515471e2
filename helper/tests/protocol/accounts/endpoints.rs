//! The endpoints `mailcred add` records (`commands::accounts::resolve`): the
//! presets' IMAP and POP servers, `--pop`, the reader flags of `custom`,
//! reader-only accounts, and what is refused.

use mailcred::accounts::{Account, Endpoint, Protocol, Provider, Security};
use mailcred::commands::accounts::{EndpointFlags, NewAccount, resolve};
use mailcred::exit;

use super::{ADDED, Setup, USER, new_account};

#[track_caller]
fn resolved(new: &NewAccount) -> Account {
    resolve(new, ADDED.into()).unwrap_or_else(|e| panic!("{:?} must resolve, got: {e}", new.name))
}

/// `(host, port, security)` of each endpoint, SMTP, IMAP, POP.
fn servers(a: &Account) -> [Option<(String, u16, Security)>; 3] {
    Protocol::ALL.map(|p| a.endpoint(p).map(|e| (e.host.clone(), e.port, e.security)))
}

fn at(host: &str, port: u16, security: Security) -> Option<(String, u16, Security)> {
    Some((host.into(), port, security))
}

fn with_pop(name: &str, provider: Provider) -> NewAccount {
    NewAccount {
        with_pop: true,
        ..new_account(name, provider)
    }
}

#[test]
fn presets_fill_the_imap_server_and_the_pop_server_only_when_asked() {
    use Security::{Starttls, Tls};
    for (provider, smtp, imap, pop) in [
        (
            Provider::Gmail,
            at("smtp.gmail.com", 587, Starttls),
            at("imap.gmail.com", 993, Tls),
            at("pop.gmail.com", 995, Tls),
        ),
        (
            Provider::Icloud,
            at("smtp.mail.me.com", 587, Starttls),
            at("imap.mail.me.com", 993, Tls),
            None,
        ),
        (
            Provider::Fastmail,
            at("smtp.fastmail.com", 465, Tls),
            at("imap.fastmail.com", 993, Tls),
            at("pop.fastmail.com", 995, Tls),
        ),
        (
            Provider::Yahoo,
            at("smtp.mail.yahoo.com", 465, Tls),
            at("imap.mail.yahoo.com", 993, Tls),
            at("pop.mail.yahoo.com", 995, Tls),
        ),
        (
            Provider::Zoho,
            at("smtp.zoho.com", 465, Tls),
            at("imap.zoho.com", 993, Tls),
            at("pop.zoho.com", 995, Tls),
        ),
        (
            Provider::Office365,
            at("smtp.office365.com", 587, Starttls),
            at("outlook.office365.com", 993, Tls),
            at("outlook.office365.com", 995, Tls),
        ),
    ] {
        assert_eq!(
            servers(&resolved(&new_account("a", provider))),
            [smtp.clone(), imap.clone(), None],
            "{provider:?} without --pop: SMTP and IMAP (providers keep POP off until turned on)"
        );
        if pop.is_some() {
            assert_eq!(
                servers(&resolved(&with_pop("a", provider))),
                [smtp, imap, pop],
                "{provider:?} with --pop also records its POP server"
            );
        }
    }
}

#[test]
fn pop_for_a_provider_without_pop_is_refused_with_exit_64() {
    let s = Setup::new();
    let message = s
        .add(&with_pop("home", Provider::Icloud), "icloud-pw-1")
        .fails_with(exit::USAGE, "iCloud has no POP server: --pop cannot be met");
    assert!(message.contains("POP"), "{message}");
    s.assert_nothing_stored("a refused --pop");
}

#[test]
fn an_imap_login_of_its_own_is_kept_and_the_same_as_user_is_dropped() {
    let icloud = NewAccount {
        imap: EndpointFlags {
            login: Some("ann".into()),
            ..EndpointFlags::default()
        },
        ..new_account("home", Provider::Icloud)
    };
    let account = resolved(&icloud);
    assert_eq!(
        (account.login(Protocol::Smtp), account.login(Protocol::Imap)),
        (Some(USER), Some("ann")),
        "iCloud's IMAP may take the name without @icloud.com; SMTP keeps the address"
    );
    let same = NewAccount {
        imap: EndpointFlags {
            login: Some(USER.into()),
            ..EndpointFlags::default()
        },
        ..new_account("home", Provider::Icloud)
    };
    assert_eq!(
        resolved(&same).imap.and_then(|e| e.login),
        None,
        "a login equal to --user is no login of its own"
    );
}

#[test]
fn custom_takes_imap_and_pop_flags_with_their_usual_ports() {
    let new = NewAccount {
        smtp: EndpointFlags {
            host: Some("smtp.example.org".into()),
            ..EndpointFlags::default()
        },
        imap: EndpointFlags {
            host: Some("imap.example.org".into()),
            security: Some(Security::Starttls),
            ..EndpointFlags::default()
        },
        pop: EndpointFlags {
            host: Some("pop.example.org".into()),
            ..EndpointFlags::default()
        },
        ..new_account("own", Provider::Custom)
    };
    assert_eq!(
        servers(&resolved(&new)),
        [
            at("smtp.example.org", 587, Security::Starttls),
            at("imap.example.org", 143, Security::Starttls),
            at("pop.example.org", 995, Security::Tls),
        ],
        "--pop-host implies --pop; IMAP with STARTTLS is 143, POP under TLS 995 by default"
    );
}

#[test]
fn a_custom_account_without_smtp_only_reads() {
    let new = NewAccount {
        imap: EndpointFlags {
            host: Some("imap.example.org".into()),
            port: Some(10993),
            ..EndpointFlags::default()
        },
        ..new_account("reader", Provider::Custom)
    };
    let account = resolved(&new);
    assert_eq!(
        servers(&account),
        [None, at("imap.example.org", 10993, Security::Tls), None],
        "a reader-only account has no SMTP endpoint"
    );
    let s = Setup::new();
    s.add(&new, "reader-pw-1")
        .ok("adding a reader-only account");
    assert_eq!(
        s.get("reader").ok("get of a reader-only account"),
        "reader-pw-1\n",
        "`mailcred get` serves its password like any other"
    );
}

#[test]
fn custom_without_any_server_names_all_three_flags() {
    let message = Setup::new()
        .add(&new_account("own", Provider::Custom), "custom-pw-1")
        .fails_with(exit::USAGE, "custom needs at least one endpoint");
    for flag in ["--host", "--imap-host", "--pop-host"] {
        assert!(
            message.contains(flag),
            "the refusal names {flag}: {message}"
        );
    }
}

#[test]
fn a_reader_port_or_security_without_its_host_is_refused_for_custom() {
    let s = Setup::new();
    let new = NewAccount {
        smtp: EndpointFlags {
            host: Some("smtp.example.org".into()),
            ..EndpointFlags::default()
        },
        imap: EndpointFlags {
            port: Some(993),
            ..EndpointFlags::default()
        },
        ..new_account("own", Provider::Custom)
    };
    let message = s.add(&new, "custom-pw-1").fails_with(
        exit::USAGE,
        "--imap-port with no IMAP server to apply it to",
    );
    assert!(
        message.contains("--imap-port") && message.contains("--imap-host"),
        "the refusal names the flag given and the one missing: {message}"
    );
    s.assert_nothing_stored("a refused add");
}

#[test]
fn a_reader_without_tls_and_a_bad_reader_host_or_login_are_refused() {
    let s = Setup::new();
    let cases = [
        (
            EndpointFlags {
                security: Some(Security::NoneDangerous),
                ..EndpointFlags::default()
            },
            "--imap-security",
        ),
        (
            EndpointFlags {
                host: Some("imap.example.org:993".into()),
                ..EndpointFlags::default()
            },
            "--imap-host",
        ),
        (
            EndpointFlags {
                login: Some("ann\nx".into()),
                ..EndpointFlags::default()
            },
            "--imap-login",
        ),
    ];
    for (imap, flag) in cases {
        let new = NewAccount {
            imap,
            ..new_account("work", Provider::Gmail)
        };
        let message = s.add(&new, "refused-pw-1").fails_with(
            exit::USAGE,
            &format!("{flag} must be checked like --host and --user"),
        );
        assert!(
            message.contains(flag),
            "the refusal names {flag}: {message}"
        );
    }
    s.assert_nothing_stored("refused reader flags");
}

#[test]
fn an_imap_flag_overrides_only_that_part_of_the_preset() {
    let new = NewAccount {
        imap: EndpointFlags {
            port: Some(1993),
            ..EndpointFlags::default()
        },
        ..new_account("work", Provider::Gmail)
    };
    assert_eq!(
        resolved(&new).imap,
        Some(Endpoint::new("imap.gmail.com", 1993, Security::Tls)),
        "--imap-port replaces the preset's port only"
    );
}

#[test]
fn office365_records_its_oauth_only_readers_and_warns_about_them() {
    let account = resolved(&with_pop("work", Provider::Office365));
    let protocols: Vec<Protocol> = account.endpoints().map(|(p, _)| p).collect();
    let warnings = account.provider.warnings(&protocols);
    for reader in ["IMAP", "POP"] {
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(reader) && w.contains("OAuth")),
            "add must say that Exchange Online's {reader} takes OAuth only: {warnings:?}"
        );
    }
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("only SMTP works with the app password")),
        "and say that SMTP keeps working with the app password: {warnings:?}"
    );
}

#[test]
fn an_endpoint_another_account_has_is_taken_whatever_the_other_endpoints() {
    let s = Setup::new();
    s.added(&new_account("work", Provider::Gmail), "gmail-pw-1");
    // Another SMTP relay, but Gmail's IMAP for the same login.
    let relay = NewAccount {
        smtp: EndpointFlags {
            host: Some("relay.example.org".into()),
            ..EndpointFlags::default()
        },
        ..new_account("relay", Provider::Gmail)
    };
    let message = s.add(&relay, "gmail-pw-2").fails_with(
        exit::EXISTS,
        "the IMAP endpoint's slot is work's: a second account there would replace its password",
    );
    assert!(
        message.contains("\"work\"") && message.contains("imap://imap.gmail.com:993"),
        "the refusal names the account and the endpoint they would share: {message}"
    );
    assert_eq!(s.get("work").ok("get work"), "gmail-pw-1\n");
}

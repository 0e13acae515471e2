//! What `mailcred add` makes of its flags (`commands::accounts::resolve`):
//! presets, the flags that override them, and what is refused before any
//! password is asked for.

use mailcred::accounts::{Provider, Security};
use mailcred::commands::accounts::{EndpointFlags, NewAccount, resolve};
use mailcred::exit;

use super::{ADDED, Setup, new_account};

/// The SMTP server, port and security `resolve` gives `new`.
#[track_caller]
fn server(new: &NewAccount) -> (String, u16, Security) {
    let account = resolve(new, ADDED.into())
        .unwrap_or_else(|e| panic!("{:?} must resolve, got: {e}", new.name));
    let smtp = account.smtp.expect("an SMTP endpoint");
    (smtp.host, smtp.port, smtp.security)
}

#[test]
fn office365_preset_fills_its_server_port_587_and_starttls() {
    assert_eq!(
        server(&new_account("work", Provider::Office365)),
        ("smtp.office365.com".into(), 587, Security::Starttls),
        "--provider office365 alone must give Microsoft's SMTP submission server"
    );
}

#[test]
fn fastmail_preset_fills_port_465_and_tls() {
    assert_eq!(
        server(&new_account("home", Provider::Fastmail)),
        ("smtp.fastmail.com".into(), 465, Security::Tls),
        "--provider fastmail alone must give Fastmail's implicit-TLS port"
    );
}

#[test]
fn an_explicit_port_wins_over_the_preset() {
    let new = NewAccount {
        smtp: EndpointFlags {
            port: Some(2525),
            ..EndpointFlags::default()
        },
        ..new_account("work", Provider::Office365)
    };
    assert_eq!(
        server(&new),
        ("smtp.office365.com".into(), 2525, Security::Starttls),
        "--port must replace only the preset's port"
    );
}

#[test]
fn an_explicit_host_wins_over_the_preset() {
    let new = NewAccount {
        smtp: EndpointFlags {
            host: Some("smtp-relay.example.org".into()),
            ..EndpointFlags::default()
        },
        ..new_account("work", Provider::Gmail)
    };
    assert_eq!(
        server(&new),
        ("smtp-relay.example.org".into(), 587, Security::Starttls),
        "--host must replace only the preset's server"
    );
}

#[test]
fn tls_on_a_starttls_preset_without_a_port_uses_465() {
    let new = NewAccount {
        smtp: EndpointFlags {
            security: Some(Security::Tls),
            ..EndpointFlags::default()
        },
        ..new_account("work", Provider::Office365)
    };
    assert_eq!(
        server(&new),
        ("smtp.office365.com".into(), 465, Security::Tls),
        "--security tls must not keep the preset's STARTTLS port 587, where TLS from the first \
         byte would never connect"
    );
}

#[test]
fn starttls_on_a_tls_preset_without_a_port_uses_587() {
    let new = NewAccount {
        smtp: EndpointFlags {
            security: Some(Security::Starttls),
            ..EndpointFlags::default()
        },
        ..new_account("home", Provider::Fastmail)
    };
    assert_eq!(
        server(&new),
        ("smtp.fastmail.com".into(), 587, Security::Starttls),
        "--security starttls must not keep the preset's implicit-TLS port 465"
    );
}

#[test]
fn the_preset_security_named_explicitly_keeps_the_preset_port() {
    let new = NewAccount {
        smtp: EndpointFlags {
            security: Some(Security::Tls),
            ..EndpointFlags::default()
        },
        ..new_account("home", Provider::Fastmail)
    };
    assert_eq!(
        server(&new),
        ("smtp.fastmail.com".into(), 465, Security::Tls),
        "repeating the preset's own security changes nothing"
    );
}

#[test]
fn explicit_port_and_security_both_win() {
    let new = NewAccount {
        smtp: EndpointFlags {
            security: Some(Security::Tls),
            port: Some(2465),
            ..EndpointFlags::default()
        },
        ..new_account("work", Provider::Office365)
    };
    assert_eq!(
        server(&new),
        ("smtp.office365.com".into(), 2465, Security::Tls),
        "with --port and --security both given, both must be taken as given"
    );
}

#[test]
fn custom_with_a_host_defaults_to_starttls_on_587() {
    let new = NewAccount {
        smtp: EndpointFlags {
            host: Some("mail.example.org".into()),
            ..EndpointFlags::default()
        },
        ..new_account("own", Provider::Custom)
    };
    assert_eq!(
        server(&new),
        ("mail.example.org".into(), 587, Security::Starttls),
        "a custom server without other flags gets the usual submission port and STARTTLS"
    );
}

#[test]
fn custom_without_a_host_is_refused_with_exit_64_and_nothing_stored() {
    let s = Setup::new();
    let out = s.add(&new_account("own", Provider::Custom), "custom-app-pw-1");

    let message = out.fails_with(
        exit::USAGE,
        "custom has no server to preset, so add without --host must refuse with exit 64",
    );
    assert!(
        message.contains("--host"),
        "the refusal must name the missing flag, got {message:?}"
    );
    s.assert_nothing_stored("a refused add");
}

#[test]
fn outlook_is_refused_with_an_oauth_explanation_and_nothing_stored() {
    let s = Setup::new();
    let out = s.add(
        &new_account("personal", Provider::Outlook),
        "outlook-app-pw-1",
    );

    let message = out.fails_with(
        exit::USAGE,
        "personal Outlook accounts no longer accept app passwords, so add must refuse them",
    );
    assert!(
        message.contains("OAuth"),
        "the refusal must explain that only OAuth works there, got {message:?}"
    );
    assert!(
        message.contains("office365"),
        "the refusal must point work and school accounts to --provider office365, got {message:?}"
    );
    s.assert_nothing_stored("a refused provider");
}

#[test]
fn unusable_account_names_are_refused_with_exit_64() {
    let s = Setup::new();
    let too_long = "a".repeat(65);
    for name in [
        "",
        "-work",
        "two words",
        "work;rm",
        "$(id)",
        "`id`",
        "quo\"te",
        "back\\slash",
        "new\nline",
        "slash/ed",
        "wörk",
        too_long.as_str(),
    ] {
        let out = s.add(&new_account(name, Provider::Office365), "name-test-pw-1");
        out.fails_with(
            exit::USAGE,
            &format!(
                "the name {name:?} ends up in `passwordeval \"mailcred get NAME\"`, so add must \
                 refuse it"
            ),
        );
    }
    s.assert_nothing_stored("refused names");
}

#[test]
fn plain_account_names_are_accepted() {
    let s = Setup::new();
    for (i, name) in ["work", "ann@example.org", "a.b-c_d+e", "W0rk"]
        .iter()
        .enumerate()
    {
        let new = NewAccount {
            user: format!("user{i}@example.org"),
            ..new_account(name, Provider::Office365)
        };
        s.add(&new, "plain-name-pw-1")
            .ok(&format!("adding the plain name {name:?}"));
    }
    assert_eq!(
        s.account_names(),
        ["work", "ann@example.org", "a.b-c_d+e", "W0rk"],
        "every plain name must be recorded, in the order added"
    );
}

#[test]
fn a_host_with_a_port_or_scheme_is_refused_with_exit_64() {
    let s = Setup::new();
    for host in [
        "mail.example.org:587",
        "smtp://mail.example.org",
        "mail example",
        "",
    ] {
        let new = NewAccount {
            smtp: EndpointFlags {
                host: Some(host.into()),
                ..EndpointFlags::default()
            },
            ..new_account("own", Provider::Custom)
        };
        s.add(&new, "host-test-pw-1").fails_with(
            exit::USAGE,
            &format!("--host {host:?} is not a bare server name, which `add` must refuse"),
        );
    }
    s.assert_nothing_stored("refused hosts");
}

#[test]
fn a_user_that_is_empty_or_has_a_line_break_is_refused_with_exit_64() {
    let s = Setup::new();
    for user in ["", "ann@example.org\npassword=x", "ann\r"] {
        let new = NewAccount {
            user: user.into(),
            ..new_account("work", Provider::Office365)
        };
        s.add(&new, "user-test-pw-1").fails_with(
            exit::USAGE,
            &format!("the user {user:?} would break the lines neomutt and git read"),
        );
    }
    s.assert_nothing_stored("refused users");
}

#[test]
fn logins_real_servers_issue_are_accepted() {
    for user in [
        "ann+newsletters@example.org",
        "o'brien@example.ie",
        r"CORP\ann",
        "ann.smith",
        "jörg@bücher.example",
        "Ann Smith",
        "ann_smith-2@sub.example.org",
    ] {
        let new = NewAccount {
            user: user.into(),
            ..new_account("work", Provider::Icloud)
        };
        let account = resolve(&new, ADDED.into())
            .unwrap_or_else(|e| panic!("the login {user:?} is one servers issue: {e}"));
        assert_eq!(account.user, user, "the login must be kept as given");
    }
}

#[test]
fn logins_no_server_would_accept_are_refused_with_exit_64() {
    let s = Setup::new();
    let too_long = format!("{}@example.org", "a".repeat(250));
    for user in [
        r#"u@x.example"; source "touch PWNED |"; set x=""#,
        "ann`touch PWNED`@example.org",
        "$(touch PWNED)@example.org",
        "ann;touch PWNED",
        "ann<PWNED",
        "ann>PWNED",
        "[ann]",
        "ann,bob",
        "ann:pw",
        " ann@example.org",
        "ann@example.org ",
        "ann\t@example.org",
        "ann\u{1b}[2J@example.org",
        "ann\u{7f}",
        too_long.as_str(),
    ] {
        let new = NewAccount {
            user: user.into(),
            ..new_account("work", Provider::Office365)
        };
        let message = s.add(&new, "user-test-pw-1").fails_with(
            exit::USAGE,
            &format!(
                "no mail server issues the login {user:?}, and it is shell or config syntax, so \
                 add must refuse it"
            ),
        );
        assert!(
            message.contains("--user"),
            "the refusal must name the flag, got {message:?}"
        );
    }
    s.assert_nothing_stored("refused logins");
}

#[test]
fn servers_named_by_dns_name_or_ipv4_address_are_accepted() {
    let label = "a".repeat(63);
    let longest = format!("{label}.{label}.{label}.{}", "a".repeat(61));
    for host in [
        "smtp.office365.com",
        "localhost",
        "127.0.0.1",
        "xn--bcher-kva.example",
        "SMTP.Example.ORG",
        "mail-1.example.org",
        label.as_str(),
        longest.as_str(),
    ] {
        let new = NewAccount {
            smtp: EndpointFlags {
                host: Some(host.into()),
                ..EndpointFlags::default()
            },
            ..new_account("own", Provider::Custom)
        };
        assert_eq!(
            server(&new).0,
            host,
            "{host:?} is a DNS name or an IPv4 address, which add must keep as given"
        );
    }
}

#[test]
fn servers_that_are_no_dns_name_are_refused_with_exit_64() {
    let s = Setup::new();
    let long_label = format!("{}.example.org", "a".repeat(64));
    let too_long = format!("{}.org", "a.".repeat(126));
    for host in [
        r#"smtp.example.org"; source "touch PWNED |"; set x=""#,
        "smtp.example.org;id",
        "smtp.example.org\"",
        "-smtp.example.org",
        "smtp-.example.org",
        "smtp..example.org",
        ".example.org",
        "smtp.example.org.",
        "smtp_relay.example.org",
        "::1",
        "[::1]",
        long_label.as_str(),
        too_long.as_str(),
    ] {
        let new = NewAccount {
            smtp: EndpointFlags {
                host: Some(host.into()),
                ..EndpointFlags::default()
            },
            ..new_account("own", Provider::Custom)
        };
        s.add(&new, "host-test-pw-1").fails_with(
            exit::USAGE,
            &format!("{host:?} is not a DNS name, so add must refuse it with exit 64"),
        );
    }
    s.assert_nothing_stored("refused hosts");
}

#[test]
fn an_international_server_name_is_refused_pointing_to_its_ascii_form() {
    let new = NewAccount {
        smtp: EndpointFlags {
            host: Some("mail.bücher.example".into()),
            ..EndpointFlags::default()
        },
        ..new_account("own", Provider::Custom)
    };
    let message = Setup::new()
        .add(&new, "host-test-pw-1")
        .fails_with(exit::USAGE, "a server name must be given in ASCII");
    assert!(
        message.contains("xn--"),
        "the refusal must point to the name's ASCII (xn--) form, got {message:?}"
    );
}

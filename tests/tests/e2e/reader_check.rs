//! mailcred-lettre's login checks of IMAP and POP3 (`ReaderCheck`, what
//! `mailcred test` runs for an account's reading endpoints), in this
//! process, against the real Dovecot of `dovecot_server` and the hostile
//! servers of `mailcred_e2e::hostile`. The helper is a shell script that
//! writes down each call and answers with a password from a file.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use mailcred_core::accounts::Security;
use mailcred_e2e::dovecot::{DovecotServer, MailProtocol, STARTTLS_HOST, TLS_HOST};
use mailcred_e2e::hostile::{HostileServer, Hostility};
use mailcred_lettre::reader::{ReadError, ReadProtocol, ReaderCheck, Refusal};
use mailcred_lettre::{CredentialHelper, Error};
use tempfile::TempDir;

const USER: &str = "alice@example.org";
const PASSWORD: &str = "abcd efgh ijkl mnop";

/// A helper answering `get` with the password in its directory's `answer`,
/// writing each request to `calls`; exiting 81 (locked) when `answer` is
/// missing.
struct Helper {
    dir: TempDir,
}

impl Helper {
    fn answering(password: Option<&str>) -> Helper {
        let dir = TempDir::new().unwrap();
        let script = dir.path().join("helper");
        fs::write(
            &script,
            "#!/bin/sh\n\
             dir=$(dirname \"$0\")\n\
             { echo \"action=$1\"; cat; echo; } >> \"$dir/calls\"\n\
             [ -f \"$dir/answer\" ] || { echo 'keyring locked' >&2; exit 81; }\n\
             printf 'password=%s\\n' \"$(cat \"$dir/answer\")\"\n",
        )
        .unwrap();
        fs::set_permissions(&script, fs::Permissions::from_mode(0o700)).unwrap();
        if let Some(password) = password {
            fs::write(dir.path().join("answer"), password).unwrap();
        }
        Helper { dir }
    }

    fn helper(&self) -> CredentialHelper {
        CredentialHelper::program(self.dir.path().join("helper"))
    }

    fn calls(&self) -> String {
        fs::read_to_string(self.dir.path().join("calls")).unwrap_or_default()
    }
}

fn check(
    server: &DovecotServer,
    protocol: ReadProtocol,
    security: Security,
    helper: &Helper,
) -> ReaderCheck {
    let ports = server.ports();
    let (host, port) = match (protocol, security) {
        (ReadProtocol::Imap, Security::Tls) => (TLS_HOST, ports.imaps),
        (ReadProtocol::Imap, _) => (STARTTLS_HOST, ports.imap),
        (ReadProtocol::Pop, Security::Tls) => (TLS_HOST, ports.pop3s),
        (ReadProtocol::Pop, _) => (STARTTLS_HOST, ports.pop3),
    };
    ReaderCheck::new(protocol, host, port, security, USER)
        .account("work")
        .credential_helper(helper.helper())
        .add_root_certificate_file(server.ca_file())
        .expect("the test CA is a PEM certificate")
}

const ENDPOINTS: [(ReadProtocol, Security); 4] = [
    (ReadProtocol::Imap, Security::Tls),
    (ReadProtocol::Imap, Security::Starttls),
    (ReadProtocol::Pop, Security::Tls),
    (ReadProtocol::Pop, Security::Starttls),
];

#[test]
fn imap_and_pop_over_tls_and_starttls_log_in_with_the_helpers_password() {
    let server = DovecotServer::start(&[(USER, PASSWORD)]);
    let helper = Helper::answering(Some(PASSWORD));
    for (protocol, security) in ENDPOINTS {
        let checked = check(&server, protocol, security, &helper).run();
        assert!(checked.is_ok(), "{protocol} over {security:?}: {checked:?}");
    }
    let logins = server.logins_of(USER);
    assert_eq!(
        logins
            .iter()
            .map(|l| (l.protocol, l.accepted, l.tls, l.local_address.as_str()))
            .collect::<Vec<_>>(),
        [
            (MailProtocol::Imap, true, true, "127.0.0.1"),
            (MailProtocol::Imap, true, true, STARTTLS_HOST),
            (MailProtocol::Pop3, true, true, "127.0.0.1"),
            (MailProtocol::Pop3, true, true, STARTTLS_HOST),
        ],
        "the server should see four TLS logins, two after STARTTLS:\n{}",
        server.log()
    );
    let calls = helper.calls();
    assert!(
        calls.contains(&format!(
            "protocol=imap\nhost={TLS_HOST}:{}\nusername={USER}\n",
            server.ports().imaps
        )) && calls.contains(&format!(
            "protocol=pop\nhost={STARTTLS_HOST}:{}\n",
            server.ports().pop3
        )),
        "the helper is asked for each endpoint's own credential: {calls}"
    );
}

#[test]
fn a_wrong_password_is_refused_and_explained_without_the_password() {
    let server = DovecotServer::start(&[(USER, PASSWORD)]);
    let helper = Helper::answering(Some("not the password"));
    for (protocol, security) in ENDPOINTS {
        let refused = check(&server, protocol, security, &helper).run();
        let Err(error @ ReadError::Refused { refusal, .. }) = &refused else {
            panic!("{protocol} over {security:?} should be refused: {refused:?}");
        };
        assert_eq!(*refusal, Refusal::WrongPassword);
        let message = error.to_string();
        assert!(
            message.contains("Authentication failed")
                && message.contains("mailcred set-password")
                && !message.contains("not the password"),
            "the server quoted, what to do, never the password: {message}"
        );
        assert!(
            !error.is_transient(),
            "a wrong password is no reason to retry"
        );
    }
    let logins = server.logins_of(USER);
    assert_eq!(logins.len(), 4, "{}", server.log());
    assert!(
        logins
            .iter()
            .all(|l| l.refused("not the password") && l.tls),
        "each refused over TLS, with the password the helper gave: {logins:?}"
    );
}

#[test]
fn an_untrusted_server_is_refused_before_the_helper_is_asked() {
    let server = DovecotServer::start(&[(USER, PASSWORD)]);
    let helper = Helper::answering(Some(PASSWORD));
    let ports = server.ports();
    for (protocol, security, host, port) in [
        (ReadProtocol::Imap, Security::Tls, TLS_HOST, ports.imaps),
        (
            ReadProtocol::Pop,
            Security::Starttls,
            STARTTLS_HOST,
            ports.pop3,
        ),
    ] {
        let checked = ReaderCheck::new(protocol, host, port, security, USER)
            .credential_helper(helper.helper())
            .run();
        assert!(
            matches!(&checked, Err(e @ ReadError::Tls { .. }) if e.to_string().contains("not trusted")),
            "{protocol}: the test CA is not among Mozilla's roots: {checked:?}"
        );
    }
    assert_eq!(
        helper.calls(),
        "",
        "no keyring is unlocked for an unverified server"
    );
    assert_eq!(server.logins_of(USER), [], "no password reached the server");
}

#[test]
fn a_failing_helper_is_reported_and_no_login_is_tried() {
    let server = DovecotServer::start(&[(USER, PASSWORD)]);
    let helper = Helper::answering(None);
    let checked = check(&server, ReadProtocol::Imap, Security::Tls, &helper).run();
    assert!(
        matches!(&checked, Err(ReadError::Local(Error::HelperFailed { status, .. })) if status.code() == Some(81)),
        "the helper's own status is kept for the exit status: {checked:?}"
    );
    assert_eq!(server.logins_of(USER), [], "nothing was sent for a login");
}

#[test]
fn a_reader_endpoint_without_tls_is_never_used() {
    let helper = Helper::answering(Some(PASSWORD));
    let checked = ReaderCheck::new(
        ReadProtocol::Imap,
        "127.0.0.1",
        9,
        Security::NoneDangerous,
        USER,
    )
    .credential_helper(helper.helper())
    .run();
    assert!(
        matches!(checked, Err(ReadError::Unencrypted { .. })),
        "{checked:?}"
    );
    assert_eq!(helper.calls(), "");
}

#[test]
fn an_endless_greeting_is_cut_at_the_line_limit() {
    let hostile = HostileServer::start(Hostility::EndlessLine { cap: 64 << 20 });
    let helper = Helper::answering(Some(PASSWORD));
    let checked = ReaderCheck::new(
        ReadProtocol::Imap,
        "127.0.0.1",
        hostile.port(),
        Security::Starttls,
        USER,
    )
    .credential_helper(helper.helper())
    .run();
    assert!(
        matches!(checked, Err(ReadError::ReplyTooLarge { .. })),
        "{checked:?}"
    );
    let report = hostile.report();
    assert!(
        !report.reached_cap,
        "the client hung up long before 64 MiB: {report:?}"
    );
}

#[test]
fn a_trickling_server_is_given_up_at_the_exchange_deadline() {
    let hostile = HostileServer::start(Hostility::TrickledGreeting {
        every: Duration::from_millis(100),
        count: 600,
    });
    let helper = Helper::answering(Some(PASSWORD));
    let checked = ReaderCheck::new(
        ReadProtocol::Pop,
        "127.0.0.1",
        hostile.port(),
        Security::Starttls,
        USER,
    )
    .credential_helper(helper.helper())
    .timeout(Some(Duration::from_secs(5)))
    .exchange_timeout(Some(Duration::from_secs(1)))
    .run();
    assert!(
        matches!(&checked, Err(e @ ReadError::Deadline { .. }) if e.is_transient()),
        "each byte comes within the timeout, the whole greeting never: {checked:?}"
    );
    assert!(
        !hostile.report().reached_cap,
        "the client hung up at the deadline"
    );
    assert_eq!(helper.calls(), "");
}

//! The SMTP test server itself, proved with real clients given the password
//! in plain text: msmtp, git send-email and a raw SMTP transcript. The tests
//! of mailcred with the mail tools (`mail`) build on what these show works.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use mailcred_e2e::smtp::{SmtpMode, SmtpServer};
use mailcred_e2e::{Outcome, run};
use tempfile::TempDir;

const USER: &str = "alice@example.org";
/// Shaped like a Gmail app password: four groups with spaces.
const PASSWORD: &str = "abcd efgh ijkl mnop";
const RECIPIENT: &str = "bob@example.org";

mod msmtp {
    use super::*;

    /// Sends one message with msmtp, `auth` being its mechanism (`plain`,
    /// `login`, or `off` for no AUTH at all).
    fn send(server: &SmtpServer, tls: bool, auth: &str, password: &str, subject: &str) -> Outcome {
        let dir = TempDir::new().unwrap();
        let mut rc = format!(
            "account test\nhost {}\nport {}\nfrom {USER}\ntimeout 20\nauth {auth}\n",
            server.host(),
            server.port()
        );
        if auth != "off" {
            rc += &format!("user {USER}\npassword \"{password}\"\n");
        }
        if tls {
            let starttls = if server.mode() == SmtpMode::StartTls {
                "on"
            } else {
                "off"
            };
            rc += &format!(
                "tls on\ntls_starttls {starttls}\ntls_trust_file {}\n",
                server.ca_file().display()
            );
        } else {
            rc += "tls off\n";
        }
        let rc_file = dir.path().join("msmtprc");
        fs::write(&rc_file, rc).unwrap();
        // msmtp refuses a config file with a password that others can read.
        fs::set_permissions(&rc_file, fs::Permissions::from_mode(0o600)).unwrap();

        let mut msmtp = Command::new("msmtp");
        msmtp
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir.path())
            .arg("-C")
            .arg(&rc_file)
            .args(["-a", "test", RECIPIENT]);
        let message = format!("From: {USER}\nTo: {RECIPIENT}\nSubject: {subject}\n\nHello.\n");
        run(msmtp, message.as_bytes())
    }

    fn delivers_with_the_password(mode: SmtpMode) {
        let server = SmtpServer::start(mode, &[(USER, PASSWORD)]);
        let subject = format!("over {}", mode.as_str());
        let sent = send(&server, mode.uses_tls(), "plain", PASSWORD, &subject);
        assert!(sent.success(), "msmtp should send over {mode:?}:\n{}", sent);

        let auths = server.auths();
        assert_eq!(
            auths.len(),
            1,
            "msmtp should authenticate exactly once: {auths:?}"
        );
        assert_eq!(
            (
                auths[0].username.as_str(),
                auths[0].password.as_str(),
                auths[0].ok
            ),
            (USER, PASSWORD, true),
            "the server should see the configured user and password"
        );
        let messages = server.messages();
        assert_eq!(messages.len(), 1, "one message should arrive: {messages:?}");
        assert_eq!(messages[0].mail_from, USER);
        assert_eq!(messages[0].rcpt_tos, [RECIPIENT]);
        assert!(
            messages[0].data.contains(&format!("Subject: {subject}")),
            "the message should arrive whole: {:?}",
            messages[0].data
        );
    }

    #[test]
    fn delivers_over_plain_smtp() {
        delivers_with_the_password(SmtpMode::Plain);
    }

    #[test]
    fn delivers_over_starttls_trusting_the_test_certificate() {
        delivers_with_the_password(SmtpMode::StartTls);
    }

    #[test]
    fn delivers_over_implicit_tls_trusting_the_test_certificate() {
        delivers_with_the_password(SmtpMode::Tls);
    }

    #[test]
    fn auth_login_records_the_password_like_auth_plain() {
        let server = SmtpServer::start(SmtpMode::Plain, &[(USER, PASSWORD)]);
        let sent = send(&server, false, "login", PASSWORD, "login");
        assert!(
            sent.success(),
            "msmtp should send with AUTH LOGIN:\n{}",
            sent
        );
        let auth = &server.auths()[0];
        assert_eq!(
            (auth.mechanism.as_str(), auth.password.as_str(), auth.ok),
            ("LOGIN", PASSWORD, true)
        );
        assert_eq!(server.messages().len(), 1, "the message should arrive");
    }

    #[test]
    fn wrong_password_is_refused_and_nothing_is_delivered() {
        for mode in SmtpMode::ALL {
            let server = SmtpServer::start(mode, &[(USER, PASSWORD)]);
            let sent = send(
                &server,
                mode.uses_tls(),
                "plain",
                "not the password",
                "wrong",
            );
            assert!(!sent.success(), "msmtp should fail over {mode:?}");
            assert!(
                sent.stderr
                    .contains("535 5.7.8 Authentication credentials invalid"),
                "msmtp should report the server's 535 over {mode:?}:\n{}",
                sent
            );
            let auths = server.auths();
            assert_eq!(auths.len(), 1, "one AUTH attempt over {mode:?}: {auths:?}");
            assert_eq!(
                (auths[0].password.as_str(), auths[0].ok),
                ("not the password", false),
                "the server should record the rejected password"
            );
            assert_eq!(
                server.messages(),
                [],
                "nothing may be delivered over {mode:?}"
            );
        }
    }

    #[test]
    fn mail_without_auth_is_refused() {
        let server = SmtpServer::start(SmtpMode::Plain, &[(USER, PASSWORD)]);
        let sent = send(&server, false, "off", "", "no auth");
        assert!(!sent.success(), "msmtp without AUTH should fail");
        assert!(
            sent.stderr.contains("530 5.7.0 Authentication required"),
            "the server should answer 530:\n{}",
            sent
        );
        assert_eq!(
            server.messages(),
            [],
            "nothing may be delivered without AUTH"
        );
    }

    #[test]
    fn rejected_recipient_gets_550_and_nothing_is_delivered() {
        let server =
            SmtpServer::start_rejecting(SmtpMode::Plain, &[(USER, PASSWORD)], &[RECIPIENT]);
        let sent = send(&server, false, "plain", PASSWORD, "rejected");
        assert!(
            !sent.success(),
            "msmtp should fail on the rejected recipient"
        );
        assert!(
            sent.stderr.contains("550 5.1.1 Recipient rejected"),
            "msmtp should report the 550:\n{}",
            sent
        );
        assert!(server.auths()[0].ok, "the AUTH itself succeeded");
        assert_eq!(server.messages(), [], "nothing may be delivered");
    }
}

mod git_send_email {
    use super::*;

    /// A repository with one commit and its patch; returns the patch's path.
    fn patch(dir: &Path) -> std::path::PathBuf {
        let repo = dir.join("repo");
        fs::create_dir(&repo).unwrap();
        fs::write(repo.join("README"), "hello\n").unwrap();
        for args in [
            &["init", "-q"][..],
            &["add", "README"],
            &["commit", "-q", "-m", "Add a README"],
            &["format-patch", "-q", "-1", "-o", "../patches"],
        ] {
            let mut command = git(dir);
            command.current_dir(&repo).args(args);
            let output = run(command, b"");
            assert!(output.success(), "git {args:?}:\n{output}");
        }
        dir.join("patches/0001-Add-a-README.patch")
    }

    fn git(home: &Path) -> Command {
        let mut git = Command::new("git");
        git.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Alice")
            .env("GIT_AUTHOR_EMAIL", USER)
            .env("GIT_COMMITTER_NAME", "Alice")
            .env("GIT_COMMITTER_EMAIL", USER);
        git
    }

    /// `git send-email` of one patch through `server`, with `extra` options.
    fn send_email(server: &SmtpServer, password: &str, extra: &[&str]) -> Outcome {
        let dir = TempDir::new().unwrap();
        let patch = patch(dir.path());
        let encryption = match server.mode() {
            SmtpMode::Plain => "none",
            SmtpMode::StartTls => "tls",
            SmtpMode::Tls => "ssl",
        };
        let mut git = git(dir.path());
        git.arg("send-email")
            .args([
                "--confirm=never",
                "--suppress-cc=all",
                "--from",
                USER,
                "--to",
                RECIPIENT,
            ])
            .arg(format!("--smtp-server={}", server.host()))
            .arg(format!("--smtp-server-port={}", server.port()))
            .arg(format!("--smtp-encryption={encryption}"))
            .arg(format!("--smtp-user={USER}"))
            .arg(format!("--smtp-pass={password}"))
            .args(extra)
            .arg(patch);
        run(git, b"")
    }

    fn assert_delivered(server: &SmtpServer, sent: &Outcome) {
        let auths = server.auths();
        assert_eq!(
            auths.len(),
            1,
            "git should authenticate once: {auths:?}\n{}",
            sent
        );
        assert_eq!(
            (
                auths[0].username.as_str(),
                auths[0].password.as_str(),
                auths[0].ok
            ),
            (USER, PASSWORD, true)
        );
        let messages = server.messages();
        assert_eq!(messages.len(), 1, "the patch should arrive: {messages:?}");
        assert_eq!(messages[0].rcpt_tos, [RECIPIENT]);
        assert!(
            messages[0].data.contains("Subject: [PATCH] Add a README"),
            "the patch should arrive whole: {:?}",
            messages[0].data
        );
        assert!(sent.success(), "git send-email should succeed:\n{}", sent);
    }

    #[test]
    fn delivers_over_plain_smtp() {
        let server = SmtpServer::start(SmtpMode::Plain, &[(USER, PASSWORD)]);
        let sent = send_email(&server, PASSWORD, &[]);
        assert_delivered(&server, &sent);
    }

    #[test]
    fn delivers_over_starttls_with_smtp_ssl_cert_path() {
        let server = SmtpServer::start(SmtpMode::StartTls, &[(USER, PASSWORD)]);
        let ca = format!("--smtp-ssl-cert-path={}", server.ca_file().display());
        let sent = send_email(&server, PASSWORD, &[&ca]);
        assert_delivered(&server, &sent);
    }

    #[test]
    fn delivers_over_implicit_tls_with_smtp_ssl_cert_path() {
        let server = SmtpServer::start(SmtpMode::Tls, &[(USER, PASSWORD)]);
        let ca = format!("--smtp-ssl-cert-path={}", server.ca_file().display());
        let sent = send_email(&server, PASSWORD, &[&ca]);
        assert_delivered(&server, &sent);
    }

    #[test]
    fn verifies_the_certificate_against_the_system_store_without_cert_path() {
        let server = SmtpServer::start(SmtpMode::StartTls, &[(USER, PASSWORD)]);
        let sent = send_email(&server, PASSWORD, &[]);
        assert!(
            !sent.success(),
            "git send-email should reject the self-signed certificate:\n{}",
            sent
        );
        assert!(
            sent.stderr.contains("certificate verify failed"),
            "the failure should be the certificate check:\n{}",
            sent
        );
        assert_eq!(
            server.auths(),
            [],
            "no password may be sent to an unverified server"
        );
        assert_eq!(server.messages(), []);
    }

    #[test]
    fn wrong_password_is_refused_and_nothing_is_delivered() {
        let server = SmtpServer::start(SmtpMode::Plain, &[(USER, PASSWORD)]);
        let sent = send_email(&server, "not the password", &[]);
        assert!(!sent.success(), "git send-email should fail:\n{}", sent);
        let auths = server.auths();
        assert_eq!(auths.len(), 1, "one AUTH attempt: {auths:?}");
        assert!(
            !auths[0].ok,
            "the wrong password should be recorded as refused"
        );
        assert_eq!(server.messages(), [], "nothing may be delivered");
    }
}

pub(crate) mod server {
    use super::*;

    /// Sends each command and returns the server's reply to the greeting and
    /// to each command, multi-line replies joined with `\n`.
    pub(crate) fn transcript(server: &SmtpServer, commands: &[&str]) -> Vec<String> {
        let stream = TcpStream::connect((server.host(), server.port())).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut read_reply = || {
            let mut reply = Vec::new();
            loop {
                let mut line = String::new();
                reader
                    .read_line(&mut line)
                    .expect("a reply from the server");
                let line = line.trim_end().to_owned();
                let last = line.as_bytes().get(3) != Some(&b'-');
                reply.push(line);
                if last {
                    return reply.join("\n");
                }
            }
        };
        let mut replies = vec![read_reply()];
        for command in commands {
            (&stream)
                .write_all(format!("{command}\r\n").as_bytes())
                .unwrap();
            replies.push(read_reply());
        }
        replies
    }

    #[test]
    fn plain_mode_offers_auth_and_refuses_mail_before_it() {
        let server = SmtpServer::start(SmtpMode::Plain, &[(USER, PASSWORD)]);
        let replies = transcript(
            &server,
            &["EHLO client", "MAIL FROM:<a@example.org>", "QUIT"],
        );
        assert!(replies[0].starts_with("220 "), "greeting: {replies:?}");
        assert!(
            replies[1].contains("250-AUTH LOGIN PLAIN"),
            "EHLO: {replies:?}"
        );
        assert_eq!(replies[2], "530 5.7.0 Authentication required");
    }

    #[test]
    fn starttls_mode_refuses_auth_and_mail_before_starttls() {
        let server = SmtpServer::start(SmtpMode::StartTls, &[(USER, PASSWORD)]);
        let replies = transcript(
            &server,
            &[
                "EHLO client",
                // \0alice\0secret
                "AUTH PLAIN AGFsaWNlAHNlY3JldA==",
                "MAIL FROM:<a@example.org>",
                "QUIT",
            ],
        );
        assert!(replies[1].contains("250-STARTTLS"), "EHLO: {replies:?}");
        assert!(
            !replies[1].contains("AUTH"),
            "no AUTH before STARTTLS: {replies:?}"
        );
        assert_eq!(replies[2], "530 Must issue a STARTTLS command first");
        assert_eq!(replies[3], "530 Must issue a STARTTLS command first");
        assert_eq!(server.auths(), [], "no AUTH may be attempted in the clear");
    }

    #[test]
    fn stops_cleanly_on_sigterm() {
        let server = SmtpServer::start(SmtpMode::Tls, &[(USER, PASSWORD)]);
        let status = server.stop();
        assert!(
            status.success(),
            "the server should exit 0 on SIGTERM: {status:?}"
        );
    }
}

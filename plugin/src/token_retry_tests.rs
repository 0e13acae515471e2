//! The one refresh after a refused OAuth2 access token, through both
//! transports and the reader check: a scripted server on loopback, and a
//! shell helper that writes down each call and answers tokens from a list.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use base64::Engine;
use lettre::Transport;
use mailcred_core::accounts::Security;
use tempfile::TempDir;

use crate::reader::{ReadProtocol, ReaderCheck};
use crate::{CredentialHelper, Error, MailcredTransport, MailcredTransportBuilder};

const USER: &str = "alice@example.org";
const STALE: &str = "stale-token";
const FRESH: &str = "fresh-token";

/// What the server says to each token: `235` for [`FRESH`], `REFUSAL`
/// for anything else.
struct Server {
    port: u16,
    /// Each AUTH as `MECHANISM user token`.
    auths: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// An SMTP server offering `offered`, refusing tokens with `refusal`.
    fn smtp(offered: &'static str, refusal: &'static str) -> Server {
        Server::start(move |stream, auths| smtp_session(stream, auths, offered, refusal))
    }

    /// An IMAP server offering XOAUTH2 with SASL-IR.
    fn imap() -> Server {
        Server::start(imap_session)
    }

    fn start(session: impl Fn(TcpStream, &Mutex<Vec<String>>) + Send + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let auths = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&auths);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                session(stream, &seen);
            }
        });
        Server { port, auths }
    }

    fn auths(&self) -> Vec<String> {
        self.auths.lock().unwrap().clone()
    }
}

/// `MECHANISM user token` of an XOAUTH2 initial response.
fn decoded(mechanism: &str, response: &str) -> String {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(response.trim())
        .unwrap_or_default();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let user = raw.split('\x01').next().unwrap_or_default();
    let token = raw.split("auth=Bearer ").nth(1).unwrap_or_default();
    format!(
        "{mechanism} {} {}",
        user.trim_start_matches("user="),
        token.trim_end_matches('\x01')
    )
}

fn smtp_session(stream: TcpStream, auths: &Mutex<Vec<String>>, offered: &str, refusal: &str) {
    let mut out = stream.try_clone().unwrap();
    let mut lines = BufReader::new(stream).lines();
    let mut say = |line: &str| {
        let _ = out.write_all(format!("{line}\r\n").as_bytes());
    };
    say("220 test ESMTP");
    while let Some(Ok(line)) = lines.next() {
        let mut words = line.split(' ');
        match words
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase()
            .as_str()
        {
            "EHLO" => say(&format!("250-test\r\n250 AUTH {offered}")),
            "AUTH" => {
                let mechanism = words.next().unwrap_or_default();
                let seen = decoded(mechanism, words.next().unwrap_or_default());
                let ok = seen.ends_with(&format!(" {FRESH}"));
                auths.lock().unwrap().push(seen);
                say(if ok { "235 2.7.0 Accepted" } else { refusal });
            }
            "QUIT" => {
                say("221 bye");
                return;
            }
            _ => say("250 OK"),
        }
    }
}

fn imap_session(stream: TcpStream, auths: &Mutex<Vec<String>>) {
    let mut out = stream.try_clone().unwrap();
    let mut lines = BufReader::new(stream).lines();
    let mut say = |line: &str| {
        let _ = out.write_all(format!("{line}\r\n").as_bytes());
    };
    say("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=XOAUTH2] ready");
    while let Some(Ok(line)) = lines.next() {
        let words: Vec<&str> = line.split(' ').collect();
        match words.get(1).copied().unwrap_or_default() {
            "AUTHENTICATE" => {
                let seen = decoded(words[2], words.get(3).copied().unwrap_or_default());
                let ok = seen.ends_with(&format!(" {FRESH}"));
                auths.lock().unwrap().push(seen);
                if ok {
                    say(&format!("{} OK Logged in", words[0]));
                } else {
                    say(&format!(
                        "{} NO [AUTHENTICATIONFAILED] Authentication failed.",
                        words[0]
                    ));
                }
            }
            "LOGOUT" => {
                say(&format!("* BYE\r\n{} OK bye", words[0]));
                return;
            }
            _ => say(&format!("{} OK", words[0])),
        }
    }
}

/// A helper answering `get` with the next line of `tokens` (the last one
/// again when they run out), writing each call as `ACTION password=…`.
struct Helper {
    dir: TempDir,
}

impl Helper {
    fn answering(tokens: &[&str]) -> Helper {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("tokens"), tokens.join("\n") + "\n").unwrap();
        fs::write(dir.path().join("calls"), "").unwrap();
        Helper { dir }
    }

    fn spec(&self) -> CredentialHelper {
        let dir = self.dir.path().display();
        CredentialHelper::new(&format!(
            "!f() {{ d='{dir}'; req=$(cat); \
               pw=$(printf '%s\\n' \"$req\" | sed -n 's/^password=//p'); \
               echo \"$1 $pw\" >> \"$d/calls\"; \
               if [ \"$1\" = get ]; then \
                 t=$(head -n1 \"$d/tokens\"); \
                 [ \"$(wc -l < \"$d/tokens\")\" -gt 1 ] && sed -i 1d \"$d/tokens\"; \
                 printf 'username={USER}\\npassword=%s\\n' \"$t\"; \
               fi; }}; f"
        ))
        .unwrap()
    }

    /// Each call as `ACTION` or `ACTION TOKEN` (store and erase carry one).
    fn calls(&self) -> Vec<String> {
        fs::read_to_string(self.dir.path().join("calls"))
            .unwrap()
            .lines()
            .map(|l| l.trim_end().to_owned())
            .collect()
    }
}

fn transport(server: &Server, helper: &Helper, oauth: bool) -> MailcredTransportBuilder {
    MailcredTransport::builder_dangerous("127.0.0.1", USER)
        .port(server.port)
        .credential_helper(helper.spec())
        .oauth2(oauth)
}

fn message() -> lettre::Message {
    lettre::Message::builder()
        .from(USER.parse().unwrap())
        .to("bob@example.org".parse().unwrap())
        .subject("hi")
        .body(String::from("hi"))
        .unwrap()
}

const REFUSED_TOKEN: &str = "535 5.7.3 Authentication unsuccessful";

#[test]
fn a_refused_token_is_erased_refreshed_and_tried_once_more() {
    let server = Server::smtp("XOAUTH2", REFUSED_TOKEN);
    let helper = Helper::answering(&[STALE, FRESH]);
    transport(&server, &helper, true)
        .build()
        .unwrap()
        .test_connection()
        .expect("the fresh token is accepted");
    assert_eq!(
        server.auths(),
        [
            format!("XOAUTH2 {USER} {STALE}"),
            format!("XOAUTH2 {USER} {FRESH}")
        ]
    );
    assert_eq!(
        helper.calls(),
        [
            "get".to_owned(),
            format!("erase {STALE}"),
            "get".into(),
            format!("store {FRESH}")
        ],
        "the erase carries the refused token, so the helper drops that one only; then a get"
    );
}

#[test]
fn a_token_refused_again_after_the_refresh_is_an_error_and_never_a_second_refresh() {
    let server = Server::smtp("XOAUTH2 PLAIN", REFUSED_TOKEN);
    let helper = Helper::answering(&[STALE, "also-refused"]);
    let error = transport(&server, &helper, true)
        .approve_and_reject(false)
        .build()
        .unwrap()
        .send(&message())
        .unwrap_err();
    let Error::Authentication { login, reply } = &error else {
        panic!("a refused token is Error::Authentication: {error:?}");
    };
    assert!(login.oauth && reply.code == 535);
    assert!(
        error.to_string().contains("wrong scope or audience"),
        "{error}"
    );
    assert_eq!(server.auths().len(), 2, "one retry, never more");
    assert_eq!(
        helper.calls(),
        ["get".to_owned(), format!("erase {STALE}"), "get".into()],
        "one erase even with approve_and_reject off (it only asks for a refresh); none after the retry"
    );
}

#[test]
fn smtp_auth_disabled_is_not_worth_a_refresh() {
    let off = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled";
    let server = Server::smtp("XOAUTH2", off);
    let helper = Helper::answering(&[STALE]);
    let error = transport(&server, &helper, true)
        .build()
        .unwrap()
        .test_connection()
        .unwrap_err();
    assert!(
        error.to_string().contains("OAuth does not change that"),
        "{error}"
    );
    assert_eq!(server.auths().len(), 1);
    assert_eq!(helper.calls(), ["get"], "no erase, no second get");
}

#[test]
fn a_server_without_xoauth2_never_sees_the_token() {
    let server = Server::smtp("PLAIN LOGIN", REFUSED_TOKEN);
    let helper = Helper::answering(&[FRESH]);
    let error = transport(&server, &helper, true)
        .build()
        .unwrap()
        .test_connection()
        .unwrap_err();
    assert!(matches!(error, Error::NoOAuthMechanism { .. }), "{error:?}");
    assert!(server.auths().is_empty());
    assert!(helper.calls().is_empty(), "the helper is not even asked");
}

#[test]
fn an_app_password_refused_is_not_retried() {
    let server = Server::smtp(
        "XOAUTH2 PLAIN",
        "535 5.7.8 Authentication credentials invalid",
    );
    let helper = Helper::answering(&[STALE, FRESH]);
    let error = transport(&server, &helper, false)
        .build()
        .unwrap()
        .test_connection()
        .unwrap_err();
    assert!(error.to_string().contains("app password"), "{error}");
    let auths = server.auths();
    assert!(
        auths.len() == 1 && auths[0].starts_with("PLAIN "),
        "a password goes as PLAIN, once: {auths:?}"
    );
    assert_eq!(helper.calls(), ["get".to_owned(), format!("erase {STALE}")]);
}

#[cfg(feature = "async")]
#[tokio::test(flavor = "multi_thread")]
async fn the_tokio_transport_refreshes_a_refused_token_once_too() {
    use lettre::AsyncTransport;
    let server = Server::smtp("XOAUTH2", REFUSED_TOKEN);
    let helper = Helper::answering(&[STALE, FRESH, "never-asked-for"]);
    let mailer = transport(&server, &helper, true).build_async().unwrap();
    mailer
        .send(message())
        .await
        .expect("sent with the fresh token");
    assert_eq!(server.auths().len(), 2);
    assert_eq!(
        helper.calls(),
        [
            "get".to_owned(),
            format!("erase {STALE}"),
            "get".into(),
            format!("store {FRESH}")
        ]
    );
}

#[test]
fn the_imap_check_refreshes_a_refused_token_once() {
    let server = Server::imap();
    let helper = Helper::answering(&[STALE, FRESH]);
    // The fake server speaks no TLS, which a reader check never goes
    // without: the conversation is run over plain TCP below `run`.
    let check = ReaderCheck::new(
        ReadProtocol::Imap,
        "127.0.0.1",
        server.port,
        Security::NoneDangerous,
        USER,
    )
    .oauth2(true)
    .credential_helper(helper.spec());
    check
        .run_without_tls()
        .expect("the fresh token is accepted");
    assert_eq!(
        server.auths(),
        [
            format!("XOAUTH2 {USER} {STALE}"),
            format!("XOAUTH2 {USER} {FRESH}")
        ]
    );
    assert_eq!(
        helper.calls(),
        ["get".to_owned(), format!("erase {STALE}"), "get".into()]
    );
}

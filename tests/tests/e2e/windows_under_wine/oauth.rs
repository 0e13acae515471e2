//! `mailcred-oauth.exe refresh` under Wine against the tests' identity
//! provider (`tests/oauth/idp.py`) on the host's loopback: the Windows build
//! of the only code that speaks HTTP to an identity provider, through Wine's
//! sockets, with the request on stdin and the answer on stdout (the pipe
//! contract of notes/oauth-design.md §2).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde_json::{Value, json};

use super::*;

const CLIENT_ID: &str = "wine-test-client";
const USER: &str = "ann@example.com";
const SCOPE: &str = "https://outlook.office.com/SMTP.Send offline_access";
const REDIRECT_URI: &str = "http://localhost:1/";
/// RFC 7636's own example pair (appendix B): the verifier and its S256
/// challenge, fixed so that the test needs no SHA-256 of its own.
const PKCE_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const PKCE_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// `python3 tests/oauth/idp.py`, on a free port of 127.0.0.1, stopped on drop.
struct Idp {
    child: Child,
    // It exits when its stdin closes (--until-stdin-closes): held until drop.
    _stdin: ChildStdin,
    _stdout: BufReader<ChildStdout>,
    port: u16,
}

impl Idp {
    fn start() -> Self {
        require("python3", "python3");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("oauth/idp.py");
        let mut child = Command::new("python3")
            .arg(&script)
            .args(["--port", "0", "--until-stdin-closes"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", script.display()));
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let port = line
            .trim()
            .strip_prefix("listening on 127.0.0.1:")
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("idp.py should say where it listens, said {line:?}"));
        Self {
            child,
            _stdin: stdin,
            _stdout: stdout,
            port,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// One HTTP/1.1 exchange (the test's own requests to the server, not
    /// the program under test): status, headers, body.
    fn exchange(&self, method: &str, path: &str, body: Option<(&str, &str)>) -> Reply {
        let mut stream =
            TcpStream::connect(("127.0.0.1", self.port)).expect("connecting to idp.py");
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n",
            self.port
        );
        if let Some((content_type, body)) = body {
            request.push_str(&format!(
                "Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            ));
        } else {
            request.push_str("\r\n");
        }
        stream.write_all(request.as_bytes()).unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").expect("an HTTP answer");
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok());
        Reply {
            status: status.expect("an HTTP status line"),
            head: head.to_owned(),
            body: body.to_owned(),
        }
    }

    fn control(&self, settings: Value) {
        let reply = self.exchange(
            "POST",
            "/control",
            Some(("application/json", &settings.to_string())),
        );
        assert_eq!(reply.status, 200, "idp.py /control: {}", reply.body);
    }

    fn stats(&self) -> Value {
        serde_json::from_str(&self.exchange("GET", "/stats", None).body).unwrap()
    }

    /// Whether the server issued `token` and it is still valid (RFC 7662).
    fn is_active(&self, token: &str) -> bool {
        let form = format!("token={}", encode(token));
        let reply = self.exchange(
            "POST",
            "/introspect",
            Some(("application/x-www-form-urlencoded", &form)),
        );
        let answer: Value = serde_json::from_str(&reply.body).unwrap();
        answer["active"] == true && answer["username"] == USER
    }

    /// Signs Ann in as the browser and the companion's listener would: the
    /// authorize page's redirect carries the code, which the token endpoint
    /// exchanges (PKCE) for the first refresh token.
    fn sign_in(&self) -> String {
        let authorize = format!(
            "/organizations/oauth2/v2.0/authorize?client_id={CLIENT_ID}&response_type=code\
             &redirect_uri={}&scope={}&state=wine&code_challenge={PKCE_CHALLENGE}\
             &code_challenge_method=S256&login_hint={}",
            encode(REDIRECT_URI),
            encode(SCOPE),
            encode(USER)
        );
        let redirect = self.exchange("GET", &authorize, None);
        let code = redirect
            .header("location")
            .and_then(|location| {
                location
                    .split(['?', '&'])
                    .find_map(|p| p.strip_prefix("code="))
            })
            .map(|code| percent_decode_str(code).decode_utf8().unwrap().into_owned())
            .unwrap_or_else(|| panic!("idp.py should redirect with a code:\n{}", redirect.head));
        let form = format!(
            "grant_type=authorization_code&client_id={CLIENT_ID}&code={}&redirect_uri={}\
             &code_verifier={PKCE_VERIFIER}",
            encode(&code),
            encode(REDIRECT_URI)
        );
        let tokens = self.exchange(
            "POST",
            "/organizations/oauth2/v2.0/token",
            Some(("application/x-www-form-urlencoded", &form)),
        );
        let tokens: Value = serde_json::from_str(&tokens.body).unwrap();
        tokens["refresh_token"]
            .as_str()
            .unwrap_or_else(|| panic!("the code exchange should give a refresh token: {tokens}"))
            .to_owned()
    }

    /// The request `mailcred.exe` writes on `mailcred-oauth refresh`'s stdin.
    fn refresh_request(&self, refresh_token: &str) -> String {
        let request = json!({
            "account": "work",
            "user": USER,
            "provider": "custom",
            "authorize_url": self.url("/organizations/oauth2/v2.0/authorize"),
            "token_url": self.url("/organizations/oauth2/v2.0/token"),
            "device_url": self.url("/organizations/oauth2/v2.0/devicecode"),
            "client_id": CLIENT_ID,
            "client_secret": null,
            "scopes": SCOPE.split(' ').collect::<Vec<_>>(),
            "tenant": null,
            "refresh_token": refresh_token,
        });
        format!("{request}\n")
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

fn encode(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn mailcred_oauth_refreshes_a_token_at_the_loopback_identity_provider_under_wine() {
    let idp = Idp::start();
    let first_refresh_token = idp.sign_in();
    let prefix = WinePrefix::new();

    let before = unix_now();
    let refreshed = exe(
        &prefix,
        "mailcred-oauth.exe",
        &["refresh"],
        &idp.refresh_request(&first_refresh_token),
    );
    let after = unix_now();
    assert!(
        refreshed.success()
            && refreshed.stdout.ends_with('\n')
            && refreshed.stdout.lines().count() == 1,
        "refresh should exit 0 with one JSON line on stdout {}:\n{refreshed}",
        under_wine()
    );
    assert_lf_only("mailcred-oauth.exe refresh", &refreshed);
    let answer: Value = serde_json::from_str(&refreshed.stdout).unwrap_or_else(|e| {
        panic!(
            "the answer must be JSON ({e}) {}:\n{refreshed}",
            under_wine()
        )
    });
    let access_token = answer["access_token"].as_str().unwrap_or_default();
    assert!(
        idp.is_active(access_token),
        "the access token must be one the server issued to {USER} and still valid {}: {answer}",
        under_wine()
    );
    let rotated = answer["refresh_token"].as_str().unwrap_or_default();
    assert!(
        !rotated.is_empty() && rotated != first_refresh_token,
        "the server rotates the refresh token on every refresh: the answer must carry the new \
         one, which mailcred saves {}: {answer}",
        under_wine()
    );
    let expires_at = answer["expires_at"].as_u64().unwrap_or_default();
    assert!(
        (before + 3600..=after + 3600).contains(&expires_at),
        "expires_at is the time of the answer plus the server's expires_in of 3600 s \
         (between {} and {}) {}: {answer}",
        before + 3600,
        after + 3600,
        under_wine()
    );
    assert_eq!(
        idp.stats()["refreshes"],
        1,
        "one refresh request reached the server {}",
        under_wine()
    );
}

#[test]
fn a_revoked_refresh_token_says_sign_in_again_with_exit_83_under_wine() {
    let idp = Idp::start();
    let refresh_token = idp.sign_in();
    idp.control(json!({"revoke_refresh_tokens": true}));
    let prefix = WinePrefix::new();

    let refused = exe(
        &prefix,
        "mailcred-oauth.exe",
        &["refresh"],
        &idp.refresh_request(&refresh_token),
    );
    assert_eq!(
        refused.code,
        Some(i32::from(mailcred_core::exit::SIGN_IN_AGAIN)),
        "a revoked refresh token (invalid_grant, AADSTS70008) is exit 83, sign in again {}:\n{refused}",
        under_wine()
    );
    assert!(
        refused.stdout.is_empty()
            && refused.stderr.starts_with("mailcred: ")
            && refused.stderr.lines().count() == 1
            && refused.stderr.contains("mailcred login work"),
        "nothing on stdout, one line on stderr that says `mailcred login work` {}:\n{refused}",
        under_wine()
    );
    assert!(
        !refused.stderr.contains(&refresh_token),
        "the refresh token must never reach stderr {}",
        under_wine()
    );
    assert_lf_only("mailcred-oauth.exe refresh", &refused);
}

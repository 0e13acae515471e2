//! The test identity provider, `tests/oauth/idp.py` (python3, standard
//! library only), shaped like Microsoft's identity platform: one per test,
//! on a random loopback port, gone when dropped or when the test process
//! dies (it exits when its stdin closes).
//!
//! Besides its URLs, the fixture can get a token straight from it, as a
//! browser and `mailcred-oauth` would (authorize with PKCE, then the code
//! exchange), for tests of the servers that check tokens (the OAuth2 SMTP
//! server, Dovecot's oauth2 passdb) without mailcred in the way.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// The client id the tests sign in with (the provider accepts any).
pub const CLIENT_ID: &str = "mailcred-tests";
/// The tenant segment of the URLs.
pub const TENANT: &str = "organizations";

/// A running identity provider; stopped when dropped.
#[derive(Debug)]
pub struct Idp {
    port: u16,
    child: Child,
    /// Held open: the provider exits when it closes.
    stdin: Option<ChildStdin>,
}

/// Signs in the way `mailcred-oauth` does, in Python: PKCE S256, the
/// authorize redirect caught by hand, the code exchanged. Prints the
/// access token. Arguments: base URL, user, space-separated scopes.
const SIGN_IN: &str = r#"
import base64, hashlib, json, secrets, sys, urllib.error, urllib.parse, urllib.request
base, user, scopes, client = sys.argv[1:5]
verifier = secrets.token_urlsafe(48)
challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
redirect = "http://localhost:9/"
query = urllib.parse.urlencode(dict(client_id=client, response_type="code", redirect_uri=redirect,
    scope=scopes, state="s", code_challenge=challenge, code_challenge_method="S256", login_hint=user))
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None
opener = urllib.request.build_opener(NoRedirect, urllib.request.ProxyHandler({}))
try:
    opener.open(f"{base}/authorize?{query}")
    sys.exit("the authorize endpoint did not redirect")
except urllib.error.HTTPError as err:
    location = err.headers["Location"]
code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["code"][0]
form = urllib.parse.urlencode(dict(grant_type="authorization_code", code=code,
    redirect_uri=redirect, client_id=client, code_verifier=verifier)).encode()
print(json.load(opener.open(f"{base}/token", data=form))["access_token"])
"#;

impl Idp {
    /// Starts one. Panics, naming the cause, when python3 is missing or the
    /// provider does not start.
    pub fn start() -> Idp {
        crate::require("python3", "python3");
        let mut child = Command::new("python3")
            .arg(script())
            .args(["--port", "0", "--until-stdin-closes"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run tests/oauth/idp.py with python3: {e}"));
        let stdout = child.stdout.take().expect("piped");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let line = receiver.recv_timeout(READY_TIMEOUT).unwrap_or_default();
        let port = line
            .trim()
            .strip_prefix("listening on 127.0.0.1:")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!("tests/oauth/idp.py did not say `listening on 127.0.0.1:PORT`: {line:?}")
            });
        let stdin = child.stdin.take();
        Idp { port, child, stdin }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The tenant's endpoints' common prefix, Microsoft's shape.
    fn tenant_url(&self) -> String {
        format!("{}/{TENANT}/oauth2/v2.0", self.base_url())
    }

    /// The authorization endpoint.
    pub fn authorize_url(&self) -> String {
        format!("{}/authorize", self.tenant_url())
    }

    /// The token endpoint.
    pub fn token_url(&self) -> String {
        format!("{}/token", self.tenant_url())
    }

    /// The device authorization endpoint.
    pub fn device_url(&self) -> String {
        format!("{}/devicecode", self.tenant_url())
    }

    /// The RFC 7662 introspection endpoint the test servers ask.
    pub fn introspect_url(&self) -> String {
        format!("{}/introspect", self.base_url())
    }

    /// An access token for `user` with `scopes`, got straight from the
    /// provider (authorize with PKCE, code exchange): valid for the
    /// provider's access lifetime, active at its introspection endpoint.
    pub fn sign_in(&self, user: &str, scopes: &[&str]) -> String {
        let output = Command::new("python3")
            .args([
                "-c",
                SIGN_IN,
                &self.tenant_url(),
                user,
                &scopes.join(" "),
                CLIENT_ID,
            ])
            .stdin(Stdio::null())
            .output()
            .expect("run python3");
        assert!(
            output.status.success(),
            "signing in at the test identity provider failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout)
            .expect("a token is ASCII")
            .trim()
            .to_owned()
    }

    /// `POST /control` with `json` (see tests/oauth/README.md): changes how
    /// the provider behaves from now on.
    pub fn control(&self, json: &str) {
        let (status, body) = self.http("POST", "/control", json);
        assert_eq!(
            status, 200,
            "the provider refused the control {json}: {body}"
        );
    }

    /// `GET /stats`: how many refreshes, code exchanges… it answered.
    pub fn stats(&self) -> serde_json::Value {
        let (status, body) = self.http("GET", "/stats", "");
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).expect("the provider's stats are JSON")
    }

    /// Whether the provider calls `token` active now.
    pub fn is_active(&self, token: &str) -> bool {
        let form = format!(
            "token={}",
            percent_encoding::utf8_percent_encode(token, percent_encoding::NON_ALPHANUMERIC)
        );
        let (status, body) = self.http_form("/introspect", &form);
        assert_eq!(status, 200, "{body}");
        let answer: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        answer["active"] == true
    }

    fn http(&self, method: &str, path: &str, json: &str) -> (u16, String) {
        self.request(method, path, "application/json", json)
    }

    fn http_form(&self, path: &str, form: &str) -> (u16, String) {
        self.request("POST", path, "application/x-www-form-urlencoded", form)
    }

    /// One HTTP/1.1 request on its own connection. Hand-written: the tests
    /// need three plain requests to a loopback server they control, not an
    /// HTTP client crate.
    fn request(&self, method: &str, path: &str, content_type: &str, body: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("reach the provider");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("a read timeout");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
             Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("send the request");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read the answer");
        let status = answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = answer
            .split_once("\r\n\r\n")
            .map_or("", |(_, b)| b)
            .to_owned();
        (status, body)
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `tests/oauth/idp.py`.
pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("oauth/idp.py")
}

/// `tests/oauth/browser.py`, the stand-in browser: `BROWSER` for
/// `mailcred add --auth oauth2` is `python3` and this.
pub fn browser() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("oauth/browser.py")
}

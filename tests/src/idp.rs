//! The local identity provider of the OAuth2 tests: `python3
//! tests/oauth/idp.py` (shaped like Microsoft's identity platform, see
//! tests/oauth/README.md) on 127.0.0.1, and a minimal HTTP/1.1 client to
//! steer it (`/control`) and watch it (`/stats`, `/introspect`).
//!
//! The client is a few lines over `TcpStream` rather than an HTTP crate:
//! the tests talk to one plain-HTTP server on loopback that closes every
//! connection, and nothing here needs more.
//!
//! [`Idp::sign_in`] gets a token straight from it, as a browser and
//! `mailcred-oauth` would (authorize with PKCE, then the code exchange),
//! for tests of the servers that check tokens (the OAuth2 SMTP server,
//! Dovecot's oauth2 passdb) without mailcred in the way.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::process::PATIENCE;

/// A running idp.py, stopped when dropped (and by itself when the test
/// process dies: it runs until its stdin closes).
pub struct Idp {
    child: Child,
    port: u16,
}

/// `tests/oauth/`, where idp.py and browser.py are.
fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("oauth")
}

/// The client id the tests sign in with (the provider accepts any).
pub const CLIENT_ID: &str = "mailcred-tests";

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

/// `BROWSER` for the stand-in browser, which follows the authorize
/// redirect to the companion's loopback listener.
pub fn browser() -> String {
    format!("python3 {}", scripts().join("browser.py").display())
}

impl Idp {
    /// Starts idp.py on a free port and waits until it listens.
    pub fn start() -> Self {
        crate::require("python3", "python3");
        let mut child = Command::new("python3")
            .arg(scripts().join("idp.py"))
            .arg("--until-stdin-closes")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start python3 tests/oauth/idp.py: {e}"));
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout is piped");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("idp.py prints its address first");
        let port = line
            .trim()
            .strip_prefix("listening on 127.0.0.1:")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("idp.py's first line names its port, not {line:?}"));
        Self { child, port }
    }

    /// `http://127.0.0.1:PORT/organizations/oauth2/v2.0/`, where
    /// `authorize`, `token` and `devicecode` are.
    pub fn endpoints(&self) -> String {
        format!("http://127.0.0.1:{}/organizations/oauth2/v2.0/", self.port)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The authorization endpoint.
    pub fn authorize_url(&self) -> String {
        format!("{}authorize", self.endpoints())
    }

    /// The token endpoint.
    pub fn token_url(&self) -> String {
        format!("{}token", self.endpoints())
    }

    /// The RFC 7662 introspection endpoint the test servers ask.
    pub fn introspect_url(&self) -> String {
        format!("{}/introspect", self.base_url())
    }

    /// An access token for `user` with `scopes`, got straight from the
    /// provider (authorize with PKCE, code exchange): valid for the
    /// provider's access lifetime, active at its introspection endpoint.
    pub fn sign_in(&self, user: &str, scopes: &[&str]) -> String {
        let endpoints = self.endpoints();
        let output = Command::new("python3")
            .args(["-c", SIGN_IN, endpoints.trim_end_matches('/'), user])
            .arg(scopes.join(" "))
            .arg(CLIENT_ID)
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

    /// `POST /control` with these settings.
    pub fn control(&self, settings: Value) {
        let (status, body) = self.exchange("POST", "/control", &settings.to_string(), "json");
        assert_eq!(
            status, 200,
            "idp.py must take the settings {settings}: {body}"
        );
    }

    /// `GET /stats`: refreshes, code_exchanges, token_requests, …
    pub fn stats(&self) -> Value {
        let (status, body) = self.exchange("GET", "/stats", "", "json");
        assert_eq!(status, 200, "GET /stats: {body}");
        serde_json::from_str(&body).expect("idp.py's stats are JSON")
    }

    /// One number of [`stats`](Self::stats).
    pub fn stat(&self, name: &str) -> u64 {
        self.stats()[name]
            .as_u64()
            .unwrap_or_else(|| panic!("idp.py's stats have no {name}"))
    }

    /// Whether idp.py issued `token` and it is still valid (RFC 7662).
    pub fn is_active(&self, token: &str) -> bool {
        let (status, body) = self.exchange(
            "POST",
            "/introspect",
            &format!("token={token}"),
            "x-www-form-urlencoded",
        );
        assert_eq!(status, 200, "POST /introspect: {body}");
        let answer: Value = serde_json::from_str(&body).expect("introspection is JSON");
        answer["active"] == true
    }

    /// Where the browser is sent after the authorize URL `url` (its
    /// `Location`, not followed): what a user copies from the address bar.
    pub fn redirect_of(&self, url: &str) -> String {
        let target = url
            .strip_prefix(&format!("http://127.0.0.1:{}", self.port))
            .unwrap_or_else(|| panic!("{url} is not an address of this idp.py"));
        let (status, head) = self.request("GET", target, "", "json");
        assert_eq!(status, 302, "the authorize endpoint redirects:\n{head}");
        head.lines()
            .find_map(|l| l.strip_prefix("Location: "))
            .expect("a Location header")
            .trim()
            .to_owned()
    }

    /// `GET /requests`: every authorize, token and devicecode request's
    /// parameters, in order (what a test checks mailcred sent).
    pub fn requests(&self) -> Vec<Value> {
        let (status, body) = self.exchange("GET", "/requests", "", "json");
        assert_eq!(status, 200, "GET /requests: {body}");
        serde_json::from_str(&body).expect("idp.py's requests are JSON")
    }

    fn exchange(&self, method: &str, target: &str, body: &str, kind: &str) -> (u16, String) {
        let (status, answer) = self.request(method, target, body, kind);
        let body = answer
            .split_once("\r\n\r\n")
            .map_or(String::new(), |(_, b)| b.to_owned());
        (status, body)
    }

    /// One request with `Connection: close`; the status and the whole answer.
    fn request(&self, method: &str, target: &str, body: &str, kind: &str) -> (u16, String) {
        let mut stream =
            TcpStream::connect(("127.0.0.1", self.port)).expect("idp.py accepts connections");
        stream.set_read_timeout(Some(PATIENCE)).expect("a timeout");
        write!(
            stream,
            "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
             Content-Type: application/{kind}\r\nContent-Length: {len}\r\n\r\n{body}",
            port = self.port,
            len = body.len()
        )
        .expect("the request is sent");
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .expect("idp.py answers and closes");
        let status = answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, answer)
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

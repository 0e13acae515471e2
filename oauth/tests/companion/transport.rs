//! What travels between the companion and the identity provider: TLS or
//! loopback only, bounded hostile answers, proxies from the environment.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use mailcred_core::exit;
use serde_json::{Value, json};

use crate::support::{Idp, Run, companion};

fn refresh_with(idp: &Idp, first: &Value, env: &[(&str, &str)]) -> Run {
    let mut request = idp.request("browser");
    request["refresh_token"] = first["refresh_token"].clone();
    companion("refresh", &request, env)
}

#[test]
fn plain_http_to_a_host_that_is_not_loopback_is_refused_before_any_request() {
    let idp = Idp::start();
    let mut request = idp.request("browser");
    request["token_url"] = json!("http://login.example.com/organizations/oauth2/v2.0/token");
    request["refresh_token"] = json!("some-refresh-token");
    companion("refresh", &request, &[]).assert_failed(
        exit::CONFIG,
        "plain http:// to a host that is not a loopback address",
        &["some-refresh-token"],
    );
}

#[test]
fn an_authorize_url_over_plain_http_elsewhere_is_refused_before_a_browser_opens() {
    let idp = Idp::start();
    let mut request = idp.request("browser");
    request["authorize_url"] = json!("http://login.example.com/authorize");
    let run = companion(
        "login",
        &request,
        &[("BROWSER", &crate::support::browser())],
    );
    run.assert_failed(exit::CONFIG, "plain http://", &[]);
    assert_eq!(idp.stats()["authorize"], 0);
}

#[test]
fn a_token_answer_over_64_kib_is_refused_as_malformed() {
    let idp = Idp::start();
    let first = idp.signed_in();
    let padding = "x".repeat(70 * 1024);
    idp.control(json!({"fail": {"grant": "*", "status": 200,
        "raw_body": format!("{{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"pad\":\"{padding}\"}}")}}));
    refresh_with(&idp, &first, &[]).assert_failed(exit::PROTOCOL, "more than 64 KiB", &[]);
}

#[test]
fn a_token_answer_that_is_not_json_is_refused_as_malformed() {
    let idp = Idp::start();
    let first = idp.signed_in();
    idp.control(
        json!({"fail": {"grant": "*", "status": 200, "raw_body": "<html>hello</html>",
                                "content_type": "text/html"}}),
    );
    refresh_with(&idp, &first, &[]).assert_failed(exit::PROTOCOL, "without a JSON body", &[]);
    idp.control(
        json!({"fail": {"grant": "*", "status": 200, "raw_body": "{\"access_token\": 7}"}}),
    );
    refresh_with(&idp, &first, &[]).assert_failed(exit::PROTOCOL, "not a token response", &[]);
}

#[test]
fn an_access_token_over_16_kib_is_refused_as_malformed() {
    let idp = Idp::start();
    let first = idp.signed_in();
    idp.control(json!({"access_token_length": 20 * 1024}));
    refresh_with(&idp, &first, &[]).assert_failed(exit::PROTOCOL, "over 16 KiB", &[]);
}

#[test]
fn a_token_with_a_line_break_is_refused_as_malformed() {
    let idp = Idp::start();
    let first = idp.signed_in();
    idp.control(json!({"fail": {"grant": "*", "status": 200,
        "raw_body": "{\"access_token\":\"abc\\npassword=x\",\"token_type\":\"Bearer\",\"expires_in\":3600}"}}));
    refresh_with(&idp, &first, &[]).assert_failed(
        exit::PROTOCOL,
        "characters a token cannot have",
        &[],
    );
}

#[test]
fn an_identity_provider_nobody_listens_for_is_unreachable() {
    let idp = Idp::start();
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut request = idp.request("browser");
    request["token_url"] = json!(format!(
        "http://127.0.0.1:{closed}/organizations/oauth2/v2.0/token"
    ));
    request["refresh_token"] = json!("some-refresh-token");
    companion("refresh", &request, &[]).assert_failed(
        exit::SERVER_UNAVAILABLE,
        "cannot be reached",
        &[],
    );
}

/// A proxy on loopback that records each request line: CONNECT to a
/// loopback port is tunnelled, CONNECT elsewhere refused with 502 (there is
/// no TLS server to reach), anything else refused with 405.
struct Proxy {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let log = log.clone();
                thread::spawn(move || tunnel(stream, &log));
            }
        });
        Self { port, seen }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn tunnel(mut client: TcpStream, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut request_line = String::new();
    let _ = reader.read_line(&mut request_line);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
    }
    let request_line = request_line.trim_end().to_owned();
    log.lock().unwrap().push(request_line.clone());
    let target = request_line
        .strip_prefix("CONNECT ")
        .and_then(|r| r.split(' ').next());
    let Some(target) = target else {
        let _ = client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let upstream = match target.strip_prefix("127.0.0.1:") {
        Some(_) => TcpStream::connect(target).ok(),
        None => None,
    };
    let Some(mut upstream) = upstream else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
    let mut down = upstream.try_clone().unwrap();
    let mut back = client.try_clone().unwrap();
    thread::spawn(move || {
        let _ = std::io::copy(&mut down, &mut back);
    });
    let _ = std::io::copy(&mut reader, &mut upstream);
    let _ = upstream.shutdown(std::net::Shutdown::Write);
}

#[test]
fn https_proxy_carries_https_requests_as_connect_tunnels() {
    let idp = Idp::start();
    let proxy = Proxy::start();
    let mut request = idp.request("browser");
    request["token_url"] =
        json!("https://login.mailcred-test.invalid/organizations/oauth2/v2.0/token");
    request["refresh_token"] = json!("some-refresh-token");
    let run = companion("refresh", &request, &[("HTTPS_PROXY", &proxy.url())]);
    assert_eq!(
        proxy.seen(),
        vec!["CONNECT login.mailcred-test.invalid:443 HTTP/1.1".to_owned()],
        "the request went to the proxy as a tunnel, name resolution left to it:\n{run}"
    );
    run.assert_failed(
        exit::SERVER_UNAVAILABLE,
        "cannot be reached",
        &["some-refresh-token"],
    );
}

#[test]
fn https_proxy_also_carries_plain_http_to_loopback_as_a_connect_tunnel() {
    let idp = Idp::start();
    let first = idp.signed_in();
    let proxy = Proxy::start();
    let run = refresh_with(&idp, &first, &[("HTTPS_PROXY", &proxy.url())]);
    assert_eq!(run.code, Some(0), "the proxy forwarded the refresh:\n{run}");
    assert_eq!(
        proxy.seen(),
        vec![format!("CONNECT 127.0.0.1:{} HTTP/1.1", idp.port)],
        "ureq 3 tunnels http:// through the proxy with CONNECT too (no absolute form), loopback or not"
    );
}

#[test]
fn no_proxy_naming_the_loopback_host_bypasses_the_proxy() {
    let idp = Idp::start();
    let first = idp.signed_in();
    let proxy = Proxy::start();
    let run = refresh_with(
        &idp,
        &first,
        &[
            ("HTTPS_PROXY", &proxy.url()),
            ("NO_PROXY", "localhost,127.0.0.1"),
        ],
    );
    assert_eq!(run.code, Some(0), "{run}");
    assert!(
        proxy.seen().is_empty(),
        "NO_PROXY is honoured: {:?}",
        proxy.seen()
    );
}

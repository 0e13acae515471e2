//! Where the browser's redirect lands: a listener on 127.0.0.1 (never
//! 0.0.0.0) on a port the system picks, answering one sign-in answer and then
//! closed; and, for `no-browser`, the same answer pasted on stdin.
//!
//! Hand-written over `std::net` rather than an HTTP server crate: it reads one
//! request line of one GET and writes one fixed page, which is less code than
//! configuring a server to do only that.

use std::io::{self, BufRead, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::thread;
use std::time::Duration;

use oauth2::url::{Url, form_urlencoded};
use secrecy::SecretString;
use zeroize::Zeroizing;

/// The largest request head (or pasted line) read.
const MAX_HEAD: usize = 16 * 1024;
const PAGE_OK: &str = "<!doctype html><meta charset=\"utf-8\"><title>mailcred</title>\
<p>mailcred has the answer of the sign-in. You can close this window.</p>\n";
const PAGE_ERROR: &str = "<!doctype html><meta charset=\"utf-8\"><title>mailcred</title>\
<p>The sign-in did not succeed; mailcred says why in the terminal. You can close this window.</p>\n";

/// The parameters of a redirect to us (RFC 6749 §4.1.2).
pub struct Redirect {
    /// The authorization code.
    pub code: Option<SecretString>,
    /// The state handed back.
    pub state: Option<String>,
    /// The error code, when the sign-in failed.
    pub error: Option<String>,
    /// The provider's explanation (hostile text).
    pub error_description: Option<String>,
}

impl Redirect {
    /// The sign-in answer in `query`, if it is one (it has `code` or `error`).
    pub fn from_query(query: &str) -> Option<Self> {
        let mut redirect = Redirect {
            code: None,
            state: None,
            error: None,
            error_description: None,
        };
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let value = Zeroizing::new(value.into_owned());
            match &*key {
                "code" => redirect.code = Some(SecretString::from(value.as_str())),
                "state" => redirect.state = Some(value.to_string()),
                "error" => redirect.error = Some(value.to_string()),
                "error_description" => redirect.error_description = Some(value.to_string()),
                _ => {}
            }
        }
        (redirect.code.is_some() || redirect.error.is_some()).then_some(redirect)
    }
}

/// The bound listener.
pub struct Listener {
    socket: TcpListener,
    port: u16,
}

impl Listener {
    /// Binds 127.0.0.1 on a port the system picks.
    pub fn bind() -> io::Result<Self> {
        let socket = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let port = socket.local_addr()?.port();
        Ok(Self { socket, port })
    }

    /// The port the redirect URI names.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves in a thread until one sign-in answer came (sent on `answers`)
    /// or `done` is set; the socket is closed when the thread ends.
    pub fn spawn(self, answers: Sender<Redirect>, done: Arc<AtomicBool>) -> io::Result<()> {
        self.socket.set_nonblocking(true)?;
        thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                match self.socket.accept() {
                    Ok((stream, _)) => {
                        if let Some(redirect) = serve(stream) {
                            let _ = answers.send(redirect);
                            return;
                        }
                    }
                    Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                        thread::sleep(Duration::from_millis(50));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(50)),
                }
            }
        });
        Ok(())
    }
}

/// Answers one connection; the sign-in answer if it carried one.
fn serve(mut stream: TcpStream) -> Option<Redirect> {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let head = read_head(&mut stream)?;
    let target = head
        .strip_prefix("GET ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let redirect = (path == "/").then(|| Redirect::from_query(query)).flatten();
    let (status, page) = match &redirect {
        Some(r) if r.error.is_none() => ("200 OK", PAGE_OK),
        Some(_) => ("200 OK", PAGE_ERROR),
        None => (
            "404 Not Found",
            "<!doctype html><title>mailcred</title><p>Not here.</p>\n",
        ),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{page}",
        page.len()
    );
    let _ = stream.flush();
    redirect
}

/// The first line of the request, read within [`MAX_HEAD`].
fn read_head(stream: &mut TcpStream) -> Option<Zeroizing<String>> {
    let mut head = Zeroizing::new(Vec::new());
    let mut buf = [0u8; 1024];
    while !head.windows(2).any(|w| w == b"\r\n") && head.len() < MAX_HEAD {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = head.split(|&b| b == b'\r' || b == b'\n').next()?;
    Some(Zeroizing::new(String::from_utf8(line.to_vec()).ok()?))
}

/// Reads pasted lines from `input` in a thread until one is the address the
/// browser ended on (`http://localhost:PORT/?…` or `http://127.0.0.1:PORT/?…`),
/// then sends its answer; a line that is not one gets a hint on stderr.
pub fn spawn_paste_reader(
    mut input: Box<dyn BufRead + Send>,
    port: u16,
    host: &'static str,
    answers: Sender<Redirect>,
    done: Arc<AtomicBool>,
) {
    thread::spawn(move || {
        loop {
            let mut line = Zeroizing::new(Vec::new());
            match (&mut input)
                .take(MAX_HEAD as u64)
                .read_until(b'\n', &mut line)
            {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if done.load(Ordering::Relaxed) {
                return;
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            match pasted(text, port) {
                Some(redirect) => {
                    let _ = answers.send(redirect);
                    return;
                }
                None => eprintln!(
                    "mailcred: that is not the address the sign-in ended on; paste the whole address, starting http://{host}:{port}/?"
                ),
            }
        }
    });
}

/// The answer in a pasted address, if it is the redirect to `port`.
fn pasted(text: &str, port: u16) -> Option<Redirect> {
    let url = Url::parse(text).ok()?;
    if url.scheme() != "http" || url.port() != Some(port) || !crate::endpoint::is_loopback(&url) {
        return None;
    }
    Redirect::from_query(url.query()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn a_pasted_address_to_our_port_is_an_answer() {
        let r = pasted("http://localhost:4242/?code=abc&state=xyz", 4242).expect("an answer");
        assert_eq!(
            r.code.as_ref().map(|c| c.expose_secret().to_owned()),
            Some("abc".into())
        );
        assert_eq!(r.state.as_deref(), Some("xyz"));
    }

    #[test]
    fn a_pasted_address_to_another_port_or_host_is_not_an_answer() {
        assert!(pasted("http://localhost:1/?code=abc", 4242).is_none());
        assert!(pasted("http://evil.example:4242/?code=abc", 4242).is_none());
        assert!(pasted("code=abc", 4242).is_none());
    }

    #[test]
    fn an_error_redirect_is_an_answer_with_its_description() {
        let r =
            Redirect::from_query("error=access_denied&error_description=AADSTS65004%3A+declined")
                .expect("an answer");
        assert_eq!(r.error.as_deref(), Some("access_denied"));
        assert_eq!(
            r.error_description.as_deref(),
            Some("AADSTS65004: declined")
        );
    }

    #[test]
    fn a_query_without_code_or_error_is_not_an_answer() {
        assert!(Redirect::from_query("foo=bar").is_none());
    }
}

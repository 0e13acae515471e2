//! A stand-in IMAP server on 127.0.0.1, plaintext, for the tests that need
//! to see which login and password a mail program sends to IMAP: it records
//! every `LOGIN` (refusing `AUTHENTICATE`, so that clients fall back to
//! it), accepts one login and password, and after that answers just enough
//! (`LIST`, `STATUS`, `SELECT`, `APPEND`) for a client to open its inbox and
//! quit. A real server (Dovecot, with TLS) is another suite's.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

/// One `LOGIN` the server saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// The user name sent.
    pub user: String,
    /// The password sent.
    pub password: String,
    /// Whether the server accepted it.
    pub ok: bool,
}

/// The server; it serves until the test process ends.
pub struct ImapStub {
    port: u16,
    logins: Arc<Mutex<Vec<Login>>>,
    appended: Arc<Mutex<Vec<String>>>,
}

impl ImapStub {
    /// Listens on a free port of 127.0.0.1, accepting `user` with `password`.
    pub fn start(user: &str, password: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        let port = listener.local_addr().unwrap().port();
        let logins = Arc::new(Mutex::new(Vec::new()));
        let appended = Arc::new(Mutex::new(Vec::new()));
        let accepted = (user.to_owned(), password.to_owned());
        let (seen, stored) = (Arc::clone(&logins), Arc::clone(&appended));
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (accepted, seen, stored) =
                    (accepted.clone(), Arc::clone(&seen), Arc::clone(&stored));
                thread::spawn(move || {
                    let _ = serve(stream, &accepted, &seen, &stored);
                });
            }
        });
        Self {
            port,
            logins,
            appended,
        }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every `LOGIN` so far, in order.
    pub fn logins(&self) -> Vec<Login> {
        self.logins.lock().unwrap().clone()
    }

    /// The messages appended so far (a client's copy of what it sent).
    pub fn appended(&self) -> Vec<String> {
        self.appended.lock().unwrap().clone()
    }
}

fn serve(
    stream: TcpStream,
    accepted: &(String, String),
    logins: &Mutex<Vec<Login>>,
    appended: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut input = BufReader::new(stream);
    out.write_all(b"* OK [CAPABILITY IMAP4rev1] stub ready\r\n")?;
    let mut logged_in = false;
    loop {
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let line = line.trim_end().to_owned();
        let (tag, rest) = line.split_once(' ').unwrap_or((&line, ""));
        let (command, args) = rest.split_once(' ').unwrap_or((rest, ""));
        let reply = match command.to_ascii_uppercase().as_str() {
            "CAPABILITY" => "* CAPABILITY IMAP4rev1\r\nOK CAPABILITY done".to_owned(),
            // Only LOGIN, whose arguments are plain to record.
            "AUTHENTICATE" => "NO [CANNOT] use LOGIN".to_owned(),
            "LOGIN" => {
                let words = astrings(args, &mut input, &mut out)?;
                let (user, password) = match words.as_slice() {
                    [user, password] => (user.clone(), password.clone()),
                    _ => (String::new(), String::new()),
                };
                let ok = (user.as_str(), password.as_str())
                    == (accepted.0.as_str(), accepted.1.as_str());
                logins.lock().unwrap().push(Login { user, password, ok });
                logged_in = ok;
                if ok {
                    "OK LOGIN done".to_owned()
                } else {
                    "NO [AUTHENTICATIONFAILED] Invalid credentials".to_owned()
                }
            }
            "LOGOUT" => {
                out.write_all(format!("* BYE\r\n{tag} OK LOGOUT done\r\n").as_bytes())?;
                return Ok(());
            }
            _ if !logged_in => "NO log in first".to_owned(),
            "APPEND" => match literal_size(args) {
                Some(size) => {
                    out.write_all(b"+ go ahead\r\n")?;
                    let mut message = vec![0u8; size];
                    input.read_exact(&mut message)?;
                    let mut end = String::new();
                    input.read_line(&mut end)?;
                    appended
                        .lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&message).into_owned());
                    "OK APPEND done".to_owned()
                }
                None => "BAD APPEND needs a literal".to_owned(),
            },
            "LIST" | "LSUB" => "* LIST () \"/\" Sent\r\nOK done".to_owned(),
            "STATUS" => {
                "* STATUS Sent (MESSAGES 0 RECENT 0 UNSEEN 0 UIDNEXT 1 UIDVALIDITY 1)\r\nOK done"
                    .to_owned()
            }
            "SELECT" | "EXAMINE" => {
                "* 0 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1] ok\r\nOK [READ-WRITE] done"
                    .to_owned()
            }
            _ => "OK done".to_owned(),
        };
        // The last line of a reply carries the tag.
        let (untagged, last) = reply.rsplit_once("\r\n").unwrap_or(("", &reply));
        if !untagged.is_empty() {
            out.write_all(format!("{untagged}\r\n").as_bytes())?;
        }
        out.write_all(format!("{tag} {last}\r\n").as_bytes())?;
    }
}

/// `{N}` at the end of `args`: a literal of N bytes follows.
fn literal_size(args: &str) -> Option<usize> {
    let open = args.rfind('{')?;
    args[open + 1..]
        .strip_suffix('}')?
        .trim_end_matches('+')
        .parse()
        .ok()
}

/// The astrings of `args` (RFC 3501: atoms, "quoted" with `\` escapes, or
/// `{N}` literals that continue on the next lines).
fn astrings(
    args: &str,
    input: &mut BufReader<TcpStream>,
    out: &mut TcpStream,
) -> std::io::Result<Vec<String>> {
    let mut words = Vec::new();
    let mut rest = args.to_owned();
    loop {
        let text = rest.trim_start().to_owned();
        if text.is_empty() {
            return Ok(words);
        }
        if let Some(quoted) = text.strip_prefix('"') {
            let mut word = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => word.extend(chars.next().map(|(_, c)| c)),
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => word.push(c),
                }
            }
            words.push(word);
            rest = quoted[end..].to_owned();
        } else if text.starts_with('{') && text.ends_with('}') {
            let size = literal_size(&text).unwrap_or(0);
            out.write_all(b"+ go ahead\r\n")?;
            let mut word = vec![0u8; size];
            input.read_exact(&mut word)?;
            words.push(String::from_utf8_lossy(&word).into_owned());
            let mut next = String::new();
            input.read_line(&mut next)?;
            rest = next.trim_end().to_owned();
        } else {
            let (word, after) = text.split_once(' ').unwrap_or((&text, ""));
            words.push(word.to_owned());
            rest = after.to_owned();
        }
    }
}

//! A hostile SMTP server on 127.0.0.1: a thread with a std `TcpListener`
//! that takes one connection and misbehaves the way an attacker on the path
//! (or a server that is no SMTP server) would, counting every byte it
//! managed to write, so a test can tell how much the client took in.
//!
//! Each server stops by itself: after a bounded number of bytes, or as
//! soon as the client hangs up.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// How the server misbehaves.
#[derive(Debug, Clone, Copy)]
pub enum Hostility {
    /// Greets with `220 ` and then sends `a` without end, never a newline,
    /// until the client hangs up or `cap` bytes are written.
    EndlessLine {
        /// The most it sends.
        cap: u64,
    },
    /// Sends the greeting one byte every `every`, never finishing a line,
    /// `count` bytes at most.
    TrickledGreeting {
        /// The pause between two bytes.
        every: Duration,
        /// The most it sends.
        count: u64,
    },
    /// Greets, offers AUTH PLAIN, accepts any login, then answers `MAIL
    /// FROM` one byte every `every`, never finishing the reply.
    TrickleAfterLogin {
        /// The pause between two bytes.
        every: Duration,
        /// The most it sends in that reply.
        count: u64,
    },
}

/// What the server did with its one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Bytes the client's side took (written without error).
    pub written: u64,
    /// Whether the server stopped at its cap rather than at the client
    /// hanging up.
    pub reached_cap: bool,
}

/// A hostile server waiting for its one connection.
#[derive(Debug)]
pub struct HostileServer {
    port: u16,
    thread: JoinHandle<Report>,
}

impl HostileServer {
    /// Starts a server that misbehaves as `how`.
    pub fn start(how: Hostility) -> HostileServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let port = listener.local_addr().expect("a bound address").port();
        let thread = thread::spawn(move || {
            let (stream, _) = listener.accept().expect("the client connects");
            serve(stream, how)
        });
        HostileServer { port, thread }
    }

    /// The port it listens on (host 127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Waits for the server to stop (the client has hung up, or the cap
    /// was reached) and says what it did.
    pub fn report(self) -> Report {
        self.thread
            .join()
            .expect("the hostile server does not panic")
    }
}

fn serve(mut stream: TcpStream, how: Hostility) -> Report {
    match how {
        Hostility::EndlessLine { cap } => {
            let mut written = 0;
            if stream.write_all(b"220 ").is_err() {
                return Report {
                    written,
                    reached_cap: false,
                };
            }
            written += 4;
            let chunk = [b'a'; 64 * 1024];
            while written < cap {
                match stream.write(&chunk) {
                    Ok(0) | Err(_) => {
                        return Report {
                            written,
                            reached_cap: false,
                        };
                    }
                    Ok(n) => written += n as u64,
                }
            }
            Report {
                written,
                reached_cap: true,
            }
        }
        Hostility::TrickledGreeting { every, count } => trickle(&mut stream, every, count),
        Hostility::TrickleAfterLogin { every, count } => {
            let mut lines = BufReader::new(stream.try_clone().expect("a second handle"));
            let mut line = String::new();
            // Each reply after one line from the client: EHLO, AUTH, MAIL.
            let mut talk = |reply: &[u8]| -> bool {
                line.clear();
                lines.read_line(&mut line).is_ok_and(|n| n > 0)
                    && (&stream).write_all(reply).is_ok()
            };
            let greeted = (&stream)
                .write_all(b"220 hostile.example ESMTP\r\n")
                .is_ok();
            let logged_in = greeted
                && talk(b"250-hostile.example\r\n250 AUTH PLAIN LOGIN\r\n")
                && talk(b"235 2.7.0 Authentication successful\r\n")
                && talk(b"");
            if !logged_in {
                return Report {
                    written: 0,
                    reached_cap: false,
                };
            }
            trickle(&mut stream, every, count)
        }
    }
}

/// `250 ` and more, one byte every `every`, never a line end.
fn trickle(stream: &mut TcpStream, every: Duration, count: u64) -> Report {
    let text = b"250 still thinking about it ";
    for written in 0..count {
        let byte = text[written as usize % text.len()];
        if stream.write_all(&[byte]).is_err() {
            return Report {
                written,
                reached_cap: false,
            };
        }
        thread::sleep(every);
    }
    Report {
        written: count,
        reached_cap: true,
    }
}

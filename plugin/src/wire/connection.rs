//! One SMTP connection: the greeting, EHLO, STARTTLS, AUTH, any command and
//! the message, each reply read within the bounds of [`super::reply`].

use std::fmt::Display;
use std::time::Instant;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::commands::{Auth, Ehlo, Quit, Starttls};
use lettre::transport::smtp::extension::{ClientId, Extension, ServerInfo};
use lettre::transport::smtp::response::Response;
use zeroize::Zeroizing;

use super::reply::{Inbox, Lines};
use super::{Clock, Io, Tls, WireError};
use crate::Reply;

/// How many AUTH challenges are answered before giving up (LOGIN needs two).
const MAX_CHALLENGES: usize = 10;
/// The room made up front for an AUTH line: enough for an 8 KiB access
/// token in base64, so that the line is never moved while it is written.
const MAX_AUTH_LINE: usize = 12 * 1024;

/// A connection to an SMTP server that has greeted us and answered EHLO.
#[derive(Debug)]
pub(crate) struct Connection<S> {
    io: S,
    inbox: Inbox,
    server_info: ServerInfo,
    /// Out of step with the server, or closed: never to be used again.
    broken: bool,
}

impl<S: Io> Connection<S> {
    /// Connects (with TLS from the first byte when `tls` is given), reads the
    /// greeting and says EHLO.
    pub(crate) async fn open(
        host: &str,
        port: u16,
        clock: Clock,
        tls: Option<&Tls>,
        hello: &ClientId,
    ) -> Result<Self, WireError> {
        Self::greet(S::connect(host, port, clock, tls).await?, hello).await
    }

    /// Reads the greeting on `io` and says EHLO.
    async fn greet(io: S, hello: &ClientId) -> Result<Self, WireError> {
        let mut conn = Connection {
            io,
            inbox: Inbox::default(),
            server_info: ServerInfo::default(),
            broken: false,
        };
        conn.reply().await?;
        conn.ehlo(hello).await?;
        Ok(conn)
    }

    /// What the server said it supports in its last EHLO reply.
    pub(crate) fn server_info(&self) -> &ServerInfo {
        &self.server_info
    }

    /// Whether the server offers STARTTLS.
    pub(crate) fn can_starttls(&self) -> bool {
        self.server_info.supports_feature(Extension::StartTls)
    }

    /// Whether the connection must be closed rather than used again.
    pub(crate) fn has_broken(&self) -> bool {
        self.broken
    }

    /// From now on no wait goes past `deadline`.
    pub(crate) fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.io.set_deadline(deadline);
    }

    /// `STARTTLS`, TLS, and EHLO again over TLS.
    pub(crate) async fn starttls(&mut self, tls: &Tls, hello: &ClientId) -> Result<(), WireError> {
        self.command(Starttls).await?;
        // Anything already here was sent before TLS, yet would be read as
        // the reply to the EHLO sent through it.
        if !self.inbox.is_empty() {
            self.broken = true;
            return Err(WireError::DataBeforeTls);
        }
        if let Err(e) = self.io.start_tls(tls).await {
            self.broken = true;
            return Err(e);
        }
        self.ehlo(hello).await
    }

    /// AUTH with `mechanism`, answering its challenges. The commands carry
    /// the password, so they are written from a buffer wiped afterwards.
    pub(crate) async fn auth(
        &mut self,
        mechanism: Mechanism,
        credentials: &Credentials,
    ) -> Result<Response, WireError> {
        let challenge = |e: lettre::transport::smtp::Error| WireError::Challenge(e.to_string());
        let first = Auth::new(mechanism, credentials.clone(), None).map_err(challenge)?;
        let mut response = self.secret_command(first).await?;
        if mechanism == Mechanism::Xoauth2 && response.has_code(334) {
            // XOAUTH2 has no challenges: a 334 after the token carries the
            // server's error (JSON, as Gmail sends it), and the client must
            // answer with an empty line to get the final reply (a 535).
            self.send(b"\r\n").await?;
            return self.reply().await;
        }
        let mut challenges = 0;
        while response.has_code(334) {
            challenges += 1;
            if challenges > MAX_CHALLENGES {
                self.abort().await;
                return Err(WireError::Challenge("too many challenges".into()));
            }
            let answer = Auth::new_from_response(mechanism, credentials.clone(), &response);
            let answer = match answer {
                Ok(answer) => answer,
                Err(e) => {
                    self.abort().await;
                    return Err(challenge(e));
                }
            };
            response = self.secret_command(answer).await?;
        }
        Ok(response)
    }

    /// Sends `command` and reads the reply: `Err(Refused)` for a 4xx or 5xx.
    pub(crate) async fn command(&mut self, command: impl Display) -> Result<Response, WireError> {
        self.send(command.to_string().as_bytes()).await?;
        self.reply().await
    }

    /// Sends the message after `DATA` was accepted: dot-stuffed, with the
    /// end of data, in one write.
    pub(crate) async fn message(&mut self, email: &[u8]) -> Result<Response, WireError> {
        self.send(&stuffed(email)).await?;
        self.reply().await
    }

    /// `QUIT`, and the server's goodbye.
    pub(crate) async fn quit(&mut self) -> Result<Response, WireError> {
        let goodbye = self.command(Quit).await;
        self.broken = true;
        self.io.shutdown();
        goodbye
    }

    /// `QUIT` without waiting for the reply, and closes the connection.
    pub(crate) async fn abort(&mut self) {
        if !self.broken {
            self.broken = true;
            let _ = self.io.write_all(Quit.to_string().as_bytes()).await;
        }
        self.io.shutdown();
    }

    async fn ehlo(&mut self, hello: &ClientId) -> Result<(), WireError> {
        let response = self.command(Ehlo::new(hello.clone())).await?;
        self.server_info = ServerInfo::from_response(&response).map_err(|e| {
            self.broken = true;
            WireError::Malformed(format!("its EHLO reply: {e}"))
        })?;
        Ok(())
    }

    async fn secret_command(&mut self, command: Auth) -> Result<Response, WireError> {
        use std::fmt::Write;
        // Room enough up front that the line is not moved while it grows,
        // leaving unwiped copies behind: an OAuth2 access token (Entra's
        // are 1,500 to 2,500 characters) grows by a third in base64.
        let mut line = Zeroizing::new(String::with_capacity(MAX_AUTH_LINE));
        let _ = write!(line, "{command}");
        drop(command);
        self.send(line.as_bytes()).await?;
        self.reply().await
    }

    async fn send(&mut self, bytes: &[u8]) -> Result<(), WireError> {
        let sent = self.io.write_all(bytes).await;
        if sent.is_err() {
            self.broken = true;
        }
        sent
    }

    /// The next reply: `Ok` when positive, `Err(Refused)` when negative.
    async fn reply(&mut self) -> Result<Response, WireError> {
        match self.read_reply().await {
            Ok(response) if response.is_positive() => Ok(response),
            Ok(response) => Err(WireError::Refused(Reply::from_response(&response))),
            Err(e) => {
                self.broken = true;
                Err(e)
            }
        }
    }

    async fn read_reply(&mut self) -> Result<Response, WireError> {
        let mut lines = Lines::default();
        loop {
            while let Some(line) = self.inbox.take_line()? {
                if let Some(response) = lines.push(&line)? {
                    return Ok(response);
                }
            }
            let read = self.io.read(self.inbox.room()).await?;
            if read == 0 {
                return Err(WireError::Closed);
            }
            self.inbox.filled(read);
        }
    }
}

/// A message's content as sent after `DATA`: a line starting with `.` gets
/// another (RFC 5321 section 4.5.2), lines as given, then the end of data,
/// `CRLF . CRLF`.
fn stuffed(email: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(email.len() + email.len() / 64 + 5);
    let mut line_start = true;
    for (index, &byte) in email.iter().enumerate() {
        if line_start && byte == b'.' {
            out.push(b'.');
        }
        out.push(byte);
        line_start = byte == b'\n' && index > 0 && email[index - 1] == b'\r';
    }
    out.extend_from_slice(b"\r\n.\r\n");
    out
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use lettre::transport::smtp::authentication::{Credentials, Mechanism};
    use lettre::transport::smtp::extension::ClientId;

    use super::super::{Clock, Io, Tls, WireError, block_on};
    use super::{Connection, stuffed};

    /// A server as a script: each read hands out the next chunk, every
    /// write is recorded.
    #[derive(Debug, Default)]
    struct Script {
        chunks: VecDeque<&'static [u8]>,
        written: Vec<u8>,
    }

    impl Io for Script {
        async fn connect(_: &str, _: u16, _: Clock, _: Option<&Tls>) -> Result<Self, WireError> {
            unreachable!("scripts are made, not connected")
        }
        async fn read(&mut self, buf: &mut [u8]) -> Result<usize, WireError> {
            let Some(chunk) = self.chunks.pop_front() else {
                return Ok(0);
            };
            let n = chunk.len().min(buf.len());
            buf[..n].copy_from_slice(&chunk[..n]);
            if n < chunk.len() {
                self.chunks.push_front(&chunk[n..]);
            }
            Ok(n)
        }
        async fn write_all(&mut self, bytes: &[u8]) -> Result<(), WireError> {
            self.written.extend_from_slice(bytes);
            Ok(())
        }
        async fn start_tls(&mut self, _: &Tls) -> Result<(), WireError> {
            panic!("TLS must not start");
        }
        fn set_deadline(&mut self, _: Option<std::time::Instant>) {}
        fn shutdown(&mut self) {}
    }

    fn greeted(chunks: &[&'static [u8]]) -> Connection<Script> {
        let script = Script {
            chunks: chunks.iter().copied().collect(),
            written: Vec::new(),
        };
        let hello = ClientId::Domain("client.example".into());
        block_on(Connection::greet(script, &hello)).expect("a greeting and an EHLO reply")
    }

    #[test]
    fn bytes_sent_before_tls_after_agreeing_to_starttls_are_refused() {
        let mut conn = greeted(&[
            b"220 mail.example.org\r\n",
            b"250-mail.example.org\r\n250 STARTTLS\r\n",
            // The 250 would be read as the EHLO reply over TLS.
            b"220 go ahead\r\n250-mail.example.org\r\n250 AUTH PLAIN\r\n",
        ]);
        let tls = Tls::new("mail.example.org", &[]).unwrap();
        let hello = ClientId::Domain("client.example".into());
        let refused = block_on(conn.starttls(&tls, &hello));
        assert!(
            matches!(refused, Err(WireError::DataBeforeTls)),
            "injected data must not pass for the server's: {refused:?}"
        );
        assert!(conn.has_broken(), "and the connection is not used again");
    }

    #[test]
    fn auth_login_answers_both_challenges() {
        let mut conn = greeted(&[
            b"220 mail.example.org\r\n",
            b"250-mail.example.org\r\n250 AUTH LOGIN\r\n",
            b"334 VXNlcm5hbWU6\r\n",
            b"334 UGFzc3dvcmQ6\r\n",
            b"235 2.7.0 Accepted\r\n",
        ]);
        let credentials = Credentials::new("alice".into(), "secret".into());
        let accepted = block_on(conn.auth(Mechanism::Login, &credentials)).unwrap();
        assert!(accepted.has_code(235));
        let written = String::from_utf8(conn.io.written.clone()).unwrap();
        assert!(
            written.ends_with("AUTH LOGIN\r\nYWxpY2U=\r\nc2VjcmV0\r\n"),
            "the user, then the password, each base64: {written:?}"
        );
    }

    #[test]
    fn a_whitespace_line_in_the_ehlo_reply_is_no_panic() {
        let conn = greeted(&[b"220 x\r\n", b"250-x\r\n250-   \r\n250 AUTH PLAIN\r\n"]);
        assert!(
            conn.server_info()
                .get_auth_mechanism(&[Mechanism::Plain])
                .is_some()
        );
    }

    #[test]
    fn a_server_that_hangs_up_mid_reply_is_closed_not_waited_for() {
        let script = Script {
            chunks: [&b"220-hello\r\n"[..]].into_iter().collect(),
            written: Vec::new(),
        };
        let hello = ClientId::Domain("client.example".into());
        let closed = block_on(Connection::greet(script, &hello));
        assert!(matches!(closed, Err(WireError::Closed)), "{closed:?}");
    }

    #[test]
    fn lines_starting_with_a_dot_are_stuffed_and_the_end_appended() {
        assert_eq!(
            stuffed(b".first\r\nmiddle.\r\n.\r\n..two\r\nlast"),
            b"..first\r\nmiddle.\r\n..\r\n...two\r\nlast\r\n.\r\n"
        );
        assert_eq!(stuffed(b""), b"\r\n.\r\n");
        assert_eq!(
            stuffed(b"bare\n.lf"),
            b"bare\n.lf\r\n.\r\n",
            "only CRLF ends a line, as in lettre"
        );
    }

    #[test]
    fn xoauth2_sends_user_and_bearer_token_in_one_line() {
        let mut conn = greeted(&[
            b"220 mail.example.org\r\n",
            b"250-mail.example.org\r\n250 AUTH XOAUTH2 PLAIN\r\n",
            b"235 2.7.0 Authentication successful\r\n",
        ]);
        let credentials = Credentials::new("alice@example.org".into(), "tok3n".into());
        let accepted = block_on(conn.auth(Mechanism::Xoauth2, &credentials)).unwrap();
        assert!(accepted.has_code(235));
        let written = String::from_utf8(conn.io.written.clone()).unwrap();
        // base64 of "user=alice@example.org\x01auth=Bearer tok3n\x01\x01"
        assert!(
            written.ends_with(
                "AUTH XOAUTH2 dXNlcj1hbGljZUBleGFtcGxlLm9yZwFhdXRoPUJlYXJlciB0b2szbgEB\r\n"
            ),
            "the initial response of the XOAUTH2 protocol: {written:?}"
        );
    }

    #[test]
    fn an_xoauth2_error_challenge_is_answered_with_an_empty_line_and_ends_refused() {
        let mut conn = greeted(&[
            b"220 mail.example.org\r\n",
            b"250-mail.example.org\r\n250 AUTH XOAUTH2\r\n",
            // {"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}
            b"334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==\r\n",
            b"535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 Learn more\r\n",
        ]);
        let credentials = Credentials::new("alice".into(), "stale".into());
        let refused = block_on(conn.auth(Mechanism::Xoauth2, &credentials));
        assert!(
            matches!(&refused, Err(WireError::Refused(reply)) if reply.code == 535),
            "Gmail's error challenge ends in its 535, not in a challenge failure: {refused:?}"
        );
        let written = String::from_utf8(conn.io.written.clone()).unwrap();
        assert!(
            written.ends_with("\r\n\r\n"),
            "the error challenge gets an empty line: {written:?}"
        );
    }
}

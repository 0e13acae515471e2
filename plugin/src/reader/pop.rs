//! The POP3 (RFC 1939) a login check needs: the greeting, CAPA (RFC 2449),
//! STLS (RFC 2595), `AUTH PLAIN` with its initial response (RFC 5034) or
//! USER and PASS, `AUTH XOAUTH2` for an OAuth2 access token, and QUIT.
//! Nothing else is ever sent.

use secrecy::{ExposeSecret, SecretString};

use super::session::Session;
use super::{Conversation, Failure, plain_response, xoauth2_response};
use crate::wire::{Io, Tls};

/// How the password goes to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mechanism {
    /// `AUTH PLAIN response`.
    Plain,
    /// `USER name`, then `PASS password`.
    UserPass,
    /// `AUTH XOAUTH2 response`, with an OAuth2 access token.
    XOAuth2,
}

/// A connection to a POP3 server that has greeted us.
#[derive(Debug)]
pub(crate) struct Pop<S> {
    session: Session<S>,
    /// The CAPA lines; `None` when the server does not know CAPA.
    capabilities: Option<Vec<String>>,
}

impl<S: Io> Pop<S> {
    /// Reads the greeting and asks for the capabilities.
    pub(crate) async fn greet(mut session: Session<S>) -> Result<Self, Failure> {
        session.new_reply();
        let greeting = session.line().await?;
        if let Some(text) = greeting.strip_prefix("-ERR") {
            return Err(Failure::Greeting(text.trim().to_owned()));
        }
        if !greeting.starts_with("+OK") {
            return Err(Failure::Malformed(greeting));
        }
        let mut pop = Pop {
            session,
            capabilities: None,
        };
        pop.ask_capabilities().await?;
        Ok(pop)
    }

    /// `STLS`, TLS, and the capabilities again, as TLS may change them. A
    /// server without CAPA is asked all the same.
    pub(crate) async fn starttls(&mut self, tls: &Tls) -> Result<(), Failure> {
        if self.capabilities.is_some() && !self.has("STLS") {
            return Err(Failure::NoStartTls);
        }
        let (ok, text) = self.command("STLS").await?;
        match (ok, &self.capabilities) {
            (true, _) => {}
            (false, None) => return Err(Failure::NoStartTls),
            (false, Some(_)) => return Err(Failure::StartTlsRefused(text)),
        }
        self.session.start_tls(tls).await?;
        self.ask_capabilities().await
    }

    /// The way to send the password that the server offers now.
    pub(crate) fn mechanism(&self) -> Result<Mechanism, Failure> {
        if self.capabilities.is_none() {
            return Ok(Mechanism::UserPass);
        }
        if self.has_sasl("PLAIN") {
            Ok(Mechanism::Plain)
        } else if self.has("USER") {
            Ok(Mechanism::UserPass)
        } else {
            Err(Failure::NoLogin)
        }
    }

    /// The way to send an OAuth2 access token: XOAUTH2, if offered.
    pub(crate) fn oauth_mechanism(&self) -> Result<Mechanism, Failure> {
        if self.has_sasl("XOAUTH2") {
            Ok(Mechanism::XOAuth2)
        } else {
            Err(Failure::NoLogin)
        }
    }

    /// Whether CAPA lists the SASL mechanism `name`.
    fn has_sasl(&self, name: &str) -> bool {
        self.capabilities.iter().flatten().any(|line| {
            let mut words = line.split_whitespace();
            words.next().is_some_and(|w| w.eq_ignore_ascii_case("SASL"))
                && words.any(|w| w.eq_ignore_ascii_case(name))
        })
    }

    /// Logs in; `Err(Failure::Refused)` quotes the server's refusal.
    pub(crate) async fn login(
        &mut self,
        mechanism: Mechanism,
        user: &str,
        password: &SecretString,
    ) -> Result<(), Failure> {
        let (ok, text) = match mechanism {
            Mechanism::Plain => {
                let response = plain_response(user, password);
                self.session
                    .send_secret(&["AUTH PLAIN ", &response])
                    .await?;
                self.reply().await?
            }
            Mechanism::XOAuth2 => {
                let response = xoauth2_response(user, password);
                self.session
                    .send_secret(&["AUTH XOAUTH2 ", &response])
                    .await?;
                self.sasl_reply().await?
            }
            Mechanism::UserPass => {
                let line_safe = |v: &str| !v.contains(['\r', '\n', '\0']);
                if !line_safe(user) || !line_safe(password.expose_secret()) {
                    return Err(Failure::Unsendable);
                }
                let (ok, text) = self.command(&format!("USER {user}")).await?;
                if !ok {
                    return Err(Failure::Refused(text));
                }
                self.session
                    .send_secret(&["PASS ", password.expose_secret()])
                    .await?;
                self.reply().await?
            }
        };
        if ok {
            Ok(())
        } else {
            Err(Failure::Refused(text))
        }
    }

    /// `QUIT`, its reply awaited (within the deadline) but not required, and
    /// the connection closed.
    pub(crate) async fn quit(&mut self) {
        let _ = self.command("QUIT").await;
        self.session.shutdown();
    }

    fn has(&self, capability: &str) -> bool {
        self.capabilities.iter().flatten().any(|line| {
            line.split_whitespace()
                .next()
                .is_some_and(|w| w.eq_ignore_ascii_case(capability))
        })
    }

    async fn ask_capabilities(&mut self) -> Result<(), Failure> {
        let (ok, _) = self.command("CAPA").await?;
        if !ok {
            self.capabilities = None;
            return Ok(());
        }
        let mut lines = Vec::new();
        loop {
            let line = self.session.line().await?;
            if line == "." {
                break;
            }
            // A line starting with the terminator is dot-stuffed.
            lines.push(line.strip_prefix('.').unwrap_or(&line).to_owned());
        }
        self.capabilities = Some(lines);
        Ok(())
    }

    async fn command(&mut self, command: &str) -> Result<(bool, String), Failure> {
        self.session.send(command).await?;
        self.reply().await
    }

    /// The reply at the end of a SASL exchange: a continuation (`+ ...`)
    /// there carries the server's error (XOAUTH2 sends it as JSON), answered
    /// with an empty line as the mechanism wants; then `-ERR` follows.
    async fn sasl_reply(&mut self) -> Result<(bool, String), Failure> {
        self.session.new_reply();
        let line = self.session.line().await?;
        if line == "+" || (line.starts_with("+ ") && !line.starts_with("+OK")) {
            self.session.send("").await?;
            return self.reply().await;
        }
        parse_reply(line)
    }

    /// `+OK text` or `-ERR text`, as `(ok, text)`; a continuation (`+ `)
    /// here means the server wants a conversation this client never holds.
    async fn reply(&mut self) -> Result<(bool, String), Failure> {
        self.session.new_reply();
        parse_reply(self.session.line().await?)
    }
}

/// `+OK text` or `-ERR text`, as `(ok, text)`.
fn parse_reply(line: String) -> Result<(bool, String), Failure> {
    if let Some(text) = line.strip_prefix("+OK") {
        Ok((true, text.trim().to_owned()))
    } else if let Some(text) = line.strip_prefix("-ERR") {
        Ok((false, text.trim().to_owned()))
    } else {
        Err(Failure::Malformed(line))
    }
}

impl<S: Io> Conversation<S> for Pop<S> {
    type Mechanism = Mechanism;

    async fn greet(session: Session<S>) -> Result<Self, Failure> {
        Pop::<S>::greet(session).await
    }
    async fn starttls(&mut self, tls: &Tls) -> Result<(), Failure> {
        Pop::<S>::starttls(self, tls).await
    }
    fn mechanism(&self) -> Result<Mechanism, Failure> {
        Pop::<S>::mechanism(self)
    }
    fn oauth_mechanism(&self) -> Result<Mechanism, Failure> {
        Pop::<S>::oauth_mechanism(self)
    }
    async fn login(
        &mut self,
        mechanism: Mechanism,
        user: &str,
        password: &SecretString,
    ) -> Result<(), Failure> {
        Pop::<S>::login(self, mechanism, user, password).await
    }
    async fn close(&mut self) {
        self.quit().await;
    }
    fn session(&mut self) -> &mut Session<S> {
        &mut self.session
    }
}

#[cfg(test)]
mod tests;

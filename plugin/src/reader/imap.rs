//! The IMAP4rev1 (RFC 3501) a login check needs: the greeting, CAPABILITY,
//! STARTTLS, `AUTHENTICATE PLAIN` (RFC 4959's initial response when the
//! server has SASL-IR) or `LOGIN`, `AUTHENTICATE XOAUTH2` for an OAuth2
//! access token, and LOGOUT. Nothing else is ever sent.

use secrecy::{ExposeSecret, SecretString};

use super::session::Session;
use super::{Conversation, Failure, plain_response, xoauth2_response};
use crate::wire::{Io, Tls, WireError};

/// How the password goes to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mechanism {
    /// `AUTHENTICATE PLAIN`, the response on the same line when `initial`.
    Plain { initial: bool },
    /// `LOGIN user password`, both as quoted strings.
    Login,
    /// `AUTHENTICATE XOAUTH2` with an OAuth2 access token, the response on
    /// the same line when `initial`.
    XOAuth2 { initial: bool },
}

/// A tagged reply's status and the text after it (a response code such as
/// `[AUTHENTICATIONFAILED]` included).
#[derive(Debug, PartialEq, Eq)]
struct Tagged {
    ok: bool,
    text: String,
}

/// A connection to an IMAP server that has greeted us.
#[derive(Debug)]
pub(crate) struct Imap<S> {
    session: Session<S>,
    capabilities: Vec<String>,
    tags: u32,
}

impl<S: Io> Imap<S> {
    /// Reads the greeting and learns the capabilities.
    pub(crate) async fn greet(mut session: Session<S>) -> Result<Self, Failure> {
        session.new_reply();
        let greeting = session.line().await?;
        let text = if let Some(text) = greeting.strip_prefix("* OK") {
            text.trim_start()
        } else if let Some(text) = greeting.strip_prefix("* BYE") {
            return Err(Failure::Greeting(text.trim().to_owned()));
        } else if greeting.starts_with("* PREAUTH") {
            return Err(Failure::Greeting(format!(
                "{greeting} (logged in before any password: no login to check)"
            )));
        } else {
            return Err(Failure::Malformed(greeting));
        };
        let mut imap = Imap {
            session,
            capabilities: bracketed_capabilities(text).unwrap_or_default(),
            tags: 0,
        };
        if imap.capabilities.is_empty() {
            imap.ask_capabilities().await?;
        }
        Ok(imap)
    }

    /// `STARTTLS`, TLS, and the capabilities again, as TLS may change them.
    pub(crate) async fn starttls(&mut self, tls: &Tls) -> Result<(), Failure> {
        if !self.has("STARTTLS") {
            return Err(Failure::NoStartTls);
        }
        let reply = self.command("STARTTLS").await?;
        if !reply.ok {
            return Err(Failure::StartTlsRefused(reply.text));
        }
        self.session.start_tls(tls).await?;
        self.ask_capabilities().await
    }

    /// The way to send the password that the server offers now.
    pub(crate) fn mechanism(&self) -> Result<Mechanism, Failure> {
        if self.has("AUTH=PLAIN") {
            Ok(Mechanism::Plain {
                initial: self.has("SASL-IR"),
            })
        } else if !self.has("LOGINDISABLED") {
            Ok(Mechanism::Login)
        } else {
            Err(Failure::NoLogin)
        }
    }

    /// The way to send an OAuth2 access token: XOAUTH2, if offered.
    pub(crate) fn oauth_mechanism(&self) -> Result<Mechanism, Failure> {
        if self.has("AUTH=XOAUTH2") {
            Ok(Mechanism::XOAuth2 {
                initial: self.has("SASL-IR"),
            })
        } else {
            Err(Failure::NoLogin)
        }
    }

    /// Logs in; `Err(Failure::Refused)` quotes the server's refusal.
    pub(crate) async fn login(
        &mut self,
        mechanism: Mechanism,
        user: &str,
        password: &SecretString,
    ) -> Result<(), Failure> {
        let tag = self.next_tag();
        let reply = match mechanism {
            Mechanism::Plain { initial } => {
                let response = plain_response(user, password);
                self.authenticate(&tag, "PLAIN", initial, &response).await?
            }
            Mechanism::XOAuth2 { initial } => {
                let response = xoauth2_response(user, password);
                self.authenticate(&tag, "XOAUTH2", initial, &response)
                    .await?
            }
            Mechanism::Login => {
                let (Some(user), Some(password)) =
                    (quoted(user), quoted(password.expose_secret()).map(Secret))
                else {
                    return Err(Failure::Unsendable);
                };
                self.session
                    .send_secret(&[&tag, " LOGIN ", &user, " ", &password.0])
                    .await?;
                self.tagged(&tag).await?
            }
        };
        if reply.ok {
            Ok(())
        } else {
            Err(Failure::Refused(reply.text))
        }
    }

    /// `AUTHENTICATE NAME` with its one response, on the command's line
    /// when `initial` (SASL-IR), else after the server's continuation. A
    /// continuation after the response carries the server's error (XOAUTH2
    /// sends it as JSON): it gets an empty line, as the mechanism wants,
    /// and the tagged refusal follows.
    async fn authenticate(
        &mut self,
        tag: &str,
        name: &str,
        initial: bool,
        response: &str,
    ) -> Result<Tagged, Failure> {
        if initial {
            self.session
                .send_secret(&[tag, " AUTHENTICATE ", name, " ", response])
                .await?;
        } else {
            self.session
                .send(&format!("{tag} AUTHENTICATE {name}"))
                .await?;
            self.session.new_reply();
            let line = self.session.line().await?;
            if line.starts_with('+') {
                self.session.send_secret(&[response]).await?;
            } else if let Some(tagged) = parse_tagged(tag, &line) {
                return Err(Failure::Refused(tagged.text));
            } else {
                return Err(Failure::Malformed(line));
            }
        }
        self.read_tagged(tag, true).await
    }

    /// `LOGOUT`, its reply awaited (within the deadline) but not required,
    /// and the connection closed.
    pub(crate) async fn logout(&mut self) {
        let _ = self.command("LOGOUT").await;
        self.session.shutdown();
    }

    fn has(&self, capability: &str) -> bool {
        self.capabilities
            .iter()
            .any(|c| c.eq_ignore_ascii_case(capability))
    }

    fn next_tag(&mut self) -> String {
        self.tags += 1;
        format!("m{}", self.tags)
    }

    async fn ask_capabilities(&mut self) -> Result<(), Failure> {
        self.capabilities.clear();
        let reply = self.command("CAPABILITY").await?;
        if !reply.ok {
            return Err(Failure::Malformed(format!(
                "CAPABILITY refused: {}",
                reply.text
            )));
        }
        if self.capabilities.is_empty() {
            self.capabilities = bracketed_capabilities(&reply.text).unwrap_or_default();
        }
        Ok(())
    }

    async fn command(&mut self, command: &str) -> Result<Tagged, Failure> {
        let tag = self.next_tag();
        self.session.send(&format!("{tag} {command}")).await?;
        self.tagged(&tag).await
    }

    /// Reads to the reply tagged `tag`, taking in `* CAPABILITY` on the way.
    /// A server that says `* BYE` and hangs up has refused.
    async fn tagged(&mut self, tag: &str) -> Result<Tagged, Failure> {
        self.read_tagged(tag, false).await
    }

    /// [`tagged`](Self::tagged), answering one continuation (`+ ...`) with
    /// an empty line when `in_sasl`: the end of a SASL exchange.
    async fn read_tagged(&mut self, tag: &str, mut in_sasl: bool) -> Result<Tagged, Failure> {
        self.session.new_reply();
        let mut bye = None;
        loop {
            let line = match self.session.line().await {
                Ok(line) => line,
                Err(WireError::Closed) if bye.is_some() => {
                    return Ok(Tagged {
                        ok: false,
                        text: bye.unwrap_or_default(),
                    });
                }
                Err(e) => return Err(e.into()),
            };
            if let Some(untagged) = line.strip_prefix("* ") {
                if let Some(list) = strip_prefix_ignore_case(untagged, "CAPABILITY ") {
                    self.capabilities = list.split_whitespace().map(str::to_owned).collect();
                } else if let Some(text) = strip_prefix_ignore_case(untagged, "BYE") {
                    bye = Some(text.trim().to_owned());
                }
                continue;
            }
            if in_sasl && line.starts_with('+') {
                in_sasl = false;
                self.session.send("").await?;
                continue;
            }
            return parse_tagged(tag, &line).ok_or(Failure::Malformed(line));
        }
    }
}

/// `TAG OK text`, `TAG NO text` or `TAG BAD text`.
fn parse_tagged(tag: &str, line: &str) -> Option<Tagged> {
    let rest = line.strip_prefix(tag)?.strip_prefix(' ')?;
    let (status, text) = rest.split_once(' ').unwrap_or((rest, ""));
    let ok = match status.to_ascii_uppercase().as_str() {
        "OK" => true,
        "NO" | "BAD" => false,
        _ => return None,
    };
    Some(Tagged {
        ok,
        text: text.to_owned(),
    })
}

/// The capabilities of a `[CAPABILITY ...]` response code at the start of
/// `text`.
fn bracketed_capabilities(text: &str) -> Option<Vec<String>> {
    let inner = text.strip_prefix('[')?.split_once(']')?.0;
    let list = strip_prefix_ignore_case(inner, "CAPABILITY ")?;
    Some(list.split_whitespace().map(str::to_owned).collect())
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// A quoted string (RFC 3501 section 4.3), when `value` can be one: 7-bit,
/// without CR, LF or NUL.
fn quoted(value: &str) -> Option<String> {
    if !value
        .bytes()
        .all(|b| b.is_ascii() && !matches!(b, b'\r' | b'\n' | 0))
    {
        return None;
    }
    // Exactly the room needed: a string that grows leaves copies behind.
    let escapes = value.bytes().filter(|b| matches!(b, b'"' | b'\\')).count();
    let mut out = String::with_capacity(value.len() + escapes + 2);
    out.push('"');
    for c in value.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Some(out)
}

/// A quoted password, wiped when dropped.
struct Secret(String);

impl Drop for Secret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl<S: Io> Conversation<S> for Imap<S> {
    type Mechanism = Mechanism;

    async fn greet(session: Session<S>) -> Result<Self, Failure> {
        Imap::<S>::greet(session).await
    }
    async fn starttls(&mut self, tls: &Tls) -> Result<(), Failure> {
        Imap::<S>::starttls(self, tls).await
    }
    fn mechanism(&self) -> Result<Mechanism, Failure> {
        Imap::<S>::mechanism(self)
    }
    fn oauth_mechanism(&self) -> Result<Mechanism, Failure> {
        Imap::<S>::oauth_mechanism(self)
    }
    async fn login(
        &mut self,
        mechanism: Mechanism,
        user: &str,
        password: &SecretString,
    ) -> Result<(), Failure> {
        Imap::<S>::login(self, mechanism, user, password).await
    }
    async fn close(&mut self) {
        self.logout().await;
    }
    fn session(&mut self) -> &mut Session<S> {
        &mut self.session
    }
}

#[cfg(test)]
mod tests;

//! Dovecot 2.3's log, read as the logins it records. Each connection ends in
//! one line of the login process (`imap-login`, `pop3-login`): `Login:` for
//! an accepted login, `Disconnected: ... (auth failed, N attempts ...)` for
//! a refused one. The auth process, with `auth_verbose_passwords = plain`,
//! logs each refused password with the connection's session id.

use std::collections::HashMap;

/// The protocol of a login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailProtocol {
    /// `imap-login`.
    Imap,
    /// `pop3-login`.
    Pop3,
}

/// One connection that tried to log in, as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// Which login process logged it.
    pub protocol: MailProtocol,
    /// The user name the client sent.
    pub user: String,
    /// The SASL mechanism (`PLAIN`, `LOGIN`, `XOAUTH2`…), when logged.
    pub method: String,
    /// Whether the server let it in.
    pub accepted: bool,
    /// Whether the connection was TLS when it logged in or was refused.
    pub tls: bool,
    /// The server address it connected to (which listener).
    pub local_address: String,
    /// Each password the server refused on this connection, as sent.
    pub refused_passwords: Vec<String>,
    /// Whether the server refused a login without TLS before any password
    /// was checked (`[PRIVACYREQUIRED]`, `-ERR ... plaintext`).
    pub plaintext_refused: bool,
}

impl Login {
    /// Whether this connection was refused and sent `password`.
    pub fn refused(&self, password: &str) -> bool {
        !self.accepted && self.refused_passwords.iter().any(|p| p == password)
    }
}

#[derive(Default)]
struct Partial {
    passwords: Vec<String>,
    plaintext_refused: bool,
}

/// Every login attempt in `log`, in the order they ended.
pub(super) fn parse(log: &str) -> Vec<Login> {
    let mut partial: HashMap<String, Partial> = HashMap::new();
    let mut logins = Vec::new();
    // Only whole lines: Dovecot may be writing the next one.
    let complete = &log[..log.rfind('\n').map_or(0, |i| i + 1)];
    for line in complete.lines() {
        if let Some((session, password)) = refused_password(line) {
            partial.entry(session).or_default().passwords.push(password);
            continue;
        }
        let Some((protocol, event)) = login_event(line) else {
            continue;
        };
        let Some(fields) = fields(event) else {
            continue;
        };
        let session = fields.value("session").unwrap_or_default().to_owned();
        if event.starts_with("Login failed: Plaintext authentication disabled") {
            partial.entry(session).or_default().plaintext_refused = true;
            continue;
        }
        let accepted = event.starts_with("Login: ");
        if !accepted && !event.contains("(auth failed, ") {
            continue;
        }
        let user = fields.value("user").unwrap_or_default().to_owned();
        if user.is_empty() {
            continue;
        }
        let seen = partial.remove(&session).unwrap_or_default();
        logins.push(Login {
            protocol,
            user,
            method: fields.value("method").unwrap_or_default().to_owned(),
            accepted,
            tls: fields.has_tls(),
            local_address: fields.value("lip").unwrap_or_default().to_owned(),
            refused_passwords: seen.passwords,
            plaintext_refused: seen.plaintext_refused,
        });
    }
    logins
}

/// `(session, password)` from the auth process's
/// `passwd-file(USER,IP,<SESSION>): Password mismatch (given password: P)`
/// (or `unknown user (given password: P)`).
fn refused_password(line: &str) -> Option<(String, String)> {
    let rest = &line[line.find(" auth: Info: passwd-file(")? + " auth: Info: passwd-file(".len()..];
    let session = rest.split_once('<')?.1.split_once('>')?.0.to_owned();
    let given = rest.split_once("(given password: ")?.1;
    let password = given.strip_suffix(')')?.to_owned();
    Some((session, password))
}

/// The protocol and the message of a login process's line.
fn login_event(line: &str) -> Option<(MailProtocol, &str)> {
    for (tag, protocol) in [
        (" imap-login: Info: ", MailProtocol::Imap),
        (" pop3-login: Info: ", MailProtocol::Pop3),
    ] {
        if let Some(at) = line.find(tag) {
            return Some((protocol, &line[at + tag.len()..]));
        }
    }
    None
}

/// The `key=<value>, key=value, TLS, ...` list at the end of a login line.
struct Fields<'a>(Vec<&'a str>);

fn fields(event: &str) -> Option<Fields<'_>> {
    let at = event.find("user=<")?;
    Some(Fields(event[at..].split(", ").collect()))
}

impl Fields<'_> {
    fn value(&self, key: &str) -> Option<&str> {
        self.0.iter().find_map(|field| {
            let value = field.strip_prefix(key)?.strip_prefix('=')?;
            Some(
                value
                    .strip_prefix('<')
                    .and_then(|v| v.strip_suffix('>'))
                    .unwrap_or(value),
            )
        })
    }

    /// `TLS`, or `TLS: <why it closed>`; `secured` (same address) is not TLS.
    fn has_tls(&self) -> bool {
        self.0.iter().any(|f| *f == "TLS" || f.starts_with("TLS: "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
Dec 01 09:41:11 imap-login: Info: Login: user=<alice>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, mpid=11885, TLS, session=<S1>
Dec 01 09:41:11 imap(alice)<11885><S1>: Info: Disconnected: Logged out in=12 out=477
Dec 01 09:41:11 auth: Info: passwd-file(alice,127.0.0.1,<S2>): Password mismatch (given password: wrong (twice))
Dec 01 09:41:11 imap-login: Info: Disconnected: Aborted login by logging out (auth failed, 1 attempts in 0 secs): user=<alice>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, TLS: Connection closed, session=<S2>
Dec 01 09:41:11 imap-login: Info: Login failed: Plaintext authentication disabled: user=<>, rip=127.0.0.1, lip=127.0.0.2, session=<S3>
Dec 01 09:41:11 imap-login: Info: Disconnected: Connection closed (auth failed, 1 attempts in 0 secs): user=<alice>, rip=127.0.0.1, lip=127.0.0.2, session=<S3>
Dec 01 09:41:11 pop3-login: Info: Disconnected: Connection closed (no auth attempts in 0 secs): user=<>, rip=127.0.0.1, lip=127.0.0.1, TLS, session=<S4>
Dec 01 09:41:11 pop3-login: Info: Login: user=<bob>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, mpid=11891, TLS, session=<S5>
Dec 01 09:41:12 auth: Info: passwd-file(alice,127.0.0.1,<S6>): Password mism";

    #[test]
    fn each_connection_is_one_login_with_what_the_server_saw() {
        let logins = parse(LOG);
        assert_eq!(logins.len(), 4, "{logins:#?}");
        assert!(logins[0].accepted && logins[0].tls && logins[0].user == "alice");
        assert_eq!(logins[0].method, "PLAIN");
        assert!(logins[1].refused("wrong (twice)"), "{:?}", logins[1]);
        assert!(logins[1].tls, "TLS: Connection closed is TLS");
        assert!(!logins[2].tls && logins[2].plaintext_refused);
        assert_eq!(logins[2].local_address, "127.0.0.2");
        assert!(logins[2].refused_passwords.is_empty());
        assert_eq!(logins[3].protocol, MailProtocol::Pop3);
        assert!(logins[3].accepted && logins[3].user == "bob");
    }
}

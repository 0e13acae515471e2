//! Where an account's mail goes out and comes in: one endpoint per
//! protocol, each a server, a port, a security and, where the provider
//! wants another, its own login.

use serde::{Deserialize, Serialize};

use super::Security;

/// The protocols an account has endpoints for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// Sending.
    Smtp,
    /// Reading, folders kept on the server.
    Imap,
    /// Reading, mail fetched and usually deleted from the server.
    Pop,
}

impl Protocol {
    /// Every protocol, in the order accounts list their endpoints.
    pub const ALL: [Protocol; 3] = [Self::Smtp, Self::Imap, Self::Pop];

    /// The name users type and the account file holds (`smtp`, `imap`, `pop`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Smtp => "smtp",
            Self::Imap => "imap",
            Self::Pop => "pop",
        }
    }

    /// The protocol a client names by `scheme`: NeoMutt's `--type` and
    /// git's `protocol=` add an `s` under TLS (`imaps`, `pops`, `smtps`),
    /// which is the URL scheme, not another endpoint. Compared without
    /// regard to case; `None` for anything else (`nntp`, `https`).
    pub fn from_scheme(scheme: &str) -> Option<Self> {
        let scheme = scheme.to_ascii_lowercase();
        let bare = scheme.strip_suffix('s').unwrap_or(&scheme);
        match bare {
            "smtp" => Some(Self::Smtp),
            "imap" => Some(Self::Imap),
            "pop" | "pop3" => Some(Self::Pop),
            _ => None,
        }
    }

    /// The usual port of this protocol under `security` (RFC 8314 §7 for
    /// implicit TLS: 465, 993, 995; RFC 6409, 3501 and 1939 for the rest).
    pub const fn default_port(self, security: Security) -> u16 {
        match (self, security) {
            (Self::Smtp, Security::Tls) => 465,
            (Self::Smtp, Security::Starttls) => 587,
            (Self::Smtp, Security::NoneDangerous) => 25,
            (Self::Imap, Security::Tls) => 993,
            (Self::Imap, _) => 143,
            (Self::Pop, Security::Tls) => 995,
            (Self::Pop, _) => 110,
        }
    }

    /// The securities an endpoint of this protocol may have: a reader's
    /// password crosses the network on every poll, and no reading program
    /// mailcred serves needs a plaintext connection, so only SMTP (a relay
    /// on this machine) may go without TLS.
    pub const fn securities(self) -> &'static [Security] {
        match self {
            Self::Smtp => &Security::ALL,
            Self::Imap | Self::Pop => &[Security::Tls, Security::Starttls],
        }
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One server of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// The server's name (no port, no scheme).
    pub host: String,
    /// The port.
    pub port: u16,
    /// How the connection is secured.
    pub security: Security,
    /// The login on this server when it is not the account's `user`
    /// (iCloud's IMAP may take the name without `@icloud.com`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
}

impl Endpoint {
    /// An endpoint logging in as the account's user.
    pub fn new(host: impl Into<String>, port: u16, security: Security) -> Self {
        Self {
            host: host.into(),
            port,
            security,
            login: None,
        }
    }

    /// `HOST:PORT`, as git sends it when it knows the port.
    pub fn host_port(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_s_of_a_scheme_is_tls_not_another_protocol() {
        for (scheme, protocol) in [
            ("smtp", Protocol::Smtp),
            ("smtps", Protocol::Smtp),
            ("imap", Protocol::Imap),
            ("IMAPS", Protocol::Imap),
            ("pop", Protocol::Pop),
            ("pops", Protocol::Pop),
            ("pop3s", Protocol::Pop),
        ] {
            assert_eq!(Protocol::from_scheme(scheme), Some(protocol), "{scheme}");
        }
        for other in ["nntp", "nntps", "https", "", "s", "imapss"] {
            assert_eq!(
                Protocol::from_scheme(other),
                None,
                "{other:?} is no mail protocol"
            );
        }
    }

    #[test]
    fn readers_never_go_without_tls() {
        for protocol in [Protocol::Imap, Protocol::Pop] {
            assert!(!protocol.securities().contains(&Security::NoneDangerous));
        }
        assert!(
            Protocol::Smtp
                .securities()
                .contains(&Security::NoneDangerous)
        );
    }
}

//! A found server made whole: its protocol, port and security, from what
//! the file says, else the provider's preset, else the protocol's usual
//! port; and the provider preset its host names.

use crate::accounts::{Protocol, Provider, Security};

use super::super::found::Server;

/// A server with nothing left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// SMTP, IMAP or POP.
    pub protocol: Protocol,
    /// The server name, in lower case (DNS names are compared so).
    pub host: String,
    /// The port.
    pub port: u16,
    /// Whether the file named the port (else it is the usual one).
    pub port_given: bool,
    /// The connection security.
    pub security: Security,
}

impl Endpoint {
    /// `smtp://HOST:PORT`, for the report.
    pub fn url(&self) -> String {
        format!("{}://{}:{}", self.protocol, self.host, self.port)
    }
}

/// The protocol a server name suggests: `smtp.…`, `imap.…`, `pop.…`, or a
/// preset's server.
pub fn protocol_by_name(host: &str) -> Option<Protocol> {
    let host = host.to_ascii_lowercase();
    let first = host.split('.').next().unwrap_or_default();
    for (prefix, protocol) in [
        ("smtp", Protocol::Smtp),
        ("imap", Protocol::Imap),
        ("pop", Protocol::Pop),
    ] {
        if first.starts_with(prefix) {
            return Some(protocol);
        }
    }
    Provider::ALL.into_iter().find_map(|provider| {
        Protocol::ALL.into_iter().find(|p| {
            provider
                .preset(*p)
                .is_some_and(|preset| preset.host == host)
        })
    })
}

/// The security a port implies, when it is one of the usual ones.
fn security_by_port(port: u16) -> Option<Security> {
    match port {
        465 | 993 | 995 => Some(Security::Tls),
        587 | 143 | 110 | 25 => Some(Security::Starttls),
        _ => None,
    }
}

/// `server` made whole, given its protocol.
pub fn complete(server: &Server, protocol: Protocol) -> Endpoint {
    let host = server.host.to_ascii_lowercase();
    let preset = Provider::ALL
        .into_iter()
        .filter_map(|p| p.preset(protocol))
        .find(|p| p.host == host);
    let security = server
        .security
        .or_else(|| server.port.and_then(security_by_port))
        .or(preset.map(|p| p.security))
        .unwrap_or(if protocol == Protocol::Smtp {
            Security::Starttls
        } else {
            Security::Tls
        });
    let port = server.port.unwrap_or_else(|| {
        preset
            .filter(|p| p.security == security)
            .map_or(protocol.default_port(security), |p| p.port)
    });
    Endpoint {
        protocol,
        host,
        port,
        port_given: server.port.is_some(),
        security,
    }
}

/// The provider whose presets name every one of these servers, else
/// `custom`.
pub fn provider_of<'a>(endpoints: impl Iterator<Item = &'a Endpoint> + Clone) -> Provider {
    Provider::ALL
        .into_iter()
        .filter(|p| *p != Provider::Custom && p.refusal().is_none())
        .find(|provider| {
            endpoints.clone().all(|e| {
                provider
                    .preset(e.protocol)
                    .is_some_and(|preset| preset.host == e.host)
            })
        })
        .unwrap_or(Provider::Custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(host: &str, port: Option<u16>) -> Server {
        Server {
            protocol: None,
            host: host.into(),
            port,
            security: None,
        }
    }

    #[test]
    fn a_preset_server_gets_its_preset_port_and_security() {
        let e = complete(&server("SMTP.gmail.com", None), Protocol::Smtp);
        assert_eq!(
            (e.host.as_str(), e.port, e.security),
            ("smtp.gmail.com", 587, Security::Starttls)
        );
        assert!(!e.port_given);
        let e = complete(&server("smtp.gmail.com", Some(465)), Protocol::Smtp);
        assert_eq!((e.port, e.security), (465, Security::Tls));
        let e = complete(&server("mail.example.org", None), Protocol::Imap);
        assert_eq!((e.port, e.security), (993, Security::Tls));
    }

    #[test]
    fn server_names_tell_the_protocol_when_they_can() {
        assert_eq!(protocol_by_name("smtp.example.org"), Some(Protocol::Smtp));
        assert_eq!(protocol_by_name("imaps.example.org"), Some(Protocol::Imap));
        assert_eq!(protocol_by_name("pop3.example.org"), Some(Protocol::Pop));
        assert_eq!(
            protocol_by_name("outlook.office365.com"),
            Some(Protocol::Imap)
        );
        assert_eq!(protocol_by_name("mail.example.org"), None);
        assert_eq!(protocol_by_name("github.com"), None);
    }
}

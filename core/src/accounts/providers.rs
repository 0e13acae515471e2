//! Provider presets: where each provider's servers are and what users must
//! know about its app passwords (see DESIGN.md's table).

use serde::{Deserialize, Serialize};

use super::Protocol;

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS (usually port 587).
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
    /// No encryption at all: the password crosses the network in clear
    /// text. Only for a relay on this machine.
    #[serde(rename = "none-dangerous")]
    NoneDangerous,
}

impl Security {
    /// Every kind, in the order `--help` lists them.
    pub const ALL: [Security; 3] = [Self::Starttls, Self::Tls, Self::NoneDangerous];

    /// One line for `--help`.
    pub const fn description(self) -> &'static str {
        match self {
            Self::Starttls => "Plain connection upgraded with STARTTLS (usually port 587)",
            Self::Tls => "TLS from the first byte (usually port 465)",
            Self::NoneDangerous => {
                "No encryption at all: the password crosses the network in clear text. Only for a relay on this machine"
            }
        }
    }

    /// The kind called `name` (as [`name`](Self::name) spells it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The usual SMTP port for this kind of connection (for any protocol:
    /// [`Protocol::default_port`]).
    pub const fn default_port(self) -> u16 {
        Protocol::Smtp.default_port(self)
    }

    /// The name users type.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Starttls => "starttls",
            Self::Tls => "tls",
            Self::NoneDangerous => "none-dangerous",
        }
    }
}

/// A mail provider with a preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Microsoft 365 (work or school accounts).
    Office365,
    /// Outlook.com, Hotmail, Live (personal Microsoft accounts).
    Outlook,
    /// Gmail and Google Workspace.
    Gmail,
    /// iCloud Mail.
    Icloud,
    /// Fastmail.
    Fastmail,
    /// Yahoo Mail.
    Yahoo,
    /// Zoho Mail.
    Zoho,
    /// Any other server: at least one of `--host`, `--imap-host`,
    /// `--pop-host` is required.
    Custom,
}

/// What a preset fills in for one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// The server.
    pub host: &'static str,
    /// Port.
    pub port: u16,
    /// Security.
    pub security: Security,
}

const fn preset(host: &'static str, port: u16, security: Security) -> Option<Preset> {
    Some(Preset {
        host,
        port,
        security,
    })
}

impl Provider {
    /// Every provider, in the order `--help` lists them.
    pub const ALL: [Provider; 8] = [
        Self::Office365,
        Self::Outlook,
        Self::Gmail,
        Self::Icloud,
        Self::Fastmail,
        Self::Yahoo,
        Self::Zoho,
        Self::Custom,
    ];

    /// One line for `--help`.
    pub const fn description(self) -> &'static str {
        match self {
            Self::Office365 => "Microsoft 365 (work or school accounts)",
            Self::Outlook => "Outlook.com, Hotmail, Live (personal Microsoft accounts)",
            Self::Gmail => "Gmail and Google Workspace",
            Self::Icloud => "iCloud Mail",
            Self::Fastmail => "Fastmail",
            Self::Yahoo => "Yahoo Mail",
            Self::Zoho => "Zoho Mail",
            Self::Custom => "Any other server: give --host, --imap-host or --pop-host",
        }
    }

    /// The provider called `name` (as [`name`](Self::name) spells it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The provider's server for `protocol` (DESIGN.md's preset table), or
    /// `None`: `custom` has none, iCloud has no POP. A preset's POP server is
    /// recorded only when asked for (`add --pop`): providers keep POP off
    /// until the user turns it on.
    pub const fn preset(self, protocol: Protocol) -> Option<Preset> {
        use Security::{Starttls, Tls};
        match (self, protocol) {
            (Self::Office365, Protocol::Smtp) => preset("smtp.office365.com", 587, Starttls),
            (Self::Office365 | Self::Outlook, Protocol::Imap) => {
                preset("outlook.office365.com", 993, Tls)
            }
            (Self::Office365 | Self::Outlook, Protocol::Pop) => {
                preset("outlook.office365.com", 995, Tls)
            }
            (Self::Outlook, Protocol::Smtp) => preset("smtp-mail.outlook.com", 587, Starttls),
            (Self::Gmail, Protocol::Smtp) => preset("smtp.gmail.com", 587, Starttls),
            (Self::Gmail, Protocol::Imap) => preset("imap.gmail.com", 993, Tls),
            (Self::Gmail, Protocol::Pop) => preset("pop.gmail.com", 995, Tls),
            (Self::Icloud, Protocol::Smtp) => preset("smtp.mail.me.com", 587, Starttls),
            (Self::Icloud, Protocol::Imap) => preset("imap.mail.me.com", 993, Tls),
            (Self::Fastmail, Protocol::Smtp) => preset("smtp.fastmail.com", 465, Tls),
            (Self::Fastmail, Protocol::Imap) => preset("imap.fastmail.com", 993, Tls),
            (Self::Fastmail, Protocol::Pop) => preset("pop.fastmail.com", 995, Tls),
            (Self::Yahoo, Protocol::Smtp) => preset("smtp.mail.yahoo.com", 465, Tls),
            (Self::Yahoo, Protocol::Imap) => preset("imap.mail.yahoo.com", 993, Tls),
            (Self::Yahoo, Protocol::Pop) => preset("pop.mail.yahoo.com", 995, Tls),
            (Self::Zoho, Protocol::Smtp) => preset("smtp.zoho.com", 465, Tls),
            (Self::Zoho, Protocol::Imap) => preset("imap.zoho.com", 993, Tls),
            (Self::Zoho, Protocol::Pop) => preset("pop.zoho.com", 995, Tls),
            (Self::Icloud, Protocol::Pop) | (Self::Custom, _) => None,
        }
    }

    /// Why the provider's `protocol` server takes no app password, when it
    /// takes OAuth only. The endpoint is still recorded (so `list`, `show`
    /// and `mailcred test` show it), and the rest of the account works.
    pub const fn oauth_only(self, protocol: Protocol) -> Option<&'static str> {
        match (self, protocol) {
            (Self::Office365, Protocol::Imap | Protocol::Pop) => Some(
                "Exchange Online accepts only OAuth sign-in on IMAP and POP (Microsoft turned \
                 basic authentication off there in 2022): sign in with OAuth2 instead, \
                 `mailcred login NAME --auth oauth2 --client-id ID`",
            ),
            _ => None,
        }
    }

    /// The name users type.
    pub fn name(self) -> &'static str {
        match self {
            Self::Office365 => "office365",
            Self::Outlook => "outlook",
            Self::Gmail => "gmail",
            Self::Icloud => "icloud",
            Self::Fastmail => "fastmail",
            Self::Yahoo => "yahoo",
            Self::Zoho => "zoho",
            Self::Custom => "custom",
        }
    }

    /// Why this provider cannot be used with an app password at all.
    pub const fn refusal(self) -> Option<&'static str> {
        match self {
            Self::Outlook => Some(
                "personal Outlook.com, Hotmail and Live accounts stopped accepting app passwords \
                 for SMTP in September 2024: only OAuth sign-in works there. Add it with \
                 --auth oauth2 --client-id ID (the README's \"OAuth2: registering a client id\" \
                 says how to get one). Nothing was stored. (A Microsoft 365 work or school \
                 account is --provider office365.)",
            ),
            _ => None,
        }
    }
}

//! Provider presets: where each provider's SMTP server is and what users
//! must know about its app passwords (see DESIGN.md's table).

use serde::{Deserialize, Serialize};

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

    /// The usual port for this kind of connection.
    pub const fn default_port(self) -> u16 {
        match self {
            Self::Starttls => 587,
            Self::Tls => 465,
            Self::NoneDangerous => 25,
        }
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
    /// Any other server: `--host` is required.
    Custom,
}

/// What a preset fills in.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// SMTP server.
    pub host: &'static str,
    /// Port.
    pub port: u16,
    /// Security.
    pub security: Security,
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
            Self::Custom => "Any other server: `--host` is required",
        }
    }

    /// The provider called `name` (as [`name`](Self::name) spells it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The provider's SMTP server, or `None` for `custom`.
    pub const fn preset(self) -> Option<Preset> {
        let (host, port, security) = match self {
            Self::Office365 => ("smtp.office365.com", 587, Security::Starttls),
            Self::Outlook => ("smtp-mail.outlook.com", 587, Security::Starttls),
            Self::Gmail => ("smtp.gmail.com", 587, Security::Starttls),
            Self::Icloud => ("smtp.mail.me.com", 587, Security::Starttls),
            Self::Fastmail => ("smtp.fastmail.com", 465, Security::Tls),
            Self::Yahoo => ("smtp.mail.yahoo.com", 465, Security::Tls),
            Self::Zoho => ("smtp.zoho.com", 465, Security::Tls),
            Self::Custom => return None,
        };
        Some(Preset {
            host,
            port,
            security,
        })
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
                 for SMTP in September 2024: only OAuth sign-in works there, and mailcred does \
                 not do OAuth yet. Nothing was stored. (A Microsoft 365 work or school account \
                 is --provider office365.)",
            ),
            _ => None,
        }
    }

    /// What the user should know when adding an account, in a few lines.
    pub const fn advice(self) -> &'static str {
        match self {
            Self::Office365 => {
                "Microsoft 365: create the app password under Security info \
                 (mysignins.microsoft.com) > Add sign-in method > App password.\n\
                 App passwords need per-user MFA and your admin's consent.\n\
                 Microsoft turns SMTP AUTH off by default for existing tenants at the end of \
                 December 2026 (admins can re-enable it); the server then answers 535 5.7.139."
            }
            Self::Outlook => "",
            Self::Gmail => {
                "Gmail: app passwords need 2-Step Verification; create one at \
                 myaccount.google.com/apppasswords.\n\
                 Changing your Google password revokes every app password: add it again then."
            }
            Self::Icloud => {
                "iCloud: SMTP requires an app-specific password: Apple Account > Sign-In and \
                 Security > App-Specific Passwords. Use your iCloud address as --user."
            }
            Self::Fastmail => {
                "Fastmail: Settings > Privacy & Security > App passwords; give it at least \
                 SMTP access."
            }
            Self::Yahoo => {
                "Yahoo: Account security > Generate app password. Generation is known to fail \
                 at times: if the password is refused, generate a new one."
            }
            Self::Zoho => {
                "Zoho: app-specific passwords need two-factor authentication: Accounts > \
                 Security > App Passwords."
            }
            Self::Custom => "",
        }
    }
}

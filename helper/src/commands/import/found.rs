//! What the reader of one configuration format finds in a file: each
//! plaintext secret, where it is, the server and login it is for, and how
//! the file changes so that the program asks mailcred instead.
//!
//! The readers are pure (text in, [`Parsed`] out): the planner decides the
//! account names, so a change names the account by a [`Text`] it renders.

use std::ops::Range;

use secrecy::SecretString;

use crate::accounts::{Protocol, Security};

/// The program mailcred's rewrites run to get a password.
pub const COMMAND: &str = "mailcred";

/// The configuration formats `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// msmtp's `~/.msmtprc`.
    Msmtp,
    /// `~/.netrc`.
    Netrc,
    /// Emacs's `~/.authinfo` (netrc with `port`).
    Authinfo,
    /// `~/.fetchmailrc`.
    Fetchmail,
    /// git-credential-store's `~/.git-credentials`.
    GitCredentials,
    /// git's `~/.gitconfig` (`sendemail.smtpPass`, `imap.pass`).
    GitConfig,
    /// mbsync's `~/.mbsyncrc`.
    Mbsync,
    /// mutt's and neomutt's rc files.
    Mutt,
    /// aerc's `accounts.conf`.
    Aerc,
    /// OfflineIMAP's `~/.offlineimaprc`.
    Offlineimap,
    /// getmail6's `getmailrc`.
    Getmail,
    /// Items other programs keep in the Secret Service (not a file).
    Keyring,
}

impl Format {
    /// Every format, in the order the report lists them.
    pub const ALL: [Format; 11] = [
        Self::Msmtp,
        Self::Netrc,
        Self::Authinfo,
        Self::Fetchmail,
        Self::GitCredentials,
        Self::GitConfig,
        Self::Mbsync,
        Self::Mutt,
        Self::Aerc,
        Self::Offlineimap,
        Self::Getmail,
    ];

    /// The name `--file FORMAT:PATH` takes.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Msmtp => "msmtp",
            Self::Netrc => "netrc",
            Self::Authinfo => "authinfo",
            Self::Fetchmail => "fetchmail",
            Self::GitCredentials => "git-credentials",
            Self::GitConfig => "gitconfig",
            Self::Mbsync => "mbsync",
            Self::Mutt => "neomutt",
            Self::Aerc => "aerc",
            Self::Offlineimap => "offlineimap",
            Self::Getmail => "getmail",
            Self::Keyring => "keyring",
        }
    }

    /// The format called `name`; `mutt` is neomutt's syntax too.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "mutt" => Some(Self::Mutt),
            "getmail6" => Some(Self::Getmail),
            "isync" => Some(Self::Mbsync),
            _ => Self::ALL.into_iter().find(|f| f.name() == name),
        }
    }
}

/// A server as a file names it; what it leaves out comes later from the
/// provider presets and the protocol's usual ports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// SMTP, IMAP or POP; `None` when the file does not say (netrc).
    pub protocol: Option<Protocol>,
    /// The server name, as written.
    pub host: String,
    /// The port, when the file names one.
    pub port: Option<u16>,
    /// The connection security, when the file says.
    pub security: Option<Security>,
}

/// One plaintext secret found in a file.
pub struct Found {
    /// The line (from 1) holding the secret.
    pub line: usize,
    /// The name the file gives the account (msmtp's `account work`), a
    /// candidate for the mailcred account's name.
    pub label: Option<String>,
    /// What holds it, for the report: `msmtp account "work"`.
    pub what: String,
    /// The server it signs in to.
    pub server: Server,
    /// The login; `None` when the file has none for it.
    pub user: Option<String>,
    /// The secret itself.
    pub secret: SecretString,
    /// For a credential of another protocol (`https`, with `--all`): the
    /// git credential it is, kept as git stores it rather than as a mail
    /// account's.
    pub git: Option<GitSlot>,
    /// How the file changes once the secret is stored.
    pub change: Change,
}

/// A git credential's slot: what git asks for it with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitSlot {
    /// `https`, `http`, …
    pub protocol: String,
    /// `HOST[:PORT]`, as git sends it.
    pub host: String,
    /// The path, when the line has one (git sends it only with
    /// `credential.useHttpPath`).
    pub path: Option<String>,
}

impl std::fmt::Debug for Found {
    /// Everything but the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Found {
            line,
            label,
            what,
            server,
            user,
            secret: _,
            git,
            change,
        } = self;
        f.debug_struct("Found")
            .field("line", line)
            .field("label", label)
            .field("what", what)
            .field("server", server)
            .field("user", user)
            .field("git", git)
            .field("change", change)
            .finish_non_exhaustive()
    }
}

/// How a file changes once its secret is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Edits of this file that make the program ask mailcred.
    Edits {
        /// The edits, rendered for the account's name.
        edits: Vec<Edit>,
        /// For a line several accounts inherit (msmtp's `defaults`): the
        /// line deleted, and this edit, one per account, instead.
        per_account: Option<PerAccount>,
        /// URLs whose git credential section must hand git to mailcred
        /// (`[credential "smtp://host:port"] helper = mailcred`).
        git_urls: Vec<String>,
    },
    /// The program has no way to ask another for its password: the secret
    /// is stored, and the file left as it is, for this reason.
    Keep(&'static str),
}

/// The per-account form of a shared line's change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerAccount {
    /// The shared line, with its end, to delete.
    pub delete: Range<usize>,
    /// The line to insert in the account's own block.
    pub insert: Edit,
}

/// Replace the bytes `range` with `text` (an insertion when it is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Byte offsets into the file.
    pub range: Range<usize>,
    /// What goes there.
    pub text: Text,
}

/// Replacement text, which may name the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    /// This text.
    Fixed(String),
    /// `before`, the account's name, `after`.
    Ask {
        /// Up to the name.
        before: String,
        /// After the name.
        after: String,
    },
}

impl Text {
    /// `before NAME after` with the name of the account in between: the
    /// shape of every "ask mailcred" directive, `mailcred get NAME` inside.
    pub fn ask(before: impl Into<String>, after: impl Into<String>) -> Self {
        Self::Ask {
            before: before.into(),
            after: after.into(),
        }
    }

    /// The text for account `name`. Names are plain ([`crate::accounts::valid_name`]):
    /// every syntax holds them unquoted.
    pub fn render(&self, name: &str) -> String {
        match self {
            Self::Fixed(text) => text.clone(),
            Self::Ask { before, after } => format!("{before}{name}{after}"),
        }
    }

    /// Whether the text names the account.
    pub fn names_account(&self) -> bool {
        matches!(self, Self::Ask { .. })
    }
}

/// Something the report must say about a file: an include not followed, a
/// conditional not guessed, a password it could not use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The line (from 1).
    pub line: usize,
    /// What to say.
    pub text: String,
}

/// An account of the file that names no password, so that its program
/// looks for one elsewhere (msmtp: in its own keyring item): where a line
/// asking mailcred would go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanting {
    /// The account's line.
    pub line: usize,
    /// The file's name for the account.
    pub label: String,
    /// Its server.
    pub server: Server,
    /// Its login.
    pub user: String,
    /// The line asking mailcred, inserted in the account's block.
    pub insert: Edit,
}

/// What a reader made of one file.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The secrets.
    pub found: Vec<Found>,
    /// Accounts without a password.
    pub wanting: Vec<Wanting>,
    /// What to report.
    pub notes: Vec<Note>,
    /// Why the whole file is left alone, when the reader does not
    /// understand all of it: its line and the reason.
    pub refused: Option<Note>,
}

impl Parsed {
    /// Adds a note.
    pub fn note(&mut self, line: usize, text: impl Into<String>) {
        self.notes.push(Note {
            line,
            text: text.into(),
        });
    }

    /// Leaves the file alone (the first reason counts).
    pub fn refuse(&mut self, line: usize, text: impl Into<String>) {
        if self.refused.is_none() {
            self.refused = Some(Note {
                line,
                text: text.into(),
            });
        }
    }
}

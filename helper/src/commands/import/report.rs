//! What `import` tells the user, on stdout: per secret found, its file and
//! line, the server and login, the account it goes to and what changes;
//! then what was skipped, left alone or not followed. Never a secret: the
//! lines shown are the new ones, and anything taken from a file passes
//! through [`printable`].

use std::io::{self, Write};

use super::found::{Change, Format};
use super::plan::{How, Item, Outcome, Plan, Step};
use super::sources::{Places, Source, Unreadable};
use crate::terminal::printable;

/// Everything the report needs.
pub struct View<'a> {
    /// Where HOME is.
    pub places: &'a Places,
    /// The files read.
    pub sources: &'a [Source],
    /// The files that could not be.
    pub unreadable: &'a [Unreadable],
    /// The plan.
    pub plan: &'a Plan,
    /// What else to say.
    pub notes: &'a [String],
}

impl View<'_> {
    fn source_name(&self, item: &Item) -> String {
        self.places.show(&self.sources[item.source].path)
    }

    /// The items in blocks: those of one line of one file that go the same
    /// way are one block (msmtp accounts inheriting one `password` line).
    fn blocks(&self) -> Vec<Vec<&Item>> {
        let mut blocks: Vec<Vec<&Item>> = Vec::new();
        for item in &self.plan.items {
            let line = |i: &Item| self.sources[i.source].parsed.found[i.found].line;
            match blocks.iter_mut().find(|b| {
                b[0].source == item.source
                    && line(b[0]) == line(item)
                    && b[0].outcome == item.outcome
                    && b[0].endpoint == item.endpoint
                    && b[0].changes == item.changes
            }) {
                Some(block) => block.push(item),
                None => blocks.push(vec![item]),
            }
        }
        blocks
    }

    /// One block per found secret.
    pub fn items(&self, out: &mut impl Write, apply: bool) -> io::Result<()> {
        let blocks = self.blocks();
        let count = blocks.len();
        if count == 0 {
            writeln!(out, "No mail password found outside mailcred.")?;
        } else {
            let s = if count == 1 { "" } else { "s" };
            writeln!(out, "Found {count} mail password{s} outside mailcred:")?;
        }
        for block in blocks {
            let item = block[0];
            let found = &self.sources[item.source].parsed.found[item.found];
            let whats: Vec<&str> = block
                .iter()
                .map(|i| self.sources[i.source].parsed.found[i.found].what.as_str())
                .collect();
            writeln!(out)?;
            if self.sources[item.source].format == Format::Keyring {
                writeln!(out, "Secret Service: {}", printable(&whats.join(", ")))?;
            } else {
                writeln!(
                    out,
                    "{}:{}: {}",
                    self.source_name(item),
                    found.line,
                    printable(&whats.join(", "))
                )?;
            }
            let user = found.user.as_deref().unwrap_or("(no login)");
            match &item.endpoint {
                Some(e) => writeln!(
                    out,
                    "  {} on {} ({})",
                    printable(user),
                    printable(&e.url()),
                    e.security.name()
                )?,
                None => writeln!(
                    out,
                    "  {} on {}",
                    printable(user),
                    printable(&found.server.host)
                )?,
            }
            let (would, did) = if apply {
                ("", "")
            } else {
                ("would be ", "would ")
            };
            match &item.outcome {
                Outcome::Account { name, how } => {
                    let account = self.describe_account(name, *how);
                    match how {
                        How::AlreadyStored => writeln!(out, "  {account}")?,
                        _ => writeln!(out, "  {would}stored: {account}")?,
                    }
                    for warning in self.warnings(name, *how) {
                        writeln!(out, "  warning: {warning}")?;
                    }
                    if let Change::Keep(why) = &found.change {
                        writeln!(out, "  the file stays as it is: {why}")?;
                    } else if item.changes.is_empty() {
                        writeln!(out, "  nothing to change in the file")?;
                    }
                    for change in &item.changes {
                        writeln!(out, "  {did}change: {}", printable(change))?;
                    }
                }
                Outcome::Credential { url, how } => {
                    match how {
                        How::AlreadyStored => writeln!(
                            out,
                            "  git's credential for {} is already stored",
                            printable(url)
                        )?,
                        _ => writeln!(
                            out,
                            "  {would}stored: as git's credential for {}",
                            printable(url)
                        )?,
                    }
                    for change in &item.changes {
                        writeln!(out, "  {did}change: {}", printable(change))?;
                    }
                }
                Outcome::Skipped(why) => writeln!(out, "  skipped: {}", printable(why))?,
                Outcome::Pending => unreachable!("a finished plan decides every item"),
            }
        }
        Ok(())
    }

    /// What `add` would warn about a new account (an endpoint its app
    /// password cannot sign in to, a deadline).
    fn warnings(&self, name: &str, how: How) -> Vec<String> {
        if how != How::New {
            return Vec::new();
        }
        self.plan
            .steps
            .iter()
            .find_map(|s| match s {
                Step::New { account, .. } if account.name == name => {
                    let protocols: Vec<_> = account.endpoints().map(|(p, _)| p).collect();
                    Some(account.provider.warnings(&protocols))
                }
                _ => None,
            })
            .unwrap_or_default()
    }

    fn describe_account(&self, name: &str, how: How) -> String {
        match how {
            How::New => {
                let provider = self.plan.steps.iter().find_map(|s| match s {
                    Step::New { account, .. } if account.name == name => {
                        Some(account.provider.name())
                    }
                    _ => None,
                });
                format!("new account \"{name}\" ({})", provider.unwrap_or("custom"))
            }
            How::SetPassword => format!("as the password of account \"{name}\""),
            How::AddEndpoint => {
                format!("account \"{name}\", which has the same password, gets this server")
            }
            How::AlreadyStored => format!("account \"{name}\" already keeps this password"),
        }
    }

    /// The conflicts, the files left alone and the notes.
    pub fn rest(&self, out: &mut impl Write) -> io::Result<()> {
        if !self.plan.conflicts.is_empty() {
            writeln!(out)?;
            writeln!(
                out,
                "Conflicts, skipped (name the right password with --prefer FILE:LINE, or --prefer ACCOUNT for a stored one):"
            )?;
            for conflict in &self.plan.conflicts {
                writeln!(
                    out,
                    "  {}: different passwords in {}",
                    printable(&conflict.slot),
                    printable(&conflict.holders.join(", "))
                )?;
            }
        }
        let refused: Vec<&Source> = self
            .sources
            .iter()
            .filter(|s| s.parsed.refused.is_some())
            .collect();
        if !refused.is_empty() || !self.unreadable.is_empty() {
            writeln!(out)?;
            writeln!(out, "Left alone:")?;
            for source in refused {
                let why = source.parsed.refused.as_ref().expect("refused");
                writeln!(
                    out,
                    "  {}:{}: {}; nothing in it is imported",
                    self.places.show(&source.path),
                    why.line,
                    printable(&why.text)
                )?;
            }
            for file in self.unreadable {
                writeln!(
                    out,
                    "  {} ({}): cannot be read: {}",
                    self.places.show(&file.path),
                    file.format.name(),
                    printable(&file.why)
                )?;
            }
        }
        let in_files = self.sources.iter().flat_map(|s| {
            s.parsed
                .notes
                .iter()
                .map(move |n| format!("{}:{}: {}", self.places.show(&s.path), n.line, n.text))
        });
        let notes: Vec<String> = self
            .notes
            .iter()
            .chain(&self.plan.notes)
            .cloned()
            .chain(in_files)
            .collect();
        if !notes.is_empty() {
            writeln!(out)?;
            writeln!(out, "Notes:")?;
            for note in notes {
                writeln!(out, "  {}", printable(&note))?;
            }
        }
        Ok(())
    }
}

/// One line per account step done.
pub fn stored(out: &mut impl Write, step: &Step) -> io::Result<()> {
    match step {
        Step::New { account, .. } => {
            let endpoints: Vec<String> = account
                .endpoints()
                .map(|(p, e)| format!("{p}://{}:{}", e.host, e.port))
                .collect();
            writeln!(
                out,
                "Stored a password as the new account \"{}\" ({}: {}).",
                account.name,
                account.provider.name(),
                endpoints.join(", ")
            )
        }
        Step::Credential { slot, user, .. } => writeln!(
            out,
            "Stored git's credential for {}://{}@{}.",
            slot.protocol,
            printable(user),
            printable(&slot.host)
        ),
        Step::SetPassword { name, .. } => {
            writeln!(out, "Stored a password into account \"{name}\".")
        }
        Step::AddEndpoints {
            name, endpoints, ..
        } => {
            let list: Vec<String> = endpoints
                .iter()
                .map(|(p, e)| format!("{p}://{}:{}", e.host, e.port))
                .collect();
            writeln!(
                out,
                "Gave account \"{name}\" the endpoints {}.",
                list.join(", ")
            )
        }
    }
}

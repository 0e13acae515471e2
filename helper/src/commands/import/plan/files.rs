//! Each file's new text: the edits of every secret that goes to an
//! account, rendered with its name, every other byte kept; and the
//! credential sections that hand git to mailcred, appended to the global
//! git configuration.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

use secrecy::ExposeSecret;
use zeroize::Zeroizing;

use super::super::formats::gitconfig;
use super::super::found::{Change, Edit, Format};
use super::super::lines;
use super::{Input, Item, Outcome, found};
use crate::commands::CommandError;

/// One file to replace.
pub struct FileChange {
    /// Where it is.
    pub path: PathBuf,
    /// Its reader, to check the new text with.
    pub format: Format,
    /// The text it has now (`None`: it is created).
    pub original: Option<Zeroizing<String>>,
    /// The text it gets.
    pub text: Zeroizing<String>,
    /// The items whose secrets must be gone from it.
    pub items: Vec<usize>,
}

impl std::fmt::Debug for FileChange {
    /// Everything but the texts: the old one holds the secrets, and the
    /// new one those left in place.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let FileChange {
            path,
            format,
            original,
            text: _,
            items,
        } = self;
        f.debug_struct("FileChange")
            .field("path", path)
            .field("format", format)
            .field("created", &original.is_none())
            .field("items", items)
            .finish_non_exhaustive()
    }
}

/// An edit with its text rendered, and the items it serves.
struct Rendered {
    range: Range<usize>,
    text: String,
    items: Vec<usize>,
}

/// The new text of every file with something to change.
pub(super) fn changes(
    input: &Input<'_>,
    items: &mut [Item],
) -> Result<Vec<FileChange>, CommandError> {
    let mut changes: Vec<FileChange> = Vec::new();
    let mut git_urls: Vec<(String, Vec<usize>)> = Vec::new();
    for (s, source) in input.sources.iter().enumerate() {
        let mut groups: BTreeMap<Vec<(usize, usize)>, Vec<usize>> = BTreeMap::new();
        for (at, item) in items.iter().enumerate().filter(|(_, i)| i.source == s) {
            if let Change::Edits { edits, .. } = &found(input, item).change {
                // Finds without edits of their own (a keyring item's) are
                // each their own group.
                let key = match edits.is_empty() {
                    true => vec![(usize::MAX, item.found)],
                    false => edits.iter().map(|e| (e.range.start, e.range.end)).collect(),
                };
                groups.entry(key).or_default().push(at);
            }
        }
        let mut rendered: Vec<Rendered> = Vec::new();
        for group in groups.values() {
            let changed = group_edits(input, items, group, &mut rendered);
            for at in changed {
                if let Change::Edits { git_urls: urls, .. } = &found(input, &items[at]).change {
                    for url in urls {
                        match git_urls.iter_mut().find(|(u, _)| u == url) {
                            Some((_, served)) => served.push(at),
                            None => git_urls.push((url.clone(), vec![at])),
                        }
                    }
                }
            }
        }
        if rendered.is_empty() {
            continue;
        }
        let text = apply(&source.text, &mut rendered).ok_or_else(|| {
            CommandError::Usage(format!(
                "cannot rewrite {}: two of its changes overlap (a bug in mailcred; nothing was \
                 changed)",
                source.path.display()
            ))
        })?;
        describe(input, items, s, &text, &rendered);
        let mut served: Vec<usize> = rendered
            .iter()
            .flat_map(|r| r.items.iter().copied())
            .collect();
        served.sort_unstable();
        served.dedup();
        changes.push(FileChange {
            path: source.path.clone(),
            format: source.format,
            original: Some(source.text.clone()),
            text,
            items: served,
        });
    }
    if !git_urls.is_empty() {
        append_git_sections(input, items, &mut changes, git_urls);
    }
    Ok(changes)
}

/// The edits of one group of items sharing the same lines; returns the
/// items whose file changes.
fn group_edits(
    input: &Input<'_>,
    items: &mut [Item],
    group: &[usize],
    rendered: &mut Vec<Rendered>,
) -> Vec<usize> {
    let applied: Vec<usize> = group
        .iter()
        .copied()
        .filter(|at| {
            matches!(
                items[*at].outcome,
                Outcome::Account { .. } | Outcome::Credential { .. }
            )
        })
        .collect();
    if applied.is_empty() {
        return applied;
    }
    let skipped = applied.len() < group.len();
    // A git credential's changes name no account.
    let name_of = |items: &[Item], at: usize| match &items[at].outcome {
        Outcome::Account { name, .. } => name.clone(),
        _ => String::new(),
    };
    let mut names: Vec<String> = applied.iter().map(|at| name_of(items, *at)).collect();
    names.sort();
    names.dedup();
    let Change::Edits {
        edits, per_account, ..
    } = &found(input, &items[applied[0]]).change
    else {
        unreachable!("grouped by their edits")
    };
    let asks = edits.iter().any(|e| e.text.names_account());
    if !skipped && (!asks || names.len() == 1) {
        push(rendered, edits, &names[0], &applied);
        return applied;
    }
    // Several accounts (or a skipped one) share these lines: each applied
    // account gets a line of its own, and the shared one goes only when
    // nobody needs it any more.
    let mut changed = Vec::new();
    for at in &applied {
        let Change::Edits {
            per_account: Some(own),
            ..
        } = &found(input, &items[*at]).change
        else {
            let why = if skipped {
                "it is also the password of a secret skipped here"
            } else {
                "it is shared by several accounts"
            };
            items[*at].changes.push(format!("not rewritten: {why}"));
            continue;
        };
        let name = name_of(items, *at);
        push(rendered, std::slice::from_ref(&own.insert), &name, &[*at]);
        changed.push(*at);
    }
    if let (false, Some(own)) = (skipped, per_account) {
        rendered.push(Rendered {
            range: own.delete.clone(),
            text: String::new(),
            items: changed.clone(),
        });
    }
    changed
}

fn push(rendered: &mut Vec<Rendered>, edits: &[Edit], name: &str, items: &[usize]) {
    for edit in edits {
        rendered.push(Rendered {
            range: edit.range.clone(),
            text: edit.text.render(name),
            items: items.to_vec(),
        });
    }
}

/// `original` with the edits made, or `None` when two overlap. Edits
/// are sorted by where they start; an identical edit made twice counts
/// once.
fn apply(original: &str, edits: &mut Vec<Rendered>) -> Option<Zeroizing<String>> {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut merged: Vec<Rendered> = Vec::new();
    for edit in edits.drain(..) {
        match merged.last_mut() {
            Some(last) if last.range == edit.range && last.text == edit.text => {
                last.items.extend(edit.items);
            }
            Some(last) if last.range.end > edit.range.start => return None,
            _ => merged.push(edit),
        }
    }
    *edits = merged;
    let mut text = Zeroizing::new(String::with_capacity(original.len()));
    let mut at = 0;
    for edit in edits.iter() {
        text.push_str(&original[at..edit.range.start]);
        text.push_str(&edit.text);
        at = edit.range.end;
    }
    text.push_str(&original[at..]);
    Some(text)
}

/// Tells each item what its lines became: the lines of the new text where
/// its edits landed (never one still holding a secret of the file).
fn describe(input: &Input<'_>, items: &mut [Item], source: usize, text: &str, edits: &[Rendered]) {
    let secrets: Vec<&str> = input.sources[source]
        .parsed
        .found
        .iter()
        .map(|f| f.secret.expose_secret())
        .filter(|s| !s.is_empty())
        .collect();
    let original = &input.sources[source].text;
    let mut delta: isize = 0;
    for edit in edits {
        let old_line = lines::line_of(original, edit.range.start);
        let start = edit
            .range
            .start
            .checked_add_signed(delta)
            .expect("inside the text");
        delta += edit.text.len() as isize - edit.range.len() as isize;
        let whole_lines = (edit.range.start == 0
            || original.as_bytes()[edit.range.start - 1] == b'\n')
            && (edit.range.end == original.len()
                || original.as_bytes()[edit.range.end - 1] == b'\n');
        let what = if edit.text.is_empty() && whole_lines && !edit.range.is_empty() {
            format!("line {old_line} deleted")
        } else {
            let shown = lines::lines(text)
                .find(|l| {
                    l.end
                        > start + usize::from(edit.range.is_empty() && edit.text.starts_with('\n'))
                })
                .map(|l| l.text.trim())
                .unwrap_or_default();
            if secrets.iter().any(|s| shown.contains(s)) {
                format!("line {old_line} changed")
            } else if edit.range.is_empty() {
                format!(
                    "line added after line {}: {shown}",
                    old_line.saturating_sub(1).max(1)
                )
            } else {
                format!("line {old_line} becomes: {shown}")
            }
        };
        for at in &edit.items {
            items[*at].changes.push(what.clone());
        }
    }
}

/// The `[credential "URL"]` sections git needs to ask mailcred, appended
/// to the global git configuration (unless it has them).
fn append_git_sections(
    input: &Input<'_>,
    items: &mut [Item],
    changes: &mut Vec<FileChange>,
    urls: Vec<(String, Vec<usize>)>,
) {
    let path = input.places.global_gitconfig();
    let source = input.sources.iter().find(|s| s.path == path);
    let at = match changes.iter().position(|c| c.path == path) {
        Some(at) => at,
        None => {
            changes.push(FileChange {
                path: path.clone(),
                format: Format::GitConfig,
                original: source.map(|s| s.text.clone()),
                text: source.map_or_else(|| Zeroizing::new(String::new()), |s| s.text.clone()),
                items: Vec::new(),
            });
            changes.len() - 1
        }
    };
    let change = &mut changes[at];
    let shown = input.places.show(&path);
    for (url, served) in urls {
        if !gitconfig::hands_to_mailcred(&change.text, &url) {
            if !change.text.is_empty() && !change.text.ends_with('\n') {
                change.text.push('\n');
            }
            change.text.push_str(&gitconfig::credential_section(&url));
        }
        for item in served {
            items[item].changes.push(format!(
                "{shown}: git asks mailcred for {url} ([credential] helper = mailcred)"
            ));
        }
    }
    if change.original.as_deref() == Some(&change.text) {
        changes.remove(at);
    }
}

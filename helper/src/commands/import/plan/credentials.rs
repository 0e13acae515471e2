//! `--all`: git-credential-store's lines for other servers (`https`…),
//! kept in mailcred as git credentials, the way `git credential approve`
//! would store them, not as mail accounts. The same rules hold: one
//! password per slot and login, the one already stored matching, a
//! differing one listed until `--prefer` names the right one.

use secrecy::SecretString;

use super::{Conflict, How, Input, Item, Outcome, Prefer, Step, found, same, same_file};
use crate::commands::CommandError;

/// Decides every pending git credential item.
pub(super) fn assign(
    input: &Input<'_>,
    items: &mut [Item],
    steps: &mut Vec<Step>,
    conflicts: &mut Vec<Conflict>,
    used: &mut [bool],
) -> Result<(), CommandError> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for at in 0..items.len() {
        let f = found(input, &items[at]);
        let Some(slot) = &f.git else {
            continue;
        };
        if items[at].outcome != Outcome::Pending {
            continue;
        }
        match groups.iter_mut().find(|g| {
            let other = found(input, &items[g[0]]);
            other.git.as_ref() == Some(slot) && other.user == f.user
        }) {
            Some(group) => group.push(at),
            None => groups.push(vec![at]),
        }
    }
    for group in groups {
        let first = found(input, &items[group[0]]);
        let slot = first.git.clone().expect("grouped by slot");
        let Some(user) = first.user.clone() else {
            for at in group {
                items[at].outcome = Outcome::Skipped("the line names no login".into());
            }
            continue;
        };
        let url = format!("{}://{user}@{}", slot.protocol, slot.host);
        let held = (input.credential)(&slot, &user)?;
        let secrets: Vec<&SecretString> = group
            .iter()
            .map(|at| &found(input, &items[*at]).secret)
            .collect();
        let agree = secrets.iter().all(|s| same(s, secrets[0]))
            && held.as_ref().is_none_or(|h| same(h, secrets[0]));
        let winner = if agree {
            Some(secrets[0].clone())
        } else {
            let mut chosen = None;
            for (p, prefer) in input.prefer.iter().enumerate() {
                if let Prefer::Place { path, line } = prefer
                    && let Some(at) = group.iter().find(|at| {
                        let item = &items[**at];
                        found(input, item).line == *line
                            && same_file(input.places, path, &input.sources[item.source].path)
                    })
                {
                    used[p] = true;
                    chosen = Some(found(input, &items[*at]).secret.clone());
                }
            }
            chosen
        };
        let Some(winner) = winner else {
            let mut holders: Vec<String> = group
                .iter()
                .map(|at| {
                    let item = &items[*at];
                    format!(
                        "{}:{}",
                        input.places.show(&input.sources[item.source].path),
                        found(input, item).line
                    )
                })
                .collect();
            if held.is_some() {
                holders.push("mailcred's git credential".into());
            }
            for at in &group {
                items[*at].outcome = Outcome::Skipped(format!(
                    "another password for {url} is found elsewhere: pick one with --prefer"
                ));
            }
            conflicts.push(Conflict { slot: url, holders });
            continue;
        };
        let how = match &held {
            Some(h) if same(h, &winner) => How::AlreadyStored,
            Some(_) => How::SetPassword,
            None => How::New,
        };
        if how != How::AlreadyStored {
            steps.push(Step::Credential {
                slot,
                user,
                secret: winner.clone(),
            });
        }
        for at in group {
            items[at].outcome = Outcome::Credential {
                url: url.clone(),
                how,
            };
            items[at].serves = Some(winner.clone());
        }
    }
    Ok(())
}

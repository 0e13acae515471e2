//! Where files disagree: the found secrets grouped by server and login
//! (the slot one password serves), the existing account on that slot, and
//! the one secret of each slot, or who holds the differing ones when
//! `--prefer` names none.

use std::path::Path;

use secrecy::SecretString;

use super::super::sources::Places;
use super::{Input, Item, Outcome, Prefer, found, same};
use crate::accounts::{Accounts, Protocol};
use crate::commands::CommandError;

/// One server and login: the secrets found for it must agree.
pub(super) struct Slot {
    pub(super) protocol: Protocol,
    pub(super) host: String,
    pub(super) user: String,
    pub(super) items: Vec<usize>,
}

/// The found secrets by server and login (skipped ones left out).
pub(super) fn slots(input: &Input<'_>, items: &[Item]) -> Vec<Slot> {
    let mut slots: Vec<Slot> = Vec::new();
    for (at, item) in items.iter().enumerate() {
        if item.outcome != Outcome::Pending {
            continue;
        }
        let (Some(endpoint), Some(user)) = (&item.endpoint, &found(input, item).user) else {
            continue;
        };
        match slots
            .iter_mut()
            .find(|s| s.protocol == endpoint.protocol && s.host == endpoint.host && s.user == *user)
        {
            Some(slot) => slot.items.push(at),
            None => slots.push(Slot {
                protocol: endpoint.protocol,
                host: endpoint.host.clone(),
                user: user.clone(),
                items: vec![at],
            }),
        }
    }
    slots
}

/// The existing account with an endpoint on this server for this login
/// (whatever its port).
pub(super) fn slot_owner<'a>(existing: &'a Accounts, slot: &Slot) -> Option<&'a str> {
    existing
        .accounts
        .iter()
        .find(|a| {
            a.endpoint(slot.protocol).is_some_and(|e| {
                e.host.eq_ignore_ascii_case(&slot.host) && a.login_at(e) == slot.user
            })
        })
        .map(|a| a.name.as_str())
}

/// The one secret of a slot, or who holds the differing ones.
pub(super) fn winner(
    input: &Input<'_>,
    items: &[Item],
    slot: &Slot,
    existing: Option<&str>,
    held: Option<&SecretString>,
    used: &mut [bool],
) -> Result<Result<SecretString, Vec<String>>, CommandError> {
    let secret_of = |at: usize| &found(input, &items[at]).secret;
    let first = secret_of(slot.items[0]);
    let agree = slot.items.iter().all(|at| same(secret_of(*at), first))
        && held.is_none_or(|h| same(h, first));
    if agree {
        return Ok(Ok(first.clone()));
    }
    let mut chosen: Option<SecretString> = None;
    for (p, prefer) in input.prefer.iter().enumerate() {
        let pick = match prefer {
            Prefer::Account(name) if Some(name.as_str()) == existing => held.cloned(),
            Prefer::Account(_) => None,
            Prefer::Place { path, line } => slot
                .items
                .iter()
                .find(|at| {
                    let item = &items[**at];
                    found(input, item).line == *line
                        && same_file(input.places, path, &input.sources[item.source].path)
                })
                .map(|at| secret_of(*at).clone()),
        };
        if let Some(pick) = pick {
            used[p] = true;
            if chosen.as_ref().is_some_and(|c| !same(c, &pick)) {
                return Err(CommandError::Usage(format!(
                    "--prefer names two different passwords for {}://{}@{}: name one",
                    slot.protocol, slot.user, slot.host
                )));
            }
            chosen = Some(pick);
        }
    }
    if let Some(chosen) = chosen {
        return Ok(Ok(chosen));
    }
    let mut holders: Vec<String> = slot
        .items
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
    if let Some(name) = existing {
        holders.push(format!("account \"{name}\""));
    }
    Ok(Err(holders))
}

/// Whether `given` (as typed, `~/` allowed) names the file `path`.
pub(super) fn same_file(places: &Places, given: &Path, path: &Path) -> bool {
    let given = match given.strip_prefix("~") {
        Ok(rest) => places.home.join(rest),
        Err(_) => given.to_owned(),
    };
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
    canonical(&given) == canonical(path)
}

//! Which account each server and login goes to: the existing account on
//! that server (storing the secret if it has none, or if `--prefer` chose
//! this one), else an existing account of that login with the same secret
//! (given an endpoint there), else a new account, one per login and secret
//! with an endpoint per protocol.

use secrecy::SecretString;

use super::server::{self, Endpoint};
use super::{How, Input, Item, Outcome, Slot, Step, Stored, found, same};
use crate::accounts::{self as mail, Account, Protocol, Provider};
use crate::commands::CommandError;
use crate::commands::accounts::{EndpointFlags, NewAccount, check_free, resolve};

/// A new account in the making: one login and secret, at most one
/// endpoint per protocol.
struct Candidate {
    user: String,
    secret: SecretString,
    endpoints: Vec<(Endpoint, Vec<usize>)>,
}

/// Decides the account of every slot's items, and the steps that store
/// them.
pub(super) fn assign(
    input: &Input<'_>,
    stored: &Stored<'_>,
    items: &mut [Item],
    winners: Vec<(Slot, SecretString, Option<String>)>,
) -> Result<Vec<Step>, CommandError> {
    let mut steps: Vec<Step> = Vec::new();
    let mut candidates: Vec<Candidate> = Vec::new();
    for (slot, secret, owner) in winners {
        for at in &slot.items {
            items[*at].serves = Some(secret.clone());
        }
        let endpoint = slot_endpoint(items, &slot);
        let (name, how) = if let Some(name) = owner {
            let how = match stored.get(&name)? {
                Some(held) if same(&held, &secret) => How::AlreadyStored,
                _ => {
                    steps.push(Step::SetPassword {
                        name: name.clone(),
                        secret,
                    });
                    How::SetPassword
                }
            };
            (name, how)
        } else if let Some(name) = same_secret(input, stored, &steps, &slot, &secret)? {
            let account = input.existing.get(&name).expect("found among them");
            let login = (slot.user != account.user).then(|| slot.user.clone());
            let new = (
                endpoint.protocol,
                mail::Endpoint {
                    login,
                    ..mail::Endpoint::new(endpoint.host.clone(), endpoint.port, endpoint.security)
                },
            );
            match steps.iter_mut().find_map(|s| match s {
                Step::AddEndpoints {
                    name: n, endpoints, ..
                } if *n == name => Some(endpoints),
                _ => None,
            }) {
                Some(endpoints) => endpoints.push(new),
                None => steps.push(Step::AddEndpoints {
                    name: name.clone(),
                    endpoints: vec![new],
                    secret,
                }),
            }
            (name, How::AddEndpoint)
        } else {
            let fits = |c: &Candidate| {
                c.user == slot.user
                    && same(&c.secret, &secret)
                    && c.endpoints.iter().all(|(e, _)| e.protocol != slot.protocol)
            };
            match candidates.iter_mut().find(|c| fits(c)) {
                Some(c) => c.endpoints.push((endpoint, slot.items)),
                None => candidates.push(Candidate {
                    user: slot.user.clone(),
                    secret,
                    endpoints: vec![(endpoint, slot.items)],
                }),
            }
            continue;
        };
        for at in slot.items {
            items[at].outcome = Outcome::Account {
                name: name.clone(),
                how,
            };
        }
    }
    let mut taken: Vec<String> = input
        .existing
        .accounts
        .iter()
        .map(|a| a.name.clone())
        .collect();
    for candidate in candidates {
        let all: Vec<usize> = candidate
            .endpoints
            .iter()
            .flat_map(|(_, at)| at.iter().copied())
            .collect();
        let outcome = match build(input, items, &candidate, &taken) {
            Ok(account) => {
                taken.push(account.name.clone());
                let outcome = Outcome::Account {
                    name: account.name.clone(),
                    how: How::New,
                };
                steps.push(Step::New {
                    account: Box::new(account),
                    secret: candidate.secret,
                });
                outcome
            }
            Err(why) => Outcome::Skipped(why),
        };
        for at in all {
            items[at].outcome = outcome.clone();
        }
    }
    Ok(steps)
}

/// The slot's endpoint: the first that names its port, else the first.
fn slot_endpoint(items: &[Item], slot: &Slot) -> Endpoint {
    let endpoints = || {
        slot.items
            .iter()
            .filter_map(|at| items[*at].endpoint.as_ref())
    };
    endpoints()
        .find(|e| e.port_given)
        .or_else(|| endpoints().next())
        .cloned()
        .expect("a slot is made of items with endpoints")
}

/// An existing account of the slot's login whose secret is the same and
/// which has no endpoint for the slot's protocol yet.
fn same_secret(
    input: &Input<'_>,
    stored: &Stored<'_>,
    steps: &[Step],
    slot: &Slot,
    secret: &SecretString,
) -> Result<Option<String>, CommandError> {
    for account in &input.existing.accounts {
        let logins = || {
            std::iter::once(account.user.as_str())
                .chain(account.endpoints().map(|(_, e)| account.login_at(e)))
        };
        let getting = steps.iter().any(|s| {
            matches!(s, Step::AddEndpoints { name, endpoints, .. }
                if *name == account.name && endpoints.iter().any(|(p, _)| *p == slot.protocol))
        });
        if account.is_oauth()
            || account.endpoint(slot.protocol).is_some()
            || getting
            || !logins().any(|l| l == slot.user)
        {
            continue;
        }
        if stored
            .get(&account.name)?
            .is_some_and(|held| same(&held, secret))
        {
            return Ok(Some(account.name.clone()));
        }
    }
    Ok(None)
}

/// The new account for `candidate`: named after what its files call it,
/// the provider preset its servers are, its endpoints as found; a preset's
/// other endpoints only where nothing else of this import, or of the
/// accounts there are, has that server and login.
fn build(
    input: &Input<'_>,
    items: &[Item],
    candidate: &Candidate,
    taken: &[String],
) -> Result<Account, String> {
    let labels: Vec<&str> = candidate
        .endpoints
        .iter()
        .flat_map(|(_, at)| at.iter())
        .filter_map(|at| found(input, &items[*at]).label.as_deref())
        .collect();
    let name = pick_name(&labels, &candidate.user, taken);
    let provider = server::provider_of(candidate.endpoints.iter().map(|(e, _)| e));
    let mut account = match make(&name, provider, candidate, &input.added) {
        Ok(account) => account,
        Err(_) if provider != Provider::Custom => {
            make(&name, Provider::Custom, candidate, &input.added)?
        }
        Err(why) => return Err(why),
    };
    for protocol in Protocol::ALL {
        let found_here = candidate
            .endpoints
            .iter()
            .any(|(e, _)| e.protocol == protocol);
        let Some(extra) = account.endpoint(protocol).filter(|_| !found_here) else {
            continue;
        };
        let host = extra.host.clone();
        let used = items.iter().any(|item| {
            item.endpoint
                .as_ref()
                .is_some_and(|e| e.protocol == protocol && e.host == host)
                && found(input, item).user.as_deref() == Some(candidate.user.as_str())
        }) || input.existing.accounts.iter().any(|a| {
            a.endpoint(protocol).is_some_and(|e| {
                e.host.eq_ignore_ascii_case(&host) && a.login_at(e) == candidate.user
            })
        });
        if used {
            *account.endpoint_mut(protocol) = None;
        }
    }
    check_free(input.existing, &account).map_err(|e| e.to_string())?;
    Ok(account)
}

/// The account `add` would make of these flags.
fn make(
    name: &str,
    provider: Provider,
    candidate: &Candidate,
    added: &str,
) -> Result<Account, String> {
    let mut new = NewAccount::new(name, provider, candidate.user.clone());
    for (endpoint, _) in &candidate.endpoints {
        let flags = EndpointFlags {
            host: Some(endpoint.host.clone()),
            port: Some(endpoint.port),
            security: Some(endpoint.security),
            login: None,
        };
        match endpoint.protocol {
            Protocol::Smtp => new.smtp = flags,
            Protocol::Imap => new.imap = flags,
            Protocol::Pop => {
                new.pop = flags;
                new.with_pop = true;
            }
        }
    }
    resolve(&new, added.to_owned()).map_err(|e| e.to_string())
}

/// The first of the files' names for the account that is usable and free,
/// else the login, else `mail`; a number added when all are taken.
fn pick_name(labels: &[&str], user: &str, taken: &[String]) -> String {
    let free = |name: &str| !taken.iter().any(|t| t == name);
    let usable: Vec<&str> = labels
        .iter()
        .copied()
        .chain([user, "mail"])
        .filter(|n| mail::valid_name(n) && *n != "default")
        .collect();
    if let Some(name) = usable.iter().find(|n| free(n)) {
        return (*name).to_owned();
    }
    let base = usable.first().copied().unwrap_or("mail");
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|n| free(n) && mail::valid_name(n))
        .expect("some number is free")
}

#[cfg(test)]
mod tests {
    use super::pick_name;

    #[test]
    fn a_name_is_the_files_own_when_free_else_the_login_else_numbered() {
        let taken = vec!["work".to_owned()];
        assert_eq!(pick_name(&["gmail"], "ann@x.org", &taken), "gmail");
        assert_eq!(pick_name(&["work"], "ann@x.org", &taken), "ann@x.org");
        assert_eq!(pick_name(&["default"], "ann@x.org", &taken), "ann@x.org");
        let taken = vec!["work".to_owned(), "ann@x.org".to_owned(), "mail".to_owned()];
        assert_eq!(pick_name(&["work"], "ann@x.org", &taken), "work-2");
        assert_eq!(pick_name(&["bad name"], "-x", &[]), "mail");
    }
}

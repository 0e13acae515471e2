//! Two machines refreshing one OAuth2 account's stale token at once: no
//! lock file spans machines, so compare-and-set on the token pair decides.
//! The winner's pair is kept, the loser's dropped, and the loser serves the
//! winner's access token: a newer pair is never overwritten with an older.

use mailcred::accounts::Provider;
use mailcred::commands::accounts::{self, NewAccount, OAuthFlags};
use mailcred::commands::login;
use mailcred::oauth::{FakeTokenSource, Flow};
use mailcred::store::MemoryStore;
use mailcred::vault::Vault;
use secrecy::ExposeSecret;

use super::Machine;
use crate::accounts::ADDED;
use crate::replay::NOW;

/// `work`, an OAuth2 account whose first access token is already stale.
fn signed_in(store: &MemoryStore, tokens: &FakeTokenSource) {
    tokens.set_lifetime(1);
    let new = NewAccount {
        oauth: Some(OAuthFlags {
            client_id: Some("11111111-2222-3333-4444-555555555555".into()),
            ..OAuthFlags::default()
        }),
        ..NewAccount::new("work", Provider::Office365, "ann@example.org")
    };
    let (status, message) = Machine::new(store, tokens).run(|ctx, out| {
        let account = accounts::resolve(&new, ADDED.into())?;
        login::add(ctx, account, None, Flow::Browser, out)
    });
    assert_eq!(status, 0, "add --auth oauth2: {message}");
    tokens.set_lifetime(3600);
}

/// Both machines `get` at once, each past the other's refresh lock (their
/// own folders); both refreshes take long enough to overlap.
fn race(store: &MemoryStore, tokens: &FakeTokenSource) -> Vec<String> {
    tokens.set_delay(std::time::Duration::from_millis(200));
    let machines = [Machine::new(store, tokens), Machine::new(store, tokens)];
    let start = std::sync::Barrier::new(2);
    std::thread::scope(|scope| {
        let runs: Vec<_> = machines
            .iter()
            .map(|machine| {
                let start = &start;
                scope.spawn(move || {
                    start.wait();
                    let (status, printed) = machine.get("work");
                    assert_eq!(status, 0, "each machine's get succeeds: {printed}");
                    printed
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    })
}

/// The access and refresh token the store keeps for `work`.
fn kept(store: &MemoryStore, tokens: &FakeTokenSource) -> (String, String) {
    let machine = Machine::new(store, tokens);
    let ctx = machine.ctx();
    let found = Vault::new(ctx.index.clone(), store)
        .find_account("work")
        .expect("the store reads")
        .expect("the pair is kept");
    let secret = |s: Option<secrecy::SecretString>| s.unwrap().expose_secret().to_owned();
    (
        secret(found.secrets.password),
        secret(found.secrets.oauth_refresh_token),
    )
}

#[test]
fn two_machines_refreshing_at_once_keep_the_winners_pair_and_both_serve_it() {
    let (store, tokens) = (MemoryStore::default(), FakeTokenSource::new(NOW, 3600));
    signed_in(&store, &tokens);

    let printed = race(&store, &tokens);

    assert_eq!(
        tokens.issued().refreshes.len(),
        2,
        "both machines refreshed (no lock spans them)"
    );
    let (access, refresh) = kept(&store, &tokens);
    assert_eq!(
        printed,
        [format!("{access}\n"), format!("{access}\n")],
        "both print the access token of the pair that was kept, the winner's"
    );
    assert_eq!(
        access.strip_prefix("access-"),
        refresh.strip_prefix("refresh-"),
        "the kept refresh token is the one issued with the kept access token, never \
         another refresh's"
    );
}

#[test]
fn with_strict_rotation_the_machine_whose_refresh_is_refused_serves_the_winners_pair() {
    let (store, tokens) = (MemoryStore::default(), FakeTokenSource::new(NOW, 3600));
    signed_in(&store, &tokens);
    // A refresh token works once: the loser's refresh is refused, as
    // Google or a strict Microsoft tenant would.
    tokens.set_strict(true);

    let printed = race(&store, &tokens);

    let (access, _) = kept(&store, &tokens);
    assert_eq!(
        printed,
        [format!("{access}\n"), format!("{access}\n")],
        "the refused machine does not ask to sign in again: it serves what the other saved"
    );
}

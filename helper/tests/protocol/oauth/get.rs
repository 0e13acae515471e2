//! `mailcred get` and `mailcred neomutt` of an OAuth2 account: the cached
//! access token while it has at least five minutes left, else one refresh,
//! saved (both tokens in one keyring write) before the token is printed.

use std::sync::atomic::{AtomicUsize, Ordering};

use mailcred::accounts::Provider;
use mailcred::commands::accounts::NewAccount;
use mailcred::commands::{self, Context};
use mailcred::exit;
use mailcred::store::{Capabilities, SecretStore, StoreError, Stored, Version, WriteIf};
use mailcred::vault::{SecretParts, Vault};

use super::{expiry, oauth_account, shown};
use crate::accounts::Setup;
use crate::replay::NOW;

/// A store that counts the writes reaching `inner`.
struct Counting<'a> {
    inner: &'a dyn SecretStore,
    writes: AtomicUsize,
}

impl<'a> Counting<'a> {
    fn new(inner: &'a dyn SecretStore) -> Self {
        Self {
            inner,
            writes: AtomicUsize::new(0),
        }
    }

    fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }
}

impl SecretStore for Counting<'_> {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn read(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        self.inner.read(id)
    }
    fn write_if(
        &self,
        id: &str,
        label: &str,
        secret: &[u8],
        condition: WriteIf,
    ) -> Result<Option<Version>, StoreError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.inner.write_if(id, label, secret, condition)
    }
    fn delete(&self, id: &str) -> Result<(), StoreError> {
        self.inner.delete(id)
    }
}

/// An OAuth2 account `work` whose first access token is valid for
/// `lifetime` seconds; later ones for an hour.
fn signed_in(lifetime: u64) -> Setup {
    let s = Setup::new();
    s.tokens.set_lifetime(lifetime);
    s.added_oauth(&oauth_account("work", Provider::Office365));
    s.tokens.set_lifetime(3600);
    s
}

#[test]
fn a_token_with_five_minutes_left_is_served_from_the_store_without_a_refresh() {
    let s = signed_in(300);
    assert_eq!(s.get("work").ok("get of a fresh token"), "access-1\n");
    assert!(
        s.tokens.issued().refreshes.is_empty(),
        "a token with 300 s left is served as it is: no refresh"
    );
}

#[test]
fn a_token_with_less_than_five_minutes_left_is_refreshed_and_saved_in_one_write() {
    let s = signed_in(299);
    let counting = Counting::new(&s.store);

    let printed = s
        .run_on(&counting, |ctx, out| {
            commands::lookup::get(ctx, "work", out)
        })
        .ok("get of a token about to expire");
    assert_eq!(printed, "access-2\n", "the refreshed token is printed");
    assert_eq!(s.tokens.issued().refreshes, ["refresh-1"]);
    assert_eq!(
        counting.writes(),
        1,
        "the new refresh token and access token are saved in one keyring write"
    );
    let pair = s.pair("work");
    assert_eq!(shown(&pair.password), Some("access-2"));
    assert_eq!(
        shown(&pair.oauth_refresh_token),
        Some("refresh-2"),
        "the rotated refresh token is saved before the access token is handed out"
    );
    assert_eq!(pair.expires_at, Some(expiry(3600)));
    assert_eq!(s.store.len(), 1, "the old pair is retired");

    assert_eq!(s.get("work").ok("the next get"), "access-2\n");
    assert_eq!(s.tokens.issued().refreshes.len(), 1, "no second refresh");
}

#[test]
fn without_a_new_refresh_token_from_the_provider_the_old_one_is_kept() {
    let s = signed_in(10);
    s.tokens.set_send_refresh_token(false);
    assert_eq!(s.get("work").ok("get"), "access-2\n");
    assert_eq!(
        shown(&s.pair("work").oauth_refresh_token),
        Some("refresh-1")
    );
}

#[test]
fn a_revoked_refresh_token_exits_83_printing_nothing_and_keeps_the_pair() {
    let s = signed_in(10);
    s.tokens.revoke_refresh_tokens();
    let counting = Counting::new(&s.store);

    s.run_on(&counting, |ctx, out| {
        commands::lookup::get(ctx, "work", out)
    })
    .fails_with(
        exit::SIGN_IN_AGAIN,
        "invalid_grant is the companion's 83, passed on by get",
    );
    assert_eq!(
        counting.writes(),
        0,
        "nothing is saved after a failed refresh"
    );
    assert_eq!(
        shown(&s.pair("work").oauth_refresh_token),
        Some("refresh-1")
    );
}

#[test]
fn a_pair_without_a_refresh_token_exits_83_naming_mailcred_login() {
    let s = signed_in(10);
    let account = s
        .ctx()
        .accounts
        .read()
        .unwrap()
        .get("work")
        .cloned()
        .unwrap();
    let pair = SecretParts {
        password: Some("access-old".into()),
        expires_at: Some(NOW + 10),
        ..SecretParts::default()
    };
    Vault::new(s.index(), &s.store)
        .store(commands::tokens::token_entry(&account, NOW), &pair)
        .unwrap();

    let message = s
        .get("work")
        .fails_with(exit::SIGN_IN_AGAIN, "no refresh token: sign in again");
    assert!(message.contains("mailcred login work"), "{message:?}");
}

#[test]
fn neomutt_answers_with_the_refreshed_access_token() {
    let s = signed_in(10);
    let answer = s
        .run(|ctx, out| commands::lookup::neomutt(ctx, "smtp.office365.com", None, None, out))
        .ok("neomutt's account_command");
    assert_eq!(
        answer,
        "username: ann@example.org\nlogin: ann@example.org\npassword: access-2\n"
    );
}

#[test]
fn sixteen_concurrent_gets_of_a_stale_token_make_one_refresh_and_print_the_same_token() {
    let s = signed_in(1);
    // Slow enough that every reader has seen the stale token before the
    // first refresh is saved: they meet at the refresh lock.
    s.tokens.set_delay(std::time::Duration::from_millis(200));

    let (store, tokens) = (&s.store, &s.tokens);
    let start = std::sync::Barrier::new(16);
    let printed: Vec<String> = std::thread::scope(|scope| {
        let readers: Vec<_> = (0..16)
            .map(|_| {
                let (index, start) = (s.index(), &start);
                scope.spawn(move || {
                    let ctx = Context::with_store(index, NOW, store).with_tokens(tokens);
                    start.wait();
                    let mut out = Vec::new();
                    commands::lookup::get(&ctx, "work", &mut out).expect("every reader succeeds");
                    String::from_utf8(out).unwrap()
                })
            })
            .collect();
        readers.into_iter().map(|r| r.join().unwrap()).collect()
    });

    assert_eq!(
        s.tokens.issued().refreshes,
        ["refresh-1"],
        "sixteen readers of one stale token cause one refresh"
    );
    assert!(
        printed.iter().all(|p| p == "access-2\n"),
        "every reader prints the one refreshed token: {printed:?}"
    );
}

#[test]
fn a_reader_that_waited_for_a_refresh_serves_its_token_even_with_less_than_five_minutes_left() {
    let s = signed_in(1);
    // Tokens shorter-lived than five minutes: refreshing again would bring
    // no better one, only a second refresh per reader.
    s.tokens.set_lifetime(120);
    let ctx = s.ctx();
    let account = ctx.accounts.read().unwrap().get("work").cloned().unwrap();
    let vault = Vault::new(s.index(), &s.store);
    let seen = vault.find_account("work").unwrap().expect("the pair");

    // Another reader refreshes while this one waits for the lock.
    assert_eq!(s.get("work").ok("the other reader"), "access-2\n");
    let served = commands::tokens::serve(&ctx, &s.store, &account, seen)
        .expect("the waiting reader is served");

    assert_eq!(shown(&served.secrets.password), Some("access-2"));
    assert_eq!(
        s.tokens.issued().refreshes.len(),
        1,
        "the reader that saw the old token takes the one refreshed meanwhile"
    );
}

#[test]
fn two_accounts_on_one_server_with_different_users_keep_their_own_tokens() {
    let s = Setup::new();
    s.tokens.set_lifetime(10);
    s.added_oauth(&oauth_account("ann", Provider::Office365));
    s.added_oauth(&NewAccount {
        user: "bob@example.org".into(),
        ..oauth_account("bob", Provider::Office365)
    });

    assert_eq!(s.get("bob").ok("bob's get"), "access-3\n");
    assert_eq!(s.tokens.issued().refreshes, ["refresh-2"], "bob's own");
    assert_eq!(shown(&s.pair("ann").oauth_refresh_token), Some("refresh-1"));
    assert_eq!(s.get("ann").ok("ann's get"), "access-4\n");
}

#[test]
fn a_google_client_secret_is_kept_with_the_tokens_and_sent_with_every_refresh() {
    let s = Setup::new();
    s.tokens.set_lifetime(10);
    let secret = s.password("GOCSPX-client-secret");
    s.run(|ctx, out| {
        let account = commands::accounts::resolve(
            &NewAccount {
                oauth: Some(mailcred::commands::accounts::OAuthFlags {
                    client_secret: true,
                    ..super::oauth_flags()
                }),
                ..crate::accounts::new_account("g", Provider::Gmail)
            },
            crate::accounts::ADDED.into(),
        )?;
        commands::login::add(
            ctx,
            account,
            Some(secret),
            mailcred::oauth::Flow::Browser,
            out,
        )
    })
    .ok("add of a Gmail account with its client secret");
    assert_eq!(
        shown(&s.pair("g").client_secret),
        Some("GOCSPX-client-secret"),
        "the client secret is kept in the same keyring item as the tokens"
    );

    s.get("g").ok("a refresh");
    assert_eq!(
        shown(&s.pair("g").client_secret),
        Some("GOCSPX-client-secret"),
        "and survives the refresh"
    );
    let sent = s.tokens.issued().client_secrets;
    assert_eq!(
        sent,
        [
            Some("GOCSPX-client-secret".into()),
            Some("GOCSPX-client-secret".into())
        ],
        "the sign-in and the refresh both carry it"
    );
    let shown_account = s
        .run(|ctx, out| commands::listing::show(ctx, "g", true, out))
        .ok("show --json");
    assert!(!shown_account.contains("GOCSPX"), "{shown_account}");
}

//! An OAuth2 account kept in OpenBao and served by two machines: when its
//! access token expires and both refresh at once against a provider that
//! rotates refresh tokens strictly (each one works once, as Microsoft's may),
//! both serve one token and the refresh token kept is the newest, never the
//! one the provider already took back.

use mailcred_e2e::openbao::Bao;
use mailcred_e2e::{finish, start};
use serde_json::json;

use super::*;

#[test]
fn two_machines_refreshing_one_expired_token_at_once_serve_one_token_and_keep_the_newest_refresh_token()
 {
    let Some(bao) = Bao::dev() else {
        return;
    };
    let account = OAuthAccount::start();
    let settings = bao.settings("mailcred/team");
    account.session.write_settings(&settings);
    account.idp.control(json!({ "access_lifetime": 1 }));
    let added = account.mailcred(&account.add_args(&[]), "");
    assert!(added.success(), "add --auth oauth2 into OpenBao:\n{added}");
    let other = KeyringSession::without_bus();
    other.write_settings(&settings);

    std::thread::sleep(std::time::Duration::from_millis(1100));
    account.idp.control(json!({
        "access_lifetime": 3600,
        "rotation": "strict",
        "token_delay_ms": 500,
    }));
    let get = || {
        let mut command = other.command(bin(MAILCRED));
        command.args(["get", ACCOUNT]);
        command
    };
    let readers: Vec<_> = (0..8)
        .flat_map(|_| {
            [
                start(
                    account.command(MAILCRED, &["get".into(), ACCOUNT.into()]),
                    b"",
                ),
                start(get(), b""),
            ]
        })
        .collect();
    let printed: Vec<Outcome> = readers.into_iter().map(finish).collect();

    let first = &printed[0].stdout;
    for got in &printed {
        assert!(
            got.success() && got.stdout == *first,
            "every reader on either machine prints the same token:\n{got}"
        );
    }
    assert!(
        account.idp.is_active(first.trim_end()),
        "one the provider takes"
    );
    assert!(
        (1..=2).contains(&account.idp.stat("refreshes")),
        "one refresh per machine at most (each machine's readers wait for its one refresh): {}",
        account.idp.stat("refreshes")
    );

    // The refresh token kept must be the one the provider issued last: with
    // strict rotation an older one is refused. git's erase (after a failed
    // login) drops the cached access token, so the next get refreshes.
    account.idp.control(json!({ "token_delay_ms": 0 }));
    let mut erase = other.command(bin(HELPER));
    erase.arg("erase");
    let erased = run(
        erase,
        format!("protocol=smtp\nhost=smtp.example.com:587\nusername={USER}\n\n").as_bytes(),
    );
    assert!(
        erased.success(),
        "git's erase of the access token:\n{erased}"
    );
    let refreshes = account.idp.stat("refreshes");
    let refreshed = run(get(), b"");
    assert!(
        refreshed.success() && refreshed.stdout != *first,
        "the other machine refreshes again with the refresh token kept in OpenBao:\n{refreshed}"
    );
    assert_eq!(account.idp.stat("refreshes"), refreshes + 1);
    assert!(account.idp.is_active(refreshed.stdout.trim_end()));
}

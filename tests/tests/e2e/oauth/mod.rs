//! OAuth2 accounts end to end: the built `mailcred`, `git-credential-mailcred`
//! and `mailcred-oauth`, a private keyring per test, and the local identity
//! provider (`mailcred_e2e::idp`, tests/oauth/idp.py) on 127.0.0.1, signed
//! in to by the stand-in browser (tests/oauth/browser.py), a pasted
//! address, or the device flow.
//!
//! - [`sign_in`]: `add --auth oauth2` by each flow, `login` again, and an
//!   app-password account switched to OAuth2;
//! - [`refresh`]: the cached token, expiry, sixteen readers at once,
//!   rotation, a crash between refresh and save, a revoked refresh token;
//! - [`git`]: real git's `credential fill|approve|reject` on an OAuth2 account;
//! - [`hygiene`]: where the tokens turn up (only on the stdout of `get`).

use mailcred_e2e::idp::{Idp, browser};
use serde_json::json;

use super::*;

mod git;
mod hygiene;
mod on_openbao;
mod refresh;
mod sign_in;

/// The account's name.
const ACCOUNT: &str = "work";
/// Its login.
const USER: &str = "alice@example.org";
/// The client id it signs in with (idp.py takes any).
const CLIENT_ID: &str = "11111111-2222-3333-4444-555555555555";
/// The companion that speaks to the identity provider.
const OAUTH: &str = "mailcred-oauth";

/// A keyring session and an identity provider, with or without the
/// account `work` signed in.
struct OAuthAccount {
    session: KeyringSession,
    idp: Idp,
}

impl OAuthAccount {
    /// A session and an identity provider; no account yet.
    fn start() -> Self {
        assert!(
            bin(OAUTH).is_file(),
            "the OAuth2 tests need {OAUTH}, built by `cargo build --workspace` (crate \
             mailcred-oauth)"
        );
        Self {
            session: KeyringSession::start(),
            idp: Idp::start(),
        }
    }

    /// The account `work` added with `--auth oauth2`, signed in by the
    /// stand-in browser; its first access token valid for `lifetime`
    /// seconds.
    fn signed_in(lifetime: u64) -> Self {
        let account = Self::start();
        account.idp.control(json!({ "access_lifetime": lifetime }));
        let added = account.mailcred(&account.add_args(&[]), "");
        assert!(
            added.success() && added.stdout.contains("signed in with OAuth2"),
            "add --auth oauth2 signs in through the browser and stores the account:\n{added}"
        );
        account
    }

    /// `mailcred add work --provider custom ... --auth oauth2` pointing at
    /// the identity provider, with `extra` flags.
    fn add_args(&self, extra: &[&str]) -> Vec<String> {
        let endpoints = self.idp.endpoints();
        let mut args: Vec<String> = [
            "add",
            ACCOUNT,
            "--provider",
            "custom",
            "--user",
            USER,
            "--host",
            "smtp.example.com",
            "--port",
            "587",
            "--security",
            "starttls",
            "--imap-host",
            "imap.example.com",
            "--auth",
            "oauth2",
            "--client-id",
            CLIENT_ID,
            "--scope",
            "https://outlook.office.com/SMTP.Send",
            "--scope",
            "offline_access",
        ]
        .map(String::from)
        .into();
        for (flag, endpoint) in [
            ("--oauth-authorize-url", "authorize"),
            ("--oauth-token-url", "token"),
            ("--oauth-device-url", "devicecode"),
        ] {
            args.push(flag.into());
            args.push(format!("{endpoints}{endpoint}"));
        }
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args
    }

    /// `binary ARGS` in the session, with the stand-in browser as BROWSER.
    fn command(&self, binary: &str, args: &[String]) -> std::process::Command {
        let mut command = self.session.command(bin(binary));
        command.env("BROWSER", browser()).args(args);
        command
    }

    /// `mailcred ARGS` with `input` on stdin.
    fn mailcred(&self, args: &[String], input: &str) -> Outcome {
        run(self.command(MAILCRED, args), input.as_bytes())
    }

    /// `mailcred get work`, which must print one access token the identity
    /// provider issued and still takes; returns it.
    #[track_caller]
    fn token(&self) -> String {
        let got = self.get();
        assert!(
            got.success() && got.stderr.is_empty(),
            "mailcred get of a signed-in account prints its access token:\n{got}"
        );
        let token = got.stdout.strip_suffix('\n').expect("one line").to_owned();
        assert!(
            !token.contains('\n') && self.idp.is_active(&token),
            "the printed token must be one the identity provider issued and still takes:\n{got}"
        );
        token
    }

    /// `mailcred get work`.
    fn get(&self) -> Outcome {
        self.mailcred(&["get".into(), ACCOUNT.into()], "")
    }
}

/// Asserts `mailcred get` or the git helper failed with 83: nothing on
/// stdout, one line on stderr saying to run `mailcred login work`.
#[track_caller]
fn assert_sign_in_again(outcome: &Outcome) {
    assert_fails_cleanly(
        outcome,
        mailcred_core::exit::SIGN_IN_AGAIN as i32,
        "mailcred login work",
    );
}

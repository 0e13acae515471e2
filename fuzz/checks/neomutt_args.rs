//! neomutt's `account_command` arguments, parsed the way the binary parses
//! them (clap on `Cli`, from an arbitrary argv) and, for `mailcred neomutt`
//! and `mailcred get`, looked up against a fixed set of accounts in an
//! in-memory store. Nothing may panic; a lookup either prints exactly the
//! lines of the one account an independent oracle picks, or prints nothing
//! and fails without naming any password.
//!
//! Shared by the fuzz target and by the replay of the corpus and regressions
//! in the normal test run (helper/tests/protocol/fuzz_inputs.rs).

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use clap::Parser;
use mailcred::accounts::{LookupError, Protocol, Provider};
use mailcred::cli::{Cli, Command, GitHelperArgs};
use mailcred::commands::accounts::{NewAccount, add, resolve};
use mailcred::commands::{CommandError, Context, lookup};
use mailcred::store::MemoryStore;
use mailcred::vault::{IndexFile, Vault};
use secrecy::SecretString;

/// One account of the fixture.
#[derive(Debug)]
struct Known {
    name: &'static str,
    provider: Provider,
    user: &'static str,
    /// The server, for `custom` (else the preset's).
    host: Option<&'static str>,
    /// `None`: the account exists but its password is not stored.
    password: Option<&'static str>,
}

impl Known {
    /// The account's server for `protocol`, if it has one.
    fn server(&self, protocol: Protocol) -> Option<&'static str> {
        match protocol {
            Protocol::Smtp => self.host.or(self.provider.preset(protocol).map(|p| p.host)),
            Protocol::Imap => self.provider.preset(protocol).map(|p| p.host),
            Protocol::Pop => None,
        }
    }
}

const ACCOUNTS: &[Known] = &[
    Known {
        name: "work",
        provider: Provider::Office365,
        user: "ann@contoso.com",
        host: None,
        password: Some("pw-work"),
    },
    Known {
        name: "work2",
        provider: Provider::Office365,
        user: "bob@contoso.com",
        host: None,
        password: Some("pw-work2"),
    },
    Known {
        name: "gmail",
        provider: Provider::Gmail,
        user: "ann@gmail.com",
        host: None,
        password: Some("pw-gmail"),
    },
    Known {
        name: "relay",
        provider: Provider::Custom,
        user: "ann",
        host: Some("mail.example.org"),
        password: Some("pw-relay"),
    },
    Known {
        name: "empty",
        provider: Provider::Custom,
        user: "eve",
        host: Some("void.example.org"),
        password: None,
    },
];

const NOW: u64 = 1_800_000_000;

/// The accounts, their index and their in-memory keyring.
struct Fixture {
    dir: tempfile::TempDir,
    store: MemoryStore,
}

impl Fixture {
    fn new() -> Self {
        let fixture = Fixture {
            dir: tempfile::tempdir().expect("a temporary directory"),
            store: MemoryStore::default(),
        };
        fixture.populate();
        fixture
    }

    fn populate(&self) {
        let ctx = self.ctx();
        for known in ACCOUNTS {
            let mut new = NewAccount::new(known.name, known.provider, known.user);
            new.smtp.host = known.host.map(Into::into);
            let account = resolve(&new, "2027-01-15T08:00:00Z".into()).expect("a valid account");
            let password = SecretString::from(known.password.unwrap_or("dropped below"));
            add(&ctx, account, password, std::io::sink()).expect("the fixture account is added");
        }
        for known in ACCOUNTS.iter().filter(|k| k.password.is_none()) {
            // Keep the account, drop its password: the "no password" path.
            let store = ctx.open_store().expect("the in-memory store");
            Vault::new(ctx.index.clone(), store.as_ref())
                .erase_account(known.name)
                .expect("the password is dropped");
        }
    }

    fn ctx(&self) -> Context<'_> {
        Context::with_store(IndexFile::in_dir(self.dir.path()), NOW, &self.store)
    }
}

thread_local! {
    static FIXTURE: Fixture = Fixture::new();
}

/// `program`, `prefix`, then `rest` split at NUL bytes.
fn argv(program: &str, prefix: &[&str], rest: &[u8]) -> Vec<OsString> {
    let mut argv: Vec<OsString> = [program].iter().chain(prefix).map(OsString::from).collect();
    if !rest.is_empty() {
        argv.extend(
            rest.split(|&b| b == 0)
                .map(|a| OsString::from_vec(a.to_vec())),
        );
    }
    argv
}

/// A failure prints nothing, and its message names no password.
fn check_error(error: &CommandError, out: &[u8]) {
    assert!(out.is_empty(), "a failing lookup printed {out:?}");
    let mut text = format!("{error:?} {error}");
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    for password in ACCOUNTS.iter().filter_map(|k| k.password) {
        assert!(
            !text.contains(password),
            "an error names a password: {text}"
        );
    }
}

fn neomutt(ctx: &Context<'_>, hostname: &str, username: Option<&str>, kind: Option<&str>) {
    let protocol = match kind {
        None => None,
        Some(kind) => match Protocol::from_scheme(kind) {
            Some(protocol) => Some(protocol),
            None => return, // refused by the command line before any lookup
        },
    };
    let mut out = Vec::new();
    let result = lookup::neomutt(ctx, hostname, username, protocol, &mut out);
    // The oracle: accounts with an endpoint of that protocol on that server
    // (in any case), with that user.
    let matching: Vec<&Known> = ACCOUNTS
        .iter()
        .filter(|k| {
            Protocol::ALL
                .into_iter()
                .filter(|p| protocol.is_none_or(|wanted| wanted == *p))
                .filter_map(|p| k.server(p))
                .any(|server| server.eq_ignore_ascii_case(hostname))
        })
        .filter(|k| username.is_none_or(|u| u == k.user))
        .collect();
    match (result, matching.as_slice()) {
        (Ok(()), [one]) if one.password.is_some() => assert_eq!(
            String::from_utf8(out).expect("UTF-8 output"),
            format!(
                "username: {user}\nlogin: {user}\npassword: {password}\n",
                user = one.user,
                password = one.password.unwrap_or_default()
            )
        ),
        (Ok(()), _) => panic!("neomutt answered for {matching:?}: {out:?}"),
        (Err(e @ CommandError::NoPassword { .. }), [one]) if one.password.is_none() => {
            check_error(&e, &out)
        }
        (
            Err(
                e @ CommandError::Lookup(LookupError::NoMatch { .. } | LookupError::Several { .. }),
            ),
            m,
        ) if m.len() != 1 => check_error(&e, &out),
        (Err(e), m) => panic!("neomutt failed with {e:?} for {m:?}"),
    }
}

fn get(ctx: &Context<'_>, name: &str) {
    let mut out = Vec::new();
    let result = lookup::get(ctx, name, &mut out);
    let known = ACCOUNTS.iter().find(|k| k.name == name);
    match (result, known.map(|k| k.password)) {
        (Ok(()), Some(Some(password))) => {
            assert_eq!(out, format!("{password}\n").into_bytes())
        }
        (Ok(()), _) => panic!("get answered for {name:?}: {out:?}"),
        (Err(e @ CommandError::NoPassword { .. }), Some(None))
        | (Err(e @ CommandError::Lookup(LookupError::UnknownName { .. })), None) => {
            check_error(&e, &out)
        }
        (Err(e), k) => panic!("get {name:?} failed with {e:?} for {k:?}"),
    }
}

/// Checks one input; panics when a property fails.
pub fn check(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        // Mostly what neomutt runs: `mailcred neomutt ARGS...`.
        0 | 1 => check_cli(argv("mailcred", &["neomutt"], rest)),
        2 => check_cli(argv("mailcred", &[], rest)),
        _ => {
            let argv = argv("git-credential-mailcred", &[], rest);
            if let Err(e) = GitHelperArgs::try_parse_from(argv) {
                let _ = e.render().to_string();
            }
        }
    }
}

fn check_cli(argv: Vec<OsString>) {
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.render().to_string();
            return;
        }
    };
    FIXTURE.with(|fixture| {
        let ctx = fixture.ctx();
        match cli.command {
            Command::Neomutt(args) => neomutt(
                &ctx,
                &args.hostname,
                args.username.as_deref(),
                args.kind.as_deref(),
            ),
            Command::Get { account } => get(&ctx, &account),
            _ => {}
        }
    });
}

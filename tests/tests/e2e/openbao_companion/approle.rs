//! AppRole: one login serves many sessions through the 0600 token cache,
//! so msmtp running `mailcred get` per message piles up no leases.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use mailcred_e2e::openbao::Bao;

use super::*;

const RW: &str = r#"path "secret/data/mailcred/*" { capabilities = ["create", "read", "update"] }"#;

/// A dev server with role `fleet` and a private cache folder.
fn fleet() -> Option<(Bao, Value, PathBuf)> {
    let bao = Bao::dev()?;
    bao.write_policy("rw", RW);
    let (role_id, secret_id_file) = bao.approle("fleet", &["rw"], "1h");
    let cache = bao.dir().join("runtime/mailcred");
    let mut config = token_config(bao.address(), Path::new("/unused"));
    config["auth"] = json!({"approle": {"role_id": role_id, "secret_id_file": secret_id_file}});
    config["token_cache_dir"] = json!(cache);
    Some((bao, config, cache))
}

fn one_session(config: &Value) {
    let mut session = Companion::start(config, &[]);
    let answer = session.ask(read("secrets/x"));
    assert!(
        answer.get("absent").is_some() || answer.get("found").is_some(),
        "{answer}"
    );
    let (status, stderr) = session.finish();
    assert_eq!(status, Some(0), "{stderr}");
    assert!(
        stderr.is_empty(),
        "a session that worked says nothing on stderr: {stderr}"
    );
}

/// The one cache file in `cache`.
fn cache_file(cache: &Path) -> PathBuf {
    let files: Vec<PathBuf> = fs::read_dir(cache)
        .expect("the cache folder exists")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(
        files.len(),
        1,
        "one cache file per server and role: {files:?}"
    );
    files.into_iter().next().expect("one")
}

#[test]
fn twenty_sessions_log_in_once_and_share_the_cached_token() {
    let Some((bao, config, cache)) = fleet() else {
        return;
    };
    // Ten at once (they wait for each other's login), then ten in a row.
    let parallel: Vec<_> = (0..10)
        .map(|_| {
            let config = config.clone();
            thread::spawn(move || one_session(&config))
        })
        .collect();
    for session in parallel {
        session.join().expect("a session");
    }
    for _ in 0..10 {
        one_session(&config);
    }
    assert_eq!(
        bao.approle_leases(),
        1,
        "20 sessions must cost one AppRole login"
    );
    let file = cache_file(&cache);
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("openbao-") && name.len() == "openbao-".len() + 24 + ".json".len(),
        "the cache file is openbao-<24 hex>.json: {name}"
    );
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode(&file),
        0o600,
        "the cached token is readable by its owner only"
    );
    assert_eq!(mode(&cache), 0o700, "the cache folder is its owner's only");
}

#[test]
fn a_revoked_cached_token_is_replaced_by_one_new_login() {
    let Some((bao, config, cache)) = fleet() else {
        return;
    };
    one_session(&config);
    let cached: Value = serde_json::from_slice(&fs::read(cache_file(&cache)).unwrap()).unwrap();
    bao.must(&[
        "token",
        "revoke",
        cached["token"].as_str().expect("a cached token"),
    ]);
    assert_eq!(bao.approle_leases(), 0, "revoking the token ends its lease");
    one_session(&config);
    one_session(&config);
    assert_eq!(
        bao.approle_leases(),
        1,
        "a refused cached token costs exactly one new login"
    );
}

#[test]
fn a_rejected_secret_id_is_token_expired_and_says_how_to_get_a_new_one() {
    let Some((bao, config, _cache)) = fleet() else {
        return;
    };
    let file = config["auth"]["approle"]["secret_id_file"]
        .as_str()
        .unwrap()
        .to_owned();
    fs::write(&file, "00000000-0000-0000-0000-000000000000\n").unwrap();
    let mut session = Companion::start(&config, &[]);
    let message = assert_error(
        &session.ask(read("secrets/x")),
        "token_expired",
        "a secret id the server refuses is like an expired login",
    );
    assert!(
        message.contains("secret-id") && message.contains(&file),
        "{message}"
    );
    assert_eq!(bao.approle_leases(), 0, "a refused login makes no lease");
}

/// Rewrites the cache file's `field` to `value`, as time passing would.
fn age_cache(cache: &Path, field: &str, value: u64) {
    let file = cache_file(cache);
    let mut cached: Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
    cached[field] = json!(value);
    fs::write(&file, serde_json::to_vec(&cached).unwrap()).unwrap();
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn a_cached_token_past_half_its_ttl_is_renewed_and_an_expired_one_replaced() {
    let Some((bao, config, cache)) = fleet() else {
        return;
    };
    one_session(&config);
    // Less than half of its (claimed) TTL left: renewed by the server.
    age_cache(&cache, "ttl", 1_000_000);
    one_session(&config);
    let renewed: Value = serde_json::from_slice(&fs::read(cache_file(&cache)).unwrap()).unwrap();
    assert_eq!(
        renewed["ttl"], 3600,
        "renew-self gave the role's TTL again: {renewed}"
    );
    assert_eq!(bao.approle_leases(), 1, "a renewal is no new login");
    // Past its expiry: a new login (the old lease is the server's to end).
    age_cache(&cache, "expires_at", now() - 1);
    one_session(&config);
    assert_eq!(
        bao.approle_leases(),
        2,
        "an expired cached token costs one new login"
    );
}

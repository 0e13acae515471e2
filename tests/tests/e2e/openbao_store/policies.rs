//! The README's policies for real: a person who keeps the team's accounts
//! (read-write on `mailcred/team` and `mailcred/web`) and a fleet that may
//! only read the one account under `mailcred/web`, logging in with AppRole
//! as a fleet would, its token cached so that a `get` per message is not a
//! login per message.

use super::*;

/// The person's policy, as in the README.
const TEAM_POLICY: &str = r#"
path "secret/data/mailcred/team/*"     { capabilities = ["create", "read", "update"] }
path "secret/metadata/mailcred/team/*" { capabilities = ["read", "list", "delete"] }
path "secret/data/mailcred/web/*"      { capabilities = ["create", "read", "update"] }
path "secret/metadata/mailcred/web/*"  { capabilities = ["read", "list", "delete"] }
"#;
/// The fleet's policy, as in the README.
const WEB_POLICY: &str = r#"path "secret/data/mailcred/web/*" { capabilities = ["read"] }"#;

/// settings.json for `bao` with `prefix` and `login` (the "openbao" keys
/// that say how to log in).
fn settings(bao: &Bao, prefix: &str, login: serde_json::Value) -> serde_json::Value {
    let mut settings = bao.settings(prefix);
    let openbao = settings["openbao"]
        .as_object_mut()
        .expect("an openbao object");
    openbao.remove("token_file");
    openbao.extend(login.as_object().expect("login keys").clone());
    settings
}

#[test]
fn a_fleet_with_the_readmes_read_only_policy_serves_its_account_and_cannot_change_it() {
    let Some(bao) = Bao::dev() else {
        return;
    };
    bao.write_policy("mailcred-team", TEAM_POLICY);
    bao.write_policy("mailcred-web", WEB_POLICY);
    let person_token = bao.token_file("ann", &bao.create_token(&["mailcred-team"], "1h"));
    let person = machine(&settings(
        &bao,
        "mailcred/web",
        serde_json::json!({"token_file": person_token}),
    ));
    let added = add_account(&person, "web", "web-app-password");
    assert!(
        added.success(),
        "the person adds the fleet's account:\n{added}"
    );
    let team = machine(&settings(
        &bao,
        "mailcred/team",
        serde_json::json!({"token_file": person_token}),
    ));
    let added = add_account(&team, "support", "support-app-password");
    assert!(added.success(), "and a team account:\n{added}");

    let (role_id, secret_id_file) = bao.approle("web-servers", &["mailcred-web"], "1h");
    let fleet = machine(&settings(
        &bao,
        "mailcred/web",
        serde_json::json!({"role_id": role_id, "secret_id_file": secret_id_file}),
    ));
    for _ in 0..10 {
        let got = mailcred_on(&fleet, &["get", "web"], "");
        assert_eq!(
            (got.code, got.stdout.as_str()),
            (Some(0), "web-app-password\n"),
            "the fleet serves its account with read access alone:\n{got}"
        );
    }
    assert_eq!(
        bao.approle_leases(),
        1,
        "ten gets, one AppRole login: the token is cached in XDG_RUNTIME_DIR"
    );

    let changed = mailcred_on(
        &fleet,
        &["set-password", "web", "--password-stdin"],
        "fleet-password\n",
    );
    assert_eq!(
        (changed.code, changed.stdout.as_str()),
        (Some(NO_PERMISSION), ""),
        "a read-only fleet cannot change the password:\n{changed}"
    );
    assert!(
        changed.stderr.contains("secret/data/mailcred/web/"),
        "the refusal names the path:\n{changed}"
    );
    let team_from_fleet = machine(&settings(
        &bao,
        "mailcred/team",
        serde_json::json!({"role_id": role_id, "secret_id_file": secret_id_file}),
    ));
    let got = mailcred_on(&team_from_fleet, &["get", "support"], "");
    assert_eq!(
        (got.code, got.stdout.as_str()),
        (Some(NO_PERMISSION), ""),
        "the fleet cannot read the team's accounts:\n{got}"
    );
    let got = mailcred_on(&person, &["get", "web"], "");
    assert_eq!(
        got.stdout, "web-app-password\n",
        "the refused change changed nothing:\n{got}"
    );
}

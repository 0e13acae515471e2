use std::collections::HashMap;

use super::*;

const ORIGIN: &str = "/home/u/.config/mailcred/settings.json";

/// `json` (the `"openbao"` object) resolved with the variables `vars` and
/// the home folder `/home/u`.
fn resolve(json: &str, vars: &[(&str, &str)]) -> Result<OpenBaoSettings, BadSetting> {
    let file: OpenBaoFile = serde_json::from_str(json).expect("the test's JSON parses");
    let vars: HashMap<String, OsString> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), OsString::from(v)))
        .collect();
    let var = move |name: &str| vars.get(name).cloned();
    OpenBaoSettings::resolve(
        &file,
        ORIGIN,
        &Surroundings {
            var: &var,
            home: Some(PathBuf::from("/home/u")),
        },
    )
}

#[track_caller]
fn refused(json: &str, vars: &[(&str, &str)]) -> BadSetting {
    resolve(json, vars).expect_err("these settings must be refused")
}

#[test]
fn only_an_address_is_needed_and_the_rest_has_the_contracts_defaults() {
    let settings = resolve(r#"{"address":"https://bao.example:8200/"}"#, &[]).unwrap();
    assert_eq!(
        settings.address, "https://bao.example:8200",
        "the trailing / is dropped"
    );
    assert_eq!(settings.mount, "secret");
    assert_eq!(settings.prefix, "mailcred");
    assert_eq!(
        settings.auth,
        OpenBaoAuth::TokenFile(PathBuf::from("/home/u/.vault-token")),
        "the token file bao login writes, and an Agent sink may"
    );
    assert_eq!(settings.ca_file, None, "the usual roots");
}

#[test]
fn the_address_comes_from_bao_addr_then_vault_addr_and_the_ca_from_vault_cacert() {
    let both = [
        ("BAO_ADDR", "https://bao:8200"),
        ("VAULT_ADDR", "https://vault:8200"),
        ("VAULT_CACERT", "/etc/ssl/bao-ca.pem"),
    ];
    let settings = resolve("{}", &both).unwrap();
    assert_eq!(settings.address, "https://bao:8200", "BAO_ADDR first");
    assert_eq!(settings.ca_file, Some(PathBuf::from("/etc/ssl/bao-ca.pem")));
    let vault = resolve("{}", &both[1..]).unwrap();
    assert_eq!(vault.address, "https://vault:8200", "else VAULT_ADDR");
    let file = resolve(
        r#"{"address":"https://file:8200","ca_file":"~/ca.pem"}"#,
        &both,
    )
    .unwrap();
    assert_eq!(
        file.address, "https://file:8200",
        "the settings file wins over the variables"
    );
    assert_eq!(file.ca_file, Some(PathBuf::from("/home/u/ca.pem")));
}

#[test]
fn no_address_anywhere_is_an_error_naming_the_key_and_both_variables() {
    let error = refused("{}", &[("BAO_ADDR", "")]);
    assert_eq!(error.key, "address");
    assert_eq!(error.origin, ORIGIN);
    assert!(
        error.reason.contains("BAO_ADDR") && error.reason.contains("VAULT_ADDR"),
        "the reason says where an address may come from: {}",
        error.reason
    );
}

#[test]
fn a_bad_address_from_a_variable_names_the_variable() {
    let error = refused("{}", &[("VAULT_ADDR", "bao.example:8200")]);
    assert_eq!(
        (error.key, error.origin.as_str()),
        ("address", "VAULT_ADDR")
    );
}

#[test]
fn approle_takes_a_role_id_and_a_secret_id_file_together() {
    let settings = resolve(
        r#"{"address":"https://b","role_id":"r-1","secret_id_file":"/etc/mailcred/secret-id"}"#,
        &[],
    )
    .unwrap();
    assert_eq!(
        settings.auth,
        OpenBaoAuth::AppRole {
            role_id: "r-1".into(),
            secret_id_file: PathBuf::from("/etc/mailcred/secret-id"),
        }
    );
    assert!(
        !format!("{settings:?}").contains("r-1"),
        "Debug leaves the role id out"
    );
    let alone = refused(r#"{"address":"https://b","role_id":"r-1"}"#, &[]);
    assert_eq!(alone.key, "secret_id_file", "{alone:?}");
    let other = refused(r#"{"address":"https://b","secret_id_file":"/s"}"#, &[]);
    assert_eq!(other.key, "role_id", "{other:?}");
}

#[test]
fn a_token_file_and_approle_exclude_each_other() {
    let error = refused(
        r#"{"address":"https://b","token_file":"/t","role_id":"r","secret_id_file":"/s"}"#,
        &[],
    );
    assert_eq!(error.key, "token_file");
    assert!(error.reason.contains("exclude"), "{}", error.reason);
}

#[test]
fn paths_must_be_absolute_or_under_home_and_mount_and_prefix_plain_names() {
    for (json, key) in [
        (
            r#"{"address":"https://b","token_file":"token"}"#,
            "token_file",
        ),
        (r#"{"address":"https://b","ca_file":"ca.pem"}"#, "ca_file"),
        (r#"{"address":"https://b","prefix":"../up"}"#, "prefix"),
        (r#"{"address":"https://b","prefix":"team/"}"#, "prefix"),
        (r#"{"address":"https://b","prefix":"a b"}"#, "prefix"),
        (r#"{"address":"https://b","mount":""}"#, "mount"),
        (r#"{"address":"ftp://b"}"#, "address"),
    ] {
        let error = refused(json, &[]);
        assert_eq!(error.key, key, "{json} must be refused for its {key}");
        assert_eq!(error.origin, ORIGIN);
    }
    let team = resolve(r#"{"address":"https://b","prefix":"mailcred/team"}"#, &[]).unwrap();
    assert_eq!(team.prefix, "mailcred/team");
}

#[test]
fn an_unknown_key_is_refused_rather_than_ignored() {
    assert!(
        serde_json::from_str::<OpenBaoFile>(r#"{"adress":"https://b"}"#).is_err(),
        "a misspelt key must not quietly fall back to a default"
    );
}

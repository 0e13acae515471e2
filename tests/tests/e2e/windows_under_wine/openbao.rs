//! The OpenBao store from the Windows binaries under Wine: `mailcred.exe`
//! starting `mailcred-openbao.exe` (pipes, the companion found beside it)
//! against a real `bao server -dev` on the host's loopback, and an account
//! added from Windows served on Linux from the same server.

use std::fs;

use mailcred_e2e::openbao::Bao;

use super::*;

#[test]
fn openbao_passes_the_store_conformance_suite_and_serves_linux_what_windows_added_under_wine() {
    let Some(bao) = Bao::dev() else {
        return;
    };
    let prefix = WinePrefix::new();
    // The default token file, `%USERPROFILE%\.vault-token`.
    fs::write(prefix.profile().join(".vault-token"), bao.root_token()).unwrap();

    let mut conformance = prefix.exe("store-conformance.exe", &["openbao"]);
    conformance.env("BAO_ADDR", bao.address());
    let outcome = run(conformance, b"");
    assert!(
        outcome.success(),
        "OpenBao through mailcred-openbao.exe must keep the store contract {}:\n{outcome}",
        under_wine()
    );

    fs::create_dir_all(prefix.local_mailcred()).unwrap();
    fs::write(
        prefix.local_mailcred().join("settings.json"),
        serde_json::json!({"store": "openbao", "openbao": {"address": bao.address()}}).to_string(),
    )
    .unwrap();
    let added = mailcred_exe(
        &prefix,
        &[
            "add",
            "work",
            "--provider",
            "gmail",
            "--user",
            "ann@gmail.com",
            "--password-stdin",
        ],
        "windows-app-password\n",
    );
    assert!(
        added.success(),
        "mailcred.exe add into OpenBao {}:\n{added}",
        under_wine()
    );
    let got = mailcred_exe(&prefix, &["get", "work"], "");
    assert_lf_only("mailcred.exe get", &got);
    assert_eq!(
        (got.code, got.stdout.as_str()),
        (Some(0), "windows-app-password\n"),
        "mailcred.exe get from OpenBao {}:\n{got}",
        under_wine()
    );
    let kept: Vec<_> = fs::read_dir(prefix.local_mailcred())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json") && name != "settings.json")
        .collect();
    assert!(
        kept.is_empty(),
        "no index or account file on Windows: {kept:?}"
    );

    let linux = KeyringSession::without_bus();
    linux.write_settings(&bao.settings("mailcred"));
    let mut get = linux.command(bin(MAILCRED));
    get.args(["get", "work"]);
    let got = run(get, b"");
    assert_eq!(
        got.stdout, "windows-app-password\n",
        "Linux serves the account Windows added, from the one server:\n{got}"
    );
}

//! The OpenBao store from the Windows binaries under Wine: `mailcred.exe`
//! starting `mailcred-openbao.exe` (pipes, the companion found beside it)
//! against a real `bao server -dev` on the host's loopback, and an account
//! added from Windows served on Linux from the same server.
//!
//! The store conformance suite runs against OpenBao on Linux only: run here
//! too, its many threads and requests made a Wine process of a test running
//! beside it die of a segmentation fault in 2 of 5 runs (Wine 8 under load),
//! while without it the Wine tests passed 10 runs in 10.

use std::fs;

use mailcred_e2e::openbao::Bao;

use super::*;

#[test]
fn openbao_keeps_what_windows_adds_and_serves_it_to_linux_under_wine() {
    let Some(bao) = Bao::dev() else {
        return;
    };
    let prefix = WinePrefix::new();
    // The default token file, `%USERPROFILE%\.vault-token`.
    fs::write(prefix.profile().join(".vault-token"), bao.root_token()).unwrap();

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

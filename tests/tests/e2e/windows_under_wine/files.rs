//! Where the Windows build keeps its files and its credentials: on the
//! machine (`%LOCALAPPDATA%`, Local persistence), not in the roaming
//! profile, and files that mailcred 0.1 left in `%APPDATA%` moved there.

use std::fs;

use super::*;

/// `Persist` of a credential in Wine's registry: CRED_PERSIST_LOCAL_MACHINE.
const LOCAL: &str = "\"Persist\"=dword:00000002";
/// CRED_PERSIST_ENTERPRISE, which roams: the store crate's default.
const ENTERPRISE: &str = "\"Persist\"=dword:00000003";

#[test]
fn files_and_credentials_stay_on_the_machine_under_wine() {
    let prefix = WinePrefix::new();
    let added = mailcred_exe(&prefix, ADD_WORK_FROM_STDIN, "app-password\n");
    assert!(added.success(), "{added}");

    for file in ["accounts.json", "credentials.json"] {
        assert!(
            prefix.local_mailcred().join(file).is_file(),
            "{file} belongs in %LOCALAPPDATA%\\mailcred {}",
            under_wine()
        );
    }
    assert!(
        !prefix.roaming_mailcred().exists(),
        "nothing in the roaming %APPDATA% {}",
        under_wine()
    );
    let registry = prefix.user_registry();
    assert!(
        registry.contains(LOCAL) && !registry.contains(ENTERPRISE),
        "the credential is kept with Local persistence, not the roaming Enterprise {}",
        under_wine()
    );
}

#[test]
fn files_left_in_roaming_appdata_by_mailcred_0_1_move_to_local_appdata_under_wine() {
    let prefix = WinePrefix::new();
    let added = mailcred_exe(&prefix, ADD_WORK_FROM_STDIN, "app-password\n");
    assert!(added.success(), "{added}");
    // As mailcred 0.1 left them: every file in %APPDATA%\mailcred.
    let (local, roaming) = (prefix.local_mailcred(), prefix.roaming_mailcred());
    fs::create_dir_all(&roaming).unwrap();
    for file in ["accounts.json", "credentials.json"] {
        fs::rename(local.join(file), roaming.join(file)).unwrap();
    }
    fs::write(
        roaming.join("settings.json"),
        r#"{ "keyring_timeout_seconds": 30 }"#,
    )
    .unwrap();

    let got = mailcred_exe(&prefix, &["get", "work"], "");
    assert_eq!(
        (got.code, got.stdout.as_str()),
        (Some(0), "app-password\n"),
        "the account left in %APPDATA% is served {}:\n{got}",
        under_wine()
    );
    for file in ["accounts.json", "credentials.json", "settings.json"] {
        assert!(
            local.join(file).is_file() && !roaming.join(file).exists(),
            "{file} moved from %APPDATA%\\mailcred to %LOCALAPPDATA%\\mailcred {}",
            under_wine()
        );
    }
    assert!(
        !roaming.exists(),
        "the emptied %APPDATA%\\mailcred is removed"
    );
}

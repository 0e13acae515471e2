//! The account commands of `mailcred.exe`, and what every program prints.

use super::*;

#[test]
fn the_account_commands_add_get_list_show_remove_and_doctor_work_under_wine() {
    let prefix = WinePrefix::new();
    // As a Windows pipe may send it: CR LF.
    let added = mailcred_exe(&prefix, ADD_WORK_FROM_STDIN, "app-password\r\n");
    assert!(added.success(), "mailcred add {}:\n{added}", under_wine());

    let got = mailcred_exe(&prefix, &["get", "work"], "");
    assert_eq!(
        (got.code, got.stdout.as_str()),
        (Some(0), "app-password\n"),
        "get prints the password alone, without the CR it was typed with {}:\n{got}",
        under_wine()
    );
    let listed = mailcred_exe(&prefix, &["list"], "");
    assert!(
        listed.success() && listed.stdout.contains("work") && listed.stdout.contains("gmail"),
        "list shows the account {}:\n{listed}",
        under_wine()
    );
    let shown = mailcred_exe(&prefix, &["show", "work"], "");
    assert!(
        shown.success()
            && shown.stdout.contains("ann@gmail.com")
            && !shown.stdout.contains("app-password"),
        "show describes the account and never prints its secret {}:\n{shown}",
        under_wine()
    );
    let doctor = mailcred_exe(&prefix, &["doctor"], "");
    assert!(
        doctor.success() && doctor.stdout.contains("Windows Credential Manager"),
        "doctor passes on Credential Manager {}:\n{doctor}",
        under_wine()
    );

    let removed = mailcred_exe(&prefix, &["remove", "work", "--yes"], "");
    assert!(
        removed.success(),
        "mailcred remove {}:\n{removed}",
        under_wine()
    );
    let gone = mailcred_exe(&prefix, &["get", "work"], "");
    assert_eq!(
        gone.code,
        Some(NO_ACCOUNT),
        "a removed account is gone {}:\n{gone}",
        under_wine()
    );
    assert!(
        gone.stdout.is_empty(),
        "nothing on stdout when it fails:\n{gone}"
    );
}

#[test]
fn nothing_the_windows_binaries_print_holds_a_carriage_return_under_wine() {
    let prefix = WinePrefix::new();
    let added = mailcred_exe(&prefix, ADD_WORK_FROM_STDIN, "app-password\n");
    assert!(added.success(), "{added}");
    let git = "protocol=smtp\nhost=smtp.gmail.com:587\nusername=ann@gmail.com\n";
    let commands: &[(&str, &[&str], &str)] = &[
        ("mailcred.exe", &["--version"], ""),
        ("mailcred.exe", &["--help"], ""),
        ("mailcred.exe", &["get", "work"], ""),
        ("mailcred.exe", &["list"], ""),
        ("mailcred.exe", &["show", "work"], ""),
        ("mailcred.exe", &["show", "work", "--json"], ""),
        ("mailcred.exe", &["doctor"], ""),
        ("mailcred.exe", &["config", "msmtp", "work"], ""),
        ("mailcred.exe", &["config", "git", "work"], ""),
        // Failures: the message on stderr.
        ("mailcred.exe", &["get", "nosuch"], ""),
        ("mailcred.exe", &["no-such-command"], ""),
        ("git-credential-mailcred.exe", &["capability"], ""),
        ("git-credential-mailcred.exe", &["get"], git),
        (
            "git-credential-mailcred.exe",
            &["get"],
            "protocol=smtp\nhost=a\rb\n",
        ),
        ("mailcred-smtp.exe", &["--help"], ""),
        ("mailcred-smtp.exe", &["--version"], ""),
        ("mailcred-oauth.exe", &["--help"], ""),
        ("mailcred-oauth.exe", &["--version"], ""),
        ("mailcred-openbao.exe", &["--help"], ""),
        ("mailcred-openbao.exe", &["--version"], ""),
        // A request that is not JSON: the one-line message on stderr.
        ("mailcred-oauth.exe", &["refresh"], "not json\r\n"),
    ];
    for (program, args, input) in commands {
        let outcome = exe(&prefix, program, args, input);
        assert!(
            !outcome.stdout.is_empty() || !outcome.stderr.is_empty(),
            "{program} {args:?} printed nothing, so there is nothing to check {}",
            under_wine()
        );
        assert_lf_only(&format!("{program} {}", args.join(" ")), &outcome);
    }
    let got = mailcred_exe(&prefix, &["get", "work"], "");
    assert_eq!(got.stdout, "app-password\n", "{got}");
}

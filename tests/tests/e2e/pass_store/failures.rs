//! How the pass store fails: each cause its own message and status.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use super::*;

#[test]
fn an_entry_for_a_key_this_machine_lacks_fails_with_78_naming_the_key() {
    let (mut pass, ann) = PassSession::start();
    add_work(&pass, "work-app-password");
    let elsewhere = pass.session.home().join("other-gnupg");
    pass.new_key(&elsewhere, "Carol");

    let mut get = pass.command(bin(MAILCRED));
    get.env("GNUPGHOME", &elsewhere).args(["get", "work"]);
    let got = run(get, b"");

    assert_fails_cleanly(&got, CONFIG, "no secret key here");
    assert!(
        got.stderr.contains(&ann.encryption_id),
        "the message names the key the entry is encrypted to ({}):\n{got}",
        ann.encryption_id
    );
}

#[test]
fn a_password_store_never_initialised_fails_with_78_and_says_to_run_pass_init() {
    let (pass, _) = PassSession::start();
    fs::remove_file(pass.store().join(".gpg-id")).expect("remove .gpg-id");

    let added = pass.run(MAILCRED, ADD_WORK_FROM_STDIN, "work-app-password\n");

    assert_eq!(added.code, Some(CONFIG), "{added}");
    assert!(
        added.stderr.contains("not set up") && added.stderr.contains("pass init"),
        "the message says what is missing and how to set it up:\n{added}"
    );
}

#[test]
fn without_pass_installed_the_store_is_unavailable_and_says_to_install_it() {
    let (pass, _) = PassSession::start();
    add_work(&pass, "work-app-password");
    let mut get = pass.command(bin(MAILCRED));
    get.env("PATH", pass.session.home()).args(["get", "work"]);

    let got = run(get, b"");

    assert_fails_cleanly(&got, KEYRING_UNAVAILABLE, "pass is not installed");
}

#[test]
fn a_key_whose_passphrase_nobody_can_type_fails_with_81_instead_of_hanging() {
    let (pass, _) = PassSession::start();
    add_work(&pass, "work-app-password");
    // A key that needs its passphrase, and an agent with no pinentry to ask.
    let locked = pass.session.home().join("locked-gnupg");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o700)).unwrap();
    let mut gen_key = pass.session.command("gpg");
    gen_key
        .env("GNUPGHOME", &locked)
        .args(["--batch", "--gen-key"]);
    let made = run(
        gen_key,
        b"Key-Type: eddsa\nKey-Curve: ed25519\nSubkey-Type: ecdh\nSubkey-Curve: cv25519\n\
          Name-Real: Dan\nName-Email: dan@example.com\nPassphrase: only-dan-knows\n%commit\n",
    );
    assert!(made.success(), "{made}");
    fs::write(
        locked.join("gpg-agent.conf"),
        "pinentry-program /nonexistent/pinentry\n",
    )
    .unwrap();
    let mut kill = pass.session.command("gpgconf");
    kill.env("GNUPGHOME", &locked).args(["--kill", "gpg-agent"]);
    run(kill, b"");
    let mut init = pass.command("pass");
    init.env("GNUPGHOME", &locked)
        .args(["init", "dan@example.com"]);
    assert!(run(init, b"").success(), "pass init for Dan's key");
    let mut add = pass.command(bin(MAILCRED));
    add.env("GNUPGHOME", &locked).args([
        "add",
        "home",
        "--provider",
        "gmail",
        "--user",
        "dan@gmail.com",
        "--password-stdin",
    ]);
    let added = run(add, b"home-app-password\n");
    assert!(added.success(), "encrypting needs no passphrase:\n{added}");

    let mut get = pass.command(bin(MAILCRED));
    get.env("GNUPGHOME", &locked).args(["get", "home"]);
    let got = run(get, b"");
    let mut stop = pass.session.command("gpgconf");
    stop.env("GNUPGHOME", &locked).args(["--kill", "gpg-agent"]);
    run(stop, b"");

    assert_fails_cleanly(&got, KEYRING_LOCKED, "passphrase");
}

/// A pass that never finishes (gpg-agent waiting at a pinentry nobody
/// sees) must not hang the mail program that asked, nor outlive mailcred.
#[test]
fn a_pass_that_never_finishes_fails_with_80_within_the_deadline_and_is_killed() {
    let (pass, _) = PassSession::start();
    add_work(&pass, "work-app-password");
    let fake = pass.session.home().join("hanging-bin");
    fs::create_dir(&fake).unwrap();
    // It writes its pid, which `exec` keeps for the sleep.
    let pid_file = pass.session.home().join("hanging-pass.pid");
    let script = format!(
        "#!/bin/sh\necho $$ > '{}'\nexec sleep 3600\n",
        pid_file.display()
    );
    fs::write(fake.join("pass"), script).unwrap();
    fs::set_permissions(fake.join("pass"), fs::Permissions::from_mode(0o755)).unwrap();

    let mut get = pass.command(bin(MAILCRED));
    get.env("PATH", format!("{}:/usr/bin:/bin", fake.display()))
        .env("MAILCRED_KEYRING_TIMEOUT", "1")
        .args(["get", "work"]);
    let got = run(get, b"");

    let pid = fs::read_to_string(&pid_file).expect("the hanging pass was the one run");
    assert_fails_cleanly(&got, KEYRING_UNAVAILABLE, "did not answer within");
    assert!(
        !std::path::Path::new("/proc").join(pid.trim()).exists(),
        "the timed-out pass (pid {}) must be killed, not left sleeping",
        pid.trim()
    );
}

//! What makes `import --apply` safe to run: a second run changes nothing;
//! a run stopped after storing and before rewriting loses nothing, and the
//! next one only rewrites; backups live only as long as asked; permissions
//! and symbolic links stay; odd files are errors, not hangs; `Debug` shows
//! no secret.

use std::io::{self, Write};

use mailcred::commands::import::{Format, formats};
use mailcred::exit;

use super::{Home, assert_line, mode, set_mode};

fn every_format(home: &Home) {
    home.put(".msmtprc", "msmtprc");
    home.put(".mbsyncrc", "mbsyncrc");
    home.put(".neomuttrc", "neomuttrc");
    home.put(".git-credentials", "git-credentials");
    home.put(".config/aerc/accounts.conf", "aerc-accounts.conf");
    home.put(".offlineimaprc", "offlineimaprc");
    home.put(".config/getmail/getmailrc", "getmailrc");
    home.put(".netrc", "netrc");
}

#[test]
fn a_second_run_changes_nothing() {
    let home = Home::new();
    every_format(&home);
    home.apply();
    let files = home.snapshot();
    let accounts = home.s.account_names();
    let index = home.s.index_entries();

    let again = home.apply();

    assert_eq!(
        home.snapshot(),
        files,
        "no file changes on the second run:\n{again}"
    );
    assert_eq!(home.s.account_names(), accounts, "no account is added");
    assert_eq!(home.s.index_entries(), index, "nothing is stored again");
    assert!(!again.contains("Stored"), "nothing is stored:\n{again}");
}

/// stdout that fails at the first line: the run stops right after its
/// first store, as when it is killed there.
struct Killed;

impl Write for Killed {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::new(io::ErrorKind::BrokenPipe, "killed"))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_run_stopped_between_store_and_rewrite_loses_nothing_and_the_next_finishes() {
    let home = Home::new();
    home.put(".msmtprc", "msmtprc");
    home.put(".mbsyncrc", "mbsyncrc");

    let stopped = home.run_into(true, |_| {}, &mut Killed);
    assert_ne!(stopped.exit, 0, "the run stops at its first line of output");
    assert_eq!(
        home.s.account_names(),
        ["gmail"],
        "the first account is stored, the rest not yet"
    );
    assert_eq!(
        home.read(".msmtprc"),
        super::fixture("msmtprc"),
        "no file is rewritten before every secret is stored"
    );

    let report = home.apply();

    assert_line(
        &report,
        &["account \"gmail\" already keeps this password"],
        "the stored one matches:\n",
    );
    home.assert_file(".msmtprc", "msmtprc.after", "the rerun rewrites");
    home.assert_file(".mbsyncrc", "mbsyncrc.after", "the rerun rewrites");
    assert_eq!(home.get("gmail"), "abcd efgh ijkl mnop\n");
    assert_eq!(home.get("work"), "s3cr3t\n");
}

#[cfg(unix)]
#[test]
fn no_backup_is_left_unless_asked_and_a_kept_one_is_private_and_named() {
    let home = Home::new();
    home.put(".msmtprc", "msmtprc");
    home.apply();
    assert!(
        !home.path().join(".msmtprc.mailcred-backup").exists()
            && !home.path().join(".msmtprc.mailcred-import-backup").exists(),
        "the backup goes once the file is checked"
    );

    let home = Home::new();
    home.put(".msmtprc", "msmtprc");
    let report = home
        .run(true, |o| o.keep_backups = true)
        .ok("--keep-backups");
    let backup = home.path().join(".msmtprc.mailcred-backup");
    assert_eq!(
        home.read(".msmtprc.mailcred-backup"),
        super::fixture("msmtprc"),
        "the old text"
    );
    assert_eq!(
        mode(&backup),
        0o600,
        "it holds the passwords: only its owner may read it"
    );
    assert_line(
        &report,
        &["The backups still hold the plaintext passwords"],
        "the user is told",
    );
    assert_line(&report, &["~/.msmtprc.mailcred-backup"], "and where");
}

#[test]
fn a_backup_left_by_an_interrupted_run_is_deleted_once_its_file_is_clean() {
    let home = Home::new();
    home.put(".msmtprc", "msmtprc");
    home.apply();
    home.put(".msmtprc.mailcred-import-backup", "msmtprc");

    let report = home.apply();

    assert!(
        !home.path().join(".msmtprc.mailcred-import-backup").exists(),
        "{report}"
    );
    assert_line(
        &report,
        &["Deleted ~/.msmtprc.mailcred-import-backup, left by an import that was interrupted."],
        "said so",
    );
}

#[cfg(unix)]
#[test]
fn the_rewritten_file_keeps_its_permissions_and_a_symbolic_link_stays_one() {
    let home = Home::new();
    home.put("dotfiles/msmtprc", "msmtprc");
    set_mode(&home.path().join("dotfiles/msmtprc"), 0o640);
    std::os::unix::fs::symlink(
        home.path().join("dotfiles/msmtprc"),
        home.path().join(".msmtprc"),
    )
    .unwrap();

    home.apply();

    let link = std::fs::symlink_metadata(home.path().join(".msmtprc")).unwrap();
    assert!(
        link.file_type().is_symlink(),
        "a dotfile manager's link stays a link"
    );
    home.assert_file(
        "dotfiles/msmtprc",
        "msmtprc.after",
        "its target is rewritten",
    );
    assert_eq!(
        mode(&home.path().join("dotfiles/msmtprc")),
        0o640,
        "its permissions stay"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_or_an_endless_device_is_an_error_named_in_the_report_not_a_hang() {
    let home = Home::new();
    home.put(".msmtprc", "msmtprc");
    let fifo = home.path().join(".netrc");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    std::os::unix::fs::symlink("/dev/zero", home.path().join(".fetchmailrc")).unwrap();

    let mut out = Vec::new();
    let failed = home.run_into(true, |_| {}, &mut out);
    let report = String::from_utf8(out).unwrap();

    assert_eq!(failed.exit, exit::IO_ERROR, "{failed:?}");
    assert_line(
        &report,
        &["~/.netrc (netrc): cannot be read: it is not a regular file but a FIFO"],
        "named",
    );
    assert_line(
        &report,
        &["~/.fetchmailrc (fetchmail): cannot be read: it is not a regular file but a device"],
        "named",
    );
    home.assert_file(".msmtprc", "msmtprc.after", "the other files are imported");
}

#[test]
fn what_the_readers_find_shows_no_secret_in_debug_output() {
    for (format, fixture) in [
        (Format::Msmtp, "msmtprc"),
        (Format::Mbsync, "mbsyncrc"),
        (Format::Mutt, "neomuttrc"),
        (Format::GitCredentials, "git-credentials"),
        (Format::GitConfig, "gitconfig"),
        (Format::Netrc, "netrc"),
        (Format::Aerc, "aerc-accounts.conf"),
        (Format::Offlineimap, "offlineimaprc"),
        (Format::Getmail, "getmailrc"),
        (Format::Fetchmail, "fetchmailrc"),
    ] {
        let parsed = formats::parse(format, &super::fixture(fixture));
        assert!(!parsed.found.is_empty(), "{fixture} holds secrets");
        let shown = format!("{parsed:?}");
        for secret in super::SECRETS {
            assert!(
                !shown.contains(secret),
                "Debug of {fixture}'s finds shows {secret:?}: {shown}"
            );
        }
    }
}

#[test]
fn the_plan_and_the_files_read_show_no_secret_in_debug_output() {
    use mailcred::accounts::Accounts;
    use mailcred::commands::import::{plan, sources};

    let home = Home::new();
    every_format(&home);
    let places = home.places();
    let read: Vec<sources::Source> = places
        .usual()
        .into_iter()
        .filter_map(|(format, path)| sources::read(format, &path).expect("readable"))
        .collect();
    let existing = Accounts::default();
    let none = |_: &str| Ok(None);
    let no_credential = |_: &mailcred::commands::import::found::GitSlot, _: &str| Ok(None);
    let input = plan::Input {
        sources: &read,
        places: &places,
        existing: &existing,
        prefer: &[],
        stored: &none,
        all: true,
        credential: &no_credential,
        added: "2027-01-15T08:00:00Z".into(),
    };
    let plan = plan::plan(&input).expect("a plan");
    assert!(
        !plan.files.is_empty() && !plan.steps.is_empty(),
        "there is something to do"
    );
    for shown in [format!("{plan:?}"), format!("{read:?}")] {
        for secret in super::SECRETS {
            assert!(!shown.contains(secret), "Debug shows {secret:?}: {shown}");
        }
    }
}

#[test]
fn a_kept_backup_is_never_read_as_a_configuration_file() {
    let home = Home::new();
    home.put(".config/getmail/getmailrc-work", "getmailrc");
    home.run(true, |o| o.keep_backups = true)
        .ok("--keep-backups");
    assert!(
        home.path()
            .join(".config/getmail/getmailrc-work.mailcred-backup")
            .exists()
    );

    let again = home.apply();

    assert!(
        again.contains("No mail password found outside mailcred."),
        "the backup is no getmail rc file:\n{again}"
    );
    assert_eq!(
        home.read(".config/getmail/getmailrc-work.mailcred-backup"),
        super::fixture("getmailrc"),
        "and it is not rewritten"
    );
}

#[test]
fn a_password_also_quoted_in_a_comment_puts_the_file_back_and_says_where() {
    let home = Home::new();
    let rc = "account work\nhost smtp.example.org\nuser ann\n# was: password abcd efgh ijkl mnop\npassword \"abcd efgh ijkl mnop\"\n";
    home.write(".msmtprc", rc);

    let mut out = Vec::new();
    let failed = home.run_into(true, |_| {}, &mut out);

    assert_eq!(failed.exit, exit::IO_ERROR, "{failed:?}");
    assert!(
        failed
            .stderr
            .contains("at line 4: remove it and run the import again"),
        "{}",
        failed.stderr
    );
    assert_eq!(home.read(".msmtprc"), rc, "the file is put back as it was");
    assert!(
        home.snapshot()
            .iter()
            .all(|(p, _)| !p.to_string_lossy().contains("mailcred")),
        "no backup is left"
    );
    assert_eq!(
        home.get("work"),
        "abcd efgh ijkl mnop\n",
        "what was stored stays"
    );
}

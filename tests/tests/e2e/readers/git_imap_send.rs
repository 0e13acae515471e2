//! git imap-send with what `mailcred configure git work` writes: the IMAP
//! server (`imap.host`, `imap.port`, `imap.user`) and credential sections
//! naming mailcred, which answers git's `protocol=imaps host=localhost`
//! (no port up to git 2.50). Debian 12's git imap-send is built on
//! libcurl-gnutls and takes no CA file, so the test server's certificate
//! is not checked (`imap.sslverify=false`): what is tested is the
//! credential exchange and the login the server sees.

use super::*;

/// The gits to run: the one on PATH and Debian 12's own, when different.
fn gits() -> Vec<PathBuf> {
    require("git", "git");
    let mut gits = vec![PathBuf::from("git")];
    let debian = PathBuf::from("/usr/bin/git");
    let on_path = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join("git"))
        .find(|p| p.is_file());
    if debian.is_file() && on_path.as_deref() != Some(debian.as_path()) {
        gits.push(debian);
    }
    gits
}

/// A patch in the mbox format imap-send reads, as git format-patch makes it.
const PATCH: &str = "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n\
From: Alice <alice@example.org>\n\
Date: Tue, 1 Dec 2026 10:00:00 +0000\n\
Subject: [PATCH] sent by git imap-send\n\
\n\
---\n\
 README | 1 +\n\
\n";

/// `mailcred configure git work`, then `git imap-send` of [`PATCH`].
fn imap_send(reader: &Reader, git: &std::path::Path) -> Outcome {
    let configured = reader.mailcred(&["configure", "git", ACCOUNT], "");
    assert!(
        configured.success(),
        "mailcred configure git should succeed:\n{configured}"
    );
    let mut send = reader.command(&git.display().to_string());
    send.env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args([
            "-c",
            "imap.folder=INBOX",
            "-c",
            "imap.sslverify=false",
            "imap-send",
        ]);
    run(send, PATCH.as_bytes())
}

#[test]
fn git_imap_send_logs_in_with_the_password_from_mailcred() {
    for git in gits() {
        let reader = Reader::new(PASSWORD, &[Endpoint::ImapTls]);
        let sent = imap_send(&reader, &git);
        reader.assert_logged_in("git imap-send", MailProtocol::Imap, &reader.logins(), &sent);
        assert!(
            sent.success(),
            "{} imap-send should succeed:\n{sent}",
            git.display()
        );
    }
}

#[test]
fn git_imap_send_with_a_wrong_stored_password_is_refused_and_the_password_kept() {
    for git in gits() {
        let reader = Reader::new(WRONG_PASSWORD, &[Endpoint::ImapTls]);
        let sent = imap_send(&reader, &git);
        reader.assert_wrong_password_refused("git imap-send", &reader.logins(), &sent);
        assert!(!sent.success(), "{}:\n{sent}", git.display());
        let kept = reader.mailcred(&["get", ACCOUNT], "");
        assert_eq!(
            kept.stdout,
            format!("{WRONG_PASSWORD}\n"),
            "git's erase after the refusal leaves the account's password alone:\n{kept}"
        );
    }
}

#[test]
fn git_imap_send_with_a_failing_helper_sends_no_password() {
    for git in gits() {
        let mut reader = Reader::new(PASSWORD, &[Endpoint::ImapTls]);
        reader.break_the_keyring();
        let sent = imap_send(&reader, &git);
        reader.assert_no_password_sent("git imap-send", &reader.logins(), &sent);
        assert!(!sent.success(), "{}:\n{sent}", git.display());
    }
}

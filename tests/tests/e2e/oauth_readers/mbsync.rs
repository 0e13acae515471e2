//! mbsync with `AuthMechs XOAUTH2` and `PassCmd "mailcred get work"`: the
//! token goes through Cyrus SASL's XOAUTH2 plugin (Debian's
//! libsasl2-modules-kdexoauth2, which scripts/test installs).

use super::*;

#[test]
fn mbsync_syncs_the_inbox_with_xoauth2_and_the_token_from_mailcred() {
    require("mbsync", "isync");
    assert!(
        std::path::Path::new("/usr/lib/x86_64-linux-gnu/sasl2/libkdexoauth2.so").exists()
            || std::path::Path::new("/usr/lib/aarch64-linux-gnu/sasl2/libkdexoauth2.so").exists(),
        "mbsync's XOAUTH2 needs the Cyrus SASL plugin: install libsasl2-modules-kdexoauth2"
    );
    let reader = OAuthAccount::reader();
    let snippet = reader.snippet("mbsync");
    assert!(
        snippet.contains("\nAuthMechs XOAUTH2\n")
            && snippet.contains("PassCmd \"mailcred get work\"\n"),
        "{snippet}"
    );
    let ca = format!("CertificateFile {}", reader.dovecot().ca_file().display());
    let rc = reader.write_in_home(".mbsyncrc", &insert_after(&snippet, "SSLType ", &ca));
    fs::create_dir_all(reader.session.home().join("Mail/work")).unwrap();
    let mut mbsync = reader.command("mbsync");
    mbsync.arg("-c").arg(rc).arg(ACCOUNT);
    let synced = run(mbsync, b"");
    reader.assert_fetched("mbsync", "Mail/work/INBOX", &synced);
}

//! OfflineIMAP with `auth_mechanisms = XOAUTH2` and
//! `oauth2_access_token_eval` running `mailcred get work`.

use super::*;

#[test]
fn offlineimap_syncs_the_inbox_with_xoauth2_and_the_token_from_mailcred() {
    require("offlineimap", "offlineimap3");
    let reader = OAuthAccount::reader();
    let snippet = reader.snippet("offlineimap");
    assert!(
        snippet.contains("\nauth_mechanisms = XOAUTH2\n")
            && snippet.contains("oauth2_access_token_eval = __import__(\"subprocess\")"),
        "{snippet}"
    );
    let ca = format!("sslcacertfile = {}", reader.dovecot().ca_file().display());
    let rc = reader.write_in_home(
        ".offlineimaprc",
        &snippet.replace("sslcacertfile = OS-DEFAULT", &ca),
    );
    let mut offlineimap = reader.command("offlineimap");
    offlineimap.arg("-c").arg(rc).args(["-o", "-u", "basic"]);
    let synced = run(offlineimap, b"");
    reader.assert_fetched("OfflineIMAP", "Mail/work/INBOX", &synced);
}

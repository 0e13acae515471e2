//! aerc with `source = imaps+xoauth2://…` and `source-cred-cmd = mailcred
//! get work`, in a tmux window (aerc has no batch mode); the server's log
//! tells when it has logged in.

use std::time::Duration;

use mailcred_e2e::terminal::Terminal;

use super::*;

const PATIENCE: Duration = Duration::from_secs(20);

#[test]
fn aerc_opens_the_inbox_with_xoauth2_and_the_token_from_mailcred() {
    require("aerc", "aerc");
    let reader = OAuthAccount::reader();
    let snippet = reader.snippet("aerc");
    assert!(
        snippet.contains("\nsource = imaps+xoauth2://alice%40example.org@localhost:")
            && snippet.contains("\nsource-cred-cmd = mailcred get work\n"),
        "{snippet}"
    );
    let mut aerc = reader.command("aerc");
    let config = aerc
        .get_envs()
        .find(|(key, _)| *key == "XDG_CONFIG_HOME")
        .and_then(|(_, value)| value)
        .map(PathBuf::from)
        .expect("the session sets XDG_CONFIG_HOME");
    for (name, contents) in [("accounts.conf", snippet.as_str()), ("aerc.conf", "")] {
        let path = config.join("aerc").join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, contents).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    }
    aerc.env("SSL_CERT_FILE", reader.dovecot().ca_file());
    let terminal = Terminal::start(&aerc);
    let login = reader
        .dovecot()
        .wait_for_login(USER, PATIENCE, |l| l.accepted);
    let screen = terminal.screen();
    drop(terminal);
    assert!(
        login
            .as_ref()
            .is_some_and(|l| l.method == "XOAUTH2" && l.tls),
        "aerc should log in with XOAUTH2: {login:?}\n{screen}\n{}",
        reader.dovecot().log()
    );
}

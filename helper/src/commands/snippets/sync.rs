//! `mailcred config mbsync|offlineimap|getmail`: the programs that copy an
//! account's mail into a local Maildir. Each file syntax has its own quoting
//! function; a value it cannot hold is refused rather than written wrong.
//! An OAuth2 account logs in with XOAUTH2, the token from `mailcred get`.

use super::{CommandError, usable};
use crate::accounts::{Account, Endpoint, Protocol, Security};

/// The account's IMAP endpoint, for a program that reads only over IMAP.
fn imap<'a>(a: &'a Account, program: &str) -> Result<&'a Endpoint, CommandError> {
    usable(a, Protocol::Imap).ok_or_else(|| {
        CommandError::Usage(format!(
            "mail account \"{}\" has no IMAP server its app password signs in to: {program} \
             reads over IMAP only",
            a.name
        ))
    })
}

fn unwritable(a: &Account, program: &str, what: &str, value: &str) -> CommandError {
    CommandError::Usage(format!(
        "cannot write settings for mail account \"{}\": {program}'s configuration cannot hold \
         its {what} {value:?}",
        a.name
    ))
}

/// mbsync (isync 1.4 and later): `PassCmd` runs through sh, and mbsync
/// takes the first line of its output.
pub(super) fn mbsync(a: &Account, command: &str) -> Result<String, CommandError> {
    let e = imap(a, "mbsync")?;
    let login = a.login_at(e);
    let user = mbsync_quoted(login).ok_or_else(|| unwritable(a, "mbsync", "login", login))?;
    let ssl_type = match e.security {
        Security::Tls => "IMAPS",
        _ => "STARTTLS",
    };
    let auth = if a.is_oauth() {
        "# OAuth2: PassCmd gives an access token, sent with XOAUTH2 through Cyrus SASL,\n\
         # which needs an XOAUTH2 plugin: Debian libsasl2-modules-kdexoauth2, elsewhere\n\
         # cyrus-sasl-xoauth2\n\
         AuthMechs XOAUTH2\n"
    } else {
        ""
    };
    Ok(format!(
        "# ~/.mbsyncrc (isync 1.4 and later); first: mkdir -p ~/Mail/{name}\n\
         IMAPAccount {name}\n\
         Host {host}\n\
         Port {port}\n\
         User {user}\n\
         PassCmd \"{command} get {name}\"\n\
         {auth}\
         SSLType {ssl_type}\n\
         \n\
         IMAPStore {name}-remote\n\
         Account {name}\n\
         \n\
         MaildirStore {name}-local\n\
         Path ~/Mail/{name}/\n\
         Inbox ~/Mail/{name}/INBOX\n\
         SubFolders Verbatim\n\
         \n\
         Channel {name}\n\
         Far :{name}-remote:\n\
         Near :{name}-local:\n\
         Patterns *\n\
         Create Near\n\
         SyncState *\n",
        name = a.name,
        host = e.host,
        port = e.port,
    ))
}

/// One mbsync argument in double quotes, when it can be one: mbsync's
/// parser takes a quoted argument up to the next `"`, and treats `\` as an
/// escape in some versions and not in others, so a value holding either
/// (or a control character) is refused rather than guessed at.
fn mbsync_quoted(value: &str) -> Option<String> {
    (!value.is_empty() && !value.contains(['"', '\\']) && !value.contains(char::is_control))
        .then(|| format!("\"{value}\""))
}

/// OfflineIMAP: `remotepasseval` is Python, evaluated; its value is sent
/// as the password verbatim, so the glue strips the newline that `mailcred
/// get` ends its answer with (and nothing else: an app password may hold
/// blanks). A failing `mailcred get` raises, and OfflineIMAP stops.
pub(super) fn offlineimap(a: &Account, command: &str) -> Result<String, CommandError> {
    let e = imap(a, "OfflineIMAP")?;
    let login = a.login_at(e);
    let user = ini_value(login).ok_or_else(|| unwritable(a, "OfflineIMAP", "login", login))?;
    let (ssl, starttls, note) = match e.security {
        Security::Tls => ("yes", "no", ""),
        _ => (
            "no",
            "yes",
            "# OfflineIMAP uses STARTTLS when the server offers it, and does not insist;\n\
             # its STARTTLS now and then stalls: prefer the server's TLS port (993).\n",
        ),
    };
    let eval = format!(
        "__import__(\"subprocess\").check_output([\"{command}\", \"get\", \"{}\"], \
         text=True).removesuffix(\"\\n\")",
        a.name
    );
    let secret = if a.is_oauth() {
        format!(
            "# OAuth2: XOAUTH2 with an access token from mailcred, read once per run: sync\n\
             # with one run at a time (cron, a systemd timer), not autorefresh for hours\n\
             auth_mechanisms = XOAUTH2\n\
             oauth2_access_token_eval = {eval}\n"
        )
    } else {
        format!("remotepasseval = {eval}\n")
    };
    Ok(format!(
        "# ~/.offlineimaprc (OfflineIMAP 8, offlineimap3)\n\
         [general]\n\
         accounts = {name}\n\
         \n\
         [Account {name}]\n\
         localrepository = {name}-local\n\
         remoterepository = {name}-remote\n\
         \n\
         [Repository {name}-local]\n\
         type = Maildir\n\
         localfolders = ~/Mail/{name}\n\
         \n\
         [Repository {name}-remote]\n\
         type = IMAP\n\
         remotehost = {host}\n\
         remoteport = {port}\n\
         remoteuser = {user}\n\
         {note}\
         ssl = {ssl}\n\
         starttls = {starttls}\n\
         sslcacertfile = OS-DEFAULT\n\
         {secret}",
        name = a.name,
        host = e.host,
        port = e.port,
    ))
}

/// A value for Python's configparser with interpolation (OfflineIMAP's):
/// `%` doubled; blanks at either end would be dropped and a line break
/// would continue the value, so such values are refused.
fn ini_value(value: &str) -> Option<String> {
    plain_ini(value).map(|v| v.replace('%', "%%"))
}

/// A value for a configparser without interpolation (getmail's), when it
/// keeps itself: no blanks at either end, no control characters.
fn plain_ini(value: &str) -> Option<&str> {
    (!value.is_empty() && value.trim() == value && !value.contains(char::is_control))
        .then_some(value)
}

/// getmail6: POP3 over TLS, else IMAP over TLS (getmail has no STARTTLS).
/// `password_command` is a Python tuple, the program and its arguments,
/// run without a shell; getmail drops the newline of its output.
pub(super) fn getmail(a: &Account, command: &str) -> Result<String, CommandError> {
    // getmail6 has XOAUTH2 for its IMAP retrievers only.
    let pop = usable(a, Protocol::Pop).filter(|e| e.security == Security::Tls && !a.is_oauth());
    let imap = usable(a, Protocol::Imap).filter(|e| e.security == Security::Tls);
    let (e, retriever, mailboxes) = match (pop, imap) {
        (Some(e), _) => (e, "SimplePOP3SSLRetriever", ""),
        (None, Some(e)) => (e, "SimpleIMAPSSLRetriever", "mailboxes = (\"INBOX\",)\n"),
        (None, None) if a.is_oauth() => {
            return Err(CommandError::Usage(format!(
                "mail account \"{}\" has no IMAP server with TLS from the first byte: getmail \
                 speaks no STARTTLS, and XOAUTH2 over IMAP only",
                a.name
            )));
        }
        (None, None) => {
            return Err(CommandError::Usage(format!(
                "mail account \"{}\" has no POP or IMAP server with TLS from the first byte: \
                 getmail speaks no STARTTLS",
                a.name
            )));
        }
    };
    let xoauth2 = if a.is_oauth() {
        "# OAuth2: password_command gives an access token, sent with XOAUTH2\nuse_xoauth2 = True\n"
    } else {
        ""
    };
    let login = a.login_at(e);
    let user = plain_ini(login).ok_or_else(|| unwritable(a, "getmail", "login", login))?;
    Ok(format!(
        "# ~/.config/getmail/getmailrc (getmail6); first: mkdir -p ~/Mail/{name}/cur \
         ~/Mail/{name}/new ~/Mail/{name}/tmp\n\
         [retriever]\n\
         type = {retriever}\n\
         server = {host}\n\
         port = {port}\n\
         username = {user}\n\
         password_command = (\"{command}\", \"get\", \"{name}\")\n\
         {xoauth2}\
         {mailboxes}\
         \n\
         [destination]\n\
         type = Maildir\n\
         path = ~/Mail/{name}/\n\
         \n\
         [options]\n\
         read_all = false\n\
         delete = false\n",
        name = a.name,
        host = e.host,
        port = e.port,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_syntax_keeps_a_value_whole_or_refuses_it() {
        assert_eq!(
            mbsync_quoted("ann smith@x.org").as_deref(),
            Some("\"ann smith@x.org\"")
        );
        for bad in ["a\"b", "a\\b", "a\nb", ""] {
            assert_eq!(mbsync_quoted(bad), None, "{bad:?}");
        }
        assert_eq!(ini_value("100%@x.org").as_deref(), Some("100%%@x.org"));
        for bad in [" ann", "ann ", "a\nb", ""] {
            assert_eq!(ini_value(bad), None, "{bad:?}");
            assert_eq!(plain_ini(bad), None, "{bad:?}");
        }
        assert_eq!(
            plain_ini("100%@x.org"),
            Some("100%@x.org"),
            "getmail has no interpolation"
        );
    }
}

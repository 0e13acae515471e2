//! `mailcred config neomutt`: SMTP for sending and, when the account has
//! IMAP, its folder for reading, with one password for both from
//! `account_command` (NeoMutt 2022-11 and later) or backticks; for an
//! OAuth2 account, XOAUTH2 with the token from `*_oauth_refresh_command`.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::usable;
use crate::accounts::{Account, Endpoint, Protocol, Security};

pub(super) fn snippet(a: &Account, command: &str) -> String {
    let smtp = a.smtp.as_ref();
    let imap = usable(a, Protocol::Imap);
    let mut text = String::from("# ~/.neomuttrc\n");
    text.push_str(&format!("set from = {}\n", quoted(&a.user)));
    if let Some(e) = smtp {
        text.push_str(&smtp_url_line(a, e));
    }
    if let Some(e) = imap {
        text.push_str(&folder_lines(a, e));
    } else if a.imap.is_some() {
        text.push_str(&format!(
            "# no IMAP folder: {}\n",
            a.provider.oauth_only(Protocol::Imap).unwrap_or_default()
        ));
    }
    let starttls = [smtp, imap]
        .into_iter()
        .flatten()
        .any(|e| e.security == Security::Starttls);
    // neomutt's TLS settings are global: only a plaintext SMTP relay (the
    // user's choice at `add`, with a warning) turns the requirement off.
    let force_tls = smtp.is_none_or(|e| e.security != Security::NoneDangerous);
    text.push_str(&format!(
        "set ssl_starttls = {}\nset ssl_force_tls = {}\n",
        yes(starttls),
        yes(force_tls)
    ));
    let passwords: Vec<(&str, &Endpoint)> = [("smtp", smtp), ("imap", imap)]
        .into_iter()
        .filter_map(|(name, e)| e.map(|e| (name, e)))
        .collect();
    if a.is_oauth() {
        text.push_str(&oauth_lines(a, &passwords, command));
    } else if passwords.iter().all(|(_, e)| is_shell_word(a.login_at(e))) {
        text.push_str("# NeoMutt 2022-11 and later ask through account_command, running\n");
        for (name, e) in &passwords {
            text.push_str(&format!(
                "#   {command} neomutt --hostname {host} --username {user} --type {name}\n",
                host = e.host,
                user = a.login_at(e),
            ));
        }
        text.push_str(&format!(
            "ifdef account_command 'set account_command = \"{command} neomutt\"'\n\
             # older ones (Debian 12 has 20220429) take the password from backticks:\n"
        ));
        for (name, _) in &passwords {
            text.push_str(&format!(
                "ifndef account_command 'set {name}_pass = \"`{command} get {account}`\"'\n",
                account = a.name
            ));
        }
    } else {
        text.push_str(
            "# neomutt would hand this login to account_command unquoted, through sh,\n\
             # so the password comes from backticks:\n",
        );
        for (name, _) in &passwords {
            text.push_str(&format!(
                "set {name}_pass = \"`{command} get {account}`\"\n",
                account = a.name
            ));
        }
    }
    text
}

/// XOAUTH2 for each of `endpoints` (`smtp`, `imap`), the token from
/// `mailcred get`: neomutt and mutt 2 alike run the refresh command
/// through sh for each login and send its first line as the token. No
/// `account_command` and no `*_pass`: there is no password.
pub(super) fn oauth_lines(a: &Account, endpoints: &[(&str, &Endpoint)], command: &str) -> String {
    let mut text = String::from(
        "# OAuth2: XOAUTH2 with an access token from mailcred, which refreshes it when needed\n",
    );
    let refresh = quoted(&format!("{command} get {}", a.name));
    for (name, _) in endpoints {
        text.push_str(&format!(
            "set {name}_authenticators = 'xoauth2'\nset {name}_oauth_refresh_command = {refresh}\n"
        ));
    }
    text
}

fn yes(on: bool) -> &'static str {
    if on { "yes" } else { "no" }
}

/// `scheme://login@host:port/`, the login percent-encoded: unencoded, the
/// `@` of an address would end the user part early.
/// `set smtp_url = …` for the SMTP endpoint `e` (mutt and neomutt alike):
/// `smtps://` under TLS from the first byte, else `smtp://`.
pub(super) fn smtp_url_line(a: &Account, e: &Endpoint) -> String {
    let scheme = if e.security == Security::Tls {
        "smtps"
    } else {
        "smtp"
    };
    format!("set smtp_url = {}\n", quoted(&url(a, scheme, e)))
}

/// `set folder = …` and the inbox for the IMAP endpoint `e` (mutt and
/// neomutt alike).
pub(super) fn folder_lines(a: &Account, e: &Endpoint) -> String {
    let scheme = if e.security == Security::Tls {
        "imaps"
    } else {
        "imap"
    };
    format!(
        "set folder = {}\nset spoolfile = '+INBOX'\n",
        quoted(&url(a, scheme, e))
    )
}

pub(super) fn url(a: &Account, scheme: &str, e: &Endpoint) -> String {
    format!(
        "{scheme}://{login}@{host}:{port}/",
        login = utf8_percent_encode(a.login_at(e), URL_LOGIN),
        host = e.host,
        port = e.port,
    )
}

/// What a login keeps of itself in a URL's user part: the unreserved
/// characters (RFC 3986 §2.3); neomutt decodes the rest.
const URL_LOGIN: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `value` as one neomutt rc word: in single quotes neomutt expands nothing,
/// neither backslashes nor backticks nor `$` variables (neomuttrc(5),
/// "Syntax of Initialization Files": "a single quote is used to specify a
/// literal string"). A `'` of the value closes them, follows as `\'` and
/// opens them again, as in sh.
pub(super) fn quoted(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// Whether sh keeps `login` as one word, unchanged. neomutt runs
/// `account_command --hostname HOST --username LOGIN` through `sh -c` with
/// the login pasted in unquoted (NeoMutt's conn/accountcmd.c, `make_cmd`):
/// for any other login the snippet leaves account_command out.
fn is_shell_word(login: &str) -> bool {
    !login.starts_with('-')
        && login
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '@' | '.' | '_' | '+' | '-' | '%' | '='))
}

//! `mailcred config aerc`: an account of aerc's `accounts.conf`, reading
//! over IMAP (`source`) and sending over SMTP (`outgoing`), each password
//! from its `-cred-cmd`, which aerc runs through sh, taking the first line.
//! An OAuth2 account's URLs name XOAUTH2 (`imaps+xoauth2://`): without a
//! `token_endpoint` parameter aerc sends the cred-cmd's answer as the
//! access token (aerc-imap(5)), and mailcred refreshes it.

use super::neomutt::url;
use super::{CommandError, usable};
use crate::accounts::{Account, Protocol, Security};

pub(super) fn snippet(a: &Account, command: &str) -> Result<String, CommandError> {
    let imap = usable(a, Protocol::Imap).ok_or_else(|| {
        CommandError::Usage(format!(
            "mail account \"{}\" has no IMAP server its app password signs in to: aerc reads \
             over IMAP (it has no POP)",
            a.name
        ))
    })?;
    let from = aerc_value(&a.user).ok_or_else(|| {
        CommandError::Usage(format!(
            "cannot write settings for mail account \"{}\": aerc's accounts.conf cannot hold \
             its address {:?}",
            a.name, a.user
        ))
    })?;
    // The URL schemes of aerc-imap(5) and aerc-smtp(5): `imap` and `smtp`
    // use STARTTLS (required), the `s` forms TLS from the first byte.
    let imap_scheme = match (imap.security == Security::Tls, a.is_oauth()) {
        (true, false) => "imaps",
        (false, false) => "imap",
        (true, true) => "imaps+xoauth2",
        (false, true) => "imap+xoauth2",
    };
    let note = if a.is_oauth() && imap.security != Security::Tls {
        "# OAuth2 over STARTTLS: aerc 0.14 (Debian 12) takes XOAUTH2 on imaps:// only\n"
    } else {
        ""
    };
    let mut text = format!(
        "# ~/.config/aerc/accounts.conf (aerc refuses it unless: chmod 600)\n\
         {note}\
         [{name}]\n\
         source = {source}\n\
         source-cred-cmd = {command} get {name}\n",
        name = a.name,
        source = url(a, imap_scheme, imap).trim_end_matches('/'),
    );
    if let Some(smtp) = &a.smtp {
        let scheme = match (smtp.security, a.is_oauth()) {
            (Security::Tls, false) => "smtps",
            (Security::Starttls, false) => "smtp",
            (Security::NoneDangerous, false) => "smtp+insecure",
            (Security::Tls, true) => "smtps+xoauth2",
            (_, true) => "smtp+xoauth2",
        };
        text.push_str(&format!(
            "outgoing = {}\noutgoing-cred-cmd = {command} get {name}\n",
            url(a, scheme, smtp).trim_end_matches('/'),
            name = a.name,
        ));
    }
    text.push_str(&format!("default = INBOX\nfrom = {from}\n"));
    Ok(text)
}

/// A value of aerc's accounts.conf (go-ini) when it keeps itself: go-ini
/// cuts a value at ` #` or ` ;` (an inline comment), unquotes `"` and
/// backticks, and drops blanks at either end, so values with any of those
/// are refused. The logins go into URLs, percent-encoded, and need none of
/// this.
fn aerc_value(value: &str) -> Option<&str> {
    (!value.is_empty()
        && value.trim() == value
        && !value.contains(['#', ';', '"', '`', '\''])
        && !value.contains(char::is_control))
    .then_some(value)
}

#[cfg(test)]
mod tests {
    use super::aerc_value;

    #[test]
    fn an_address_go_ini_would_cut_or_unquote_is_refused() {
        assert_eq!(aerc_value("ann@example.org"), Some("ann@example.org"));
        for bad in [
            "ann@x.org #work",
            "a;b@x.org",
            "\"a\"@x.org",
            " a@x.org",
            "",
        ] {
            assert_eq!(aerc_value(bad), None, "{bad:?}");
        }
    }
}

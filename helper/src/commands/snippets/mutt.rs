//! `mailcred config mutt`: the IMAP folder and SMTP, as for neomutt, in the
//! same rc syntax (neomutt's quoting and URLs are mutt's). Mutt has no
//! `account_command`: the password comes from backticks, which mutt runs
//! through sh while reading the file, taking the first line of output. An
//! OAuth2 account gets mutt 2's XOAUTH2 settings, neomutt's names.

use super::neomutt::{folder_lines, oauth_lines, quoted, smtp_url_line};
use super::{CommandError, usable};
use crate::accounts::{Account, Protocol, Security};

pub(super) fn snippet(a: &Account, command: &str) -> Result<String, CommandError> {
    let smtp = a.smtp.as_ref();
    let imap = usable(a, Protocol::Imap);
    if smtp.is_none() && imap.is_none() {
        return Err(CommandError::Usage(format!(
            "mail account \"{}\" has neither SMTP nor an IMAP server its app password signs in \
             to: mutt has nothing to use (POP: use `mailcred config getmail`)",
            a.name
        )));
    }
    let password = format!("\"`{command} get {}`\"", a.name);
    let mut text = String::from("# ~/.muttrc (mutt 2)\n");
    text.push_str(&format!("set from = {}\n", quoted(&a.user)));
    if let Some(e) = smtp {
        text.push_str(&smtp_url_line(a, e));
        if !a.is_oauth() {
            text.push_str(&format!("set smtp_pass = {password}\n"));
        }
    }
    if let Some(e) = imap {
        text.push_str(&folder_lines(a, e));
        if !a.is_oauth() {
            text.push_str(&format!("set imap_pass = {password}\n"));
        }
    }
    if a.is_oauth() {
        let endpoints: Vec<_> = [("smtp", smtp), ("imap", imap)]
            .into_iter()
            .filter_map(|(name, e)| e.map(|e| (name, e)))
            .collect();
        text.push_str(&oauth_lines(a, &endpoints, command));
    }
    let starttls = [smtp, imap]
        .into_iter()
        .flatten()
        .any(|e| e.security == Security::Starttls);
    let force_tls = smtp.is_none_or(|e| e.security != Security::NoneDangerous);
    text.push_str(&format!(
        "set ssl_starttls = {}\nset ssl_force_tls = {}\n",
        yes(starttls),
        yes(force_tls)
    ));
    Ok(text)
}

fn yes(on: bool) -> &'static str {
    if on { "yes" } else { "no" }
}

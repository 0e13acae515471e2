//! `mailcred config himalaya`: an account of himalaya's `config.toml`, in
//! the keys of himalaya 2 (`imap.server`, `imap.sasl.plain.*`) and, commented
//! out below, those of himalaya 1 (`backend.*`, `message.send.backend.*`),
//! whose files the other version does not read. The password comes from
//! `password.command` (2) or `auth.cmd` (1), run through sh; himalaya takes
//! the first line of its output. An OAuth2 account logs in with XOAUTH2:
//! `imap.sasl.xoauth2.token.command` (2), or `auth.type = "oauth2"` with
//! `access-token.cmd` (1), which also wants the app's client id and
//! endpoints (himalaya 1 could sign in itself; mailcred does it here).

use super::{CommandError, usable};
use crate::accounts::{Account, Endpoint, Protocol, Security};

pub(super) fn snippet(a: &Account, command: &str) -> Result<String, CommandError> {
    let imap = usable(a, Protocol::Imap).ok_or_else(|| {
        CommandError::Usage(format!(
            "mail account \"{}\" has no IMAP server its app password signs in to: himalaya \
             reads over IMAP (it has no POP)",
            a.name
        ))
    })?;
    let smtp = a.smtp.as_ref();
    let password = toml_string(&format!("{command} get {}", a.name));
    let header = format!("[accounts.{}]", toml_string(&a.name));

    let mut v2 = format!(
        "# ~/.config/himalaya/config.toml\n\
         # himalaya 2 and later:\n\
         {header}\n\
         default = true\n"
    );
    for (key, e) in [("imap", Some(imap)), ("smtp", smtp)] {
        let Some(e) = e else { continue };
        v2.push_str(&format!(
            "{key}.server = {}\n",
            toml_string(&server_url(key, e))
        ));
        if e.security == Security::Starttls {
            v2.push_str(&format!("{key}.starttls = true\n"));
        }
        let (mechanism, secret) = if a.is_oauth() {
            ("xoauth2", "token")
        } else {
            ("plain", "password")
        };
        v2.push_str(&format!(
            "{key}.sasl.{mechanism}.username = {}\n\
             {key}.sasl.{mechanism}.{secret}.command = {password}\n",
            toml_string(a.login_at(e))
        ));
    }

    let mut v1 = format!(
        "{header}\n\
         default = true\n\
         email = {}\n",
        toml_string(&a.user)
    );
    for (prefix, kind, e) in [
        ("backend", "imap", Some(imap)),
        ("message.send.backend", "smtp", smtp),
    ] {
        let Some(e) = e else { continue };
        let encryption = match e.security {
            Security::Tls => "tls",
            Security::Starttls => "start-tls",
            Security::NoneDangerous => "none",
        };
        v1.push_str(&format!(
            "{prefix}.type = \"{kind}\"\n\
             {prefix}.host = {host}\n\
             {prefix}.port = {port}\n\
             {prefix}.encryption.type = \"{encryption}\"\n\
             {prefix}.login = {login}\n",
            host = toml_string(&e.host),
            port = e.port,
            login = toml_string(a.login_at(e)),
        ));
        match &a.oauth {
            None => v1.push_str(&format!(
                "{prefix}.auth.type = \"password\"\n{prefix}.auth.cmd = {password}\n"
            )),
            Some(oauth) => v1.push_str(&format!(
                "{prefix}.auth.type = \"oauth2\"\n\
                 {prefix}.auth.method = \"xoauth2\"\n\
                 {prefix}.auth.client-id = {client}\n\
                 {prefix}.auth.auth-url = {authorize}\n\
                 {prefix}.auth.token-url = {token}\n\
                 {prefix}.auth.access-token.cmd = {password}\n",
                client = toml_string(&oauth.client_id),
                authorize = toml_string(&oauth.authorize_url),
                token = toml_string(&oauth.token_url),
            )),
        }
    }
    let mut text = v2;
    text.push_str("# himalaya 1 reads these keys instead (use them in place of the ones above):\n");
    for line in v1.lines() {
        text.push_str(&format!("# {line}\n"));
    }
    Ok(text)
}

/// himalaya 2's server URL: the scheme says TLS from the first byte
/// (`imaps`, `smtps`) or a connection that STARTTLS upgrades.
fn server_url(protocol: &str, e: &Endpoint) -> String {
    let s = if e.security == Security::Tls { "s" } else { "" };
    format!("{protocol}{s}://{}:{}", e.host, e.port)
}

/// A TOML basic string: `"` and `\` escaped, control characters as
/// `\uXXXX` (TOML 1.0, "String"), so every value is written whole.
fn toml_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::toml_string;

    #[test]
    fn a_toml_string_escapes_quotes_backslashes_and_control_characters() {
        assert_eq!(toml_string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(toml_string("a\nb\u{7f}"), r#""a\u000Ab\u007F""#);
    }
}

//! What `add` takes as a login and as a server name.
//!
//! The rules refuse what no mail server issues or answers to, which is also
//! what shells and configuration files read as syntax. They accept every
//! login in real use: e-mail addresses with `+` tags, apostrophes or
//! non-ASCII letters (RFC 6531), plain user names (iCloud's IMAP login
//! without the domain), Windows' `DOMAIN\user`, names with inner spaces.
//! The snippet commands never rely on them: the account file may have been
//! edited by hand, so they quote every value anyway.

/// The longest login, in bytes: a mail path is at most 256 octets (RFC
/// 5321 §4.5.3.1.3), brackets included.
const MAX_LOGIN: usize = 256;

/// The longest DNS name in its text form (RFC 1035 §2.3.4, 255 octets on
/// the wire).
const MAX_HOST: usize = 253;

/// The longest DNS label (RFC 1035 §2.3.4).
const MAX_LABEL: usize = 63;

/// Checks a login; the error says why it is refused.
///
/// Refused: an empty or overlong login; control characters (a line break
/// ends a line in every snippet syntax and in git's credential protocol, an
/// escape sequence reaches the terminal); whitespace at either end (no
/// server keeps it, and every config syntax drops it unless quoted); and
/// the characters an unquoted e-mail address cannot hold, `"(),:;<>[]`
/// (RFC 5322 §3.2.3), plus the backtick: they are quotes, command
/// substitution, separators and redirections in shells and rc files, and no
/// provider issues them.
pub fn check_login(user: &str) -> Result<(), &'static str> {
    if user.is_empty() {
        return Err("it is empty");
    }
    if user.len() > MAX_LOGIN {
        return Err("it is longer than 256 bytes");
    }
    if user.chars().any(char::is_control) {
        return Err("it contains a control character (a line break, a tab, an escape)");
    }
    if user.starts_with(char::is_whitespace) || user.ends_with(char::is_whitespace) {
        return Err("it starts or ends with a space");
    }
    if user.contains(['"', '(', ')', ',', ':', ';', '<', '>', '[', ']', '`']) {
        return Err("it contains one of \" ( ) , : ; < > [ ] `, which no mail login holds");
    }
    Ok(())
}

/// Checks a server name; the error says why it is refused.
///
/// Taken: a DNS name of letters, digits and hyphens (RFC 1123 §2.1: labels
/// of 1 to 63 characters that neither start nor end with a hyphen, 253 in
/// all), which includes IPv4 addresses. International names must be given
/// in their ASCII form (`xn--…`, RFC 5890). IPv6 addresses are refused:
/// their colons would need brackets in git's `HOST:PORT` and in URLs, and
/// msmtp's `host` takes none.
pub fn check_host(host: &str) -> Result<(), &'static str> {
    if host.is_empty() {
        return Err("it is empty");
    }
    if host.len() > MAX_HOST {
        return Err("it is longer than 253 characters");
    }
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        return Err(
            "only letters, digits, - and . may appear: no port, scheme or path, no IPv6 \
             address (use the server's name), and an international name in its ASCII form \
             (xn--…)",
        );
    }
    for label in host.split('.') {
        if label.is_empty() {
            return Err("it has an empty part (a dot at either end, or two in a row)");
        }
        if label.len() > MAX_LABEL {
            return Err("a part between dots is longer than 63 characters");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a part between dots starts or ends with -");
        }
    }
    Ok(())
}

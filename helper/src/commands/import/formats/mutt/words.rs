//! The words of a mutt rc line: quotes, escapes, backticks and `$`
//! variables as muttrc(5) reads them, each word with its place on the
//! line; and mail URLs with their password's place.

use percent_encoding::percent_decode_str;

use super::super::super::found::Server;
use crate::accounts::{Protocol, Security};

/// A word of a command, with its place on the line (no `Debug`: it may
/// be a password).
#[derive(Clone)]
pub(super) struct Token<'a> {
    /// As written, quotes included.
    pub(super) raw: &'a str,
    /// With quotes and escapes undone.
    pub(super) value: String,
    /// Whether it runs a command or names a variable.
    pub(super) dynamic: bool,
    /// Whether it holds a backslash escape (its raw text then is not its
    /// value between quotes).
    pub(super) escaped: bool,
}

/// A mail URL: `scheme://[user[:pass]@]host[:port][/…]`.
pub(super) struct Url {
    tls: bool,
    pub(super) user: Option<String>,
    pub(super) password: Option<String>,
    /// Where `:pass` is, from the start of the URL.
    pub(super) password_at: (usize, usize),
    pub(super) host: String,
    port: Option<u16>,
}

impl Url {
    pub(super) fn parse(url: &str) -> Option<Self> {
        let (scheme, rest) = url.split_once("://")?;
        Protocol::from_scheme(scheme)?;
        let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((userinfo, hostport)) => (Some(userinfo), hostport),
            None => (None, authority),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((host, port)) => (host, Some(port.parse::<u16>().ok()?)),
            None => (hostport, None),
        };
        let decode = |s: &str| {
            percent_decode_str(s)
                .decode_utf8()
                .ok()
                .map(|s| s.into_owned())
        };
        let start = scheme.len() + 3;
        let (user, password, password_at) = match userinfo {
            None => (None, None, (0, 0)),
            Some(info) => match info.split_once(':') {
                Some((user, pass)) => (
                    Some(decode(user)?),
                    Some(decode(pass)?),
                    (start + user.len(), start + info.len()),
                ),
                None => (Some(decode(info)?), None, (0, 0)),
            },
        };
        Some(Self {
            tls: scheme.ends_with('s'),
            user,
            password: password.filter(|p| !p.is_empty()),
            password_at,
            host: host.to_owned(),
            port,
        })
    }

    pub(super) fn server(&self, protocol: Protocol) -> Server {
        Server {
            protocol: Some(protocol),
            host: self.host.clone(),
            port: self.port,
            security: Some(if self.tls {
                Security::Tls
            } else {
                Security::Starttls
            }),
        }
    }
}

/// The `:pass` of the rest of a URL after `://`, if it has one.
pub(super) fn url_password(rest: &str) -> Option<&str> {
    let authority = &rest[..rest
        .find(['/', ' ', '"', '\''].as_slice())
        .unwrap_or(rest.len())];
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (_, pass) = userinfo.split_once(':')?;
    (!pass.is_empty()).then_some(pass)
}

/// The commands of one line, each a list of words; `=` is a word of its
/// own outside quotes. An unclosed quote is an error.
pub(super) fn tokenize(line: &str) -> Result<Vec<Vec<Token<'_>>>, String> {
    let mut commands: Vec<Vec<Token<'_>>> = vec![Vec::new()];
    let bytes = line.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let c = bytes[at];
        match c {
            b' ' | b'\t' => at += 1,
            b'#' => break,
            b';' => {
                commands.push(Vec::new());
                at += 1;
            }
            b'=' => {
                commands.last_mut().expect("one").push(Token {
                    raw: &line[at..at + 1],
                    value: "=".into(),
                    dynamic: false,
                    escaped: false,
                });
                at += 1;
            }
            _ => {
                let start = at;
                let mut value = String::new();
                let (mut dynamic, mut escaped) = (false, false);
                while at < bytes.len() && !matches!(bytes[at], b' ' | b'\t' | b';' | b'=' | b'#') {
                    match bytes[at] {
                        b'\'' => {
                            let end = line[at + 1..]
                                .find('\'')
                                .ok_or("a single quote that is not closed")?;
                            value.push_str(&line[at + 1..at + 1 + end]);
                            at += end + 2;
                        }
                        b'"' => {
                            at += 1;
                            loop {
                                let Some(&b) = bytes.get(at) else {
                                    return Err("a double quote that is not closed".into());
                                };
                                match b {
                                    b'"' => break,
                                    b'\\' => {
                                        escaped = true;
                                        let ch = line[at + 1..]
                                            .chars()
                                            .next()
                                            .ok_or("a backslash at the end of a quote")?;
                                        value.push(ch);
                                        at += 1 + ch.len_utf8();
                                    }
                                    b'`' | b'$' => {
                                        dynamic = true;
                                        value.push(b as char);
                                        at += 1;
                                    }
                                    _ => {
                                        let ch = line[at..].chars().next().expect("in bounds");
                                        value.push(ch);
                                        at += ch.len_utf8();
                                    }
                                }
                            }
                            at += 1;
                        }
                        b'\\' => {
                            escaped = true;
                            let Some(ch) = line[at + 1..].chars().next() else {
                                break;
                            };
                            value.push(ch);
                            at += 1 + ch.len_utf8();
                        }
                        b'`' => {
                            dynamic = true;
                            let end = line[at + 1..]
                                .find('`')
                                .ok_or("a backtick that is not closed")?;
                            value.push_str(&line[at..at + end + 2]);
                            at += end + 2;
                        }
                        b'$' => {
                            dynamic = true;
                            value.push('$');
                            at += 1;
                        }
                        _ => {
                            let ch = line[at..].chars().next().expect("in bounds");
                            value.push(ch);
                            at += ch.len_utf8();
                        }
                    }
                }
                commands.last_mut().expect("one").push(Token {
                    raw: &line[start..at],
                    value,
                    dynamic,
                    escaped,
                });
            }
        }
    }
    Ok(commands)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_their_quotes_apart() {
        let commands = tokenize(r#"set a="x y" b='$z'; set c=`cmd arg` d=e\ f # comment"#).unwrap();
        let values: Vec<Vec<(&str, bool)>> = commands
            .iter()
            .map(|c| c.iter().map(|t| (t.value.as_str(), t.dynamic)).collect())
            .collect();
        assert_eq!(
            values,
            [
                vec![
                    ("set", false),
                    ("a", false),
                    ("=", false),
                    ("x y", false),
                    ("b", false),
                    ("=", false),
                    ("$z", false)
                ],
                vec![
                    ("set", false),
                    ("c", false),
                    ("=", false),
                    ("`cmd arg`", true),
                    ("d", false),
                    ("=", false),
                    ("e f", false)
                ],
            ]
        );
    }

    #[test]
    fn a_url_says_where_its_password_is() {
        let url = Url::parse("smtps://ann%40x.org:p%40ss@smtp.x.org:465/").unwrap();
        assert_eq!(url.user.as_deref(), Some("ann@x.org"));
        assert_eq!(url.password.as_deref(), Some("p@ss"));
        assert_eq!(
            &"smtps://ann%40x.org:p%40ss@smtp.x.org:465/"[url.password_at.0..url.password_at.1],
            ":p%40ss"
        );
        assert_eq!(
            (url.host.as_str(), url.port, url.tls),
            ("smtp.x.org", Some(465), true)
        );
        assert!(Url::parse("https://a:b@c").is_none());
    }
}

//! git's configuration files (git-config(1), "Syntax"): `[section]` and
//! `[section "subsection"]` headers, `name = value` lines, `#` and `;`
//! comments outside double quotes, the escapes `\" \\ \n \t \b`, and a
//! backslash at the end of a line continuing the value. Section and key
//! names are compared without regard to case, subsections exactly.
//!
//! git send-email's `sendemail.smtpPass` (and each identity's,
//! `sendemail.NAME.smtpPass`) and git imap-send's `imap.pass` are deleted;
//! git then asks its credential helpers, and a `[credential "URL"]`
//! section hands those servers to mailcred. `include` and `includeIf`
//! are reported, not followed.

use std::ops::Range;

use secrecy::SecretString;

use super::super::found::{Change, Edit, Found, Parsed, Server, Text};
use super::super::lines::{self, Line};
use crate::accounts::{Protocol, Security};

/// One `name = value` of the file.
#[derive(Debug, Clone)]
pub struct Variable {
    /// The section, in lower case.
    pub section: String,
    /// The subsection, as written (`None` for `[section]`).
    pub subsection: Option<String>,
    /// The key, in lower case.
    pub key: String,
    /// The value; `None` for a bare `name` (true).
    pub value: Option<String>,
    /// Its first line.
    pub line: usize,
    /// What deleting it removes: its lines, or only its part of a line it
    /// shares with a section header.
    pub delete: Range<usize>,
}

/// Every variable of `text`, or the line that does not parse and why.
pub fn variables(text: &str) -> Result<Vec<Variable>, (usize, String)> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut subsection: Option<String> = None;
    let all: Vec<Line<'_>> = lines::lines(text).collect();
    let mut at = 0;
    while at < all.len() {
        let line = all[at];
        let mut rest = line.text.trim_start();
        if rest.starts_with('[') {
            let (name, sub, after) =
                header(rest).ok_or((line.number, "a section header that does not parse".into()))?;
            section = name;
            subsection = sub;
            rest = after.trim_start();
        }
        if rest.is_empty() || rest.starts_with(['#', ';']) {
            at += 1;
            continue;
        }
        if section.is_empty() {
            return Err((line.number, "a variable before any section header".into()));
        }
        let key_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len());
        let key = &rest[..key_len];
        if key.is_empty() || !key.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Err((
                line.number,
                "a line that is neither a section nor a variable".into(),
            ));
        }
        let key_start = line.range_of(rest).start;
        let after_key = rest[key_len..].trim_start();
        let (value, last) = if let Some(raw) = after_key.strip_prefix('=') {
            let (value, last) = value(&all, at, line.range_of(raw).start - line.start)
                .map_err(|why| (line.number, why))?;
            (Some(value), last)
        } else if after_key.is_empty() || after_key.starts_with(['#', ';']) {
            (None, at)
        } else {
            return Err((line.number, "a variable without `=`".into()));
        };
        let shares_header = line.text.trim_start().starts_with('[');
        let delete = if shares_header {
            key_start..all[last].start + all[last].text.len()
        } else {
            line.start..all[last].end
        };
        out.push(Variable {
            section: section.clone(),
            subsection: subsection.clone(),
            key: key.to_ascii_lowercase(),
            value,
            line: line.number,
            delete,
        });
        at = last + 1;
    }
    Ok(out)
}

/// `[name]`, `[name "sub"]` or `[name.sub]`: the name in lower case, the
/// subsection, and the rest of the line.
fn header(text: &str) -> Option<(String, Option<String>, &str)> {
    let inner = text.strip_prefix('[')?;
    let name_len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
        .unwrap_or(inner.len());
    let name = &inner[..name_len];
    let rest = &inner[name_len..];
    if let Some(rest) = rest.strip_prefix(']') {
        return Some(match name.split_once('.') {
            Some((name, sub)) => (
                name.to_ascii_lowercase(),
                Some(sub.to_ascii_lowercase()),
                rest,
            ),
            None => (name.to_ascii_lowercase(), None, rest),
        });
    }
    let quoted = rest.trim_start().strip_prefix('"')?;
    let mut sub = String::new();
    let mut chars = quoted.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => sub.push(chars.next()?.1),
            '"' => {
                let rest = quoted[i + 1..].strip_prefix(']')?;
                return Some((name.to_ascii_lowercase(), Some(sub), rest));
            }
            _ => sub.push(c),
        }
    }
    None
}

/// The value starting at byte `from` of line `at`, and the line it ends on.
fn value(all: &[Line<'_>], mut at: usize, from: usize) -> Result<(String, usize), String> {
    let mut value = String::new();
    let mut spaces = 0;
    let mut quoted = false;
    let mut text = &all[at].text[from..];
    loop {
        let mut chars = text.chars();
        let mut continued = false;
        while let Some(c) = chars.next() {
            if !quoted && (c == '#' || c == ';') {
                break;
            }
            if !quoted && c.is_whitespace() {
                if !value.is_empty() {
                    spaces += 1;
                }
                continue;
            }
            value.extend(std::iter::repeat_n(' ', spaces));
            spaces = 0;
            match c {
                '"' => quoted = !quoted,
                '\\' => match chars.next() {
                    None => continued = true,
                    Some('n') => value.push('\n'),
                    Some('t') => value.push('\t'),
                    Some('b') => value.push('\u{8}'),
                    Some(c @ ('"' | '\\')) => value.push(c),
                    Some(_) => return Err("a value with an escape git does not know".into()),
                },
                c => value.push(c),
            }
        }
        if !continued {
            break;
        }
        at += 1;
        let Some(next) = all.get(at) else {
            return Err("a value continued past the end of the file".into());
        };
        text = next.text;
    }
    if quoted {
        return Err("a value whose double quotes are not closed".into());
    }
    Ok((value, at))
}

/// Reads a git configuration file.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let vars = match variables(text) {
        Ok(vars) => vars,
        Err((line, why)) => {
            parsed.refuse(line, why);
            return parsed;
        }
    };
    for v in vars
        .iter()
        .filter(|v| v.section == "include" || v.section == "includeif")
    {
        if v.key == "path" {
            parsed.note(
                v.line,
                format!(
                    "includes {}: not followed (import it with --file gitconfig:PATH)",
                    v.value.as_deref().unwrap_or_default()
                ),
            );
        }
    }
    let mut identities: Vec<Option<&str>> = vec![None];
    for v in vars.iter().filter(|v| v.section == "sendemail") {
        if let Some(sub) = v.subsection.as_deref()
            && !identities.contains(&Some(sub))
        {
            identities.push(Some(sub));
        }
    }
    for identity in identities {
        sendemail(&mut parsed, &vars, identity);
    }
    imap(&mut parsed, &vars);
    parsed
}

/// The last value of `section.[sub.]key`.
fn last<'a>(
    vars: &'a [Variable],
    section: &str,
    sub: Option<&str>,
    key: &str,
) -> Option<&'a Variable> {
    vars.iter()
        .rev()
        .find(|v| v.section == section && v.subsection.as_deref() == sub && v.key == key)
}

/// git send-email's settings for `identity` (its own, else the plain
/// `[sendemail]` ones).
fn sendemail(parsed: &mut Parsed, vars: &[Variable], identity: Option<&str>) {
    let get = |key: &str| {
        identity
            .and_then(|id| last(vars, "sendemail", Some(id), key))
            .or_else(|| last(vars, "sendemail", None, key))
    };
    let Some(pass) = get("smtppass").filter(|p| p.value.as_deref().is_some_and(|v| !v.is_empty()))
    else {
        return;
    };
    let what = match identity {
        Some(id) => format!("git send-email identity \"{id}\""),
        None => "git send-email".to_owned(),
    };
    let Some(host) = get("smtpserver")
        .and_then(|v| v.value.clone())
        .filter(|h| !h.starts_with('/'))
    else {
        parsed.note(
            pass.line,
            format!("{what}: smtpPass without an SMTP smtpServer: not imported"),
        );
        return;
    };
    let port = match get("smtpserverport").and_then(|v| v.value.as_deref()) {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(p) => Some(p),
            Err(_) => {
                parsed.note(
                    pass.line,
                    format!("{what}: smtpServerPort {p:?} is not a port"),
                );
                return;
            }
        },
    };
    let security = match get("smtpencryption").and_then(|v| v.value.as_deref()) {
        Some("tls") => Some(Security::Starttls),
        Some("ssl") => Some(Security::Tls),
        _ => None,
    };
    let mut git_urls = vec![format!("smtp://{host}")];
    if let Some(port) = port {
        git_urls.insert(0, format!("smtp://{host}:{port}"));
    }
    parsed.found.push(Found {
        line: pass.line,
        label: identity.map(str::to_owned),
        what,
        server: Server {
            protocol: Some(Protocol::Smtp),
            host,
            port,
            security,
        },
        user: get("smtpuser")
            .and_then(|v| v.value.clone())
            .filter(|u| !u.is_empty()),
        secret: SecretString::from(pass.value.clone().unwrap_or_default()),
        git: None,
        change: delete(pass, git_urls),
    });
}

/// git imap-send's `[imap]` settings.
fn imap(parsed: &mut Parsed, vars: &[Variable]) {
    let get = |key: &str| last(vars, "imap", None, key);
    let Some(pass) = get("pass").filter(|p| p.value.as_deref().is_some_and(|v| !v.is_empty()))
    else {
        return;
    };
    let Some(url) = get("host").and_then(|v| v.value.clone()) else {
        parsed.note(
            pass.line,
            "git imap-send: imap.pass without imap.host: not imported",
        );
        return;
    };
    let (tls, host) = match (url.strip_prefix("imaps:"), url.strip_prefix("imap:")) {
        (Some(host), _) => (true, host),
        (None, Some(host)) => (false, host),
        (None, None) => (false, url.as_str()),
    };
    let host = host.trim_start_matches("//").to_owned();
    let port = get("port").and_then(|v| v.value.as_deref()?.parse::<u16>().ok());
    let scheme = if tls { "imaps" } else { "imap" };
    let mut git_urls = vec![format!("{scheme}://{host}")];
    if let Some(port) = port {
        git_urls.insert(0, format!("{scheme}://{host}:{port}"));
    }
    parsed.found.push(Found {
        line: pass.line,
        label: None,
        what: "git imap-send".into(),
        server: Server {
            protocol: Some(Protocol::Imap),
            host,
            port,
            security: Some(if tls {
                Security::Tls
            } else {
                Security::Starttls
            }),
        },
        user: get("user")
            .and_then(|v| v.value.clone())
            .filter(|u| !u.is_empty()),
        secret: SecretString::from(pass.value.clone().unwrap_or_default()),
        git: None,
        change: delete(pass, git_urls),
    });
}

fn delete(variable: &Variable, git_urls: Vec<String>) -> Change {
    Change::Edits {
        edits: vec![Edit {
            range: variable.delete.clone(),
            text: Text::Fixed(String::new()),
        }],
        per_account: None,
        git_urls,
    }
}

/// Whether `text` already has a `[credential "URL"]` section whose helper
/// is mailcred.
pub fn hands_to_mailcred(text: &str, url: &str) -> bool {
    variables(text).is_ok_and(|vars| {
        vars.iter().any(|v| {
            v.section == "credential"
                && v.subsection.as_deref() == Some(url)
                && v.key == "helper"
                && v.value
                    .as_deref()
                    .is_some_and(|h| h == "mailcred" || h.ends_with("/git-credential-mailcred"))
        })
    })
}

/// The section that hands `url` to mailcred alone: the empty helper first
/// resets those set elsewhere, so that git's `store` after a login copies
/// the password nowhere else (`git-credential-store` would put it back in
/// plaintext).
pub fn credential_section(url: &str) -> String {
    format!(
        "[credential {}]\n\t# added by mailcred import; the empty value resets helpers set elsewhere\n\thelper =\n\thelper = {}\n",
        crate::commands::snippets::git_quoted(url),
        super::super::found::COMMAND
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_follow_gits_quoting_escapes_and_continuations() {
        let text = "[sendemail \"w\\\"x\"]\n\tsmtpPass = \"a # b\"\\\n c ; comment\n[Imap] Pass=  x\\ty  \n";
        let vars = variables(text).unwrap();
        assert_eq!(vars[0].subsection.as_deref(), Some("w\"x"));
        assert_eq!(vars[0].value.as_deref(), Some("a # b c"));
        assert_eq!(vars[0].delete, 19..text.find("[Imap]").unwrap());
        assert_eq!(
            (vars[1].section.as_str(), vars[1].key.as_str()),
            ("imap", "pass")
        );
        assert_eq!(vars[1].value.as_deref(), Some("x\ty"));
        assert_eq!(&text[vars[1].delete.clone()], "Pass=  x\\ty  ");
    }

    #[test]
    fn an_unclosed_quote_is_refused_not_guessed() {
        assert!(variables("[a]\n\tb = \"c\n").is_err());
        assert!(variables("b = c\n").is_err());
    }
}

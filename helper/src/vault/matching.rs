//! git's matching rules, in one place.

use super::index::{EndpointSlot, IndexEntry};
use crate::accounts::Protocol;
use crate::protocol::Credential;

/// A field the request carries (even empty) must equal the stored one byte
/// for byte; a field it does not carry matches anything, and a stored entry
/// without a field the request has does not match.
fn field(request: Option<&str>, stored: Option<&str>) -> bool {
    match request {
        None => true,
        Some(wanted) => stored == Some(wanted),
    }
}

/// How a stored entry answers a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit<'e> {
    /// By git's rules, field for field; the username to answer with.
    Exact(Option<&'e str>),
    /// A mail account's endpoint, asked for by its server without the port
    /// (git send-email without `smtpServerPort`, git imap-send up to 2.50);
    /// the endpoint's login.
    PortLess(&'e str),
}

/// How `entry` answers the request's protocol, host, path and username, if
/// it does. A mail account answers through whichever endpoint fits best.
pub fn fit<'e>(request: &Credential, entry: &'e IndexEntry) -> Option<Fit<'e>> {
    if entry.endpoints.is_empty() {
        let classic = field(request.protocol.as_deref(), entry.protocol.as_deref())
            && field(request.host.as_deref(), entry.host.as_deref())
            && field(request.path.as_deref(), entry.path.as_deref())
            && field(request.username.as_deref(), entry.username.as_deref());
        return classic.then_some(Fit::Exact(entry.username.as_deref()));
    }
    let fits = entry
        .endpoints
        .iter()
        .filter_map(|slot| endpoint(request, slot));
    let mut best = None;
    for fit in fits {
        match fit {
            Fit::Exact(_) => return Some(fit),
            Fit::PortLess(_) => best = best.or(Some(fit)),
        }
    }
    best
}

/// Whether an entry answers the request at all (for `erase`).
pub fn matches(request: &Credential, entry: &IndexEntry) -> bool {
    fit(request, entry).is_some()
}

/// An endpoint's answer: its protocol named by git's scheme (`imaps` is
/// the IMAP endpoint), no path (an endpoint has none), the login equal when
/// asked, and the host either `HOST:PORT` exactly or, never as a wildcard,
/// the endpoint's server without a port.
fn endpoint<'e>(request: &Credential, slot: &'e EndpointSlot) -> Option<Fit<'e>> {
    if let Some(protocol) = request.protocol.as_deref()
        && Protocol::from_scheme(protocol) != Some(slot.protocol)
    {
        return None;
    }
    if request.path.is_some() || !field(request.username.as_deref(), Some(&slot.username)) {
        return None;
    }
    match request.host.as_deref() {
        None => Some(Fit::Exact(Some(&slot.username))),
        Some(host) if host == slot.host => Some(Fit::Exact(Some(&slot.username))),
        Some(host) if !host.contains(':') && host == slot.server() => {
            Some(Fit::PortLess(&slot.username))
        }
        Some(_) => None,
    }
}

/// Whether the entry's password has expired at `now` (seconds since the epoch).
///
/// Like git, a value that is not a number never expires.
pub fn expired(entry: &IndexEntry, now: u64) -> bool {
    entry
        .password_expiry_utc
        .as_deref()
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|expiry| expiry <= now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(username: Option<&str>) -> IndexEntry {
        IndexEntry {
            id: "x".into(),
            protocol: Some("smtp".into()),
            host: Some("mail.example".into()),
            username: username.map(Into::into),
            ..IndexEntry::default()
        }
    }

    fn request(username: Option<&str>) -> Credential {
        Credential {
            protocol: Some("smtp".into()),
            host: Some("mail.example".into()),
            username: username.map(Into::into),
            ..Credential::default()
        }
    }

    #[test]
    fn an_empty_username_is_a_value_not_a_wildcard() {
        assert!(!matches(&request(Some("")), &entry(Some("ann"))));
        assert!(matches(&request(Some("")), &entry(Some(""))));
        assert!(!matches(&request(Some("")), &entry(None)));
    }

    #[test]
    fn an_absent_username_matches_any_stored_one() {
        assert!(matches(&request(None), &entry(Some("ann"))));
        assert!(matches(&request(None), &entry(None)));
    }

    #[test]
    fn a_stored_path_does_not_match_a_request_without_path_rules_reversed() {
        let mut with_path = entry(None);
        with_path.path = Some("a/b".into());
        let mut asks_path = request(None);
        asks_path.path = Some("a/b".into());
        assert!(matches(&request(None), &with_path));
        assert!(matches(&asks_path, &with_path));
        assert!(!matches(&asks_path, &entry(None)));
        let mut endpoint_path = asking("smtp", "mail.example:587", None);
        endpoint_path.path = Some("a".into());
        assert!(
            !matches(&endpoint_path, &account()),
            "an endpoint has no path"
        );
    }

    /// Ann's account: SMTP on mail.example:587, IMAP on imap.example:993
    /// with the login `ann-imap`.
    fn account() -> IndexEntry {
        IndexEntry {
            id: "x".into(),
            account: Some("work".into()),
            endpoints: vec![
                EndpointSlot {
                    protocol: Protocol::Smtp,
                    host: "mail.example:587".into(),
                    username: "ann".into(),
                },
                EndpointSlot {
                    protocol: Protocol::Imap,
                    host: "imap.example:993".into(),
                    username: "ann-imap".into(),
                },
            ],
            ..IndexEntry::default()
        }
    }

    fn asking(protocol: &str, host: &str, username: Option<&str>) -> Credential {
        Credential {
            protocol: Some(protocol.into()),
            host: Some(host.into()),
            username: username.map(Into::into),
            ..Credential::default()
        }
    }

    #[test]
    fn a_port_less_host_finds_a_mail_account_but_nothing_else() {
        let mut git_entry = entry(Some("ann"));
        git_entry.host = Some("mail.example:587".into());
        assert_eq!(
            fit(&request(Some("ann")), &account()),
            Some(Fit::PortLess("ann"))
        );
        assert!(!matches(&request(Some("ann")), &git_entry));
        for host in ["mail.example:465", "mail", "mail.example:", ""] {
            assert!(
                !matches(&asking("smtp", host, Some("ann")), &account()),
                "{host:?}"
            );
        }
    }

    #[test]
    fn imap_and_imaps_both_name_the_imap_endpoint_with_its_own_login() {
        for protocol in ["imap", "imaps"] {
            assert_eq!(
                fit(&asking(protocol, "imap.example:993", None), &account()),
                Some(Fit::Exact(Some("ann-imap")))
            );
            assert_eq!(
                fit(&asking(protocol, "imap.example", None), &account()),
                Some(Fit::PortLess("ann-imap"))
            );
        }
        assert!(
            !matches(&asking("imaps", "mail.example:587", None), &account()),
            "the SMTP endpoint's host is not the IMAP endpoint"
        );
        assert!(
            !matches(
                &asking("imaps", "imap.example:993", Some("ann")),
                &account()
            ),
            "the IMAP endpoint logs in as ann-imap"
        );
        assert!(!matches(
            &asking("https", "imap.example:993", None),
            &account()
        ));
    }

    #[test]
    fn expiry_is_inclusive_and_garbage_never_expires() {
        let mut e = entry(None);
        e.password_expiry_utc = Some("100".into());
        assert!(expired(&e, 100));
        assert!(!expired(&e, 99));
        e.password_expiry_utc = Some("soon".into());
        assert!(!expired(&e, u64::MAX));
    }
}

//! git's matching rules, in one place.

use super::index::IndexEntry;
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

/// Whether a stored entry answers the request's protocol, host, path and username.
pub fn matches(request: &Credential, entry: &IndexEntry) -> bool {
    field(request.protocol.as_deref(), entry.protocol.as_deref())
        && (field(request.host.as_deref(), entry.host.as_deref()) || account_host(request, entry))
        && field(request.path.as_deref(), entry.path.as_deref())
        && field(request.username.as_deref(), entry.username.as_deref())
}

/// git send-email sends `host=SERVER` without a port unless `smtpServerPort`
/// is set, while a mail account is stored as `SERVER:PORT`. For mail accounts
/// only, a port-less request host matches the account's server. It is never a
/// wildcard: the server name must be equal, and a request that names a port
/// must name the account's.
fn account_host(request: &Credential, entry: &IndexEntry) -> bool {
    let (Some(wanted), Some(stored)) = (request.host.as_deref(), entry.host.as_deref()) else {
        return false;
    };
    entry.account.is_some()
        && !wanted.contains(':')
        && stored
            .rsplit_once(':')
            .is_some_and(|(server, _port)| server == wanted)
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
    }

    #[test]
    fn a_port_less_host_finds_a_mail_account_but_nothing_else() {
        let mut account = entry(Some("ann"));
        account.host = Some("mail.example:587".into());
        let git_entry = account.clone();
        account.account = Some("work".into());
        assert!(matches(&request(Some("ann")), &account));
        assert!(!matches(&request(Some("ann")), &git_entry));
        let mut other_port = request(Some("ann"));
        other_port.host = Some("mail.example:465".into());
        assert!(!matches(&other_port, &account));
        let mut other_server = request(Some("ann"));
        other_server.host = Some("mail".into());
        assert!(!matches(&other_server, &account));
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

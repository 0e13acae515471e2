//! Which endpoint URLs may be used at all: TLS everywhere, plain `http://`
//! only where nothing leaves the machine (a loopback address), so a hand-edited
//! account file cannot send a refresh token across a network in clear text.

use oauth2::url::{Host, Url};

/// Why an endpoint URL cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EndpointError {
    /// Not a URL at all.
    #[error("{what} is not a URL: {url}")]
    NotAUrl {
        /// Which endpoint (`token_url`, …).
        what: &'static str,
        /// The text given.
        url: String,
    },
    /// `http://` to a host that is not a loopback address.
    #[error(
        "{what} {url} uses plain http:// to a host that is not a loopback address: use https:// (plain http is allowed only for 127.0.0.0/8, ::1 and localhost)"
    )]
    PlainHttp {
        /// Which endpoint.
        what: &'static str,
        /// The URL given.
        url: String,
    },
    /// Neither `https://` nor `http://`.
    #[error("{what} {url} is neither https:// nor http://")]
    Scheme {
        /// Which endpoint.
        what: &'static str,
        /// The URL given.
        url: String,
    },
    /// A user name or password inside the URL.
    #[error("{what} {url} carries a user name or password: remove it")]
    Credentials {
        /// Which endpoint.
        what: &'static str,
        /// The URL given, without its credentials.
        url: String,
    },
}

/// Whether `url`'s host is 127.0.0.0/8, `::1` or `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// `text` as a URL this companion may talk to (or send a browser to).
pub fn checked(what: &'static str, text: &str) -> Result<Url, EndpointError> {
    let url = Url::parse(text).map_err(|_| EndpointError::NotAUrl {
        what,
        url: text.to_owned(),
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        let mut shown = url.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        return Err(EndpointError::Credentials {
            what,
            url: shown.to_string(),
        });
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(EndpointError::PlainHttp {
            what,
            url: url.to_string(),
        }),
        _ => Err(EndpointError::Scheme {
            what,
            url: url.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_plain_http_on_loopback_are_accepted() {
        for url in [
            "https://login.microsoftonline.com/organizations/oauth2/v2.0/token",
            "http://127.0.0.1:8080/t",
            "http://127.9.9.9/t",
            "http://[::1]:99/t",
            "http://LOCALHOST:1/t",
        ] {
            assert!(checked("token_url", url).is_ok(), "{url} must be usable");
        }
    }

    #[test]
    fn plain_http_to_another_host_is_refused() {
        for url in [
            "http://login.example.com/t",
            "http://10.0.0.1/t",
            "http://localhost.example.com/t",
            "http://[::2]/t",
            "http://0.0.0.0/t",
        ] {
            assert!(
                matches!(
                    checked("token_url", url),
                    Err(EndpointError::PlainHttp { .. })
                ),
                "{url} is not loopback: plain http must be refused"
            );
        }
    }

    #[test]
    fn other_schemes_and_credentials_in_urls_are_refused() {
        assert!(matches!(
            checked("token_url", "file:///etc/passwd"),
            Err(EndpointError::Scheme { .. })
        ));
        let err = checked("token_url", "https://me:secret@example.com/t").unwrap_err();
        assert!(
            !err.to_string().contains("secret"),
            "a password inside the URL must not be repeated: {err}"
        );
    }
}

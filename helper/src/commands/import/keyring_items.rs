//! The secrets other programs already keep in the Secret Service: msmtp's
//! own items (`secret-tool store --label=msmtp host H service smtp user U`,
//! what msmtp finds when its configuration names no password) and
//! git-credential-libsecret's (`protocol`, `server`, `port`, `user`).
//!
//! They are imported like a file's secrets. The items themselves are left
//! where they are; what changes is who asks: an msmtp account without a
//! password gets `passwordeval "mailcred get NAME"`, and git a credential
//! section for the server.

use std::collections::HashMap;
use std::path::PathBuf;

use secrecy::SecretString;
use zeroize::Zeroizing;

use super::found::{Change, Format, Found, Parsed, Server};
use super::sources::Source;
use crate::accounts::{Protocol, Security};

/// Whose item it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// msmtp's (`service=smtp`, `host`, `user`).
    Msmtp,
    /// git-credential-libsecret's (`protocol`, `server`, `port`, `user`).
    Git,
}

/// One item: its attributes and its secret.
pub struct Item {
    /// Whose.
    pub owner: Owner,
    /// Its attributes (never secret).
    pub attributes: HashMap<String, String>,
    /// Its secret.
    pub secret: SecretString,
}

impl std::fmt::Debug for Item {
    /// Everything but the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Item {
            owner,
            attributes,
            secret: _,
        } = self;
        f.debug_struct("Item")
            .field("owner", owner)
            .field("attributes", attributes)
            .finish_non_exhaustive()
    }
}

/// Where the items come from: the Secret Service, or a test's list.
pub trait OtherItems {
    /// Every item of msmtp's and git-credential-libsecret's for a mail
    /// server; `Err` says why they could not be searched.
    fn items(&self) -> Result<Vec<Item>, String>;
}

/// No items (a store other than the Secret Service is configured).
pub struct NoItems;

impl OtherItems for NoItems {
    fn items(&self) -> Result<Vec<Item>, String> {
        Ok(Vec::new())
    }
}

/// What msmtp's keyring items leave when they stay.
const MSMTP_KEEP: &str = "msmtp uses its own keyring item only when its configuration names no \
                          password; mailcred leaves the item where it is (secret-tool clear \
                          service smtp host HOST user USER deletes it)";

/// Turns the items into finds: an msmtp item whose account is in an msmtp
/// file without a password becomes that file's (its account then asks
/// mailcred); the others go into a source of their own, named "Secret
/// Service".
pub fn fold(sources: &mut Vec<Source>, items: Vec<Item>) {
    let mut keyring = Parsed::default();
    for item in items {
        let get = |key: &str| item.attributes.get(key).filter(|v| !v.is_empty()).cloned();
        match item.owner {
            Owner::Msmtp => {
                let (Some(host), Some(user)) = (get("host"), get("user")) else {
                    continue;
                };
                if super::wanting::serve_msmtp(
                    sources,
                    &host,
                    &user,
                    &item.secret,
                    "msmtp's keyring item",
                ) {
                    continue;
                }
                keyring.found.push(Found {
                    line: 0,
                    label: None,
                    what: format!("msmtp's keyring item for {user} on {host}"),
                    server: Server {
                        protocol: Some(Protocol::Smtp),
                        host,
                        port: None,
                        security: None,
                    },
                    user: Some(user),
                    secret: item.secret,
                    git: None,
                    change: Change::Keep(MSMTP_KEEP),
                });
            }
            Owner::Git => {
                let (Some(scheme), Some(host), Some(user)) =
                    (get("protocol"), get("server"), get("user"))
                else {
                    continue;
                };
                let Some(protocol) = Protocol::from_scheme(&scheme) else {
                    continue;
                };
                let port = get("port").and_then(|p| p.parse::<u16>().ok());
                let mut git_urls = vec![format!("{scheme}://{host}")];
                if let Some(port) = port {
                    git_urls.insert(0, format!("{scheme}://{host}:{port}"));
                }
                keyring.found.push(Found {
                    line: 0,
                    label: None,
                    what: format!(
                        "git-credential-libsecret's keyring item for {user} on {scheme}://{host}"
                    ),
                    server: Server {
                        protocol: Some(protocol),
                        host,
                        port,
                        security: scheme.ends_with('s').then_some(Security::Tls),
                    },
                    user: Some(user),
                    secret: item.secret,
                    git: None,
                    change: Change::Edits {
                        edits: Vec::new(),
                        per_account: None,
                        git_urls,
                    },
                });
            }
        }
    }
    if !keyring.found.is_empty() {
        sources.push(Source {
            format: Format::Keyring,
            path: PathBuf::from("Secret Service"),
            text: Zeroizing::new(String::new()),
            parsed: keyring,
        });
    }
}

/// The Secret Service's items, searched within the keyring deadline.
#[cfg(target_os = "linux")]
pub struct SecretService {
    /// How long the whole search may take.
    pub deadline: std::time::Duration,
}

#[cfg(target_os = "linux")]
impl OtherItems for SecretService {
    fn items(&self) -> Result<Vec<Item>, String> {
        let (answer, answered) = std::sync::mpsc::sync_channel(1);
        // A worker, as for every keyring call: a Secret Service that never
        // answers (stopped, or showing an unlock prompt nobody sees) must
        // not hang the import.
        std::thread::Builder::new()
            .name("mailcred-import-search".into())
            .spawn(move || {
                let _ = answer.send(search());
            })
            .map_err(|e| e.to_string())?;
        answered.recv_timeout(self.deadline).map_err(|_| {
            format!(
                "the Secret Service did not answer within {} s",
                self.deadline.as_secs()
            )
        })?
    }
}

#[cfg(target_os = "linux")]
fn search() -> Result<Vec<Item>, String> {
    use keyring_core::{CredentialStore, Entry};
    let store: std::sync::Arc<CredentialStore> =
        zbus_secret_service_keyring_store::Store::new().map_err(|e| e.to_string())?;
    let mut items = Vec::new();
    let searches = [
        (Owner::Msmtp, ("service", "smtp")),
        (Owner::Git, ("protocol", "smtp")),
        (Owner::Git, ("protocol", "smtps")),
        (Owner::Git, ("protocol", "imap")),
        (Owner::Git, ("protocol", "imaps")),
        (Owner::Git, ("protocol", "pop3")),
        (Owner::Git, ("protocol", "pop3s")),
    ];
    for (owner, (key, value)) in searches {
        let spec = HashMap::from([(key, value)]);
        for entry in Entry::search_in_store(&store, &spec).map_err(|e| e.to_string())? {
            let attributes = entry.get_attributes().map_err(|e| e.to_string())?;
            // mailcred's own items have service=mailcred; git's have a
            // `server`, msmtp's a `host`.
            let theirs = match owner {
                Owner::Msmtp => attributes.contains_key("host"),
                Owner::Git => attributes.contains_key("server"),
            };
            if !theirs {
                continue;
            }
            let bytes = Zeroizing::new(entry.get_secret().map_err(|e| e.to_string())?);
            // git-credential-libsecret keeps `password_expiry_utc=` and
            // `oauth_refresh_token=` lines after the password.
            let Ok(text) = std::str::from_utf8(&bytes) else {
                continue;
            };
            let password = text.split('\n').next().unwrap_or_default();
            items.push(Item {
                owner,
                attributes,
                secret: SecretString::from(password.to_owned()),
            });
        }
    }
    Ok(items)
}

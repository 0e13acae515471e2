use secrecy::SecretString;

/// One credential request or answer, field for field as git sends it.
///
/// `None` means the key was absent; `Some("")` means it was sent empty. The
/// two differ everywhere in matching, so they are never conflated here.
#[derive(Debug, Default)]
pub struct Credential {
    /// `protocol=`, e.g. `smtp` or `https`.
    pub protocol: Option<String>,
    /// `host=`, including a port when git sends one (`smtp.example.com:587`).
    pub host: Option<String>,
    /// `path=`.
    pub path: Option<String>,
    /// `username=`.
    pub username: Option<String>,
    /// `password=`.
    pub password: Option<SecretString>,
    /// `password_expiry_utc=`, seconds since the epoch as git sends it.
    pub password_expiry_utc: Option<String>,
    /// `oauth_refresh_token=`.
    pub oauth_refresh_token: Option<SecretString>,
    /// `authtype=` (only honoured when `capability[]=authtype` was sent).
    pub authtype: Option<String>,
    /// `credential=` (only honoured when `capability[]=authtype` was sent).
    pub credential: Option<SecretString>,
    /// `ephemeral=`: a credential git must not persist.
    pub ephemeral: Option<String>,
    /// Every `capability[]=` value, in order.
    pub capabilities: Vec<String>,
}

impl Credential {
    /// Whether the caller announced `capability[]=NAME`.
    pub fn has_capability(&self, name: &str) -> bool {
        self.capabilities.iter().any(|c| c == name)
    }

    /// Whether git asked for this credential not to be stored (`ephemeral=1`).
    pub fn is_ephemeral(&self) -> bool {
        self.ephemeral
            .as_deref()
            .is_some_and(|v| matches!(v, "1" | "true" | "yes" | "on"))
    }

    /// A copy with every secret field dropped, for places that must never see
    /// one. Destructures field by field so a new field forces a decision.
    pub fn redacted(&self) -> Credential {
        let Credential {
            protocol,
            host,
            path,
            username,
            password: _,
            password_expiry_utc,
            oauth_refresh_token: _,
            authtype,
            credential: _,
            ephemeral,
            capabilities,
        } = self;
        Credential {
            protocol: protocol.clone(),
            host: host.clone(),
            path: path.clone(),
            username: username.clone(),
            password: None,
            password_expiry_utc: password_expiry_utc.clone(),
            oauth_refresh_token: None,
            authtype: authtype.clone(),
            credential: None,
            ephemeral: ephemeral.clone(),
            capabilities: capabilities.clone(),
        }
    }
}

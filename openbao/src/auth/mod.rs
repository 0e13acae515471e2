//! Where the token comes from: a token file (`~/.vault-token`, which `bao
//! login` and an OpenBao/Vault Agent sink write), or an AppRole login whose
//! token is cached between sessions. Never from argv or the environment:
//! any process of the same user can read another's environment
//! (`/proc/PID/environ`), and a token there leaks into every child.

mod approle;
mod cache;

use std::path::Path;
use std::time::Instant;

use mailcred_core::private_files::read_regular_file;
use secrecy::SecretString;
use zeroize::Zeroizing;

use crate::config::{Auth, Config};
use crate::failure::{Failure, Kind};
use crate::http::Http;

/// The largest token file or secret id file read.
const MAX_TOKEN_FILE: u64 = 64 * 1024;
/// The variables other tools take a token from, which mailcred ignores.
const TOKEN_VARIABLES: [&str; 2] = ["VAULT_TOKEN", "BAO_TOKEN"];

/// The session's token, fetched when first needed.
pub struct Tokens {
    token: Option<SecretString>,
    /// Whether `token` came from the AppRole cache (and may be stale).
    from_cache: bool,
}

impl Tokens {
    /// No token yet.
    pub fn new() -> Self {
        Self {
            token: None,
            from_cache: false,
        }
    }

    /// The token, read or logged in for now.
    pub fn get(
        &mut self,
        config: &Config,
        http: &Http,
        deadline: Instant,
    ) -> Result<&SecretString, Failure> {
        if self.token.is_none() {
            let (token, from_cache) = match &config.auth {
                Auth::TokenFile(path) => (read_token_file(path)?, false),
                Auth::Approle { .. } => approle::token(config, http, deadline, false)?,
            };
            self.token = Some(token);
            self.from_cache = from_cache;
        }
        Ok(self.token.as_ref().expect("set above"))
    }

    /// The server refused the token itself. With a cached AppRole token
    /// (revoked, or the server's tokens reset), logs in anew and says so
    /// (`Ok(true)`: try once more); otherwise the failure to report.
    pub fn refused(
        &mut self,
        config: &Config,
        http: &Http,
        deadline: Instant,
    ) -> Result<bool, Failure> {
        self.token = None;
        match &config.auth {
            Auth::Approle { .. } if self.from_cache => {
                let (token, _) = approle::token(config, http, deadline, true)?;
                self.token = Some(token);
                self.from_cache = false;
                Ok(true)
            }
            Auth::Approle { .. } => Err(Failure::new(
                Kind::TokenExpired,
                format!(
                    "{} refused the token its AppRole login just gave: check the role's token \
                     settings (token_ttl, token_num_uses, token_bound_cidrs)",
                    config.address
                ),
            )),
            Auth::TokenFile(path) => Err(Failure::new(
                Kind::TokenExpired,
                format!(
                    "the token in {} is expired, revoked or not valid on {}: log in again \
                     (`bao login`, which rewrites that file), or check the OpenBao Agent that \
                     writes it",
                    path.display(),
                    config.address
                ),
            )),
        }
    }
}

impl Default for Tokens {
    fn default() -> Self {
        Self::new()
    }
}

/// The one-line contents of a token or secret id file, or why there are none.
pub(crate) fn read_secret_file(
    path: &Path,
    what: &str,
    how: &str,
) -> Result<SecretString, Failure> {
    let missing = |why: String| {
        let mut message = format!("no {what}: {} {why}; {how}", path.display());
        let set: Vec<&str> = TOKEN_VARIABLES
            .into_iter()
            .filter(|name| std::env::var_os(name).is_some())
            .collect();
        if !set.is_empty() {
            message.push_str(&format!(
                ". {} is set but ignored: every process of the same user can read a process's \
                 environment, so mailcred never takes a token from it; put the token in the \
                 token file (\"token_file\" in settings.json) or let an OpenBao Agent sink write it",
                set.join(" and ")
            ));
        }
        Failure::new(Kind::NoToken, message)
    };
    let bytes = Zeroizing::new(
        read_regular_file(path, MAX_TOKEN_FILE)
            .map_err(|err| missing(format!("cannot be read ({err})")))?
            .ok_or_else(|| missing("does not exist".into()))?,
    );
    let text = std::str::from_utf8(&bytes).map_err(|_| missing("is not text".into()))?;
    let text = text.trim();
    if text.is_empty() {
        return Err(missing("is empty".into()));
    }
    if text.lines().count() > 1 || text.chars().any(char::is_control) {
        return Err(missing("holds more than one line".into()));
    }
    Ok(SecretString::from(text.to_owned()))
}

fn read_token_file(path: &Path) -> Result<SecretString, Failure> {
    read_secret_file(
        path,
        "token",
        "log in with `bao login` (it writes ~/.vault-token), point an OpenBao Agent's sink at \
         that file, or name another one as \"token_file\" in settings.json",
    )
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn a_token_file_is_read_trimmed_and_a_missing_one_is_no_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t");
        let missing = read_token_file(&path).unwrap_err();
        assert_eq!(missing.kind, Kind::NoToken);
        assert!(missing.message.contains("bao login"), "{missing}");
        std::fs::write(&path, "s.abc\n").unwrap();
        assert_eq!(read_token_file(&path).unwrap().expose_secret(), "s.abc");
        std::fs::write(&path, "\n \n").unwrap();
        assert_eq!(read_token_file(&path).unwrap_err().kind, Kind::NoToken);
        std::fs::write(&path, "s.abc\ns.def\n").unwrap();
        let two = read_token_file(&path).unwrap_err();
        assert!(
            !two.message.contains("s.abc"),
            "a token must not be repeated: {two}"
        );
    }
}

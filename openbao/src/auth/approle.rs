//! AppRole: a login at `auth/approle/login` with the role id and the secret
//! id file's contents. Each login creates a token with a lease on the
//! server, so a token is reused across sessions from the cache while at
//! least [`MIN_LEFT`] seconds are left, renewed once less than half its TTL
//! is left (when renewable), and only then replaced by a new login: msmtp
//! running `mailcred get` per message then costs one lease an hour, not one
//! a message.

use std::io;
use std::path::Path;
use std::time::Instant;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};
use zeroize::Zeroizing;

use super::cache::{self, Cached};
use super::read_secret_file;
use crate::classify;
use crate::config::{Auth, Config};
use crate::failure::{Failure, Kind};
use crate::http::{Http, left};

/// The least time a cached token must have left to be used without renewal.
const MIN_LEFT: u64 = 60;
const LOGIN: &str = "auth/approle/login";
const RENEW: &str = "auth/token/renew-self";

#[derive(Deserialize)]
struct AuthAnswer {
    auth: Option<Granted>,
}

#[derive(Deserialize)]
struct Granted {
    client_token: SecretString,
    #[serde(default)]
    lease_duration: u64,
    #[serde(default)]
    renewable: bool,
}

#[derive(Serialize)]
struct LoginBody<'a> {
    role_id: &'a str,
    #[serde(serialize_with = "expose")]
    secret_id: &'a SecretString,
}

fn expose<S: Serializer>(secret: &&SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose_secret())
}

/// A token for `config`'s role and whether it came from the cache unchecked
/// (`fresh`: the cached one was refused, log in whatever the cache says).
pub fn token(
    config: &Config,
    http: &Http,
    deadline: Instant,
    fresh: bool,
) -> Result<(SecretString, bool), Failure> {
    let Auth::Approle {
        role_id,
        secret_id_file,
    } = &config.auth
    else {
        unreachable!("called for AppRole only");
    };
    let cache_dir = config
        .token_cache_dir
        .as_deref()
        .and_then(cache::private_dir);
    let Some(dir) = cache_dir else {
        return Ok((
            login(config, http, role_id, secret_id_file, deadline)?.token,
            false,
        ));
    };
    let stem = cache::stem(&config.address, role_id);
    let lock = match dir.lock_within(&format!("{stem}.lock"), true, left(deadline)) {
        Ok(lock) => lock,
        Err(err) if err.kind() == io::ErrorKind::TimedOut => {
            return Err(Failure::new(
                Kind::TimedOut,
                format!("the AppRole token cache is busy: {err}"),
            ));
        }
        // An unusable cache folder costs a login, not the request.
        Err(_) => {
            return Ok((
                login(config, http, role_id, secret_id_file, deadline)?.token,
                false,
            ));
        }
    };
    if !fresh && let Some(cached) = cache::load(&dir, &stem, &config.address, role_id) {
        let now = cache::now();
        let left_s = cached.expires_at.saturating_sub(now);
        if left_s >= MIN_LEFT && left_s.saturating_mul(2) >= cached.ttl {
            return Ok((cached.token, true));
        }
        if cached.renewable && left_s > 0 {
            match renew(config, http, &cached, deadline) {
                Ok(renewed) if renewed.expires_at.saturating_sub(cache::now()) >= MIN_LEFT => {
                    let _ = cache::store(&dir, &stem, &renewed, &lock);
                    return Ok((renewed.token, false));
                }
                Err(failure) if !matches!(failure.kind, Kind::TokenExpired | Kind::Denied) => {
                    return Err(failure);
                }
                _ => {}
            }
        } else if left_s >= MIN_LEFT {
            return Ok((cached.token, true));
        }
    }
    let fresh = login(config, http, role_id, secret_id_file, deadline)?;
    // A cache that cannot be written costs a login next time, not this request.
    let _ = cache::store(&dir, &stem, &fresh, &lock);
    Ok((fresh.token, false))
}

fn granted(
    config: &Config,
    role_id: &str,
    answer: &crate::http::Answer,
    path: &str,
) -> Result<Cached, Failure> {
    let parsed: AuthAnswer = serde_json::from_slice(&answer.body)
        .map_err(|_| classify::bad_answer(&config.address, path, "no JSON"))?;
    let granted = parsed
        .auth
        .ok_or_else(|| classify::bad_answer(&config.address, path, "no \"auth\" in the answer"))?;
    Ok(Cached {
        address: config.address.clone(),
        role_id: role_id.to_owned(),
        token: granted.client_token,
        expires_at: cache::now().saturating_add(granted.lease_duration),
        ttl: granted.lease_duration,
        renewable: granted.renewable,
    })
}

fn login(
    config: &Config,
    http: &Http,
    role_id: &str,
    secret_id_file: &Path,
    deadline: Instant,
) -> Result<Cached, Failure> {
    let secret_id = read_secret_file(
        secret_id_file,
        "AppRole secret_id",
        "write the role's secret_id there (`bao write -f auth/approle/role/NAME/secret-id`), \
         readable only by you (chmod 600)",
    )?;
    let body = Zeroizing::new(
        serde_json::to_vec(&LoginBody {
            role_id,
            secret_id: &secret_id,
        })
        .map_err(|_| Failure::new(Kind::BadRequest, "the AppRole login could not be encoded"))?,
    );
    let answer = http.call("POST", LOGIN, None, Some(&body), deadline)?;
    match answer.status {
        200 => granted(config, role_id, &answer, LOGIN),
        400 if classify::errors(&answer).iter().any(|e| e.contains("invalid role or secret")) => Err(Failure::new(
            Kind::TokenExpired,
            format!(
                "the AppRole login at {} was refused (invalid role or secret ID): the secret_id in \
                 {} is expired, used up or wrong, or \"role_id\" is wrong; write a new secret_id \
                 (`bao write -f auth/approle/role/NAME/secret-id`) to that file",
                config.address,
                secret_id_file.display()
            ),
        )
        .at(LOGIN)),
        403 => Err(Failure::new(
            Kind::Denied,
            format!(
                "{} refused the AppRole login at {LOGIN}: is AppRole enabled at auth/approle \
                 (`bao auth enable approle`)?",
                config.address
            ),
        )
        .at(LOGIN)),
        _ => Err(classify::failure(&config.address, &answer, LOGIN, "update")),
    }
}

fn renew(
    config: &Config,
    http: &Http,
    cached: &Cached,
    deadline: Instant,
) -> Result<Cached, Failure> {
    let answer = http.call("POST", RENEW, Some(&cached.token), Some(b"{}"), deadline)?;
    match answer.status {
        200 => granted(config, &cached.role_id, &answer, RENEW),
        403 | 400 => Err(Failure::new(
            Kind::TokenExpired,
            "the cached token cannot be renewed",
        )),
        _ => Err(classify::failure(&config.address, &answer, RENEW, "update")),
    }
}

//! What an OpenBao error answer means, from what OpenBao 2.7.2 really sends
//! (measured against `bao server -dev`, a sealed node, a three-node Raft
//! cluster without a leader, and `-dev-tls`):
//!
//! | answer | meaning |
//! |---|---|
//! | 503 `{"errors":["Vault is sealed"]}` | sealed |
//! | 500 `{"errors":["local node not active but active cluster node not found"]}` | a standby with no leader (writes; reads are served from its copy) |
//! | 307 to the node itself | a standby forwarding during an election |
//! | 429 | a standby refusing a read it is behind on, or a rate limit |
//! | 403 `{"errors":["1 error occurred:\n\t* permission denied\n\n"]}` | a valid token the policy denies |
//! | 403 `{"errors":["permission denied"]}` | an invalid, expired or revoked token (any path) |
//! | 400 `{"errors":["check-and-set parameter did not match the current version"]}` | cas lost |
//! | 400 `{"errors":["invalid role or secret ID"]}` | AppRole login refused |
//! | 404 `{"errors":[]}` | no such entry |
//! | 404 `{"errors":["no handler for route …"]}` | no secrets engine at the mount |
//!
//! So a 403 alone cannot tell a denied path from a dead token: the caller
//! asks `auth/token/lookup-self`, whose bare "permission denied" means the
//! token itself is refused ([`is_invalid_token`]).

use serde::Deserialize;

use crate::failure::{Failure, Kind, server_text};
use crate::http::Answer;

#[derive(Deserialize, Default)]
struct Errors {
    #[serde(default)]
    errors: Vec<String>,
}

/// The `errors` of an error answer (empty when there are none or the
/// body is not JSON).
pub fn errors(answer: &Answer) -> Vec<String> {
    serde_json::from_slice::<Errors>(&answer.body)
        .unwrap_or_default()
        .errors
}

/// The server's own words, fit to show.
fn said(errors: &[String]) -> String {
    server_text(&errors.join("; "))
}

/// Whether an answer to `auth/token/lookup-self` says the token itself is
/// refused (not merely that its policy lacks lookup-self).
pub fn is_invalid_token(answer: &Answer) -> bool {
    if answer.status != 403 && answer.status != 401 {
        return false;
    }
    let errors = errors(answer);
    errors.is_empty()
        || errors.iter().any(|e| {
            let e = e.trim();
            e == "permission denied" || e.contains("invalid token") || e.contains("bad token")
        })
}

/// Whether a 400 is a lost check-and-set.
pub fn is_cas_mismatch(answer: &Answer) -> bool {
    answer.status == 400
        && errors(answer)
            .iter()
            .any(|e| e.contains("check-and-set parameter did not match"))
}

/// What an answer with a status other than the expected ones means, for a
/// request of `capability` on `path` (403 is [`denied`], decided by the
/// caller after asking lookup-self).
pub fn failure(address: &str, answer: &Answer, path: &str, capability: &str) -> Failure {
    let errors = errors(answer);
    let text = said(&errors);
    let status = answer.status;
    let joined = errors.join(" ").to_ascii_lowercase();
    let failure = match status {
        _ if joined.contains("sealed") => Failure::new(
            Kind::Sealed,
            format!(
                "{address} is sealed ({text}): it must be unsealed (`bao operator unseal`) by its \
                 operators before anything can be read or written"
            ),
        ),
        429 | 412 => Failure::new(
            Kind::NoLeader,
            format!(
                "{address} cannot answer now (HTTP {status}{}): a standby without an up-to-date \
                 copy, or a rate limit; try again in a moment",
                with_text(&text)
            ),
        ),
        300..=399 => Failure::new(
            Kind::NoLeader,
            format!(
                "{address} redirected the request (HTTP {status}): a standby that cannot reach \
                 an active node, as during a leader election; try again in a moment"
            ),
        ),
        500..=599 => Failure::new(
            Kind::NoLeader,
            if joined.contains("not active")
                || joined.contains("leader")
                || joined.contains("standby")
            {
                format!(
                    "{address} has no active node ({text}): the cluster is electing a leader or \
                     has lost its quorum; try again in a moment"
                )
            } else {
                format!(
                    "{address} failed (HTTP {status}{}); try again in a moment",
                    with_text(&text)
                )
            },
        ),
        403 => denied(address, path, capability),
        400 if String::from_utf8_lossy(&answer.body)
            .contains("HTTP request to an HTTPS server") =>
        {
            Failure::new(
                Kind::BadConfig,
                format!("{address} speaks https on this port: use https:// in the address"),
            )
        }
        404 if joined.contains("no handler for route") => Failure::new(
            Kind::BadConfig,
            format!(
                "{address} has no secrets engine where \"mount\" points ({text}): check \"mount\" \
                 in settings.json (a KV version 2 engine, e.g. `bao secrets enable -path=secret kv-v2`)"
            ),
        ),
        400 | 405 | 413 => Failure::new(
            Kind::BadRequest,
            format!(
                "{address} refused the request (HTTP {status}{})",
                with_text(&text)
            ),
        ),
        _ => Failure::new(
            Kind::BadAnswer,
            format!(
                "{address} answered HTTP {status}{}, which is not a KV version 2 answer: is \
                 \"mount\" a KV v2 engine, and the address an OpenBao or Vault server?",
                with_text(&text)
            ),
        ),
    };
    failure.at(path)
}

fn with_text(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(": {text}")
    }
}

/// A policy denial of `capability` on `path`.
pub fn denied(address: &str, path: &str, capability: &str) -> Failure {
    Failure::new(
        Kind::Denied,
        format!(
            "permission denied by policy: the token may not {capability} {path} on {address}; \
             ask the OpenBao administrators for a policy with \"{capability}\" on \"{path}\""
        ),
    )
    .at(path)
}

/// An answer that is not what a KV v2 engine sends.
pub fn bad_answer(address: &str, path: &str, why: &str) -> Failure {
    Failure::new(
        Kind::BadAnswer,
        format!("{address} sent an answer for {path} that is not a KV version 2 one ({why}): is \"mount\" a KV v2 engine?"),
    )
    .at(path)
}

#[cfg(test)]
mod tests {
    use zeroize::Zeroizing;

    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            body: Zeroizing::new(body.as_bytes().to_vec()),
        }
    }

    fn kind(status: u16, body: &str) -> Kind {
        failure(
            "http://127.0.0.1:8200",
            &answer(status, body),
            "secret/data/m/k",
            "read",
        )
        .kind
    }

    #[test]
    fn the_answers_openbao_really_sends_are_told_apart() {
        assert_eq!(kind(503, r#"{"errors":["Vault is sealed"]}"#), Kind::Sealed);
        assert_eq!(
            kind(
                500,
                r#"{"errors":["local node not active but active cluster node not found"]}"#
            ),
            Kind::NoLeader
        );
        assert_eq!(kind(307, ""), Kind::NoLeader);
        assert_eq!(kind(429, ""), Kind::NoLeader);
        assert_eq!(
            kind(403, r#"{"errors":["permission denied"]}"#),
            Kind::Denied
        );
        assert_eq!(
            kind(
                404,
                r#"{"errors":["no handler for route \"x/data/m/k\". route entry not found."]}"#
            ),
            Kind::BadConfig
        );
        assert_eq!(
            kind(400, r#"{"errors":["failed to decode JSON input"]}"#),
            Kind::BadRequest
        );
        assert_eq!(kind(200, "<html>"), Kind::BadAnswer);
        assert_eq!(
            kind(400, "Client sent an HTTP request to an HTTPS server.\n"),
            Kind::BadConfig
        );
    }

    #[test]
    fn only_a_bare_permission_denied_on_lookup_self_means_the_token_is_dead() {
        assert!(is_invalid_token(&answer(
            403,
            r#"{"errors":["permission denied"]}"#
        )));
        assert!(!is_invalid_token(&answer(
            403,
            "{\"errors\":[\"1 error occurred:\\n\\t* permission denied\\n\\n\"]}"
        )));
        assert!(!is_invalid_token(&answer(200, "{}")));
    }

    #[test]
    fn a_denial_names_the_path_and_the_capability() {
        let denied = kind_message(403);
        assert!(
            denied.contains("secret/data/m/k") && denied.contains("\"read\""),
            "{denied}"
        );
    }

    fn kind_message(status: u16) -> String {
        failure(
            "https://b",
            &answer(status, "{}"),
            "secret/data/m/k",
            "read",
        )
        .message
    }
}

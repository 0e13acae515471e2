//! `mailcred-openbao` as a clap command, only to render its man page: it
//! takes no arguments but `--help` and `--version` (openbao/src), and is
//! run by mailcred, not by hand. Every package installs it in `bin`, and
//! Debian's policy (lintian's `no-manual-page`) wants a page for every
//! program there. What the page says is the companion's contract with
//! mailcred (a session of JSON lines on its pipes).

use clap::Command;
use clap_mangen::roff::{Roff, bold, italic, roman};

const OPENBAO: &str = "mailcred-openbao";

/// `mailcred-openbao`: its own `-h` and `-V`; the session it holds with
/// mailcred is described by [`sections`].
pub(super) fn command_for_page() -> Command {
    let usage = [
        format!("{OPENBAO} < SESSION"),
        format!("{OPENBAO} -h|--help|-V|--version"),
    ];
    super::companion_for_page(OPENBAO, &usage)
        .about("The OpenBao and Vault client behind mailcred's openbao store")
        .long_about(
            "The OpenBao (and HashiCorp Vault) client behind mailcred's openbao store \
             (\"store\": \"openbao\" in settings.json, or MAILCRED_STORE=openbao), from the \
             mailcred-openbao package: the only mailcred program that speaks HTTP(S) to an \
             OpenBao server. mailcred keeps its secrets, its index and its accounts file in a \
             KV version 2 secrets engine there, and runs this program once per command, only \
             when the store is used, so that the mailcred binary, which mail programs run for \
             every message, links no HTTP client or TLS; it is found beside mailcred, else on \
             PATH. It keeps nothing of its own but, with AppRole, a cached token. Use it \
             through mailcred.",
        )
}

/// The SESSION, KEYS, AUTHENTICATION and ENVIRONMENT sections of
/// mailcred-openbao(1), as roff source without the preamble.
pub(super) fn sections() -> String {
    let mut roff = Roff::new();
    roff.control("SH", ["SESSION"]);
    for text in [
        "A session of JSON lines over its pipes. mailcred writes the configuration as the \
         first line of its stdin (the server's address, the KV mount, the prefix under which \
         mailcred's keys live, how to authenticate, a CA file, the token cache folder, the \
         timeout), with mailcred's defaults already applied; then one request a line, each \
         answered by one line on stdout, in order. End of input ends the session, with exit \
         status 0.",
        "The requests read, write (with an optional check-and-set version: only if absent, \
         or only if the entry is still at the version read), and delete (every version of \
         the key) an entry, and ping the server (its health, the token's time to live and \
         policies, for `mailcred doctor`). Secrets and tokens travel only on these pipes, \
         never in its arguments or environment.",
        "A failure is an answer too: an error line naming its kind (unreachable, timed out, \
         sealed, no leader, denied by policy, token expired, no token, certificate not \
         trusted, check-and-set mismatch, bad answer, bad request, bad configuration), a \
         message that says what happened and what to do (never a secret), and the path \
         concerned; mailcred turns it into its exit status. The session goes on after any \
         failure but an unusable configuration.",
    ] {
        roff.control("PP", []);
        roff.text([roman(text)]);
    }
    roff.control("SH", ["KEYS"]);
    roff.control("PP", []);
    roff.text([roman(
        "Each key is relative to MOUNT/data/PREFIX/ (default mount secret, prefix mailcred): \
         secrets/ID for each secret, index and accounts for mailcred's index and accounts \
         file. A key is made of the characters A-Z, a-z, 0-9, dot, underscore and hyphen, in \
         non-empty segments separated by /, none of them . or ..; any other is refused as a \
         bad request. An entry's data is the base64 of mailcred's blob under \"mailcred\", \
         and a human-readable, never secret, \"label\".",
    )]);
    roff.control("SH", ["AUTHENTICATION"]);
    for (term, text) in [
        (
            "token file",
            "The token is read from a file (\"token_file\" in settings.json, default \
             ~/.vault-token, which `bao login` and `vault login` write). A missing, \
             unreadable or empty file is a configuration error: mailcred exits with status \
             78.",
        ),
        (
            "AppRole",
            "With \"role_id\" and \"secret_id_file\" it logs in at auth/approle/login and \
             caches the token it gets, with its expiry, in a file (mode 0600) in the folder \
             mailcred names for it, so that a mail program calling `mailcred get` for \
             every message does not log in, and pile up leases, every time: the token is \
             reused while it has at least a minute left, renewed when less than half of its \
             time to live is left, and replaced by a new login when it cannot be renewed.",
        ),
    ] {
        roff.control("TP", []);
        roff.text([bold(term)]);
        roff.text([roman(text)]);
    }
    roff.control("PP", []);
    roff.text([roman(
        "It never reads a token from its environment: a VAULT_TOKEN or BAO_TOKEN there is \
         ignored, since a token in the environment is handed to every program started from \
         that shell. The token file or AppRole is the only way in.",
    )]);
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, text) in [
        (
            "ALL_PROXY, HTTPS_PROXY, HTTP_PROXY, NO_PROXY",
            "The proxy for the server: the first of the first three that is set; NO_PROXY \
             names the hosts reached without it.",
        ),
        (
            "BAO_ADDR, VAULT_ADDR, VAULT_CACERT",
            "Read by mailcred, not by this program: the server's address and CA file when \
             settings.json names none. Plain http:// is refused to any host but the loopback \
             interface: use https.",
        ),
    ] {
        roff.control("TP", []);
        roff.text([italic(name)]);
        roff.text([roman(text)]);
    }
    super::without_preamble(roff.render())
}

//! `mailcred-oauth` as a clap command, only to render its man page: it
//! parses its one argument itself (oauth/src/lib.rs), and is run by
//! mailcred, not by hand. Every package installs it in `bin`, and Debian's
//! policy (lintian's `no-manual-page`) wants a page for every program there.

use clap::Command;
use clap_mangen::roff::{Roff, bold, italic, roman};

const OAUTH: &str = "mailcred-oauth";

/// `mailcred-oauth`: its own `-h` and `-V`; `login` and `refresh` are
/// described by [`sections`].
pub(super) fn command_for_page() -> Command {
    let usage = [
        format!("{OAUTH} login < REQUEST"),
        format!("{OAUTH} refresh < REQUEST"),
        format!("{OAUTH} -h|--help|-V|--version"),
    ];
    super::companion_for_page(OAUTH, &usage)
        .about("The OAuth2 client behind `mailcred login` and `mailcred get`")
        .long_about(
            "The OAuth2 client behind `mailcred add --auth oauth2`, `mailcred login` and \
             `mailcred get`, from the mailcred-oauth package: the only mailcred program that \
             speaks HTTPS to an identity provider. mailcred runs it only when a token must be \
             fetched (a sign-in, or an access token with less than five minutes left), so that \
             the mailcred binary, which mail programs run for every message, links no HTTP \
             client or TLS; it is found beside mailcred, else on PATH. It keeps nothing: \
             mailcred writes one JSON request (the account's endpoints, client id, scopes, and \
             for refresh the refresh token) as the first line of its stdin, and on success it \
             prints one JSON answer (access token, refresh token, expiry) on stdout, which \
             mailcred saves in the store. No token is ever in its arguments or environment. \
             On failure it prints nothing on stdout and one line on stderr that says what \
             happened and what to do. Use it through mailcred.",
        )
}

/// The COMMANDS and ENVIRONMENT sections of mailcred-oauth(1), as roff
/// source without the preamble.
pub(super) fn sections() -> String {
    let mut roff = Roff::new();
    roff.control("SH", ["COMMANDS"]);
    for (name, text) in [
        (
            "login",
            "Signs in by the flow the request names: browser (the authorization code flow \
             with PKCE, the sign-in page opened in the browser and the answer caught by a \
             listener on the loopback interface), no-browser (the same, with the page's \
             address printed on stderr, and the redirected address also taken pasted on \
             stdin), or device (the device code flow: a code to enter on the provider's page, \
             shown on stderr).",
        ),
        (
            "refresh",
            "Trades the refresh token of the request for a new access token (and the new \
             refresh token, where the provider replaces it). Exit status 83 when the refresh \
             token is no longer valid: sign in again with `mailcred login NAME`.",
        ),
    ] {
        roff.control("TP", []);
        roff.text([bold(format!("{OAUTH} {name}"))]);
        roff.text([roman(text)]);
    }
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, text) in [
        (
            "ALL_PROXY, HTTPS_PROXY, HTTP_PROXY, NO_PROXY",
            "The proxy for the identity provider's endpoints: the first of the first three \
             that is set; NO_PROXY names the hosts reached without it.",
        ),
        (
            "BROWSER",
            "The command that opens the sign-in page, given its address as its one argument; \
             when unset, the desktop's opener.",
        ),
    ] {
        roff.control("TP", []);
        roff.text([italic(name)]);
        roff.text([roman(text)]);
    }
    super::without_preamble(roff.render())
}

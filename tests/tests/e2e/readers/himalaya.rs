//! himalaya, which is in neither Debian 12 nor PyPI. Its snippet is checked
//! against the documented keys of himalaya 2 (`imap.server`,
//! `imap.sasl.plain.*`) and 1 (`backend.*`) by parsing it as TOML; the
//! real himalaya runs when one is on PATH, and otherwise the test says NOT
//! RUN and fails, unless `MAILCRED_TEST_SKIP_HIMALAYA` says why it cannot
//! run here (scripts/test sets it only when no himalaya is installed).

use serde_json::Value;

use super::*;

/// The environment variable that excuses a missing himalaya, with the reason.
pub(crate) const SKIP: &str = "MAILCRED_TEST_SKIP_HIMALAYA";

/// The snippet's two blocks: himalaya 2's as printed, and himalaya 1's,
/// printed commented out, uncommented.
pub(crate) fn blocks(snippet: &str) -> (String, String) {
    let marker = "# himalaya 1 reads these keys instead";
    let (v2, v1) = snippet
        .split_once(marker)
        .unwrap_or_else(|| panic!("the snippet should have a himalaya 1 block:\n{snippet}"));
    let v1: String = v1
        .lines()
        .skip(1)
        .map(|l| format!("{}\n", l.strip_prefix("# ").unwrap_or(l)))
        .collect();
    (v2.to_owned(), v1)
}

/// `toml` parsed by Python's tomllib, as JSON.
pub(crate) fn parse_toml(toml: &str) -> Value {
    require("python3", "python3");
    let mut python = Command::new("python3");
    python.args([
        "-c",
        "import json, sys, tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))",
    ]);
    let parsed = run(python, toml.as_bytes());
    assert!(
        parsed.success(),
        "the snippet should be valid TOML:\n{toml}\n{parsed}"
    );
    serde_json::from_str(&parsed.stdout).expect("tomllib prints JSON")
}

#[test]
fn the_himalaya_snippet_has_the_documented_keys_of_himalaya_2_and_1() {
    for (endpoint, scheme, encryption) in [
        (Endpoint::ImapTls, "imaps", "tls"),
        (Endpoint::ImapStarttlsByName, "imap", "start-tls"),
    ] {
        let reader = Reader::new(PASSWORD, &[endpoint]);
        let port = match endpoint {
            Endpoint::ImapTls => reader.server.ports().imaps,
            _ => reader.server.ports().imap_localhost,
        };
        let (v2, v1) = blocks(&reader.snippet("himalaya"));
        let v2 = parse_toml(&v2);
        let account = &v2["accounts"]["work"];
        assert_eq!(account["default"], true, "{v2}");
        assert_eq!(
            account["imap"]["server"],
            format!("{scheme}://localhost:{port}"),
            "{v2}"
        );
        assert_eq!(
            account["imap"]["starttls"],
            if scheme == "imap" {
                Value::Bool(true)
            } else {
                Value::Null
            },
            "STARTTLS is asked for only on an imap:// server: {v2}"
        );
        let plain = &account["imap"]["sasl"]["plain"];
        assert_eq!(plain["username"], USER, "{v2}");
        assert_eq!(plain["password"]["command"], "mailcred get work", "{v2}");

        let v1 = parse_toml(&v1);
        let backend = &v1["accounts"]["work"]["backend"];
        assert_eq!(v1["accounts"]["work"]["email"], USER, "{v1}");
        assert_eq!(backend["type"], "imap", "{v1}");
        assert_eq!(backend["host"], "localhost", "{v1}");
        assert_eq!(backend["port"], port, "{v1}");
        assert_eq!(backend["encryption"]["type"], encryption, "{v1}");
        assert_eq!(backend["login"], USER, "{v1}");
        assert_eq!(backend["auth"]["type"], "password", "{v1}");
        assert_eq!(backend["auth"]["cmd"], "mailcred get work", "{v1}");
    }
}

/// The himalaya on PATH and its major version, if there is one.
pub(crate) fn himalaya() -> Option<(PathBuf, u32)> {
    let path = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join("himalaya"))
        .find(|p| p.is_file())?;
    let out = Command::new(&path).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let major = text
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| !w.is_empty())?
        .parse()
        .ok()?;
    Some((path, major))
}

#[test]
fn himalaya_lists_the_inbox_with_the_password_from_mailcred() {
    let Some((program, major)) = himalaya() else {
        eprintln!(
            "NOT RUN: himalaya_lists_the_inbox_with_the_password_from_mailcred: no himalaya on \
             PATH (it is in neither Debian 12 nor PyPI)"
        );
        match std::env::var(SKIP) {
            Ok(why) if !why.trim().is_empty() => {
                eprintln!("NOT RUN, excused by {SKIP}: {why}");
                return;
            }
            _ => panic!(
                "himalaya is not installed, so its snippet was not run: install himalaya, or \
                 set {SKIP} to the reason it cannot run here"
            ),
        }
    };
    for (stored, right) in [(PASSWORD, true), (WRONG_PASSWORD, false)] {
        let reader = Reader::new(stored, &[Endpoint::ImapTls]);
        let (v2, v1) = blocks(&reader.snippet("himalaya"));
        let ca = reader.server.ca_file();
        let config = if major >= 2 {
            insert_after(
                &v2,
                "imap.server = ",
                &format!("imap.tls.cert = \"{}\"", ca.display()),
            )
        } else {
            v1
        };
        let config = reader.write("himalaya.toml", &config);
        let mut listing = reader.command(&program.display().to_string());
        listing.env("SSL_CERT_FILE", &ca).arg("-c").arg(config);
        listing.args(if major >= 2 {
            ["envelopes", "list"]
        } else {
            ["envelope", "list"]
        });
        let listed = run(listing, b"");
        if right {
            reader.assert_logged_in("himalaya", MailProtocol::Imap, &reader.logins(), &listed);
        } else {
            reader.assert_wrong_password_refused("himalaya", &reader.logins(), &listed);
        }
    }
    let mut reader = Reader::new(PASSWORD, &[Endpoint::ImapTls]);
    let (v2, v1) = blocks(&reader.snippet("himalaya"));
    let config = reader.write("himalaya.toml", if major >= 2 { &v2 } else { &v1 });
    reader.break_the_keyring();
    let mut listing = reader.command(&program.display().to_string());
    listing
        .env("SSL_CERT_FILE", reader.server.ca_file())
        .arg("-c")
        .arg(config);
    listing.args(if major >= 2 {
        ["envelopes", "list"]
    } else {
        ["envelope", "list"]
    });
    let listed = run(listing, b"");
    reader.assert_no_password_sent("himalaya", &reader.logins(), &listed);
}

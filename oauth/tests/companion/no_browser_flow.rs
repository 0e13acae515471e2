use mailcred_core::exit;
use std::io::Write;

use crate::support::{Idp, Interactive, location_of};

fn authorize_url(line: &str) -> Option<String> {
    line.starts_with("http://127.0.0.1:")
        .then(|| line.trim().to_owned())
}

#[test]
fn the_redirect_address_pasted_on_stdin_signs_in() {
    let idp = Idp::start();
    let mut login = Interactive::start("login", &idp.request("no-browser"), &[]);
    let url = login.wait_for(authorize_url);
    let location = location_of(&url);
    writeln!(login.stdin, "{location}").unwrap();
    let run = login.finish();
    assert_eq!(
        run.code,
        Some(0),
        "the pasted address completes the sign-in:\n{run}"
    );
    let access = run.answer()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(idp.introspect(&access)["active"], true);
}

#[test]
fn no_browser_says_how_to_forward_the_port_with_ssh() {
    let idp = Idp::start();
    let mut login = Interactive::start("login", &idp.request("no-browser"), &[]);
    let url = login.wait_for(authorize_url);
    let hint = login.wait_for(|l| l.contains("ssh -L").then(|| l.to_owned()));
    let location = location_of(&url);
    let port = location
        .strip_prefix("http://localhost:")
        .and_then(|r| r.split('/').next())
        .expect("the redirect names the listener's port")
        .to_owned();
    assert!(
        hint.contains(&format!("ssh -L {port}:localhost:{port}")),
        "the ssh hint forwards the listener's port: {hint}"
    );
    writeln!(login.stdin, "{location}").unwrap();
    assert_eq!(login.finish().code, Some(0));
}

#[test]
fn a_pasted_line_that_is_not_the_redirect_gets_a_hint_and_the_real_one_still_works() {
    let idp = Idp::start();
    let mut login = Interactive::start("login", &idp.request("no-browser"), &[]);
    let url = login.wait_for(authorize_url);
    writeln!(login.stdin, "what do I paste?").unwrap();
    login.wait_for(|l| {
        l.contains("not the address the sign-in ended on")
            .then_some(())
    });
    writeln!(login.stdin, "{}", location_of(&url)).unwrap();
    let run = login.finish();
    assert_eq!(run.code, Some(0), "{run}");
}

#[test]
fn a_pasted_redirect_with_another_state_is_refused() {
    let idp = Idp::start();
    let mut login = Interactive::start("login", &idp.request("no-browser"), &[]);
    let url = login.wait_for(authorize_url);
    let location = location_of(&url);
    let forged = format!("{}&state=forged", location.split("&state=").next().unwrap());
    writeln!(login.stdin, "{forged}").unwrap();
    let run = login.finish();
    run.assert_failed(exit::PROTOCOL, "another state", &[]);
    assert_eq!(idp.stats()["code_exchanges"], 0);
}

#[test]
fn the_loopback_listener_also_takes_the_answer_in_no_browser_mode() {
    let idp = Idp::start();
    let mut login = Interactive::start("login", &idp.request("no-browser"), &[]);
    let url = login.wait_for(authorize_url);
    let status = std::process::Command::new("python3")
        .args([crate::support::BROWSER_PY, &url])
        .status()
        .unwrap();
    assert!(status.success(), "browser.py reached the listener");
    let run = login.finish();
    assert_eq!(run.code, Some(0), "{run}");
}

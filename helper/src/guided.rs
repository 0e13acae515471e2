//! Guided creation for `mailcred add` on a terminal: the provider's steps
//! to an app password as numbered lines, an offer to open the page in the
//! browser, and then the prompt. With `--password-stdin` none of it runs.

use std::io::{self, BufRead, Write};
use std::process::{Command, Stdio};

use crate::accounts::{Account, Guide};

/// The walkthrough of `account`'s provider, as printed: a heading, the
/// numbered steps (the POP step when `pop`), then its notes. `None` for a
/// provider without a guide (`custom`).
pub fn walkthrough(account: &Account, pop: bool) -> Option<String> {
    let guide = account.provider.guide()?;
    let mut text = format!(
        "To make an app password for {} ({}):\n",
        account.user,
        account.provider.description()
    );
    for (number, step) in guide.lines(pop).iter().enumerate() {
        text.push_str(&format!("  {}. {step}\n", number + 1));
    }
    for note in guide.notes {
        text.push_str(&format!("  Note: {note}\n"));
    }
    Some(text)
}

/// Prints the walkthrough on `err` and, when `ask` (stdin and stderr are a
/// terminal), offers to open the guide's page: an empty answer or `y`
/// opens it through `open`, which must not wait for the browser.
pub fn walk_through(
    account: &Account,
    pop: bool,
    ask: bool,
    mut input: impl BufRead,
    mut err: impl Write,
    open: impl FnOnce(&str) -> io::Result<()>,
) -> io::Result<()> {
    let (Some(text), Some(Guide { page, .. })) =
        (walkthrough(account, pop), account.provider.guide())
    else {
        return Ok(());
    };
    err.write_all(text.as_bytes())?;
    if !ask {
        return err.flush();
    }
    write!(err, "Open {page} in your browser now? [Y/n] ")?;
    err.flush()?;
    let mut answer = String::new();
    input.read_line(&mut answer)?;
    if matches!(answer.trim(), "" | "y" | "Y" | "yes" | "Yes" | "YES")
        && let Err(e) = open(page)
    {
        writeln!(
            err,
            "mailcred: could not start a browser ({e}); open {page} yourself"
        )?;
    }
    Ok(())
}

/// Opens `url` in the user's browser without waiting for it: the first
/// command of `$BROWSER` (a `:`-separated list, `%s` standing for the URL,
/// else the URL appended), else the desktop's opener (`xdg-open`, macOS
/// `open`, Windows `start`).
///
/// Written here rather than taken from a crate: `open` ignores `$BROWSER`,
/// and `webbrowser` waits for text browsers, which would take the terminal
/// the password prompt needs.
pub fn open_in_browser(url: &str) -> io::Result<()> {
    let mut command = match std::env::var("BROWSER").ok().and_then(|list| {
        list.split(':')
            .map(str::trim)
            .find(|c| !c.is_empty())
            .map(str::to_owned)
    }) {
        Some(browser) => {
            let mut words = browser.split_whitespace();
            let program = words.next().expect("a non-empty command has a word");
            let mut command = Command::new(program);
            let mut placed = false;
            for word in words {
                if word.contains("%s") {
                    placed = true;
                    command.arg(word.replace("%s", url));
                } else {
                    command.arg(word);
                }
            }
            if !placed {
                command.arg(url);
            }
            command
        }
        None => desktop_opener(url),
    };
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    // Reaped in the background if it ends while mailcred still runs; never
    // waited for.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

fn desktop_opener(url: &str) -> Command {
    if cfg!(target_os = "macos") {
        let mut command = Command::new("open");
        command.arg(url);
        command
    } else if cfg!(windows) {
        // `start` is a cmd built-in; its first quoted argument is a title.
        let mut command = Command::new("cmd");
        command.args(["/C", "start", "", url]);
        command
    } else {
        let mut command = Command::new("xdg-open");
        command.arg(url);
        command
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{Endpoint, Provider, Security};

    fn gmail() -> Account {
        Account {
            name: "work".into(),
            provider: Provider::Gmail,
            user: "ann@gmail.com".into(),
            smtp: Some(Endpoint::new("smtp.gmail.com", 587, Security::Starttls)),
            imap: None,
            pop: None,
            added: String::new(),
            allow_erase: false,
            oauth: None,
        }
    }

    #[test]
    fn the_walkthrough_numbers_the_steps_and_ends_with_pasting_now() {
        let text = walkthrough(&gmail(), true).expect("Gmail has a guide");
        let numbered: Vec<&str> = text.lines().filter(|l| l.starts_with("  ")).collect();
        assert!(numbered[0].starts_with("  1. Sign in at https://myaccount.google.com"));
        assert!(
            numbered.iter().any(|l| l.contains("Enable POP")),
            "--pop adds the step that turns POP on:\n{text}"
        );
        assert!(
            text.contains("shown only once") && text.contains("paste it"),
            "{text}"
        );
        assert!(
            walkthrough(&gmail(), false)
                .unwrap()
                .lines()
                .all(|l| !l.contains("POP"))
        );
    }

    #[test]
    fn an_empty_answer_opens_the_page_and_no_does_not() {
        for (answer, opened) in [("\n", true), ("y\n", true), ("n\n", false), ("", true)] {
            let mut asked = None;
            let mut err = Vec::new();
            walk_through(&gmail(), false, true, answer.as_bytes(), &mut err, |page| {
                asked = Some(page.to_owned());
                Ok(())
            })
            .unwrap();
            assert_eq!(
                asked.as_deref(),
                opened.then_some("https://myaccount.google.com/apppasswords"),
                "answer {answer:?}"
            );
            let err = String::from_utf8(err).unwrap();
            assert!(err.contains("in your browser now? [Y/n]"), "{err}");
        }
    }

    #[test]
    fn without_a_terminal_to_ask_on_nothing_is_opened() {
        let mut err = Vec::new();
        walk_through(&gmail(), false, false, &b"y\n"[..], &mut err, |_| {
            panic!("no browser without a terminal to ask on")
        })
        .unwrap();
        assert!(!String::from_utf8(err).unwrap().contains("browser"));
    }

    #[test]
    fn a_browser_that_cannot_start_is_reported_and_add_goes_on() {
        let mut err = Vec::new();
        walk_through(&gmail(), false, true, &b"\n"[..], &mut err, |_| {
            Err(io::Error::new(io::ErrorKind::NotFound, "no xdg-open"))
        })
        .expect("a missing browser is no failure of add");
        assert!(String::from_utf8(err).unwrap().contains("open https://"));
    }
}

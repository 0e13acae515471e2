//! Shell completion of account names: the scripts `mailcred generate-assets`
//! writes, run by real bash and fish (and zsh's completer function), offer
//! the accounts `mailcred list --names` prints where a command takes one.

use std::path::{Path, PathBuf};

use super::*;

/// A session with the accounts `work` and `home`, the generated scripts,
/// and PATH leading to the built binaries.
struct Completing {
    session: KeyringSession,
    assets: PathBuf,
}

impl Completing {
    fn new() -> Self {
        let session = KeyringSession::start();
        for (name, user) in [("work", "ann@gmail.com"), ("home", "bob@gmail.com")] {
            let added = mailcred(
                &session,
                MAILCRED,
                &[
                    "add",
                    name,
                    "--provider",
                    "gmail",
                    "--user",
                    user,
                    "--password-stdin",
                ],
                "completion-pw\n",
            );
            assert!(added.success(), "{added}");
        }
        let assets = session.home().join("assets");
        let generated = mailcred(
            &session,
            MAILCRED,
            &["generate-assets", &assets.display().to_string()],
            "",
        );
        assert!(generated.success(), "{generated}");
        Self { session, assets }
    }

    fn script(&self, shell: &str, file: &str) -> PathBuf {
        self.assets.join("completions").join(shell).join(file)
    }

    /// Runs `program -c code` in the session with the binaries on PATH.
    fn shell(&self, program: &str, args: &[&str], code: &str) -> Outcome {
        require(program, program);
        let mut command = self.session.command(program);
        command
            .env("PATH", path_with_binaries())
            .args(args)
            .arg("-c")
            .arg(code);
        run(command, b"")
    }
}

fn lines(outcome: &Outcome) -> Vec<String> {
    let mut lines: Vec<String> = outcome.stdout.lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

fn quoted(path: &Path) -> String {
    format!("'{}'", path.display())
}

/// What bash's completion offers for `words` (the last one being typed).
fn bash(c: &Completing, words: &[&str]) -> Vec<String> {
    let code = format!(
        "source {script}; COMP_WORDS=({words}); COMP_CWORD={cword}; \
         _mailcred_with_accounts mailcred \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script = quoted(&c.script("bash", "mailcred")),
        words = words
            .iter()
            .map(|w| format!("'{w}'"))
            .collect::<Vec<_>>()
            .join(" "),
        cword = words.len() - 1,
    );
    let outcome = c.shell("bash", &["--norc", "--noprofile"], &code);
    assert!(outcome.success(), "{outcome}");
    lines(&outcome)
}

/// What fish offers for the command line `line`.
fn fish(c: &Completing, line: &str) -> Vec<String> {
    let code = format!(
        "source {}; complete -C '{line}'",
        quoted(&c.script("fish", "mailcred.fish"))
    );
    let outcome = c.shell("fish", &["--no-config"], &code);
    assert!(outcome.success(), "{outcome}");
    lines(&outcome)
        .into_iter()
        .map(|l| l.split('\t').next().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn bash_completes_account_names_where_a_command_takes_one() {
    let c = Completing::new();
    let both = vec!["home".to_owned(), "work".to_owned()];
    assert_eq!(
        bash(&c, &["mailcred", "get", ""]),
        both,
        "mailcred get <TAB>"
    );
    assert_eq!(
        bash(&c, &["mailcred", "show", "w"]),
        ["work"],
        "mailcred show w<TAB>"
    );
    assert_eq!(
        bash(&c, &["mailcred", "config", "neomutt", ""]),
        both,
        "the account is config's second argument"
    );
    assert_eq!(
        bash(&c, &["mailcred", "send", "--account", ""]),
        both,
        "send --account <TAB>"
    );
    assert!(
        !bash(&c, &["mailcred", "config", ""]).contains(&"work".to_owned()),
        "config's first argument is the program, not an account"
    );
}

#[test]
fn fish_completes_account_names_where_a_command_takes_one() {
    let c = Completing::new();
    let both = vec!["home".to_owned(), "work".to_owned()];
    assert_eq!(fish(&c, "mailcred get "), both, "mailcred get <TAB>");
    assert_eq!(fish(&c, "mailcred set-password h"), ["home"]);
    assert_eq!(fish(&c, "mailcred configure git "), both);
    let tools = fish(&c, "mailcred config ");
    assert!(
        !tools.contains(&"work".to_owned()),
        "config's first argument is the program, not an account: {tools:?}"
    );
}

#[test]
fn zshs_completer_offers_the_names_mailcred_list_prints() {
    let c = Completing::new();
    // The completer function alone, with zsh's _describe and _call_program
    // standing in: completion proper needs an interactive zsh.
    let code = format!(
        "autoload -U compinit && compinit -u -D; source {}; \
         _call_program() {{ shift; eval \"$@\" }}; \
         _describe() {{ print -l -- ${{(P)${{@[-1]}}}} }}; \
         _mailcred_accounts",
        quoted(&c.script("zsh", "_mailcred"))
    );
    let outcome = c.shell("zsh", &["-f"], &code);
    assert!(outcome.success(), "{outcome}");
    assert_eq!(lines(&outcome), ["home", "work"], "{outcome}");
}

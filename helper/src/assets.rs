//! Man pages and shell completions, generated from the clap definition in
//! [`crate::cli`], and for `mailcred test` and `mailcred send` from
//! mailcred-core's tables of their options (`smtp` below), by the hidden
//! `mailcred generate-assets DIR`.
//!
//! The output is committed under `packaging/assets/` and every package recipe
//! installs those files; `packaging/test` regenerates them and fails when the
//! committed copy differs. The files do not depend on the platform they are
//! generated on: the version they carry is the bare package version, without
//! the stores that `--version` lists.

use std::fs;
use std::io;
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, italic, roman};

use crate::cli::{Cli, GitHelperArgs};
use crate::settings;
use crate::store::{StoreChoice, StoreConfig};

mod account_names;
mod oauth;
mod openbao;
mod smtp;

/// A companion program (`mailcred-smtp`, `mailcred-oauth`,
/// `mailcred-openbao`) as a clap
/// command for its man page: the usage lines given, and its own `-h` and
/// `-V` (the companions parse their arguments themselves).
fn companion_for_page(name: &'static str, usage: &[String]) -> clap::Command {
    use clap::{Arg, ArgAction, Command};
    Command::new(name)
        .bin_name(name)
        .version(VERSION)
        .override_usage(usage.join("\n"))
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("Print the usage"),
        )
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("Print the version"),
        )
}

const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The release date of [`VERSION`], as in CHANGELOG.md (`packaging/test`
/// checks that they agree). A fixed date keeps the pages reproducible.
const RELEASE_DATE: &str = "2026-11-27";
const MANUAL: &str = "mailcred manual";
const SHELLS: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

/// Writes `man/*.1` and `completions/{bash,zsh,fish}/*` under `dir`, named
/// as they are installed.
pub fn write_all(dir: &Path) -> io::Result<()> {
    let man = dir.join("man");
    fs::create_dir_all(&man)?;
    for (name, page) in man_pages() {
        fs::write(man.join(name), page)?;
    }
    for shell in SHELLS {
        let folder = dir.join("completions").join(shell.to_string());
        fs::create_dir_all(&folder)?;
        for cmd in commands()
            .map(without_hidden_subcommands)
            .map(|cmd| cmd.mut_subcommands(smtp::for_completion))
        {
            let bin = cmd.get_name().to_owned();
            let slots = account_names::slots(&cmd);
            let mut cmd = account_names::mark(cmd, shell);
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, &bin, &mut script);
            let script = String::from_utf8(script).expect("clap_complete writes UTF-8");
            let script = account_names::finish(shell, &bin, script, &slots);
            fs::write(folder.join(completion_file(shell, &bin)), script)?;
        }
    }
    Ok(())
}

/// Both binaries' commands, as the packages describe them: with the bare
/// version wherever `--version` would name the stores (`mailcred git` too),
/// and `test` and `send` with the options mailcred-smtp takes.
fn commands() -> [clap::Command; 2] {
    [Cli::command(), GitHelperArgs::command()].map(|cmd| {
        let name = cmd.get_name().to_owned();
        cmd.version(VERSION)
            .mut_subcommands(|sub| match sub.get_version() {
                Some(_) => sub.version(VERSION),
                None => sub,
            })
            .mut_subcommands(smtp::documented)
            .disable_help_subcommand(true)
            .bin_name(name)
    })
}

/// The command with its hidden subcommands left out: clap_mangen skips them
/// but clap_complete would offer them. clap cannot remove a subcommand, so
/// this builds the command anew around the visible ones.
fn without_hidden_subcommands(cmd: clap::Command) -> clap::Command {
    if cmd.get_subcommands().all(|sub| !sub.is_hide_set()) {
        return cmd;
    }
    let name = cmd.get_name().to_owned();
    let pruned = clap::Command::new(name.clone())
        .bin_name(name)
        .version(VERSION)
        .args(cmd.get_arguments().cloned())
        .subcommands(
            cmd.get_subcommands()
                .filter(|sub| !sub.is_hide_set())
                .cloned(),
        )
        .subcommand_required(cmd.is_subcommand_required_set())
        .disable_help_subcommand(true);
    match cmd.get_about() {
        Some(about) => pruned.about(about.clone()),
        None => pruned,
    }
}

/// The file name under which bash-completion, zsh and fish look the script up.
fn completion_file(shell: Shell, bin: &str) -> String {
    match shell {
        Shell::Zsh => format!("_{bin}"),
        Shell::Fish => format!("{bin}.fish"),
        _ => bin.to_owned(),
    }
}

/// `mailcred.1`, one `mailcred-SUBCOMMAND.1` per visible subcommand,
/// `git-credential-mailcred.1`, `mailcred-smtp.1`, `mailcred-oauth.1` and
/// `mailcred-openbao.1`.
fn man_pages() -> Vec<(String, Vec<u8>)> {
    let [mut mailcred, mut helper] = commands();
    mailcred.build();
    helper.build();
    let mut pages = vec![page(&mailcred, &mailcred_sections())];
    pages.extend(
        mailcred
            .get_subcommands()
            .filter(|sub| !sub.is_hide_set())
            .map(|sub| {
                let runs_smtp = matches!(sub.get_name(), "test" | "send");
                let pages: &[&str] = if runs_smtp {
                    &["mailcred(1)", "mailcred-smtp(1)"]
                } else {
                    &["mailcred(1)"]
                };
                page(sub, &see_also(pages))
            }),
    );
    pages.push(page(&helper, &helper_sections()));
    let mut smtp_sections = Roff::new();
    append_exit_status(&mut smtp_sections);
    append_see_also(
        &mut smtp_sections,
        &["mailcred(1)", "mailcred-test(1)", "mailcred-send(1)"],
    );
    let extra = smtp::sections() + &without_preamble(smtp_sections.render());
    pages.push(page_with(&smtp::command_for_page(), &extra));
    let mut oauth_sections = Roff::new();
    append_exit_status(&mut oauth_sections);
    append_see_also(
        &mut oauth_sections,
        &["mailcred(1)", "mailcred-add(1)", "mailcred-get(1)"],
    );
    let extra = oauth::sections() + &without_preamble(oauth_sections.render());
    pages.push(page_with(&oauth::command_for_page(), &extra));
    let mut openbao_sections = Roff::new();
    append_exit_status(&mut openbao_sections);
    append_see_also(
        &mut openbao_sections,
        &["mailcred(1)", "mailcred-doctor(1)", "mailcred-get(1)"],
    );
    let extra = openbao::sections() + &without_preamble(openbao_sections.render());
    pages.push(page_with(&openbao::command_for_page(), &extra));
    pages
}

/// One page: clap_mangen's, with our sections before its VERSION section.
fn page(cmd: &clap::Command, extra: &Roff) -> (String, Vec<u8>) {
    page_with(cmd, &without_preamble(extra.render()))
}

/// [`page`] with sections given as roff source.
fn page_with(cmd: &clap::Command, extra: &str) -> (String, Vec<u8>) {
    let man = Man::new(cmd.clone())
        .date(RELEASE_DATE)
        .source(format!("mailcred {VERSION}"))
        .manual(MANUAL);
    let mut page = Vec::new();
    man.render(&mut page).expect("writing to a Vec cannot fail");
    let mut page = String::from_utf8(page).expect("clap_mangen writes UTF-8");
    let at = page.find("\n.SH VERSION\n").map_or(page.len(), |i| i + 1);
    page.insert_str(at, extra);
    (man.get_filename(), page.into_bytes())
}

/// `rendered` without the preamble that every rendered Roff starts with:
/// the page has it already.
fn without_preamble(rendered: String) -> String {
    let preamble = Roff::new().render();
    match rendered.strip_prefix(&preamble) {
        Some(rest) => rest.to_owned(),
        None => rendered,
    }
}

fn mailcred_sections() -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["ENVIRONMENT"]);
    definition(&mut roff, settings::STORE_VARIABLE, &store_variable_text());
    definition(
        &mut roff,
        settings::TIMEOUT_VARIABLE,
        &format!(
            "How long one call to the keyring may take, in whole seconds from 1 to 3600 \
             (default {}): a keyring that takes the call and never answers fails the \
             command with exit status {} instead of hanging the mail program waiting on \
             it. Overrides the \"{}\" key of settings.json.",
            StoreConfig::DEFAULT_DEADLINE.as_secs(),
            crate::exit::KEYRING_UNAVAILABLE,
            settings::TIMEOUT_KEY,
        ),
    );
    definition(
        &mut roff,
        "XDG_CONFIG_HOME, XDG_DATA_HOME",
        "Where the files below live (default ~/.config and ~/.local/share).",
    );
    roff.control("SH", ["FILES"]);
    definition(
        &mut roff,
        "$XDG_CONFIG_HOME/mailcred/accounts.json",
        "The mail accounts: name, provider, user, and an endpoint (server, port, security, \
         login when it is not the user) for each of SMTP, IMAP and POP. Never a password. \
         Format 2; a file of format 1 (mailcred 0.1) is read and rewritten in format 2 by the \
         next change, and a file of a newer format is refused (exit status 78) and left as it is.",
    );
    definition(
        &mut roff,
        "$XDG_CONFIG_HOME/mailcred/settings.json",
        &format!(
            "Optional settings, e.g. {{\"store\": \"keyutils\", \"{}\": 20}}.",
            settings::TIMEOUT_KEY
        ),
    );
    definition(
        &mut roff,
        "$XDG_DATA_HOME/mailcred/credentials.json",
        "The index of stored credentials (protocol, host, path, username, expiry, \
         keyring item id); a mail account is one entry listing its endpoints, and one \
         keyring item. The secrets themselves are in the keyring. Migrated from format 1 \
         like accounts.json.",
    );
    append_exit_status(&mut roff);
    append_see_also(
        &mut roff,
        &[
            "git-credential-mailcred(1)",
            "gitcredentials(7)",
            "msmtp(1)",
            "neomutt(1)",
        ],
    );
    roff
}

/// Every store mailcred knows, from the store factory's list. All of them,
/// not only this build's: the pages must not depend on the platform that
/// generates them.
fn store_variable_text() -> String {
    let mut text = String::from("The store to use.");
    for choice in StoreChoice::ALL {
        text.push(' ');
        text.push_str(choice.name());
        text.push_str(&format!(" ({}", choice.platform()));
        if choice.is_platform_default() {
            text.push_str(", the default there");
        }
        for alias in choice.aliases() {
            text.push_str(&format!("; also called {alias}"));
        }
        text.push_str(&format!("): {}.", choice.summary()));
    }
    text.push_str(
        " A build has its platform's stores only; `mailcred --version` lists them. \
         Overrides the \"store\" key of settings.json. mailcred never falls back to \
         another store on its own.",
    );
    text
}

fn helper_sections() -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["EXAMPLES"]);
    roff.control("PP", []);
    roff.text([roman(
        "Use mailcred for every credential git asks for, or for one mail server only:",
    )]);
    for line in [
        "git config --global credential.helper mailcred",
        "git config --global credential.smtp://smtp.office365.com:587.helper mailcred",
    ] {
        roff.control("PP", []);
        roff.text([bold(line)]);
    }
    append_exit_status(&mut roff);
    append_see_also(
        &mut roff,
        &["mailcred(1)", "gitcredentials(7)", "git-credential(1)"],
    );
    roff
}

fn see_also(pages: &[&str]) -> Roff {
    let mut roff = Roff::new();
    append_see_also(&mut roff, pages);
    roff
}

fn append_see_also(roff: &mut Roff, pages: &[&str]) {
    roff.control("SH", ["SEE ALSO"]);
    roff.text([roman(pages.join(", "))]);
}

/// The one exit-status table of every mailcred binary ([`crate::exit::TABLE`]).
fn append_exit_status(roff: &mut Roff) {
    roff.control("SH", ["EXIT STATUS"]);
    for (status, meaning) in crate::exit::TABLE {
        definition(roff, &status.to_string(), meaning);
    }
}

fn definition(roff: &mut Roff, term: &str, text: &str) {
    roff.control("TP", []);
    roff.text([italic(term)]);
    roff.text([roman(text)]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_the_main_page_names_is_generated() {
        let pages = man_pages();
        let names: Vec<&str> = pages.iter().map(|(name, _)| name.as_str()).collect();
        let main = String::from_utf8(pages[0].1.clone()).unwrap();
        for sub in Cli::command()
            .get_subcommands()
            .filter(|s| !s.is_hide_set())
        {
            let page = format!("mailcred-{}.1", sub.get_name());
            assert!(
                names.contains(&page.as_str()),
                "mailcred.1 refers to {page}, which must exist"
            );
            let roff_name = page.trim_end_matches(".1").replace('-', "\\-");
            assert!(
                main.contains(&format!("{roff_name}(1)")),
                "mailcred.1 must list {page} among its subcommands"
            );
        }
        assert!(names.contains(&"git-credential-mailcred.1"));
        assert!(names.contains(&"mailcred-smtp.1"));
        for companion in ["mailcred-oauth.1", "mailcred-openbao.1"] {
            assert!(
                names.contains(&companion),
                "every program the packages put in bin has a page (lintian's no-manual-page): \
                 {companion} is missing"
            );
        }
    }

    /// As clap_mangen writes text into roff.
    fn roff(text: &str) -> String {
        text.replace('-', "\\-").replace('\'', "\\*(Aq")
    }

    #[test]
    fn the_pages_of_test_send_and_smtp_list_every_option_of_the_tables_with_its_help() {
        use mailcred_core::smtp_options::{SEND, TEST};
        let pages = man_pages();
        let page = |name: &str| {
            let (_, page) = pages.iter().find(|(n, _)| n == name).unwrap();
            String::from_utf8(page.clone()).unwrap()
        };
        for (own, rows) in [
            (
                "mailcred-test.1",
                TEST.options
                    .iter()
                    .map(|o| (o.spellings(), o.help))
                    .collect::<Vec<_>>(),
            ),
            (
                "mailcred-send.1",
                SEND.options
                    .iter()
                    .map(|o| (o.spellings(), o.help))
                    .collect(),
            ),
        ] {
            for name in [own, "mailcred-smtp.1"] {
                let text = page(name);
                for (spellings, help) in &rows {
                    for spelled in spellings {
                        assert!(
                            text.contains(&roff(spelled)),
                            "{name} must show {spelled}, which the table lists"
                        );
                    }
                    assert!(
                        text.contains(&roff(&help[1..])),
                        "{name} must say what {spellings:?} does: {help}"
                    );
                }
            }
        }
        let usage = TEST.usage_for("mailcred");
        let operands_and_options = usage.strip_prefix("mailcred test").unwrap();
        assert!(
            page("mailcred-test.1").contains(&format!(
                "\\fBmailcred test\\fR{}",
                roff(operands_and_options)
            )),
            "the synopsis of mailcred-test.1 must be the table's usage line, {usage}"
        );
    }

    #[test]
    fn the_openbao_page_describes_the_session_its_keys_and_how_it_gets_a_token() {
        let pages = man_pages();
        let (_, page) = pages
            .iter()
            .find(|(name, _)| name == "mailcred-openbao.1")
            .expect("mailcred-openbao.1 is generated");
        let text = String::from_utf8(page.clone()).unwrap().replace("\\-", "-");
        for (section, why) in [
            (".SH SESSION", "how mailcred talks to it"),
            (".SH KEYS", "where mailcred's entries live in the KV engine"),
            (".SH AUTHENTICATION", "the token file and AppRole"),
            (".SH \"EXIT STATUS\"", "the one exit table"),
        ] {
            assert!(
                text.contains(section),
                "mailcred-openbao.1 must have {section}: {why}"
            );
        }
        for phrase in ["~/.vault-token", "auth/approle/login", "VAULT_TOKEN"] {
            assert!(
                text.contains(phrase),
                "mailcred-openbao.1 must name {phrase}: a reader must learn where the token \
                 comes from, and that the environment is not a way in"
            );
        }
    }

    #[test]
    fn assets_do_not_depend_on_the_platform() {
        for (name, page) in man_pages() {
            let text = String::from_utf8(page).unwrap();
            assert!(
                !text.contains("(stores:"),
                "{name} must carry the bare version, not the platform's stores"
            );
        }
    }

    #[test]
    fn the_main_page_describes_every_store_of_the_factory_list() {
        let main = String::from_utf8(man_pages().swap_remove(0).1).unwrap();
        let text = main.replace("\\-", "-");
        for choice in StoreChoice::ALL {
            assert!(
                text.contains(&format!("{} ({}", choice.name(), choice.platform())),
                "mailcred.1 must describe the {} store under MAILCRED_STORE",
                choice.name()
            );
        }
    }

    #[test]
    fn hidden_commands_stay_out_of_pages_and_completions() {
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path()).unwrap();
        for path in files_under(dir.path()) {
            let text = fs::read_to_string(&path).unwrap();
            assert!(
                !text.contains("generate-assets"),
                "{} must not mention the hidden generate-assets command",
                path.display()
            );
        }
    }

    fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(files_under(&path));
            } else {
                files.push(path);
            }
        }
        files
    }
}

//! Completion of account names in the generated bash, zsh and fish scripts:
//! every argument of the clap definition that takes an account (a positional
//! `account`, an option `--account`) is completed from `mailcred list
//! --names`, which prints names only, never a secret.
//!
//! clap_complete's static scripts cannot run a command for a value, and its
//! dynamic completion (`COMPLETE=bash mailcred`) is still unstable and would
//! change how packages install the scripts; so the static scripts are kept
//! and each gets a few lines of its shell's own completion code, made from
//! the same clap definition.

use clap::{Command, ValueHint};
use clap_complete::Shell;

/// Where a subcommand takes an account name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Slot {
    /// The subcommand's positional argument number N (from 1).
    Positional(usize),
    /// The value of `--NAME`.
    Option(String),
}

/// The command that lists the names.
const LIST: &str = "mailcred list --names 2>/dev/null";

/// Subcommands whose account argument is a new name: nothing to complete.
const NEW_NAME: &[&str] = &["add"];

fn takes_account(id: &str) -> bool {
    id.eq_ignore_ascii_case("account")
}

/// Every (subcommand, slot) of `cmd` that takes the name of an account.
pub(super) fn slots(cmd: &Command) -> Vec<(String, Slot)> {
    let mut slots = Vec::new();
    for sub in cmd
        .get_subcommands()
        .filter(|sub| !NEW_NAME.contains(&sub.get_name()))
    {
        for (index, arg) in sub.get_positionals().enumerate() {
            if takes_account(arg.get_id().as_str()) {
                slots.push((sub.get_name().to_owned(), Slot::Positional(index + 1)));
            }
        }
        for arg in sub.get_opts() {
            if let Some(long) = arg.get_long().filter(|l| takes_account(l)) {
                slots.push((sub.get_name().to_owned(), Slot::Option(long.to_owned())));
            }
        }
    }
    slots
}

/// `cmd` as zsh's generator should see it: the account arguments marked
/// with a value hint no other argument uses, which [`finish`] turns into a
/// call of `_mailcred_accounts`.
pub(super) fn mark(cmd: Command, shell: Shell) -> Command {
    if shell != Shell::Zsh || cmd.get_name() != "mailcred" {
        return cmd;
    }
    cmd.mut_subcommands(|sub| {
        if NEW_NAME.contains(&sub.get_name()) {
            return sub;
        }
        let ids: Vec<String> = sub
            .get_arguments()
            .filter(|a| {
                takes_account(a.get_id().as_str()) || a.get_long().is_some_and(takes_account)
            })
            .map(|a| a.get_id().to_string())
            .collect();
        ids.into_iter().fold(sub, |sub, id| {
            sub.mut_arg(id, |arg| arg.value_hint(ValueHint::Username))
        })
    })
}

/// The generated `script` of `bin` for `shell`, completing account names.
pub(super) fn finish(shell: Shell, bin: &str, script: String, slots: &[(String, Slot)]) -> String {
    if bin != "mailcred" || slots.is_empty() {
        return script;
    }
    match shell {
        Shell::Bash => bash(script, slots),
        Shell::Zsh => zsh(script),
        Shell::Fish => fish(script, slots),
        _ => script,
    }
}

fn positional_cases(slots: &[(String, Slot)]) -> Vec<String> {
    slots
        .iter()
        .filter_map(|(sub, slot)| match slot {
            Slot::Positional(n) => Some(format!("{sub}:{n}")),
            Slot::Option(_) => None,
        })
        .collect()
}

fn option_cases(slots: &[(String, Slot)]) -> Vec<String> {
    slots
        .iter()
        .filter_map(|(sub, slot)| match slot {
            Slot::Option(long) => Some(format!("{sub}:--{long}")),
            Slot::Positional(_) => None,
        })
        .collect()
}

/// A function in front of clap's `_mailcred`: on an account argument it
/// offers the names, anywhere else it hands over. Positions count the words
/// after the subcommand that are no options.
fn bash(script: String, slots: &[(String, Slot)]) -> String {
    let positional = positional_cases(slots).join("|");
    let options = option_cases(slots).join("|");
    let wrapper = format!(
        r#"
# Account names for the arguments that take one, from `mailcred list --names`
# (names only, never a secret); everything else as generated above.
_mailcred_with_accounts() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    local sub="${{COMP_WORDS[1]}}" position=1 i
    for ((i = 2; i < COMP_CWORD; i++)); do
        [[ ${{COMP_WORDS[i]}} == -* ]] || position=$((position + 1))
    done
    if [[ $COMP_CWORD -ge 2 && $cur != -* ]]; then
        case "$sub:$position" in
            {positional}) COMPREPLY=( $(compgen -W "$({LIST})" -- "$cur") ); return 0 ;;
        esac
        case "$sub:$prev" in
            {options}) COMPREPLY=( $(compgen -W "$({LIST})" -- "$cur") ); return 0 ;;
        esac
    fi
    _mailcred "$@"
}}
if [[ "${{BASH_VERSINFO[0]}}" -eq 4 && "${{BASH_VERSINFO[1]}}" -ge 4 || "${{BASH_VERSINFO[0]}}" -gt 4 ]]; then
    complete -F _mailcred_with_accounts -o nosort -o bashdefault -o default mailcred
else
    complete -F _mailcred_with_accounts -o bashdefault -o default mailcred
fi
"#,
        options = if options.is_empty() {
            "-".into()
        } else {
            options
        },
    );
    script + &wrapper
}

/// The account arguments carry [`mark`]'s hint, `_users`: they call
/// `_mailcred_accounts` instead, defined before the script's last lines.
fn zsh(script: String) -> String {
    let script = script.replace(":_users'", ":_mailcred_accounts'");
    let function = format!(
        "(( $+functions[_mailcred_accounts] )) ||\n\
         _mailcred_accounts() {{\n    \
             local -a names\n    \
             names=(${{(f)\"$(_call_program accounts {LIST})\"}})\n    \
             _describe -t accounts 'mail account' names\n\
         }}\n\n"
    );
    match script.rfind("if [ \"$funcstack[1]\" = \"_mailcred\" ]; then") {
        Some(at) => format!("{}{function}{}", &script[..at], &script[at..]),
        None => script + &function,
    }
}

fn fish(script: String, slots: &[(String, Slot)]) -> String {
    let mut extra = String::from(
        "\n# Account names for the arguments that take one, from `mailcred list --names`\n\
         # (names only, never a secret).\n\
         function __fish_mailcred_account_at\n    \
             # Whether the word being completed is positional $argv[1] of subcommand $argv[2].\n    \
             set -l cmd (commandline -opc)\n    \
             test (count $cmd) -ge 2; and test \"$cmd[2]\" = \"$argv[2]\"; or return 1\n    \
             set -l n 1\n    \
             for i in (seq 3 (count $cmd))\n        \
                 string match -q -- '-*' $cmd[$i]; or set n (math $n + 1)\n    \
             end\n    \
             test $n -eq $argv[1]\n\
         end\n",
    );
    for (sub, slot) in slots {
        extra.push_str(&match slot {
            Slot::Positional(n) => format!(
                "complete -c mailcred -n \"__fish_mailcred_account_at {n} {sub}\" -f -a \"({LIST})\" -d 'mail account'\n"
            ),
            Slot::Option(long) => format!(
                "complete -c mailcred -n \"__fish_mailcred_using_subcommand {sub}\" -l {long} -x -a \"({LIST})\" -d 'mail account'\n"
            ),
        });
    }
    script + &extra
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated(shell: Shell) -> String {
        let dir = tempfile::tempdir().unwrap();
        super::super::write_all(dir.path()).unwrap();
        let file = match shell {
            Shell::Zsh => "_mailcred",
            Shell::Fish => "mailcred.fish",
            _ => "mailcred",
        };
        std::fs::read_to_string(
            dir.path()
                .join("completions")
                .join(shell.to_string())
                .join(file),
        )
        .unwrap()
    }

    #[test]
    fn every_argument_naming_an_existing_account_is_found_and_adds_new_name_is_not() {
        let cmd = super::super::commands()
            .map(super::super::without_hidden_subcommands)
            .map(|cmd| cmd.mut_subcommands(super::super::smtp::for_completion));
        let slots = slots(&cmd[0]);
        for (sub, slot) in [
            ("get", Slot::Positional(1)),
            ("show", Slot::Positional(1)),
            ("remove", Slot::Positional(1)),
            ("set-password", Slot::Positional(1)),
            ("config", Slot::Positional(2)),
            ("configure", Slot::Positional(2)),
            ("test", Slot::Positional(1)),
            ("send", Slot::Option("account".into())),
        ] {
            assert!(
                slots.contains(&(sub.to_owned(), slot.clone())),
                "{sub} {slot:?} takes an account: {slots:?}"
            );
        }
        assert!(
            slots.iter().all(|(sub, _)| sub != "add"),
            "add names a new account"
        );
    }

    #[test]
    fn zsh_calls_the_account_completer_and_no_user_completer_is_left() {
        let zsh = generated(Shell::Zsh);
        assert!(!zsh.contains("_users"), "every marked argument is replaced");
        assert!(zsh.contains("':account -- The account:_mailcred_accounts'"));
        assert!(
            zsh.contains(":NAME:_mailcred_accounts'"),
            "send --account too"
        );
        assert!(
            zsh.find("_mailcred_accounts() {") < zsh.rfind("compdef _mailcred mailcred"),
            "the completer is defined before the script registers itself"
        );
    }

    #[test]
    fn bash_and_fish_ask_mailcred_list_names() {
        for shell in [Shell::Bash, Shell::Fish] {
            assert!(generated(shell).contains(LIST), "{shell}");
        }
    }
}

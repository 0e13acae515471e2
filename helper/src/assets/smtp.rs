//! `mailcred test`, `mailcred send` and `mailcred-smtp` as clap commands,
//! made from mailcred-core's tables of their options
//! ([`mailcred_core::smtp_options`]) only to render man pages and
//! completions: mailcred-smtp parses these command lines itself, by the
//! same tables, and `mailcred` passes them on untouched.

use clap::{Arg, ArgAction, Command};
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};
use mailcred_core::smtp_options::{CommandLine, Kind, Operand, Opt, SEND, TEST};

/// The program behind `mailcred test` and `mailcred send`.
const SMTP: &str = crate::external::SMTP_PROGRAM;

/// `mailcred test` or `mailcred send` (`sub`, from [`crate::cli`], whose
/// arguments are a pass-through) with the options of its table, keeping
/// the one-line description and place that `mailcred --help` shows.
pub(super) fn documented(sub: Command) -> Command {
    with_table(sub, Rows::All)
}

/// [`documented`] as shells complete it: without the sendmail options
/// that `send` accepts and ignores or refuses, which no one types on
/// purpose (clap_complete offers hidden arguments too, so they are left out).
pub(super) fn for_completion(sub: Command) -> Command {
    with_table(sub, Rows::Used)
}

/// Which options of a table become arguments.
#[derive(Clone, Copy, PartialEq)]
enum Rows {
    All,
    /// Not the ignored or refused ones.
    Used,
}

fn with_table(sub: Command, rows: Rows) -> Command {
    let documented = match sub.get_name() {
        "test" => command(&TEST, "mailcred", None, rows),
        "send" => command(&SEND, "mailcred", None, rows),
        _ => return sub,
    };
    let documented = documented.display_order(sub.get_display_order());
    match sub.get_about() {
        Some(about) => documented.about(about.clone()),
        None => documented,
    }
}

/// `mailcred-smtp`: its own `-h` and `-V`; `test` and `send` are described
/// by [`sections`], as clap_mangen would name a page per subcommand.
pub(super) fn command_for_page() -> Command {
    let usage = [
        TEST.usage_for(SMTP),
        SEND.usage_for(SMTP),
        format!("{SMTP} -h|--help|-V|--version"),
    ];
    super::companion_for_page(SMTP, &usage)
        .about("The SMTP client behind `mailcred test` and `mailcred send`")
        .long_about(
            "The SMTP client behind `mailcred test` and `mailcred send`, from the \
             mailcred-lettre package. mailcred runs it in its own place for those two \
             commands, so that the mailcred binary, which msmtp runs for every message, \
             links no SMTP or TLS code; it is found beside mailcred, else on PATH. \
             Use it through mailcred: `mailcred-smtp test ARGS` is `mailcred test ARGS`, \
             and `mailcred-smtp send ARGS` is `mailcred send ARGS`.",
        )
}

/// The COMMANDS section of mailcred-smtp(1) and a section of options per
/// command, as roff source without the preamble.
pub(super) fn sections() -> String {
    let mut commands = Roff::new();
    commands.control("SH", ["COMMANDS"]);
    for (name, description) in [(TEST.name, TEST.description), (SEND.name, SEND.description)] {
        commands.control("TP", []);
        commands.text([bold(format!("{SMTP} {name}"))]);
        commands.text([roman(description.replace('\n', " "))]);
    }
    let mut text = super::without_preamble(commands.render());
    for cmd in [
        command(&TEST, SMTP, Some(TEST.name), Rows::All),
        command(&SEND, SMTP, Some(SEND.name), Rows::All),
    ] {
        let mut options = Vec::new();
        Man::new(cmd)
            .render_options_section(&mut options)
            .expect("writing to a Vec cannot fail");
        let options = String::from_utf8(options).expect("clap_mangen writes UTF-8");
        text.push_str(&super::without_preamble(options));
    }
    text
}

/// `line` as a clap command run as `program`. Its options are listed under
/// OPTIONS, ACCEPTED AND IGNORED and REFUSED, or, `within` a page about
/// several commands, under headings that name the command.
fn command<T>(line: &CommandLine<T>, program: &str, within: Option<&str>, rows: Rows) -> Command {
    let heading = |what: Option<&str>| match (within, what) {
        (None, what) => what.map(str::to_owned),
        (Some(name), None) => Some(format!("{name} options")),
        (Some(name), Some(what)) => Some(format!("{name}: {what}")),
    };
    let mut cmd = Command::new(line.name)
        .about(line.about)
        .long_about(line.description)
        .override_usage(line.usage_for(program))
        .disable_help_flag(true)
        .disable_version_flag(true);
    let operands = line.operands.iter().map(|o| (operand_arg(o), None));
    let options = line.options.iter().filter_map(|o| {
        let what = match o.kind {
            Kind::Flag(_) | Kind::Value(..) => None,
            Kind::Ignored(_) if rows == Rows::All => Some("accepted and ignored"),
            Kind::Refused { .. } if rows == Rows::All => Some("refused"),
            Kind::Ignored(_) | Kind::Refused { .. } => return None,
        };
        Some((option_arg(o), what))
    });
    for (order, (arg, what)) in operands.chain(options).enumerate() {
        let arg = arg.display_order(order);
        cmd = cmd.arg(match heading(what) {
            Some(heading) => arg.help_heading(heading),
            None => arg,
        });
    }
    cmd
}

fn option_arg<T>(option: &Opt<T>) -> Arg {
    let id = option.spellings()[0].trim_start_matches('-').to_owned();
    let mut help = sentence(option.help);
    // clap has no spelling like -oi, and clap_mangen shows no aliases.
    if !option.also.is_empty() {
        help.push_str(&format!("; also spelled {}", option.also.join(", ")));
    }
    let mut arg = Arg::new(id).help(help);
    if let Some(short) = option.short {
        arg = arg.short(short);
    }
    if let Some(long) = option.long {
        arg = arg.long(long);
    }
    match option.value_name() {
        Some(value) => arg.value_name(value).action(ArgAction::Set),
        None => arg.action(ArgAction::SetTrue),
    }
}

fn operand_arg(operand: &Operand) -> Arg {
    let arg = Arg::new(operand.name)
        .value_name(operand.name)
        .help(sentence(operand.help))
        .required(operand.required);
    match operand.repeated {
        true => arg.num_args(0..).action(ArgAction::Append),
        false => arg.action(ArgAction::Set),
    }
}

/// `help` with a capital, as the other pages' option texts begin.
fn sentence(help: &str) -> String {
    let mut chars = help.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

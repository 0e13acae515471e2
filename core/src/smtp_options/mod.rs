//! The command lines of `mailcred test` and `mailcred send`, as plain data:
//! the one description that `mailcred-smtp`'s parsers follow, that its
//! `--help` prints and that `mailcred`'s man pages and completions render.
//!
//! It is data rather than a clap definition because the plugin, which
//! parses these command lines, must not compile clap; and because `send`
//! speaks sendmail's dialect (`-ti`, `-fFROM`, `-oi`, options accepted and
//! ignored), which no argument parser crate models. The helper turns the
//! rows into `clap::Arg`s only to render them.

mod table;

pub use table::{SEND, SendOption, TEST, TestOption};

/// One command's line: its options and operands, and the text around them.
#[derive(Debug)]
pub struct CommandLine<T: 'static> {
    /// The subcommand: `mailcred NAME`.
    pub name: &'static str,
    /// One line for `mailcred --help` and the man page's NAME.
    pub about: &'static str,
    /// The paragraph under the usage line.
    pub description: &'static str,
    /// The arguments that are not options, in order.
    pub operands: &'static [Operand],
    /// What it reads on stdin, if anything (shown as `< NAME`).
    pub stdin: Option<&'static str>,
    /// Whether `--` ends the options, so that an operand may start with `-`.
    pub double_dash: bool,
    /// Every option the parser accepts or refuses by name; any other is unknown.
    pub options: &'static [Opt<T>],
}

/// An argument that is not an option.
#[derive(Debug)]
pub struct Operand {
    /// As the usage shows it: `ACCOUNT`.
    pub name: &'static str,
    /// What it is.
    pub help: &'static str,
    /// Whether the command needs it.
    pub required: bool,
    /// Whether it may be given several times (`RECIPIENT...`).
    pub repeated: bool,
}

/// One option, with every spelling it has.
#[derive(Debug)]
pub struct Opt<T: 'static> {
    /// `-x`; in `send` it clusters (`-ti`) and takes its value attached (`-fFROM`).
    pub short: Option<char>,
    /// `--name`; a value follows as `--name VALUE` or `--name=VALUE`.
    pub long: Option<&'static str>,
    /// Other whole spellings of the same option: `-r` for `-f`, `-oi` for `-i`.
    pub also: &'static [&'static str],
    /// What the parser does with it.
    pub kind: Kind<T>,
    /// One line saying what it does.
    pub help: &'static str,
    /// Whether the one-line usage shows it.
    pub in_usage: bool,
}

/// What the parser does with an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind<T> {
    /// A switch that sets `T`.
    Flag(T),
    /// Takes a value (named by the `&str`, e.g. `PEM`) that sets `T`.
    Value(T, &'static str),
    /// Accepted and ignored, with its value if it takes one: a sendmail
    /// option that changes nothing about one submitted message.
    Ignored(Option<&'static str>),
    /// Takes a value (named `value`) and refuses the command line unless the
    /// value is one of `unless`: a sendmail mode other than sending a message.
    Refused {
        /// The value's name, e.g. `MODE`.
        value: &'static str,
        /// The values that are accepted (and then ignored).
        unless: &'static [&'static str],
    },
}

impl<T> Opt<T> {
    /// An option spelled `-c`.
    pub const fn short(c: char, kind: Kind<T>, help: &'static str) -> Self {
        Opt {
            short: Some(c),
            long: None,
            also: &[],
            in_usage: matches!(kind, Kind::Flag(_) | Kind::Value(..)),
            kind,
            help,
        }
    }

    /// An option spelled `--name`.
    pub const fn long(name: &'static str, kind: Kind<T>, help: &'static str) -> Self {
        Opt {
            short: None,
            long: Some(name),
            also: &[],
            in_usage: matches!(kind, Kind::Flag(_) | Kind::Value(..)),
            kind,
            help,
        }
    }

    /// Also spelled `--name`.
    pub const fn or_long(mut self, name: &'static str) -> Self {
        self.long = Some(name);
        self
    }

    /// Also spelled in each of `spellings`, whole (`-r`, `-oi`).
    pub const fn or(mut self, spellings: &'static [&'static str]) -> Self {
        self.also = spellings;
        self
    }

    /// Left out of the one-line usage (`--help`).
    pub const fn not_in_usage(mut self) -> Self {
        self.in_usage = false;
        self
    }

    /// The name of the value it takes, if it takes one.
    pub fn value_name(&self) -> Option<&'static str> {
        match self.kind {
            Kind::Value(_, name) | Kind::Refused { value: name, .. } => Some(name),
            Kind::Ignored(value) => value,
            Kind::Flag(_) => None,
        }
    }

    /// Every spelling, the short one first: `-t`, `--read-recipients`.
    pub fn spellings(&self) -> Vec<String> {
        let short = self.short.map(|c| format!("-{c}"));
        let long = self.long.map(|name| format!("--{name}"));
        let also = self.also.iter().map(|s| (*s).to_owned());
        short.into_iter().chain(long).chain(also).collect()
    }

    /// As the usage line shows it: `[-i|-oi]`, `[-f|-r FROM]`.
    fn usage(&self) -> String {
        let first = self.short.map(|c| format!("-{c}"));
        let first = first.or_else(|| self.long.map(|name| format!("--{name}")));
        let spelled: Vec<String> = first
            .into_iter()
            .chain(self.also.iter().map(|s| (*s).to_owned()))
            .collect();
        match self.value_name() {
            Some(value) => format!("[{} {value}]", spelled.join("|")),
            None => format!("[{}]", spelled.join("|")),
        }
    }

    /// As the help's left column shows it: `-f, -r FROM`.
    fn term(&self) -> String {
        let spelled = self.spellings().join(", ");
        match self.value_name() {
            Some(value) => format!("{spelled} {value}"),
            None => spelled,
        }
    }
}

impl<T> CommandLine<T> {
    /// The option spelled `--name`.
    pub fn find_long(&self, name: &str) -> Option<&'static Opt<T>> {
        self.options.iter().find(|o| o.long == Some(name))
    }

    /// The option spelled `-c`, as its short name or one of its other spellings.
    pub fn find_short(&self, c: char) -> Option<&'static Opt<T>> {
        let spelled = format!("-{c}");
        self.options
            .iter()
            .find(|o| o.short == Some(c) || o.also.contains(&spelled.as_str()))
    }

    /// The option one of whose other spellings is `spelled` whole (`-oi`).
    pub fn find_other_spelling(&self, spelled: &str) -> Option<&'static Opt<T>> {
        self.options.iter().find(|o| o.also.contains(&spelled))
    }

    /// The usage line after `usage: `, for `program` (`mailcred`):
    /// required operands, options, then the optional operands.
    pub fn usage_for(&self, program: &str) -> String {
        let mut words = vec![format!("{program} {}", self.name)];
        let (required, optional): (Vec<&Operand>, Vec<&Operand>) =
            self.operands.iter().partition(|o| o.required);
        words.extend(required.iter().map(|o| o.usage()));
        words.extend(self.options.iter().filter(|o| o.in_usage).map(Opt::usage));
        if self.double_dash {
            words.push("[--]".to_owned());
        }
        words.extend(optional.iter().map(|o| o.usage()));
        if let Some(stdin) = self.stdin {
            words.push(format!("< {stdin}"));
        }
        words.join(" ")
    }

    /// `usage: mailcred NAME ...`, the first line of the help and of a
    /// usage error.
    pub fn usage(&self) -> String {
        format!("usage: {}", self.usage_for("mailcred"))
    }

    /// The whole `--help`: usage, description, then the operands and
    /// options in table order, the ignored and refused ones last.
    pub fn help(&self) -> String {
        let mut rows: Vec<(String, &str)> = self
            .operands
            .iter()
            .map(|o| (o.usage().trim_matches(['[', ']']).to_owned(), o.help))
            .collect();
        rows.extend(self.rows(|kind| matches!(kind, Kind::Flag(_) | Kind::Value(..))));
        let mut text = format!(
            "{}\n\n{}\n\n{}",
            self.usage(),
            self.description,
            columns(&rows)
        );
        let ignored = self.rows(|kind| matches!(kind, Kind::Ignored(_)));
        if !ignored.is_empty() {
            text.push_str("\nAccepted and ignored (sendmail options that change nothing here):\n");
            text.push_str(&columns(&ignored));
        }
        let refused = self.rows(|kind| matches!(kind, Kind::Refused { .. }));
        if !refused.is_empty() {
            text.push_str("\nRefused:\n");
            text.push_str(&columns(&refused));
        }
        text.trim_end().to_owned()
    }

    /// The help's rows for the options of the kinds `wanted`.
    fn rows(&self, wanted: impl Fn(&Kind<T>) -> bool) -> Vec<(String, &'static str)> {
        self.options
            .iter()
            .filter(|o| wanted(&o.kind))
            .map(|o| (o.term(), o.help))
            .collect()
    }
}

impl Operand {
    /// `ACCOUNT`, `[RECIPIENT...]`.
    fn usage(&self) -> String {
        let dots = if self.repeated { "..." } else { "" };
        match self.required {
            true => format!("{}{dots}", self.name),
            false => format!("[{}{dots}]", self.name),
        }
    }
}

/// Two columns, the second aligned; a long term gets its own line.
fn columns(rows: &[(String, &str)]) -> String {
    const WIDEST: usize = 20;
    let width = rows
        .iter()
        .map(|(term, _)| term.len())
        .filter(|len| *len <= WIDEST)
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    for (term, help) in rows {
        if term.len() > WIDEST {
            text.push_str(&format!("  {term}\n  {:width$}  {help}\n", ""));
        } else {
            text.push_str(&format!("  {term:width$}  {help}\n"));
        }
    }
    text
}

#[cfg(test)]
mod tests;

//! `mailcred test`'s command line, parsed by the table [`TEST`] of
//! mailcred-core (which `--help` and the man page are made from too): an
//! option the table does not list is unknown. Options do not cluster here.

use std::ffi::OsString;
use std::path::PathBuf;

use mailcred_core::smtp_options::{Kind, Opt, TEST, TestOption};

/// What `mailcred test` was asked to do.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct TestArgs {
    /// The account, if one was named.
    pub name: Option<String>,
    /// `--ca-file PEM`.
    pub ca_file: Option<PathBuf>,
    /// `-h`, `--help`: the arguments after it are not looked at.
    pub help: bool,
}

impl TestArgs {
    /// Parses the arguments after `test`; the error says why they cannot
    /// be used, without the usage line.
    pub(super) fn parse(args: Vec<OsString>) -> Result<Self, String> {
        let mut parsed = Self::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let arg = arg
                .into_string()
                .map_err(|_| "arguments must be UTF-8".to_owned())?;
            if !arg.starts_with('-') {
                if parsed.name.replace(arg).is_some() {
                    return Err("one account at a time".to_owned());
                }
                continue;
            }
            let (option, spelled, inline) =
                find(&arg).ok_or_else(|| format!("unknown option {arg}"))?;
            if inline.is_some() && option.value_name().is_none() {
                return Err(format!("{spelled} takes no value"));
            }
            // A value may be any file name, UTF-8 or not.
            let mut value = || {
                inline
                    .map(OsString::from)
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{spelled} needs a value"))
            };
            match option.kind {
                Kind::Flag(sets) | Kind::Value(sets, _) => match sets {
                    TestOption::Help => {
                        parsed.help = true;
                        return Ok(parsed);
                    }
                    TestOption::CaFile => parsed.ca_file = Some(value()?.into()),
                },
                Kind::Ignored(None) => {}
                Kind::Ignored(Some(_)) => drop(value()?),
                Kind::Refused { .. } => {
                    return Err(format!("{spelled} is not supported: {}", option.help));
                }
            }
        }
        Ok(parsed)
    }
}

/// The option `arg` spells (`--name`, `--name=VALUE` or `-c`), how it was
/// spelled, and its value when attached.
fn find(arg: &str) -> Option<(&'static Opt<TestOption>, &str, Option<&str>)> {
    if let Some(long) = arg.strip_prefix("--") {
        let (name, inline) = match long.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (long, None),
        };
        let spelled = &arg[..2 + name.len()];
        return Some((TEST.find_long(name)?, spelled, inline));
    }
    let mut chars = arg.strip_prefix('-')?.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some((TEST.find_short(c)?, arg, None)),
        _ => None,
    }
}

#[cfg(test)]
mod tests;

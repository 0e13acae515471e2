//! sendmail's command line, as git send-email, neomutt, cron and mail(1)
//! use it: `-t`, `-i`/`-oi`, `-f FROM`, recipients. Options are clustered
//! sendmail-style (`-ti`, `-fFROM`); options it cannot honour but that
//! change nothing about one submitted message are accepted and ignored.
//! Which options there are, and of which kind, is the table [`SEND`] of
//! mailcred-core, which `--help` and the man page are made from too.
//!
//! Hand-written rather than a parser crate's: sendmail's clusters with
//! attached values and its `-oi` fit none, and the plugin links no clap.

use std::ffi::OsString;
use std::path::PathBuf;

use mailcred_core::smtp_options::{Kind, Opt, SEND, SendOption};

/// What `mailcred send` was asked to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendmailArgs {
    /// Recipients given as arguments.
    pub recipients: Vec<String>,
    /// `-t`: also send to the To, Cc and Bcc addresses of the message.
    pub read_recipients: bool,
    /// `-i` or `-oi`: a line holding only `.` does not end the message.
    pub ignore_dots: bool,
    /// `-f FROM` or `-r FROM`: the envelope sender.
    pub from: Option<String>,
    /// `--account NAME`: the mailcred account to send with.
    pub account: Option<String>,
    /// `--ca-file PEM`: also trust this CA certificate (a self-signed server).
    pub ca_file: Option<PathBuf>,
    /// `--help`.
    pub help: bool,
}

/// A command line that cannot be used; the message says why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl SendmailArgs {
    /// Parses the arguments after `send`, by the table of its options
    /// ([`SEND`]): an option the table does not list is unknown.
    pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Self, UsageError> {
        let mut parsed = Self::default();
        let mut args = args
            .into_iter()
            .map(|a| {
                a.into_string()
                    .map_err(|a| UsageError(format!("argument {a:?} is not valid UTF-8")))
            })
            .collect::<Result<Vec<_>, _>>()?
            .into_iter();
        let mut options_done = false;
        while let Some(arg) = args.next() {
            if options_done || !arg.starts_with('-') || arg == "-" {
                parsed.recipients.push(arg);
            } else if arg == "--" {
                options_done = true;
            } else if let Some(long) = arg.strip_prefix("--") {
                parsed.long(long, &mut args)?;
            } else {
                parsed.cluster(&arg[1..], &mut args)?;
            }
        }
        Ok(parsed)
    }

    /// `--name`, `--name VALUE` or `--name=VALUE`.
    fn long(
        &mut self,
        option: &str,
        rest: &mut impl Iterator<Item = String>,
    ) -> Result<(), UsageError> {
        let (name, inline) = match option.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (option, None),
        };
        let spelled = format!("--{name}");
        let option = SEND.find_long(name).ok_or_else(|| unknown(&spelled))?;
        if inline.is_some() && option.value_name().is_none() {
            return Err(UsageError(format!("{spelled} takes no value")));
        }
        let mut inline = inline;
        self.apply(option, &spelled, &mut || {
            inline
                .take()
                .or_else(|| rest.next())
                .ok_or_else(|| needs_value(&spelled))
        })
    }

    /// One `-xyz` cluster: flags, then at most one option taking the rest
    /// of the cluster (or the next argument) as its value.
    fn cluster(
        &mut self,
        cluster: &str,
        rest: &mut impl Iterator<Item = String>,
    ) -> Result<(), UsageError> {
        for (at, flag) in cluster.char_indices() {
            let spelled = format!("-{flag}");
            let option = SEND.find_short(flag).ok_or_else(|| unknown(&spelled))?;
            let inline = &cluster[at + flag.len_utf8()..];
            self.apply(option, &spelled, &mut || {
                if inline.is_empty() {
                    rest.next().ok_or_else(|| needs_value(&spelled))
                } else {
                    Ok(inline.to_owned())
                }
            })?;
            if option.value_name().is_some() {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Does what `option`, spelled `spelled`, asks; `value` yields its
    /// value, and is called only for an option that takes one.
    fn apply(
        &mut self,
        option: &Opt<SendOption>,
        spelled: &str,
        value: &mut dyn FnMut() -> Result<String, UsageError>,
    ) -> Result<(), UsageError> {
        match option.kind {
            Kind::Flag(sets) | Kind::Value(sets, _) => self.set(sets, value)?,
            Kind::Ignored(None) => {}
            Kind::Ignored(Some(_)) => {
                // Another option spelled with this one's value (-oi is -i).
                let value = value()?;
                if let Some(Opt {
                    kind: Kind::Flag(sets),
                    ..
                }) = SEND.find_other_spelling(&format!("{spelled}{value}"))
                {
                    self.set(*sets, &mut || Err(needs_value(spelled)))?;
                }
            }
            Kind::Refused { unless, .. } => {
                let value = value()?;
                if !unless.contains(&value.as_str()) {
                    return Err(UsageError(format!(
                        "{spelled}{value} is not supported: {}",
                        option.help
                    )));
                }
            }
        }
        Ok(())
    }

    /// Every option of the table lands here, by an exhaustive `match`.
    fn set(
        &mut self,
        option: SendOption,
        value: &mut dyn FnMut() -> Result<String, UsageError>,
    ) -> Result<(), UsageError> {
        match option {
            SendOption::ReadRecipients => self.read_recipients = true,
            SendOption::IgnoreDots => self.ignore_dots = true,
            SendOption::Help => self.help = true,
            SendOption::Account => self.account = Some(value()?),
            SendOption::CaFile => self.ca_file = Some(value()?.into()),
            SendOption::From => self.from = Some(value()?),
        }
        Ok(())
    }
}

fn unknown(spelled: &str) -> UsageError {
    UsageError(format!(
        "unknown option {spelled}; `mailcred send --help` lists them"
    ))
}

fn needs_value(spelled: &str) -> UsageError {
    UsageError(format!("{spelled} needs a value"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<SendmailArgs, UsageError> {
        SendmailArgs::parse(args.iter().map(OsString::from))
    }

    #[test]
    fn git_send_email_passes_dash_i_the_sender_and_recipients() {
        let args = parse(&[
            "-i",
            "-f",
            "alice@example.org",
            "bob@example.org",
            "carol@example.org",
        ])
        .unwrap();
        assert!(args.ignore_dots);
        assert_eq!(args.from.as_deref(), Some("alice@example.org"));
        assert_eq!(args.recipients, ["bob@example.org", "carol@example.org"]);
    }

    #[test]
    fn neomutt_passes_dash_oi_and_double_dash() {
        let args = parse(&["-oem", "-oi", "--", "bob@example.org"]).unwrap();
        assert!(args.ignore_dots && !args.read_recipients);
        assert_eq!(args.recipients, ["bob@example.org"]);
    }

    #[test]
    fn flags_cluster_and_values_stick() {
        let args = parse(&["-ti", "-falice@example.org", "-FAlice", "-N", "never"]).unwrap();
        assert!(args.read_recipients && args.ignore_dots);
        assert_eq!(args.from.as_deref(), Some("alice@example.org"));
        assert!(args.recipients.is_empty(), "-N's value is not a recipient");
    }

    #[test]
    fn account_and_ca_file_take_a_value_either_way() {
        let args = parse(&["--account", "work", "--ca-file=/tmp/ca.pem", "-t"]).unwrap();
        assert_eq!(args.account.as_deref(), Some("work"));
        assert_eq!(args.ca_file, Some(PathBuf::from("/tmp/ca.pem")));
    }

    #[test]
    fn after_double_dash_a_leading_dash_is_a_recipient() {
        let args = parse(&["--", "-odd@example.org"]).unwrap();
        assert_eq!(args.recipients, ["-odd@example.org"]);
    }

    #[test]
    fn other_modes_and_unknown_options_are_refused() {
        assert!(
            parse(&["-bs"])
                .unwrap_err()
                .0
                .contains("-bs is not supported")
        );
        assert!(parse(&["-q"]).unwrap_err().0.contains("unknown option -q"));
        assert!(parse(&["--frobnicate"]).is_err());
        assert!(parse(&["-f"]).unwrap_err().0.contains("-f needs a value"));
    }

    /// Whether `parsed` shows the effect of the option that sets `option`:
    /// an exhaustive `match`, so a new variant must say what it sets.
    fn sets(parsed: &SendmailArgs, option: SendOption) -> bool {
        match option {
            SendOption::ReadRecipients => parsed.read_recipients,
            SendOption::IgnoreDots => parsed.ignore_dots,
            SendOption::Help => parsed.help,
            SendOption::Account => parsed.account.is_some(),
            SendOption::CaFile => parsed.ca_file.is_some(),
            SendOption::From => parsed.from.is_some(),
        }
    }

    /// Each way `spelled` can be given, ending with a recipient that must
    /// be left as one: a value follows, or is attached (`-fX`, `--name=X`).
    fn spelled_with_value(spelled: &str, value: Option<&str>) -> Vec<Vec<String>> {
        let recipient = "bob@example.org".to_owned();
        let Some(value) = value else {
            return vec![vec![spelled.to_owned(), recipient]];
        };
        let attached = match spelled.starts_with("--") {
            true => format!("{spelled}={value}"),
            false => format!("{spelled}{value}"),
        };
        vec![
            vec![spelled.to_owned(), value.to_owned(), recipient.clone()],
            vec![attached, recipient],
        ]
    }

    #[test]
    fn every_option_of_the_table_is_parsed_as_its_kind_says() {
        for option in SEND.options {
            let value = match option.kind {
                Kind::Refused { unless, .. } => unless.first().copied(),
                _ => option.value_name().map(|_| "x@example.org"),
            };
            for spelled in option.spellings() {
                for args in spelled_with_value(&spelled, value) {
                    let words: Vec<&str> = args.iter().map(String::as_str).collect();
                    let parsed = parse(&words).unwrap_or_else(|e| {
                        panic!("the table lists {spelled}, so `send {words:?}` must parse: {e}")
                    });
                    assert_eq!(
                        parsed.recipients,
                        ["bob@example.org"],
                        "{spelled} must take a value exactly when the table gives it one ({words:?})"
                    );
                    let only_recipients = SendmailArgs {
                        recipients: parsed.recipients.clone(),
                        ..SendmailArgs::default()
                    };
                    match option.kind {
                        Kind::Flag(option) | Kind::Value(option, _) => assert!(
                            sets(&parsed, option),
                            "{words:?} must set {option:?}, as the table says: {parsed:?}"
                        ),
                        Kind::Ignored(_) | Kind::Refused { .. } => assert_eq!(
                            parsed, only_recipients,
                            "{words:?} is accepted and ignored: it must change nothing"
                        ),
                    }
                }
            }
        }
    }

    #[test]
    fn a_refused_option_is_refused_with_any_value_it_does_not_except() {
        for option in SEND.options {
            if let Kind::Refused { .. } = option.kind {
                for spelled in option.spellings() {
                    let refused =
                        parse(&[&spelled, "s"]).expect_err("a refused mode must not parse");
                    assert!(
                        refused.0.contains(&format!("{spelled}s is not supported")),
                        "the refusal must name {spelled}s: {refused}"
                    );
                }
            }
        }
    }

    #[test]
    fn no_option_outside_the_table_is_accepted() {
        for c in ('!'..='~').filter(|c| *c != '-') {
            if SEND.find_short(c).is_none() {
                let spelled = format!("-{c}");
                let refused = parse(&[&spelled, "x"]).expect_err("not in the table");
                assert_eq!(
                    refused.0,
                    format!("unknown option {spelled}; `mailcred send --help` lists them"),
                    "the table does not list {spelled}, so the parser must not know it"
                );
            }
        }
        let every_name = SEND.options.iter().flat_map(|o| o.spellings());
        let bare = every_name.map(|s| s.trim_start_matches('-').to_owned());
        for name in bare.chain(["bogus", "version", "verbose", "from"].map(String::from)) {
            if SEND.find_long(&name).is_none() {
                let spelled = format!("--{name}");
                assert!(
                    parse(&[&spelled, "x"]).is_err(),
                    "the table does not list {spelled}, so the parser must not know it"
                );
            }
        }
    }

    #[test]
    fn a_flag_given_a_value_is_refused() {
        assert_eq!(
            parse(&["--read-recipients=yes"]).unwrap_err().0,
            "--read-recipients takes no value"
        );
    }
}

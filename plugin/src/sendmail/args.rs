//! sendmail's command line, as git send-email, neomutt, cron and mail(1)
//! use it: `-t`, `-i`/`-oi`, `-f FROM`, recipients. Options are clustered
//! sendmail-style (`-ti`, `-fFROM`); options it cannot honour but that
//! change nothing about one submitted message are accepted and ignored.

use std::ffi::OsString;
use std::path::PathBuf;

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

/// Options taking a value that changes nothing here: `-F NAME` (full name),
/// `-N` (DSN notify), `-R` (DSN return), `-V` (envelope id), `-B` (body
/// type), `-L` (syslog tag), `-O option=value`.
const IGNORED_WITH_VALUE: &[char] = &['F', 'N', 'R', 'V', 'B', 'L', 'O'];
/// Flags that change nothing here: `-v` (verbose), `-m` (me too), `-n` (no
/// aliasing), `-U` (initial user submission).
const IGNORED_FLAGS: &[char] = &['v', 'm', 'n', 'U'];

/// The usage text of `mailcred send`.
pub const USAGE: &str = "\
usage: mailcred send [--account NAME] [--ca-file PEM] [-t] [-i|-oi] [-f FROM] [--] [RECIPIENT...] < MESSAGE

Sends the message on stdin, like sendmail, through the mail account whose
user is the From: address (or --account NAME), with its password from the
keyring. Recipients are the arguments, and with -t also the To, Cc and Bcc
of the message (Bcc lines are never sent). Nothing is sent unless the server
accepts every recipient.";

impl SendmailArgs {
    /// Parses the arguments after `send`.
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

    fn long(
        &mut self,
        option: &str,
        rest: &mut impl Iterator<Item = String>,
    ) -> Result<(), UsageError> {
        let (name, inline) = match option.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (option, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| rest.next())
                .ok_or_else(|| UsageError(format!("--{name} needs a value")))
        };
        match name {
            "account" => self.account = Some(value()?),
            "ca-file" => self.ca_file = Some(value()?.into()),
            "read-recipients" if inline.is_none() => self.read_recipients = true,
            "help" => self.help = true,
            _ => {
                return Err(UsageError(format!(
                    "unknown option --{name}; `mailcred send --help` lists them"
                )));
            }
        }
        Ok(())
    }

    /// One `-xyz` cluster: flags, then at most one option taking the rest
    /// of the cluster (or the next argument) as its value.
    fn cluster(
        &mut self,
        cluster: &str,
        rest: &mut impl Iterator<Item = String>,
    ) -> Result<(), UsageError> {
        for (at, flag) in cluster.char_indices() {
            let inline = &cluster[at + flag.len_utf8()..];
            let mut value = || {
                if inline.is_empty() {
                    rest.next()
                        .ok_or_else(|| UsageError(format!("-{flag} needs a value")))
                } else {
                    Ok(inline.to_owned())
                }
            };
            match flag {
                't' => self.read_recipients = true,
                'i' => self.ignore_dots = true,
                'f' | 'r' => {
                    self.from = Some(value()?);
                    return Ok(());
                }
                'o' => {
                    // -oi is -i; other sendmail -oX options (-oem, -odi)
                    // concern its queue, which there is none of here.
                    if value()? == "i" {
                        self.ignore_dots = true;
                    }
                    return Ok(());
                }
                'b' => {
                    let mode = value()?;
                    if mode != "m" {
                        return Err(UsageError(format!(
                            "-b{mode} is not supported: mailcred send only sends a message (-bm)"
                        )));
                    }
                    return Ok(());
                }
                f if IGNORED_WITH_VALUE.contains(&f) => {
                    value()?;
                    return Ok(());
                }
                f if IGNORED_FLAGS.contains(&f) => {}
                other => {
                    return Err(UsageError(format!(
                        "unknown option -{other}; `mailcred send --help` lists them"
                    )));
                }
            }
        }
        Ok(())
    }
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
}

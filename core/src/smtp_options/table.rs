//! The two tables. A row added here is parsed, printed by `--help` and
//! listed in the man pages; the plugin's parser handles every `TestOption`
//! and `SendOption` variant by an exhaustive `match`.

use super::Kind::{Flag, Ignored, Refused, Value};
use super::{CommandLine, Operand, Opt};

/// What an option of `mailcred test` sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestOption {
    /// `--ca-file PEM`.
    CaFile,
    /// `-h`, `--help`.
    Help,
}

/// What an option of `mailcred send` sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOption {
    /// `--account NAME`.
    Account,
    /// `--ca-file PEM`.
    CaFile,
    /// `-t`: recipients from the message too.
    ReadRecipients,
    /// `-i`: a lone `.` does not end the message.
    IgnoreDots,
    /// `-f FROM`: the envelope sender.
    From,
    /// `--help`.
    Help,
}

const CA_FILE_HELP: &str = "also trust this CA certificate (a self-signed server)";

/// `mailcred test ACCOUNT [--ca-file PEM]`.
pub const TEST: CommandLine<TestOption> = CommandLine {
    name: "test",
    about: "Log in to every server of an account (SMTP, IMAP, POP) with the stored password, \
            over TLS; sends and fetches nothing",
    description: "Connects to each server of the account (SMTP, IMAP, POP), negotiates TLS\n\
                  and logs in with the password from the keyring, then logs out; sends and\n\
                  fetches nothing. Each server is reported on its own line: accepted logins\n\
                  on stdout, refusals on stderr. A server the account's sign-in cannot use\n\
                  (Exchange Online's IMAP and POP take OAuth only) is reported and not\n\
                  counted. The exit status is 0 only when every counted server accepted the\n\
                  login; otherwise it is one status, the first of these that any server\n\
                  failed with: 67, 80, 81, 82, 78, 64, 74, 70 (no password, the keyring,\n\
                  damaged data, configuration: every server fails alike), then 77 (a login\n\
                  refused), 69 (a server that cannot be used), 76 (a protocol broken) and\n\
                  75 (temporary: a retry may clear it).",
    operands: &[Operand {
        name: "ACCOUNT",
        help: "the mail account to log in with (`mailcred list` shows them)",
        required: true,
        repeated: false,
    }],
    stdin: None,
    double_dash: false,
    options: &[
        Opt::long("ca-file", Value(TestOption::CaFile, "PEM"), CA_FILE_HELP),
        Opt::short('h', Flag(TestOption::Help), "print this help")
            .or_long("help")
            .not_in_usage(),
    ],
};

/// `mailcred send`: sendmail's command line as git send-email, neomutt,
/// cron and mail(1) use it.
pub const SEND: CommandLine<SendOption> = CommandLine {
    name: "send",
    about: "Send the message on stdin like sendmail, through the account whose user is its \
            From: address",
    description: "Sends the message on stdin, like sendmail, through the mail account whose\n\
                  user is the From: address (or --account NAME), with its password from the\n\
                  keyring. Recipients are the arguments, and with -t also the To, Cc and Bcc\n\
                  of the message (Bcc lines are never sent). Nothing is sent unless the server\n\
                  accepts every recipient.",
    operands: &[Operand {
        name: "RECIPIENT",
        help: "send to this address",
        required: false,
        repeated: true,
    }],
    stdin: Some("MESSAGE"),
    double_dash: true,
    options: &[
        Opt::long(
            "account",
            Value(SendOption::Account, "NAME"),
            "send with this account, whatever the From: address",
        ),
        Opt::long("ca-file", Value(SendOption::CaFile, "PEM"), CA_FILE_HELP),
        Opt::short(
            't',
            Flag(SendOption::ReadRecipients),
            "also send to the To, Cc and Bcc addresses of the message",
        )
        .or_long("read-recipients"),
        Opt::short(
            'i',
            Flag(SendOption::IgnoreDots),
            "a line holding only \".\" does not end the message",
        )
        .or(&["-oi"]),
        Opt::short(
            'f',
            Value(SendOption::From, "FROM"),
            "the envelope sender (by default the From: address; '' or '<>' for none)",
        )
        .or(&["-r"]),
        Opt::long("help", Flag(SendOption::Help), "print this help").not_in_usage(),
        Opt::short('F', Ignored(Some("NAME")), "the sender's full name"),
        Opt::short('N', Ignored(Some("DSN")), "when to notify of delivery"),
        Opt::short('R', Ignored(Some("RET")), "what a delivery notice returns"),
        Opt::short(
            'V',
            Ignored(Some("ENVID")),
            "the delivery notice's envelope id",
        ),
        Opt::short('B', Ignored(Some("TYPE")), "the body type"),
        Opt::short('L', Ignored(Some("TAG")), "the syslog tag"),
        Opt::short('O', Ignored(Some("OPTION=VALUE")), "a sendmail option"),
        Opt::short(
            'o',
            Ignored(Some("OPTION")),
            "a sendmail queue option (-oem, -odi); -oi is -i",
        ),
        Opt::short('v', Ignored(None), "verbose"),
        Opt::short(
            'm',
            Ignored(None),
            "me too (the sender in an alias expansion)",
        ),
        Opt::short('n', Ignored(None), "no aliasing"),
        Opt::short('U', Ignored(None), "initial user submission"),
        Opt::short(
            'b',
            Refused {
                value: "MODE",
                unless: &["m"],
            },
            "sending one message (-bm) is all it does",
        ),
    ],
};

//! `mailcred import` with the real programs: a HOME whose msmtp, mbsync,
//! neomutt and git send-email files hold one app password in plaintext,
//! written as each program's documentation shows them; after `--apply`
//! every program still logs in to the test servers (the SMTP server of
//! `smtp_server`, the Dovecot of `dovecot_server`) with the rewritten
//! files, and no plaintext password is left.
//!
//! - [`programs`]: the programs log in, and a second run changes nothing;
//! - [`keyring`]: msmtp's own item in the Secret Service;
//! - [`interrupted`]: a run killed between store and rewrite loses
//!   nothing, and the next one finishes.

mod interrupted;
mod keyring;
mod programs;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;
use std::thread;

use mailcred_e2e::dovecot::{DovecotServer, TLS_HOST};
use mailcred_e2e::smtp::{SmtpMode, SmtpServer};

use super::*;

/// The login on both servers.
const USER: &str = "alice@example.org";
/// The app password, with the spaces of Gmail's.
const PASSWORD: &str = "abcd efgh ijkl mnop";
/// The mailcred account the import makes (msmtp's and mbsync's name).
const ACCOUNT: &str = "work";
/// Where the messages go.
const RECIPIENT: &str = "bob@example.org";
/// The files the import rewrites, under HOME.
const FILES: [&str; 4] = [".msmtprc", ".mbsyncrc", ".neomuttrc", ".gitconfig"];

/// A keyring session whose HOME holds the four files, the SMTP server
/// (STARTTLS) and Dovecot they point at, both taking [`PASSWORD`].
struct Plaintext {
    session: KeyringSession,
    smtp: SmtpServer,
    imap: DovecotServer,
}

impl Plaintext {
    fn new() -> Self {
        for (program, package) in [
            ("msmtp", "msmtp"),
            ("mbsync", "isync"),
            ("neomutt", "neomutt"),
            ("git", "git"),
        ] {
            require(program, package);
        }
        let (session, smtp, imap) = thread::scope(|scope| {
            let smtp = scope.spawn(|| SmtpServer::start(SmtpMode::StartTls, &[(USER, PASSWORD)]));
            let imap = scope.spawn(|| DovecotServer::start(&[(USER, PASSWORD)]));
            let session = KeyringSession::start();
            (
                session,
                smtp.join().expect("the SMTP server started"),
                imap.join().expect("Dovecot started"),
            )
        });
        let home = Self {
            session,
            smtp,
            imap,
        };
        home.write(".msmtprc", &home.msmtprc());
        home.write(".mbsyncrc", &home.mbsyncrc());
        home.write(".neomuttrc", &home.neomuttrc());
        home.write(".gitconfig", &home.gitconfig());
        fs::create_dir_all(home.session.home().join("Mail/work")).expect("the Maildir");
        home
    }

    /// msmtp(1)'s example, for the test server: `defaults`, the account,
    /// a default account inheriting from it.
    fn msmtprc(&self) -> String {
        format!(
            "# Set default values for all following accounts.\n\
             defaults\n\
             tls on\n\
             tls_trust_file {ca}\n\
             \n\
             # The work account\n\
             account work\n\
             host {host}\n\
             port {port}\n\
             from {USER}\n\
             auth on\n\
             user {USER}\n\
             password \"{PASSWORD}\"\n\
             \n\
             # Set a default account\n\
             account default : work\n",
            ca = self.smtp.ca_file().display(),
            host = self.smtp.host(),
            port = self.smtp.port(),
        )
    }

    /// mbsync(1)'s shape: an account, its stores and a channel.
    fn mbsyncrc(&self) -> String {
        format!(
            "IMAPAccount work\n\
             Host {TLS_HOST}\n\
             Port {port}\n\
             User {USER}\n\
             Pass \"{PASSWORD}\"\n\
             SSLType IMAPS\n\
             CertificateFile {ca}\n\
             \n\
             IMAPStore work-remote\n\
             Account work\n\
             \n\
             MaildirStore work-local\n\
             Path ~/Mail/work/\n\
             Inbox ~/Mail/work/INBOX\n\
             SubFolders Verbatim\n\
             \n\
             Channel work\n\
             Far :work-remote:\n\
             Near :work-local:\n\
             Patterns *\n\
             Create Near\n\
             SyncState *\n",
            port = self.imap.ports().imaps,
            ca = self.imap.ca_file().display(),
        )
    }

    /// neomuttrc(5)'s sending settings, the password beside the URL.
    fn neomuttrc(&self) -> String {
        format!(
            "# Sending\n\
             set from = \"{USER}\"\n\
             set smtp_url = \"smtp://alice%40example.org@{host}:{port}/\"\n\
             set smtp_pass = \"{PASSWORD}\"  # the app password\n\
             set ssl_starttls = yes\n\
             set ssl_force_tls = yes\n\
             set ssl_ca_certificates_file = \"{ca}\"\n\
             set record = \"\"\n",
            host = self.smtp.host(),
            port = self.smtp.port(),
            ca = self.smtp.ca_file().display(),
        )
    }

    /// git-send-email(1)'s settings, `smtpPass` among them.
    fn gitconfig(&self) -> String {
        format!(
            "[user]\n\
             \tname = Alice\n\
             \temail = {USER}\n\
             [sendemail]\n\
             \tsmtpServer = {host}\n\
             \tsmtpServerPort = {port}\n\
             \tsmtpEncryption = tls\n\
             \tsmtpUser = {USER}\n\
             \tsmtpPass = {PASSWORD}\n\
             \tsmtpSSLCertPath = {ca}\n",
            host = self.smtp.host(),
            port = self.smtp.port(),
            ca = self.smtp.ca_file().display(),
        )
    }

    /// Writes `text` to `name` in HOME, readable by the user only.
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.session.home().join(name);
        fs::write(&path, text).expect("a file in HOME");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).expect("chmod 600");
        path
    }

    /// The text of `name` in HOME.
    fn read(&self, name: &str) -> String {
        fs::read_to_string(self.session.home().join(name)).expect("a file in HOME")
    }

    /// Every file the import may touch, with its text.
    fn files(&self) -> Vec<(String, String)> {
        FILES
            .iter()
            .map(|f| (f.to_string(), self.read(f)))
            .collect()
    }

    /// A command for `program` in HOME, the built binaries first on PATH.
    fn command(&self, program: &str) -> Command {
        let mut command = self.session.command(program);
        command
            .env("PATH", path_with_binaries())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0");
        command
    }

    /// `mailcred ARGS`.
    fn mailcred(&self, args: &[&str]) -> Outcome {
        let mut command = self.command(MAILCRED);
        command.args(args);
        run(command, b"")
    }

    /// `mailcred import --apply`, which must succeed.
    #[track_caller]
    fn import(&self) -> Outcome {
        let imported = self.mailcred(&["import", "--apply"]);
        assert!(
            imported.success(),
            "mailcred import --apply should succeed:\n{imported}"
        );
        assert!(
            !imported.stdout.contains(PASSWORD) && !imported.stderr.contains(PASSWORD),
            "the import never shows the password:\n{imported}"
        );
        imported
    }

    /// Asserts no file in HOME holds the password any more.
    #[track_caller]
    fn assert_no_plaintext_left(&self) {
        for (name, text) in self.files() {
            assert!(
                !text.contains(PASSWORD),
                "~/{name} still holds the password:\n{text}"
            );
        }
        let leftovers: Vec<String> = fs::read_dir(self.session.home())
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.contains("mailcred"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "no backup or temporary file is left: {leftovers:?}"
        );
    }
}

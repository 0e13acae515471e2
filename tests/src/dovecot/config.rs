//! The test server's `dovecot.conf`: nothing from `/etc/dovecot`, every
//! path inside the server's directory, every service as the one
//! unprivileged user.

use std::path::Path;

use super::{Ports, STARTTLS_HOST};

/// The user Dovecot and its mail run as.
#[derive(Debug, Clone)]
pub(super) struct RunAs {
    pub user: String,
    pub group: String,
    /// The uid and gid to switch to before starting Dovecot: when the test
    /// runs as root (CI, containers), Dovecot runs as `nobody`; otherwise
    /// as the test's own user, and nothing is switched.
    pub switch_to: Option<(u32, u32)>,
}

impl RunAs {
    pub(super) fn unprivileged() -> RunAs {
        if rustix::process::geteuid().is_root() {
            let uid = id_of("/etc/passwd", "nobody");
            let (group, gid) = ["nogroup", "nobody"]
                .into_iter()
                .find_map(|g| Some((g.to_owned(), lookup("/etc/group", g)?)))
                .expect("a group nogroup or nobody in /etc/group");
            return RunAs {
                user: "nobody".into(),
                group,
                switch_to: Some((uid, gid)),
            };
        }
        let id = |flag: &str| {
            let out = std::process::Command::new("id")
                .arg(flag)
                .output()
                .expect("run id");
            String::from_utf8(out.stdout)
                .expect("id prints UTF-8")
                .trim()
                .to_owned()
        };
        RunAs {
            user: id("-un"),
            group: id("-gn"),
            switch_to: None,
        }
    }
}

fn id_of(file: &str, name: &str) -> u32 {
    lookup(file, name).unwrap_or_else(|| panic!("no {name} in {file}"))
}

/// The numeric id (third field) of `name` in a passwd or group file.
fn lookup(file: &str, name: &str) -> Option<u32> {
    std::fs::read_to_string(file)
        .ok()?
        .lines()
        .find_map(|line| {
            let mut fields = line.split(':');
            (fields.next()? == name).then(|| fields.nth(1)?.parse().ok())?
        })
}

pub(super) struct Config<'a> {
    pub dir: &'a Path,
    pub ports: Ports,
    pub run_as: &'a RunAs,
    /// The identity provider's RFC 7662 introspection endpoint: then the
    /// server takes OAuth2 tokens (XOAUTH2, OAUTHBEARER) only, and no
    /// password at all.
    pub introspect_url: Option<&'a str>,
}

/// The oauth2 passdb's settings file (Dovecot 2.3): each token is POSTed
/// as `token=` to the identity provider's introspection endpoint, and only
/// an answer with `"active": true` whose `username` is the login lets the
/// user in.
pub(super) fn oauth2_args(introspect_url: &str) -> String {
    format!(
        "introspection_mode = post\n\
         introspection_url = {introspect_url}\n\
         force_introspection = yes\n\
         username_attribute = username\n\
         active_attribute = active\n\
         active_value = true\n"
    )
}

impl Config<'_> {
    pub(super) fn render(&self) -> String {
        let dir = self.dir.display();
        let Ports {
            imaps,
            imap,
            pop3s,
            pop3,
            imap_localhost,
            pop3_localhost,
        } = self.ports;
        let RunAs { user, group, .. } = self.run_as;
        // OAuth2: one long-lived login process per protocol, connected to
        // the auth process once (the fixture waits for that). A login
        // process per connection, Dovecot's default, greets "Waiting for
        // authentication process" now and then under load, and meanwhile
        // holds the client's input in 1 KiB: a client that sends an
        // Entra-sized AUTHENTICATE line before the greeting (the tests'
        // `openssl s_client`) is then told "Input buffer full".
        let login_processes = match self.introspect_url {
            None => "",
            Some(_) => "  service_count = 0\n  process_min_avail = 1\n",
        };
        let (mechanisms, passdb) = match self.introspect_url {
            None => (
                "plain login",
                format!(
                    "passdb {{\n  driver = passwd-file\n  \
                     args = scheme=PLAIN username_format=%u {dir}/passwd\n}}"
                ),
            ),
            // PLAIN stays offered, so that a password is refused by the
            // passdbs rather than never sent: no passdb takes it.
            Some(_) => (
                "plain xoauth2 oauthbearer",
                format!(
                    "passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  \
                     args = {dir}/oauth2.conf.ext\n}}"
                ),
            ),
        };
        format!(
            r#"# Written by the mailcred tests; nothing else is read.
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1

ssl = required
ssl_cert = <{dir}/cert.pem
ssl_key = <{dir}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = {mechanisms}

# Failures answered at once: the default 2 s, and the half-second timer
# that flushes delayed failures even at 0, would slow every negative test.
auth_failure_delay = 0
# The log is the tests' evidence: each refused password is written out.
auth_verbose = yes
auth_verbose_passwords = plain

default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1

# First a passdb that authenticates nobody and only sets `nodelay`, which
# a failing passdb's own fields (rolled back on failure) cannot carry.
passdb {{
  driver = static
  args = noauthenticate nodelay=yes
  result_success = continue
}}
{passdb}
userdb {{
  driver = static
  args = uid={user} gid={group} home={dir}/home/%u
}}
mail_location = maildir:~/Maildir

# Unprivileged: no chroot, which needs root.
service imap-login {{
  chroot =
{login_processes}  inet_listener imap {{
    address = {STARTTLS_HOST}
    port = {imap}
  }}
  inet_listener imaps {{
    port = {imaps}
    ssl = yes
  }}
  inet_listener imap_localhost {{
    port = {imap_localhost}
  }}
}}
service pop3-login {{
  chroot =
{login_processes}  inet_listener pop3 {{
    address = {STARTTLS_HOST}
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = {pop3s}
    ssl = yes
  }}
  inet_listener pop3_localhost {{
    port = {pop3_localhost}
  }}
}}
# No penalty per address after failed logins: every test's clients come
# from 127.0.0.1, and the penalty would add seconds to each negative case.
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"#
        )
    }
}

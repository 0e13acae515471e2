# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mailcred_global_optspecs
    string join \n h/help V/version
end

function __fish_mailcred_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_mailcred_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_mailcred_using_subcommand
    set -l cmd (__fish_mailcred_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c mailcred -n "__fish_mailcred_needs_command" -s h -l help -d 'Print help'
complete -c mailcred -n "__fish_mailcred_needs_command" -s V -l version -d 'Print version'
complete -c mailcred -n "__fish_mailcred_needs_command" -f -a "add" -d 'Add a mail account and store its app password (prompted, or --password-stdin), or sign in with OAuth2 (--auth oauth2)'
complete -c mailcred -n "__fish_mailcred_needs_command" -f -a "login" -d 'Sign in to an OAuth2 account again (its refresh token expired or was revoked, or new scopes), or switch an app-password account to OAuth2 (--auth oauth2 --client-id ID)'
complete -c mailcred -n "__fish_mailcred_needs_command" -f -a "get" -d 'Print an account\'s password (or OAuth2 access token, refreshed when it has less than 5 minutes left) and a newline (for msmtp\'s passwordeval, neomutt backticks). Never reads stdin'
complete -c mailcred -n "__fish_mailcred_needs_command" -f -a "list" -d 'List the accounts and their endpoints (never a secret)'
complete -c mailcred -n "__fish_mailcred_needs_command" -f -a "show" -d 'Show one account (never a secret)'
complete -c mailcred -n "__fish_mailcred_needs_command" -f -a "remove" -d 'Remove an account and its stored password or tokens'
complete -c mailcred -n "__fish_mailcred_needs_command" -f -a "set-password" -d 'Replace an account\'s stored password (prompted, or --password-stdin)'
complete -c mailcred -n "__fish_mailcred_needs_command" -f -a "neomutt" -d 'neomutt\'s account_command: print username, login and password lines for the account on that server'
complete -c mailcred -n "__fish_mailcred_needs_command" -f -a "config" -d 'Print a configuration snippet for msmtp, neomutt, git, mutt, mbsync, OfflineIMAP, getmail6, aerc or himalaya'
complete -c mailcred -n "__fish_mailcred_needs_command" -f -a "import" -d 'Find the plaintext mail passwords in msmtp\'s, git\'s, mbsync\'s, neomutt\'s… files and move them into the keyring (a dry run unless --apply)'
complete -c mailcred -n "__fish_mailcred_needs_command" -f -a "configure" -d 'Write an account\'s git send-email settings with git config'
complete -c mailcred -n "__fish_mailcred_needs_command" -f -a "git" -d 'Act as git\'s credential helper: `mailcred git get` is `git-credential-mailcred get`'
complete -c mailcred -n "__fish_mailcred_needs_command" -f -a "doctor" -d 'Check that the keyring works, by storing, reading and deleting a throwaway secret (for OpenBao, first the server, the token\'s time left and its policies)'
complete -c mailcred -n "__fish_mailcred_needs_command" -f -a "test" -d 'Log in to every server of an account (SMTP, IMAP, POP) with the stored password, over TLS; sends and fetches nothing (runs mailcred-smtp, from the mailcred-lettre package)'
complete -c mailcred -n "__fish_mailcred_needs_command" -f -a "send" -d 'Send the message on stdin like sendmail, through the account whose user is its From: address (runs mailcred-smtp, from the mailcred-lettre package)'
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l provider -d 'The mail provider; presets its server, port and security' -r -f -a "office365\t'Microsoft 365 (work or school accounts)'
outlook\t'Outlook.com, Hotmail, Live (personal Microsoft accounts)'
gmail\t'Gmail and Google Workspace'
icloud\t'iCloud Mail'
fastmail\t'Fastmail'
yahoo\t'Yahoo Mail'
zoho\t'Zoho Mail'
custom\t'Any other server: give --host, --imap-host or --pop-host'"
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l user -d 'The login, usually the e-mail address' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l host -d 'SMTP server, overriding the preset (for --provider custom: give it to send mail)' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l port -d 'SMTP port' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l security -d 'SMTP connection security' -r -f -a "starttls\t'Plain connection upgraded with STARTTLS (usually port 587)'
tls\t'TLS from the first byte (usually port 465)'
none-dangerous\t'No encryption at all: the password crosses the network in clear text. Only for a relay on this machine'"
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l imap-host -d 'IMAP server, overriding the preset (for --provider custom: give it to read mail over IMAP)' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l imap-port -d 'IMAP port (993 under TLS, 143 with STARTTLS)' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l imap-security -d 'IMAP connection security' -r -f -a "tls\t'TLS from the first byte (usually port 993)'
starttls\t'Plain connection upgraded with STARTTLS (usually port 143)'"
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l imap-login -d 'The IMAP login, when it is not --user (iCloud may take the name without @icloud.com)' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l pop-host -d 'POP server, overriding the preset (implies --pop)' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l pop-port -d 'POP port (995 under TLS, 110 with STARTTLS)' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l pop-security -d 'POP connection security' -r -f -a "tls\t'TLS from the first byte (usually port 995)'
starttls\t'Plain connection upgraded with STARTTLS (usually port 110)'"
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l pop-login -d 'The POP login, when it is not --user' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l auth -d 'How the account signs in: an app password, or OAuth2 (signs in now, in the browser or with --device)' -r -f -a "password\t'An app password, kept in the keyring (the default)'
oauth2\t'OAuth2: sign in once in the browser; the tokens are kept in the keyring and refreshed when needed'"
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l client-id -d 'The app (client id) that signs in: register your own, as the README\'s "OAuth2: registering a client id" says; mailcred has none of its own' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l tenant -d 'Microsoft 365: the tenant (id or domain); `organizations` by default' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l oauth-authorize-url -d 'The authorization endpoint, overriding the provider\'s (for --provider custom: required). https://, or http:// to this machine' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l oauth-token-url -d 'The token endpoint, overriding the provider\'s (for --provider custom: required)' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l oauth-device-url -d 'The device authorization endpoint (RFC 8628), for --device' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l scope -d 'A scope to ask for; repeat for each. Given, these are exactly the scopes asked for (a refresh token needs offline_access at Microsoft)' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l pop -d 'Also record the provider\'s POP server (providers keep POP off until you turn it on)'
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l password-stdin -d 'Read the password from the first line of stdin instead of a prompt'
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l device -d 'Sign in with a code shown here, on another device\'s browser (the device flow; not for Gmail)'
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l no-browser -d 'Print the sign-in URL instead of opening a browser (SSH sessions), and accept the URL the browser was sent to pasted back here'
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l client-secret-stdin -d 'Read the client secret (Google desktop clients have one) from the first line of stdin instead of a prompt'
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -l allow-erase -d 'Let `git credential reject` (git send-email after a failed AUTH) erase the password. By default it is kept: an app password is shown once'
complete -c mailcred -n "__fish_mailcred_using_subcommand add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcred -n "__fish_mailcred_using_subcommand login" -l auth -d '`oauth2` switches an app-password account to OAuth2; its app password is removed only once the sign-in worked' -r -f -a "password\t'An app password, kept in the keyring (the default)'
oauth2\t'OAuth2: sign in once in the browser; the tokens are kept in the keyring and refreshed when needed'"
complete -c mailcred -n "__fish_mailcred_using_subcommand login" -l client-id -d 'The app (client id) that signs in: register your own, as the README\'s "OAuth2: registering a client id" says; mailcred has none of its own' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand login" -l tenant -d 'Microsoft 365: the tenant (id or domain); `organizations` by default' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand login" -l oauth-authorize-url -d 'The authorization endpoint, overriding the provider\'s (for --provider custom: required). https://, or http:// to this machine' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand login" -l oauth-token-url -d 'The token endpoint, overriding the provider\'s (for --provider custom: required)' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand login" -l oauth-device-url -d 'The device authorization endpoint (RFC 8628), for --device' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand login" -l scope -d 'A scope to ask for; repeat for each. Given, these are exactly the scopes asked for (a refresh token needs offline_access at Microsoft)' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand login" -l device -d 'Sign in with a code shown here, on another device\'s browser (the device flow; not for Gmail)'
complete -c mailcred -n "__fish_mailcred_using_subcommand login" -l no-browser -d 'Print the sign-in URL instead of opening a browser (SSH sessions), and accept the URL the browser was sent to pasted back here'
complete -c mailcred -n "__fish_mailcred_using_subcommand login" -l client-secret-stdin -d 'Read the client secret (Google desktop clients have one) from the first line of stdin instead of a prompt'
complete -c mailcred -n "__fish_mailcred_using_subcommand login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcred -n "__fish_mailcred_using_subcommand get" -s h -l help -d 'Print help'
complete -c mailcred -n "__fish_mailcred_using_subcommand list" -l json -d 'Print JSON'
complete -c mailcred -n "__fish_mailcred_using_subcommand list" -l names -d 'Print only the names, one a line (for shell completion)'
complete -c mailcred -n "__fish_mailcred_using_subcommand list" -s h -l help -d 'Print help'
complete -c mailcred -n "__fish_mailcred_using_subcommand show" -l json -d 'Print JSON'
complete -c mailcred -n "__fish_mailcred_using_subcommand show" -s h -l help -d 'Print help'
complete -c mailcred -n "__fish_mailcred_using_subcommand remove" -s y -l yes -d 'Do not ask for confirmation'
complete -c mailcred -n "__fish_mailcred_using_subcommand remove" -s h -l help -d 'Print help'
complete -c mailcred -n "__fish_mailcred_using_subcommand set-password" -l password-stdin -d 'Read the password from the first line of stdin instead of a prompt'
complete -c mailcred -n "__fish_mailcred_using_subcommand set-password" -s h -l help -d 'Print help'
complete -c mailcred -n "__fish_mailcred_using_subcommand neomutt" -l hostname -d 'The server neomutt connects to (no port)' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand neomutt" -l username -d 'The login neomutt knows, if any' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand neomutt" -l type -d 'The protocol: smtp, imap or pop, with an `s` under TLS (smtps, imaps, pops). Answered for the account\'s endpoint of that protocol; nntp is not served' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand neomutt" -s h -l help -d 'Print help'
complete -c mailcred -n "__fish_mailcred_using_subcommand config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcred -n "__fish_mailcred_using_subcommand import" -l prefer -d 'Where files disagree on a password: FILE:LINE of the right one, or the name of the account whose stored password is right' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand import" -l file -d 'Read only this file, in this format (msmtp, netrc, authinfo, fetchmail, git-credentials, gitconfig, mbsync, neomutt, mutt, aerc, offlineimap, getmail), instead of the usual places. Repeatable' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand import" -l apply -d 'Store the passwords and rewrite the files to ask mailcred. Without it, only show what would be done'
complete -c mailcred -n "__fish_mailcred_using_subcommand import" -l keep-backups -d 'Keep each rewritten file\'s old text next to it (FILE.mailcred-backup, readable by you only). It still holds the passwords'
complete -c mailcred -n "__fish_mailcred_using_subcommand import" -l all -d 'Also import git-credential-store\'s passwords of other servers (https…), as git credentials'
complete -c mailcred -n "__fish_mailcred_using_subcommand import" -s h -l help -d 'Print help'
complete -c mailcred -n "__fish_mailcred_using_subcommand configure" -l local -d 'Write to the current repository instead of ~/.gitconfig'
complete -c mailcred -n "__fish_mailcred_using_subcommand configure" -l global -d 'Write to ~/.gitconfig (the default)'
complete -c mailcred -n "__fish_mailcred_using_subcommand configure" -s h -l help -d 'Print help'
complete -c mailcred -n "__fish_mailcred_using_subcommand git" -s h -l help -d 'Print help'
complete -c mailcred -n "__fish_mailcred_using_subcommand git" -s V -l version -d 'Print version'
complete -c mailcred -n "__fish_mailcred_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c mailcred -n "__fish_mailcred_using_subcommand test" -l ca-file -d 'Also trust this CA certificate (a self-signed server)' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand test" -s h -l help -d 'Print this help'
complete -c mailcred -n "__fish_mailcred_using_subcommand send" -l account -d 'Send with this account, whatever the From: address' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand send" -l ca-file -d 'Also trust this CA certificate (a self-signed server)' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand send" -s f -d 'The envelope sender (by default the From: address; \'\' or \'<>\' for none); also spelled -r' -r
complete -c mailcred -n "__fish_mailcred_using_subcommand send" -s t -l read-recipients -d 'Also send to the To, Cc and Bcc addresses of the message'
complete -c mailcred -n "__fish_mailcred_using_subcommand send" -s i -d 'A line holding only "." does not end the message; also spelled -oi'
complete -c mailcred -n "__fish_mailcred_using_subcommand send" -l help -d 'Print this help'

# Account names for the arguments that take one, from `mailcred list --names`
# (names only, never a secret).
function __fish_mailcred_account_at
    # Whether the word being completed is positional $argv[1] of subcommand $argv[2].
    set -l cmd (commandline -opc)
    test (count $cmd) -ge 2; and test "$cmd[2]" = "$argv[2]"; or return 1
    set -l n 1
    for i in (seq 3 (count $cmd))
        string match -q -- '-*' $cmd[$i]; or set n (math $n + 1)
    end
    test $n -eq $argv[1]
end
complete -c mailcred -n "__fish_mailcred_account_at 1 login" -f -a "(mailcred list --names 2>/dev/null)" -d 'mail account'
complete -c mailcred -n "__fish_mailcred_account_at 1 get" -f -a "(mailcred list --names 2>/dev/null)" -d 'mail account'
complete -c mailcred -n "__fish_mailcred_account_at 1 show" -f -a "(mailcred list --names 2>/dev/null)" -d 'mail account'
complete -c mailcred -n "__fish_mailcred_account_at 1 remove" -f -a "(mailcred list --names 2>/dev/null)" -d 'mail account'
complete -c mailcred -n "__fish_mailcred_account_at 1 set-password" -f -a "(mailcred list --names 2>/dev/null)" -d 'mail account'
complete -c mailcred -n "__fish_mailcred_account_at 2 config" -f -a "(mailcred list --names 2>/dev/null)" -d 'mail account'
complete -c mailcred -n "__fish_mailcred_account_at 2 configure" -f -a "(mailcred list --names 2>/dev/null)" -d 'mail account'
complete -c mailcred -n "__fish_mailcred_account_at 1 test" -f -a "(mailcred list --names 2>/dev/null)" -d 'mail account'
complete -c mailcred -n "__fish_mailcred_using_subcommand send" -l account -x -a "(mailcred list --names 2>/dev/null)" -d 'mail account'

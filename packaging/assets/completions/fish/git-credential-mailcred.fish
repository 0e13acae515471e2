complete -c git-credential-mailcred -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-credential-mailcred -s V -l version -d 'Print version'

# shellcheck shell=bash
# The checks packaging/test and packaging/test-release share. Sourced, not
# run, from the top of the source tree, after scripts/lib.sh.

# The programs every package installs in bin/: mailcred's two and the
# companions it runs (COMPANIONS below).
BINARIES="mailcred git-credential-mailcred mailcred-smtp mailcred-oauth"
# The files every package installs, relative to its prefix, given where the
# platform puts bash and zsh completions.
expected_files() {
    local bash_dir=$1 zsh_dir=$2 f
    for f in $BINARIES; do echo "bin/$f"; done
    for f in packaging/assets/man/*.1; do echo "share/man/man1/${f##*/}"; done
    for f in packaging/assets/completions/bash/*; do echo "$bash_dir/${f##*/}"; done
    for f in packaging/assets/completions/zsh/*; do echo "$zsh_dir/${f##*/}"; done
    for f in packaging/assets/completions/fish/*; do echo "share/fish/vendor_completions.d/${f##*/}"; done
}
# Compares a package's file list (stdin: paths relative to the prefix) with
# the expected one. Man pages may be gzipped; docs and licences are checked
# separately, per platform.
check_files() {
    local what=$1 bash_dir=$2 zsh_dir=$3
    local actual
    actual=$(sed -E 's#^\./##; s#^/##; s#\.gz$##' | grep -Ev '^(share/doc|share/licenses|lib/\.build-id)(/|$)' | sort)
    if ! diff -u <(expected_files "$bash_dir" "$zsh_dir" | sort) <(printf '%s\n' "$actual") >&2; then
        die "$what installs other files than packaging/assets lists (- expected, + in the package)"
    fi
}
# The companion binaries `mailcred` runs, each its own crate's: mailcred-smtp
# (mailcred-lettre) for `test` and `send`, mailcred-oauth (mailcred-oauth)
# for OAuth2 sign-in and token refresh. Every package ships them beside
# mailcred; "crate:binary" pairs.
COMPANIONS="mailcred-lettre:mailcred-smtp mailcred-oauth:mailcred-oauth"
# Whether a recipe's build command (the lines of the file matching the second
# argument) builds every companion crate too: packaging/test runs the
# recipes' install steps on its own release build, so a recipe that forgets
# one would pass there and ship without it.
require_companion_builds() {
    local file=$1 pattern=$2 lines companion
    lines=$(grep -E "$pattern" "$file") || die "$file has no line matching '$pattern'"
    for companion in $COMPANIONS; do
        grep -qE -- "(-p|--package)[ =]+\"?${companion%%:*}([^a-z-]|\$)|--workspace" <<<"$lines" \
            || die "$file does not build ${companion%%:*} (${companion#*:}): $lines"
    done
}
# Whether every path named after the first argument is in the list on stdin.
require_paths() {
    local what=$1 list path
    shift
    list=$(cat)
    for path in "$@"; do
        grep -qxF "$path" <<<"$list" || die "$what lacks $path"
    done
}

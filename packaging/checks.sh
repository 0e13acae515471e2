# shellcheck shell=bash
# The checks packaging/test and packaging/test-release share. Sourced, not
# run, from the top of the source tree, after scripts/lib.sh.

# The programs every package installs in bin/: mailcred's two and the
# companions it runs (COMPANIONS below).
BINARIES="mailcred git-credential-mailcred mailcred-smtp mailcred-oauth mailcred-openbao"
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
# for OAuth2 sign-in and token refresh, mailcred-openbao (mailcred-openbao)
# for the openbao store. Every package ships them beside mailcred;
# "crate:binary" pairs.
COMPANIONS="mailcred-lettre:mailcred-smtp mailcred-oauth:mailcred-oauth mailcred-openbao:mailcred-openbao"
# Whether a recipe's build command (the lines of the file matching the second
# argument) builds every companion crate too: packaging/test runs the
# recipes' install steps on its own release build, so a recipe that forgets
# one would pass there and ship without it.
require_companion_builds() {
    local file=$1 pattern=$2 what=${3:-$1} lines companion
    lines=$(grep -E "$pattern" "$file") || die "$what has no line matching '$pattern'"
    for companion in $COMPANIONS; do
        grep -qE -- "(-p|--package)[ =]+\"?${companion%%:*}([^a-z-]|\$)|--workspace" <<<"$lines" \
            || die "$what does not build ${companion%%:*} (${companion#*:}): $lines"
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
# Whether every recipe, the workflows and the cross-builds name every binary
# and companion crate, read from the committed files: the package checks
# build only what packaging/test can build here (no Windows zip for Scoop or
# winget, no macOS runner, no Fedora or Arch build), so a recipe that
# forgets a companion would otherwise pass and ship without it.
check_recipes_name_every_binary() {
    local companion crate bin dir pattern
    require_companion_builds packaging/arch/PKGBUILD '^ *cargo (build|test) '
    require_companion_builds packaging/rpm/mailcred.spec '^cargo (build|test) '
    require_companion_builds .github/workflows/release.yml 'cargo build '
    require_companion_builds <(declare -f build_windows_binaries) 'cargo build ' \
        "build_windows_binaries (scripts/lib.sh), the Wine tests' cross-build"
    while read -r pattern; do
        require_companion_builds .github/workflows/ci.yml "$pattern"
    done <<<$'cargo test --locked\ncargo build --locked --target x86_64-apple-darwin'
    for companion in $COMPANIONS; do
        crate=${companion%%:*}
        grep -qE "cargoBuildFlags = .*\"-p\" \"$crate\"" packaging/nix/package.nix \
            || die "packaging/nix/package.nix's cargoBuildFlags do not build $crate"
        dir=$(cargo metadata --format-version 1 --no-deps --offline | python3 -c '
import json, os, sys
crate = sys.argv[1]
meta = json.load(sys.stdin)
path = next(p["manifest_path"] for p in meta["packages"] if p["name"] == crate)
print(os.path.relpath(os.path.dirname(path)))' "$crate")
        grep -qF "std_cargo_args(path: \"$dir\")" packaging/homebrew/mailcred.rb \
            || die "the Homebrew formula does not cargo install $crate (path: \"$dir\")"
        grep -qE "for crate in (.* )?$crate( |;|\$)" .github/workflows/release.yml \
            || die ".github/workflows/release.yml does not publish $crate to crates.io"
    done
    for bin in $BINARIES; do
        grep -qF "target/release/$bin\"" helper/Cargo.toml || die "the .deb (helper/Cargo.toml) does not install $bin"
        grep -qF "target/release/$bin" packaging/arch/PKGBUILD || die "the PKGBUILD does not install $bin"
        grep -qF "%{built}/$bin" packaging/rpm/mailcred.spec || die "the RPM spec does not install $bin"
        grep -qxF "%{_bindir}/$bin" packaging/rpm/mailcred.spec || die "the RPM spec's %files lack $bin"
        grep -qF "\"$bin.exe\"" packaging/scoop/mailcred.json || die "the Scoop manifest does not name $bin.exe"
        grep -qF "\\$bin.exe" packaging/winget/Mailcred.Mailcred.installer.yaml \
            && grep -qxF "    PortableCommandAlias: $bin" packaging/winget/Mailcred.Mailcred.installer.yaml \
            || die "the winget manifest does not put $bin.exe on PATH"
        grep -qF "\"$bin\"" packaging/binary-archive || die "packaging/binary-archive does not pack $bin"
        grep -qF "\"$bin.exe\"" tests/src/wine.rs || die "the Wine tests (tests/src/wine.rs) do not require $bin.exe"
        grep -qE "for bin in (.* )?$bin( |;|\$)" .github/workflows/release.yml \
            || die "the macOS universal build (.github/workflows/release.yml) does not lipo $bin"
        [ -f "packaging/assets/man/$bin.1" ] || die "$bin has no man page in packaging/assets/man (lintian's no-manual-page)"
    done
}

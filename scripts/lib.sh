# Shared by scripts/demo and scripts/test. Sourced, not run.

# Debian packages the build needs: a C compiler for ring (TLS in mailcred-smtp).
# The Secret Service store speaks D-Bus in Rust (zbus): no libdbus headers.
BUILD_PACKAGES="gcc libc6-dev"
# Packages that make a private, headless Secret Service possible.
KEYRING_PACKAGES="dbus dbus-x11 gnome-keyring libsecret-tools keyutils"
# The real mail tools and what the test SMTP server and git send-email need.
MAIL_TEST_PACKAGES="msmtp neomutt openssl python3-venv libauthen-sasl-perl libio-socket-ssl-perl time"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

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
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} by hand"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Whether a Secret Service answers on the current session bus.
secret_service_running() {
    [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || return 1
    dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
        | grep -q 'boolean true'
}

# Starts gnome-keyring's Secret Service, unlocked with a throwaway password,
# on the current (private) session bus. A non-empty password is required: an
# empty one creates no login collection and the first write fails.
start_headless_keyring() {
    local password="${1:-mailcred-headless}"
    printf '%s' "$password" \
        | gnome-keyring-daemon --daemonize --unlock --components=secrets >/dev/null
    local i
    for i in $(seq 50); do
        secret_service_running && return 0
        sleep 0.1
    done
    die "gnome-keyring-daemon did not appear on the session bus"
}

# NeoMutt gained account_command in 2022-11; Debian 12 ships 20220429. The
# tests run both: the system neomutt (backticks) and, for account_command, a
# newer one. Prints the path of the newer one. On bookworm it is Debian's own
# bookworm-backports package, unpacked under target/ beside the system one
# rather than installed over it.
ensure_new_neomutt() {
    local dir="$PWD/target/neomutt-backports"
    local bin="$dir/usr/bin/neomutt"
    # -Q exits 1 even when it prints the variable; its output tells.
    has_account_command() {
        local shown
        shown=$("$1" -n -F /dev/null -Q account_command 2>/dev/null || true)
        grep -q '^set account_command' <<<"$shown"
    }
    if [ -x "$bin" ] && has_account_command "$bin"; then
        echo "$bin"; return 0
    fi
    if has_account_command "$(command -v neomutt)"; then
        command -v neomutt; return 0
    fi
    local codename
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    [ "$codename" = bookworm ] \
        || die "neomutt has no account_command and this is not Debian 12: install NeoMutt 2022-11 or later"
    # The mirror the machine already uses, with the backports suite.
    local uri
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list)
    [ -n "$uri" ] || die "cannot find the Debian mirror in the apt sources"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    local list=/etc/apt/sources.list.d/mailcred-tests-backports.list
    log "fetching neomutt from bookworm-backports (for the account_command tests)"
    echo "deb $uri bookworm-backports main" | $sudo tee "$list" >/dev/null
    $sudo apt-get update -qq
    local work
    work=$(mktemp -d)
    chmod 777 "$work"
    (cd "$work" && apt-get download -qq neomutt/bookworm-backports 2>/dev/null)
    $sudo rm -f "$list"
    $sudo apt-get update -qq
    rm -rf "$dir"
    mkdir -p "$dir"
    dpkg-deb -x "$work"/neomutt_*.deb "$dir"
    rm -rf "$work"
    # Its libraries, from bookworm itself.
    ensure_packages liblmdb0 libgsasl18 libnotmuch5 libgpgme11 liblua5.4-0 libtokyocabinet9
    if ldd "$bin" | grep -q 'not found'; then
        die "neomutt from bookworm-backports misses libraries: $(ldd "$bin" | grep 'not found' | tr '\n' ' ')"
    fi
    has_account_command "$bin" || die "neomutt from bookworm-backports has no account_command"
    echo "$bin"
}

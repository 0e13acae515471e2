# Shared by scripts/demo and scripts/test. Sourced, not run.

# Debian packages the build needs (libdbus for the Secret Service store).
BUILD_PACKAGES="pkg-config libdbus-1-dev"
# Packages that make a private, headless Secret Service possible.
KEYRING_PACKAGES="dbus dbus-x11 gnome-keyring libsecret-tools"
# The real mail tools and what the test SMTP server and git send-email need.
MAIL_TEST_PACKAGES="msmtp neomutt openssl python3-venv libauthen-sasl-perl libio-socket-ssl-perl"

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

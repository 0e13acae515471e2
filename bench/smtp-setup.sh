# shellcheck shell=bash
# What the SMTP benchmarks share, sourced after scripts/lib.sh:
#   outside their `dbus-run-session`: smtp_bench_prepare [more cargo build arguments]
#   inside it:                         smtp_bench_start
# smtp_bench_start makes a throwaway HOME with a private headless
# gnome-keyring, starts the tests' SMTP server (tests/smtp-server/server.py,
# aiosmtpd) on 127.0.0.1 with STARTTLS, a throwaway certificate and AUTH
# required, adds the account `work` to mailcred with its password in the
# keyring, and writes an msmtprc for it. It sets work, release, port, user,
# password, cert and msmtprc; `delivered` counts the messages the server took.

smtp_bench_prepare() {
    # shellcheck disable=SC2086 # one package a word
    ensure_packages $BUILD_PACKAGES $KEYRING_PACKAGES msmtp openssl python3-venv hyperfine
    tests/smtp-server/setup >/dev/null
    cargo build --quiet --release -p mailcred -p mailcred-lettre "$@"
}

smtp_bench_start() {
    work=$(mktemp -d)
    on_exit "rm -rf '$work'"
    export HOME="$work/home" XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config"
    mkdir -p "$HOME"
    start_headless_keyring
    release="$PWD/target/release"
    user=alice@example.org
    password="abcd efgh ijkl mnop"
    cert="$work/cert.pem"

    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -addext "basicConstraints=critical,CA:FALSE" \
        -days 1 -keyout "$work/key.pem" -out "$cert" 2>/dev/null
    printf '{"%s": "%s"}' "$user" "$password" >"$work/accounts.json"
    : >"$work/log.jsonl"
    coproc SERVER { exec target/smtp-venv/bin/python tests/smtp-server/server.py --port 0 --mode starttls \
        --cert "$cert" --key "$work/key.pem" --accounts "$work/accounts.json" --log "$work/log.jsonl"; }
    on_exit "kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null"
    local ready
    read -r ready port <&"${SERVER[0]}"
    [ "$ready" = READY ] || die "the SMTP server did not start"

    printf '%s\n' "$password" | "$release/mailcred" add work --provider custom --host 127.0.0.1 \
        --port "$port" --security starttls --user "$user" --password-stdin >/dev/null 2>&1 \
        || die "mailcred add work failed"

    msmtprc="$work/msmtprc"
    cat >"$msmtprc" <<RC
account work
host 127.0.0.1
port $port
tls on
tls_starttls on
tls_trust_file $cert
auth plain
user $user
from $user
passwordeval "$release/mailcred get work"
RC
    chmod 600 "$msmtprc"
}

delivered() { grep -c '"event": "message"' "$work/log.jsonl" || true; }

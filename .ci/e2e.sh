#!/usr/bin/env bash
# End-to-end browser test: builds kuzot, serves a fresh data directory on a free local
# port, and runs e2e/browser_test.mjs (playwright-core driving Debian's Chromium) against
# it. Needs node 20 + npm; installs chromium with apt-get when missing (CI runs as root).
# Exits with the test's status; the server is always stopped.
set -euo pipefail
cd "$(dirname "$0")/.."

export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
    echo "e2e: installing chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
"$CHROMIUM" --version 2>/dev/null

# The lock file pins playwright-core; it drives the system Chromium, so no browser
# download is wanted.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm ci --prefix e2e --no-audit --no-fund --loglevel=error

# KUZOT_BIN: a kuzot binary already built (CI passes the one `cargo test` built, to
# spare a second, release build); otherwise build a release binary.
if [ -n "${KUZOT_BIN:-}" ]; then
    kuzot="$KUZOT_BIN"
else
    cargo build --release --locked -p kuzot-cli
    kuzot="${CARGO_TARGET_DIR:-target}/release/kuzot"
fi
[ -x "$kuzot" ] || { echo "e2e: no kuzot binary at $kuzot" >&2; exit 1; }

tmp="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        { wait "$server_pid"; } 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

: >"$tmp/server.out"
: >"$tmp/server.err"
# Port 0: the kernel picks a free port and the server prints the address it got.
# No KUZOT_* settings from the caller's environment leak into this throwaway instance.
env -u KUZOT_DATA -u KUZOT_CONFIG -u KUZOT_LISTEN -u KUZOT_SECURE_COOKIES \
    "$kuzot" --data-dir "$tmp/data" serve --listen 127.0.0.1:0 \
    >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!

url=""
setup_link=""
for _ in $(seq 1 300); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "e2e: the server exited early:" >&2
        cat "$tmp/server.err" >&2
        exit 1
    fi
    url="$(sed -n 's|^kuzot is serving .* on \(http://[^/]*\)/$|\1|p' "$tmp/server.out" | head -n 1)"
    setup_link="$(sed -n 's|^ *\(http://[^ ]*/setup/[^ ]*\)$|\1|p' "$tmp/server.out" | head -n 1)"
    [ -n "$url" ] && [ -n "$setup_link" ] && break
    sleep 0.1
done
if [ -z "$url" ] || [ -z "$setup_link" ]; then
    echo "e2e: the server did not print its address and setup link within 30 s" >&2
    cat "$tmp/server.err" >&2
    exit 1
fi
echo "e2e: server at $url"

status=0
KUZOT_URL="$url" KUZOT_SETUP_LINK="$setup_link" timeout 240 node e2e/browser_test.mjs || status=$?
if [ "$status" -ne 0 ]; then
    echo "e2e: failed ($status); server log:" >&2
    tail -n 50 "$tmp/server.err" >&2
fi
exit "$status"

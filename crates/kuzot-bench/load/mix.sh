#!/usr/bin/env bash
# The hardening probe's mix (issue 13): `kuzot serve` over a store of N messages, searched by
# CONNS connections for DURATION through a mix of search shapes while an import of IMPORT
# more messages runs into the same store; reports requests, errors, p50/p99 and the
# server's peak memory.
#
# Usage:  crates/kuzot-bench/load/mix.sh                 (N=300000, IMPORT=200000, 64 conns, 60 s)
# Knobs: N, IMPORT, CONNS (64), THREADS (wrk threads, 2), DURATION (60s), WORK
# (/work/loadtest-mix), PORT (18070), SEED (1; the import uses SEED+1), BIN
# (/work/target-release/release).
# Needs: wrk (apt-get install -y wrk).
#
# The store is built once per N (with analysis, as `kuzot ingest` does by default) and kept;
# each run copies it, so that every run starts from the same store. Results go to
# $WORK/results-mix-N-<time>/: summary.md, wrk.txt, import.json, server.log.
set -euo pipefail

N=${N:-300000}
IMPORT=${IMPORT:-200000}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
DURATION=${DURATION:-60s}
WORK=${WORK:-/work/loadtest-mix}
PORT=${PORT:-18070}
SEED=${SEED:-1}
BIN=${BIN:-/work/target-release/release}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=session.sh
source "$HERE/session.sh"
KUZOT=$BIN/kuzot
BENCH=$BIN/kuzot-bench
BASE=http://127.0.0.1:$PORT
OUT=$WORK/results-mix-$N-$(date -u +%Y%m%dT%H%M%SZ)
STORE=$WORK/store-$N
RUN=$OUT/data

for tool in "$KUZOT" "$BENCH"; do
  [[ -x $tool ]] || { echo "missing $tool: CARGO_TARGET_DIR=${BIN%/release} cargo build --release -p kuzot-cli -p kuzot-bench" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "wrk not found (apt-get install -y wrk)" >&2; exit 1; }
mkdir -p "$WORK" "$OUT"
echo "results in $OUT"
log() { echo "$*" | tee -a "$OUT/summary.md"; }

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

export_of() { # $1 = messages, $2 = seed, $3 = chat id (another chat's messages are new)
  local file=$WORK/export-$1-seed$2-chat$3.json
  if [[ ! -s $file ]]; then
    "$BENCH" generate --messages "$1" --seed "$2" --chat-id "$3" "$file.tmp" > /dev/null
    mv "$file.tmp" "$file"
  fi
  echo "$file"
}

# --- 1. The store, built once (a marker says it is complete) ------------------------------
if [[ ! -f $STORE/.mix-ingested ]]; then
  rm -rf "$STORE"
  mkdir -p -m 700 "$STORE"
  rc=0
  "$KUZOT" --data-dir "$STORE" --json ingest "$(export_of "$N" "$SEED" 1712345678)" > "$OUT/base-ingest.json" 2> "$OUT/base-ingest.err" || rc=$?
  [[ $rc == 0 || $rc == 1 ]] || { echo "ingest failed ($rc):" >&2; tail -5 "$OUT/base-ingest.err" >&2; exit 1; }
  touch "$STORE/.mix-ingested"
fi
IMPORT_FILE=$(export_of "$IMPORT" $((SEED + 1)) 1712345679)
cp -a "$STORE" "$RUN"
chmod 700 "$RUN"
rm -f "$RUN"/accounts.db*

log "# Search under load with an import running, N=$N, $(date -u +%FT%TZ), commit $(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo '?')"
log ""
log "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
log "store: $("$KUZOT" --data-dir "$RUN" --json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["documents"])') documents; import: $IMPORT generated messages of another chat (seed $((SEED + 1)))"

# --- 2. The server and a session ------------------------------------------------------------
"$KUZOT" --data-dir "$RUN" serve --listen "127.0.0.1:$PORT" > "$OUT/server.log" 2>&1 &
SERVER=$!
PIDS+=("$SERVER")
LINK=$(setup_link_of "$OUT/server.log" "$SERVER" 5)
first_admin_session "$LINK" "$BASE" "$OUT"

# The mix: common and rare words, a phrase, filters, newest first, a deep page, the API,
# an empty result.
urlencode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="/?=&"))' "$1"; }
PATHS=""
for p in "/search?q=оплата" "/search?q=патент" "/search?q=\"контрактную службу\"" \
  "/search?q=оплата&category=military_contract" "/search?q=оплата&sort=newest" \
  "/search?q=охранники вахта" "/search?q=оплата&page=20" "/api/v1/search?q=Москва" \
  "/search?q=Новосибирск" "/search?q=охран*"; do
  enc=$(urlencode "$p")
  code=$(curl -sS -o /dev/null -w '%{http_code}' -b "$KUZOT_COOKIE" "$BASE$enc")
  [[ $code == 200 ]] || { echo "$p: HTTP $code before the load" >&2; exit 1; }
  PATHS+="$enc"$'\n'
done

# --- 3. The import and the load at once -------------------------------------------------------
/usr/bin/time -f "%e %M" -o "$OUT/import.time" \
  "$KUZOT" --data-dir "$RUN" --json ingest "$IMPORT_FILE" > "$OUT/import.json" 2> "$OUT/import.err" &
IMPORTER=$!
PIDS+=("$IMPORTER")
line=$(WRK_LABEL=mix WRK_PATHS="$PATHS" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s --latency \
  -s "$HERE/percentiles.lua" "$BASE/" | tee "$OUT/wrk.txt" | grep '^RESULT') || true
import_running=no
kill -0 "$IMPORTER" 2>/dev/null && import_running=yes
rc=0
wait "$IMPORTER" || rc=$?
[[ $rc == 0 || $rc == 1 ]] || { echo "the import failed ($rc):" >&2; tail -5 "$OUT/import.err" >&2; exit 1; }
read -r import_secs import_kb < <(tail -1 "$OUT/import.time")
[[ -n $line ]] || { echo "wrk printed no RESULT line" >&2; cat "$OUT/wrk.txt" >&2; exit 1; }
get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$line"; }

log ""
log "| connections | duration | requests | req/s | p50 ms | p99 ms | max ms | non-2xx | socket errors | statuses |"
log "|---|---|---|---|---|---|---|---|---|---|"
log "| $CONNS | $DURATION | $(get requests) | $(get rps) | $(get p50_ms) | $(get p99_ms) | $(get max_ms) | $(get non2xx) | $(get socket_errors) | $(get statuses) |"
log ""
log "- the import of $IMPORT messages beside it: ${import_secs} s, peak RSS $((import_kb / 1024)) MiB, still running when the load ended: $import_running ($(python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["files"]; print(sum(x["added"] for x in f), "added,", sum(x["rejected"] for x in f), "rejected")' "$OUT/import.json" 2>/dev/null || echo "summary unreadable"))"
log "- server peak RSS: $(awk '/VmHWM/ { printf "%d MiB", $2 / 1024 }' "/proc/$SERVER/status"), now $(awk '/VmRSS/ { printf "%d MiB", $2 / 1024 }' "/proc/$SERVER/status")"
log "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$RUN"

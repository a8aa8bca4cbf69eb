#!/usr/bin/env bash
# Load test of `kuzot serve` over a generated store of N messages (see README.md).
#
# Usage:  N=1000000 crates/kuzot-bench/load/run.sh
# Knobs (environment): N (messages, default 20000), WORK (work dir, default /work/loadtest),
# PORT (default 18080), DURATION (per wrk run, default 25s), CONNS (wrk connection counts,
# default "1 2"), SEED (generator seed, default 1), BIN (release binaries,
# default /work/target-release/release), REINDEX=1 (time `kuzot reindex` even when the store
# is reused), ONLY (a regex: run only the targets whose label matches).
#
# Output: $WORK/results-N-<time>/ with summary.md (the table), wrk.txt (raw wrk output),
# build.txt (ingest/reindex/index figures) and server.log.
set -euo pipefail

N=${N:-20000}
WORK=${WORK:-/work/loadtest}
PORT=${PORT:-18080}
DURATION=${DURATION:-25s}
CONNS=${CONNS:-"1 2"}
SEED=${SEED:-1}
BIN=${BIN:-/work/target-release/release}
ONLY=${ONLY:-.}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=session.sh
source "$HERE/session.sh"
KUZOT=$BIN/kuzot
BENCH=$BIN/kuzot-bench
DIR=$WORK/data-$N
EXPORT=$WORK/export-$N.json
OUT=$WORK/results-$N-$(date -u +%Y%m%dT%H%M%SZ)
BASE=http://127.0.0.1:$PORT

for tool in "$KUZOT" "$BENCH"; do
  [[ -x $tool ]] || { echo "missing $tool: CARGO_TARGET_DIR=${BIN%/release} cargo build --release -p kuzot-cli -p kuzot-bench" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "wrk not found (apt-get install -y wrk)" >&2; exit 1; }
mkdir -p "$WORK" "$OUT"
echo "results in $OUT"

SERVER_PID=
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT INT TERM

log() { echo "$*" | tee -a "$OUT/build.txt"; }
urlencode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="/?=&"))' "$1"; }

# --- 1. The export -----------------------------------------------------------------------
if [[ ! -s $EXPORT ]]; then
  echo "generating $N messages -> $EXPORT"
  "$BENCH" generate --messages "$N" --seed "$SEED" "$EXPORT.tmp"
  mv "$EXPORT.tmp" "$EXPORT"
fi
log "export: $EXPORT ($(du -h "$EXPORT" | cut -f1))"

# --- 2. Ingest (analysis on, the default) -------------------------------------------------
# A marker written only after a complete ingest lets re-runs reuse a store of N messages
# and skip the slow part; a store without it (an interrupted ingest) is rebuilt.
MARK=$DIR/.loadtest-ingested
if [[ -f $MARK ]]; then
  log "reusing $DIR (built earlier: $(paste -sd ";" "$MARK"))"
else
  rm -rf "$DIR"
  mkdir -p "$DIR"
  echo "ingesting (with analysis; \`kuzot ingest\` also indexes the new documents)"
  # Exit code 1 means "some records rejected": the store is still usable, and the JSON
  # summary says how many.
  rc=0
  /usr/bin/time -f "%e %M" -o "$OUT/ingest.time" \
    "$KUZOT" --data-dir "$DIR" --json ingest "$EXPORT" > "$OUT/ingest.json" 2> "$OUT/ingest.err" || rc=$?
  [[ $rc == 0 || $rc == 1 ]] || { echo "ingest failed ($rc):" >&2; tail -5 "$OUT/ingest.err" >&2; exit 1; }
  read -r secs kb < <(tail -1 "$OUT/ingest.time")  # time(1) adds a line on a non-zero exit
  echo "ingest ${secs}s wall, peak RSS $((kb / 1024)) MiB, $(date -u +%FT%TZ)" > "$MARK"
  log "ingest: ${secs} s wall, peak RSS $((kb / 1024)) MiB"
  REINDEX=1
fi
DOCS=$("$KUZOT" --data-dir "$DIR" --json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["documents"])')
log "documents in the store: $DOCS"

# --- 3. Reindex ---------------------------------------------------------------------------
if [[ ${REINDEX:-0} == 1 ]]; then
  /usr/bin/time -f "%e %M" -o "$OUT/reindex.time" \
    "$KUZOT" --data-dir "$DIR" --json reindex > "$OUT/reindex.json" 2> "$OUT/reindex.err"
  read -r secs kb < <(tail -1 "$OUT/reindex.time")
  echo "reindex ${secs}s wall, peak RSS $((kb / 1024)) MiB" >> "$MARK"
  log "reindex: ${secs} s wall, peak RSS $((kb / 1024)) MiB ($(cat "$OUT/reindex.json" | tr -d '\n'))"
fi
log "index size: $(du -sh "$DIR/index" | cut -f1) ($(du -sb "$DIR/index" | cut -f1) bytes); whole data dir: $(du -sh "$DIR" | cut -f1)"

# --- 4. The server ------------------------------------------------------------------------
# The accounts of this throwaway store are dropped so that the server prints a fresh
# one-time setup link: the script then never needs a password from an earlier run (the
# password lives only in this shell's memory).
rm -f "$DIR/accounts.db" "$DIR/accounts.db-wal" "$DIR/accounts.db-shm"
START=$(date +%s.%N)
"$KUZOT" --data-dir "$DIR" serve --listen "127.0.0.1:$PORT" > "$OUT/server.log" 2>&1 &
SERVER_PID=$!
LINK=$(setup_link_of "$OUT/server.log" "$SERVER_PID" 15)
log "server up (index synced at start) after $(python3 -c "import time; print(round(time.time() - $START, 1))") s, pid $SERVER_PID"

# --- 5. The first admin and a session -----------------------------------------------------
first_admin_session "$LINK" "$BASE" "$OUT"

# --- 6. Targets ---------------------------------------------------------------------------
# label|path?query (unencoded). The generated corpus has a small vocabulary: "оплата" is in
# every message, "патент" in about 1 in 12, "Новосибирск" in none.
TARGETS=(
  "search_common|/search?q=оплата"
  "search_word_place|/search?q=Мариуполь"
  "search_less_common|/search?q=патент"
  "search_no_hits|/search?q=Новосибирск"
  "search_two_words|/search?q=охранники вахта"
  "search_phrase|/search?q=\"контрактную службу\""
  "search_category|/search?q=оплата&category=military_contract"
  "search_lang|/search?q=оплата&lang=ru"
  "search_newest|/search?q=оплата&sort=newest"
  "search_filter_only|/search?category=military_contract"
  "search_page_40|/search?q=оплата&page=40"
  "api_search|/api/v1/search?q=Москва"
  "dashboard|/"
  "dashboard_filtered|/?category=military_contract"
  "chart_weekly_svg|/charts/weekly.svg"
  "chart_places_svg|/charts/places.svg"
)

# One request per target first: the status must be 200 (a 302 means the session is not
# accepted) and the first (cold) time is worth knowing.
{
  echo "| target | status | bytes | first request (s) |"
  echo "|---|---|---|---|"
} > "$OUT/first.md"
for t in "${TARGETS[@]}"; do
  label=${t%%|*}; path=$(urlencode "${t#*|}")
  [[ $label =~ $ONLY ]] || continue
  read -r code size total < <(curl -sS -o /dev/null -b "$KUZOT_COOKIE" -w '%{http_code} %{size_download} %{time_total}\n' "$BASE$path")
  echo "| $label | $code | $size | $total |" >> "$OUT/first.md"
  [[ $code == 200 ]] || { echo "$label: HTTP $code for $path" >&2; cat "$OUT/first.md" >&2; exit 1; }
done
cat "$OUT/first.md"

# The first dashboard request counts; the ones after it are served from the cache.
for i in 1 2 3; do
  curl -sS -o /dev/null -b "$KUZOT_COOKIE" -w "dashboard request $i: %{time_total} s\n" "$BASE/" | tee -a "$OUT/build.txt"
done

# The dashboard's counts are cached per filter and index generation, so the load below
# mostly measures cached answers. The cost of counting: COLD distinct filters that all
# match every message (an `until` date past the data), one request each, in turn.
COLD=${COLD:-40}
if [[ dashboard_cold =~ $ONLY ]]; then
  for i in $(seq 1 "$COLD"); do
    until=$(date -u -d "2030-01-01 + $i days" +%Y-%m-%d)
    curl -sS -o /dev/null -b "$KUZOT_COOKIE" -w '%{time_total}\n' "$BASE/?until=$until"
  done | python3 -c '
import sys
v = sorted(float(x) * 1000 for x in sys.stdin)
q = lambda p: v[min(len(v) - 1, round(p * (len(v) - 1)))]
print(f"dashboard, uncached (distinct filters, {len(v)} requests one at a time): p50 {q(0.5):.1f} ms, p95 {q(0.95):.1f} ms, max {v[-1]:.1f} ms")
' | tee -a "$OUT/build.txt"
fi

# --- 7. Load --------------------------------------------------------------------------------
ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
HZ=$(getconf CLK_TCK)
{
  echo "| target | path | conns | p50 ms | p95 ms | p99 ms | max ms | req/s | non-2xx | server CPU ms/req | loadavg 1m before → after |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
} > "$OUT/summary.md"
for t in "${TARGETS[@]}"; do
  label=${t%%|*}; raw=${t#*|}; path=$(urlencode "$raw")
  [[ $label =~ $ONLY ]] || continue
  for c in $CONNS; do
    before=$(cut -d' ' -f1 /proc/loadavg)
    t0=$(ticks)
    line=$(WRK_LABEL="$label" wrk -t1 -c"$c" -d"$DURATION" --timeout 10s --latency \
      -s "$HERE/percentiles.lua" "$BASE$path" | tee -a "$OUT/wrk.txt" | grep '^RESULT') || true
    t1=$(ticks)
    after=$(cut -d' ' -f1 /proc/loadavg)
    [[ -n $line ]] || { echo "$label: wrk printed no RESULT line" >&2; continue; }
    get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$line"; }
    reqs=$(get requests)
    cpu=$(python3 -c "print(round(($t1 - $t0) * 1000 / $HZ / max($reqs, 1), 2))")
    row="| $label | \`${raw//|/\\|}\` | $c | $(get p50_ms) | $(get p95_ms) | $(get p99_ms) | $(get max_ms) | $(get rps) | $(get non2xx) | $cpu | $before → $after |"
    echo "$row" | tee -a "$OUT/summary.md"
  done
done

# --- 8. Memory ------------------------------------------------------------------------------
log "server peak RSS: $(grep VmHWM "/proc/$SERVER_PID/status" | awk '{ printf "%d MiB", $2 / 1024 }'), now: $(grep VmRSS "/proc/$SERVER_PID/status" | awk '{ printf "%d MiB", $2 / 1024 }')"
echo
echo "== $OUT/summary.md"
cat "$OUT/summary.md"
echo
cat "$OUT/build.txt"

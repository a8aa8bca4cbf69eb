#!/usr/bin/env bash
# Server mode on PostgreSQL, measured (issue 9): over a generated export of N messages,
#   1. `kuzot ingest --queue-analysis` into a fresh PostgreSQL database (stored, not yet
#      analysed): messages/s;
#   2. WORKERS `kuzot worker --once` processes analysing the queue at once: seconds until
#      every document is analysed;
#   3. two `kuzot serve` processes over that database (each with its own search index,
#      following the database's change log) behind HAProxy (health checks, retry on
#      connection failure, redispatch): search latency under wrk through the balancer;
#   4. the same load while one of the two servers is stopped (SIGTERM) and started again:
#      every request must still answer 200 (non-2xx = 0, socket errors = 0).
#
# Usage:  N=1000000 crates/kuzot-bench/load/postgres.sh
# Knobs: N (default 100000), WORK (/work/loadtest-pg), PG (server URL without database,
# default postgres://postgres@127.0.0.1:5432), DB (database name, default kuzot_load_N; it
# is DROPPED and created again), WORKERS (2), PORT (18090; the servers take PORT+1 and
# PORT+2), DURATION (20s), BIN (/work/target-release/release), SEED (1).
# Needs: wrk and haproxy (apt-get install -y wrk haproxy), psql/createdb/dropdb.
set -euo pipefail

N=${N:-100000}
WORK=${WORK:-/work/loadtest-pg}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=${DB:-kuzot_load_$N}
WORKERS=${WORKERS:-2}
PORT=${PORT:-18090}
DURATION=${DURATION:-20s}
SEED=${SEED:-1}
BIN=${BIN:-/work/target-release/release}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=session.sh
source "$HERE/session.sh"
KUZOT=$BIN/kuzot
BENCH=$BIN/kuzot-bench
EXPORT=$WORK/export-$N.json
OUT=$WORK/results-$N-$(date -u +%Y%m%dT%H%M%SZ)
URL=$PG/$DB
BASE=http://127.0.0.1:$PORT

for tool in "$KUZOT" "$BENCH"; do
  [[ -x $tool ]] || { echo "missing $tool: CARGO_TARGET_DIR=${BIN%/release} cargo build --release -p kuzot-cli -p kuzot-bench" >&2; exit 1; }
done
for tool in wrk haproxy psql createdb dropdb; do
  command -v "$tool" >/dev/null || { echo "$tool not found (apt-get install -y wrk haproxy postgresql-client)" >&2; exit 1; }
done
mkdir -p "$WORK" "$OUT"
echo "results in $OUT"

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

log() { echo "$*" | tee -a "$OUT/summary.md"; }
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }
urlencode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="/?=&"))' "$1"; }

# --- the export and a fresh database -------------------------------------------------------
if [[ ! -s $EXPORT ]]; then
  echo "generating $N messages -> $EXPORT"
  "$BENCH" generate --messages "$N" --seed "$SEED" "$EXPORT.tmp"
  mv "$EXPORT.tmp" "$EXPORT"
fi
dropdb --if-exists --force --maintenance-db="$PG/postgres" "$DB"
createdb --maintenance-db="$PG/postgres" "$DB"
rm -rf "$WORK/importer" "$WORK/server-1" "$WORK/server-2"
log "# PostgreSQL server mode, N=$N, $(date -u +%FT%TZ), commit $(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo '?')"
log ""
log "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- 1. import without analysis ------------------------------------------------------------
t0=$(now)
rc=0
/usr/bin/time -f "%e %M" -o "$OUT/ingest.time" \
  "$KUZOT" --data-dir "$WORK/importer" --database "$URL" --json ingest --queue-analysis "$EXPORT" \
  > "$OUT/ingest.json" 2> "$OUT/ingest.err" || rc=$?
[[ $rc == 0 || $rc == 1 ]] || { echo "ingest failed ($rc):" >&2; tail -5 "$OUT/ingest.err" >&2; exit 1; }
read -r secs kb < <(tail -1 "$OUT/ingest.time")
DOCS=$("$KUZOT" --data-dir "$WORK/importer" --database "$URL" --json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["documents"])')
log "- import into PostgreSQL, no analysis (documents queued): $DOCS documents in ${secs} s = $(python3 -c "print(round($N / $secs))") messages/s read ($(python3 -c "print(round($DOCS / $secs))") documents/s stored), peak RSS $((kb / 1024)) MiB"

# --- 2. workers ------------------------------------------------------------------------------
t0=$(now)
for w in $(seq 1 "$WORKERS"); do
  "$KUZOT" --data-dir "$WORK/importer" --database "$URL" worker --once > "$OUT/worker-$w.log" 2>&1 &
  PIDS+=($!)
done
for pid in "${PIDS[@]}"; do wait "$pid"; done
PIDS=()
secs=$(since "$t0")
analysed=$(psql "$URL" -Atc "SELECT count(*) FROM analyses")
queued=$(psql "$URL" -Atc "SELECT count(*) FROM analysis_queue")
twice=$(psql "$URL" -Atc "SELECT count(*) FROM (SELECT document_id FROM analyses GROUP BY document_id HAVING count(*) > 1) x")
log "- $WORKERS \`kuzot worker --once\` processes: $analysed documents analysed in ${secs} s ($(python3 -c "print(round($analysed / $secs))")/s), $queued left in the queue, $twice analysed twice"
# The workers regroup near-duplicates once the queue is empty (one of them: the other sees
# the claim): every generation requested is done, and reposts share clusters.
clustered=$(psql "$URL" -Atc "SELECT count(*) FROM analyses WHERE cluster_id IS NOT NULL")
regroup=$(psql "$URL" -Atc "SELECT coalesce((SELECT generation FROM regroup_requests), 0) || ' requested, ' || coalesce((SELECT done FROM regroup_runs), 0) || ' done'")
log "- near-duplicate regrouping: generation $regroup; $clustered documents in clusters of two or more"

# --- 3. two servers behind HAProxy -----------------------------------------------------------
start_server() { # $1 = 1 or 2
  local port=$((PORT + $1))
  "$KUZOT" --data-dir "$WORK/server-$1" --database "$URL" serve --listen "127.0.0.1:$port" >> "$OUT/server-$1.log" 2>&1 &
  echo $!
}
wait_up() { # $1 = port
  for _ in $(seq 1 1800); do
    curl -fsS -o /dev/null "http://127.0.0.1:$1/login" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "server on port $1 did not come up" >&2
  return 1
}
t0=$(now)
S1=$(start_server 1); PIDS+=("$S1")
wait_up $((PORT + 1))
log "- first server up (its index built from the database) after $(since "$t0") s"
t0=$(now)
S2=$(start_server 2); PIDS+=("$S2")
wait_up $((PORT + 2))
log "- second server up after $(since "$t0") s"

cat > "$OUT/haproxy.cfg" <<EOF
global
  maxconn 256
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response response-timeout 503
frontend kuzot
  bind 127.0.0.1:$PORT
  default_backend servers
backend servers
  balance roundrobin
  option httpchk GET /login
  default-server inter 500ms fall 1 rise 2
  server one 127.0.0.1:$((PORT + 1)) check
  server two 127.0.0.1:$((PORT + 2)) check
EOF
haproxy -f "$OUT/haproxy.cfg" > "$OUT/haproxy.log" 2>&1 &
PIDS+=($!)
sleep 1

# The first admin, through the balancer: the setup link printed by either server is valid
# on both (accounts live in the database); a server that starts while no account exists
# makes a new link and the older one lapses, so the last server's link is the one.
LINK=$(cat "$OUT/server-1.log" "$OUT/server-2.log" | grep -o "http://[^ ]*/setup/[^ ]*" | tail -1 | sed "s#http://[^/]*#$BASE#")
[[ -n $LINK ]] || { echo "no setup link printed" >&2; exit 1; }
first_admin_session "$LINK" "$BASE" "$OUT"
# The session works on each server directly, not only on the one that created it.
for p in $((PORT + 1)) $((PORT + 2)); do
  code=$(curl -sS -o /dev/null -w '%{http_code}' -b "$KUZOT_COOKIE" "http://127.0.0.1:$p/search?q=оплата")
  [[ $code == 200 ]] || { echo "the session is refused by the server on $p ($code)" >&2; exit 1; }
done

TARGETS=(
  "search_common|/search?q=оплата"
  "search_less_common|/search?q=патент"
  "search_two_words|/search?q=охранники вахта"
  "search_phrase|/search?q=\"контрактную службу\""
  "search_category|/search?q=оплата&category=military_contract"
  "search_newest|/search?q=оплата&sort=newest"
  "api_search|/api/v1/search?q=Москва"
  "dashboard|/"
)
{
  echo
  echo "| target | path | conns | p50 ms | p95 ms | p99 ms | req/s | non-2xx | socket errors |"
  echo "|---|---|---|---|---|---|---|---|---|"
} >> "$OUT/summary.md"
run_wrk() { # label path conns duration
  WRK_LABEL="$1" wrk -t1 -c"$3" -d"$4" --timeout 10s --latency -s "$HERE/percentiles.lua" "$BASE$(urlencode "$2")" \
    | tee -a "$OUT/wrk.txt" | grep '^RESULT' || true
}
row() { # label path conns RESULT-line
  local line=$4
  get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$line"; }
  echo "| $1 | \`$2\` | $3 | $(get p50_ms) | $(get p95_ms) | $(get p99_ms) | $(get rps) | $(get non2xx) | $(get socket_errors) |" | tee -a "$OUT/summary.md"
}
for t in "${TARGETS[@]}"; do
  label=${t%%|*}; path=${t#*|}
  row "$label" "$path" 2 "$(run_wrk "$label" "$path" 2 "$DURATION")"
done

# --- 4. one server restarted under load --------------------------------------------------------
(
  sleep 5
  kill -TERM "$S2"
  # Not a child of this shell (started in a command substitution): poll until it is gone.
  while kill -0 "$S2" 2>/dev/null; do sleep 0.1; done
  echo "server two stopped at $(date -u +%T.%N)" >> "$OUT/restart.log"
  sleep 2
  S2=$(start_server 2)
  echo "$S2" > "$OUT/server-2.pid"
  wait_up $((PORT + 2))
  echo "server two back at $(date -u +%T.%N)" >> "$OUT/restart.log"
) &
RESTARTER=$!
line=$(run_wrk restart "/search?q=патент" 2 30s)
wait "$RESTARTER"
[[ -s $OUT/server-2.pid ]] && PIDS+=("$(cat "$OUT/server-2.pid")")
log ""
log "while server two was stopped and started again (see restart.log):"
row "search during a restart" "/search?q=патент" 2 "$line"
log ""
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
cat "$OUT/summary.md"

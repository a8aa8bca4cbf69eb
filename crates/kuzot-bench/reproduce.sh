#!/usr/bin/env bash
# Every figure of BENCHMARKS.md, on one build, in one run.
#
# Runs each benchmark command of BENCHMARKS.md one after the other (never two at once: the
# machine has two cores), and writes what each printed, with the command, its start time,
# its duration and the load average before and after, to $OUT/report.md; the raw output of
# each step is kept beside it. BENCHMARKS.md quotes that report.
#
# Usage:  crates/kuzot-bench/reproduce.sh
# Knobs (environment):
#   BIN      release binaries (default /work/target-release/release); built first unless
#            BUILD=0, with CARGO_TARGET_DIR=${BIN%/release}
#   SHARED   the shared data (default $KUZOT_SHARED_DIR, else ../shared beside the repository)
#   WORK     scratch space for exports and stores (default /work/reproduce; several GB)
#   NATASHA_PYTHON  a Python with crates/kuzot-bench/natasha/requirements.txt installed; the
#            Natasha comparison is skipped, and says so, without it
#   ONLY     a regex over step names: run only those steps
#   SKIP_LOAD=1  skip the server load tests (about 30 of the run's minutes)
# Needs: wrk and haproxy (apt-get install -y wrk haproxy), PostgreSQL at
#   postgres://postgres@127.0.0.1:5432 for the server-mode step.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BIN=${BIN:-/work/target-release/release}
SHARED=${SHARED:-${KUZOT_SHARED_DIR:-$REPO/../shared}}
WORK=${WORK:-/work/reproduce}
ONLY=${ONLY:-.}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$WORK/report-$STAMP
KUZOT=$BIN/kuzot
BENCH=$BIN/kuzot-bench

[[ -d $SHARED/eval && -d $SHARED/corpora ]] || { echo "no shared data at $SHARED (set SHARED)" >&2; exit 1; }
SHARED=$(cd "$SHARED" && pwd)
if [[ ${BUILD:-1} == 1 ]]; then
  (cd "$REPO" && CARGO_TARGET_DIR=${BIN%/release} cargo build --release -p kuzot-cli -p kuzot-bench)
fi
for tool in "$KUZOT" "$BENCH"; do
  [[ -x $tool ]] || { echo "missing $tool (build with BUILD=1)" >&2; exit 1; }
done
mkdir -p "$WORK" "$OUT"
REPORT=$OUT/report.md

commit=$(git -C "$REPO" rev-parse HEAD)
dirty=$(git -C "$REPO" status --porcelain --untracked-files=no | wc -l)
{
  echo "# kuzot benchmarks, run $STAMP"
  echo
  echo "- commit: \`$commit\`$([[ $dirty == 0 ]] || echo " **with $dirty uncommitted changes**")"
  echo "- binaries: \`$BIN\` (kuzot built $(date -u -r "$KUZOT" +%FT%TZ))"
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} > "$REPORT"
echo "report: $REPORT"

# step NAME COMMAND...: runs COMMAND, keeps its output in $OUT/NAME.txt and appends it,
# fenced, to the report with the command line, the time and the load average around it.
step() {
  local name=$1
  shift
  [[ $name =~ $ONLY ]] || return 0
  local load_before started rc=0
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  started=$(date +%s.%N)
  echo "== $name: $*"
  "$@" > "$OUT/$name.txt" 2> "$OUT/$name.err" || rc=$?
  local seconds
  seconds=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$started" "$(date +%s.%N)")
  {
    echo "## $name"
    echo
    echo "\`$*\`"
    echo
    echo "started $(date -u -d "@${started%.*}" +%FT%TZ), took $seconds s, exit $rc, load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo '```'
    cat "$OUT/$name.txt"
    [[ $rc == 0 ]] || tail -20 "$OUT/$name.err"
    echo '```'
    echo
  } >> "$REPORT"
  [[ $rc == 0 ]] || echo "   step $name failed (exit $rc): see $OUT/$name.err" >&2
}

NEWS=$SHARED/corpora/ru-telegram-news.jsonl

# Reading and storing (no analysis).
step read "$BENCH" read --messages 1000000 --runs 3
step ingest_sqlite "$BENCH" ingest --messages 1000000 --work-dir "$WORK"
# Storing with analysis, and the size of the stored analyses.
step ingest_sqlite_analysed "$BENCH" ingest --messages 1000000 --analyze --work-dir "$WORK"
# The engine.
step analyze_generated "$BENCH" analyze --messages 50000 --threads 2
step analyze_with_news "$BENCH" analyze --messages 50000 --threads 2 --corpus "$NEWS"
step analyze_lines "$BENCH" analyze-lines "$NEWS" --repeat 10
# Clustering, twice: the same figures both times.
step cluster_1 "$BENCH" cluster --messages 1000000 --threads 2
step cluster_2 "$BENCH" cluster --messages 1000000 --threads 2
# Quality.
step eval_real_dev "$KUZOT" eval "$SHARED/eval/real-dev.jsonl"
step eval_dev "$KUZOT" eval "$SHARED/eval/dev.jsonl"
step eval_dev_cv "$KUZOT" eval "$SHARED/eval/dev.jsonl" --cv 5
step corpora python3 "$HERE/corpus_check.py" --kuzot "$KUZOT" --corpora "$SHARED/corpora"
step genre_cv "$KUZOT" train-genre --shared "$SHARED" -o "$OUT/genre-cv.kzg" --cv 5
if [[ -n ${NATASHA_PYTHON:-} ]]; then
  step natasha "$NATASHA_PYTHON" "$HERE/natasha/compare.py" --kuzot-cmd "$KUZOT analyze --threads {threads} {in}" --kuzot-min-messages 20000 --runs 3
  # The same on real text that neither tool was tuned on (kuzot's framing rules and fact
  # fixes were written while reading real-dev's errors: see BENCHMARKS.md).
  step natasha_real_dev "$NATASHA_PYTHON" "$HERE/natasha/compare.py" --gold "$SHARED/eval/real-dev.jsonl" --kuzot-cmd "$KUZOT analyze --threads {threads} {in}" --kuzot-min-messages 20000 --runs 3
elif [[ natasha =~ $ONLY || natasha_real_dev =~ $ONLY ]]; then
  echo "## natasha" >> "$REPORT"
  echo >> "$REPORT"
  echo "skipped: NATASHA_PYTHON is not set (see crates/kuzot-bench/natasha/README.md)" >> "$REPORT"
  echo >> "$REPORT"
fi
# The servers under load: their scripts write their own tables; the report keeps them.
if [[ ${SKIP_LOAD:-0} != 1 ]]; then
  step load_sqlite_1m env N=1000000 DURATION=15s WORK="$WORK/load" BIN="$BIN" "$HERE/load/run.sh"
  step load_mix env WORK="$WORK/load-mix" BIN="$BIN" "$HERE/load/mix.sh"
  step load_postgres_100k env N=100000 DURATION=10s WORK="$WORK/load-pg" BIN="$BIN" "$HERE/load/postgres.sh"
  step load_postgres_1m env N=1000000 DURATION=10s WORK="$WORK/load-pg" BIN="$BIN" "$HERE/load/postgres.sh"
  for name in load_sqlite_1m load_mix load_postgres_100k load_postgres_1m; do
    dir=$(sed -n 's/^results in //p' "$OUT/$name.txt" 2>/dev/null | tail -1)
    [[ -n $dir && -d $dir ]] || continue
    { echo "### $name: files of $dir"; echo; for f in "$dir"/*.md "$dir"/build.txt; do
        [[ -f $f ]] || continue; echo "#### $(basename "$f")"; echo; cat "$f"; echo; done; } >> "$REPORT"
  done
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$REPORT"
echo "done: $REPORT"

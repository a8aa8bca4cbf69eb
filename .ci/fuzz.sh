#!/usr/bin/env bash
# Builds every cargo-fuzz target in fuzz/ and runs each for a short, bounded time from the
# project's test fixtures and examples, fuzz/seeds/<target>, and the git-ignored working corpus
# (fuzz/corpus/<target>). Any crash, panic, timeout or memory blow-up fails the script;
# the input that caused it is saved as fuzz/artifacts/<target>/crash-* (or timeout-*, oom-*).
#
# Only the stable toolchain is available: cargo-fuzz's nightly-only flags (-Zsanitizer,
# sancov passes) are accepted under RUSTC_BOOTSTRAP=1.
#
# Usage: bash .ci/fuzz.sh [SECONDS]   (or FUZZ_SECONDS=N; the argument wins)
#
# Knobs (environment):
#   FUZZ_SECONDS  seconds each target runs (default 20, the quick run CI can afford)
#   FUZZ_LONG=1   the scheduled long run: 1800 s per target unless SECONDS is given
#   FUZZ_PROMOTE=1  after the run, copy every crash/timeout/oom input into the hostile
#                 corpus crates/kuzot-ingest/tests/data/hostile/ as fuzz-<target>-<name>,
#                 so that `cargo test -p kuzot-ingest --test hostile` reads it from then on
#                 (fix the reader, then commit the new corpus file with the fix)
#   FUZZ_JOBS     targets run at once (default 2, one per core)
#   FUZZ_TARGETS  space-separated subset of targets (default: all, from `cargo fuzz list`)
#   CARGO_TARGET_DIR  honoured; default fuzz/target
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fuzz_dir="$root/fuzz"
if [[ "${FUZZ_LONG:-0}" == 1 ]]; then
    seconds="${1:-${FUZZ_SECONDS:-1800}}"
else
    seconds="${1:-${FUZZ_SECONDS:-20}}"
fi
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
    echo "fuzz: the duration must be a number of seconds, not '$seconds'" >&2
    exit 2
fi
jobs="${FUZZ_JOBS:-2}"
export RUSTC_BOOTSTRAP=1

started=$SECONDS
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

cd "$fuzz_dir"
if [[ -n "${FUZZ_TARGETS:-}" ]]; then
    read -r -a targets <<<"$FUZZ_TARGETS"
else
    mapfile -t targets < <(cargo fuzz list)
fi
if [[ ${#targets[@]} -eq 0 ]]; then
    echo "fuzz: no targets found" >&2
    exit 1
fi

# -a: debug assertions and overflow checks, so arithmetic overflow is a finding too.
build_started=$SECONDS
# `cargo fuzz build` takes one target or none: build all at once unless a subset was asked.
if [[ -n "${FUZZ_TARGETS:-}" ]]; then
    for t in "${targets[@]}"; do
        cargo fuzz build -a "$t"
    done
else
    cargo fuzz build -a
fi
bin_dir="${CARGO_TARGET_DIR:-$fuzz_dir/target}/x86_64-unknown-linux-gnu/release"
for t in "${targets[@]}"; do
    if [[ ! -x "$bin_dir/$t" ]]; then
        echo "fuzz: target $t did not build ($bin_dir/$t missing)" >&2
        exit 1
    fi
done
echo "fuzz: build took $((SECONDS - build_started)) s"

# Logs are kept beside the artifacts (git-ignored) for a failure to be looked at later.
logs="$fuzz_dir/artifacts/logs"
mkdir -p "$logs"
# Seeds are the project's own test fixtures and examples, read where they live (copies
# would go stale); fuzz/seeds/<target> holds only inputs written for fuzzing alone.
# libFuzzer adds new inputs to the first folder given (the git-ignored corpus) only.
fixtures="$root/crates/kuzot-ingest/tests/data"
examples="$root/examples"
fixture_dirs() {
    case "$1" in
        telegram_json) echo "$fixtures/telegram_json $examples/telegram" ;;
        telegram_html) echo "$fixtures/telegram_html $examples/telegram_html" ;;
        whatsapp_txt) echo "$fixtures/whatsapp $examples/whatsapp" ;;
        web_page) echo "$fixtures/web $examples/web" ;;
        pdf) echo "$fixtures/pdf $examples/pdf" ;;
        plain_text) echo "$examples/whatsapp" ;;
        detect_format) echo "$fixtures $examples" ;;
        *) echo "" ;;
    esac
}

run_one() {
    local t="$1"
    mkdir -p "corpus/$t" "artifacts/$t" "seeds/$t"
    # The hostile corpus seeds every target: its files are crafted to reach the limits.
    local -a seed_dirs=("seeds/$t" "$root/crates/kuzot-ingest/tests/data/hostile")
    read -r -a extra <<<"$(fixture_dirs "$t")"
    seed_dirs+=("${extra[@]}")
    # -timeout: one input running longer than this is a hang, reported as a failure.
    # -rss_limit_mb: a reader must not need gigabytes for a few kilobytes of input.
    if "$bin_dir/$t" "corpus/$t" "${seed_dirs[@]}" \
        -artifact_prefix="artifacts/$t/" \
        -max_total_time="$seconds" \
        -timeout=10 \
        -rss_limit_mb=2048 \
        -print_final_stats=1 \
        >"$logs/$t.log" 2>&1; then
        echo "fuzz: $t ok ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$logs/$t.log" | grep -o '[0-9]*$') runs)"
    else
        echo "fuzz: $t FAILED; last lines of its log:" >&2
        tail -n 40 "$logs/$t.log" >&2
        ls -1 "artifacts/$t" >&2 || true
        return 1
    fi
}

run_started=$SECONDS
failed=0
running=0
pids=()
for t in "${targets[@]}"; do
    run_one "$t" &
    pids+=("$!")
    running=$((running + 1))
    if ((running >= jobs)); then
        wait "${pids[0]}" || failed=1
        pids=("${pids[@]:1}")
        running=$((running - 1))
    fi
done
for pid in "${pids[@]}"; do
    wait "$pid" || failed=1
done

echo "fuzz: runs took $((SECONDS - run_started)) s, whole script $((SECONDS - started)) s"
if [[ "${FUZZ_PROMOTE:-0}" == 1 ]]; then
    hostile="$root/crates/kuzot-ingest/tests/data/hostile"
    for t in "${targets[@]}"; do
        for finding in artifacts/"$t"/crash-* artifacts/"$t"/timeout-* artifacts/"$t"/oom-*; do
            [[ -f "$finding" ]] || continue
            cp -n "$finding" "$hostile/fuzz-$t-$(basename "$finding")"
            echo "fuzz: $finding -> $hostile/fuzz-$t-$(basename "$finding")"
        done
    done
fi
if ((failed)); then
    echo "fuzz: FAILED" >&2
    exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran without a crash"

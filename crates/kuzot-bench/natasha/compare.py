#!/usr/bin/env python3
"""Put kuzot's speed and money accuracy beside a reference: the Natasha library.

Both tools read the Russian messages of the labelled dev set. For each the script
reports messages per second and money precision / recall / F1, scored exactly as the
shared scorer (score.py) scores them: its own functions are imported from its path,
so the two can never drift apart.

  Natasha: Segmenter + NewsNERTagger (segment and NER) and MoneyExtractor, timed together
           over the Russian messages repeated to at least --min-messages, in this process.
  kuzot:   a command that reads JSONL {"id", "text"} and writes prediction JSONL
           (--kuzot-cmd), timed as a process over the same repeated messages; with
           `kuzot analyze --threads N` both one thread and all cores are timed.

Natasha is not a CI dependency: install it by hand (requirements.txt beside this file)
into a virtual environment and run the script with that environment's python:

  python3 -m venv /tmp/natasha-venv
  /tmp/natasha-venv/bin/pip install -r crates/kuzot-bench/natasha/requirements.txt
  /tmp/natasha-venv/bin/python crates/kuzot-bench/natasha/compare.py --json natasha.json

--kuzot-cmd is a command line in which `{in}` stands for the input JSONL and `{out}` for
the prediction file; with no `{out}` the predictions are read from standard output.
`{threads}` stands for the thread count; a command with it is timed at one thread and
at --threads. By default the script uses the release binary's `kuzot analyze` when it
exists and otherwise `cargo run --release -p kuzot-analysis --example eval_dev`.
"""

import argparse
import importlib.util
import json
import os
import platform
import re
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[2]
DEFAULT_GOLD = REPO_ROOT.parent / "shared" / "eval" / "dev.jsonl"
EVAL_DEV_CMD = "cargo run --quiet --release -p kuzot-analysis --example eval_dev -- {in} {out}"

# Natasha's money grammar already names RUB, USD and EUR; the other spellings are kept
# in case a later version returns symbols or the pre-1998 rouble code.
ISO_CURRENCY = {
    "RUB": "RUB",
    "RUR": "RUB",
    "₽": "RUB",
    "USD": "USD",
    "$": "USD",
    "EUR": "EUR",
    "€": "EUR",
}


def load_scorer(path):
    """The shared scorer as a module, loaded from its file (it is not a package)."""
    spec = importlib.util.spec_from_file_location("kuzot_shared_score", path)
    if spec is None or spec.loader is None:
        sys.exit(f"cannot load the scorer from {path}")
    module = importlib.util.module_from_spec(spec)
    # shared/ is not ours to write a __pycache__ into.
    sys.dont_write_bytecode = True
    spec.loader.exec_module(module)
    return module


def money_scores(scorer, gold, preds):
    """Money precision/recall/F1 over the gold messages, as score.py's main() counts them."""
    tp = fp = fn = 0
    missing = 0
    for gid, g in gold.items():
        p = preds.get(gid)
        if p is None:
            missing += 1
            p = {}
        gf = scorer.gold_facts(g)["money"]
        pf = scorer.pred_facts(p)["money"]
        hit = sum((gf & pf).values())
        tp += hit
        fp += sum(pf.values()) - hit
        fn += sum(gf.values()) - hit
    precision, recall, f1 = scorer.prf(tp, fp, fn)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "missing_predictions": missing,
    }


def cross_check(scorer_path, gold_path, pred_path, ours):
    """Runs score.py itself on the same files: its money figures must equal ours."""
    out = subprocess.run(
        [sys.executable, str(scorer_path), str(gold_path), str(pred_path), "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    theirs = json.loads(out)["facts"]["money"]
    for key in ("precision", "recall", "f1"):
        if abs(theirs[key] - ours[key]) > 1e-12:
            sys.exit(f"money {key} differs from score.py's: {ours[key]} != {theirs[key]}")


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def repeated(messages, minimum):
    """The messages repeated to at least `minimum`, each copy with its own id."""
    copies = max(1, -(-minimum // max(1, len(messages))))
    return [
        {"id": f"{m['id']}#{k}", "text": m["text"]} for k in range(copies) for m in messages
    ], copies


def load_avg():
    try:
        return list(os.getloadavg())
    except OSError:
        return None


# ---------------------------------------------------------------- Natasha


def limit_blas_threads(n):
    """Pins numpy's BLAS pool before numpy is imported, so that Natasha runs on `n` cores."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)


def natasha_versions():
    from importlib import metadata

    versions = {}
    for name in ("natasha", "slovnet", "navec", "razdel", "yargy", "pymorphy2", "numpy"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


class Natasha:
    """The Natasha pipeline the issue names: segmenter, news NER, money extractor."""

    def __init__(self):
        started = time.perf_counter()
        try:
            from natasha import Doc, MorphVocab, NewsEmbedding, NewsNERTagger, Segmenter
            from natasha.extractors import MoneyExtractor
        except ImportError as e:
            sys.exit(
                f"natasha is not installed ({e}): pip install -r {HERE / 'requirements.txt'}"
                " (or pass --skip-natasha)"
            )
        self.doc_type = Doc
        self.segmenter = Segmenter()
        self.morph_vocab = MorphVocab()
        self.ner_tagger = NewsNERTagger(NewsEmbedding())
        self.money_extractor = MoneyExtractor(self.morph_vocab)
        self.load_seconds = time.perf_counter() - started

    def run(self, text, clock=None):
        """Segment + NER + money on one message; adds each stage's time to `clock`."""
        t0 = time.perf_counter()
        doc = self.doc_type(text)
        doc.segment(self.segmenter)
        t1 = time.perf_counter()
        doc.tag_ner(self.ner_tagger)
        t2 = time.perf_counter()
        matches = list(self.money_extractor(text))
        t3 = time.perf_counter()
        if clock is not None:
            clock["segment"] += t1 - t0
            clock["ner"] += t2 - t1
            clock["money"] += t3 - t2
        return doc, matches


def natasha_money(matches):
    """Natasha's Money facts in the scorer's shape: a single figure, currency as ISO 4217."""
    items = []
    for match in matches:
        fact = match.fact
        currency = ISO_CURRENCY.get(str(fact.currency), str(fact.currency or "").upper())
        items.append({"min": fact.amount, "max": None, "currency": currency, "period": None})
    return items


def natasha_prediction(mid, doc, matches):
    return {
        "id": mid,
        "facts": {"money": natasha_money(matches)},
        # NER spans are not scored (the scorer has no person / place-name fields that
        # match Natasha's PER/LOC/ORG); they are kept to show what NER found.
        "ner": [{"type": s.type, "text": s.text} for s in doc.spans],
    }


def bench_natasha(messages, timing_set, runs):
    """Natasha timed the way kuzot is: best of `runs` passes over the timing set, wall and
    CPU time both from that one best pass."""
    nat = Natasha()
    preds = {}
    for m in messages:  # untimed: predictions for scoring, and a warm-up
        doc, matches = nat.run(m["text"])
        preds[m["id"]] = natasha_prediction(m["id"], doc, matches)
    passes = []
    for _ in range(max(1, runs)):
        clock = {"segment": 0.0, "ner": 0.0, "money": 0.0}
        cpu_started = time.process_time()
        started = time.perf_counter()
        for m in timing_set:
            nat.run(m["text"], clock)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        passes.append((elapsed, cpu, clock))
    elapsed, cpu, clock = best_run(passes)
    n = len(timing_set)
    return preds, {
        "load_seconds": nat.load_seconds,
        "messages": n,
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "messages_per_second": n / elapsed,
        # CPU time is what a shared machine distorts least: other jobs lengthen the wall.
        "messages_per_cpu_second": n / cpu,
        "stage_us_per_message": {k: v * 1e6 / n for k, v in clock.items()},
        "versions": natasha_versions(),
    }


# ---------------------------------------------------------------- kuzot


def kuzot_binary():
    """The release `kuzot` binary, in CARGO_TARGET_DIR or the workspace's target/."""
    dirs = [Path(os.environ["CARGO_TARGET_DIR"])] if os.environ.get("CARGO_TARGET_DIR") else []
    dirs.append(REPO_ROOT / "target")
    for d in dirs:
        exe = d / "release" / "kuzot"
        if exe.is_file() and os.access(exe, os.X_OK):
            return exe
    return None


def default_kuzot_cmd():
    """`kuzot analyze` where the binary has it, else the eval_dev example (same output)."""
    exe = kuzot_binary()
    if exe is not None:
        help_run = subprocess.run(
            [str(exe), "analyze", "--help"],
            check=False,
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
        )
        if help_run.returncode == 0:
            threads = " --threads {threads}" if "--threads" in help_run.stdout else ""
            return f"{shlex.quote(str(exe))} analyze{threads} {{in}}"
    return EVAL_DEV_CMD


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_kuzot(template, in_path, out_path, threads):
    """Runs kuzot once; returns (wall seconds, CPU seconds, stderr), predictions in out_path.

    The CPU time is the process's and its children's (cargo's example run included)."""
    argv = [
        a.replace("{in}", str(in_path))
        .replace("{out}", str(out_path))
        .replace("{threads}", str(threads))
        for a in shlex.split(template)
    ]
    to_stdout = "{out}" not in template
    cpu_started = children_cpu()
    started = time.perf_counter()
    with open(out_path if to_stdout else os.devnull, "w", encoding="utf-8") as sink:
        proc = subprocess.run(
            argv, check=False, stdout=sink, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT
        )
    elapsed = time.perf_counter() - started
    cpu = children_cpu() - cpu_started
    if proc.returncode != 0:
        sys.exit(f"kuzot command failed ({proc.returncode}): {' '.join(argv)}\n{proc.stderr}")
    return elapsed, cpu, proc.stderr


def read_predictions(path):
    preds = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                obj = json.loads(line)
                preds[str(obj["id"])] = obj
    return preds


def engine_speed(stderr):
    """The engine-only speed eval_dev prints ("analyze: N messages/s"), when it prints one."""
    found = re.search(r"analyze: ([0-9.]+) messages/s", stderr)
    return float(found.group(1)) if found else None


def best_run(runs):
    """The run with the shortest wall time; its CPU time goes with it (taking the minimum
    of each separately could pair figures from two different runs)."""
    return min(runs, key=lambda r: r[0])


def time_kuzot(template, timing_path, one_path, scratch, threads, runs):
    """Best of `runs` times over the timing set, and over one message (start-up cost)."""
    out = scratch / "kuzot-timing.jsonl"
    full = [run_kuzot(template, timing_path, out, threads) for _ in range(runs)]
    n = len(read_predictions(out))
    one = [run_kuzot(template, one_path, out, threads) for _ in range(runs)]
    wall, cpu, _ = best_run(full)
    startup, startup_cpu, _ = best_run(one)
    engine = [s for s in (engine_speed(r[2]) for r in full) if s is not None]
    net, net_cpu = wall - startup, cpu - startup_cpu
    return {
        "threads": threads,
        "messages": n,
        "seconds": wall,
        "cpu_seconds": cpu,
        "startup_seconds": startup,
        "startup_cpu_seconds": startup_cpu,
        "messages_per_second": n / wall,
        # The process start, cargo's check and the engine's set-up do not grow with input.
        "messages_per_second_excluding_startup": (n - 1) / net if net > 0 else None,
        # Per CPU second: with several threads this is work per core, not throughput.
        "messages_per_cpu_second_excluding_startup": (n - 1) / net_cpu if net_cpu > 0 else None,
        "engine_messages_per_second": max(engine) if engine else None,
    }


def bench_kuzot(template, messages, timing_set, scratch, threads, runs):
    in_path = scratch / "kuzot-in.jsonl"
    pred_path = scratch / "kuzot-pred.jsonl"
    timing_path = scratch / "kuzot-timing-in.jsonl"
    one_path = scratch / "kuzot-one-in.jsonl"
    write_jsonl(in_path, messages)
    write_jsonl(timing_path, timing_set)
    write_jsonl(one_path, timing_set[:1])
    # The first run also builds the example when cargo has not yet: not timed.
    run_kuzot(template, in_path, pred_path, 1)
    preds = read_predictions(pred_path)
    counts = [1]
    if "{threads}" in template and threads > 1:
        counts.append(threads)
    timings = [time_kuzot(template, timing_path, one_path, scratch, t, runs) for t in counts]
    for t in timings:
        if t["messages"] != len(timing_set):
            sys.exit(f"kuzot wrote {t['messages']} predictions for {len(timing_set)} messages")
    return preds, timings


# ---------------------------------------------------------------- report


def fmt(x, spec):
    return "—" if x is None else format(x, spec)


def print_table(result):
    d = result["data"]
    print(
        f"messages in {d['lang']} of {Path(d['gold']).name}: {d['messages']} ({d['gold_money']} gold money offers); "
        f"timed over {d['timing_messages']} messages ({d['messages']} × {d['copies']})"
    )
    print(f"{'tool':<42} {'msg/s':>9} {'msg/CPU s':>10} {'money P':>8} {'R':>6} {'F1':>6}")
    rows = []
    nat = result.get("natasha")
    if nat:
        t = nat["timing"]
        rows.append(
            (
                "natasha: segment + NER + money, 1 process",
                t["messages_per_second"],
                t["messages_per_cpu_second"],
                nat["money"],
            )
        )
    kz = result.get("kuzot")
    if kz:
        for t in kz["timing"]:
            label = (
                f"kuzot: {t['threads']} thread{'s' if t['threads'] > 1 else ''}, "
                f"process, {t['messages']} msg"
            )
            rows.append((label, t["messages_per_second"], None, kz["money"]))
            rows.append(
                (
                    "       same, less start-up",
                    t["messages_per_second_excluding_startup"],
                    t["messages_per_cpu_second_excluding_startup"],
                    None,
                )
            )
            if t["engine_messages_per_second"] is not None:
                rows.append(
                    (
                        "       engine only (its own timer)",
                        t["engine_messages_per_second"],
                        None,
                        None,
                    )
                )
    for label, speed, cpu_speed, money in rows:
        p, r, f = (
            (fmt(money[k], ".3f") for k in ("precision", "recall", "f1")) if money else ("", "", "")
        )
        print(
            f"{label:<42} {fmt(speed, '.0f'):>9} {fmt(cpu_speed, '.0f'):>10} {p:>8} {r:>6} {f:>6}"
        )
    if nat:
        st = nat["timing"]["stage_us_per_message"]
        print(
            f"natasha µs/message (wall): segment {st['segment']:.0f}, NER {st['ner']:.0f}, "
            f"money {st['money']:.0f}; models loaded in {nat['timing']['load_seconds']:.1f} s"
        )
    if kz:
        print(f"kuzot command: {kz['command']}")
    cmp = result.get("comparison")
    if cmp:
        print(
            f"kuzot / natasha, one thread, less start-up: {fmt(cmp['speedup_wall'], '.0f')}× "
            f"by wall clock, {fmt(cmp['speedup_cpu'], '.0f')}× by CPU time; "
            f"money F1 {cmp['kuzot_f1']:.3f} vs {cmp['natasha_f1']:.3f}"
        )
        print(
            f"two orders of magnitude faster: {'yes' if cmp['speedup_100x'] else 'NO'}; "
            f"at least as accurate on money: {'yes' if cmp['at_least_as_accurate'] else 'NO'}"
        )
    load = [result["env"][k] for k in ("load_before", "load_after")]
    print(
        "load average before / after: "
        + " / ".join("—" if x is None else " ".join(f"{v:.2f}" for v in x) for x in load)
    )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--gold",
        type=Path,
        default=DEFAULT_GOLD,
        help="gold JSONL (default: ../shared/eval/dev.jsonl from the repo root)",
    )
    ap.add_argument(
        "--scorer",
        type=Path,
        default=None,
        help="score.py to import (default: the one beside the gold file)",
    )
    ap.add_argument("--lang", default="ru", help="which gold messages to keep (default ru)")
    ap.add_argument(
        "--min-messages",
        type=int,
        default=2000,
        help="repeat the messages to at least this many for timing (default 2000)",
    )
    ap.add_argument(
        "--kuzot-min-messages",
        type=int,
        default=None,
        help="a larger timing set for kuzot alone, whose runs are otherwise too "
        "short to time well on a busy machine (default: --min-messages)",
    )
    ap.add_argument(
        "--kuzot-cmd",
        default=None,
        help="command with {in}, optional {out} and {threads} (see the top of this "
        "file); default: `kuzot analyze` if built, else the eval_dev example",
    )
    ap.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="kuzot's all-core thread count, if its command takes {threads}",
    )
    ap.add_argument("--runs", type=int, default=3, help="best of this many timed runs, for kuzot and Natasha alike")
    ap.add_argument(
        "--blas-threads",
        type=int,
        default=1,
        help="numpy BLAS threads for Natasha (default 1: a single core)",
    )
    ap.add_argument("--skip-natasha", action="store_true")
    ap.add_argument("--skip-kuzot", action="store_true")
    ap.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="directory to keep the inputs and both tools' predictions in",
    )
    ap.add_argument("--json", default=None, help="write the result as JSON here ('-': stdout)")
    args = ap.parse_args(argv)
    limit_blas_threads(args.blas_threads)

    scorer_path = args.scorer or args.gold.parent / "score.py"
    scorer = load_scorer(scorer_path)
    gold = {gid: g for gid, g in scorer.load(str(args.gold)).items() if g.get("lang") == args.lang}
    if not gold:
        sys.exit(f"no messages with lang == {args.lang!r} in {args.gold}")
    messages = [{"id": gid, "text": g.get("text") or ""} for gid, g in gold.items()]
    timing_set, copies = repeated(messages, args.min_messages)
    gold_money = sum(sum(scorer.gold_facts(g)["money"].values()) for g in gold.values())

    scratch_dir = None
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        scratch = args.keep
    else:
        scratch_dir = tempfile.TemporaryDirectory(prefix="kuzot-natasha-")
        scratch = Path(scratch_dir.name)
    gold_path = scratch / "gold.jsonl"
    write_jsonl(gold_path, gold.values())

    result = {
        "data": {
            "gold": str(args.gold),
            "lang": args.lang,
            "messages": len(messages),
            "gold_money": gold_money,
            "copies": copies,
            "timing_messages": len(timing_set),
        },
        "env": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "blas_threads": args.blas_threads,
            "load_before": load_avg(),
        },
    }
    if not args.skip_natasha:
        preds, timing = bench_natasha(messages, timing_set, args.runs)
        money = money_scores(scorer, gold, preds)
        path = scratch / "natasha-pred.jsonl"
        write_jsonl(path, preds.values())
        cross_check(scorer_path, gold_path, path, money)
        result["natasha"] = {"timing": timing, "money": money}
    if not args.skip_kuzot:
        template = args.kuzot_cmd or default_kuzot_cmd()
        kuzot_set = timing_set
        if args.kuzot_min_messages and args.kuzot_min_messages > len(timing_set):
            kuzot_set, _ = repeated(messages, args.kuzot_min_messages)
        preds, timings = bench_kuzot(
            template, messages, kuzot_set, scratch, args.threads, args.runs
        )
        money = money_scores(scorer, gold, preds)
        cross_check(scorer_path, gold_path, scratch / "kuzot-pred.jsonl", money)
        result["kuzot"] = {"command": template, "timing": timings, "money": money}
    if "natasha" in result and "kuzot" in result:
        one, nat = result["kuzot"]["timing"][0], result["natasha"]["timing"]
        wall = one["messages_per_second_excluding_startup"]
        cpu = one["messages_per_cpu_second_excluding_startup"]
        speedup_wall = wall / nat["messages_per_second"] if wall else None
        speedup_cpu = cpu / nat["messages_per_cpu_second"] if cpu else None
        kf1, nf1 = result["kuzot"]["money"]["f1"], result["natasha"]["money"]["f1"]
        result["comparison"] = {
            "speedup_wall": speedup_wall,
            "speedup_cpu": speedup_cpu,
            "speedup_100x": all(x is not None and x >= 100 for x in (speedup_wall, speedup_cpu)),
            "kuzot_f1": kf1,
            "natasha_f1": nf1,
            "at_least_as_accurate": kf1 >= nf1,
        }
    result["env"]["load_after"] = load_avg()

    print_table(result)
    if args.json:
        text = json.dumps(result, indent=1, ensure_ascii=False, sort_keys=True)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    if scratch_dir is not None:
        scratch_dir.cleanup()


if __name__ == "__main__":
    main()

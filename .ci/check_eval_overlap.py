#!/usr/bin/env python3
"""Check that no evaluation-set text leaked into the repository.

The labelled dev set is for measuring the analysis engine only. Its messages, and
phrases unique to them, must not appear in code, tests, examples or data files:
otherwise the dev figures measure memory, not the engine.

For every dev message, every sequence of 5 consecutive words (lowercased ``\\w+``
tokens) is looked up in the word sequence of every repository file. Any shared
5-word sequence is an overlap. Overlaps in files other than the lexicon data files
(``crates/kuzot-analysis/data/*.tsv``) always fail. In data files, only the
generic domain phrases listed in ``ALLOWED`` below may stay: each is something a
lexicon author writes from knowledge of the domain, not from a dev message.

Usage (from the repository root):

    python3 .ci/check_eval_overlap.py ../shared/eval/dev.jsonl

Exit status 0 when clean, 1 when overlaps are found (listed on stdout as
``dev-id<TAB>file<TAB>shared words``), 2 on usage errors. Python 3 standard
library only.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import defaultdict

N = 5

WORD = re.compile(r"\w+")

# Directories never scanned: build output, VCS metadata, local data, fuzz state.
SKIP_DIRS = {".git", "target", "kuzot-data", "corpus", "artifacts"}

# Files whose overlaps may be allowed (lexicon data compiled into the engine).
DATA_FILE = re.compile(r"^crates/kuzot-analysis/data/[^/]+\.tsv$")

# (data file, shared 5 words) -> why this is a generic phrase and not dev text.
# Keep each reason to one line. Nothing outside DATA_FILE can be allowed.
ALLOWED: dict[tuple[str, str], str] = {
}


def words(text: str) -> list[str]:
    """Lowercased word tokens, the unit the overlap is measured in."""
    return WORD.findall(text.lower())


def grams(tokens: list[str]) -> set[tuple[str, ...]]:
    """All N-word sequences of a token list."""
    return {tuple(tokens[i : i + N]) for i in range(len(tokens) - N + 1)}


def repo_files(root: str):
    """Relative paths (with ``/``) of every file under root that is scanned."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            yield rel, full


def load_dev(path: str) -> dict[tuple[str, ...], set[str]]:
    """Map each 5-gram of the dev texts to the ids of the messages that contain it."""
    index: dict[tuple[str, ...], set[str]] = defaultdict(set)
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit(f"{path}:{lineno}: not JSON: {e}")
            ident = str(rec.get("id", f"line{lineno}"))
            for g in grams(words(str(rec.get("text", "")))):
                index[g].add(ident)
    return index


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    dev = load_dev(argv[1])
    root = os.getcwd()
    failures: list[tuple[str, str, str]] = []
    allowed_seen: set[tuple[str, str]] = set()
    for rel, full in repo_files(root):
        try:
            with open(full, "rb") as f:
                text = f.read().decode("utf-8", errors="ignore")
        except OSError as e:
            print(f"warning: cannot read {rel}: {e}", file=sys.stderr)
            continue
        hits: dict[str, set[str]] = defaultdict(set)
        for g in grams(words(text)):
            ids = dev.get(g)
            if ids:
                hits[" ".join(g)].update(ids)
        for phrase, ids in sorted(hits.items()):
            key = (rel, phrase)
            if DATA_FILE.match(rel) and key in ALLOWED:
                allowed_seen.add(key)
                continue
            for ident in sorted(ids):
                failures.append((ident, rel, phrase))
    for ident, rel, phrase in sorted(failures):
        print(f"{ident}\t{rel}\t{phrase}")
    stale = sorted(set(ALLOWED) - allowed_seen)
    for rel, phrase in stale:
        print(f"note: allow-list entry no longer needed: {rel}: {phrase}", file=sys.stderr)
    if failures:
        print(f"{len(failures)} overlap(s) with the evaluation set", file=sys.stderr)
        return 1
    print(f"no overlap with the evaluation set ({len(allowed_seen)} allowed)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Check that no evaluation-set text leaked into the repository.

The labelled dev set is for measuring the analysis engine only. Its messages, and
phrases unique to them, must not appear in code, tests, examples or data files:
otherwise the dev figures measure memory, not the engine.

For every message of each evaluation file given, every sequence of 5 consecutive
words (``\\w+`` tokens, case-folded, with ё read as е) is looked up in the word
sequence of every repository file. A file is read both as it is and with its string
escapes decoded (JSON and Rust ``\\n``, ``\\uXXXX``, ``\\u{...}``, and HTML entities),
so that an escape such as ``\\nСтатус`` cannot hide a word. Any shared 5-word sequence
is an overlap. Overlaps in files other than the lexicon data files
(``crates/kuzot-analysis/data/*.tsv``) always fail. In data files, only the
generic domain phrases listed in ``ALLOWED`` below may stay: each is something a
lexicon author writes from knowledge of the domain, not from a dev message.

Usage (from the repository root):

    python3 .ci/check_eval_overlap.py ../shared/eval/dev.jsonl ../shared/eval/real-dev.jsonl

Exit status 0 when clean, 1 when overlaps are found (listed on stdout as
``dev-id<TAB>file<TAB>shared words``), 2 on usage errors. Python 3 standard
library only.
"""

from __future__ import annotations

import fnmatch
import html
import json
import os
import re
import sys
from collections import defaultdict

N = 5

WORD = re.compile(r"\w+")

# Directories never scanned, wherever they are: VCS metadata and cargo build output.
# Anything the repository's top-level .gitignore excludes (local data, fuzzer corpora
# and artifacts) is not part of the repository and is skipped too.
SKIP_DIRS = {".git", "target"}

# Files whose overlaps may be allowed (lexicon data compiled into the engine).
DATA_FILE = re.compile(r"^crates/kuzot-analysis/data/[^/]+\.tsv$")

# (data file, shared 5 words) -> why this is a generic phrase and not dev text.
# Keep each reason to one line. Nothing outside DATA_FILE can be allowed.
# Empty for now: the one data-file overlap found (the English name of the Ministry in a
# comment of orgs.tsv) was reworded rather than allowed.
ALLOWED: dict[tuple[str, str], str] = {}


def words(text: str) -> list[str]:
    """Case-folded word tokens with ё read as е, the unit the overlap is measured in."""
    return WORD.findall(text.casefold().replace("ё", "е"))


ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.DOTALL)

SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": " ", "b": " ", "f": " "}


def unescape(text: str) -> str:
    """Text with JSON/Rust string escapes and HTML entities decoded."""

    def one(m: re.Match[str]) -> str:
        e = m.group(1)
        if e.startswith("u{"):
            code = int(e[2:-1], 16)
        elif e[0] in "ux" and len(e) > 1:
            code = int(e[1:], 16)
        else:
            return SIMPLE_ESCAPES.get(e, e)
        return chr(code) if code <= 0x10FFFF else " "

    decoded = ESCAPE.sub(one, text)
    # JSON writes characters outside the BMP as surrogate pairs: join them.
    decoded = decoded.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return html.unescape(decoded)


def file_grams(text: str) -> set[tuple[str, ...]]:
    """The 5-grams of a file read as it is and with its escapes decoded."""
    found = grams(words(text))
    decoded = unescape(text)
    if decoded != text:
        found |= grams(words(decoded))
    return found


def grams(tokens: list[str]) -> set[tuple[str, ...]]:
    """All N-word sequences of a token list."""
    return {tuple(tokens[i : i + N]) for i in range(len(tokens) - N + 1)}


def ignore_patterns(root: str) -> list[str]:
    """The patterns of the top-level .gitignore (no negations, no nested files)."""
    try:
        with open(os.path.join(root, ".gitignore"), encoding="utf-8") as f:
            lines = [line.strip() for line in f]
    except OSError:
        return []
    return [line for line in lines if line and not line.startswith(("#", "!"))]


def ignored(rel: str, patterns: list[str]) -> bool:
    """Whether a relative path is excluded by one of the .gitignore patterns."""
    name = rel.rsplit("/", 1)[-1]
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if "/" in pattern:
            # Anchored to the root: the path itself or anything below it.
            pattern = pattern.lstrip("/")
            if fnmatch.fnmatchcase(rel, pattern) or rel.startswith(pattern + "/"):
                return True
        elif fnmatch.fnmatchcase(name, pattern):
            return True
    return False


def repo_files(root: str):
    """Relative paths (with ``/``) of every file under root that is scanned."""
    patterns = ignore_patterns(root)
    for dirpath, dirnames, filenames in os.walk(root):
        base = os.path.relpath(dirpath, root).replace(os.sep, "/")
        prefix = "" if base == "." else base + "/"
        dirnames[:] = sorted(
            d for d in dirnames if d not in SKIP_DIRS and not ignored(prefix + d, patterns)
        )
        for name in sorted(filenames):
            rel = prefix + name
            if not ignored(rel, patterns):
                yield rel, os.path.join(dirpath, name)


def decode(data: bytes) -> str:
    """File text: UTF-8, else Windows-1251 (the legacy encoding of Russian web fixtures)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="ignore")


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
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    dev: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for path in argv[1:]:
        for g, ids in load_dev(path).items():
            dev[g].update(ids)
    root = os.getcwd()
    failures: list[tuple[str, str, str]] = []
    allowed_seen: set[tuple[str, str]] = set()
    dev_paths = {os.path.realpath(path) for path in argv[1:]}
    for rel, full in repo_files(root):
        if os.path.realpath(full) in dev_paths:
            continue
        try:
            with open(full, "rb") as f:
                data = f.read()
        except OSError as e:
            print(f"warning: cannot read {rel}: {e}", file=sys.stderr)
            continue
        text = decode(data)
        hits: dict[str, set[str]] = defaultdict(set)
        for g in file_grams(text):
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
    for rel, phrase in sorted(set(ALLOWED) - allowed_seen):
        why = "not a data file, ignored" if not DATA_FILE.match(rel) else "no longer needed"
        print(f"note: allow-list entry {why}: {rel}: {phrase}", file=sys.stderr)
    if failures:
        print(f"{len(failures)} overlap(s) with the evaluation set", file=sys.stderr)
        return 1
    print(f"no overlap with the evaluation set ({len(allowed_seen)} allowed)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

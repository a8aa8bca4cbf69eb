#!/usr/bin/env python3
"""Run `kuzot analyze` over the real-text corpora in ../shared/corpora and report what the
issue asks of them (standard library only):

- Russian Telegram news: share classified into a risk category (must be <= 0.5%);
- SuperJob vacancies: share classified as anything but job_other (<= 2%), and the share of
  vacancies whose stated salary ("Зарплата: A—B₽" / "от A" / "до B") kuzot extracts exactly;
- Kazakh news sentences: share identified as kk (>= 98%).

usage: python3 crates/kuzot-bench/corpus_check.py [--kuzot target/release/kuzot] [--corpora ../shared/corpora] [--json]
"""
import argparse
import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

RISK = {"military_contract", "pmc", "disguised_military", "frontline_labour", "occupied_reconstruction"}


def analyze(kuzot, path):
    started = time.perf_counter()
    out = subprocess.run([kuzot, "analyze", str(path)], check=True, capture_output=True, text=True).stdout
    seconds = time.perf_counter() - started
    return [json.loads(line) for line in out.splitlines() if line.strip()], seconds


def stated_salary(text):
    """The salary line of a SuperJob vacancy as (min, max), or None."""
    m = re.search(r"Зарплата:\s*([^\n]*)", text)
    if not m:
        return None
    line = m.group(1).replace("\u00a0", " ").replace(" ", "")
    nums = [float(n) for n in re.findall(r"\d+", line)]
    if not nums:
        return None
    if "—" in line or "-" in line or "–" in line:
        return (nums[0], nums[1]) if len(nums) >= 2 else None
    if line.startswith("до"):
        return (None, nums[0])
    return (nums[0], None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kuzot", default="target/release/kuzot")
    ap.add_argument("--corpora", default="../shared/corpora")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    corpora = Path(args.corpora)
    result = {}

    news, secs = analyze(args.kuzot, corpora / "ru-telegram-news.jsonl")
    cats = Counter(p["category"] for p in news)
    risky = sum(cats[c] for c in RISK)
    result["ru_telegram_news"] = {"messages": len(news), "risk": risky, "risk_share": risky / len(news),
                                  "categories": dict(cats), "seconds": secs}

    texts = {}
    with open(corpora / "ru-superjob-vacancies.jsonl", encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            texts[o["id"]] = o["text"]
    jobs, secs = analyze(args.kuzot, corpora / "ru-superjob-vacancies.jsonl")
    not_job = [p["id"] for p in jobs if p["category"] != "job_other"]
    with_salary = found = 0
    for p in jobs:
        want = stated_salary(texts.get(p["id"], ""))
        if want is None:
            continue
        with_salary += 1
        got = {(m.get("min"), m.get("max")) for m in p["facts"]["money"] if m.get("currency") == "RUB"}
        if want in got:
            found += 1
    result["ru_superjob_vacancies"] = {"vacancies": len(jobs), "not_job_other": len(not_job),
                                       "not_job_other_share": len(not_job) / len(jobs),
                                       "not_job_other_ids": not_job, "with_stated_salary": with_salary,
                                       "salary_found": found, "seconds": secs}

    kk, secs = analyze(args.kuzot, corpora / "kk-news-sentences.jsonl")
    langs = Counter(p["lang"] for p in kk)
    result["kk_news_sentences"] = {"sentences": len(kk), "kk": langs["kk"], "kk_share": langs["kk"] / len(kk),
                                   "languages": dict(langs), "seconds": secs}

    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return
    n = result["ru_telegram_news"]
    print(f"ru Telegram news     {n['risk']} of {n['messages']} in a risk category ({n['risk_share']:.2%}; bar <= 0.5%)")
    j = result["ru_superjob_vacancies"]
    print(f"SuperJob vacancies   {j['not_job_other']} of {j['vacancies']} not job_other ({j['not_job_other_share']:.2%}; bar <= 2%); "
          f"stated salary found exactly in {j['salary_found']} of {j['with_stated_salary']}")
    k = result["kk_news_sentences"]
    print(f"Kazakh sentences     {k['kk']} of {k['sentences']} identified as kk ({k['kk_share']:.2%}; bar >= 98%)")


if __name__ == "__main__":
    sys.exit(main())

//! Development harness for the money extractor, the fingerprints and the linear model.
//!
//! ```text
//! cargo run -p kuzot-analysis --example money_dev -- money GOLD.jsonl      # money P/R/F1 and misses
//! cargo run -p kuzot-analysis --example money_dev -- superjob VACANCIES.jsonl
//! cargo run -p kuzot-analysis --example money_dev -- scan CORPUS.jsonl          # every amount, in context
//! cargo run --release -p kuzot-analysis --example money_dev -- time CORPUS.jsonl # time per document
//! cargo run --release -p kuzot-analysis --example money_dev -- cluster 1000000
//! ```

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use kuzot_analysis::fingerprint::{NearDuplicateIndex, SIGNATURE_LEN, minhash};
use kuzot_analysis::money::extract_money;
use kuzot_analysis::normalize::normalize;

type Key = (Option<i64>, Option<i64>, String);

fn key(min: Option<f64>, max: Option<f64>, currency: &str) -> Key {
    let cents = |v: Option<f64>| v.map(|v| (v * 100.0).round() as i64);
    (cents(min), cents(max), currency.to_uppercase())
}

fn lines(path: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).expect("readable file");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

fn money_on_gold(path: &str) {
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    for row in lines(path) {
        let text = row["text"].as_str().unwrap_or_default();
        let gold: BTreeSet<Key> = row["money"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|m| {
                        key(
                            m["min"].as_f64(),
                            m["max"].as_f64(),
                            m["currency"].as_str().unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let found: BTreeSet<Key> = extract_money(&normalize(text))
            .iter()
            .map(|m| key(m.min, m.max, m.currency.as_deref().unwrap_or("")))
            .collect();
        let hit = gold.intersection(&found).count();
        tp += hit;
        fp += found.len() - hit;
        fn_ += gold.len() - hit;
        if gold != found {
            println!("{}: {text:?}", row["id"]);
            println!("   gold  {gold:?}");
            println!("   found {found:?}");
        }
    }
    let p = if tp + fp > 0 {
        tp as f64 / (tp + fp) as f64
    } else {
        1.0
    };
    let r = if tp + fn_ > 0 {
        tp as f64 / (tp + fn_) as f64
    } else {
        1.0
    };
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    println!("money tp {tp} fp {fp} fn {fn_}  P {p:.3} R {r:.3} F1 {f:.3}");
}

/// Share of vacancies whose "Зарплата:" line is found with the same figures, in RUB.
fn superjob(path: &str) {
    let rows = lines(path);
    let (mut with_salary, mut found, mut exact) = (0usize, 0usize, 0usize);
    let mut extra = 0usize;
    let start = Instant::now();
    let (mut normalize_time, mut extract_time) = (Duration::ZERO, Duration::ZERO);
    for row in &rows {
        let text = row["text"].as_str().unwrap_or_default();
        let Some(line) = text.lines().find(|l| l.starts_with("Зарплата:")) else {
            continue;
        };
        with_salary += 1;
        let figures: Vec<f64> = line
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect();
        let expected = match figures.as_slice() {
            [a] => key(Some(*a), None, "RUB"),
            [a, b] => key(Some(*a), Some(*b), "RUB"),
            _ => continue,
        };
        let t0 = Instant::now();
        let normalized = normalize(text);
        let t1 = Instant::now();
        let money = extract_money(&normalized);
        normalize_time += t1 - t0;
        extract_time += t1.elapsed();
        let keys: Vec<Key> = money
            .iter()
            .map(|m| key(m.min, m.max, m.currency.as_deref().unwrap_or("")))
            .collect();
        if keys.iter().any(|k| k.2 == "RUB") {
            found += 1;
        }
        if keys.contains(&expected) {
            exact += 1;
        } else {
            println!("{}: expected {expected:?}, found {keys:?}", row["id"]);
        }
        extra += keys.len().saturating_sub(1);
        if std::env::var_os("SHOW_EXTRA").is_some() {
            for m in &money {
                if key(m.min, m.max, m.currency.as_deref().unwrap_or("")) != expected {
                    let from = text.floor_char_boundary(m.span.start.saturating_sub(40));
                    let to = text.ceil_char_boundary((m.span.end + 30).min(text.len()));
                    println!(
                        "  extra {:?} {:?} {} {:?}: …{}…",
                        m.min,
                        m.max,
                        m.currency.as_deref().unwrap_or("?"),
                        m.period,
                        text[from..to].replace('\n', " ")
                    );
                }
            }
        }
    }
    println!(
        "superjob: {with_salary} with a salary line; RUB amount found in {found} ({:.1}%), \
         the salary line's exact figures in {exact} ({:.1}%); {extra} further amounts; {:?} in all, \
         {normalize_time:?} normalising, {extract_time:?} extracting money",
        100.0 * found as f64 / with_salary.max(1) as f64,
        100.0 * exact as f64 / with_salary.max(1) as f64,
        start.elapsed()
    );
}

/// Clusters `n` signatures: `n / 4` distinct ads (random signatures, as unrelated texts
/// give), each posted about four times with a few MinHash values changed, as a repost with
/// a new phone number changes them. Reports the time of MinHash, insertion and clustering.
fn cluster(n: usize) {
    let ad_text = "Вахта в Бердянске, сварщики и подсобники, оплата 112 000 руб ежемесячно, \
        общежитие, обеды, проезд компенсируем, звоните +7 949 603 18 27";
    let texts: Vec<_> = (0..10_000u32)
        .map(|i| normalize(&format!("{ad_text} {i}")))
        .collect();
    let start = Instant::now();
    for text in &texts {
        let _ = minhash(text);
    }
    let per_message = start.elapsed() / 10_000;
    let distinct = (n / 4).max(1);
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    };
    let mut bases: Vec<u32> = Vec::with_capacity(distinct * SIGNATURE_LEN);
    for _ in 0..distinct * SIGNATURE_LEN {
        bases.push(next());
    }
    let start = Instant::now();
    let mut index = NearDuplicateIndex::new();
    let mut sig = vec![0u32; SIGNATURE_LEN];
    for id in 0..n {
        let ad = id % distinct;
        sig.copy_from_slice(&bases[ad * SIGNATURE_LEN..(ad + 1) * SIGNATURE_LEN]);
        if id >= distinct {
            for k in (id % 7..SIGNATURE_LEN).step_by(23) {
                sig[k] = next();
            }
        }
        index.insert(id as u64, &sig);
    }
    let insert_time = start.elapsed();
    let start = Instant::now();
    let clusters = index.clusters();
    let cluster_time = start.elapsed();
    let distinct_clusters: BTreeSet<u64> = clusters.iter().map(|&(_, c)| c).collect();
    println!(
        "minhash {per_message:?} per message; {n} signatures: insert {insert_time:?}, \
         clusters {cluster_time:?}; {} clusters (expected {distinct})",
        distinct_clusters.len()
    );
}

/// Every amount found in a corpus, with its context, for reading through by hand.
fn scan(path: &str) {
    let (mut docs, mut with_money, mut amounts) = (0usize, 0usize, 0usize);
    for row in lines(path) {
        let text = row["text"].as_str().unwrap_or_default();
        docs += 1;
        let money = extract_money(&normalize(text));
        if !money.is_empty() {
            with_money += 1;
        }
        for m in &money {
            amounts += 1;
            let from = text.floor_char_boundary(m.span.start.saturating_sub(50));
            let to = text.ceil_char_boundary((m.span.end + 30).min(text.len()));
            println!(
                "{} {:?} {:?} {} {:?} {:?}: …{}…",
                row["id"],
                m.min,
                m.max,
                m.currency.as_deref().unwrap_or("?"),
                m.period,
                m.role,
                text[from..to].replace('\n', " ")
            );
        }
    }
    println!("{docs} documents, {with_money} with money, {amounts} amounts");
}

/// Time of `extract_money` alone, per document, over a corpus already normalised.
fn time(path: &str) {
    let texts: Vec<_> = lines(path)
        .iter()
        .map(|row| normalize(row["text"].as_str().unwrap_or_default()))
        .collect();
    let start = Instant::now();
    let mut found = 0usize;
    for _ in 0..10 {
        for text in &texts {
            found += extract_money(text).len();
        }
    }
    let per_doc = start.elapsed() / (10 * texts.len().max(1)) as u32;
    println!(
        "{} documents, {found} amounts over 10 runs, {per_doc:?} per document",
        texts.len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match (
        args.get(1).map(String::as_str),
        args.get(2).map(String::as_str),
    ) {
        (Some("money"), Some(path)) => money_on_gold(path),
        (Some("superjob"), Some(path)) => superjob(path),
        (Some("scan"), Some(path)) => scan(path),
        (Some("time"), Some(path)) => time(path),
        (Some("cluster"), n) => cluster(n.and_then(|n| n.parse().ok()).unwrap_or(1_000_000)),
        _ => eprintln!("usage: money_dev money GOLD.jsonl | superjob FILE.jsonl | cluster N"),
    }
}

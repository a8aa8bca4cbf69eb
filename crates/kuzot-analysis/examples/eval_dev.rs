//! Development harness: analyses a JSONL file of `{"id", "text"}` objects and writes one
//! prediction line per message (the schema of the evaluation guide), so that it can be
//! scored with `score.py`; prints category and language counts and the speed of
//! `Engine::analyze` on one core to stderr.
//!
//! ```text
//! cargo run --release -p kuzot-analysis --example eval_dev -- IN.jsonl OUT.jsonl
//! python3 /work/shared/eval/score.py /work/shared/eval/dev.jsonl OUT.jsonl
//! ```
//! `OUT.jsonl` may be `-` for standard output. With `--show CATEGORY[,CATEGORY]` the ids
//! and first characters of messages predicted in those categories are printed to stderr
//! (for looking at false alarms on the real corpora).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::time::Instant;

use kuzot_analysis::classify::{ClassifyContext, CueModel};
use kuzot_analysis::normalize::normalize;
use kuzot_analysis::{Engine, fingerprint, lang, money, phones, prediction_json};

/// Prints the time each stage takes per message (`--stages`), to see where time goes.
fn stage_times(records: &[(String, String)]) {
    let Ok(cues) = CueModel::try_new() else {
        eprintln!("cue data does not build");
        return;
    };
    let mut times = [0.0f64; 6];
    let names = [
        "normalize",
        "lang",
        "classify",
        "money",
        "phones",
        "fingerprint",
    ];
    for (_, text) in records {
        let t = Instant::now();
        let n = normalize(text);
        times[0] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        std::hint::black_box(lang::identify_language(text, &n));
        times[1] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        std::hint::black_box(cues.classify(text, &n, &ClassifyContext::default()));
        times[2] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        std::hint::black_box(money::extract_money(&n));
        times[3] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        std::hint::black_box(phones::extract_phones(text));
        times[4] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        std::hint::black_box(fingerprint::minhash(&n));
        times[5] += t.elapsed().as_secs_f64();
    }
    let n = records.len().max(1) as f64;
    for (name, time) in names.iter().zip(times) {
        eprintln!("  {name:<12} {:.1} µs/message", time * 1e6 / n);
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let show: Vec<String> = args
        .iter()
        .position(|a| a == "--show")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    let (Some(input), Some(output)) = (positional.first(), positional.get(1)) else {
        eprintln!("usage: eval_dev IN.jsonl OUT.jsonl [--show CATEGORY,…]");
        std::process::exit(2);
    };

    let mut records: Vec<(String, String)> = Vec::new();
    for line in BufReader::new(std::fs::File::open(input)?).lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(&line)?;
        let id = match &value["id"] {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let text = value["text"].as_str().unwrap_or_default().to_owned();
        records.push((id, text));
    }

    if args.iter().any(|a| a == "--stages") {
        stage_times(&records);
    }

    let engine = Engine::new();
    let started = Instant::now();
    let analyses: Vec<_> = records
        .iter()
        .map(|(_, text)| engine.analyze(text))
        .collect();
    let elapsed = started.elapsed();

    let mut out: Box<dyn Write> = if output.as_str() == "-" {
        Box::new(BufWriter::new(std::io::stdout()))
    } else {
        Box::new(BufWriter::new(std::fs::File::create(output.as_str())?))
    };
    let mut categories: BTreeMap<String, usize> = BTreeMap::new();
    let mut langs: BTreeMap<String, usize> = BTreeMap::new();
    for ((id, text), analysis) in records.iter().zip(&analyses) {
        writeln!(out, "{}", prediction_json(analysis, id))?;
        *categories.entry(analysis.category.to_string()).or_default() += 1;
        *langs.entry(analysis.lang.clone()).or_default() += 1;
        if show.iter().any(|c| c == analysis.category.as_str()) {
            let head: String = text.chars().take(160).collect();
            eprintln!("{id}\t{}\t{}", analysis.category, head.replace('\n', " / "));
        }
    }
    out.flush()?;

    let n = records.len().max(1);
    let risk: usize = analyses.iter().filter(|a| a.category.is_risk()).count();
    eprintln!("messages {}", records.len());
    eprintln!("categories {categories:?}");
    eprintln!(
        "risk {risk} ({:.2}%)  not job_other {:.2}%",
        100.0 * risk as f64 / n as f64,
        100.0 * (n - categories.get("job_other").copied().unwrap_or(0)) as f64 / n as f64
    );
    eprintln!("langs {langs:?}");
    eprintln!(
        "analyze: {:.0} messages/s on one core ({:.1} µs each)",
        n as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / n as f64,
    );
    Ok(())
}

//! Scores the place, organisation, promise and phone extractors on a labelled set.
//!
//! ```text
//! cargo run -p kuzot-analysis --example facts_dev -- /work/shared/eval/dev.jsonl [--quiet]
//! ```
//! Prints precision, recall and F1 per fact, occupied accuracy, and every mismatch
//! (`-` missed, `+` extra) unless `--quiet`.

use std::collections::BTreeSet;

use kuzot_analysis::normalize::normalize;
use kuzot_analysis::{orgs, phones, places, promises};

#[derive(Default)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn add(&mut self, gold: &BTreeSet<String>, pred: &BTreeSet<String>) {
        self.tp += gold.intersection(pred).count();
        self.fp += pred.difference(gold).count();
        self.fn_ += gold.difference(pred).count();
    }

    fn report(&self, name: &str) {
        let p = if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        };
        let r = if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        };
        let f = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        println!(
            "{name:<9} P {p:.3}  R {r:.3}  F1 {f:.3}  (tp {} fp {} fn {})",
            self.tp, self.fp, self.fn_
        );
    }
}

fn strings(value: &serde_json::Value) -> BTreeSet<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map_or("/work/shared/eval/dev.jsonl", String::as_str);
    let quiet = args.iter().any(|a| a == "--quiet");
    let data = std::fs::read_to_string(path)?;
    let kinds = ["places", "orgs", "promises", "phones"];
    let mut counts: Vec<Counts> = kinds.iter().map(|_| Counts::default()).collect();
    let (mut occupied_ok, mut total) = (0usize, 0usize);
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let gold: serde_json::Value = serde_json::from_str(line)?;
        let text = gold["text"].as_str().unwrap_or_default();
        let id = gold["id"].as_str().unwrap_or_default();
        let normalized = normalize(text);
        let found_places = places::extract_places(&normalized);
        let predicted: [BTreeSet<String>; 4] = [
            found_places.iter().map(|p| p.id.clone()).collect(),
            orgs::extract_orgs(&normalized)
                .iter()
                .map(|(o, _)| o.as_str().to_owned())
                .collect(),
            promises::extract_promises(&normalized)
                .iter()
                .map(|(p, _)| p.as_str().to_owned())
                .collect(),
            phones::extract_phones(text)
                .into_iter()
                .map(|(n, _)| n)
                .collect(),
        ];
        total += 1;
        let occupied = found_places.iter().any(|p| p.occupied);
        let gold_occupied = gold["occupied"].as_bool().unwrap_or(false);
        if occupied == gold_occupied {
            occupied_ok += 1;
        } else if !quiet {
            println!("{id} occupied: gold {gold_occupied} predicted {occupied}");
        }
        for (k, kind) in kinds.iter().enumerate() {
            let expected = strings(&gold[*kind]);
            counts[k].add(&expected, &predicted[k]);
            if !quiet && expected != predicted[k] {
                let missed: Vec<_> = expected.difference(&predicted[k]).collect();
                let extra: Vec<_> = predicted[k].difference(&expected).collect();
                println!("{id} {kind}: -{missed:?} +{extra:?}\n    {text}");
            }
        }
    }
    println!("messages {total}");
    for (k, kind) in kinds.iter().enumerate() {
        counts[k].report(kind);
    }
    println!(
        "occupied accuracy {:.3}",
        occupied_ok as f64 / total.max(1) as f64
    );
    Ok(())
}

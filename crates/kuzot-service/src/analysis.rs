//! Analysis use cases: analyse a stream of messages (`kuzot analyze`), score the engine
//! against labelled messages (`kuzot eval`), train the linear model (`kuzot train`),
//! re-analyse the store after an upgrade (`kuzot reanalyze`), and group near-duplicates.

use std::collections::HashMap;
use std::io::{BufRead, Write};

use kuzot_analysis::fingerprint::NearDuplicateIndex;
use kuzot_analysis::linear::{CvReport, LinearModel, TrainParams, cross_validate};
use kuzot_analysis::metrics::{GoldRecord, Prediction, Scores, score};
use kuzot_analysis::{Engine, prediction_json};
use kuzot_model::Category;
use kuzot_store::Store;
use rayon::prelude::*;
use serde::Serialize;

use crate::{IngestProgress, ServiceError};

/// Lines analysed per parallel batch: large enough to keep both cores busy, small enough
/// that output streams and memory stays flat.
const BATCH_LINES: usize = 2048;

/// One input line that could not be analysed.
#[derive(Debug, Clone, Serialize)]
pub struct BadLine {
    /// 1-based line number.
    pub line: u64,
    /// What was wrong.
    pub reason: String,
}

/// What `analyze_lines` did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AnalyzeReport {
    /// Messages analysed.
    pub messages: u64,
    /// Lines rejected.
    pub bad_lines: Vec<BadLine>,
}

/// One input line: a JSON object with `id` and `text`, or plain text (its id is its line
/// number).
fn parse_line(number: u64, line: &str) -> Result<Option<(String, String)>, String> {
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if !trimmed.starts_with('{') {
        return Ok(Some((number.to_string(), line.to_owned())));
    }
    let value: serde_json::Value =
        serde_json::from_str(trimmed).map_err(|e| format!("not JSON: {e}"))?;
    let id = match value.get("id") {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        None => number.to_string(),
        Some(_) => return Err("\"id\" is neither a string nor a number".into()),
    };
    match value.get("text") {
        Some(serde_json::Value::String(t)) => Ok(Some((id, t.clone()))),
        _ => Err("no \"text\" string".into()),
    }
}

/// Reads JSONL (`{"id","text"}`) or plain lines and writes one prediction line per message,
/// in input order, analysing batches in parallel on rayon's pool. Bad lines are reported
/// (and passed to `on_bad_line` as they come) and skipped.
pub fn analyze_lines(
    engine: &Engine,
    input: impl BufRead,
    output: &mut dyn Write,
    on_bad_line: &mut dyn FnMut(&BadLine),
) -> Result<AnalyzeReport, ServiceError> {
    let mut report = AnalyzeReport::default();
    let mut batch: Vec<(String, String)> = Vec::with_capacity(BATCH_LINES);
    let mut number = 0u64;
    let mut flush = |batch: &mut Vec<(String, String)>,
                     report: &mut AnalyzeReport|
     -> Result<(), ServiceError> {
        let lines: Vec<String> = batch
            .par_iter()
            .map(|(id, text)| prediction_json(&engine.analyze(text), id).to_string())
            .collect();
        for line in lines {
            output.write_all(line.as_bytes())?;
            output.write_all(b"\n")?;
        }
        report.messages += batch.len() as u64;
        batch.clear();
        Ok(())
    };
    for line in input.split(b'\n') {
        let bytes = line?;
        number += 1;
        let parsed = match std::str::from_utf8(&bytes) {
            Ok(text) => parse_line(number, text.trim_end_matches('\r')),
            Err(e) => Err(format!("invalid UTF-8 at byte {}", e.valid_up_to())),
        };
        match parsed {
            Ok(Some(item)) => {
                batch.push(item);
                if batch.len() == BATCH_LINES {
                    flush(&mut batch, &mut report)?;
                }
            }
            Ok(None) => {}
            Err(reason) => {
                let bad = BadLine {
                    line: number,
                    reason,
                };
                on_bad_line(&bad);
                report.bad_lines.push(bad);
            }
        }
    }
    flush(&mut batch, &mut report)?;
    output.flush()?;
    Ok(report)
}

/// Reads a gold file (the labelled JSONL of the evaluation guide), naming the line of any
/// malformed record.
pub fn read_gold(text: &str) -> Result<Vec<GoldRecord>, String> {
    kuzot_analysis::metrics::parse_gold(text)
}

/// Runs the engine over labelled messages and scores it as `score.py` does.
pub fn evaluate(engine: &Engine, gold: &[GoldRecord]) -> Scores {
    let predictions: HashMap<String, Prediction> = gold
        .par_iter()
        .filter_map(|g| {
            let analysis = engine.analyze(g.text.as_deref().unwrap_or(""));
            let json = prediction_json(&analysis, &g.id);
            serde_json::from_value::<Prediction>(json)
                .ok()
                .map(|p| (g.id.clone(), p))
        })
        .collect();
    score(gold, &predictions)
}

/// The labelled examples of a gold file as training pairs; lines with an unknown label are
/// left out and counted.
pub fn training_examples(gold: &[GoldRecord]) -> (Vec<(&str, Category)>, usize) {
    let mut skipped = 0;
    let examples = gold
        .iter()
        .filter_map(|g| match (g.text.as_deref(), Category::parse(&g.label)) {
            (Some(text), Some(category)) => Some((text, category)),
            _ => {
                skipped += 1;
                None
            }
        })
        .collect();
    (examples, skipped)
}

/// Trains the linear model on labelled examples.
pub fn train_model(examples: &[(&str, Category)], trained_at: &str) -> LinearModel {
    let params = TrainParams {
        trained_at: trained_at.to_owned(),
        ..TrainParams::default()
    };
    LinearModel::train(examples, &params)
}

/// k-fold cross-validation of the linear model on labelled examples.
pub fn cross_validate_model(examples: &[(&str, Category)], k: usize) -> CvReport {
    cross_validate(examples, k, &TrainParams::default())
}

/// Documents re-analysed per batch (read, analysed in parallel, written in one transaction).
const REANALYZE_BATCH: usize = 4096;

/// Re-analyses every document in the store with `engine`, then regroups near-duplicates.
/// Returns how many documents were analysed.
pub fn reanalyze(
    store: &mut Store,
    engine: &Engine,
    progress: &dyn IngestProgress,
) -> Result<u64, ServiceError> {
    let (total, _) = store.analysis_status(&engine.version())?;
    progress.start(1, total);
    let mut after = 0i64;
    let mut done = 0u64;
    loop {
        let batch = store.texts_after(after, REANALYZE_BATCH)?;
        let Some(&(last, _)) = batch.last() else {
            break;
        };
        let analyses: Vec<_> = batch
            .par_iter()
            .map(|(id, text)| (*id, engine.analyze(text)))
            .collect();
        store.save_analyses(&analyses)?;
        done += analyses.len() as u64;
        progress.bytes(analyses.len() as u64);
        progress.documents(analyses.len() as u64);
        after = last;
    }
    recluster(store)?;
    progress.finish();
    Ok(done)
}

/// Groups every analysed document into near-duplicate clusters (MinHash + LSH) and records
/// each document's cluster. Returns the number of clusters with more than one document.
pub fn recluster(store: &mut Store) -> Result<u64, ServiceError> {
    let mut index = NearDuplicateIndex::new();
    store.for_each_fingerprint(|id, signature| index.insert(id as u64, signature))?;
    let clusters = index.clusters();
    let mut sizes: HashMap<u64, u64> = HashMap::new();
    for (_, cluster) in &clusters {
        *sizes.entry(*cluster).or_default() += 1;
    }
    // Singletons stay without a cluster: "cluster" means "has near-duplicates".
    let shared: Vec<(i64, i64)> = clusters
        .iter()
        .filter(|(_, c)| sizes.get(c).copied().unwrap_or(0) > 1)
        .map(|&(id, c)| (id as i64, c as i64))
        .collect();
    store.set_clusters(&shared)?;
    Ok(sizes.values().filter(|&&n| n > 1).count() as u64)
}

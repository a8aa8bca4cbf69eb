//! Analysis use cases: analyse a stream of messages (`kuzot analyze`), score the engine
//! against labelled messages (`kuzot eval`), train the linear model (`kuzot train`),
//! re-analyse the store after an upgrade (`kuzot reanalyze`), and group near-duplicates.

use std::collections::{BTreeMap, HashMap};
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

/// Lines one rayon task parses, analyses and serialises in a row: large enough that
/// handing a chunk over costs nothing next to analysing it, small enough that the last
/// chunk of a file does not leave a core idle for long.
const CHUNK_LINES: usize = 256;

/// Chunks read but not yet written: bounds memory to this many chunks of input and
/// prediction lines, whatever the size of the input, while keeping every core busy.
const CHUNKS_IN_FLIGHT: usize = 8;

/// Consecutive input lines, read as bytes: `ends[k]` is where line `first_line + k` ends
/// in `bytes` (after its `\n`, if it has one).
struct LineChunk {
    first_line: u64,
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

/// A chunk analysed: its prediction lines, ready to write, and its rejected lines.
struct AnalysedChunk {
    output: Vec<u8>,
    messages: u64,
    bad_lines: Vec<BadLine>,
}

/// Reads up to `lines` lines starting at line `first_line`; an empty chunk means the end.
fn read_chunk(
    input: &mut impl BufRead,
    first_line: u64,
    lines: usize,
) -> std::io::Result<LineChunk> {
    let mut chunk = LineChunk {
        first_line,
        bytes: Vec::new(),
        ends: Vec::with_capacity(lines),
    };
    while chunk.ends.len() < lines {
        if input.read_until(b'\n', &mut chunk.bytes)? == 0 {
            break;
        }
        chunk.ends.push(chunk.bytes.len());
    }
    Ok(chunk)
}

/// Parses, analyses and serialises every line of a chunk, in order.
fn analyse_chunk(engine: &Engine, chunk: &LineChunk) -> AnalysedChunk {
    let mut done = AnalysedChunk {
        output: Vec::with_capacity(chunk.bytes.len() * 4),
        messages: 0,
        bad_lines: Vec::new(),
    };
    let mut start = 0;
    for (number, &end) in (chunk.first_line..).zip(&chunk.ends) {
        let raw = &chunk.bytes[start..end];
        start = end;
        let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
        let parsed = match std::str::from_utf8(raw) {
            Ok(text) => parse_line(number, text.trim_end_matches('\r')),
            Err(e) => Err(format!("invalid UTF-8 at byte {}", e.valid_up_to())),
        };
        match parsed {
            Ok(Some((id, text))) => {
                let line = prediction_json(&engine.analyze(&text), &id).to_string();
                done.output.extend_from_slice(line.as_bytes());
                done.output.push(b'\n');
                done.messages += 1;
            }
            Ok(None) => {}
            Err(reason) => done.bad_lines.push(BadLine {
                line: number,
                reason,
            }),
        }
    }
    done
}

/// Reads JSONL (`{"id","text"}`) or plain lines and writes one prediction line per message,
/// in input order. Chunks of lines are parsed, analysed and serialised on rayon's pool
/// while this thread reads the next chunks and writes the finished ones in order, so
/// every core analyses and at most a few chunks are held in memory. Bad lines are reported
/// (and passed to `on_bad_line` in line order) and skipped.
pub fn analyze_lines(
    engine: &Engine,
    input: impl BufRead,
    output: &mut dyn Write,
    on_bad_line: &mut dyn FnMut(&BadLine),
) -> Result<AnalyzeReport, ServiceError> {
    analyze_lines_in_chunks(engine, input, output, on_bad_line, CHUNK_LINES)
}

/// [`analyze_lines`] with a chosen number of lines per chunk (tests use small chunks to
/// cross many chunk boundaries).
fn analyze_lines_in_chunks(
    engine: &Engine,
    mut input: impl BufRead,
    output: &mut dyn Write,
    on_bad_line: &mut dyn FnMut(&BadLine),
    chunk_lines: usize,
) -> Result<AnalyzeReport, ServiceError> {
    type Finished = std::thread::Result<AnalysedChunk>;
    let chunk_lines = chunk_lines.max(1);
    let mut report = AnalyzeReport::default();
    rayon::in_place_scope(|scope| -> Result<(), ServiceError> {
        let (finished_tx, finished_rx) = std::sync::mpsc::channel::<(u64, Finished)>();
        // Chunks that finished before an earlier one, by sequence number.
        let mut finished: BTreeMap<u64, Finished> = BTreeMap::new();
        let (mut read, mut written) = (0u64, 0u64);
        let mut next_line = 1u64;
        let mut input_done = false;
        loop {
            while !input_done && read - written < CHUNKS_IN_FLIGHT as u64 {
                let chunk = read_chunk(&mut input, next_line, chunk_lines)?;
                if chunk.ends.is_empty() {
                    input_done = true;
                    break;
                }
                next_line += chunk.ends.len() as u64;
                let sender = finished_tx.clone();
                let sequence = read;
                scope.spawn(move |_| {
                    // A panic is carried back and resumed here, so that this thread
                    // never waits for a chunk that will not come.
                    let analysed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        analyse_chunk(engine, &chunk)
                    }));
                    // The receiver is gone only when writing failed; the error is
                    // already on its way to the caller.
                    let _ = sender.send((sequence, analysed));
                });
                read += 1;
            }
            if written == read {
                return Ok(());
            }
            let analysed = loop {
                if let Some(done) = finished.remove(&written) {
                    break done;
                }
                // This thread holds a sender, so the channel stays open while chunks
                // are out: `recv` fails only if that invariant is broken.
                let (sequence, done) = finished_rx.recv().map_err(|_| {
                    ServiceError::Output(std::io::Error::other(
                        "an analysis task vanished without a result",
                    ))
                })?;
                finished.insert(sequence, done);
            };
            let analysed = analysed.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            output.write_all(&analysed.output)?;
            report.messages += analysed.messages;
            for bad in analysed.bad_lines {
                on_bad_line(&bad);
                report.bad_lines.push(bad);
            }
            written += 1;
        }
    })?;
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

/// Documents re-analysed per batch (taken from the queue, analysed in parallel, written
/// in one transaction).
pub(crate) const REANALYZE_BATCH: usize = 4096;

/// Re-analyses the store with `engine` in this process: puts every document not analysed
/// by this engine version in the analysis queue, drains the queue (the same queue
/// `kuzot worker` processes take from), then regroups near-duplicates. Returns how many
/// documents were analysed.
pub fn reanalyze(
    store: &mut Store,
    engine: &Engine,
    progress: &dyn IngestProgress,
) -> Result<u64, ServiceError> {
    store.queue_stale_analyses(&engine.version())?;
    let never = std::sync::atomic::AtomicBool::new(false);
    let report = crate::flow::drain_analysis_queue(
        store,
        engine,
        REANALYZE_BATCH,
        crate::flow::DrainUntil::Empty,
        &never,
        progress,
    )?;
    // The queue may have been empty with the regroup mark left by an earlier run. The
    // user waits for this command: it regroups even while another process's lease runs.
    recluster(store, Claim::TakeOver)?;
    Ok(report.analysed)
}

/// How long a regrouping's claim keeps other processes from starting the same one: far
/// longer than a regrouping takes at the sizes measured (grouping 1,000,000 signatures takes
/// about 3 s in BENCHMARKS.md's clustering run; reading them from the store and writing the
/// clusters add to that). A process that dies holding it delays the regrouping by at most
/// this long for workers; a command that a user runs takes over at once.
pub const REGROUP_LEASE: std::time::Duration = std::time::Duration::from_secs(600);

/// Whether [`recluster`] respects another process's claim on the pending regrouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Leave it to the process that holds the lease (workers, servers).
    Respect,
    /// Regroup anyway (a command whose user waits for the result). Still safe: clusters
    /// are written only by a regrouping newer than the last one written.
    TakeOver,
}

/// Groups every analysed document into near-duplicate clusters (MinHash + LSH) and records
/// each document's cluster, when a regrouping is pending and this process can claim it.
/// Returns the number of clusters with more than one document, or `None` when nothing was
/// pending, another process holds the claim, or a newer regrouping wrote first.
pub fn recluster(store: &mut Store, claim: Claim) -> Result<Option<u64>, ServiceError> {
    let Some(claimed) = store.claim_regroup(REGROUP_LEASE, claim == Claim::TakeOver)? else {
        return Ok(None);
    };
    // Read after the claim, so that every commit up to its generation is included.
    let mut index = NearDuplicateIndex::new();
    store.for_each_fingerprint(&mut |id, signature| index.insert(id as u64, signature))?;
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
    if !store.set_clusters(&shared, &claimed)? {
        return Ok(None);
    }
    Ok(Some(sizes.values().filter(|&&n| n > 1).count() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines of every kind `kuzot analyze` meets: JSON with string and number ids, plain
    /// text, blank lines, broken JSON, invalid UTF-8, CRLF endings, and a last line with
    /// no newline.
    fn mixed_input() -> Vec<u8> {
        let texts = [
            "Контракт с Минобороны, выплата 195 000 руб. Звоните +7 901 555 21 40",
            "Требуются штукатуры в Мариуполь, жильё, 120 000 руб/мес",
            "Погода в Бишкеке: завтра дождь",
            "Vakhta v Moskve, oylik 90 000 rubl, tel +7 926 384 70 59",
        ];
        let mut input = Vec::new();
        for k in 0..40 {
            let text = texts[k % texts.len()];
            match k % 8 {
                0 => input.extend(format!("{{\"id\": \"m{k}\", \"text\": {text:?}}}\n").bytes()),
                1 => input.extend(format!("{{\"id\": {k}, \"text\": {text:?}}}\r\n").bytes()),
                2 => input.extend(format!("{text} {k}\n").bytes()),
                3 => input.extend(b"\n   \n"),
                4 => input.extend(b"{\"id\": \"broken\", \"text\": \n"),
                5 => input.extend(b"\xff\xfe not text\n"),
                6 => input.extend(format!("{{\"text\": {text:?}}}\n").bytes()),
                _ => input.extend(b"{\"id\": [1], \"text\": \"x\"}\n"),
            }
        }
        input.extend("{\"id\": \"last\", \"text\": \"вахта, без перевода строки\"}".bytes());
        input
    }

    /// What one thread reading line by line gives: the prediction lines and the
    /// numbers of the rejected lines.
    fn one_line_at_a_time(engine: &Engine, input: &[u8]) -> (String, Vec<u64>) {
        let mut out = String::new();
        let mut bad = Vec::new();
        for (number, raw) in (1u64..).zip(input.split(|&b| b == b'\n')) {
            if raw.is_empty() && number as usize > input.split(|&b| b == b'\n').count() - 1 {
                break; // the empty piece after a final newline
            }
            let parsed = match std::str::from_utf8(raw) {
                Ok(text) => parse_line(number, text.trim_end_matches('\r')),
                Err(_) => Err(String::new()),
            };
            match parsed {
                Ok(Some((id, text))) => {
                    out.push_str(&prediction_json(&engine.analyze(&text), &id).to_string());
                    out.push('\n');
                }
                Ok(None) => {}
                Err(_) => bad.push(number),
            }
        }
        (out, bad)
    }

    #[test]
    fn chunked_parallel_analysis_writes_what_one_line_at_a_time_does() {
        let engine = Engine::new();
        let input = mixed_input();
        let (expected, expected_bad) = one_line_at_a_time(&engine, &input);
        assert_eq!(expected.lines().count(), 21, "the input has 21 messages");
        for chunk_lines in [1, 2, 3, 7, 64, CHUNK_LINES] {
            let mut out = Vec::new();
            let mut seen = Vec::new();
            let report = analyze_lines_in_chunks(
                &engine,
                &input[..],
                &mut out,
                &mut |bad| seen.push(bad.line),
                chunk_lines,
            )
            .expect("analysed");
            assert_eq!(
                String::from_utf8(out).expect("UTF-8"),
                expected,
                "chunks of {chunk_lines} lines"
            );
            assert_eq!(report.messages, 21);
            let reported: Vec<u64> = report.bad_lines.iter().map(|b| b.line).collect();
            assert_eq!(reported, expected_bad, "chunks of {chunk_lines} lines");
            assert_eq!(
                seen, expected_bad,
                "callback order, chunks of {chunk_lines}"
            );
        }
    }

    #[test]
    fn rejected_lines_name_their_number_and_reason() {
        let engine = Engine::new();
        let input = b"{\"id\": \"a\", \"text\": \"x\"}\n\xff\n{\"text\": 5}\n{oops\n";
        let mut out = Vec::new();
        let report = analyze_lines_in_chunks(&engine, &input[..], &mut out, &mut |_| {}, 2)
            .expect("analysed");
        assert_eq!(report.messages, 1);
        let bad: Vec<(u64, &str)> = report
            .bad_lines
            .iter()
            .map(|b| (b.line, b.reason.as_str()))
            .collect();
        assert_eq!(bad[0], (2, "invalid UTF-8 at byte 0"));
        assert_eq!(bad[1], (3, "no \"text\" string"));
        assert_eq!(bad[2].0, 4);
        assert!(bad[2].1.starts_with("not JSON"), "{}", bad[2].1);
    }

    /// A writer that fails after `left` bytes, like a closed pipe.
    struct FailingWriter {
        left: usize,
    }

    impl Write for FailingWriter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.left == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::BrokenPipe,
                    "closed",
                ));
            }
            let n = buf.len().min(self.left);
            self.left -= n;
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failing_output_stops_with_an_error_instead_of_hanging() {
        let engine = Engine::new();
        let input = "Вахта, 100 000 руб\n".repeat(200);
        let mut out = FailingWriter { left: 1000 };
        let result = analyze_lines_in_chunks(&engine, input.as_bytes(), &mut out, &mut |_| {}, 3);
        assert!(matches!(result, Err(ServiceError::Output(_))));
    }
}

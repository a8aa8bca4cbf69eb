//! `kuzot-bench`: reproducible throughput and memory figures (see BENCHMARKS.md).
//!
//! Each subcommand generates its corpus from a seed, runs one stage, and prints one line of
//! JSON with the figures, so that the numbers in BENCHMARKS.md come from one command.

use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use kuzot_ingest::{DocumentSink, ReadOptions, RecordError, SinkError};
use kuzot_model::{RawDocument, SourceFormat};
use rayon::prelude::*;

#[derive(Debug, Parser)]
#[command(name = "kuzot-bench", about = "kuzot benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Audit log appends per second before and after the hash chain (and, with
    /// --verify-entries, the time `kuzot audit verify` takes over a log that long).
    AuditAppend {
        /// Entries appended by each measurement.
        #[arg(long, default_value_t = 2_000)]
        entries: u64,
        /// Also time verifying a log of this many entries (0: not).
        #[arg(long, default_value_t = 0)]
        verify_entries: u64,
        /// Measure on this PostgreSQL database (`postgres://…`, which should be empty)
        /// instead of a fresh SQLite store.
        #[arg(long)]
        database: Option<String>,
    },
    /// Write a generated Telegram export.
    Generate {
        /// Number of messages.
        #[arg(long, default_value_t = 100_000)]
        messages: u64,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The chat's id: another chat's messages are new documents in a store that holds
        /// the default chat's.
        #[arg(long, default_value_t = kuzot_bench::DEFAULT_CHAT_ID)]
        chat_id: u64,
        /// Output file.
        output: PathBuf,
    },
    /// Read a generated export (reader only, no store): messages/s.
    Read {
        /// Number of messages.
        #[arg(long, default_value_t = 1_000_000)]
        messages: u64,
        /// Repeat the read this many times and report each.
        #[arg(long, default_value_t = 3)]
        runs: u32,
    },
    /// Full analysis (normalise, language, classify, extract, fingerprint) of a generated
    /// mixed corpus, plus the texts of a JSONL corpus if given: messages/s on one thread
    /// and on `threads` threads.
    Analyze {
        /// Number of generated messages.
        #[arg(long, default_value_t = 100_000)]
        messages: usize,
        /// Threads for the parallel run.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// A JSONL file of `{"text": …}` lines (e.g. /work/shared/corpora/ru-telegram-news.jsonl)
        /// whose texts are analysed too.
        #[arg(long)]
        corpus: Option<PathBuf>,
    },
    /// `kuzot analyze` end to end, as the command runs it (JSONL in, prediction lines out,
    /// on rayon's pool): a JSONL corpus read `repeat` times in a row, its output counted
    /// and dropped; then the engine alone on one pass of the corpus, on one thread.
    AnalyzeLines {
        /// A JSONL file of `{"id", "text"}` lines (e.g. /work/shared/corpora/ru-telegram-news.jsonl).
        corpus: PathBuf,
        /// How many times the corpus is read in a row.
        #[arg(long, default_value_t = 10)]
        repeat: usize,
        /// Also write the prediction lines to this file (to compare two builds byte for
        /// byte); by default they are counted and dropped.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Near-duplicate clustering of generated messages with reposts: MinHash signatures
    /// (in parallel) and NearDuplicateIndex clustering: seconds and peak memory.
    Cluster {
        /// Number of messages.
        #[arg(long, default_value_t = 1_000_000)]
        messages: usize,
        /// Threads for the signatures.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// The name matcher (kuzot-cases) over generated fictional persons with spelling
    /// variants: index build time, per-query match time (p50, p99) against the index, and
    /// all-pairs suggestions over it, with precision and recall against the generator's
    /// truth.
    Names {
        /// Records in the index.
        #[arg(long, default_value_t = 100_000)]
        persons: usize,
        /// How many of them are distinct persons (the rest are spelling variants).
        #[arg(long, default_value_t = 80_000)]
        distinct: usize,
        /// New variant records matched one at a time against the index.
        #[arg(long, default_value_t = 1_000)]
        queries: usize,
        /// Threads for building the index and for all pairs.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Skip the all-pairs pass (to measure blocking and queries in a debug build).
        #[arg(long)]
        skip_all_pairs: bool,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Survey import and tables (kuzot-survey): a generated questionnaire and a Kobo-style
    /// CSV export of its responses; import (parse + match) seconds, table and cross-tab
    /// milliseconds (fastest of 5), one thread.
    Survey {
        /// Questions in the questionnaire.
        #[arg(long, default_value_t = 200)]
        questions: usize,
        /// Responses in the export.
        #[arg(long, default_value_t = 10_000)]
        responses: usize,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// The case registry's search by name over generated persons stored sealed in SQLite,
    /// and the share of it that encryption takes (blind-index keying and opening).
    Cases {
        /// Persons stored.
        #[arg(long, default_value_t = 100_000)]
        persons: usize,
        /// How many of them are distinct persons (the rest are spelling variants).
        #[arg(long, default_value_t = 80_000)]
        distinct: usize,
        /// Names searched for, one at a time.
        #[arg(long, default_value_t = 300)]
        queries: usize,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Read and store a generated export into a fresh SQLite store (or the PostgreSQL
    /// database of `--database`): messages/s and peak memory.
    Ingest {
        /// Number of messages.
        #[arg(long, default_value_t = 1_000_000)]
        messages: u64,
        /// Where to put the temporary store and export (default: the system temp dir).
        #[arg(long)]
        work_dir: Option<PathBuf>,
        /// Also analyse every message as `kuzot ingest` does by default.
        #[arg(long)]
        analyze: bool,
        /// Import into this PostgreSQL database (`postgres://…`, which should be empty)
        /// instead of a fresh SQLite store.
        #[arg(long)]
        database: Option<String>,
    },
}

/// `postgres` when a database URL was given, else `sqlite`.
fn location_backend(database: Option<&str>) -> &'static str {
    match database {
        Some(url) => kuzot_store::StoreLocation::parse(url).backend().as_str(),
        None => "sqlite",
    }
}

fn generate(path: &Path, messages: u64, seed: u64) -> anyhow::Result<u64> {
    generate_chat(path, messages, seed, kuzot_bench::DEFAULT_CHAT_ID)
}

/// [`generate`] for the chat `chat_id`.
fn generate_chat(path: &Path, messages: u64, seed: u64, chat_id: u64) -> anyhow::Result<u64> {
    let file = std::fs::File::create(path).with_context(|| path.display().to_string())?;
    let mut out = BufWriter::new(file);
    kuzot_bench::write_telegram_export_of_chat(&mut out, messages, seed, chat_id)?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    Ok(file.metadata()?.len())
}

/// Counts documents without keeping them.
#[derive(Default)]
struct CountingSink {
    documents: u64,
    text_bytes: u64,
    rejected: u64,
}

impl DocumentSink for CountingSink {
    fn document(&mut self, doc: RawDocument) -> Result<(), SinkError> {
        self.documents += 1;
        self.text_bytes += doc.text.len() as u64;
        Ok(())
    }
    fn rejected(&mut self, _error: RecordError) {
        self.rejected += 1;
    }
}

/// CPU time (user + system) of this process so far, in seconds, if known: on a shared
/// machine it says what the work cost when the wall clock says how busy the machine was.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let user: f64 = fields.get(11)?.parse().ok()?;
    let system: f64 = fields.get(12)?.parse().ok()?;
    // Clock ticks are 1/100 s on Linux.
    Some((user + system) / 100.0)
}

/// The texts of a JSONL file's `text` fields.
fn corpus_texts(path: &Path) -> anyhow::Result<Vec<String>> {
    let file = std::fs::File::open(path).with_context(|| path.display().to_string())?;
    let mut texts = Vec::new();
    for line in std::io::BufRead::lines(std::io::BufReader::new(file)) {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(&line)?;
        if let Some(text) = value["text"].as_str() {
            texts.push(text.to_owned());
        }
    }
    Ok(texts)
}

/// Analyses every text on `threads` threads; returns (wall seconds, CPU seconds, risk count).
fn analyze_all(
    engine: &kuzot_analysis::Engine,
    texts: &[String],
    threads: usize,
) -> anyhow::Result<(f64, Option<f64>, usize)> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()?;
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let risk = pool.install(|| {
        texts
            .par_iter()
            .map(|t| usize::from(engine.analyze(t).category.is_risk()))
            .sum::<usize>()
    });
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    Ok((seconds, cpu, risk))
}

fn bench_analyze(
    messages: usize,
    threads: usize,
    seed: u64,
    corpus: Option<&Path>,
) -> anyhow::Result<()> {
    let mut texts = kuzot_bench::generate_messages(messages, seed);
    let corpus_messages = match corpus {
        Some(path) => {
            let extra = corpus_texts(path)?;
            let n = extra.len();
            texts.extend(extra);
            n
        }
        None => 0,
    };
    let bytes: usize = texts.iter().map(String::len).sum();
    let engine = kuzot_analysis::Engine::new();
    // Warm up: the lexicons and tables behind LazyLocks are built on first use.
    for t in texts.iter().take(100) {
        std::hint::black_box(engine.analyze(t));
    }
    let n = texts.len() as f64;
    let (one_seconds, one_cpu, risk) = analyze_all(&engine, &texts, 1)?;
    let (seconds, cpu, _) = analyze_all(&engine, &texts, threads)?;
    println!(
        "{}",
        serde_json::json!({
            "bench": "analyze", "messages": texts.len(), "generated": messages,
            "corpus_messages": corpus_messages, "mean_bytes": bytes as f64 / n.max(1.0),
            "risk_share": risk as f64 / n.max(1.0),
            "threads": threads,
            "seconds_1_thread": one_seconds,
            "messages_per_second_1_thread": n / one_seconds,
            "cpu_microseconds_per_message_1_thread": one_cpu.map(|c| c * 1e6 / n),
            "seconds": seconds,
            "messages_per_second": n / seconds,
            "cpu_seconds": cpu,
            "cores_available": std::thread::available_parallelism().map(usize::from).ok(),
        })
    );
    Ok(())
}

/// Counts the bytes written to it and passes them on to a file, if any.
#[derive(Default)]
struct CountingWriter {
    bytes: u64,
    file: Option<BufWriter<std::fs::File>>,
}

impl std::io::Write for CountingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(file) = &mut self.file {
            file.write_all(buf)?;
        }
        self.bytes += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}

fn bench_analyze_lines(
    corpus: &Path,
    repeat: usize,
    output_file: Option<&Path>,
) -> anyhow::Result<()> {
    let engine = kuzot_analysis::Engine::try_new()?;
    let texts = corpus_texts(corpus)?;
    // Warm up: the lexicons and tables behind LazyLocks are built on first use.
    for t in texts.iter().take(100) {
        std::hint::black_box(engine.analyze(t));
    }
    let mut input: Box<dyn std::io::Read> = Box::new(std::io::empty());
    let mut input_bytes = 0;
    for _ in 0..repeat {
        let file = std::fs::File::open(corpus).with_context(|| corpus.display().to_string())?;
        input_bytes += file.metadata()?.len();
        input = Box::new(std::io::Read::chain(input, file));
    }
    let mut output = CountingWriter::default();
    if let Some(path) = output_file {
        let file = std::fs::File::create(path).with_context(|| path.display().to_string())?;
        output.file = Some(BufWriter::with_capacity(256 * 1024, file));
    }
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let report = kuzot_service::analyze_lines(
        &engine,
        std::io::BufReader::with_capacity(256 * 1024, input),
        &mut output,
        &mut |_| {},
    )?;
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let (engine_seconds, engine_cpu, _) = analyze_all(&engine, &texts, 1)?;
    let n = report.messages as f64;
    let engine_n = texts.len() as f64;
    println!(
        "{}",
        serde_json::json!({
            "bench": "analyze_lines", "messages": report.messages, "bad_lines": report.bad_lines.len(),
            "input_bytes": input_bytes, "output_bytes": output.bytes,
            "seconds": seconds, "messages_per_second": n / seconds,
            "cpu_seconds": cpu,
            "cpu_microseconds_per_message": cpu.map(|c| c * 1e6 / n),
            "engine_only_1_thread_messages": texts.len(),
            "engine_only_1_thread_messages_per_second": engine_n / engine_seconds,
            "engine_only_1_thread_cpu_microseconds_per_message": engine_cpu.map(|c| c * 1e6 / engine_n),
            "threads": rayon::current_num_threads(),
        })
    );
    Ok(())
}

/// Size of the SQLite store: `(page_count × page_size, bytes per table or index)`, read
/// from the `dbstat` virtual table.
fn store_size(db: &Path) -> anyhow::Result<(u64, serde_json::Map<String, serde_json::Value>)> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let pages: i64 = conn.pragma_query_value(None, "page_count", |r| r.get(0))?;
    let page_size: i64 = conn.pragma_query_value(None, "page_size", |r| r.get(0))?;
    let mut by_table = serde_json::Map::new();
    let mut stmt =
        conn.prepare("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let name: String = r.get(0)?;
        let bytes: i64 = r.get(1)?;
        by_table.insert(name, bytes.into());
    }
    Ok(((pages * page_size) as u64, by_table))
}

fn bench_cluster(messages: usize, threads: usize, seed: u64) -> anyhow::Result<()> {
    use kuzot_analysis::fingerprint::{NearDuplicateIndex, minhash};
    use kuzot_analysis::normalize::normalize;

    const CHUNK: usize = 20_000;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()?;
    let memory_before = kuzot_bench::peak_memory_bytes();
    let mut generator = kuzot_bench::MessageGenerator::new(seed);
    let mut index = NearDuplicateIndex::new();
    let mut origins: Vec<usize> = Vec::with_capacity(messages);
    let (mut generate_s, mut signature_s, mut insert_s) = (0.0, 0.0, 0.0);
    let mut done = 0;
    while done < messages {
        let n = CHUNK.min(messages - done);
        let started = Instant::now();
        let chunk: Vec<(String, usize)> = (0..n).map(|_| generator.next_message()).collect();
        generate_s += started.elapsed().as_secs_f64();

        let started = Instant::now();
        let signatures: Vec<Vec<u32>> = pool.install(|| {
            chunk
                .par_iter()
                .map(|(text, _)| minhash(&normalize(text)))
                .collect()
        });
        signature_s += started.elapsed().as_secs_f64();

        let started = Instant::now();
        for (k, signature) in signatures.iter().enumerate() {
            index.insert((done + k) as u64, signature);
        }
        insert_s += started.elapsed().as_secs_f64();
        origins.extend(chunk.iter().map(|(_, origin)| *origin));
        done += n;
    }
    let started = Instant::now();
    let clusters = index.clusters();
    let clusters_s = started.elapsed().as_secs_f64();

    // Reposts found: a repost whose cluster is its original's.
    let cluster_of: Vec<u64> = clusters.iter().map(|&(_, c)| c).collect();
    let (mut reposts, mut joined) = (0usize, 0usize);
    for (i, &origin) in origins.iter().enumerate() {
        if origin != i {
            reposts += 1;
            if cluster_of.get(i) == cluster_of.get(origin) {
                joined += 1;
            }
        }
    }
    let mut distinct = cluster_of.clone();
    distinct.sort_unstable();
    distinct.dedup();
    println!(
        "{}",
        serde_json::json!({
            "bench": "cluster", "messages": messages, "threads": threads,
            "generate_seconds": generate_s,
            "signature_seconds": signature_s,
            "signatures_per_second": messages as f64 / signature_s,
            "cluster_seconds": insert_s + clusters_s,
            "clusters": distinct.len(),
            "reposts": reposts,
            "reposts_joined_to_original": joined,
            "peak_memory_mib_before": memory_before.map(|b| b as f64 / 1048576.0),
            "peak_memory_mib": kuzot_bench::peak_memory_bytes().map(|b| b as f64 / 1048576.0),
        })
    );
    Ok(())
}

fn bench_names(
    persons: usize,
    distinct: usize,
    queries: usize,
    threads: usize,
    skip_all_pairs: bool,
    seed: u64,
) -> anyhow::Result<()> {
    use kuzot_cases::name_match::{MatcherConfig, PersonIndex};

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()?;
    let (records, truth) = kuzot_bench::persons::generate_persons(persons, distinct, seed);
    let (query_records, query_truth) =
        kuzot_bench::persons::generate_queries(queries, distinct, seed, persons as u64);
    let config = MatcherConfig::default();

    // Each person's first (canonical) spelling, to tell name collisions among the false
    // pairs.
    let index_names: Vec<String> = records
        .iter()
        .take(distinct)
        .map(|r| r.names.first().cloned().unwrap_or_default())
        .collect();
    let started = Instant::now();
    let index = pool.install(|| PersonIndex::build(records, config));
    let build_s = started.elapsed().as_secs_f64();

    // One query at a time, as a caseworker's new record or a news item arrives.
    let mut times_ms = Vec::with_capacity(queries);
    let mut found = 0usize;
    let mut proposals = 0usize;
    let mut candidates = 0usize;
    for (record, &person) in query_records.into_iter().zip(&query_truth) {
        // Counted outside the timing: how many persons blocking hands to the scorer.
        candidates += index.candidate_count(record.clone());
        let started = Instant::now();
        let suggestions = index.find_matches(record);
        times_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        proposals += suggestions.len();
        if suggestions
            .iter()
            .any(|s| truth[s.right as usize] == person)
        {
            found += 1;
        }
    }
    times_ms.sort_by(f64::total_cmp);
    let percentile = |p: f64| {
        let k = ((times_ms.len() as f64 - 1.0) * p).round() as usize;
        times_ms.get(k).copied().unwrap_or(0.0)
    };

    let started = Instant::now();
    let pairs = if skip_all_pairs {
        Vec::new()
    } else {
        pool.install(|| index.all_pairs())
    };
    let all_pairs_s = started.elapsed().as_secs_f64();
    let correct = pairs
        .iter()
        .filter(|s| truth[s.left as usize] == truth[s.right as usize])
        .count();
    // False pairs between two invented persons given the very same name by the generator:
    // no matcher can tell them apart by name, only by birth year or place.
    let canonical = |record: u64| index_names.get(truth[record as usize]).cloned();
    let same_name_false = pairs
        .iter()
        .filter(|s| truth[s.left as usize] != truth[s.right as usize])
        .filter(|s| canonical(s.left) == canonical(s.right))
        .count();
    let mut group_sizes = vec![0u64; distinct.max(1)];
    for &person in &truth {
        group_sizes[person] += 1;
    }
    let true_pairs: u64 = group_sizes
        .iter()
        .map(|&k| k * k.saturating_sub(1) / 2)
        .sum();
    println!(
        "{}",
        serde_json::json!({
            "bench": "names", "persons": persons, "distinct": distinct, "threads": threads,
            "seed": seed,
            "index_build_seconds": build_s,
            "queries": queries,
            "query_ms_p50": percentile(0.5),
            "query_ms_p99": percentile(0.99),
            "query_ms_max": times_ms.last().copied().unwrap_or(0.0),
            "queries_whose_person_was_proposed": found,
            "proposals_per_query": proposals as f64 / queries.max(1) as f64,
            "candidates_per_query": candidates as f64 / queries.max(1) as f64,
            "all_pairs_seconds": all_pairs_s,
            "pairs_proposed": pairs.len(),
            "pairs_correct": correct,
            "true_pairs": true_pairs,
            "pair_precision": correct as f64 / pairs.len().max(1) as f64,
            "pair_recall": correct as f64 / true_pairs.max(1) as f64,
            "false_pairs_of_identically_named_persons": same_name_false,
            "peak_memory_bytes": kuzot_bench::peak_memory_bytes(),
        })
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::AuditAppend {
            entries,
            verify_entries,
            database,
        } => {
            let dir = tempfile::tempdir()?;
            let location = match &database {
                Some(url) => kuzot_store::StoreLocation::parse(url),
                None => kuzot_store::StoreLocation::Sqlite(dir.path().to_owned()),
            };
            let rates = kuzot_bench::audit_append::measure(&location, entries)?;
            println!("{}", serde_json::to_string(&rates)?);
            if verify_entries > 0 {
                let (checked, seconds) =
                    kuzot_bench::audit_append::measure_verify(&location, verify_entries)?;
                println!(
                    "{}",
                    serde_json::json!({"bench": "audit_verify", "backend": rates.backend,
                        "entries": checked, "seconds": seconds,
                        "entries_per_second": checked as f64 / seconds.max(f64::MIN_POSITIVE)})
                );
            }
        }
        Command::Generate {
            messages,
            seed,
            chat_id,
            output,
        } => {
            let bytes = generate_chat(&output, messages, seed, chat_id)?;
            println!(
                "{}",
                serde_json::json!({"messages": messages, "bytes": bytes, "path": output})
            );
        }
        Command::Read { messages, runs } => {
            let dir = tempfile::tempdir()?;
            let path = dir.path().join("result.json");
            let bytes = generate(&path, messages, 1)?;
            for run in 1..=runs {
                let file =
                    std::io::BufReader::with_capacity(256 * 1024, std::fs::File::open(&path)?);
                let mut sink = CountingSink::default();
                let started = Instant::now();
                let report = kuzot_ingest::read_source(
                    SourceFormat::TelegramJson,
                    file,
                    &ReadOptions::default(),
                    &mut sink,
                )?;
                let seconds = started.elapsed().as_secs_f64();
                let records = report.documents + report.service_records;
                println!(
                    "{}",
                    serde_json::json!({
                        "bench": "read_telegram_json", "run": run, "messages": records, "documents": sink.documents,
                        "bytes": bytes, "seconds": seconds, "messages_per_second": records as f64 / seconds,
                        "mib_per_second": bytes as f64 / seconds / (1024.0 * 1024.0),
                    })
                );
            }
        }
        Command::Analyze {
            messages,
            threads,
            seed,
            corpus,
        } => bench_analyze(messages, threads, seed, corpus.as_deref())?,
        Command::Cluster {
            messages,
            threads,
            seed,
        } => bench_cluster(messages, threads, seed)?,
        Command::Names {
            persons,
            distinct,
            queries,
            threads,
            skip_all_pairs,
            seed,
        } => bench_names(persons, distinct, queries, threads, skip_all_pairs, seed)?,
        Command::Survey {
            questions,
            responses,
            seed,
        } => println!("{}", kuzot_bench::survey::run(questions, responses, seed)?),
        Command::Cases {
            persons,
            distinct,
            queries,
            seed,
        } => kuzot_bench::cases::bench_cases(persons, distinct, queries, seed)?,
        Command::AnalyzeLines {
            corpus,
            repeat,
            output,
        } => bench_analyze_lines(&corpus, repeat, output.as_deref())?,
        Command::Ingest {
            messages,
            work_dir,
            analyze,
            database,
        } => {
            let engine = if analyze {
                Some(kuzot_analysis::Engine::try_new()?)
            } else {
                None
            };
            let dir = match &work_dir {
                Some(d) => tempfile::tempdir_in(d)?,
                None => tempfile::tempdir()?,
            };
            let export = dir.path().join("result.json");
            let bytes = generate(&export, messages, 1)?;
            let memory_before = kuzot_bench::peak_memory_bytes();
            let location = match &database {
                Some(url) => kuzot_store::StoreLocation::parse(url),
                None => kuzot_store::StoreLocation::Sqlite(dir.path().join("data")),
            };
            let mut store = kuzot_store::Store::connect(&location)?;
            let options = kuzot_service::IngestOptions {
                operator: "bench".into(),
                ..Default::default()
            };
            let started = Instant::now();
            let summary = kuzot_service::ingest_paths(
                &mut store,
                &[export],
                &options,
                engine.as_ref(),
                &kuzot_service::NoProgress,
            )?;
            let seconds = started.elapsed().as_secs_f64();
            drop(store);
            let (store_bytes, by_table) = match location {
                kuzot_store::StoreLocation::Sqlite(data) => {
                    let (bytes, by_table) = store_size(&data.join("kuzot.db"))?;
                    (Some(bytes), Some(by_table))
                }
                // The size of a PostgreSQL database is the server's to report (psql's
                // `\l+`); the bench measures the import.
                kuzot_store::StoreLocation::Postgres(_) => (None, None),
            };
            let backend = location_backend(database.as_deref());
            let totals = summary.totals();
            let records =
                totals.added + totals.already_present + totals.service_records + totals.rejected;
            println!(
                "{}",
                serde_json::json!({
                    "bench": format!("ingest_telegram_json_{backend}{}", if analyze { "_analysed" } else { "" }), "messages": records, "added": totals.added,
                    "bytes": bytes, "seconds": seconds, "messages_per_second": records as f64 / seconds,
                    "peak_memory_mib_before": memory_before.map(|b| b as f64 / 1048576.0),
                    "peak_memory_mib": kuzot_bench::peak_memory_bytes().map(|b| b as f64 / 1048576.0),
                    "store_bytes": store_bytes,
                    "store_bytes_per_document": store_bytes.map(|b| b as f64 / (totals.added.max(1) as f64)),
                    "store_bytes_by_table": by_table,
                })
            );
        }
    }
    Ok(())
}

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

#[derive(Debug, Parser)]
#[command(name = "kuzot-bench", about = "kuzot benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write a generated Telegram export.
    Generate {
        /// Number of messages.
        #[arg(long, default_value_t = 100_000)]
        messages: u64,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
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
    /// Read and store a generated export into a fresh SQLite store: messages/s and peak memory.
    Ingest {
        /// Number of messages.
        #[arg(long, default_value_t = 1_000_000)]
        messages: u64,
        /// Where to put the temporary store and export (default: the system temp dir).
        #[arg(long)]
        work_dir: Option<PathBuf>,
    },
}

fn generate(path: &Path, messages: u64, seed: u64) -> anyhow::Result<u64> {
    let file = std::fs::File::create(path).with_context(|| path.display().to_string())?;
    let mut out = BufWriter::new(file);
    kuzot_bench::write_telegram_export(&mut out, messages, seed)?;
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

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Generate {
            messages,
            seed,
            output,
        } => {
            let bytes = generate(&output, messages, seed)?;
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
        Command::Ingest { messages, work_dir } => {
            let dir = match &work_dir {
                Some(d) => tempfile::tempdir_in(d)?,
                None => tempfile::tempdir()?,
            };
            let export = dir.path().join("result.json");
            let bytes = generate(&export, messages, 1)?;
            let memory_before = kuzot_bench::peak_memory_bytes();
            let mut store = kuzot_store::Store::open(&dir.path().join("data"))?;
            let options = kuzot_service::IngestOptions {
                operator: "bench".into(),
                ..Default::default()
            };
            let started = Instant::now();
            let summary = kuzot_service::ingest_paths(
                &mut store,
                &[export],
                &options,
                None,
                &kuzot_service::NoProgress,
            )?;
            let seconds = started.elapsed().as_secs_f64();
            let totals = summary.totals();
            let records =
                totals.added + totals.already_present + totals.service_records + totals.rejected;
            println!(
                "{}",
                serde_json::json!({
                    "bench": "ingest_telegram_json_sqlite", "messages": records, "added": totals.added,
                    "bytes": bytes, "seconds": seconds, "messages_per_second": records as f64 / seconds,
                    "peak_memory_mib_before": memory_before.map(|b| b as f64 / 1048576.0),
                    "peak_memory_mib": kuzot_bench::peak_memory_bytes().map(|b| b as f64 / 1048576.0),
                })
            );
        }
    }
    Ok(())
}

//! kuzot's use cases: each joins the stages (read → analyse → store → index) for one job that a
//! command or a web request asks for. The CLI and the server call these; they never reach
//! into the readers or the store themselves.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use kuzot_service::{ingest_paths, IngestOptions, NoProgress};
//! use kuzot_store::Store;
//! let dir = tempfile::tempdir()?;
//! let export = dir.path().join("WhatsApp Chat with Ish.txt");
//! std::fs::write(&export, "12/03/2024, 14:05 - Aibek: Moskvada ish bor\n")?;
//! let mut store = Store::open(&dir.path().join("data"))?;
//! let summary = ingest_paths(&mut store, &[export], &IngestOptions::default(), None, &NoProgress)?;
//! assert_eq!(summary.totals().added, 1);
//! # Ok(()) }
//! ```

mod analysis;
pub mod cases;
mod error;
mod export;
mod flow;
mod genre_training;
mod ingest;
mod label_facts;
mod offer_check;
mod settings;

pub use analysis::{
    AnalyzeReport, BadLine, Claim, REGROUP_LEASE, analyze_lines, cross_validate_model, evaluate,
    read_gold, reanalyze, recluster, train_model, training_examples,
};
pub use error::ServiceError;
pub use export::{
    EXPORT_COLUMNS, ExportFormat, ExportRow, export_documents, export_rows, spreadsheet_safe,
};
pub use flow::{
    DrainReport, DrainUntil, IndexedIngest, StoreFeed, WORKER_BATCH, drain_analysis_queue,
    follow_index, ingest_and_index, label_and_index, reanalyze_and_index, rebuild_index,
};
pub use genre_training::{
    GenreExample, GenreSource, GenreTrainingReport, genre_training_texts, train_genre_model,
};
pub use ingest::{
    FileOutcome, FileStatus, IngestOptions, IngestProgress, IngestSummary, IngestVerdict,
    NoProgress, NothingUsable, ingest_paths,
};
pub use label_facts::{FactProblem, MAX_LABEL_FACTS, MAX_PLACE_CHARS, checked_label_facts};
pub use offer_check::{
    Citizenship, Country, OfferCheck, OfferKind, SUBMITTED_FILE_NAME, SUBMITTED_OPERATOR,
    check_offer, keep_submitted_text,
};
pub use settings::{
    AnalysisMode, CasesSettings, DEFAULT_CONFIG, IngestLimits, PublicNumbersSettings, ServerLimits,
    Settings,
};

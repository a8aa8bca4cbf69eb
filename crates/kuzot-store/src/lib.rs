//! The evidence store: every source file kept byte for byte, every document linked to the
//! file and the position it came from — behind one interface ([`EvidenceStore`]) with two
//! backends: an embedded SQLite database (the default) and a PostgreSQL server that
//! several kuzot processes share.
//!
//! A SQLite data directory holds:
//! - `kuzot.db`: SQLite in WAL mode, schema migrated on open;
//! - `sources/ab/abcdef…`: each imported file under its SHA-256, written once, never rewritten;
//! - `secret.key`: the per-store key of the author pseudonyms (created on first open, mode 0600).
//!
//! A PostgreSQL database ([`PostgresStore`], `postgres://…`) holds the same tables and
//! what SQLite keeps in files: the kept source files (`source_files`, `source_chunks` of
//! 1 MiB) and the pseudonym key (`store_secrets`), so that every process and machine
//! sharing the database shares them. Schema versions are in `kuzot_schema_versions`
//! (component `evidence`), migrated under an advisory lock.
//!
//! One import of one file is one transaction: a file that turns out to be unusable, or an
//! import killed half-way, leaves nothing behind, and re-running it gives exactly what a
//! clean import gives.
//!
//! ```
//! # fn main() -> Result<(), kuzot_store::StoreError> {
//! use kuzot_model::{RawDocument, SourceFormat, SourcePosition};
//! use kuzot_store::{NewSource, Store};
//! let dir = tempfile::tempdir().expect("temp dir");
//! let mut store = Store::open(dir.path())?;
//! let file = dir.path().join("chat.txt");
//! std::fs::write(&file, "12/03/2024, 14:05 - Aibek: salam").expect("write");
//! let blob = store.keep_source_file(&file)?;
//! let mut import = store.begin_import(NewSource::new(&blob, "chat.txt", SourceFormat::WhatsappTxt, "analyst"))?;
//! import.add(&RawDocument::new("salam", SourcePosition::record(0)))?;
//! let counts = import.commit()?;
//! assert_eq!(counts.added, 1);
//! assert_eq!(store.stats()?.documents, 1);
//! # Ok(()) }
//! ```

pub mod accounts;
mod blobs;
pub mod cases;
pub mod copy;
mod error;
mod evidence_store;
mod postgres;
pub mod postgres_test_database;
mod pseudonym;
pub mod public_numbers;
mod records;
mod rows;
mod sqlite;

pub use crate::postgres::PostgresStore;
pub use accounts::{
    AccountError, AccountStore, ApiToken, AuditEntry, LoginThrottle, PostgresAccounts, Role,
    Session, SqliteAccounts, TokenScope, User, open_accounts,
};
pub use accounts::{AuditChainBreak, AuditChainProblem, AuditChainStatus};
pub use blobs::{BlobStore, ORPHAN_GRACE, StoredBlob, SweepReport, sweep_stale_uploads};
pub use error::StoreError;
pub use evidence_store::{
    Backend, Change, EvidenceStore, Import, ImportSession, QueuedAnalyser, RegroupClaim,
    SourceReader, Store, StoreLocation, url_without_password,
};
/// Re-exported: the store reads documents out in the shape the search index writes in.
pub use kuzot_model::IndexRow;
pub use pseudonym::{PseudonymKey, Pseudonymizer};
pub use public_numbers::{PayBands, PublicCounts};
pub use records::{
    DocumentFilter, ImportCounts, Label, NewLabel, NewSource, QueueItem, RejectedRecordRow,
    SourceRecord, Stats, StoredAnalysis, StoredDocument,
};
pub use rows::{STORED_CUES_PER_CATEGORY, explaining_cues};
pub use sqlite::{LoosePermission, SqliteStore, loose_permissions};

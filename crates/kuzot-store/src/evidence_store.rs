//! The store interface: what the service, search, web and command line need from an
//! evidence store, whichever database holds it. Two backends implement it: the embedded
//! SQLite store of one data directory ([`crate::SqliteStore`]) and a PostgreSQL database
//! that several kuzot processes share ([`crate::PostgresStore`]).
//!
//! Callers hold a [`Store`]: one open connection to one backend, chosen by a
//! [`StoreLocation`]. Everything that writes goes through a transaction of the backend;
//! one import of one file is one transaction on both.

use std::io::Read;
use std::path::{Path, PathBuf};

use kuzot_model::{Analysis, Category, RawDocument, SourcePosition};

use crate::copy::{self, CopyTable, CopyTarget, Value};
use crate::public_numbers::{PayBands, PublicCounts};
use crate::{
    DocumentFilter, ImportCounts, IndexRow, Label, NewLabel, NewSource, PseudonymKey,
    Pseudonymizer, QueueItem, RejectedRecordRow, SourceRecord, Stats, StoreError, StoredAnalysis,
    StoredBlob, StoredDocument, SweepReport,
};

/// Which database a store lives in.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// The embedded SQLite store of a data directory (`kuzot.db`, `sources/`, `secret.key`).
    Sqlite(PathBuf),
    /// A PostgreSQL database, by its connection URL (`postgres://user:pass@host/db`).
    Postgres(String),
}

impl std::fmt::Debug for StoreLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password: locations end up in logs and error messages.
        write!(f, "{}", self.display())
    }
}

impl StoreLocation {
    /// Reads a `--database` value: a `postgres://` or `postgresql://` URL, else the path of
    /// a SQLite data directory.
    pub fn parse(value: &str) -> StoreLocation {
        if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            StoreLocation::Postgres(value.to_owned())
        } else {
            StoreLocation::Sqlite(PathBuf::from(value))
        }
    }

    /// The location as it may be shown and logged: a URL without its password.
    pub fn display(&self) -> String {
        match self {
            StoreLocation::Sqlite(dir) => dir.display().to_string(),
            StoreLocation::Postgres(url) => url_without_password(url),
        }
    }

    /// Which backend.
    pub fn backend(&self) -> Backend {
        match self {
            StoreLocation::Sqlite(_) => Backend::Sqlite,
            StoreLocation::Postgres(_) => Backend::Postgres,
        }
    }
}

/// A connection URL with its password replaced by `***` (and nothing else changed).
pub fn url_without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    // The credentials end at the last '@' before the first '/' (a password may hold '@').
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    let credentials = &rest[..at];
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

/// The two kinds of database kuzot keeps evidence in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

impl Backend {
    /// `sqlite` or `postgres`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// What a worker runs on a batch taken from the analysis queue: one analysis per
/// `(id, text)` pair, in order.
pub type QueuedAnalyser<'a> = dyn FnMut(&[(i64, String)]) -> Vec<Analysis> + 'a;

/// A readable kept source file.
pub type SourceReader = Box<dyn Read + Send>;

/// A claimed near-duplicate regrouping ([`EvidenceStore::claim_regroup`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegroupClaim {
    /// The request generation the regrouping covers: every commit up to it.
    pub generation: i64,
    /// The lease's random token, so that only its holder releases it.
    pub token: String,
}

impl RegroupClaim {
    /// A claim with a fresh random token.
    pub(crate) fn new(generation: i64) -> Result<Self, StoreError> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| StoreError::NoRandomness(e.to_string()))?;
        Ok(Self {
            generation,
            token: hex::encode(bytes),
        })
    }
}

/// What every evidence store does. See the crate documentation for the guarantees.
pub trait EvidenceStore: Send {
    /// Which backend this is.
    fn backend(&self) -> Backend;

    /// Where the store is, for people: a data directory or a URL without its password.
    fn location(&self) -> String;

    /// The keyed pseudonyms of this store's authors and private chats.
    fn pseudonymizer(&self) -> &Pseudonymizer;

    /// Removes what interrupted imports left behind, once older than `grace`: kept source
    /// files that no committed source names and abandoned uploads.
    fn sweep_orphans(&self, grace: std::time::Duration) -> Result<SweepReport, StoreError>;

    // --- kept source files ---

    /// Keeps a copy of a file (once per content) before it is imported.
    fn keep_source_file(&self, path: &Path) -> Result<StoredBlob, StoreError>;

    /// Reads a kept source file from its start.
    fn open_source_file(&self, sha256: &str) -> Result<SourceReader, StoreError>;

    /// Removes a kept copy that no import committed (an unreadable or refused file).
    /// A copy that a committed source names is left alone.
    fn discard_source_file(&self, blob: &StoredBlob) -> Result<(), StoreError>;

    // --- imports and sources ---

    /// The source with this SHA-256, if it was imported before.
    fn source_by_sha256(&self, sha256: &str) -> Result<Option<SourceRecord>, StoreError>;

    /// Starts the import of one source file; nothing is visible until it commits. When
    /// another process imports the same file at the same moment, one of the two commits
    /// and the other fails with [`StoreError::AlreadyImported`].
    fn begin_import(
        &mut self,
        source: NewSource,
    ) -> Result<Box<dyn ImportSession + '_>, StoreError>;

    /// All sources, oldest import first.
    fn sources(&self) -> Result<Vec<SourceRecord>, StoreError>;

    /// The rejected records of one source.
    fn rejected_records(&self, source_id: i64) -> Result<Vec<RejectedRecordRow>, StoreError>;

    /// Totals over the store.
    fn stats(&self) -> Result<Stats, StoreError>;

    // --- documents ---

    /// Calls `each` for every document matching `filter`, in time order (undated last,
    /// then by id).
    fn for_each_document(
        &self,
        filter: &DocumentFilter,
        each: &mut dyn FnMut(StoredDocument) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// One document by id.
    fn document(&self, id: i64) -> Result<Option<StoredDocument>, StoreError> {
        let mut found = None;
        self.for_each_document(
            &DocumentFilter {
                ids: vec![id],
                ..DocumentFilter::default()
            },
            &mut |d| {
                found = Some(d);
                Ok(())
            },
        )?;
        Ok(found)
    }

    /// Documents by id, in the order of `ids` (missing ones left out).
    fn documents(&self, ids: &[i64]) -> Result<Vec<StoredDocument>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut by_id = std::collections::HashMap::new();
        self.for_each_document(
            &DocumentFilter {
                ids: ids.to_vec(),
                ..DocumentFilter::default()
            },
            &mut |d| {
                by_id.insert(d.id, d);
                Ok(())
            },
        )?;
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    /// Documents with ids above `after`, in id order, at most `limit`: `(id, text)` pairs
    /// for re-analysis in batches that do not hold the database while the engine works.
    fn texts_after(&self, after: i64, limit: usize) -> Result<Vec<(i64, String)>, StoreError>;

    // --- analyses ---

    /// Stores (replacing) the analyses of existing documents, in one transaction.
    fn save_analyses(&mut self, analyses: &[(i64, Analysis)]) -> Result<(), StoreError>;

    /// Number of documents, and of those analysed by an engine version other than
    /// `version` (or not at all).
    fn analysis_status(&self, version: &str) -> Result<(u64, u64), StoreError>;

    /// The stored analysis of a document.
    fn analysis_of(&self, document_id: i64) -> Result<Option<StoredAnalysis>, StoreError>;

    /// Calls `each` with every stored MinHash signature (low 16 bits of each value), in
    /// document id order; empty texts have none.
    fn for_each_fingerprint(&self, each: &mut dyn FnMut(i64, &[u32])) -> Result<(), StoreError>;

    /// True when an import or an analysis batch committed since near-duplicates were last
    /// regrouped (including one whose process died before regrouping).
    fn regroup_pending(&self) -> Result<bool, StoreError>;

    /// Claims the regrouping that is pending, if any: returns the generation it covers
    /// and a lease of `lease` that other processes respect, or `None` when nothing is
    /// pending or another process holds an unexpired lease (unless `take_over`, which a
    /// command whose user waits for the result passes). Read the fingerprints after the
    /// claim: everything committed up to its generation is then visible.
    fn claim_regroup(
        &mut self,
        lease: std::time::Duration,
        take_over: bool,
    ) -> Result<Option<RegroupClaim>, StoreError>;

    /// Records the near-duplicate cluster of each document (documents not listed have
    /// none), computed under `claim`, and marks its generation done; releases the lease.
    /// Writes nothing and returns `false` when a regrouping of the same or a later
    /// generation has already written (its clusters are at least as new).
    fn set_clusters(
        &mut self,
        clusters: &[(i64, i64)],
        claim: &RegroupClaim,
    ) -> Result<bool, StoreError>;

    /// Phone numbers found in at least `min_documents` documents, most shared first.
    fn shared_phones(
        &self,
        min_documents: u64,
        limit: u64,
    ) -> Result<Vec<(String, u64)>, StoreError>;

    /// Documents per category among analysed documents, most first.
    fn category_counts(&self) -> Result<Vec<(String, u64)>, StoreError>;

    // --- labels and the review queue ---

    /// Adds a label (the latest is in force). Fails when the document does not exist.
    fn add_label(&mut self, label: &NewLabel) -> Result<Label, StoreError>;

    /// The labels of a document, oldest first.
    fn labels_of(&self, document_id: i64) -> Result<Vec<Label>, StoreError>;

    /// Texts with the category of their latest label, for training.
    fn labelled_texts(&self) -> Result<Vec<(String, Category)>, StoreError>;

    /// Number of documents with at least one label.
    fn labelled_count(&self) -> Result<u64, StoreError>;

    /// Documents to review: unlabelled risk categories first (least confident first),
    /// then the rest below `low_confidence`.
    fn review_queue(
        &self,
        low_confidence: f64,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<QueueItem>, StoreError>;

    /// How many documents wait in the review queue.
    fn review_queue_len(&self, low_confidence: f64) -> Result<u64, StoreError>;

    /// A sample of confident decisions for spot checks: unlabelled documents in a category
    /// that is not a risk one, with confidence at least `min_confidence` (the ones the
    /// review queue never shows), in an order that depends only on `seed` and the ids, so
    /// that the same seed over the same store gives the same sample.
    fn spot_check(
        &self,
        min_confidence: f64,
        seed: u32,
        limit: u64,
    ) -> Result<Vec<QueueItem>, StoreError>;

    // --- what the search index reads ---

    /// Number of documents with an id above `after_id` (for progress bars).
    fn index_row_count(&self, after_id: i64) -> Result<u64, StoreError>;

    /// Calls `each` with every document whose id is above `after_id`, in id order.
    fn for_each_index_row(
        &self,
        after_id: i64,
        each: &mut dyn FnMut(IndexRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// The documents with these ids, in id order (missing ids left out).
    fn index_rows(&self, ids: &[i64]) -> Result<Vec<IndexRow>, StoreError>;

    // --- the change log every search index follows ---

    /// Changes with a sequence number above `after`, oldest first, at most `limit`.
    /// Every write that changes what the index shows (an import's documents, a label, a
    /// new analysis) adds one in its own transaction, and sequence numbers appear in
    /// commit order: a follower that read up to `seq` never later finds a smaller one.
    fn changes_after(&self, after: i64, limit: usize) -> Result<Vec<Change>, StoreError>;

    /// The newest sequence number of the change log (0 when empty).
    fn last_change(&self) -> Result<i64, StoreError>;

    // --- the analysis queue that workers take from ---

    /// Puts every document whose analysis is not by `engine_version` (or is missing) in
    /// the analysis queue; returns how many were added.
    fn queue_stale_analyses(&mut self, engine_version: &str) -> Result<u64, StoreError>;

    /// Documents waiting in the analysis queue.
    fn analysis_queue_len(&self) -> Result<u64, StoreError>;

    /// Takes up to `limit` queued documents that no other worker holds, calls `analyse`
    /// with their `(id, text)` pairs and stores what it returns (one analysis per pair, in
    /// order), in one transaction: a worker that dies before the commit leaves its batch
    /// queued for the next, and two workers never take the same document. Returns how many
    /// were analysed (0: the queue is empty, or every queued document is being analysed).
    fn analyse_queued(
        &mut self,
        limit: usize,
        analyse: &mut QueuedAnalyser<'_>,
    ) -> Result<usize, StoreError>;

    // --- the public numbers page ---

    /// The sources an administrator chose to feed the public numbers page, by id (none
    /// chosen: empty, and the page publishes nothing).
    fn public_sources(&self) -> Result<Vec<i64>, StoreError>;

    /// Replaces the chosen sources with `source_ids` (ids of no source are ignored), in
    /// one transaction, recording who chose them.
    fn set_public_sources(&mut self, source_ids: &[i64], chosen_by: &str)
    -> Result<(), StoreError>;

    /// The raw counts of the public numbers page over the chosen sources, computed by the
    /// database (see [`PublicCounts`]); `pay` says how offered pay is banded.
    fn public_counts(&self, pay: &PayBands) -> Result<PublicCounts, StoreError>;

    // --- copying a whole store to another backend (`kuzot migrate`) ---

    /// Calls `each` with every row of each of `tables` (of [`crate::copy::EVIDENCE_TABLES`]),
    /// table after table in the order given, each table's rows in `table.order_by` order,
    /// one [`Value`] per column of `table.columns` in that order, each of its column's kind
    /// (NULL as [`Value::Null`]). Every table is read in ONE read transaction (SQLite: one
    /// deferred transaction, i.e. one WAL snapshot; PostgreSQL: one `REPEATABLE READ READ
    /// ONLY` transaction), so that a store written meanwhile gives one consistent state:
    /// no label without its document, no document without its source. Stops at the first
    /// error `each` returns and returns it. `each` must not call this store.
    fn copy_tables_out(
        &self,
        tables: &[CopyTable],
        each: &mut copy::TableRows<'_>,
    ) -> Result<(), StoreError>;

    /// [`EvidenceStore::copy_tables_out`] of one table.
    fn copy_table_out(
        &self,
        table: &CopyTable,
        each: &mut dyn FnMut(&[Value]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.copy_tables_out(std::slice::from_ref(table), &mut |_, row| each(row))
    }

    /// Number of rows of `table` (one of [`crate::copy::EVIDENCE_TABLES`], or `changes`),
    /// to size progress bars and to verify a copy. By default counts what
    /// [`EvidenceStore::copy_table_out`] gives; backends override it with `count(*)`.
    fn count_rows(&self, table: &CopyTable) -> Result<u64, StoreError> {
        let mut n = 0u64;
        self.copy_table_out(table, &mut |_| {
            n += 1;
            Ok(())
        })?;
        Ok(n)
    }

    /// Fills this store, which must be empty, with a copy of another: in ONE transaction,
    /// `load` adds rows of the evidence tables through the [`CopyTarget`] it is given
    /// (parents before children, ids as given); when it returns `Ok` the store
    ///   - refuses with [`StoreError::TargetNotEmpty`], naming this store, when it already
    ///     holds documents or sources (checked before anything is written);
    ///   - adopts `pseudonym_key` as its pseudonym key (so that pseudonyms of later imports
    ///     match the copied ones) before loading;
    ///   - moves every generated id's sequence past the largest copied id;
    ///   - writes one change-log entry covering the lowest to the highest document id (when
    ///     there are documents), so that every search index over it rebuilds;
    ///   - commits. When `load` or any step fails, nothing of the rows is kept.
    ///
    /// Rows of a table not in [`crate::copy::EVIDENCE_TABLES`] are refused. Kept source
    /// files are not part of this: copy them with [`EvidenceStore::keep_source_file`]
    /// before, so that no committed source row ever lacks its file.
    fn copy_in(
        &mut self,
        pseudonym_key: &PseudonymKey,
        load: &mut dyn FnMut(&mut dyn CopyTarget) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
}

/// One entry of the change log: the documents with ids `first_id..=last_id` changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// Position in the log, increasing in commit order.
    pub seq: i64,
    /// First document id concerned.
    pub first_id: i64,
    /// Last document id concerned.
    pub last_id: i64,
}

/// The import of one source file: one transaction, committed whole or not at all.
pub trait ImportSession {
    /// The row id of the source being imported.
    fn source_id(&self) -> i64;

    /// Adds one document. Returns its row id, or `None` when the store already had it.
    fn add(&mut self, doc: &RawDocument) -> Result<Option<i64>, StoreError>;

    /// Stores the analysis of a document added by this import.
    fn add_analysis(&mut self, document_id: i64, analysis: &Analysis) -> Result<(), StoreError>;

    /// Records a record that could not be read.
    fn reject(&mut self, position: SourcePosition, reason: &str) -> Result<(), StoreError>;

    /// Counts a service record.
    fn service_record(&mut self);

    /// What the import has done so far.
    fn counts(&self) -> ImportCounts;

    /// Makes the import visible, with its counts.
    fn commit(self: Box<Self>) -> Result<ImportCounts, StoreError>;

    /// Drops everything this import wrote.
    fn abort(self: Box<Self>) -> Result<(), StoreError>;

    /// Adds a batch of documents, each with its analysis when there is one (an import
    /// without an engine, or one that leaves analysis to workers, passes `None`). Returns
    /// the row id of each document added, `None` for one the store already had. Backends
    /// that load faster in bulk (PostgreSQL's `COPY`) override this.
    fn add_batch(
        &mut self,
        batch: &[(RawDocument, Option<Analysis>)],
    ) -> Result<Vec<Option<i64>>, StoreError> {
        let mut ids = Vec::with_capacity(batch.len());
        for (doc, analysis) in batch {
            let id = self.add(doc)?;
            if let (Some(id), Some(analysis)) = (id, analysis) {
                self.add_analysis(id, analysis)?;
            }
            ids.push(id);
        }
        Ok(ids)
    }
}

/// An import in progress, whichever backend.
pub type Import<'s> = Box<dyn ImportSession + 's>;

/// An open evidence store: one connection to one backend. It dereferences to
/// [`EvidenceStore`], so `store.stats()` reads the same on both backends.
pub struct Store {
    inner: Box<dyn EvidenceStore>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.inner.backend())
            .field("location", &self.inner.location())
            .finish()
    }
}

impl Store {
    /// Opens (creating if needed) the embedded SQLite store of `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        Ok(Store::from_backend(crate::SqliteStore::open(data_dir)?))
    }

    /// Opens the store at `location`, migrating its schema; a PostgreSQL database that
    /// cannot be reached is an error naming the URL without its password.
    pub fn connect(location: &StoreLocation) -> Result<Store, StoreError> {
        match location {
            StoreLocation::Sqlite(dir) => Store::open(dir),
            StoreLocation::Postgres(url) => {
                Ok(Store::from_backend(crate::PostgresStore::connect(url)?))
            }
        }
    }

    /// Wraps an opened backend.
    pub fn from_backend(backend: impl EvidenceStore + 'static) -> Store {
        Store {
            inner: Box::new(backend),
        }
    }
}

impl std::ops::Deref for Store {
    type Target = dyn EvidenceStore;
    fn deref(&self) -> &Self::Target {
        &*self.inner
    }
}

impl std::ops::DerefMut for Store {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut *self.inner
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show_in_a_location() {
        let location = StoreLocation::parse("postgres://kuzot:s3cr@t@db.example:5432/evidence");
        assert_eq!(location.backend(), Backend::Postgres);
        assert_eq!(
            location.display(),
            "postgres://kuzot:***@db.example:5432/evidence"
        );
        assert!(!format!("{location:?}").contains("s3cr"));
        assert_eq!(
            url_without_password("postgresql://root@127.0.0.1/test"),
            "postgresql://root@127.0.0.1/test"
        );
        assert_eq!(
            StoreLocation::parse("/var/lib/kuzot"),
            StoreLocation::Sqlite(PathBuf::from("/var/lib/kuzot"))
        );
    }
}

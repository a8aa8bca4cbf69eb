//! The SQLite evidence store.

mod index_rows;
mod labels;
mod public_numbers;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use kuzot_model::{Analysis, RawDocument, SourcePosition};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use time::OffsetDateTime;

use crate::blobs::create_private_dir;
use crate::copy::{self, CopyTable, CopyTarget, SqliteTarget};
use crate::evidence_store::{
    Backend, Change, EvidenceStore, Import, ImportSession, QueuedAnalyser, RegroupClaim,
    SourceReader,
};
use crate::rows::{
    AnalysedAt, AnalysisRow, DocumentKeys, decode_signature, rfc3339, unix_to_rfc3339,
};
use crate::{
    BlobStore, DocumentFilter, ImportCounts, IndexRow, Label, NewLabel, NewSource, ORPHAN_GRACE,
    PseudonymKey, Pseudonymizer, QueueItem, RejectedRecordRow, SourceRecord, Stats, StoreError,
    StoredAnalysis, StoredBlob, StoredDocument, SweepReport,
};

/// Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_evidence.sql"),
    include_str!("migrations/0002_analyses.sql"),
    include_str!("migrations/0003_labels.sql"),
    include_str!("migrations/0004_regroup_pending.sql"),
    include_str!("migrations/0005_compact_analyses.sql"),
    include_str!("migrations/0006_changes_and_analysis_queue.sql"),
    include_str!("migrations/0007_regroup_generations.sql"),
    include_str!("migrations/0008_public_sources.sql"),
    include_str!("migrations/0009_cases.sql"),
];

/// Bumps the regrouping generation: run in every transaction that adds or re-analyses
/// documents (migration 0007 explains the scheme).
const REQUEST_REGROUP: &str = "INSERT INTO regroup_requests (id, generation) VALUES (1, 1)
     ON CONFLICT (id) DO UPDATE SET generation = generation + 1";

/// The embedded SQLite evidence store of one data directory.
#[derive(Debug)]
pub struct SqliteStore {
    root: PathBuf,
    pub(crate) conn: Connection,
    blobs: BlobStore,
    pseudonymizer: Pseudonymizer,
}

/// A file or folder of the data directory that others may read or write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoosePermission {
    /// Where it is.
    pub path: std::path::PathBuf,
    /// Its mode bits.
    pub mode: u32,
    /// Whether it is a folder (which should be 0700) rather than a file (0600).
    pub is_dir: bool,
}

/// The parts of a data directory whose group or other permission bits are set: the folder
/// itself, `sources/`, the databases and the pseudonym key. Kept source files hold the
/// real author names the pseudonyms hide, so none of these is for anyone but the owner.
pub fn loose_permissions(data_dir: &Path) -> Vec<LoosePermission> {
    [
        "",
        "sources",
        "kuzot.db",
        "kuzot.db-wal",
        "kuzot.db-shm",
        "accounts.db",
        "secret.key",
    ]
    .iter()
    .filter_map(|name| {
        let path = if name.is_empty() {
            data_dir.to_owned()
        } else {
            data_dir.join(name)
        };
        let meta = std::fs::metadata(&path).ok()?;
        let mode = meta.permissions().mode();
        (mode & 0o077 != 0).then(|| LoosePermission {
            path,
            mode,
            is_dir: meta.is_dir(),
        })
    })
    .collect()
}

impl SqliteStore {
    /// Opens (creating if needed) the store in `data_dir`, migrating its schema.
    pub fn open(data_dir: &Path) -> Result<SqliteStore, StoreError> {
        create_private_dir(data_dir)?;
        let blobs = BlobStore::open(data_dir.join("sources"))?;
        let pseudonymizer = Pseudonymizer::load_or_create(&data_dir.join("secret.key"))?;
        let db_path = data_dir.join("kuzot.db");
        let new_db = !db_path.exists();
        let conn = Connection::open(&db_path)?;
        if new_db {
            // SQLite creates its file with the process umask (often 0644); the evidence is
            // for its owner only. The -wal and -shm files take their mode from this one.
            std::fs::set_permissions(&db_path, std::fs::Permissions::from_mode(0o600))
                .map_err(StoreError::io(&db_path))?;
        }
        for loose in loose_permissions(data_dir) {
            tracing::warn!(
                "{} is readable by others (mode {:o}); the evidence and the key should be \
                 the owner's only: chmod {} it",
                loose.path.display(),
                loose.mode & 0o777,
                if loose.is_dir { "700" } else { "600" }
            );
        }
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // 64 MiB of page cache: an import inserts into a unique index of random hashes, and
        // a cache that holds the index's hot pages is most of the speed of a large import.
        conn.pragma_update(None, "cache_size", -65536)?;
        let mut store = SqliteStore {
            root: data_dir.to_owned(),
            conn,
            blobs,
            pseudonymizer,
        };
        store.migrate()?;
        store.sweep_orphans(ORPHAN_GRACE)?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::SchemaTooNew {
                path: self.root.display().to_string(),
                found: version,
                known,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            // IMMEDIATE takes the write lock first; the version is read again under it, so
            // that of two processes opening a new store at once only one migrates.
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let now: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if now > i as i64 {
                continue;
            }
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The schema version this kuzot writes (`PRAGMA user_version` after every migration).
    pub fn schema_version() -> i64 {
        MIGRATIONS.len() as i64
    }

    /// The data directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The kept source files.
    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }
}

impl EvidenceStore for SqliteStore {
    /// Removes what interrupted imports left on disk, once older than `grace`: kept source
    /// files that no committed source row names, their temporary copies, and the web
    /// server's `uploads/` folders. A file a source row names is never removed.
    fn sweep_orphans(&self, grace: std::time::Duration) -> Result<SweepReport, StoreError> {
        let mut report = self
            .blobs
            .sweep_orphans(grace, |sha256| Ok(self.source_by_sha256(sha256)?.is_some()))?;
        let uploads = crate::blobs::sweep_stale_uploads(&self.root, grace);
        report.files += uploads.files;
        report.bytes += uploads.bytes;
        Ok(report)
    }

    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn location(&self) -> String {
        self.root.display().to_string()
    }

    /// The pseudonymizer of this store.
    fn pseudonymizer(&self) -> &Pseudonymizer {
        &self.pseudonymizer
    }

    /// Copies a file into the store's kept sources (once per content).
    fn keep_source_file(&self, path: &Path) -> Result<StoredBlob, StoreError> {
        self.blobs.keep(path)
    }

    fn open_source_file(&self, sha256: &str) -> Result<SourceReader, StoreError> {
        Ok(Box::new(self.blobs.open_blob(sha256)?))
    }

    fn discard_source_file(&self, blob: &StoredBlob) -> Result<(), StoreError> {
        if self.source_by_sha256(&blob.sha256)?.is_some() {
            return Ok(());
        }
        self.blobs.discard(blob)
    }

    /// The source with this SHA-256, if it was imported before.
    fn source_by_sha256(&self, sha256: &str) -> Result<Option<SourceRecord>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("{SOURCE_COLUMNS} WHERE sha256 = ?1"),
                [sha256],
                source_row,
            )
            .optional()?)
    }

    /// Starts the import of one source file; nothing is visible until [`ImportSession::commit`].
    fn begin_import(&mut self, source: NewSource) -> Result<Import<'_>, StoreError> {
        let tx = self.conn.transaction()?;
        let inserted = tx.execute(
            "INSERT INTO sources (sha256, size, original_name, format, imported_at, imported_by, keep_authors)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                source.sha256,
                source.size as i64,
                source.original_name,
                source.format.as_str(),
                rfc3339(OffsetDateTime::now_utc()),
                source.imported_by,
                source.keep_authors,
            ],
        );
        match inserted {
            Ok(_) => {}
            // Another connection committed the same file while this one waited for the
            // write lock: the same error as on PostgreSQL.
            Err(rusqlite::Error::SqliteFailure(e, Some(message)))
                if e.code == rusqlite::ErrorCode::ConstraintViolation
                    && message.contains("sources.sha256") =>
            {
                return Err(StoreError::AlreadyImported {
                    sha256: source.sha256,
                });
            }
            Err(e) => return Err(e.into()),
        }
        let source_id = tx.last_insert_rowid();
        Ok(Box::new(SqliteImport {
            tx,
            source_id,
            keys: DocumentKeys::new(&self.pseudonymizer, source.keep_authors),
            queue_analysis: source.queue_analysis,
            counts: ImportCounts::default(),
            analysed_at: AnalysedAt::new(),
        }))
    }

    /// All sources, oldest import first.
    fn sources(&self) -> Result<Vec<SourceRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!("{SOURCE_COLUMNS} ORDER BY id"))?;
        let rows = stmt.query_map([], source_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The rejected records of one source.
    fn rejected_records(&self, source_id: i64) -> Result<Vec<RejectedRecordRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT record, line, byte_offset, reason FROM rejected_records WHERE source_id = ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map([source_id], |r| {
            Ok(RejectedRecordRow {
                position: SourcePosition {
                    index: r.get::<_, i64>(0)? as u64,
                    line: r.get::<_, Option<i64>>(1)?.map(|v| v as u64),
                    byte_offset: r.get::<_, Option<i64>>(2)?.map(|v| v as u64),
                },
                reason: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Totals over the store.
    fn stats(&self) -> Result<Stats, StoreError> {
        let (sources, source_bytes): (i64, i64) = self.conn.query_row(
            "SELECT count(*), coalesce(sum(size), 0) FROM sources",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let (documents, chats, authors, first, last): (i64, i64, i64, Option<i64>, Option<i64>) = self.conn.query_row(
            "SELECT count(*), count(DISTINCT coalesce(chat_id, chat_name)), count(DISTINCT author), min(time), max(time) FROM documents",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
        let mut stmt = self.conn.prepare(
            "SELECT s.format, count(*) FROM documents d JOIN sources s ON s.id = d.source_id GROUP BY s.format ORDER BY 2 DESC, s.format",
        )?;
        let by_format = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })?
            .collect::<Result<_, _>>()?;
        Ok(Stats {
            sources: sources as u64,
            source_bytes: source_bytes as u64,
            documents: documents as u64,
            chats: chats as u64,
            authors: authors as u64,
            first_time: first.map(unix_to_rfc3339),
            last_time: last.map(unix_to_rfc3339),
            by_format,
        })
    }

    /// Calls `each` for every document matching `filter`, in time order (undated last).
    fn for_each_document(
        &self,
        filter: &DocumentFilter,
        each: &mut dyn FnMut(StoredDocument) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut sql = String::from(
            "SELECT d.id, s.sha256, s.original_name, s.format, d.kind, coalesce(d.chat_name, d.chat_id), d.author,
                    d.author_name, d.time, d.message_id, d.reply_to, d.forwarded_from, d.title, d.url, d.text,
                    d.record, d.line, d.byte_offset, a.category, a.lang, a.cluster_id
             FROM documents d JOIN sources s ON s.id = d.source_id
             LEFT JOIN analyses a ON a.document_id = d.id WHERE 1 = 1",
        );
        let mut values: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(chat) = &filter.chat {
            values.push(chat.clone().into());
            sql.push_str(&format!(
                " AND (d.chat_name = ?{0} OR d.chat_id = ?{0})",
                values.len()
            ));
        }
        if let Some(since) = filter.since {
            values.push(since.unix_timestamp().into());
            sql.push_str(&format!(" AND d.time >= ?{}", values.len()));
        }
        if let Some(until) = filter.until {
            values.push(until.unix_timestamp().into());
            sql.push_str(&format!(" AND d.time < ?{}", values.len()));
        }
        if let Some(source) = &filter.source {
            // A prefix match on a hex string: escape nothing, hex has no LIKE wildcards, but
            // the value is untrusted, so compare with substr instead of LIKE.
            values.push(source.to_ascii_lowercase().into());
            sql.push_str(&format!(
                " AND substr(s.sha256, 1, length(?{0})) = ?{0}",
                values.len()
            ));
        }
        if let Some(needle) = &filter.contains {
            values.push(needle.clone().into());
            sql.push_str(&format!(" AND instr(d.text, ?{}) > 0", values.len()));
        }
        if let Some(category) = &filter.category {
            values.push(category.clone().into());
            sql.push_str(&format!(" AND a.category = ?{}", values.len()));
        }
        if let Some(phone) = &filter.phone {
            values.push(phone.clone().into());
            sql.push_str(&format!(
                " AND d.id IN (SELECT document_id FROM document_phones WHERE phone = ?{})",
                values.len()
            ));
        }
        if let Some(cluster) = filter.cluster {
            values.push(cluster.into());
            sql.push_str(&format!(" AND a.cluster_id = ?{}", values.len()));
        }
        if !filter.ids.is_empty() {
            // Ids are integers, bound one by one; SQLite's limit of 32,766 parameters is far
            // above any page of results.
            let first = values.len() + 1;
            for id in &filter.ids {
                values.push((*id).into());
            }
            let list: Vec<String> = (first..=values.len()).map(|i| format!("?{i}")).collect();
            sql.push_str(&format!(" AND d.id IN ({})", list.join(",")));
        }
        sql.push_str(" ORDER BY d.time IS NULL, d.time, d.id");
        if let Some(limit) = filter.limit {
            values.push((limit.min(i64::MAX as u64) as i64).into());
            sql.push_str(&format!(" LIMIT ?{}", values.len()));
        }
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(values))?;
        while let Some(r) = rows.next()? {
            let doc = StoredDocument {
                id: r.get(0)?,
                source: r.get(1)?,
                source_name: r.get(2)?,
                format: r.get(3)?,
                kind: r.get(4)?,
                chat: r.get(5)?,
                author: r.get(6)?,
                author_name: r.get(7)?,
                time: r.get::<_, Option<i64>>(8)?.map(unix_to_rfc3339),
                message_id: r.get(9)?,
                reply_to: r.get(10)?,
                forwarded_from: r.get(11)?,
                title: r.get(12)?,
                url: r.get(13)?,
                text: r.get(14)?,
                position: SourcePosition {
                    index: r.get::<_, i64>(15)? as u64,
                    line: r.get::<_, Option<i64>>(16)?.map(|v| v as u64),
                    byte_offset: r.get::<_, Option<i64>>(17)?.map(|v| v as u64),
                },
                category: r.get(18)?,
                lang: r.get(19)?,
                cluster: r.get(20)?,
            };
            each(doc)?;
        }
        Ok(())
    }
    /// Stores (replacing) the analyses of existing documents, in one transaction.
    fn save_analyses(&mut self, analyses: &[(i64, Analysis)]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let analysed_at = rfc3339(OffsetDateTime::now_utc());
        for (id, analysis) in analyses {
            write_analysis(&tx, *id, analysis, &analysed_at, true)?;
        }
        let ids: Vec<i64> = analyses.iter().map(|(id, _)| *id).collect();
        log_changes(&tx, &ids)?;
        tx.commit()?;
        Ok(())
    }

    /// Documents with ids above `after`, in id order, at most `limit`: `(id, text)` pairs
    /// for re-analysis in batches that do not hold the database while the engine works.
    fn texts_after(&self, after: i64, limit: usize) -> Result<Vec<(i64, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, text FROM documents WHERE id > ?1 ORDER BY id LIMIT ?2")?;
        let rows = stmt.query_map(params![after, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Number of documents, and of those analysed by an engine version other than `version`
    /// (or not at all).
    fn analysis_status(&self, version: &str) -> Result<(u64, u64), StoreError> {
        let (total, stale): (i64, i64) = self.conn.query_row(
            "SELECT count(*), count(*) - count(CASE WHEN a.engine_version = ?1 THEN 1 END)
             FROM documents d LEFT JOIN analyses a ON a.document_id = d.id",
            [version],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((total as u64, stale as u64))
    }

    /// Calls `each` with every stored MinHash signature, in document id order. Values
    /// come back as their low 16 bits (what the store keeps, see `signature_blob`);
    /// signatures of empty texts are not stored and not visited.
    fn for_each_fingerprint(&self, each: &mut dyn FnMut(i64, &[u32])) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT document_id, signature FROM signatures ORDER BY document_id")?;
        let mut rows = stmt.query([])?;
        let mut signature = Vec::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let blob: Vec<u8> = r.get(1)?;
            // An empty text's signature (every value at its maximum) moved from the old
            // column: such documents are never near-duplicates.
            if !decode_signature(id, &blob, &mut signature)? {
                continue;
            }
            each(id, &signature);
        }
        Ok(())
    }

    fn regroup_pending(&self) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT coalesce((SELECT generation FROM regroup_requests WHERE id = 1), 0)
                  > coalesce((SELECT done FROM regroup_runs WHERE id = 1), 0)",
            [],
            |r| r.get(0),
        )?)
    }

    fn claim_regroup(
        &mut self,
        lease: std::time::Duration,
        take_over: bool,
    ) -> Result<Option<RegroupClaim>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO regroup_runs (id, done) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
            [],
        )?;
        let generation: i64 = tx.query_row(
            "SELECT coalesce((SELECT generation FROM regroup_requests WHERE id = 1), 0)",
            [],
            |r| r.get(0),
        )?;
        let claim = RegroupClaim::new(generation)?;
        let lease_seconds = i64::try_from(lease.as_secs()).unwrap_or(i64::MAX / 2);
        let claimed = tx.execute(
            "UPDATE regroup_runs SET lease_token = ?1, lease_until = unixepoch() + ?2
             WHERE id = 1 AND done < ?3
               AND (?4 OR lease_until IS NULL OR lease_until < unixepoch())",
            params![claim.token, lease_seconds, generation, take_over],
        )?;
        tx.commit()?;
        Ok((claimed == 1).then_some(claim))
    }

    /// Records the near-duplicate cluster of each document; documents not listed are
    /// left without a cluster.
    fn set_clusters(
        &mut self,
        clusters: &[(i64, i64)],
        claim: &RegroupClaim,
    ) -> Result<bool, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let done: i64 = tx.query_row(
            "SELECT coalesce((SELECT done FROM regroup_runs WHERE id = 1), 0)",
            [],
            |r| r.get(0),
        )?;
        let newer = done < claim.generation;
        if newer {
            write_clusters(&tx, clusters)?;
        }
        tx.execute(
            "UPDATE regroup_runs SET done = max(done, ?1),
                 lease_until = CASE WHEN lease_token = ?2 THEN NULL ELSE lease_until END,
                 lease_token = CASE WHEN lease_token = ?2 THEN NULL ELSE lease_token END
             WHERE id = 1",
            params![claim.generation, claim.token],
        )?;
        tx.commit()?;
        Ok(newer)
    }

    /// Phone numbers found in at least `min_documents` documents, most shared first.
    fn shared_phones(
        &self,
        min_documents: u64,
        limit: u64,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT phone, count(*) AS n FROM document_phones GROUP BY phone HAVING n >= ?1 ORDER BY n DESC, phone LIMIT ?2",
        )?;
        let rows = stmt.query_map(
            params![min_documents as i64, limit.min(i64::MAX as u64) as i64],
            |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)),
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Documents per category among analysed documents.
    fn category_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT category, count(*) FROM analyses GROUP BY category ORDER BY 2 DESC, category",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
    fn public_sources(&self) -> Result<Vec<i64>, StoreError> {
        public_numbers::public_sources(&self.conn)
    }

    fn set_public_sources(
        &mut self,
        source_ids: &[i64],
        chosen_by: &str,
    ) -> Result<(), StoreError> {
        public_numbers::set_public_sources(&mut self.conn, source_ids, chosen_by)
    }

    fn public_counts(&self, pay: &crate::PayBands) -> Result<crate::PublicCounts, StoreError> {
        public_numbers::public_counts(&self.conn, pay)
    }

    fn add_label(&mut self, label: &NewLabel) -> Result<Label, StoreError> {
        labels::add_label(&mut self.conn, label)
    }

    fn labels_of(&self, document_id: i64) -> Result<Vec<Label>, StoreError> {
        labels::labels_of(&self.conn, document_id)
    }

    fn labelled_texts(&self) -> Result<Vec<(String, kuzot_model::Category)>, StoreError> {
        labels::labelled_texts(&self.conn)
    }

    fn labelled_count(&self) -> Result<u64, StoreError> {
        labels::labelled_count(&self.conn)
    }

    fn review_queue(
        &self,
        low_confidence: f64,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<QueueItem>, StoreError> {
        labels::review_queue(&self.conn, low_confidence, offset, limit)
    }

    fn review_queue_len(&self, low_confidence: f64) -> Result<u64, StoreError> {
        labels::review_queue_len(&self.conn, low_confidence)
    }

    fn spot_check(
        &self,
        min_confidence: f64,
        seed: u32,
        limit: u64,
    ) -> Result<Vec<QueueItem>, StoreError> {
        labels::spot_check(&self.conn, min_confidence, seed, limit)
    }

    fn analysis_of(&self, document_id: i64) -> Result<Option<StoredAnalysis>, StoreError> {
        labels::analysis_of(&self.conn, document_id)
    }

    fn index_row_count(&self, after_id: i64) -> Result<u64, StoreError> {
        index_rows::index_row_count(&self.conn, after_id)
    }

    fn for_each_index_row(
        &self,
        after_id: i64,
        each: &mut dyn FnMut(IndexRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        index_rows::for_each_index_row(&self.conn, after_id, each)
    }

    fn index_rows(&self, ids: &[i64]) -> Result<Vec<IndexRow>, StoreError> {
        index_rows::index_rows(&self.conn, ids)
    }

    fn changes_after(&self, after: i64, limit: usize) -> Result<Vec<Change>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, first_id, last_id FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit.min(i64::MAX as usize) as i64], |r| {
            Ok(Change {
                seq: r.get(0)?,
                first_id: r.get(1)?,
                last_id: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn last_change(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
                r.get(0)
            })?)
    }

    fn queue_stale_analyses(&mut self, engine_version: &str) -> Result<u64, StoreError> {
        let added = self.conn.execute(
            "INSERT OR IGNORE INTO analysis_queue (document_id)
             SELECT d.id FROM documents d LEFT JOIN analyses a ON a.document_id = d.id
             WHERE a.engine_version IS NULL OR a.engine_version <> ?1",
            [engine_version],
        )?;
        Ok(added as u64)
    }

    fn analysis_queue_len(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM analysis_queue", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    fn analyse_queued(
        &mut self,
        limit: usize,
        analyse: &mut QueuedAnalyser<'_>,
    ) -> Result<usize, StoreError> {
        // IMMEDIATE: the write lock is taken now, so a second process waits rather than
        // taking the same batch.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let batch: Vec<(i64, String)> = {
            let mut stmt = tx.prepare_cached(
                "SELECT q.document_id, d.text FROM analysis_queue q
                 JOIN documents d ON d.id = q.document_id ORDER BY q.document_id LIMIT ?1",
            )?;
            let rows = stmt.query_map([limit.min(i64::MAX as usize) as i64], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        if batch.is_empty() {
            return Ok(0);
        }
        let analyses = analyse(&batch);
        if analyses.len() != batch.len() {
            return Err(StoreError::Corrupt(format!(
                "{} analyses returned for {} documents",
                analyses.len(),
                batch.len()
            )));
        }
        let analysed_at = rfc3339(OffsetDateTime::now_utc());
        let mut ids = Vec::with_capacity(batch.len());
        for ((id, _), analysis) in batch.iter().zip(&analyses) {
            write_analysis(&tx, *id, analysis, &analysed_at, true)?;
            tx.prepare_cached("DELETE FROM analysis_queue WHERE document_id = ?1")?
                .execute([id])?;
            ids.push(*id);
        }
        tx.execute(REQUEST_REGROUP, [])?;
        log_changes(&tx, &ids)?;
        tx.commit()?;
        Ok(batch.len())
    }

    fn copy_tables_out(
        &self,
        tables: &[CopyTable],
        each: &mut copy::TableRows<'_>,
    ) -> Result<(), StoreError> {
        // One deferred transaction around every table: its first read fixes the WAL
        // snapshot, and every later table is read from that same snapshot however much
        // another process commits meanwhile.
        let tx = self.conn.unchecked_transaction()?;
        for table in tables {
            copy::sqlite_dump_table(&tx, table, &mut |row| each(table, row))?;
        }
        tx.commit()?;
        Ok(())
    }

    fn count_rows(&self, table: &CopyTable) -> Result<u64, StoreError> {
        copy::sqlite_count_rows(&self.conn, table)
    }

    fn copy_in(
        &mut self,
        pseudonym_key: &PseudonymKey,
        load: &mut dyn FnMut(&mut dyn CopyTarget) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        // IMMEDIATE: no import of another process slips in between the check and the load.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let (documents, sources): (i64, i64) = tx.query_row(
            "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM sources)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if documents > 0 || sources > 0 {
            return Err(StoreError::TargetNotEmpty {
                location: self.root.display().to_string(),
                documents: documents as u64,
                sources: sources as u64,
            });
        }
        // The key of an empty store has made no pseudonym yet, so it can be replaced.
        self.pseudonymizer =
            Pseudonymizer::replace_key_file(&self.root.join("secret.key"), pseudonym_key)?;
        load(&mut SqliteTarget {
            conn: &tx,
            allowed: Some(copy::EVIDENCE_TABLES),
        })?;
        // SQLite takes the next rowid above the largest, so ids need no sequence reset;
        // the change log starts again with one entry over every copied document.
        tx.execute(
            "INSERT INTO changes (first_id, last_id)
             SELECT min(id), max(id) FROM documents HAVING count(*) > 0",
            [],
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// Records in the change log that the documents `ids` changed, as few ranges as cover them.
fn log_changes(conn: &Connection, ids: &[i64]) -> Result<(), StoreError> {
    let mut stmt =
        conn.prepare_cached("INSERT INTO changes (first_id, last_id) VALUES (?1, ?2)")?;
    for (first, last) in crate::rows::id_ranges(ids) {
        stmt.execute(params![first, last])?;
    }
    Ok(())
}

/// Writes (replacing) one document's analysis, its signature and its phone index.
/// `analysed_at` is passed in so that a batch formats the time once.
fn write_analysis(
    conn: &Connection,
    document_id: i64,
    analysis: &Analysis,
    analysed_at: &str,
    replacing: bool,
) -> Result<(), StoreError> {
    let row = AnalysisRow::of(analysis)?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO analyses (document_id, engine_version, lang, script, category, genre, topic, confidence,
             occupied, result, analysed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (document_id) DO UPDATE SET engine_version = excluded.engine_version, lang = excluded.lang,
             script = excluded.script, category = excluded.category, genre = excluded.genre,
             topic = excluded.topic, confidence = excluded.confidence, occupied = excluded.occupied,
             result = excluded.result, analysed_at = excluded.analysed_at",
    )?;
    stmt.execute(params![
        document_id,
        analysis.engine_version,
        analysis.lang,
        analysis.script,
        analysis.category.as_str(),
        analysis.genre.map(|g| g.as_str()),
        analysis.topic.map(|t| t.as_str()),
        row.confidence,
        analysis.facts.occupied(),
        row.result,
        analysed_at,
    ])?;
    match row.signature {
        Some(blob) => {
            conn.prepare_cached(
                "INSERT INTO signatures (document_id, signature) VALUES (?1, ?2)
                 ON CONFLICT (document_id) DO UPDATE SET signature = excluded.signature",
            )?
            .execute(params![document_id, blob])?;
        }
        None if replacing => {
            conn.prepare_cached("DELETE FROM signatures WHERE document_id = ?1")?
                .execute([document_id])?;
        }
        None => {}
    }
    if replacing {
        conn.prepare_cached("DELETE FROM document_phones WHERE document_id = ?1")?
            .execute([document_id])?;
    }
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO document_phones (phone, document_id) VALUES (?1, ?2)",
    )?;
    for phone in &analysis.facts.phones {
        insert.execute(params![phone, document_id])?;
    }
    Ok(())
}

const SOURCE_COLUMNS: &str =
    "SELECT id, sha256, size, original_name, format, imported_at, imported_by, keep_authors,
    added, already_present, rejected, service_records FROM sources";

fn source_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SourceRecord> {
    Ok(SourceRecord {
        id: r.get(0)?,
        sha256: r.get(1)?,
        size: r.get::<_, i64>(2)? as u64,
        original_name: r.get(3)?,
        format: r.get(4)?,
        imported_at: r.get(5)?,
        imported_by: r.get(6)?,
        keep_authors: r.get(7)?,
        added: r.get::<_, i64>(8)? as u64,
        already_present: r.get::<_, i64>(9)? as u64,
        rejected: r.get::<_, i64>(10)? as u64,
        service_records: r.get::<_, i64>(11)? as u64,
    })
}

/// The import of one source file into SQLite: one transaction.
pub struct SqliteImport<'s> {
    tx: Transaction<'s>,
    source_id: i64,
    keys: DocumentKeys<'s>,
    /// Queue the added documents that have no analysis at commit.
    queue_analysis: bool,
    counts: ImportCounts,
    /// The `analysed_at` stamp and when it was formatted: refreshed once a second, not
    /// formatted again for each of the thousands of documents analysed in between.
    analysed_at: AnalysedAt,
}

impl std::fmt::Debug for SqliteImport<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Import")
            .field("source_id", &self.source_id)
            .field("counts", &self.counts)
            .finish()
    }
}

impl ImportSession for SqliteImport<'_> {
    /// The row id of the source being imported.
    fn source_id(&self) -> i64 {
        self.source_id
    }

    /// Adds one document. Returns its row id, or `None` when the store already had it.
    fn add(&mut self, doc: &RawDocument) -> Result<Option<i64>, StoreError> {
        let row = self.keys.row(doc)?;
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO documents (source_id, dedup_key, kind, chat_id, chat_name, chat_kind, author, author_name,
                 author_id, forwarded_from, message_id, reply_to, time, edited, title, url, text, media, record, line,
                 byte_offset)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
             ON CONFLICT (dedup_key) DO NOTHING",
        )?;
        let inserted = stmt.execute(params![
            self.source_id,
            &row.dedup_key[..],
            doc.kind.as_str(),
            row.chat_id,
            row.chat_name,
            doc.chat.kind,
            row.author,
            row.author_name,
            row.author_id,
            row.forwarded_from,
            doc.message_id,
            doc.reply_to,
            doc.time.map(|t| t.unix_timestamp()),
            doc.edited.map(|t| t.unix_timestamp()),
            doc.title,
            doc.url,
            doc.text,
            row.media,
            doc.position.index as i64,
            doc.position.line.map(|v| v as i64),
            doc.position.byte_offset.map(|v| v as i64),
        ])?;
        if inserted == 1 {
            self.counts.added += 1;
            Ok(Some(self.tx.last_insert_rowid()))
        } else {
            self.counts.already_present += 1;
            Ok(None)
        }
    }

    /// Stores the analysis of a document added by this import.
    fn add_analysis(&mut self, document_id: i64, analysis: &Analysis) -> Result<(), StoreError> {
        let analysed_at = self.analysed_at.now();
        write_analysis(&self.tx, document_id, analysis, analysed_at, false)
    }

    /// Records a record that could not be read.
    fn reject(&mut self, position: SourcePosition, reason: &str) -> Result<(), StoreError> {
        self.counts.rejected += 1;
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO rejected_records (source_id, record, line, byte_offset, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        stmt.execute(params![
            self.source_id,
            position.index as i64,
            position.line.map(|v| v as i64),
            position.byte_offset.map(|v| v as i64),
            reason,
        ])?;
        Ok(())
    }

    /// Counts a service record.
    fn service_record(&mut self) {
        self.counts.service_records += 1;
    }

    /// What the import has done so far.
    fn counts(&self) -> ImportCounts {
        self.counts
    }

    /// Makes the import visible, with its counts. When it added documents, the same
    /// transaction marks the store's near-duplicate clusters as due for regrouping.
    fn commit(self: Box<Self>) -> Result<ImportCounts, StoreError> {
        let c = self.counts;
        if c.added > 0 {
            self.tx.execute(REQUEST_REGROUP, [])?;
            // Documents this import added have ids above every earlier document's (SQLite
            // takes the next rowid), so one range covers them.
            self.tx.execute(
                "INSERT INTO changes (first_id, last_id)
                 SELECT min(id), max(id) FROM documents WHERE source_id = ?1",
                [self.source_id],
            )?;
            if self.queue_analysis {
                self.tx.execute(
                    "INSERT OR IGNORE INTO analysis_queue (document_id)
                     SELECT d.id FROM documents d WHERE d.source_id = ?1
                       AND NOT EXISTS (SELECT 1 FROM analyses a WHERE a.document_id = d.id)",
                    [self.source_id],
                )?;
            }
        }
        self.tx.execute(
            "UPDATE sources SET added = ?1, already_present = ?2, rejected = ?3, service_records = ?4 WHERE id = ?5",
            params![c.added as i64, c.already_present as i64, c.rejected as i64, c.service_records as i64, self.source_id],
        )?;
        self.tx.commit()?;
        Ok(c)
    }

    /// Drops everything this import wrote.
    fn abort(self: Box<Self>) -> Result<(), StoreError> {
        Ok(self.tx.rollback()?)
    }
}

/// Replaces every document's near-duplicate cluster with `clusters` (documents not listed
/// have none).
fn write_clusters(tx: &Transaction<'_>, clusters: &[(i64, i64)]) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE analyses SET cluster_id = NULL WHERE cluster_id IS NOT NULL",
        [],
    )?;
    let mut stmt =
        tx.prepare_cached("UPDATE analyses SET cluster_id = ?2 WHERE document_id = ?1")?;
    for (id, cluster) in clusters {
        stmt.execute(params![id, cluster])?;
    }
    Ok(())
}

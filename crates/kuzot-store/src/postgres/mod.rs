//! The PostgreSQL evidence store: one database that several kuzot processes, on one or
//! several machines, share — documents, analyses, labels, the change log, the analysis
//! queue, the pseudonym key and the kept source files themselves.

mod analyses;
mod documents;
mod import;
mod index_rows;
mod labels;
mod public_numbers;
mod source_files;

use std::cell::{RefCell, RefMut};
use std::path::Path;

use ::postgres::error::SqlState;
use ::postgres::{Client, NoTls, Transaction};
use kuzot_model::{Analysis, SourcePosition};
use time::OffsetDateTime;

use crate::copy::{self, CopyTable, CopyTarget, PostgresLoader, Value};
use crate::evidence_store::{
    Backend, Change, EvidenceStore, Import, QueuedAnalyser, RegroupClaim, SourceReader,
    url_without_password,
};
use crate::pseudonym::PseudonymKey;
use crate::{
    DocumentFilter, IndexRow, Label, NewLabel, NewSource, ORPHAN_GRACE, Pseudonymizer, QueueItem,
    RejectedRecordRow, SourceRecord, Stats, StoreError, StoredAnalysis, StoredBlob, StoredDocument,
    SweepReport,
};

/// Schema migrations of the evidence, applied in order; `kuzot_schema_versions` records
/// how many ran under the component `evidence`.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_evidence.sql"),
    include_str!("migrations/0002_regroup_generations.sql"),
    include_str!("migrations/0003_public_sources.sql"),
    include_str!("migrations/0004_cases.sql"),
];

/// The component name of the evidence schema in `kuzot_schema_versions`.
const SCHEMA_COMPONENT: &str = "evidence";

/// The advisory lock every kuzot migration of this database takes (whatever its
/// component), so that two processes starting at once migrate one after the other.
pub(crate) const SCHEMA_LOCK: i64 = 0x6b757a6f_74000001;

/// The advisory lock that change-log writers take just before inserting into `changes`;
/// held until their commit, so sequence numbers are handed out in commit order.
const CHANGES_LOCK: i64 = 0x6b757a6f_74000002;

/// Name of the pseudonym key in `store_secrets`.
const PSEUDONYM_KEY: &str = "pseudonym_key";

/// The evidence store in a PostgreSQL database.
pub struct PostgresStore {
    /// The full connection URL: kept to open the connections that read source files.
    /// Never shown: [`PostgresStore::location`] has the URL without its password.
    url: String,
    shown: String,
    /// Reads borrow it for one statement at a time, never while a caller's callback runs.
    client: RefCell<Client>,
    /// Whether a multi-page read holds a snapshot transaction open on `client` (a callback
    /// that reads documents again runs inside it and must not begin or end another).
    in_snapshot: std::cell::Cell<bool>,
    pseudonymizer: Pseudonymizer,
    /// The highest queued document id this connection took: the next batch starts above
    /// it. Deleted queue rows stay in the index as dead entries until vacuum, and the
    /// planner's merge join walks `documents` from its first id unless told where to start,
    /// so a batch taken from the lowest id would step over every document analysed so far.
    queue_cursor: i64,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("location", &self.shown)
            .finish()
    }
}

/// Connects to `url`; an error names the URL without its password, and the driver's
/// reason with any occurrence of the password removed.
pub(crate) fn connect_client(url: &str) -> Result<Client, StoreError> {
    let shown = url_without_password(url);
    let password = url
        .parse::<::postgres::Config>()
        .ok()
        .and_then(|c| {
            c.get_password()
                .map(|p| String::from_utf8_lossy(p).into_owned())
        })
        .filter(|p| !p.is_empty());
    Client::connect(url, NoTls).map_err(|e| {
        let mut reason = e.to_string();
        if let Some(password) = &password {
            reason = reason.replace(password.as_str(), "***");
        }
        StoreError::Unreachable {
            location: shown,
            reason,
        }
    })
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:pass@host:port/db`), migrates
    /// its evidence schema, and reads (creating once) the pseudonym key all processes share.
    pub fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let mut client = connect_client(url)?;
        let shown = url_without_password(url);
        migrate(&mut client, &shown)?;
        let pseudonymizer = Pseudonymizer::with_key(shared_key(&mut client)?);
        let store = PostgresStore {
            url: url.to_owned(),
            shown,
            client: RefCell::new(client),
            in_snapshot: std::cell::Cell::new(false),
            pseudonymizer,
            queue_cursor: 0,
        };
        store.sweep_orphans(ORPHAN_GRACE)?;
        Ok(store)
    }

    /// The connection, for one statement or one transaction.
    fn client(&self) -> RefMut<'_, Client> {
        self.client.borrow_mut()
    }
}

/// Brings the evidence schema up to date in one transaction under [`SCHEMA_LOCK`].
fn migrate(client: &mut Client, shown: &str) -> Result<(), StoreError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS kuzot_schema_versions (
             component TEXT PRIMARY KEY,
             version INTEGER NOT NULL
         )",
    )?;
    let found: i64 = tx
        .query_opt(
            "SELECT version FROM kuzot_schema_versions WHERE component = $1",
            &[&SCHEMA_COMPONENT],
        )?
        .map_or(0, |r| i64::from(r.get::<_, i32>(0)));
    let known = MIGRATIONS.len() as i64;
    if found > known {
        return Err(StoreError::SchemaTooNew {
            path: shown.to_owned(),
            found,
            known,
        });
    }
    for sql in MIGRATIONS.iter().skip(found as usize) {
        tx.batch_execute(sql)?;
    }
    if found < known {
        tx.execute(
            "INSERT INTO kuzot_schema_versions (component, version) VALUES ($1, $2)
             ON CONFLICT (component) DO UPDATE SET version = excluded.version",
            &[&SCHEMA_COMPONENT, &(known as i32)],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// The pseudonym key of the database: the first process to ask creates it, every other
/// reads the same.
fn shared_key(client: &mut Client) -> Result<[u8; 32], StoreError> {
    let mut fresh = [0u8; 32];
    getrandom::fill(&mut fresh).map_err(|e| StoreError::BadSecret {
        path: PSEUDONYM_KEY.into(),
        reason: format!("no random bytes for a new key: {e}"),
    })?;
    client.execute(
        "INSERT INTO store_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        &[&PSEUDONYM_KEY, &&fresh[..]],
    )?;
    let stored: Vec<u8> = client
        .query_one(
            "SELECT value FROM store_secrets WHERE name = $1",
            &[&PSEUDONYM_KEY],
        )?
        .get(0);
    stored
        .try_into()
        .map_err(|bytes: Vec<u8>| StoreError::BadSecret {
            path: format!("store_secrets.{PSEUDONYM_KEY}").into(),
            reason: format!("expected 32 bytes, found {}", bytes.len()),
        })
}

/// True when `e` is the unique violation of the constraint `constraint`.
fn is_unique_violation(e: &::postgres::Error, constraint: &str) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
        && e.as_db_error().and_then(|d| d.constraint()) == Some(constraint)
}

/// Records in the change log that the documents `ids` changed, as few ranges as cover
/// them. Takes [`CHANGES_LOCK`] first, which the transaction holds until it ends: a
/// second writer waits here until the first commits, so a smaller sequence number is
/// never committed after a larger one.
fn log_changes(tx: &mut Transaction<'_>, ids: &[i64]) -> Result<(), StoreError> {
    let ranges = crate::rows::id_ranges(ids);
    if ranges.is_empty() {
        return Ok(());
    }
    let (firsts, lasts): (Vec<i64>, Vec<i64>) = ranges.into_iter().unzip();
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHANGES_LOCK])?;
    tx.execute(
        "INSERT INTO changes (first_id, last_id)
         SELECT f, l FROM unnest($1::bigint[], $2::bigint[]) AS r(f, l) ORDER BY f",
        &[&firsts, &lasts],
    )?;
    Ok(())
}

/// Bumps the regrouping generation: run in every transaction that adds or re-analyses
/// documents (migration 0002 explains the scheme), late in it, since the row stays locked
/// until the commit.
fn mark_regroup(tx: &mut Transaction<'_>) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO regroup_requests (id, generation) VALUES (1, 1)
         ON CONFLICT (id) DO UPDATE SET generation = regroup_requests.generation + 1",
        &[],
    )?;
    Ok(())
}

/// The database's clock in Unix seconds: leases compare times written by processes on
/// different machines, so they use one clock.
const DATABASE_NOW: &str = "extract(epoch FROM clock_timestamp())::bigint";

const SOURCE_COLUMNS: &str =
    "SELECT id, sha256, size, original_name, format, imported_at, imported_by, keep_authors,
    added, already_present, rejected, service_records FROM sources";

fn source_row(r: &::postgres::Row) -> SourceRecord {
    SourceRecord {
        id: r.get(0),
        sha256: r.get(1),
        size: r.get::<_, i64>(2) as u64,
        original_name: r.get(3),
        format: r.get(4),
        imported_at: r.get(5),
        imported_by: r.get(6),
        keep_authors: r.get(7),
        added: r.get::<_, i64>(8) as u64,
        already_present: r.get::<_, i64>(9) as u64,
        rejected: r.get::<_, i64>(10) as u64,
        service_records: r.get::<_, i64>(11) as u64,
    }
}

/// `n` as a PostgreSQL bigint (limits and offsets beyond it mean "all").
fn bigint(n: u64) -> i64 {
    n.min(i64::MAX as u64) as i64
}

impl EvidenceStore for PostgresStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    fn location(&self) -> String {
        self.shown.clone()
    }

    fn pseudonymizer(&self) -> &Pseudonymizer {
        &self.pseudonymizer
    }

    /// Removes kept source files that no committed source names, once older than `grace`
    /// (an import that died between keeping its file and committing).
    fn sweep_orphans(&self, grace: std::time::Duration) -> Result<SweepReport, StoreError> {
        source_files::sweep_orphans(&mut self.client(), grace)
    }

    /// Keeps the file in the database (see `source_files`); the returned
    /// [`StoredBlob::path`] is empty, a kept file on PostgreSQL having no path.
    fn keep_source_file(&self, path: &Path) -> Result<StoredBlob, StoreError> {
        source_files::keep(&mut self.client(), path)
    }

    fn open_source_file(&self, sha256: &str) -> Result<SourceReader, StoreError> {
        source_files::open(&mut self.client(), &self.url, sha256)
    }

    fn discard_source_file(&self, blob: &StoredBlob) -> Result<(), StoreError> {
        source_files::discard(&mut self.client(), blob)
    }

    fn source_by_sha256(&self, sha256: &str) -> Result<Option<SourceRecord>, StoreError> {
        Ok(self
            .client()
            .query_opt(&format!("{SOURCE_COLUMNS} WHERE sha256 = $1"), &[&sha256])?
            .as_ref()
            .map(source_row))
    }

    fn begin_import(&mut self, source: NewSource) -> Result<Import<'_>, StoreError> {
        import::begin(self.client.get_mut(), &self.pseudonymizer, source)
    }

    fn sources(&self) -> Result<Vec<SourceRecord>, StoreError> {
        Ok(self
            .client()
            .query(&format!("{SOURCE_COLUMNS} ORDER BY id"), &[])?
            .iter()
            .map(source_row)
            .collect())
    }

    fn rejected_records(&self, source_id: i64) -> Result<Vec<RejectedRecordRow>, StoreError> {
        let rows = self.client().query(
            "SELECT record, line, byte_offset, reason FROM rejected_records
             WHERE source_id = $1 ORDER BY id",
            &[&source_id],
        )?;
        Ok(rows
            .iter()
            .map(|r| RejectedRecordRow {
                position: SourcePosition {
                    index: r.get::<_, i64>(0) as u64,
                    line: r.get::<_, Option<i64>>(1).map(|v| v as u64),
                    byte_offset: r.get::<_, Option<i64>>(2).map(|v| v as u64),
                },
                reason: r.get(3),
            })
            .collect())
    }

    fn stats(&self) -> Result<Stats, StoreError> {
        documents::stats(&mut self.client())
    }

    fn for_each_document(
        &self,
        filter: &DocumentFilter,
        each: &mut dyn FnMut(StoredDocument) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        documents::for_each_document(&self.client, &self.in_snapshot, filter, each)
    }

    fn texts_after(&self, after: i64, limit: usize) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(self
            .client()
            .query(
                "SELECT id, text FROM documents WHERE id > $1 ORDER BY id LIMIT $2",
                &[&after, &bigint(limit as u64)],
            )?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    /// Stores (replacing) the analyses of existing documents, in one transaction.
    fn save_analyses(&mut self, list: &[(i64, Analysis)]) -> Result<(), StoreError> {
        let client = self.client.get_mut();
        let mut tx = client.transaction()?;
        let analysed_at = crate::rows::rfc3339(OffsetDateTime::now_utc());
        let pairs: Vec<(i64, &Analysis)> = list.iter().map(|(id, a)| (*id, a)).collect();
        analyses::write_analyses(&mut tx, &pairs, &analysed_at, true)?;
        let ids: Vec<i64> = list.iter().map(|(id, _)| *id).collect();
        log_changes(&mut tx, &ids)?;
        tx.commit()?;
        Ok(())
    }

    fn analysis_status(&self, version: &str) -> Result<(u64, u64), StoreError> {
        let row = self.client().query_one(
            "SELECT count(*), count(*) - count(CASE WHEN a.engine_version = $1 THEN 1 END)
             FROM documents d LEFT JOIN analyses a ON a.document_id = d.id",
            &[&version],
        )?;
        Ok((row.get::<_, i64>(0) as u64, row.get::<_, i64>(1) as u64))
    }

    fn analysis_of(&self, document_id: i64) -> Result<Option<StoredAnalysis>, StoreError> {
        labels::analysis_of(&mut self.client(), document_id)
    }

    fn for_each_fingerprint(&self, each: &mut dyn FnMut(i64, &[u32])) -> Result<(), StoreError> {
        index_rows::for_each_fingerprint(&self.client, each)
    }

    fn regroup_pending(&self) -> Result<bool, StoreError> {
        Ok(self
            .client()
            .query_one(
                "SELECT coalesce((SELECT generation FROM regroup_requests WHERE id = 1), 0)
                      > coalesce((SELECT done FROM regroup_runs WHERE id = 1), 0)",
                &[],
            )?
            .get(0))
    }

    fn claim_regroup(
        &mut self,
        lease: std::time::Duration,
        take_over: bool,
    ) -> Result<Option<RegroupClaim>, StoreError> {
        let mut tx = self.client.get_mut().transaction()?;
        tx.execute(
            "INSERT INTO regroup_runs (id, done) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
            &[],
        )?;
        let generation: i64 = tx
            .query_one(
                "SELECT coalesce((SELECT generation FROM regroup_requests WHERE id = 1), 0)",
                &[],
            )?
            .get(0);
        let claim = RegroupClaim::new(generation)?;
        let lease_seconds = i64::try_from(lease.as_secs()).unwrap_or(i64::MAX / 2);
        // Two processes claiming at once: the second waits for the first's row lock, then
        // re-checks the condition against the row the first wrote, and finds the lease.
        let claimed = tx.execute(
            &format!(
                "UPDATE regroup_runs SET lease_token = $1, lease_until = {DATABASE_NOW} + $2
                 WHERE id = 1 AND done < $3
                   AND ($4 OR lease_until IS NULL OR lease_until < {DATABASE_NOW})"
            ),
            &[&claim.token, &lease_seconds, &generation, &take_over],
        )?;
        tx.commit()?;
        Ok((claimed == 1).then_some(claim))
    }

    fn set_clusters(
        &mut self,
        clusters: &[(i64, i64)],
        claim: &RegroupClaim,
    ) -> Result<bool, StoreError> {
        let mut tx = self.client.get_mut().transaction()?;
        tx.execute(
            "INSERT INTO regroup_runs (id, done) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
            &[],
        )?;
        // Locks the row: a concurrent regrouping writes its clusters after this one
        // commits, and then sees this one's generation.
        let done: i64 = tx
            .query_one("SELECT done FROM regroup_runs WHERE id = 1 FOR UPDATE", &[])?
            .get(0);
        let newer = done < claim.generation;
        if newer {
            let (ids, cluster_ids): (Vec<i64>, Vec<i64>) = clusters.iter().copied().unzip();
            tx.execute(
                "UPDATE analyses SET cluster_id = NULL WHERE cluster_id IS NOT NULL",
                &[],
            )?;
            tx.execute(
                "UPDATE analyses a SET cluster_id = c.cluster_id
                 FROM unnest($1::bigint[], $2::bigint[]) AS c(document_id, cluster_id)
                 WHERE a.document_id = c.document_id",
                &[&ids, &cluster_ids],
            )?;
        }
        tx.execute(
            "UPDATE regroup_runs SET done = greatest(done, $1),
                 lease_until = CASE WHEN lease_token = $2 THEN NULL ELSE lease_until END,
                 lease_token = CASE WHEN lease_token = $2 THEN NULL ELSE lease_token END
             WHERE id = 1",
            &[&claim.generation, &claim.token],
        )?;
        tx.commit()?;
        Ok(newer)
    }

    fn shared_phones(
        &self,
        min_documents: u64,
        limit: u64,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        Ok(self
            .client()
            .query(
                "SELECT phone, count(*) AS n FROM document_phones GROUP BY phone
                 HAVING count(*) >= $1 ORDER BY n DESC, phone COLLATE \"C\" LIMIT $2",
                &[&bigint(min_documents), &bigint(limit)],
            )?
            .iter()
            .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
            .collect())
    }

    fn category_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        Ok(self
            .client()
            .query(
                "SELECT category, count(*) FROM analyses GROUP BY category
                 ORDER BY 2 DESC, category COLLATE \"C\"",
                &[],
            )?
            .iter()
            .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
            .collect())
    }

    fn public_sources(&self) -> Result<Vec<i64>, StoreError> {
        public_numbers::public_sources(&mut self.client())
    }

    fn set_public_sources(
        &mut self,
        source_ids: &[i64],
        chosen_by: &str,
    ) -> Result<(), StoreError> {
        public_numbers::set_public_sources(self.client.get_mut(), source_ids, chosen_by)
    }

    fn public_counts(&self, pay: &crate::PayBands) -> Result<crate::PublicCounts, StoreError> {
        public_numbers::public_counts(&mut self.client(), pay)
    }

    fn add_label(&mut self, label: &NewLabel) -> Result<Label, StoreError> {
        labels::add_label(self.client.get_mut(), label)
    }

    fn labels_of(&self, document_id: i64) -> Result<Vec<Label>, StoreError> {
        labels::labels_of(&mut self.client(), document_id)
    }

    fn labelled_texts(&self) -> Result<Vec<(String, kuzot_model::Category)>, StoreError> {
        labels::labelled_texts(&mut self.client())
    }

    fn labelled_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .client()
            .query_one("SELECT count(DISTINCT document_id) FROM labels", &[])?
            .get(0);
        Ok(n as u64)
    }

    fn review_queue(
        &self,
        low_confidence: f64,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<QueueItem>, StoreError> {
        labels::review_queue(&mut self.client(), low_confidence, offset, limit)
    }

    fn review_queue_len(&self, low_confidence: f64) -> Result<u64, StoreError> {
        labels::review_queue_len(&mut self.client(), low_confidence)
    }

    fn spot_check(
        &self,
        min_confidence: f64,
        seed: u32,
        limit: u64,
    ) -> Result<Vec<QueueItem>, StoreError> {
        labels::spot_check(&mut self.client(), min_confidence, seed, limit)
    }

    fn index_row_count(&self, after_id: i64) -> Result<u64, StoreError> {
        let n: i64 = self
            .client()
            .query_one("SELECT count(*) FROM documents WHERE id > $1", &[&after_id])?
            .get(0);
        Ok(n.max(0) as u64)
    }

    fn for_each_index_row(
        &self,
        after_id: i64,
        each: &mut dyn FnMut(IndexRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        index_rows::for_each_index_row(&self.client, after_id, each)
    }

    fn index_rows(&self, ids: &[i64]) -> Result<Vec<IndexRow>, StoreError> {
        index_rows::index_rows(&mut self.client(), ids)
    }

    fn changes_after(&self, after: i64, limit: usize) -> Result<Vec<Change>, StoreError> {
        Ok(self
            .client()
            .query(
                "SELECT seq, first_id, last_id FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&after, &bigint(limit as u64)],
            )?
            .iter()
            .map(|r| Change {
                seq: r.get(0),
                first_id: r.get(1),
                last_id: r.get(2),
            })
            .collect())
    }

    fn last_change(&self) -> Result<i64, StoreError> {
        Ok(self
            .client()
            .query_one("SELECT coalesce(max(seq), 0)::bigint FROM changes", &[])?
            .get(0))
    }

    fn queue_stale_analyses(&mut self, engine_version: &str) -> Result<u64, StoreError> {
        Ok(self.client.get_mut().execute(
            "INSERT INTO analysis_queue (document_id)
             SELECT d.id FROM documents d LEFT JOIN analyses a ON a.document_id = d.id
             WHERE a.engine_version IS NULL OR a.engine_version <> $1
             ON CONFLICT DO NOTHING",
            &[&engine_version],
        )?)
    }

    fn analysis_queue_len(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .client()
            .query_one("SELECT count(*) FROM analysis_queue", &[])?
            .get(0);
        Ok(n as u64)
    }

    /// Takes a batch with `FOR UPDATE SKIP LOCKED`: rows another worker's open transaction
    /// holds are passed over, and a worker whose connection drops releases its rows with
    /// its transaction, so they are taken again.
    fn analyse_queued(
        &mut self,
        limit: usize,
        analyse: &mut QueuedAnalyser<'_>,
    ) -> Result<usize, StoreError> {
        let mut tx = self.client.get_mut().transaction()?;
        let take =
            |tx: &mut Transaction<'_>, above: i64| -> Result<Vec<(i64, String)>, StoreError> {
                Ok(tx
                    .query(
                        "SELECT q.document_id, d.text FROM analysis_queue q
                     JOIN documents d ON d.id = q.document_id
                     WHERE q.document_id > $2 AND d.id > $2
                     ORDER BY q.document_id LIMIT $1
                     FOR UPDATE OF q SKIP LOCKED",
                        &[&bigint(limit as u64), &above],
                    )?
                    .iter()
                    .map(|r| (r.get(0), r.get(1)))
                    .collect())
            };
        let mut batch = take(&mut tx, self.queue_cursor)?;
        if batch.is_empty() && self.queue_cursor > 0 {
            // Documents queued below the cursor since (a new import, a batch given back by
            // a worker that died): look again from the start.
            self.queue_cursor = 0;
            batch = take(&mut tx, 0)?;
        }
        if batch.is_empty() {
            return Ok(0);
        }
        let last_taken = batch.last().map(|(id, _)| *id);
        let results = analyse(&batch);
        if results.len() != batch.len() {
            return Err(StoreError::Corrupt(format!(
                "{} analyses returned for {} documents",
                results.len(),
                batch.len()
            )));
        }
        let analysed_at = crate::rows::rfc3339(OffsetDateTime::now_utc());
        let pairs: Vec<(i64, &Analysis)> = batch.iter().map(|(id, _)| *id).zip(&results).collect();
        analyses::write_analyses(&mut tx, &pairs, &analysed_at, true)?;
        let ids: Vec<i64> = batch.iter().map(|(id, _)| *id).collect();
        tx.execute(
            "DELETE FROM analysis_queue WHERE document_id = ANY($1)",
            &[&ids],
        )?;
        mark_regroup(&mut tx)?;
        log_changes(&mut tx, &ids)?;
        tx.commit()?;
        if let Some(last) = last_taken {
            self.queue_cursor = last;
        }
        Ok(batch.len())
    }

    fn copy_tables_out(
        &self,
        tables: &[CopyTable],
        each: &mut copy::TableRows<'_>,
    ) -> Result<(), StoreError> {
        // One repeatable-read transaction around every table: its first query fixes the
        // snapshot, so the tables are read as of one moment however long the copy takes.
        // The connection stays borrowed while `each` runs, so `each` must not call this
        // store (a migration or a backup writes into another store).
        let mut client = self.client();
        let mut tx = client
            .build_transaction()
            .isolation_level(::postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        for table in tables {
            copy::postgres_dump_table(&mut tx, table, &mut |row| each(table, row))?;
        }
        tx.commit()?;
        Ok(())
    }

    fn count_rows(&self, table: &CopyTable) -> Result<u64, StoreError> {
        copy::postgres_count_rows(&mut *self.client(), table)
    }

    fn copy_in(
        &mut self,
        pseudonym_key: &PseudonymKey,
        load: &mut dyn FnMut(&mut dyn CopyTarget) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        {
            let mut client = self.client();
            let mut tx = client.transaction()?;
            // No import of another process slips in between the check and the load.
            tx.batch_execute("LOCK TABLE sources, documents IN EXCLUSIVE MODE")?;
            let row = tx.query_one(
                "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM sources)",
                &[],
            )?;
            let (documents, sources): (i64, i64) = (row.get(0), row.get(1));
            if documents > 0 || sources > 0 {
                return Err(StoreError::TargetNotEmpty {
                    location: self.shown.clone(),
                    documents: documents as u64,
                    sources: sources as u64,
                });
            }
            // The key of an empty store has made no pseudonym yet, so it can be replaced;
            // every process that opens the database afterwards reads this one.
            let key = hex::decode(pseudonym_key.to_hex())
                .map_err(|e| StoreError::Corrupt(format!("pseudonym key: {e}")))?;
            tx.execute(
                "INSERT INTO store_secrets (name, value) VALUES ($1, $2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                &[&PSEUDONYM_KEY, &key],
            )?;
            let mut target = PostgresTarget {
                tx: &mut tx,
                loader: PostgresLoader::new(),
            };
            load(&mut target)?;
            let PostgresTarget { loader, .. } = target;
            loader.finish(&mut tx)?;
            // The change log starts again with one entry over every copied document.
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHANGES_LOCK])?;
            tx.execute(
                "INSERT INTO changes (first_id, last_id)
                 SELECT min(id), max(id) FROM documents HAVING count(*) > 0",
                &[],
            )?;
            tx.commit()?;
        }
        self.pseudonymizer = Pseudonymizer::from_key(pseudonym_key);
        Ok(())
    }
}

/// A [`CopyTarget`] over one PostgreSQL transaction: rows go out with `COPY` in chunks.
struct PostgresTarget<'t, 'c> {
    tx: &'t mut Transaction<'c>,
    loader: PostgresLoader,
}

impl CopyTarget for PostgresTarget<'_, '_> {
    fn add_row(&mut self, table: &CopyTable, row: &[Value]) -> Result<(), StoreError> {
        if !copy::EVIDENCE_TABLES.iter().any(|t| t.name == table.name) {
            return Err(StoreError::Corrupt(format!(
                "the table {} is not one this store takes rows of",
                table.name
            )));
        }
        self.loader.add_row(self.tx, table, row)
    }
}

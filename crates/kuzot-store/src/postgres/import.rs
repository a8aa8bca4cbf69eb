//! The import of one source file into PostgreSQL: one transaction, documents loaded in
//! bulk with `COPY` into a staging table and moved over with one `INSERT … SELECT` that
//! skips the ones the store already has.

use std::collections::HashMap;

use ::postgres::binary_copy::BinaryCopyInWriter;
use ::postgres::types::Type;
use ::postgres::{Client, Statement, Transaction};
use kuzot_model::{Analysis, RawDocument, SourcePosition};
use time::OffsetDateTime;

use crate::evidence_store::{Import, ImportSession};
use crate::rows::{AnalysedAt, DocumentKeys, DocumentRow, rfc3339};
use crate::{ImportCounts, NewSource, Pseudonymizer, StoreError};

/// The documents columns an import writes, in the order of the staging table after its
/// `ord` column and of [`STAGING_TYPES`].
const DOCUMENT_COLUMNS: &str = "dedup_key, kind, chat_id, chat_name, chat_kind, author, \
    author_name, author_id, forwarded_from, message_id, reply_to, time, edited, title, url, \
    text, media, record, line, byte_offset";

/// Column types of the staging table: `ord` (the position in the batch), then
/// [`DOCUMENT_COLUMNS`].
const STAGING_TYPES: [Type; 21] = [
    Type::INT4,
    Type::BYTEA,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
    Type::INT8,
    Type::INT8,
];

/// Starts the import of `source`: inserts its row, which another process importing the
/// same file at once either waits on (and then fails with `AlreadyImported`) or is
/// refused by.
pub(super) fn begin<'s>(
    client: &'s mut Client,
    pseudonymizer: &'s Pseudonymizer,
    source: NewSource,
) -> Result<Import<'s>, StoreError> {
    let mut tx = client.transaction()?;
    let inserted = tx.query_one(
        "INSERT INTO sources (sha256, size, original_name, format, imported_at, imported_by,
             keep_authors)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        &[
            &source.sha256,
            &(source.size.min(i64::MAX as u64) as i64),
            &source.original_name,
            &source.format.as_str(),
            &rfc3339(OffsetDateTime::now_utc()),
            &source.imported_by,
            &source.keep_authors,
        ],
    );
    let source_id: i64 = match inserted {
        Ok(row) => row.get(0),
        Err(e) if super::is_unique_violation(&e, "sources_sha256_key") => {
            return Err(StoreError::AlreadyImported {
                sha256: source.sha256,
            });
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Box::new(PostgresImport {
        tx,
        source_id,
        keys: DocumentKeys::new(pseudonymizer, source.keep_authors),
        queue_analysis: source.queue_analysis,
        counts: ImportCounts::default(),
        added_ids: Vec::new(),
        analysed_at: AnalysedAt::new(),
        insert_one: None,
        staging_made: false,
    }))
}

/// The import of one source file into PostgreSQL: one transaction.
pub struct PostgresImport<'s> {
    tx: Transaction<'s>,
    source_id: i64,
    keys: DocumentKeys<'s>,
    /// Queue the added documents that have no analysis at commit.
    queue_analysis: bool,
    counts: ImportCounts,
    /// Ids of the documents added, for the change log at commit.
    added_ids: Vec<i64>,
    analysed_at: AnalysedAt,
    /// The single-document insert, prepared on first use.
    insert_one: Option<Statement>,
    /// Whether the staging table of this transaction exists.
    staging_made: bool,
}

impl std::fmt::Debug for PostgresImport<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Import")
            .field("source_id", &self.source_id)
            .field("counts", &self.counts)
            .finish()
    }
}

impl PostgresImport<'_> {
    fn note_added(&mut self, id: Option<i64>) {
        match id {
            Some(id) => {
                self.counts.added += 1;
                self.added_ids.push(id);
            }
            None => self.counts.already_present += 1,
        }
    }
}

/// The values of one document row after its `dedup_key`, in the order of
/// [`DOCUMENT_COLUMNS`].
fn document_values<'a>(
    doc: &'a RawDocument,
    row: &'a DocumentRow,
    kind: &'a &'a str,
    numbers: &'a [Option<i64>; 5],
) -> [&'a (dyn ::postgres::types::ToSql + Sync); 19] {
    [
        kind,
        &row.chat_id,
        &row.chat_name,
        &doc.chat.kind,
        &row.author,
        &row.author_name,
        &row.author_id,
        &row.forwarded_from,
        &doc.message_id,
        &doc.reply_to,
        &numbers[0],
        &numbers[1],
        &doc.title,
        &doc.url,
        &doc.text,
        &row.media,
        &numbers[2],
        &numbers[3],
        &numbers[4],
    ]
}

/// PostgreSQL's text cannot hold the NUL character, which SQLite stores and a hostile or
/// broken export may carry (`\u0000` in JSON): stored as U+FFFD instead, so the import
/// goes through. The deduplication key and pseudonyms are computed before, from the
/// document as read, and so equal SQLite's.
pub(super) fn without_nul(value: &mut String) {
    if value.contains('\0') {
        *value = value.replace('\0', "\u{FFFD}");
    }
}

fn has_nul(value: &Option<String>) -> bool {
    value.as_deref().is_some_and(|v| v.contains('\0'))
}

/// `doc` and `row` with every NUL replaced (see [`without_nul`]), when they hold one.
fn cleaned(doc: &RawDocument, row: &mut DocumentRow) -> Option<RawDocument> {
    let row_fields = [
        &mut row.chat_id,
        &mut row.chat_name,
        &mut row.author,
        &mut row.author_name,
        &mut row.author_id,
        &mut row.forwarded_from,
    ];
    for field in row_fields.into_iter().flatten() {
        without_nul(field);
    }
    let dirty = doc.text.contains('\0')
        || [
            &doc.chat.kind,
            &doc.message_id,
            &doc.reply_to,
            &doc.title,
            &doc.url,
        ]
        .into_iter()
        .any(has_nul);
    if !dirty {
        return None;
    }
    let mut doc = doc.clone();
    without_nul(&mut doc.text);
    for field in [
        &mut doc.chat.kind,
        &mut doc.message_id,
        &mut doc.reply_to,
        &mut doc.title,
        &mut doc.url,
    ]
    .into_iter()
    .flatten()
    {
        without_nul(field);
    }
    Some(doc)
}

/// time, edited, record, line and byte offset of a document as bigints.
fn document_numbers(doc: &RawDocument) -> [Option<i64>; 5] {
    let position = &doc.position;
    [
        doc.time.map(|t| t.unix_timestamp()),
        doc.edited.map(|t| t.unix_timestamp()),
        Some(position.index.min(i64::MAX as u64) as i64),
        position.line.map(|v| v.min(i64::MAX as u64) as i64),
        position.byte_offset.map(|v| v.min(i64::MAX as u64) as i64),
    ]
}

impl ImportSession for PostgresImport<'_> {
    fn source_id(&self) -> i64 {
        self.source_id
    }

    fn add(&mut self, doc: &RawDocument) -> Result<Option<i64>, StoreError> {
        let mut row = self.keys.row(doc)?;
        let clean = cleaned(doc, &mut row);
        let doc = clean.as_ref().unwrap_or(doc);
        let statement = match &self.insert_one {
            Some(s) => s.clone(),
            None => {
                let placeholders: Vec<String> = (2..=21).map(|i| format!("${i}")).collect();
                let s = self.tx.prepare(&format!(
                    "INSERT INTO documents (source_id, {DOCUMENT_COLUMNS})
                     VALUES ($1, {}) ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
                    placeholders.join(", ")
                ))?;
                self.insert_one = Some(s.clone());
                s
            }
        };
        let numbers = document_numbers(doc);
        let dedup_key: &[u8] = &row.dedup_key;
        let kind = doc.kind.as_str();
        let values = document_values(doc, &row, &kind, &numbers);
        let mut params: Vec<&(dyn ::postgres::types::ToSql + Sync)> =
            vec![&self.source_id, &dedup_key];
        params.extend(values);
        let id: Option<i64> = self.tx.query_opt(&statement, &params)?.map(|r| r.get(0));
        self.note_added(id);
        Ok(id)
    }

    fn add_analysis(&mut self, document_id: i64, analysis: &Analysis) -> Result<(), StoreError> {
        let analysed_at = self.analysed_at.now().to_owned();
        super::analyses::write_analyses(
            &mut self.tx,
            &[(document_id, analysis)],
            &analysed_at,
            false,
        )
    }

    fn reject(&mut self, position: SourcePosition, reason: &str) -> Result<(), StoreError> {
        self.counts.rejected += 1;
        self.tx.execute(
            "INSERT INTO rejected_records (source_id, record, line, byte_offset, reason)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &self.source_id,
                &(position.index.min(i64::MAX as u64) as i64),
                &position.line.map(|v| v.min(i64::MAX as u64) as i64),
                &position.byte_offset.map(|v| v.min(i64::MAX as u64) as i64),
                &reason,
            ],
        )?;
        Ok(())
    }

    fn service_record(&mut self) {
        self.counts.service_records += 1;
    }

    fn counts(&self) -> ImportCounts {
        self.counts
    }

    /// Loads the batch with one binary `COPY` into the staging table, then moves it into
    /// `documents` with one `INSERT … SELECT … ON CONFLICT (dedup_key) DO NOTHING
    /// RETURNING`, in batch order, so ids follow the file; what it returns says which
    /// documents were added. Their analyses follow in bulk.
    fn add_batch(
        &mut self,
        batch: &[(RawDocument, Option<Analysis>)],
    ) -> Result<Vec<Option<i64>>, StoreError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        if !self.staging_made {
            self.tx.batch_execute(
                "CREATE TEMP TABLE document_staging (
                     ord integer, dedup_key bytea, kind text, chat_id text, chat_name text,
                     chat_kind text, author text, author_name text, author_id text,
                     forwarded_from text, message_id text, reply_to text, time bigint,
                     edited bigint, title text, url text, text text, media text,
                     record bigint, line bigint, byte_offset bigint
                 ) ON COMMIT DROP",
            )?;
            self.staging_made = true;
        } else {
            // TRUNCATE, not DELETE: rows this transaction deleted stay in the table until it
            // ends, and every later batch would scan them again.
            self.tx.batch_execute("TRUNCATE document_staging")?;
        }
        let mut keys: Vec<[u8; 32]> = Vec::with_capacity(batch.len());
        {
            let sink = self.tx.copy_in(&format!(
                "COPY document_staging (ord, {DOCUMENT_COLUMNS}) FROM STDIN (FORMAT binary)"
            ))?;
            let mut writer = BinaryCopyInWriter::new(sink, &STAGING_TYPES);
            for (ord, (doc, _)) in batch.iter().enumerate() {
                let mut row = self.keys.row(doc)?;
                let clean = cleaned(doc, &mut row);
                let doc = clean.as_ref().unwrap_or(doc);
                let ord = i32::try_from(ord).map_err(|_| {
                    StoreError::Corrupt(format!(
                        "a batch of {} documents is too large",
                        batch.len()
                    ))
                })?;
                let numbers = document_numbers(doc);
                let dedup_key: &[u8] = &row.dedup_key;
                let kind = doc.kind.as_str();
                let values = document_values(doc, &row, &kind, &numbers);
                let mut fields: Vec<&(dyn ::postgres::types::ToSql + Sync)> =
                    Vec::with_capacity(21);
                fields.push(&ord);
                fields.push(&dedup_key);
                fields.extend(values);
                writer.write(&fields)?;
                keys.push(row.dedup_key);
            }
            writer.finish()?;
        }
        let added = self.tx.query(
            &format!(
                "INSERT INTO documents (source_id, {DOCUMENT_COLUMNS})
                 SELECT $1, {DOCUMENT_COLUMNS} FROM document_staging ORDER BY ord
                 ON CONFLICT (dedup_key) DO NOTHING RETURNING id, dedup_key"
            ),
            &[&self.source_id],
        )?;
        let mut id_of: HashMap<Vec<u8>, i64> = added
            .iter()
            .map(|r| (r.get::<_, Vec<u8>>(1), r.get::<_, i64>(0)))
            .collect();
        let mut ids = Vec::with_capacity(batch.len());
        // A key met twice in one batch: its first document was added, the next one not.
        for key in &keys {
            let id = id_of.remove(&key[..]);
            self.note_added(id);
            ids.push(id);
        }
        let analyses: Vec<(i64, &Analysis)> = ids
            .iter()
            .zip(batch)
            .filter_map(|(id, (_, analysis))| Some(((*id)?, analysis.as_ref()?)))
            .collect();
        if !analyses.is_empty() {
            let analysed_at = self.analysed_at.now().to_owned();
            super::analyses::write_analyses(&mut self.tx, &analyses, &analysed_at, false)?;
        }
        Ok(ids)
    }

    /// Makes the import visible: its counts, the regrouping mark, the queued analyses
    /// and the change log of the documents it added, in the same transaction.
    fn commit(self: Box<Self>) -> Result<ImportCounts, StoreError> {
        let mut this = *self;
        let c = this.counts;
        let as_bigint = |n: u64| n.min(i64::MAX as u64) as i64;
        this.tx.execute(
            "UPDATE sources SET added = $1, already_present = $2, rejected = $3,
                 service_records = $4 WHERE id = $5",
            &[
                &as_bigint(c.added),
                &as_bigint(c.already_present),
                &as_bigint(c.rejected),
                &as_bigint(c.service_records),
                &this.source_id,
            ],
        )?;
        if c.added > 0 {
            if this.queue_analysis {
                this.tx.execute(
                    "INSERT INTO analysis_queue (document_id)
                     SELECT d.id FROM documents d WHERE d.source_id = $1
                       AND NOT EXISTS (SELECT 1 FROM analyses a WHERE a.document_id = d.id)
                     ON CONFLICT DO NOTHING",
                    &[&this.source_id],
                )?;
            }
            // The regrouping generation's row and then the change log's lock are held
            // to the commit, so both come last, in the order every writer takes them.
            super::mark_regroup(&mut this.tx)?;
            // Ids of a concurrent import may interleave with this one's: the log names
            // exactly the ranges this import added.
            super::log_changes(&mut this.tx, &this.added_ids)?;
        }
        this.tx.commit()?;
        Ok(c)
    }

    fn abort(self: Box<Self>) -> Result<(), StoreError> {
        Ok(self.tx.rollback()?)
    }
}

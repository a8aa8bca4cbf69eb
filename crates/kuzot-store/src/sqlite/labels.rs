//! Analysts' labels and the review queue in SQLite: what people decided about
//! documents, kept beside (never over) what the engine said.

use kuzot_model::Category;
use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use crate::rows::{
    AnalysisColumns, LabelColumns, RISK_SQL, UNLABELLED_QUEUE_SELECT, analysis_from_row,
    label_from, rfc3339,
};
use crate::{Label, NewLabel, QueueItem, StoreError, StoredAnalysis};

/// Adds a label (the latest one is the one in force). Fails when the document does
/// not exist.
pub(super) fn add_label(conn: &mut Connection, label: &NewLabel) -> Result<Label, StoreError> {
    let tx = conn.transaction()?;
    let engine: Option<(String, String)> = tx
        .query_row(
            "SELECT engine_version, category FROM analyses WHERE document_id = ?1",
            [label.document_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM documents WHERE id = ?1)",
        [label.document_id],
        |r| r.get(0),
    )?;
    if !exists {
        return Err(StoreError::NotFound(format!(
            "document {}",
            label.document_id
        )));
    }
    let (engine_version, engine_category) =
        engine.unwrap_or_else(|| ("none".into(), "none".into()));
    let facts = match &label.facts {
        Some(f) => Some(serde_json::to_string(f).map_err(StoreError::json)?),
        None => None,
    };
    let now = rfc3339(OffsetDateTime::now_utc());
    tx.execute(
        "INSERT INTO labels (document_id, category, facts, note, labelled_by, labelled_at, engine_version,
             engine_category) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            label.document_id,
            label.category.as_str(),
            facts,
            label.note,
            label.labelled_by,
            now,
            engine_version,
            engine_category
        ],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO changes (first_id, last_id) VALUES (?1, ?1)",
        [label.document_id],
    )?;
    tx.commit()?;
    Ok(Label {
        id,
        document_id: label.document_id,
        category: label.category,
        facts: label.facts.clone(),
        note: label.note.clone(),
        labelled_by: label.labelled_by.clone(),
        labelled_at: now,
        engine_version,
        engine_category,
    })
}

/// Every label of a document, oldest first.
pub(super) fn labels_of(conn: &Connection, document_id: i64) -> Result<Vec<Label>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, document_id, category, facts, note, labelled_by, labelled_at, engine_version, engine_category
         FROM labels WHERE document_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([document_id], label_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row??);
    }
    Ok(out)
}

/// The texts and categories in force of every labelled document: what a model is
/// trained on.
pub(super) fn labelled_texts(conn: &Connection) -> Result<Vec<(String, Category)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT d.text, l.category FROM labels l JOIN documents d ON d.id = l.document_id
         WHERE l.id = (SELECT max(id) FROM labels WHERE document_id = l.document_id)
         ORDER BY l.document_id",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let text: String = r.get(0)?;
        let category: String = r.get(1)?;
        if let Some(c) = Category::parse(&category) {
            out.push((text, c));
        }
    }
    Ok(out)
}

/// Number of documents with a label.
pub(super) fn labelled_count(conn: &Connection) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row("SELECT count(DISTINCT document_id) FROM labels", [], |r| {
        r.get(0)
    })?;
    Ok(n as u64)
}

/// Documents to review: unlabelled ones the engine put in a risk category first (least
/// confident first), then the rest below `low_confidence`, least confident first.
pub(super) fn review_queue(
    conn: &Connection,
    low_confidence: f64,
    offset: u64,
    limit: u64,
) -> Result<Vec<QueueItem>, StoreError> {
    let sql = format!(
        "{UNLABELLED_QUEUE_SELECT}
           AND (a.category IN {RISK_SQL} OR a.confidence < ?1)
         ORDER BY a.category IN {RISK_SQL} DESC, a.confidence, a.document_id
         LIMIT ?2 OFFSET ?3"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(
        params![
            low_confidence,
            limit.min(i64::MAX as u64) as i64,
            offset.min(i64::MAX as u64) as i64
        ],
        queue_item,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A seeded sample of confident, unlabelled, non-risk decisions
/// ([`crate::EvidenceStore::spot_check`]).
pub(super) fn spot_check(
    conn: &Connection,
    min_confidence: f64,
    seed: u32,
    limit: u64,
) -> Result<Vec<QueueItem>, StoreError> {
    // Multiplying by a seed-chosen number modulo a prime permutes the ids; both backends
    // compute it alike in 64-bit integers (both factors stay below 2^31).
    let sql = format!(
        "{UNLABELLED_QUEUE_SELECT}
           AND a.category NOT IN {RISK_SQL} AND a.confidence >= ?1
         ORDER BY ((a.document_id % 2147483647) * ?2) % 2147483647, a.document_id
         LIMIT ?3"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(
        params![
            min_confidence,
            crate::rows::spot_multiplier(seed),
            limit.min(i64::MAX as u64) as i64
        ],
        queue_item,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A row of [`UNLABELLED_QUEUE_SELECT`].
fn queue_item(r: &rusqlite::Row<'_>) -> rusqlite::Result<QueueItem> {
    Ok(QueueItem {
        document_id: r.get(0)?,
        category: r.get(1)?,
        confidence: r.get(2)?,
        chat: r.get(3)?,
        time: r.get(4)?,
        preview: r.get(5)?,
    })
}

/// How many documents wait in the review queue.
pub(super) fn review_queue_len(conn: &Connection, low_confidence: f64) -> Result<u64, StoreError> {
    let sql = format!(
        "SELECT count(*) FROM analyses a
         WHERE NOT EXISTS (SELECT 1 FROM labels l WHERE l.document_id = a.document_id)
           AND (a.category IN {RISK_SQL} OR a.confidence < ?1)"
    );
    let n: i64 = conn.query_row(&sql, [low_confidence], |r| r.get(0))?;
    Ok(n as u64)
}

/// The stored analysis of a document.
pub(super) fn analysis_of(
    conn: &Connection,
    document_id: i64,
) -> Result<Option<StoredAnalysis>, StoreError> {
    conn.query_row(
        "SELECT engine_version, lang, script, category, genre, topic, confidence, result,
                    cluster_id, analysed_at
             FROM analyses WHERE document_id = ?1",
        [document_id],
        |r| {
            Ok((
                AnalysisColumns {
                    engine_version: r.get(0)?,
                    lang: r.get(1)?,
                    script: r.get(2)?,
                    category: r.get(3)?,
                    genre: r.get(4)?,
                    topic: r.get(5)?,
                },
                r.get::<_, f64>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, Option<i64>>(8)?,
                r.get::<_, String>(9)?,
            ))
        },
    )
    .optional()?
    .map(|(columns, confidence, result, cluster, analysed_at)| {
        let analysis = analysis_from_row(columns, &result)?;
        Ok(StoredAnalysis {
            analysis,
            confidence,
            cluster,
            analysed_at,
        })
    })
    .transpose()
}

fn label_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Label, StoreError>> {
    Ok(label_from(LabelColumns {
        id: r.get(0)?,
        document_id: r.get(1)?,
        category: r.get(2)?,
        facts: r.get(3)?,
        note: r.get(4)?,
        labelled_by: r.get(5)?,
        labelled_at: r.get(6)?,
        engine_version: r.get(7)?,
        engine_category: r.get(8)?,
    }))
}

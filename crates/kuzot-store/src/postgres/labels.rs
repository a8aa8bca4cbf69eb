//! Analysts' labels, the review queue and stored analyses in PostgreSQL, read and written
//! as the SQLite store does.

use ::postgres::Client;
use kuzot_model::Category;
use time::OffsetDateTime;

use crate::rows::{
    AnalysisColumns, LabelColumns, RISK_SQL, UNLABELLED_QUEUE_SELECT, analysis_from_row,
    label_from, rfc3339,
};
use crate::{Label, NewLabel, QueueItem, StoreError, StoredAnalysis};

/// Adds a label (the latest one is in force) and logs the change, in one transaction.
/// Fails when the document does not exist.
pub(super) fn add_label(client: &mut Client, label: &NewLabel) -> Result<Label, StoreError> {
    let mut tx = client.transaction()?;
    let exists: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM documents WHERE id = $1)",
            &[&label.document_id],
        )?
        .get(0);
    if !exists {
        return Err(StoreError::NotFound(format!(
            "document {}",
            label.document_id
        )));
    }
    let (engine_version, engine_category) = tx
        .query_opt(
            "SELECT engine_version, category FROM analyses WHERE document_id = $1",
            &[&label.document_id],
        )?
        .map_or_else(
            || ("none".to_owned(), "none".to_owned()),
            |r| (r.get(0), r.get(1)),
        );
    let facts = match &label.facts {
        Some(f) => Some(serde_json::to_string(f).map_err(StoreError::json)?),
        None => None,
    };
    let now = rfc3339(OffsetDateTime::now_utc());
    let mut note = label.note.clone();
    if let Some(n) = note.as_mut() {
        super::import::without_nul(n);
    }
    let mut labelled_by = label.labelled_by.clone();
    super::import::without_nul(&mut labelled_by);
    let id: i64 = tx
        .query_one(
            "INSERT INTO labels (document_id, category, facts, note, labelled_by, labelled_at,
                 engine_version, engine_category)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            &[
                &label.document_id,
                &label.category.as_str(),
                &facts,
                &note,
                &labelled_by,
                &now,
                &engine_version,
                &engine_category,
            ],
        )?
        .get(0);
    super::log_changes(&mut tx, &[label.document_id])?;
    tx.commit()?;
    Ok(Label {
        id,
        document_id: label.document_id,
        category: label.category,
        facts: label.facts.clone(),
        note,
        labelled_by,
        labelled_at: now,
        engine_version,
        engine_category,
    })
}

/// Every label of a document, oldest first.
pub(super) fn labels_of(client: &mut Client, document_id: i64) -> Result<Vec<Label>, StoreError> {
    client
        .query(
            "SELECT id, document_id, category, facts, note, labelled_by, labelled_at,
                    engine_version, engine_category
             FROM labels WHERE document_id = $1 ORDER BY id",
            &[&document_id],
        )?
        .iter()
        .map(|r| {
            label_from(LabelColumns {
                id: r.get(0),
                document_id: r.get(1),
                category: r.get(2),
                facts: r.get(3),
                note: r.get(4),
                labelled_by: r.get(5),
                labelled_at: r.get(6),
                engine_version: r.get(7),
                engine_category: r.get(8),
            })
        })
        .collect()
}

/// The texts and categories in force of every labelled document.
pub(super) fn labelled_texts(client: &mut Client) -> Result<Vec<(String, Category)>, StoreError> {
    Ok(client
        .query(
            "SELECT d.text, l.category FROM labels l JOIN documents d ON d.id = l.document_id
             WHERE l.id = (SELECT max(id) FROM labels WHERE document_id = l.document_id)
             ORDER BY l.document_id",
            &[],
        )?
        .iter()
        .filter_map(|r| Category::parse(r.get(1)).map(|c| (r.get::<_, String>(0), c)))
        .collect())
}

/// Documents to review: unlabelled risk categories first (least confident first), then
/// the rest below `low_confidence`.
pub(super) fn review_queue(
    client: &mut Client,
    low_confidence: f64,
    offset: u64,
    limit: u64,
) -> Result<Vec<QueueItem>, StoreError> {
    let sql = format!(
        "{UNLABELLED_QUEUE_SELECT}
           AND (a.category IN {RISK_SQL} OR a.confidence < $1)
         ORDER BY a.category IN {RISK_SQL} DESC, a.confidence, a.document_id
         LIMIT $2 OFFSET $3"
    );
    Ok(client
        .query(
            &sql,
            &[
                &low_confidence,
                &super::bigint(limit),
                &super::bigint(offset),
            ],
        )?
        .iter()
        .map(queue_item)
        .collect())
}

/// A seeded sample of confident, unlabelled, non-risk decisions
/// ([`crate::EvidenceStore::spot_check`]), in the same order as on SQLite.
pub(super) fn spot_check(
    client: &mut Client,
    min_confidence: f64,
    seed: u32,
    limit: u64,
) -> Result<Vec<QueueItem>, StoreError> {
    let sql = format!(
        "{UNLABELLED_QUEUE_SELECT}
           AND a.category NOT IN {RISK_SQL} AND a.confidence >= $1
         ORDER BY ((a.document_id % 2147483647) * $2) % 2147483647, a.document_id
         LIMIT $3"
    );
    Ok(client
        .query(
            &sql,
            &[
                &min_confidence,
                &crate::rows::spot_multiplier(seed),
                &super::bigint(limit),
            ],
        )?
        .iter()
        .map(queue_item)
        .collect())
}

/// A row of [`UNLABELLED_QUEUE_SELECT`].
fn queue_item(r: &::postgres::Row) -> QueueItem {
    QueueItem {
        document_id: r.get(0),
        category: r.get(1),
        confidence: r.get(2),
        chat: r.get(3),
        time: r.get(4),
        preview: r.get(5),
    }
}

/// How many documents wait in the review queue.
pub(super) fn review_queue_len(
    client: &mut Client,
    low_confidence: f64,
) -> Result<u64, StoreError> {
    let sql = format!(
        "SELECT count(*) FROM analyses a
         WHERE NOT EXISTS (SELECT 1 FROM labels l WHERE l.document_id = a.document_id)
           AND (a.category IN {RISK_SQL} OR a.confidence < $1)"
    );
    let n: i64 = client.query_one(&sql, &[&low_confidence])?.get(0);
    Ok(n as u64)
}

/// The stored analysis of a document.
pub(super) fn analysis_of(
    client: &mut Client,
    document_id: i64,
) -> Result<Option<StoredAnalysis>, StoreError> {
    let Some(r) = client.query_opt(
        "SELECT engine_version, lang, script, category, genre, topic, confidence, result,
                cluster_id, analysed_at
         FROM analyses WHERE document_id = $1",
        &[&document_id],
    )?
    else {
        return Ok(None);
    };
    let analysis = analysis_from_row(
        AnalysisColumns {
            engine_version: r.get(0),
            lang: r.get(1),
            script: r.get(2),
            category: r.get(3),
            genre: r.get(4),
            topic: r.get(5),
        },
        r.get(7),
    )?;
    Ok(Some(StoredAnalysis {
        analysis,
        confidence: r.get(6),
        cluster: r.get(8),
        analysed_at: r.get(9),
    }))
}

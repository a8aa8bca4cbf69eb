//! Analysts' labels and the review queue: what people decided about documents, kept
//! beside (never over) what the engine said.

use kuzot_model::{Analysis, Category, Facts};
use rusqlite::{OptionalExtension, params};
use time::OffsetDateTime;

use crate::sqlite::rfc3339;
use crate::{Store, StoreError};

/// One label, as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Label {
    /// Row id.
    pub id: i64,
    /// The document labelled.
    pub document_id: i64,
    /// The category the analyst gave.
    pub category: Category,
    /// Facts as the analyst corrected them; `None` when the engine's stand.
    pub facts: Option<Facts>,
    /// Free note.
    pub note: Option<String>,
    /// Account name of the analyst.
    pub labelled_by: String,
    /// When (RFC 3339, UTC).
    pub labelled_at: String,
    /// Engine or model version that had labelled the document before.
    pub engine_version: String,
    /// The category the engine had given.
    pub engine_category: String,
}

/// A label to add.
#[derive(Debug, Clone)]
pub struct NewLabel {
    /// The document.
    pub document_id: i64,
    /// The category decided.
    pub category: Category,
    /// Corrected facts, or `None` to confirm the engine's.
    pub facts: Option<Facts>,
    /// Free note.
    pub note: Option<String>,
    /// Who decided.
    pub labelled_by: String,
}

/// A document waiting in the review queue.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QueueItem {
    /// Document id.
    pub document_id: i64,
    /// The engine's category.
    pub category: String,
    /// The engine's confidence (its top score).
    pub confidence: f64,
    /// Chat or channel.
    pub chat: Option<String>,
    /// Time (unix seconds).
    pub time: Option<i64>,
    /// The first characters of the text.
    pub preview: String,
}

/// The engine's view of a document, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAnalysis {
    /// The analysis.
    pub analysis: Analysis,
    /// Top score.
    pub confidence: f64,
    /// Near-duplicate cluster.
    pub cluster: Option<i64>,
    /// When it was computed.
    pub analysed_at: String,
}

/// Categories that count as risk, in SQL form, for ordering the queue.
const RISK_SQL: &str =
    "('military_contract','pmc','disguised_military','frontline_labour','occupied_reconstruction')";

impl Store {
    /// Adds a label (the latest one is the one in force). Fails when the document does
    /// not exist.
    pub fn add_label(&mut self, label: &NewLabel) -> Result<Label, StoreError> {
        let tx = self.conn.transaction()?;
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
    pub fn labels_of(&self, document_id: i64) -> Result<Vec<Label>, StoreError> {
        let mut stmt = self.conn.prepare(
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
    pub fn labelled_texts(&self) -> Result<Vec<(String, Category)>, StoreError> {
        let mut stmt = self.conn.prepare(
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
    pub fn labelled_count(&self) -> Result<u64, StoreError> {
        let n: i64 =
            self.conn
                .query_row("SELECT count(DISTINCT document_id) FROM labels", [], |r| {
                    r.get(0)
                })?;
        Ok(n as u64)
    }

    /// Documents to review: unlabelled ones the engine put in a risk category first (least
    /// confident first), then the rest below `low_confidence`, least confident first.
    pub fn review_queue(
        &self,
        low_confidence: f64,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<QueueItem>, StoreError> {
        let sql = format!(
            "SELECT a.document_id, a.category, a.confidence, coalesce(d.chat_name, d.chat_id), d.time,
                    substr(d.text, 1, 240)
             FROM analyses a JOIN documents d ON d.id = a.document_id
             WHERE NOT EXISTS (SELECT 1 FROM labels l WHERE l.document_id = a.document_id)
               AND (a.category IN {RISK_SQL} OR a.confidence < ?1)
             ORDER BY a.category IN {RISK_SQL} DESC, a.confidence, a.document_id
             LIMIT ?2 OFFSET ?3"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(
            params![
                low_confidence,
                limit.min(i64::MAX as u64) as i64,
                offset.min(i64::MAX as u64) as i64
            ],
            |r| {
                Ok(QueueItem {
                    document_id: r.get(0)?,
                    category: r.get(1)?,
                    confidence: r.get(2)?,
                    chat: r.get(3)?,
                    time: r.get(4)?,
                    preview: r.get(5)?,
                })
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row?);
        }
        Ok(out)
    }

    /// How many documents wait in the review queue.
    pub fn review_queue_len(&self, low_confidence: f64) -> Result<u64, StoreError> {
        let sql = format!(
            "SELECT count(*) FROM analyses a
             WHERE NOT EXISTS (SELECT 1 FROM labels l WHERE l.document_id = a.document_id)
               AND (a.category IN {RISK_SQL} OR a.confidence < ?1)"
        );
        let n: i64 = self.conn.query_row(&sql, [low_confidence], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// The stored analysis of a document.
    pub fn analysis_of(&self, document_id: i64) -> Result<Option<StoredAnalysis>, StoreError> {
        self.conn
            .query_row(
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
}

/// The columns of an `analyses` row besides `result`.
pub(crate) struct AnalysisColumns {
    pub(crate) engine_version: String,
    pub(crate) lang: String,
    pub(crate) script: String,
    pub(crate) category: String,
    /// `None` for rows written before genres existed.
    pub(crate) genre: Option<String>,
    /// `None` for rows written before topics existed.
    pub(crate) topic: Option<String>,
}

/// The `result` column holds what the other columns do not: scores, cues, facts, spans.
/// Rows written before genre and topic became columns also hold those here.
#[derive(serde::Deserialize)]
struct StoredResult {
    #[serde(default)]
    genre: Option<kuzot_model::Genre>,
    #[serde(default)]
    topic: Option<Category>,
    #[serde(default)]
    offer_probability: Option<f32>,
    #[serde(default)]
    scores: Vec<f32>,
    #[serde(default)]
    cues: Vec<kuzot_model::Cue>,
    #[serde(default)]
    facts: Facts,
    #[serde(default)]
    spans: Vec<kuzot_model::FactSpan>,
}

/// Rebuilds an [`Analysis`] from its columns and its `result` JSON (without the
/// signature, which is kept apart).
pub(crate) fn analysis_from_row(
    columns: AnalysisColumns,
    result: &str,
) -> Result<Analysis, StoreError> {
    let category = Category::parse(&columns.category)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown category {:?}", columns.category)))?;
    let r: StoredResult = serde_json::from_str(result).map_err(StoreError::json)?;
    let genre = match columns.genre {
        Some(g) => Some(
            kuzot_model::Genre::parse(&g)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown genre {g:?}")))?,
        ),
        None => r.genre,
    };
    let topic = match columns.topic {
        Some(t) => Some(
            Category::parse(&t)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown topic {t:?}")))?,
        ),
        None => r.topic,
    };
    Ok(Analysis {
        lang: columns.lang,
        script: columns.script,
        category,
        genre,
        topic,
        offer_probability: r.offer_probability,
        scores: r.scores,
        cues: r.cues,
        facts: r.facts,
        spans: r.spans,
        fingerprint: Vec::new(),
        engine_version: columns.engine_version,
    })
}

fn label_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Label, StoreError>> {
    let category: String = r.get(2)?;
    let facts: Option<String> = r.get(3)?;
    let Some(category) = Category::parse(&category) else {
        return Ok(Err(StoreError::Corrupt(format!(
            "label category {category:?}"
        ))));
    };
    let facts = match facts {
        Some(json) => match serde_json::from_str(&json) {
            Ok(f) => Some(f),
            Err(e) => return Ok(Err(StoreError::json(e))),
        },
        None => None,
    };
    Ok(Ok(Label {
        id: r.get(0)?,
        document_id: r.get(1)?,
        category,
        facts,
        note: r.get(4)?,
        labelled_by: r.get(5)?,
        labelled_at: r.get(6)?,
        engine_version: r.get(7)?,
        engine_category: r.get(8)?,
    }))
}

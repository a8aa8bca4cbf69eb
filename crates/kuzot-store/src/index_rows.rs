//! What the search indexer reads from the store: each document with its analysis and
//! the category in force (the latest label, else the engine's).

use kuzot_model::{Category, Facts, Genre};
use rusqlite::params;

use crate::{Store, StoreError};

/// One document as the search index sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    /// Document id.
    pub id: i64,
    /// The text as stored.
    pub text: String,
    /// Chat or channel: its name, else its id.
    pub chat: Option<String>,
    /// SHA-256 of the source file the document was read from.
    pub source: String,
    /// Time of the message (unix seconds, UTC).
    pub time: Option<i64>,
    /// Main language, once analysed.
    pub lang: Option<String>,
    /// The category in force: the latest analyst label, else the engine's; `None` when
    /// the document was neither analysed nor labelled.
    pub category: Option<Category>,
    /// Who speaks, to what end: the engine's genre, or `ad` when an analyst labelled the
    /// document with an offer category; `None` when neither says.
    pub genre: Option<Genre>,
    /// What the document is about: an analyst's offer category, else the engine's topic.
    pub topic: Option<Category>,
    /// The facts in force: the latest label's corrected facts when it has them, else the
    /// engine's, else none.
    pub facts: Facts,
}

/// The columns every index row query selects, in the order [`index_row`] reads them.
/// The latest label (highest id) is found by a correlated subquery on `labels_document`
/// (an index on `document_id, id`), so each document costs one index probe.
const INDEX_ROW_SELECT: &str =
    "SELECT d.id, d.text, coalesce(d.chat_name, d.chat_id), s.sha256, d.time, a.lang,
        a.category, a.result, l.category, l.facts, a.genre, a.topic
     FROM documents d
     JOIN sources s ON s.id = d.source_id
     LEFT JOIN analyses a ON a.document_id = d.id
     LEFT JOIN labels l ON l.id = (SELECT max(id) FROM labels WHERE document_id = d.id)";

/// Only the `facts` member of an analysis `result`: all the index needs, and cheaper than
/// rebuilding the whole analysis.
#[derive(serde::Deserialize)]
struct FactsOnly {
    #[serde(default)]
    facts: Facts,
    #[serde(default)]
    genre: Option<Genre>,
    #[serde(default)]
    topic: Option<Category>,
}

fn index_row(r: &rusqlite::Row<'_>) -> Result<IndexRow, StoreError> {
    let engine_category: Option<String> = r.get(6)?;
    let result: Option<String> = r.get(7)?;
    let label_category: Option<String> = r.get(8)?;
    let label_facts: Option<String> = r.get(9)?;
    let labelled_offer = label_category
        .as_deref()
        .and_then(Category::parse)
        .filter(|c| *c != Category::Other);
    let category = match label_category.or(engine_category) {
        Some(c) => Some(
            Category::parse(&c)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown category {c:?}")))?,
        ),
        None => None,
    };
    let engine: Option<FactsOnly> = match &result {
        Some(json) => Some(serde_json::from_str(json).map_err(StoreError::json)?),
        None => None,
    };
    let genre_column: Option<String> = r.get(10)?;
    let topic_column: Option<String> = r.get(11)?;
    let (engine_genre, engine_topic) = match &engine {
        // The columns (written since the compact layout); else the `result` JSON of older
        // rows; else, for analyses stored before genres existed, an offer category was
        // read as an ad.
        Some(e) => (
            genre_column
                .as_deref()
                .and_then(Genre::parse)
                .or(e.genre)
                .or_else(|| {
                    category.map(|c| {
                        if c == Category::Other {
                            Genre::Chatter
                        } else {
                            Genre::Ad
                        }
                    })
                }),
            topic_column
                .as_deref()
                .and_then(Category::parse)
                .or(e.topic)
                .or(category),
        ),
        None => (None, None),
    };
    let genre = if labelled_offer.is_some() {
        Some(Genre::Ad)
    } else {
        engine_genre
    };
    let topic = labelled_offer.or(engine_topic);
    let facts = match (label_facts, engine) {
        (Some(json), _) => serde_json::from_str(&json).map_err(StoreError::json)?,
        (None, Some(e)) => e.facts,
        (None, None) => Facts::default(),
    };
    Ok(IndexRow {
        id: r.get(0)?,
        text: r.get(1)?,
        chat: r.get(2)?,
        source: r.get(3)?,
        time: r.get(4)?,
        lang: r.get(5)?,
        category,
        genre,
        topic,
        facts,
    })
}

impl Store {
    /// Number of documents with an id above `after_id` (for progress bars).
    pub fn index_row_count(&self, after_id: i64) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM documents WHERE id > ?1",
            [after_id],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    /// Calls `each` with every document whose id is above `after_id`, in id order.
    pub fn for_each_index_row(
        &self,
        after_id: i64,
        mut each: impl FnMut(IndexRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let sql = format!("{INDEX_ROW_SELECT} WHERE d.id > ?1 ORDER BY d.id");
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(params![after_id])?;
        while let Some(r) = rows.next()? {
            each(index_row(r)?)?;
        }
        Ok(())
    }

    /// The documents with these ids, in id order (missing ids left out).
    pub fn index_rows(&self, ids: &[i64]) -> Result<Vec<IndexRow>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        // Bound one id per statement run: a prepared statement reused is as fast as an
        // IN list here and has no parameter limit.
        let sql = format!("{INDEX_ROW_SELECT} WHERE d.id = ?1");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        for id in sorted {
            let mut rows = stmt.query(params![id])?;
            if let Some(r) = rows.next()? {
                out.push(index_row(r)?);
            }
        }
        Ok(out)
    }
}

//! What the search indexer reads from the SQLite store.

use rusqlite::{Connection, params};

use crate::rows::{IndexRowColumns, index_row_from};
use crate::{IndexRow, StoreError};

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

fn index_row(r: &rusqlite::Row<'_>) -> Result<IndexRow, StoreError> {
    index_row_from(IndexRowColumns {
        id: r.get(0)?,
        text: r.get(1)?,
        chat: r.get(2)?,
        source: r.get(3)?,
        time: r.get(4)?,
        lang: r.get(5)?,
        engine_category: r.get(6)?,
        result: r.get(7)?,
        label_category: r.get(8)?,
        label_facts: r.get(9)?,
        genre: r.get(10)?,
        topic: r.get(11)?,
    })
}

/// Number of documents with an id above `after_id` (for progress bars).
pub(super) fn index_row_count(conn: &Connection, after_id: i64) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM documents WHERE id > ?1",
        [after_id],
        |r| r.get(0),
    )?;
    Ok(n.max(0) as u64)
}

/// Calls `each` with every document whose id is above `after_id`, in id order.
pub(super) fn for_each_index_row(
    conn: &Connection,
    after_id: i64,
    each: &mut dyn FnMut(IndexRow) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let sql = format!("{INDEX_ROW_SELECT} WHERE d.id > ?1 ORDER BY d.id");
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params![after_id])?;
    while let Some(r) = rows.next()? {
        each(index_row(r)?)?;
    }
    Ok(())
}

/// The documents with these ids, in id order (missing ids left out).
pub(super) fn index_rows(conn: &Connection, ids: &[i64]) -> Result<Vec<IndexRow>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    // Bound one id per statement run: a prepared statement reused is as fast as an
    // IN list here and has no parameter limit.
    let sql = format!("{INDEX_ROW_SELECT} WHERE d.id = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
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

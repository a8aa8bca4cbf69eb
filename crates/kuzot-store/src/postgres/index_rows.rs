//! What the search index and the near-duplicate grouping read from PostgreSQL, in id
//! order, a page at a time (the connection is free between pages).

use std::cell::RefCell;

use ::postgres::Client;

use crate::rows::{IndexRowColumns, decode_signature, index_row_from};
use crate::{IndexRow, StoreError};

/// Rows fetched per query.
const PAGE: i64 = 5_000;

/// The columns every index row query selects, in the order [`index_row`] reads them; the
/// latest label (highest id) comes from the index `labels_document (document_id, id)`.
const INDEX_ROW_SELECT: &str =
    "SELECT d.id, d.text, coalesce(d.chat_name, d.chat_id), s.sha256, d.time, a.lang,
        a.category, a.result, l.category, l.facts, a.genre, a.topic
     FROM documents d
     JOIN sources s ON s.id = d.source_id
     LEFT JOIN analyses a ON a.document_id = d.id
     LEFT JOIN labels l ON l.id = (SELECT max(id) FROM labels WHERE document_id = d.id)";

fn index_row(r: &::postgres::Row) -> Result<IndexRow, StoreError> {
    index_row_from(IndexRowColumns {
        id: r.get(0),
        text: r.get(1),
        chat: r.get(2),
        source: r.get(3),
        time: r.get(4),
        lang: r.get(5),
        engine_category: r.get(6),
        result: r.get(7),
        label_category: r.get(8),
        label_facts: r.get(9),
        genre: r.get(10),
        topic: r.get(11),
    })
}

/// Calls `each` with every document whose id is above `after_id`, in id order.
pub(super) fn for_each_index_row(
    client: &RefCell<Client>,
    after_id: i64,
    each: &mut dyn FnMut(IndexRow) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let sql = format!("{INDEX_ROW_SELECT} WHERE d.id > $1 ORDER BY d.id LIMIT $2");
    let mut after = after_id;
    loop {
        let rows = client.borrow_mut().query(&sql, &[&after, &PAGE])?;
        for r in &rows {
            let row = index_row(r)?;
            after = row.id;
            each(row)?;
        }
        if (rows.len() as i64) < PAGE {
            return Ok(());
        }
    }
}

/// The documents with these ids, in id order (missing ids left out).
pub(super) fn index_rows(client: &mut Client, ids: &[i64]) -> Result<Vec<IndexRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{INDEX_ROW_SELECT} WHERE d.id = ANY($1::bigint[]) ORDER BY d.id");
    client.query(&sql, &[&ids])?.iter().map(index_row).collect()
}

/// Calls `each` with every stored MinHash signature (low 16 bits of each value), in
/// document id order; signatures of empty texts are not visited.
pub(super) fn for_each_fingerprint(
    client: &RefCell<Client>,
    each: &mut dyn FnMut(i64, &[u32]),
) -> Result<(), StoreError> {
    let mut after = i64::MIN;
    let mut signature = Vec::new();
    loop {
        let rows = client.borrow_mut().query(
            "SELECT document_id, signature FROM signatures WHERE document_id > $1
             ORDER BY document_id LIMIT $2",
            &[&after, &PAGE],
        )?;
        for r in &rows {
            let id: i64 = r.get(0);
            let blob: &[u8] = r.get(1);
            after = id;
            if decode_signature(id, blob, &mut signature)? {
                each(id, &signature);
            }
        }
        if (rows.len() as i64) < PAGE {
            return Ok(());
        }
    }
}

//! Reading documents and totals from PostgreSQL, in the same order and with the same
//! filters as the SQLite store.

use std::cell::{Cell, RefCell};

use ::postgres::Client;
use ::postgres::types::ToSql;
use kuzot_model::SourcePosition;

use crate::rows::unix_to_rfc3339;
use crate::{DocumentFilter, Stats, StoreError, StoredDocument};

/// Documents fetched per query: the connection is free between pages, so a caller's
/// callback may read the store while it iterates (inside the same snapshot).
const PAGE: u64 = 2_000;

/// Totals over the store.
pub(super) fn stats(client: &mut Client) -> Result<Stats, StoreError> {
    let sources = client.query_one(
        "SELECT count(*), coalesce(sum(size), 0)::bigint FROM sources",
        &[],
    )?;
    let documents = client.query_one(
        "SELECT count(*), count(DISTINCT coalesce(chat_id, chat_name)), count(DISTINCT author),
                min(time), max(time)
         FROM documents",
        &[],
    )?;
    let by_format = client
        .query(
            "SELECT s.format, count(*) FROM documents d JOIN sources s ON s.id = d.source_id
             GROUP BY s.format ORDER BY 2 DESC, s.format COLLATE \"C\"",
            &[],
        )?
        .iter()
        .map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1) as u64))
        .collect();
    Ok(Stats {
        sources: sources.get::<_, i64>(0) as u64,
        source_bytes: sources.get::<_, i64>(1).max(0) as u64,
        documents: documents.get::<_, i64>(0) as u64,
        chats: documents.get::<_, i64>(1) as u64,
        authors: documents.get::<_, i64>(2) as u64,
        first_time: documents.get::<_, Option<i64>>(3).map(unix_to_rfc3339),
        last_time: documents.get::<_, Option<i64>>(4).map(unix_to_rfc3339),
        by_format,
    })
}

/// Calls `each` for every document matching `filter`, in time order (undated last, then
/// by id), a page at a time: each page continues after the last row of the one before,
/// so no page rereads the ones before it.
///
/// All pages are read in one `REPEATABLE READ READ ONLY` transaction: without it, an import
/// that commits while the pages are read shows up in the later pages only, so an export
/// could hold part of a source (the import itself is one transaction). A callback that
/// reads the store again (for example for the documents of one message's cluster) reads
/// inside the same snapshot; one that writes gets PostgreSQL's read-only error.
pub(super) fn for_each_document(
    client: &RefCell<Client>,
    in_snapshot: &Cell<bool>,
    filter: &DocumentFilter,
    each: &mut dyn FnMut(StoredDocument) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    if in_snapshot.get() {
        return read_pages(client, filter, each);
    }
    client
        .borrow_mut()
        .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
    in_snapshot.set(true);
    let read = read_pages(client, filter, each);
    in_snapshot.set(false);
    // Read only: COMMIT and ROLLBACK end it alike; ROLLBACK after a failure, whose
    // transaction PostgreSQL has already aborted.
    let end = if read.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let ended = client.borrow_mut().batch_execute(end);
    read?;
    ended?;
    Ok(())
}

/// The pages of [`for_each_document`], inside its snapshot.
fn read_pages(
    client: &RefCell<Client>,
    filter: &DocumentFilter,
    each: &mut dyn FnMut(StoredDocument) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut conditions = String::new();
    let mut values: Vec<Box<dyn ToSql + Sync>> = Vec::new();
    if let Some(chat) = &filter.chat {
        values.push(Box::new(chat.clone()));
        let n = values.len();
        conditions.push_str(&format!(" AND (d.chat_name = ${n} OR d.chat_id = ${n})"));
    }
    if let Some(since) = filter.since {
        values.push(Box::new(since.unix_timestamp()));
        conditions.push_str(&format!(" AND d.time >= ${}", values.len()));
    }
    if let Some(until) = filter.until {
        values.push(Box::new(until.unix_timestamp()));
        conditions.push_str(&format!(" AND d.time < ${}", values.len()));
    }
    if let Some(source) = &filter.source {
        // A prefix of an untrusted value: compared with left(), not LIKE, whose wildcards
        // the value could hold.
        values.push(Box::new(source.to_ascii_lowercase()));
        let n = values.len();
        conditions.push_str(&format!(
            " AND left(s.sha256, length(${n}::text)) = ${n}::text"
        ));
    }
    if let Some(needle) = &filter.contains {
        // Case-sensitive substring, as SQLite's instr().
        values.push(Box::new(needle.clone()));
        conditions.push_str(&format!(" AND strpos(d.text, ${}::text) > 0", values.len()));
    }
    if let Some(category) = &filter.category {
        values.push(Box::new(category.clone()));
        conditions.push_str(&format!(" AND a.category = ${}", values.len()));
    }
    if let Some(phone) = &filter.phone {
        values.push(Box::new(phone.clone()));
        conditions.push_str(&format!(
            " AND d.id IN (SELECT document_id FROM document_phones WHERE phone = ${})",
            values.len()
        ));
    }
    if let Some(cluster) = filter.cluster {
        values.push(Box::new(cluster));
        conditions.push_str(&format!(" AND a.cluster_id = ${}", values.len()));
    }
    if !filter.ids.is_empty() {
        values.push(Box::new(filter.ids.clone()));
        conditions.push_str(&format!(" AND d.id = ANY(${}::bigint[])", values.len()));
    }
    let mut remaining = filter.limit;
    // Dated documents first (in time, then id order), then the undated ones (in id
    // order): each phase reads the index `documents_time (time, id)` from where its last
    // page ended.
    let mut dated = true;
    let mut after: Option<(Option<i64>, i64)> = None;
    loop {
        let page = remaining.map_or(PAGE, |r| r.min(PAGE));
        if page == 0 {
            return Ok(());
        }
        let mut sql = String::from(
            "SELECT d.id, s.sha256, s.original_name, s.format, d.kind,
                    coalesce(d.chat_name, d.chat_id), d.author, d.author_name, d.time,
                    d.message_id, d.reply_to, d.forwarded_from, d.title, d.url, d.text,
                    d.record, d.line, d.byte_offset, a.category, a.lang, a.cluster_id
             FROM documents d JOIN sources s ON s.id = d.source_id
             LEFT JOIN analyses a ON a.document_id = d.id WHERE true",
        );
        sql.push_str(&conditions);
        let mut params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
        let page_limit = page as i64;
        let (after_time, after_id) = match after {
            Some((time, id)) => (time.unwrap_or(0), id),
            None => (0, 0),
        };
        if dated {
            sql.push_str(" AND d.time IS NOT NULL");
            if after.is_some() {
                let n = params.len();
                sql.push_str(&format!(" AND (d.time, d.id) > (${}, ${})", n + 1, n + 2));
                params.push(&after_time);
                params.push(&after_id);
            }
            sql.push_str(" ORDER BY d.time, d.id");
        } else {
            sql.push_str(" AND d.time IS NULL");
            if after.is_some() {
                sql.push_str(&format!(" AND d.id > ${}", params.len() + 1));
                params.push(&after_id);
            }
            sql.push_str(" ORDER BY d.id");
        }
        sql.push_str(&format!(" LIMIT ${}", params.len() + 1));
        params.push(&page_limit);
        let rows = client.borrow_mut().query(&sql, &params)?;
        let fetched = rows.len() as u64;
        for r in &rows {
            let time: Option<i64> = r.get(8);
            let id: i64 = r.get(0);
            after = Some((time, id));
            each(StoredDocument {
                id,
                source: r.get(1),
                source_name: r.get(2),
                format: r.get(3),
                kind: r.get(4),
                chat: r.get(5),
                author: r.get(6),
                author_name: r.get(7),
                time: time.map(unix_to_rfc3339),
                message_id: r.get(9),
                reply_to: r.get(10),
                forwarded_from: r.get(11),
                title: r.get(12),
                url: r.get(13),
                text: r.get(14),
                position: SourcePosition {
                    index: r.get::<_, i64>(15) as u64,
                    line: r.get::<_, Option<i64>>(16).map(|v| v as u64),
                    byte_offset: r.get::<_, Option<i64>>(17).map(|v| v as u64),
                },
                category: r.get(18),
                lang: r.get(19),
                cluster: r.get(20),
            })?;
        }
        if let Some(r) = remaining.as_mut() {
            *r -= fetched;
        }
        if fetched < page {
            if !dated {
                return Ok(());
            }
            dated = false;
            after = None;
        }
    }
}

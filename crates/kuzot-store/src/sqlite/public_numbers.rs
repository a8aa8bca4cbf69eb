//! The public numbers page on SQLite: the chosen sources and the counts of
//! [`crate::public_numbers`].

use rusqlite::{Connection, ToSql, params};
use time::OffsetDateTime;

use crate::public_numbers::{PayBands, PublicCounts, occupied_pair, queries, sorted};
use crate::rows::rfc3339;
use crate::{Backend, StoreError};

pub(super) fn public_sources(conn: &Connection) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare("SELECT source_id FROM public_sources ORDER BY source_id")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn set_public_sources(
    conn: &mut Connection,
    source_ids: &[i64],
    chosen_by: &str,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    tx.execute("DELETE FROM public_sources", [])?;
    let now = rfc3339(OffsetDateTime::now_utc());
    {
        // An id of no source is left out rather than failing the whole choice.
        let mut insert = tx.prepare(
            "INSERT OR IGNORE INTO public_sources (source_id, chosen_by, chosen_at)
             SELECT id, ?2, ?3 FROM sources WHERE id = ?1",
        )?;
        for id in source_ids {
            insert.execute(params![id, chosen_by, now])?;
        }
    }
    tx.commit()?;
    Ok(())
}

fn counts<K: rusqlite::types::FromSql>(
    conn: &Connection,
    sql: &str,
    params: &[&dyn ToSql],
) -> Result<Vec<(K, u64)>, StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(params, |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn public_counts(conn: &Connection, pay: &PayBands) -> Result<PublicCounts, StoreError> {
    // One read transaction: every count of the page is of the same state of the store.
    let tx = conn.unchecked_transaction()?;
    let counts = public_counts_in(&tx, pay)?;
    tx.commit()?;
    Ok(counts)
}

fn public_counts_in(conn: &Connection, pay: &PayBands) -> Result<PublicCounts, StoreError> {
    let q = queries(Backend::Sqlite, pay.rub_per_unit.len());
    let (documents, ads, latest_time) = conn.query_row(&q.totals, [], |r| {
        Ok((
            r.get::<_, i64>(0)? as u64,
            r.get::<_, i64>(1)? as u64,
            r.get::<_, Option<i64>>(2)?,
        ))
    })?;
    let none: &[&dyn ToSql] = &[];
    let last_band = i64::from(pay.bands.max(1) - 1);
    let mut pay_params: Vec<&dyn ToSql> = Vec::new();
    for (code, rate) in &pay.rub_per_unit {
        pay_params.push(code);
        pay_params.push(rate);
    }
    pay_params.push(&pay.width_rub);
    pay_params.push(&last_band);
    let pay_bands = if pay.rub_per_unit.is_empty() {
        Vec::new()
    } else {
        counts::<i64>(conn, &q.pay, &pay_params)?
            .into_iter()
            .map(|(band, n)| (band.max(0) as u32, n))
            .collect()
    };
    Ok(PublicCounts {
        documents,
        ads,
        latest_time,
        genres: sorted(counts(conn, &q.genres, none)?),
        categories: sorted(counts(conn, &q.categories, none)?),
        months: sorted(counts(conn, &q.months, none)?),
        languages: sorted(counts(conn, &q.languages, none)?),
        occupied: occupied_pair(&counts(conn, &q.occupied, none)?),
        promises: sorted(counts(conn, &q.promises, none)?),
        pay_bands,
    })
}

//! The public numbers page on PostgreSQL: the chosen sources and the counts of
//! [`crate::public_numbers`].

use ::postgres::Client;
use ::postgres::types::{FromSqlOwned, ToSql};
use time::OffsetDateTime;

use crate::public_numbers::{PayBands, PublicCounts, occupied_pair, queries, sorted};
use crate::rows::rfc3339;
use crate::{Backend, StoreError};

pub(super) fn public_sources(client: &mut Client) -> Result<Vec<i64>, StoreError> {
    Ok(client
        .query(
            "SELECT source_id FROM public_sources ORDER BY source_id",
            &[],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

pub(super) fn set_public_sources(
    client: &mut Client,
    source_ids: &[i64],
    chosen_by: &str,
) -> Result<(), StoreError> {
    let mut chosen_by = chosen_by.to_owned();
    super::import::without_nul(&mut chosen_by);
    let now = rfc3339(OffsetDateTime::now_utc());
    let mut tx = client.transaction()?;
    tx.execute("DELETE FROM public_sources", &[])?;
    // An id of no source is left out rather than failing the whole choice.
    tx.execute(
        "INSERT INTO public_sources (source_id, chosen_by, chosen_at)
         SELECT id, $2, $3 FROM sources WHERE id = ANY($1)
         ON CONFLICT (source_id) DO NOTHING",
        &[&source_ids, &chosen_by, &now],
    )?;
    tx.commit()?;
    Ok(())
}

fn counts<K: FromSqlOwned>(
    tx: &mut ::postgres::Transaction<'_>,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<(K, u64)>, StoreError> {
    Ok(tx
        .query(sql, params)?
        .iter()
        .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
        .collect())
}

pub(super) fn public_counts(
    client: &mut Client,
    pay: &PayBands,
) -> Result<PublicCounts, StoreError> {
    let q = queries(Backend::Postgres, pay.rub_per_unit.len());
    // One snapshot: every count of the page is of the same state of the store.
    let mut tx = client
        .build_transaction()
        .isolation_level(::postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let row = tx.query_one(&q.totals, &[])?;
    let (documents, ads, latest_time) = (
        row.get::<_, i64>(0) as u64,
        row.get::<_, i64>(1) as u64,
        row.get::<_, Option<i64>>(2),
    );
    let last_band = i64::from(pay.bands.max(1) - 1);
    let mut pay_params: Vec<&(dyn ToSql + Sync)> = Vec::new();
    for (code, rate) in &pay.rub_per_unit {
        pay_params.push(code);
        pay_params.push(rate);
    }
    pay_params.push(&pay.width_rub);
    pay_params.push(&last_band);
    let pay_bands = if pay.rub_per_unit.is_empty() {
        Vec::new()
    } else {
        counts::<i64>(&mut tx, &q.pay, &pay_params)?
            .into_iter()
            .map(|(band, n)| (band.max(0) as u32, n))
            .collect()
    };
    let counts_out = PublicCounts {
        documents,
        ads,
        latest_time,
        genres: sorted(counts(&mut tx, &q.genres, &[])?),
        categories: sorted(counts(&mut tx, &q.categories, &[])?),
        months: sorted(counts(&mut tx, &q.months, &[])?),
        languages: sorted(counts(&mut tx, &q.languages, &[])?),
        occupied: occupied_pair(
            &counts::<i32>(&mut tx, &q.occupied, &[])?
                .into_iter()
                .map(|(f, n)| (i64::from(f), n))
                .collect::<Vec<_>>(),
        ),
        promises: sorted(counts(&mut tx, &q.promises, &[])?),
        pay_bands,
    };
    tx.commit()?;
    Ok(counts_out)
}

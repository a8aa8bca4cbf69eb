//! Writing analyses to PostgreSQL in bulk: `COPY` into a temporary staging table, then
//! a few set-based statements for `analyses`, `signatures` and `document_phones`.

use std::collections::HashMap;

use ::postgres::Transaction;
use ::postgres::binary_copy::BinaryCopyInWriter;
use ::postgres::types::Type;
use kuzot_model::Analysis;

use crate::StoreError;
use crate::rows::AnalysisRow;

/// Writes (replacing) the analyses of existing documents, their signatures and phone
/// numbers, inside `tx`. A document listed twice keeps its last analysis.
pub(super) fn write_analyses(
    tx: &mut Transaction<'_>,
    analyses: &[(i64, &Analysis)],
    analysed_at: &str,
    replacing: bool,
) -> Result<(), StoreError> {
    if analyses.is_empty() {
        return Ok(());
    }
    // The last analysis of each document, in the order given.
    let mut last: HashMap<i64, usize> = HashMap::with_capacity(analyses.len());
    for (k, (id, _)) in analyses.iter().enumerate() {
        last.insert(*id, k);
    }
    tx.batch_execute(
        "CREATE TEMP TABLE IF NOT EXISTS analysis_staging (
             document_id bigint, engine_version text, lang text, script text, category text,
             genre text, topic text, confidence double precision, occupied boolean,
             result text, signature bytea, phones text[]
         ) ON COMMIT DROP;
         TRUNCATE analysis_staging;",
    )?;
    let sink = tx.copy_in(
        "COPY analysis_staging (document_id, engine_version, lang, script, category, genre,
             topic, confidence, occupied, result, signature, phones) FROM STDIN (FORMAT binary)",
    )?;
    let mut writer = BinaryCopyInWriter::new(
        sink,
        &[
            Type::INT8,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::FLOAT8,
            Type::BOOL,
            Type::TEXT,
            Type::BYTEA,
            Type::TEXT_ARRAY,
        ],
    );
    for (k, (id, analysis)) in analyses.iter().enumerate() {
        if last.get(id) != Some(&k) {
            continue;
        }
        let row = AnalysisRow::of(analysis)?;
        writer.write(&[
            id,
            &analysis.engine_version,
            &analysis.lang,
            &analysis.script,
            &analysis.category.as_str(),
            &analysis.genre.map(|g| g.as_str()),
            &analysis.topic.map(|t| t.as_str()),
            &row.confidence,
            &analysis.facts.occupied(),
            &row.result,
            &row.signature,
            &analysis.facts.phones,
        ])?;
    }
    writer.finish()?;
    if replacing {
        tx.batch_execute(
            "DELETE FROM signatures WHERE document_id IN (SELECT document_id FROM analysis_staging);
             DELETE FROM document_phones WHERE document_id IN (SELECT document_id FROM analysis_staging);",
        )?;
    }
    tx.execute(
        "INSERT INTO analyses (document_id, engine_version, lang, script, category, genre, topic,
             confidence, occupied, result, analysed_at)
         SELECT document_id, engine_version, lang, script, category, genre, topic, confidence,
             occupied, result, $1 FROM analysis_staging
         ON CONFLICT (document_id) DO UPDATE SET engine_version = excluded.engine_version,
             lang = excluded.lang, script = excluded.script, category = excluded.category,
             genre = excluded.genre, topic = excluded.topic, confidence = excluded.confidence,
             occupied = excluded.occupied, result = excluded.result,
             analysed_at = excluded.analysed_at",
        &[&analysed_at],
    )?;
    tx.batch_execute(
        "INSERT INTO signatures (document_id, signature)
             SELECT document_id, signature FROM analysis_staging WHERE signature IS NOT NULL
         ON CONFLICT (document_id) DO UPDATE SET signature = excluded.signature;
         INSERT INTO document_phones (phone, document_id)
             SELECT DISTINCT p.phone, s.document_id FROM analysis_staging s,
                 unnest(s.phones) AS p(phone)
         ON CONFLICT DO NOTHING;",
    )?;
    Ok(())
}

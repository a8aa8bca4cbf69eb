//! The cost of the case registry's encryption on a search by name (issue 10): the
//! generator's fictional persons are stored sealed in a SQLite registry, and names are
//! searched for one at a time as `kuzot cases match` does (blind-index tokens → candidates
//! → open → score).
//!
//! A plaintext registry does not exist to compare with (kuzot never stores names in the
//! clear), so each query is timed whole, and then the work that only sealing adds is timed
//! again on the same query: keying the name forms (HMAC-SHA256) and opening the sealed
//! fields of exactly the candidates the query opened (XChaCha20-Poly1305). The search
//! without sealing costs the whole less that part; the overhead is their ratio. The
//! matcher's in-memory index over the same persons is timed too, for scale.

use std::time::Instant;

use kuzot_cases::name_match::{MatcherConfig, PersonIndex, PersonRecord, blocking_forms, prepare};
use kuzot_cases::protect::{FieldRef, KeyEncryptionKey};
use kuzot_cases::registry::{NameSpelling, Person, Place};
use kuzot_service::cases::{CaseRegistry, MATCHING_FIELDS};
use kuzot_store::StoreLocation;
use kuzot_store::cases::open_cases;

/// The value at fraction `p` of sorted timings.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let k = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(k).copied().unwrap_or(0.0)
}

fn person_of(record: &PersonRecord) -> Person {
    Person {
        names: record
            .names
            .iter()
            .map(|n| NameSpelling {
                name: n.clone(),
                source: None,
            })
            .collect(),
        birth: record.birth,
        birthplace: Place {
            district: record.district.clone(),
            ..Place::default()
        },
        ..Person::default()
    }
}

/// Stores `persons` generated persons sealed, then searches `queries` variant names;
/// prints timings and the share the sealing takes.
pub fn bench_cases(
    persons: usize,
    distinct: usize,
    queries: usize,
    seed: u64,
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let key_path = dir.path().join("cases.key");
    let data = dir.path().join("data");
    let kek = KeyEncryptionKey::create_file(&key_path, &[&data])?;
    let registry = CaseRegistry::open(open_cases(&StoreLocation::Sqlite(data))?, &kek)?;

    let (records, _) = crate::persons::generate_persons(persons, distinct, seed);
    let (query_records, _) =
        crate::persons::generate_queries(queries, distinct, seed, persons as u64);

    let started = Instant::now();
    for chunk in records.chunks(5_000) {
        let batch: Vec<Person> = chunk.iter().map(person_of).collect();
        registry.add_persons(&batch)?;
    }
    let store_s = started.elapsed().as_secs_f64();

    let vault = registry.vault();
    let mut whole_ms = Vec::with_capacity(queries);
    let mut sealing_ms = Vec::with_capacity(queries);
    let mut candidates = 0usize;
    let mut found = 0usize;
    for query in &query_records {
        let name = query.names.first().cloned().unwrap_or_default();
        let started = Instant::now();
        let result = registry.find_by_name(&name, 20)?;
        whole_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        found += usize::from(!result.is_empty());

        // What sealing added to this query, timed again: the keyed tokens less the name
        // forms a plaintext index would compute anyway, and the opening of the candidates.
        let names = std::slice::from_ref(&name);
        let started = Instant::now();
        let tokens = vault.name_tokens(names);
        let keyed = started.elapsed();
        let started = Instant::now();
        let forms = blocking_forms(&prepare(PersonRecord {
            names: names.to_vec(),
            ..PersonRecord::default()
        }));
        let plain_forms = started.elapsed();
        std::hint::black_box((&tokens, &forms));

        let ids = registry.candidate_ids(&name)?;
        candidates += ids.len();
        let rows = registry.store().persons(&ids)?;
        let started = Instant::now();
        for row in &rows {
            // The fields a search opens (MATCHING_FIELDS), in its order.
            for (field, sealed) in
                MATCHING_FIELDS
                    .into_iter()
                    .zip([&row.names, &row.birth, &row.birthplace])
            {
                let at = FieldRef {
                    table: "case_persons",
                    uid: &row.uid,
                    field,
                };
                std::hint::black_box(vault.open(&row.key_id, at, sealed)?);
            }
        }
        let opening = started.elapsed();
        let sealing = keyed.saturating_sub(plain_forms) + opening;
        sealing_ms.push(sealing.as_secs_f64() * 1000.0);
    }
    let whole_total: f64 = whole_ms.iter().sum();
    let sealing_total: f64 = sealing_ms.iter().sum();
    let overhead = sealing_total / (whole_total - sealing_total).max(f64::EPSILON);
    whole_ms.sort_by(f64::total_cmp);

    // The matcher alone, in memory, over the same persons and queries.
    let index = PersonIndex::build(records, MatcherConfig::default());
    let mut memory_ms = Vec::with_capacity(queries);
    for query in query_records {
        let started = Instant::now();
        std::hint::black_box(index.find_matches(query));
        memory_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    memory_ms.sort_by(f64::total_cmp);

    println!(
        "{}",
        serde_json::json!({
            "bench": "cases", "persons": persons, "distinct": distinct, "queries": queries,
            "seed": seed,
            "debug_build": cfg!(debug_assertions),
            "store_seconds": store_s,
            "find_ms_p50": percentile(&whole_ms, 0.5),
            "find_ms_p99": percentile(&whole_ms, 0.99),
            "find_ms_mean": whole_total / queries.max(1) as f64,
            "sealing_ms_mean": sealing_total / queries.max(1) as f64,
            "encryption_overhead": overhead,
            "candidates_per_query": candidates as f64 / queries.max(1) as f64,
            "queries_with_a_candidate": found,
            "in_memory_index_ms_p50": percentile(&memory_ms, 0.5),
            "in_memory_index_ms_p99": percentile(&memory_ms, 0.99),
            "peak_memory_bytes": crate::peak_memory_bytes(),
        })
    );
    Ok(())
}

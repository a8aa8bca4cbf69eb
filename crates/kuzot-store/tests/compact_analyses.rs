//! Analyses as the store keeps them since migration 4: genre and topic as columns, cues
//! that explain the decision, 16-bit signatures in their own table; and a store written
//! before that migration upgrades without losing what it held.

use kuzot_model::{
    Analysis, Category, Cue, Facts, Genre, RawDocument, SourceFormat, SourcePosition, Span,
};
use kuzot_store::{NewSource, Store, StoredBlob};

fn cue(category: Category, name: &str, weight: f32) -> Cue {
    Cue {
        category,
        cue: name.into(),
        weight,
        span: Some(Span { start: 0, end: 3 }),
    }
}

/// An analysis with many cues: 12 for the decided category, 10 for the runner-up, 3 for a
/// category far behind.
fn analysis_with_many_cues() -> Analysis {
    let mut cues = Vec::new();
    for k in 0..12 {
        cues.push(cue(
            Category::MilitaryContract,
            &format!("mil{k}"),
            k as f32,
        ));
    }
    for k in 0..10 {
        cues.push(cue(
            Category::Pmc,
            &format!("pmc{k}"),
            0.5 + k as f32 / 10.0,
        ));
    }
    for k in 0..3 {
        cues.push(cue(Category::JobOther, &format!("job{k}"), 5.0));
    }
    Analysis {
        lang: "ru".into(),
        script: "Cyrl".into(),
        category: Category::MilitaryContract,
        genre: Some(Genre::Ad),
        topic: Some(Category::MilitaryContract),
        offer_probability: Some(0.987_654),
        // Category::ALL order: the decided category first, pmc the runner-up.
        scores: vec![0.912_345, 0.3, 0.0, 0.0, 0.0, 0.1, 0.05],
        cues,
        facts: Facts {
            phones: vec!["+79015552140".into()],
            ..Facts::default()
        },
        spans: Vec::new(),
        fingerprint: (0..128u32).map(|k| k.wrapping_mul(2_654_435_761)).collect(),
        engine_version: "test-1".into(),
    }
}

fn store_one(store: &mut Store, dir: &std::path::Path, analysis: &Analysis) -> i64 {
    let file = dir.join("export.txt");
    std::fs::write(&file, "Контракт, выплата 195 000 руб").expect("write");
    let blob: StoredBlob = store.keep_source_file(&file).expect("kept");
    let mut import = store
        .begin_import(NewSource::new(
            &blob,
            "export.txt",
            SourceFormat::PlainText,
            "test",
        ))
        .expect("import");
    let doc = RawDocument::new("Контракт, выплата 195 000 руб", SourcePosition::default());
    let id = import.add(&doc).expect("added").expect("new");
    import.add_analysis(id, analysis).expect("analysis");
    import.commit().expect("commit");
    id
}

#[test]
fn a_stored_analysis_keeps_the_cues_that_explain_it_and_its_genre_and_topic() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = Store::open(&dir.path().join("data")).expect("store");
    let analysis = analysis_with_many_cues();
    let id = store_one(&mut store, dir.path(), &analysis);
    let stored = store
        .analysis_of(id)
        .expect("read")
        .expect("analysed")
        .analysis;

    assert_eq!(stored.category, analysis.category);
    assert_eq!(stored.genre, Some(Genre::Ad));
    assert_eq!(stored.topic, Some(Category::MilitaryContract));
    assert_eq!(stored.facts, analysis.facts);
    assert_eq!(stored.engine_version, analysis.engine_version);
    // Scores to three decimals, as prediction lines print them.
    assert_eq!(stored.scores[0], 0.912);
    assert_eq!(stored.scores.len(), 7);
    // The 4 heaviest cues of the decided category and of the runner-up, in the
    // engine's order; none of the category far behind.
    let names: Vec<&str> = stored.cues.iter().map(|c| c.cue.as_str()).collect();
    let mut expected: Vec<String> = (8..12).map(|k| format!("mil{k}")).collect();
    expected.extend((6..10).map(|k| format!("pmc{k}")));
    assert_eq!(names, expected);
    assert_eq!(stored.cues[0], analysis.cues[8]);
    // Weights to three decimals.
    assert_eq!(stored.cues[4].weight, 1.1);
}

#[test]
fn signatures_keep_their_low_16_bits_and_empty_texts_none() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = Store::open(&dir.path().join("data")).expect("store");
    let analysis = analysis_with_many_cues();
    let id = store_one(&mut store, dir.path(), &analysis);
    let mut seen = Vec::new();
    store
        .for_each_fingerprint(&mut |doc, signature| seen.push((doc, signature.to_vec())))
        .expect("signatures");
    let low: Vec<u32> = analysis.fingerprint.iter().map(|&v| v & 0xFFFF).collect();
    assert_eq!(seen, vec![(id, low)]);

    // Re-analysed as an empty text: the signature goes.
    let mut empty = analysis.clone();
    empty.fingerprint = vec![u32::MAX; 128];
    store.save_analyses(&[(id, empty)]).expect("saved");
    let mut count = 0;
    store
        .for_each_fingerprint(&mut |_, _| count += 1)
        .expect("signatures");
    assert_eq!(count, 0);
}

#[test]
fn a_store_written_before_migration_4_upgrades_with_its_analyses_and_signatures() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("dir");
    let signature: Vec<u32> = (0..128u32)
        .map(|k| k.wrapping_mul(40_503) ^ 0xABCD_0000)
        .collect();
    {
        let conn = rusqlite::Connection::open(data.join("kuzot.db")).expect("db");
        for sql in [
            include_str!("../src/sqlite/migrations/0001_evidence.sql"),
            include_str!("../src/sqlite/migrations/0002_analyses.sql"),
            include_str!("../src/sqlite/migrations/0003_labels.sql"),
        ] {
            conn.execute_batch(sql).expect("old schema");
        }
        conn.pragma_update(None, "user_version", 3)
            .expect("version");
        conn.execute_batch(
            "INSERT INTO sources (id, sha256, size, original_name, format, imported_at, imported_by, keep_authors)
                 VALUES (1, 'ab', 1, 'x.txt', 'plain_text', '2026-01-01T00:00:00Z', 'test', 0);
             INSERT INTO documents (id, source_id, dedup_key, kind, text, record)
                 VALUES (7, 1, x'01', 'message', 'Контракт', 0), (8, 1, x'02', 'message', '', 1);",
        )
        .expect("rows");
        let blob: Vec<u8> = signature.iter().flat_map(|v| v.to_le_bytes()).collect();
        let empty: Vec<u8> = [u32::MAX; 128]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let result = r#"{"genre":"report","topic":"pmc","scores":[0.1,0.9,0,0,0,0,0.2],
            "cues":[{"category":"pmc","cue":"wagner","weight":1.5,"span":null}],
            "facts":{"money":[],"places":[],"phones":[],"orgs":[],"promises":[]},"spans":[]}"#;
        for (id, fingerprint) in [(7, blob), (8, empty)] {
            conn.execute(
                "INSERT INTO analyses (document_id, engine_version, lang, script, category, confidence,
                     occupied, result, fingerprint, analysed_at)
                 VALUES (?1, 'old-1', 'ru', 'Cyrl', 'other', 0.1, 0, ?2, ?3, '2026-01-01T00:00:00Z')",
                rusqlite::params![id, result, fingerprint],
            )
            .expect("analysis");
        }
    }
    let store = Store::open(&data).expect("upgraded");
    let stored = store
        .analysis_of(7)
        .expect("read")
        .expect("analysed")
        .analysis;
    assert_eq!(stored.genre, Some(Genre::Report));
    assert_eq!(stored.topic, Some(Category::Pmc));
    assert_eq!(stored.category, Category::Other);
    assert_eq!(stored.cues.len(), 1);
    assert_eq!(stored.scores[1], 0.9);
    let mut seen = Vec::new();
    store
        .for_each_fingerprint(&mut |doc, s| seen.push((doc, s.to_vec())))
        .expect("signatures");
    let low: Vec<u32> = signature.iter().map(|&v| v & 0xFFFF).collect();
    // The empty text's signature moved too, but is not anyone's near-duplicate.
    assert_eq!(seen, vec![(7, low)]);
}

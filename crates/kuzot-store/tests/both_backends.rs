//! One suite of store behaviours, run against the embedded SQLite store and against
//! PostgreSQL (a database of its own per test; skipped with a message where no server
//! answers, a failure under CI=true).

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use kuzot_model::{
    Analysis, AuthorRef, Category, ChatRef, Facts, Genre, RawDocument, SourceFormat, SourcePosition,
};
use kuzot_store::postgres_test_database::TestDatabase;
use kuzot_store::{Backend, DocumentFilter, NewLabel, NewSource, Store, StoreError, StoreLocation};
use time::OffsetDateTime;

/// One store location to run a behaviour on, with a work folder for its input files.
struct Fixture {
    location: StoreLocation,
    work: tempfile::TempDir,
    /// Kept alive for the test: the SQLite data directory, or the PostgreSQL database.
    _sqlite: Option<tempfile::TempDir>,
    _postgres: Option<TestDatabase>,
}

impl Fixture {
    fn open(&self) -> Store {
        Store::connect(&self.location).expect("store opens")
    }

    fn backend(&self) -> Backend {
        self.location.backend()
    }

    /// Writes `content` to a file in the work folder.
    fn file(&self, name: &str, content: &[u8]) -> PathBuf {
        let path = self.work.path().join(name);
        std::fs::write(&path, content).expect("write input file");
        path
    }
}

/// A SQLite fixture, and a PostgreSQL one when a server answers.
fn fixtures(purpose: &str) -> Vec<Fixture> {
    let sqlite = tempfile::tempdir().expect("temp dir");
    let mut out = vec![Fixture {
        location: StoreLocation::Sqlite(sqlite.path().join("data")),
        work: tempfile::tempdir().expect("temp dir"),
        _sqlite: Some(sqlite),
        _postgres: None,
    }];
    if let Some(db) = TestDatabase::create(purpose) {
        out.push(Fixture {
            location: StoreLocation::Postgres(db.url().to_owned()),
            work: tempfile::tempdir().expect("temp dir"),
            _sqlite: None,
            _postgres: Some(db),
        });
    }
    out
}

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).expect("valid time")
}

/// A message of a public channel with an id, a time and an author.
fn message(chat: &str, id: u64, text: &str, time: Option<i64>) -> RawDocument {
    RawDocument {
        text: text.into(),
        time: time.map(at),
        chat: ChatRef {
            id: Some(format!("channel-{chat}")),
            name: Some(chat.into()),
            kind: Some("public_channel".into()),
        },
        author: AuthorRef {
            id: Some(format!("user{}", id % 3)),
            name: Some(format!("Person {}", id % 3)),
        },
        message_id: Some(id.to_string()),
        position: SourcePosition {
            index: id,
            line: Some(id + 1),
            byte_offset: Some(id * 100),
        },
        ..RawDocument::default()
    }
}

fn analysis(category: Category, confidence: f32, phones: &[&str], seed: u32) -> Analysis {
    let mut scores = vec![0.01; Category::ALL.len()];
    scores[category.index()] = confidence;
    Analysis {
        lang: "ru".into(),
        script: "Cyrl".into(),
        category,
        genre: Some(if category == Category::Other {
            Genre::Chatter
        } else {
            Genre::Ad
        }),
        topic: Some(category),
        offer_probability: Some(0.75),
        scores,
        cues: Vec::new(),
        facts: Facts {
            phones: phones.iter().map(|p| (*p).to_owned()).collect(),
            ..Facts::default()
        },
        spans: Vec::new(),
        fingerprint: (0..32u32)
            .map(|k| (k + seed).wrapping_mul(2_654_435_761))
            .collect(),
        engine_version: "test-1".into(),
    }
}

/// Imports `docs` from a file of `content` with `add_batch`; returns the ids.
fn import(
    store: &mut Store,
    path: &Path,
    docs: Vec<(RawDocument, Option<Analysis>)>,
    queue_analysis: bool,
) -> Result<(Vec<Option<i64>>, kuzot_store::ImportCounts), StoreError> {
    let blob = store.keep_source_file(path)?;
    let mut source = NewSource::new(&blob, "export.json", SourceFormat::TelegramJson, "tester");
    source.queue_analysis = queue_analysis;
    let mut import = store.begin_import(source)?;
    let ids = import.add_batch(&docs)?;
    let counts = import.commit()?;
    Ok((ids, counts))
}

fn ids_of(store: &Store, filter: &DocumentFilter) -> Vec<i64> {
    let mut out = Vec::new();
    store
        .for_each_document(filter, &mut |d| {
            out.push(d.id);
            Ok(())
        })
        .expect("documents read");
    out
}

#[test]
fn imports_deduplicate_and_count_on_both_backends() {
    for fx in fixtures("import_dedup") {
        let mut store = fx.open();
        let first = fx.file("a.json", b"first export");
        let docs: Vec<_> = (0..5)
            .map(|i| {
                (
                    message(
                        "news",
                        i,
                        &format!("text {i}"),
                        Some(1_700_000_000 + i as i64),
                    ),
                    None,
                )
            })
            .collect();
        let (ids, counts) = import(&mut store, &first, docs, false).expect("first import");
        assert_eq!(counts.added, 5, "{:?}", fx.backend());
        let ids: Vec<i64> = ids.into_iter().map(|i| i.expect("added")).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids follow the file");

        // A second export overlapping the first: messages 3..8, with 6 twice in one batch.
        let second = fx.file("b.json", b"second export");
        let mut docs: Vec<_> = (3..8)
            .map(|i| {
                (
                    message(
                        "news",
                        i,
                        &format!("text {i}"),
                        Some(1_700_000_000 + i as i64),
                    ),
                    None,
                )
            })
            .collect();
        docs.push((message("news", 6, "text 6", Some(1_700_000_006)), None));
        let (ids, counts) = import(&mut store, &second, docs, false).expect("second import");
        assert_eq!(
            (counts.added, counts.already_present),
            (3, 3),
            "{:?}",
            fx.backend()
        );
        let added: Vec<bool> = ids.iter().map(Option::is_some).collect();
        assert_eq!(added, [false, false, true, true, true, false]);

        // Single adds beside batches, rejects and service records, counted at commit.
        let third = fx.file("c.json", b"third export");
        let blob = store.keep_source_file(&third).expect("kept");
        let mut session = store
            .begin_import(NewSource::new(
                &blob,
                "c.json",
                SourceFormat::TelegramJson,
                "t",
            ))
            .expect("begin");
        assert!(
            session
                .add(&message("news", 1, "text 1", None))
                .expect("add")
                .is_none()
        );
        let new_id = session
            .add(&message("news", 100, "text 100", None))
            .expect("add")
            .expect("new document");
        session
            .reject(SourcePosition::record(7), "broken record")
            .expect("reject");
        session.service_record();
        let counts = session.commit().expect("commit");
        assert_eq!(
            (
                counts.added,
                counts.already_present,
                counts.rejected,
                counts.service_records
            ),
            (1, 1, 1, 1)
        );
        let source = store
            .source_by_sha256(&blob.sha256)
            .expect("read")
            .expect("recorded");
        assert_eq!((source.added, source.rejected), (1, 1));
        let rejected = store.rejected_records(source.id).expect("rejected");
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].reason, "broken record");
        assert_eq!(
            store.document(new_id).expect("read").expect("stored").text,
            "text 100"
        );

        // Importing the first file again is refused as already imported.
        let again = import(&mut store, &first, Vec::new(), false);
        assert!(
            matches!(again, Err(StoreError::AlreadyImported { .. })),
            "{:?}: {again:?}",
            fx.backend()
        );
        let stats = store.stats().expect("stats");
        assert_eq!((stats.sources, stats.documents), (3, 9));
        assert_eq!(store.sources().expect("sources").len(), 3);
        assert!(store.regroup_pending().expect("mark"));
    }
}

#[test]
fn an_aborted_or_dropped_import_leaves_nothing() {
    for fx in fixtures("abort") {
        let mut store = fx.open();
        let path = fx.file("a.json", b"export");
        let blob = store.keep_source_file(&path).expect("kept");
        let mut session = store
            .begin_import(NewSource::new(
                &blob,
                "a.json",
                SourceFormat::TelegramJson,
                "t",
            ))
            .expect("begin");
        session
            .add_batch(&[(
                message("c", 1, "one", None),
                Some(analysis(Category::Pmc, 0.9, &["+79990001122"], 1)),
            )])
            .expect("batch");
        session.abort().expect("abort");
        let mut session = store
            .begin_import(NewSource::new(
                &blob,
                "a.json",
                SourceFormat::TelegramJson,
                "t",
            ))
            .expect("begin again");
        session
            .add_batch(&[(message("c", 2, "two", None), None)])
            .expect("batch");
        drop(session);
        let stats = store.stats().expect("stats");
        assert_eq!(
            (stats.sources, stats.documents),
            (0, 0),
            "{:?}",
            fx.backend()
        );
        assert_eq!(store.last_change().expect("log"), 0);
        assert!(store.shared_phones(1, 10).expect("phones").is_empty());
        assert!(!store.regroup_pending().expect("mark"));
        // The same file imports cleanly afterwards.
        let (_, counts) = import(
            &mut store,
            &path,
            vec![(message("c", 1, "one", None), None)],
            false,
        )
        .expect("import after abort");
        assert_eq!(counts.added, 1);
    }
}

#[test]
fn source_files_are_kept_once_read_back_and_discarded() {
    use sha2::Digest;
    for fx in fixtures("source_files") {
        let store = fx.open();
        // Larger than one PostgreSQL chunk, not a multiple of it.
        let content: Vec<u8> = (0..2_600_000u32).map(|i| (i % 251) as u8).collect();
        let path = fx.file("big.bin", &content);
        let blob = store.keep_source_file(&path).expect("kept");
        assert!(blob.newly_kept);
        assert_eq!(blob.size, content.len() as u64);
        assert_eq!(blob.sha256, hex::encode(sha2::Sha256::digest(&content)));
        let again = store.keep_source_file(&path).expect("kept again");
        assert!(!again.newly_kept, "{:?}", fx.backend());
        assert_eq!(again.sha256, blob.sha256);
        let mut read = Vec::new();
        store
            .open_source_file(&blob.sha256)
            .expect("open")
            .read_to_end(&mut read)
            .expect("read");
        assert!(read == content, "{:?}: bytes differ", fx.backend());

        store.discard_source_file(&blob).expect("discard");
        assert!(
            store.open_source_file(&blob.sha256).is_err(),
            "{:?}",
            fx.backend()
        );

        // A file a committed source names survives discarding and sweeping; an orphan
        // does not survive a sweep.
        let mut store = store;
        let named = fx.file("named.json", b"named file");
        import(&mut store, &named, Vec::new(), false).expect("import");
        let named_blob = store.keep_source_file(&named).expect("kept");
        store
            .discard_source_file(&kuzot_store::StoredBlob {
                newly_kept: true,
                ..named_blob.clone()
            })
            .expect("discard");
        let orphan = fx.file("orphan.bin", b"never imported");
        let orphan_blob = store.keep_source_file(&orphan).expect("kept");
        std::thread::sleep(Duration::from_millis(20));
        let report = store.sweep_orphans(Duration::ZERO).expect("sweep");
        assert!(report.files >= 1, "{:?}: {report:?}", fx.backend());
        assert!(store.open_source_file(&orphan_blob.sha256).is_err());
        let mut read = Vec::new();
        store
            .open_source_file(&named_blob.sha256)
            .expect("named file kept")
            .read_to_end(&mut read)
            .expect("read");
        assert_eq!(read, b"named file");
    }
}

#[test]
fn two_imports_of_one_file_at_once_store_it_once() {
    for fx in fixtures("concurrent_import") {
        let mut first = fx.open();
        let mut second = fx.open();
        let path = fx.file("a.json", b"shared export");
        let blob = first.keep_source_file(&path).expect("kept");
        let docs: Vec<_> = (0..20)
            .map(|i| (message("c", i, &format!("m{i}"), None), None))
            .collect();
        let mut session = first
            .begin_import(NewSource::new(
                &blob,
                "a.json",
                SourceFormat::TelegramJson,
                "one",
            ))
            .expect("begin");
        session.add_batch(&docs).expect("batch");
        let outcome = std::thread::scope(|scope| {
            let other = scope.spawn(|| {
                // Waits on the first import's uncommitted source row, then is refused.
                let session = second.begin_import(NewSource::new(
                    &blob,
                    "a.json",
                    SourceFormat::TelegramJson,
                    "two",
                ));
                session
                    .map(|mut s| {
                        let _ = s.add_batch(&docs);
                        s.commit()
                    })
                    .and_then(|r| r)
            });
            session.commit().expect("first commits");
            other.join().expect("thread")
        });
        assert!(
            matches!(outcome, Err(StoreError::AlreadyImported { .. })),
            "{:?}: {outcome:?}",
            fx.backend()
        );
        let stats = first.stats().expect("stats");
        assert_eq!((stats.sources, stats.documents), (1, 20));
    }
}

/// Imports four analysed documents and returns their ids: a confident military offer,
/// an unsure pmc offer, an unsure job and a confident chat message.
fn four_analysed(fx: &Fixture, store: &mut Store) -> Vec<i64> {
    let path = fx.file("analysed.json", b"analysed export");
    let docs = vec![
        (
            message("ads", 1, "Контракт с МО, выплата", Some(1_700_000_100)),
            Some(analysis(
                Category::MilitaryContract,
                0.95,
                &["+79990001122"],
                1,
            )),
        ),
        (
            message("ads", 2, "ЧВК набор", Some(1_700_000_050)),
            Some(analysis(
                Category::Pmc,
                0.40,
                &["+79990001122", "+79990003344"],
                2,
            )),
        ),
        (
            message("jobs", 3, "Работа на складе", None),
            Some(analysis(Category::JobOther, 0.30, &[], 3)),
        ),
        (
            message("chat", 4, "Привет всем", Some(1_700_000_000)),
            Some(analysis(Category::Other, 0.90, &[], 4)),
        ),
    ];
    let (ids, _) = import(store, &path, docs, false).expect("import");
    ids.into_iter().map(|i| i.expect("added")).collect()
}

#[test]
fn labels_and_the_review_queue_behave_alike() {
    let mut results = Vec::new();
    for fx in fixtures("labels") {
        let mut store = fx.open();
        let ids = four_analysed(&fx, &mut store);
        let queue: Vec<i64> = store
            .review_queue(0.5, 0, 10)
            .expect("queue")
            .iter()
            .map(|q| q.document_id)
            .collect();
        // Risk categories first, least confident first; then the rest below 0.5.
        assert_eq!(queue, [ids[1], ids[0], ids[2]], "{:?}", fx.backend());
        assert_eq!(store.review_queue_len(0.5).expect("len"), 3);
        assert_eq!(
            store.review_queue(0.5, 1, 1).expect("page")[0].document_id,
            ids[0]
        );

        let label = store
            .add_label(&NewLabel {
                document_id: ids[1],
                category: Category::MilitaryContract,
                facts: None,
                note: Some("checked".into()),
                labelled_by: "analyst".into(),
            })
            .expect("label");
        assert_eq!(label.engine_category, "pmc");
        store
            .add_label(&NewLabel {
                document_id: ids[1],
                category: Category::Pmc,
                facts: None,
                note: None,
                labelled_by: "analyst".into(),
            })
            .expect("correction");
        let missing = store.add_label(&NewLabel {
            document_id: 999_999,
            category: Category::Pmc,
            facts: None,
            note: None,
            labelled_by: "analyst".into(),
        });
        assert!(
            matches!(missing, Err(StoreError::NotFound(_))),
            "{missing:?}"
        );
        let labels = store.labels_of(ids[1]).expect("labels");
        assert_eq!(
            labels.iter().map(|l| l.category).collect::<Vec<_>>(),
            [Category::MilitaryContract, Category::Pmc]
        );
        assert_eq!(store.labelled_count().expect("count"), 1);
        assert_eq!(
            store.labelled_texts().expect("texts"),
            [("ЧВК набор".to_owned(), Category::Pmc)]
        );
        assert_eq!(store.review_queue_len(0.5).expect("len"), 2);
        let queue: Vec<(i64, String, Option<String>)> = store
            .review_queue(0.5, 0, 10)
            .expect("queue")
            .into_iter()
            .map(|q| (q.document_id, q.category, q.chat))
            .collect();
        results.push(queue);
    }
    assert!(results.windows(2).all(|w| w[0] == w[1]), "{results:?}");
}

#[test]
fn a_spot_check_samples_confident_unlabelled_decisions_alike() {
    let mut results = Vec::new();
    for fx in fixtures("spot") {
        let mut store = fx.open();
        let ids = four_analysed(&fx, &mut store);
        // Risk categories are left out (the queue has them all); so is what is unsure.
        let sample: Vec<i64> = store
            .spot_check(0.5, 7, 10)
            .expect("sample")
            .iter()
            .map(|q| q.document_id)
            .collect();
        assert_eq!(sample, [ids[3]], "{:?}", fx.backend());
        // The order depends on the seed: over a few seeds both orders of two appear.
        let orders: std::collections::BTreeSet<Vec<i64>> = (0..16)
            .map(|seed| {
                store
                    .spot_check(0.2, seed, 10)
                    .expect("sample")
                    .iter()
                    .map(|q| q.document_id)
                    .collect()
            })
            .collect();
        assert_eq!(orders.len(), 2, "{orders:?}");
        let per_seed: Vec<Vec<i64>> = (0..16)
            .map(|seed| {
                store
                    .spot_check(0.2, seed, 10)
                    .expect("sample")
                    .iter()
                    .map(|q| q.document_id)
                    .collect()
            })
            .collect();
        store
            .add_label(&NewLabel {
                document_id: ids[3],
                category: Category::Other,
                facts: None,
                note: None,
                labelled_by: "analyst".into(),
            })
            .expect("label");
        assert!(store.spot_check(0.5, 7, 10).expect("sample").is_empty());
        results.push(per_seed);
    }
    assert!(results.windows(2).all(|w| w[0] == w[1]), "{results:?}");
}

#[test]
fn analyses_fingerprints_and_index_rows_round_trip_alike() {
    let mut results = Vec::new();
    for fx in fixtures("analyses") {
        let mut store = fx.open();
        let ids = four_analysed(&fx, &mut store);
        let original = analysis(Category::Pmc, 0.40, &["+79990001122", "+79990003344"], 2);
        let stored = store.analysis_of(ids[1]).expect("read").expect("stored");
        assert_eq!(stored.analysis.category, Category::Pmc);
        assert_eq!(stored.analysis.genre, Some(Genre::Ad));
        assert_eq!(stored.analysis.facts.phones, original.facts.phones);
        assert!((stored.confidence - 0.40).abs() < 1e-6);
        assert!(store.analysis_of(999_999).expect("read").is_none());

        // Replacing an analysis replaces its phones and signature too.
        store
            .save_analyses(&[(
                ids[1],
                analysis(Category::JobOther, 0.6, &["+70000000000"], 9),
            )])
            .expect("save");
        let replaced = store.analysis_of(ids[1]).expect("read").expect("stored");
        assert_eq!(replaced.analysis.category, Category::JobOther);
        assert_eq!(
            store.shared_phones(1, 10).expect("phones"),
            [
                ("+70000000000".to_owned(), 1),
                ("+79990001122".to_owned(), 1)
            ]
        );
        assert_eq!(store.analysis_status("test-1").expect("status"), (4, 0));

        let mut fingerprints = Vec::new();
        store
            .for_each_fingerprint(&mut |id, values| fingerprints.push((id, values.to_vec())))
            .expect("fingerprints");
        assert_eq!(fingerprints.len(), 4);
        let expected: Vec<u32> = analysis(Category::Pmc, 0.1, &[], 9)
            .fingerprint
            .iter()
            .map(|v| v & 0xffff)
            .collect();
        assert_eq!(fingerprints[1], (ids[1], expected));

        let claim = store
            .claim_regroup(Duration::from_secs(60), false)
            .expect("claim")
            .expect("a regrouping is pending");
        assert!(
            store
                .set_clusters(&[(ids[0], ids[0]), (ids[1], ids[0])], &claim)
                .expect("clusters")
        );
        assert!(!store.regroup_pending().expect("mark"));
        assert_eq!(
            ids_of(
                &store,
                &DocumentFilter {
                    cluster: Some(ids[0]),
                    ..DocumentFilter::default()
                }
            ),
            [ids[1], ids[0]]
        );

        store
            .add_label(&NewLabel {
                document_id: ids[3],
                category: Category::FrontlineLabour,
                facts: None,
                note: None,
                labelled_by: "analyst".into(),
            })
            .expect("label");
        assert_eq!(store.index_row_count(ids[0]).expect("count"), 3);
        let mut rows = Vec::new();
        store
            .for_each_index_row(0, &mut |row| {
                rows.push(row);
                Ok(())
            })
            .expect("rows");
        assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), ids);
        assert_eq!(rows[3].category, Some(Category::FrontlineLabour));
        assert_eq!(rows[3].genre, Some(Genre::Ad));
        let picked = store.index_rows(&[ids[3], ids[0], 999_999]).expect("rows");
        assert_eq!(
            picked.iter().map(|r| r.id).collect::<Vec<_>>(),
            [ids[0], ids[3]]
        );
        assert_eq!(picked[1], rows[3]);
        let mut counts = store.category_counts().expect("counts");
        counts.sort();
        results.push((
            stored.analysis,
            replaced.analysis,
            rows.into_iter()
                .map(|mut r| {
                    r.id = 0;
                    r
                })
                .collect::<Vec<_>>(),
            counts,
        ));
    }
    assert!(results.windows(2).all(|w| w[0] == w[1]), "{results:#?}");
}

#[test]
fn stats_and_document_filters_read_alike() {
    let mut results = Vec::new();
    for fx in fixtures("filters") {
        let mut store = fx.open();
        let ids = four_analysed(&fx, &mut store);
        let stats = store.stats().expect("stats");
        assert_eq!((stats.documents, stats.chats, stats.sources), (4, 3, 1));
        assert_eq!(stats.by_format, [("telegram_json".to_owned(), 4)]);
        // Time order, undated last.
        let all = ids_of(&store, &DocumentFilter::default());
        assert_eq!(all, [ids[3], ids[1], ids[0], ids[2]], "{:?}", fx.backend());
        let filter = |f: DocumentFilter| ids_of(&store, &f);
        assert_eq!(
            filter(DocumentFilter {
                chat: Some("ads".into()),
                ..Default::default()
            }),
            [ids[1], ids[0]]
        );
        assert_eq!(
            filter(DocumentFilter {
                since: Some(at(1_700_000_050)),
                until: Some(at(1_700_000_100)),
                ..Default::default()
            }),
            [ids[1]]
        );
        let sha = store.sources().expect("sources")[0].sha256.clone();
        assert_eq!(
            filter(DocumentFilter {
                source: Some(sha[..6].to_ascii_uppercase()),
                ..Default::default()
            })
            .len(),
            4
        );
        assert!(
            filter(DocumentFilter {
                source: Some("%".into()),
                ..Default::default()
            })
            .is_empty()
        );
        assert!(
            filter(DocumentFilter {
                source: Some("_".into()),
                ..Default::default()
            })
            .is_empty()
        );
        assert_eq!(
            filter(DocumentFilter {
                contains: Some("набор".into()),
                ..Default::default()
            }),
            [ids[1]]
        );
        assert!(
            filter(DocumentFilter {
                contains: Some("НАБОР".into()),
                ..Default::default()
            })
            .is_empty()
        );
        assert!(
            filter(DocumentFilter {
                contains: Some("%".into()),
                ..Default::default()
            })
            .is_empty()
        );
        assert_eq!(
            filter(DocumentFilter {
                category: Some("pmc".into()),
                ..Default::default()
            }),
            [ids[1]]
        );
        assert_eq!(
            filter(DocumentFilter {
                phone: Some("+79990001122".into()),
                ..Default::default()
            }),
            [ids[1], ids[0]]
        );
        assert_eq!(
            filter(DocumentFilter {
                limit: Some(3),
                ..Default::default()
            }),
            [ids[3], ids[1], ids[0]]
        );
        assert_eq!(
            filter(DocumentFilter {
                ids: vec![ids[2], ids[0]],
                ..Default::default()
            }),
            [ids[0], ids[2]]
        );
        assert_eq!(
            store
                .documents(&[ids[2], ids[0]])
                .expect("docs")
                .iter()
                .map(|d| d.id)
                .collect::<Vec<_>>(),
            [ids[2], ids[0]]
        );
        assert_eq!(
            store.texts_after(ids[1], 1).expect("texts"),
            [(ids[2], "Работа на складе".to_owned())]
        );
        let mut docs = Vec::new();
        store
            .for_each_document(&DocumentFilter::default(), &mut |mut d| {
                d.id = 0;
                docs.push(d);
                Ok(())
            })
            .expect("documents");
        assert!(
            docs[0]
                .author
                .as_deref()
                .is_some_and(|a| !a.contains("Person")),
            "authors are pseudonymised"
        );
        results.push((stats, docs));
    }
    // The pseudonym keys differ between the two stores; everything else reads the same.
    for (_, docs) in &mut results {
        for d in docs.iter_mut() {
            d.author = d.author.as_ref().map(|_| "pseudonym".into());
            d.source = String::new();
        }
    }
    assert!(results.windows(2).all(|w| w[0] == w[1]), "{results:#?}");
}

#[test]
fn many_documents_are_read_page_after_page() {
    for fx in fixtures("pages") {
        let mut store = fx.open();
        let path = fx.file("many.json", b"many");
        // Dated in reverse of their order, and some undated: 5,000 spans pages of 2,000.
        let docs: Vec<_> = (0..5_000u64)
            .map(|i| {
                let time = (i % 7 != 0).then_some(1_700_000_000 - i as i64 / 3);
                (message("big", i, &format!("m{i}"), time), None)
            })
            .collect();
        import(&mut store, &path, docs, false).expect("import");
        let mut seen = Vec::new();
        store
            .for_each_document(&DocumentFilter::default(), &mut |d| {
                seen.push((d.time.is_none(), d.time.clone(), d.id));
                Ok(())
            })
            .expect("documents");
        assert_eq!(seen.len(), 5_000);
        let mut sorted = seen.clone();
        sorted.sort();
        assert!(seen == sorted, "{:?}: documents out of order", fx.backend());
        let mut rows = 0;
        store
            .for_each_index_row(0, &mut |_| {
                rows += 1;
                Ok(())
            })
            .expect("rows");
        assert_eq!(rows, 5_000);
    }
}

#[test]
fn the_change_log_lists_every_change_in_order() {
    for fx in fixtures("changes") {
        let mut store = fx.open();
        let ids = four_analysed(&fx, &mut store);
        store
            .add_label(&NewLabel {
                document_id: ids[2],
                category: Category::Other,
                facts: None,
                note: None,
                labelled_by: "a".into(),
            })
            .expect("label");
        store
            .save_analyses(&[
                (ids[0], analysis(Category::Pmc, 0.5, &[], 1)),
                (ids[3], analysis(Category::Pmc, 0.5, &[], 1)),
            ])
            .expect("save");
        let changes = store.changes_after(0, 100).expect("changes");
        let spans: Vec<(i64, i64)> = changes.iter().map(|c| (c.first_id, c.last_id)).collect();
        assert_eq!(
            spans,
            [
                (ids[0], ids[3]),
                (ids[2], ids[2]),
                (ids[0], ids[0]),
                (ids[3], ids[3])
            ],
            "{:?}",
            fx.backend()
        );
        assert!(changes.windows(2).all(|w| w[0].seq < w[1].seq));
        assert_eq!(store.last_change().expect("last"), changes[3].seq);
        assert_eq!(
            store.changes_after(changes[1].seq, 1).expect("after")[0],
            changes[2]
        );
    }
}

#[test]
fn workers_take_queued_documents_once_each() {
    for fx in fixtures("queue") {
        let mut store = fx.open();
        let path = fx.file("queued.json", b"queued");
        let docs: Vec<_> = (0..30)
            .map(|i| (message("q", i, &format!("m{i}"), None), None))
            .collect();
        let (ids, _) = import(&mut store, &path, docs, true).expect("import");
        assert_eq!(
            store.analysis_queue_len().expect("len"),
            30,
            "{:?}",
            fx.backend()
        );

        // A batch whose transaction ends without a commit goes back to the queue.
        let failed = store.analyse_queued(5, &mut |batch| {
            batch
                .iter()
                .skip(1)
                .map(|_| analysis(Category::Other, 0.9, &[], 0))
                .collect()
        });
        assert!(failed.is_err());
        assert_eq!(store.analysis_queue_len().expect("len"), 30);

        // On PostgreSQL a second worker takes other documents while the first holds its
        // batch (SQLite serialises the two instead, tested by the threads below).
        if fx.backend() == Backend::Postgres {
            let mut other = fx.open();
            let mut inner: Vec<i64> = Vec::new();
            let mut outer: Vec<i64> = Vec::new();
            store
                .analyse_queued(4, &mut |batch| {
                    outer.extend(batch.iter().map(|(id, _)| *id));
                    other
                        .analyse_queued(4, &mut |b| {
                            inner.extend(b.iter().map(|(id, _)| *id));
                            b.iter()
                                .map(|_| analysis(Category::Other, 0.9, &[], 0))
                                .collect()
                        })
                        .expect("second worker");
                    batch
                        .iter()
                        .map(|_| analysis(Category::Other, 0.9, &[], 0))
                        .collect()
                })
                .expect("first worker");
            assert_eq!((outer.len(), inner.len()), (4, 4));
            assert!(
                outer.iter().all(|id| !inner.contains(id)),
                "{outer:?} {inner:?}"
            );
        }

        let taken = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..2)
                .map(|_| {
                    scope.spawn(|| {
                        let mut worker = fx.open();
                        let mut mine = Vec::new();
                        loop {
                            let n = worker
                                .analyse_queued(3, &mut |batch| {
                                    mine.extend(batch.iter().map(|(id, _)| *id));
                                    batch
                                        .iter()
                                        .map(|_| analysis(Category::Other, 0.9, &[], 0))
                                        .collect()
                                })
                                .expect("worker");
                            if n == 0 {
                                return mine;
                            }
                        }
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().expect("thread"))
                .collect::<Vec<i64>>()
        });
        let unique: BTreeSet<i64> = taken.iter().copied().collect();
        assert_eq!(unique.len(), taken.len(), "a document was analysed twice");
        assert_eq!(store.analysis_queue_len().expect("len"), 0);
        assert_eq!(store.analysis_status("test-1").expect("status"), (30, 0));
        for id in ids.iter().flatten() {
            assert!(store.analysis_of(*id).expect("read").is_some());
        }
        assert!(store.regroup_pending().expect("mark"));
        assert_eq!(store.queue_stale_analyses("test-2").expect("queued"), 30);
        assert_eq!(store.queue_stale_analyses("test-2").expect("queued"), 0);
    }
}

#[test]
fn a_newer_schema_is_refused_naming_both_versions() {
    for fx in fixtures("schema_too_new") {
        drop(fx.open());
        match &fx.location {
            StoreLocation::Sqlite(dir) => {
                let conn = rusqlite::Connection::open(dir.join("kuzot.db")).expect("open");
                conn.pragma_update(None, "user_version", 99)
                    .expect("set version");
            }
            StoreLocation::Postgres(url) => {
                let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connect");
                client
                    .execute("UPDATE kuzot_schema_versions SET version = 99 WHERE component = 'evidence'", &[])
                    .expect("set version");
            }
        }
        let refused = Store::connect(&fx.location);
        match refused {
            Err(e @ StoreError::SchemaTooNew { found: 99, .. }) => {
                let message = e.to_string();
                assert!(message.contains("99"), "{message}");
                assert!(message.contains(&fx.location.display()), "{message}");
            }
            other => panic!("{:?}: expected SchemaTooNew, got {other:?}", fx.backend()),
        }
    }
}

#[test]
fn an_unreachable_server_is_named_without_its_password() {
    // Port 1 on the loopback: nothing listens there.
    let location = StoreLocation::parse("postgres://kuzot:hunter2secret@127.0.0.1:1/evidence");
    match Store::connect(&location) {
        Err(e @ StoreError::Unreachable { .. }) => {
            let message = e.to_string();
            assert!(!message.contains("hunter2secret"), "{message}");
            assert!(
                message.contains("postgres://kuzot:***@127.0.0.1:1/evidence"),
                "{message}"
            );
            assert!(!format!("{e:?}").contains("hunter2secret"));
        }
        other => panic!("expected Unreachable, got {other:?}"),
    }
}

#[test]
fn a_nul_character_in_hostile_input_does_not_stop_an_import() {
    for fx in fixtures("nul") {
        let mut store = fx.open();
        let path = fx.file("nul.json", b"nul export");
        let mut doc = message("bad\0chat", 1, "before\0after", Some(1_700_000_000));
        doc.title = Some("t\0".into());
        let (ids, counts) =
            import(&mut store, &path, vec![(doc.clone(), None)], false).expect("import with NUL");
        assert_eq!(counts.added, 1, "{:?}", fx.backend());
        let stored = store
            .document(ids[0].expect("added"))
            .expect("read")
            .expect("stored");
        let expected = match fx.backend() {
            Backend::Sqlite => "before\0after",
            Backend::Postgres => "before\u{FFFD}after",
        };
        assert_eq!(stored.text, expected);
        // The same message again is recognised: its key comes from the text as read.
        let again = fx.file("nul2.json", b"nul export again");
        let (_, counts) = import(&mut store, &again, vec![(doc, None)], false).expect("again");
        assert_eq!(counts.already_present, 1);
        let label = store
            .add_label(&NewLabel {
                document_id: stored.id,
                category: Category::Other,
                facts: None,
                note: Some("note\0".into()),
                labelled_by: "analyst".into(),
            })
            .expect("label with NUL");
        assert!(label.note.is_some());
    }
}

#[test]
fn processes_starting_at_once_migrate_once_and_share_the_pseudonym_key() {
    // PostgreSQL only: the processes of one SQLite data directory are on one machine.
    let Some(db) = TestDatabase::create("start_at_once") else {
        return;
    };
    let location = StoreLocation::Postgres(db.url().to_owned());
    let stores: Vec<Store> = std::thread::scope(|scope| {
        let starting: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| Store::connect(&location)))
            .collect();
        starting
            .into_iter()
            .map(|s| s.join().expect("thread").expect("store opens"))
            .collect()
    });
    let author = AuthorRef {
        id: Some("user42".into()),
        name: Some("A Person".into()),
    };
    let pseudonyms: BTreeSet<Option<String>> = stores
        .iter()
        .map(|s| s.pseudonymizer().pseudonym(&author))
        .collect();
    assert_eq!(pseudonyms.len(), 1, "{pseudonyms:?}");
    assert!(pseudonyms.iter().all(Option::is_some));
    let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
    let version: i32 = client
        .query_one(
            "SELECT version FROM kuzot_schema_versions WHERE component = 'evidence'",
            &[],
        )
        .expect("version")
        .get(0);
    // Every migration ran once: 0001, 0002 (regrouping generations), 0003 (the
    // sources of the public numbers page) and 0004 (the case registry).
    assert_eq!(version, 4);
}

#[test]
fn a_worker_whose_connection_drops_leaves_its_batch_queued() {
    // PostgreSQL only: a SQLite worker is a thread of the process that holds the store.
    let Some(db) = TestDatabase::create("worker_dies") else {
        return;
    };
    let work = tempfile::tempdir().expect("temp dir");
    let location = StoreLocation::Postgres(db.url().to_owned());
    let mut store = Store::connect(&location).expect("store");
    let path = work.path().join("q.json");
    std::fs::write(&path, b"queued").expect("write");
    let docs: Vec<_> = (0..6)
        .map(|i| (message("q", i, &format!("m{i}"), None), None))
        .collect();
    import(&mut store, &path, docs, true).expect("import");
    let mut admin = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
    let mut worker = Store::connect(&location).expect("worker");
    let outcome = worker.analyse_queued(4, &mut |batch| {
        // The server ends the worker's connection while it holds its batch.
        let ended: i64 = admin
            .query_one(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE datname = current_database() AND state = 'idle in transaction'
                   AND query LIKE '%SKIP LOCKED%'",
                &[],
            )
            .expect("terminate")
            .get(0);
        assert_eq!(ended, 1);
        batch
            .iter()
            .map(|_| analysis(Category::Other, 0.9, &[], 0))
            .collect()
    });
    assert!(outcome.is_err(), "{outcome:?}");
    assert_eq!(store.analysis_queue_len().expect("len"), 6);
    let taken = store
        .analyse_queued(10, &mut |batch| {
            batch
                .iter()
                .map(|_| analysis(Category::Other, 0.9, &[], 0))
                .collect()
        })
        .expect("another worker");
    assert_eq!(taken, 6);
    assert_eq!(store.analysis_queue_len().expect("len"), 0);
}

#[test]
fn an_import_whose_connection_is_lost_rolls_back_and_completes_when_run_again() {
    // PostgreSQL only: a SQLite import cannot lose its database to another process.
    let Some(db) = TestDatabase::create("import_connection_lost") else {
        return;
    };
    let work = tempfile::tempdir().expect("temp dir");
    let location = StoreLocation::Postgres(db.url().to_owned());
    let path = work.path().join("export.json");
    std::fs::write(&path, b"an export").expect("write");
    let batch = |from: u64| -> Vec<(RawDocument, Option<Analysis>)> {
        (from..from + 50)
            .map(|i| {
                (
                    message("lost", i, &format!("message {i}"), Some(1_700_000_000)),
                    None,
                )
            })
            .collect()
    };
    let mut store = Store::connect(&location).expect("store");
    let blob = store.keep_source_file(&path).expect("keep");
    let failed = {
        let mut import = store
            .begin_import(NewSource::new(
                &blob,
                "export.json",
                SourceFormat::TelegramJson,
                "t",
            ))
            .expect("begin");
        import.add_batch(&batch(0)).expect("first batch");
        // The server ends the import's connection half-way (a restart, a network cut).
        let mut admin = postgres::Client::connect(db.url(), postgres::NoTls).expect("admin");
        let ended: i64 = admin
            .query_one(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid()
                   AND state = 'idle in transaction'",
                &[],
            )
            .expect("terminate")
            .get(0);
        assert_eq!(ended, 1);
        import.add_batch(&batch(50)).and_then(|_| import.commit())
    };
    assert!(failed.is_err(), "{failed:?}");
    drop(store);

    // Nothing of it is in the store; the same file then imports whole.
    let mut again = Store::connect(&location).expect("store again");
    let stats = again.stats().expect("stats");
    assert_eq!((stats.sources, stats.documents), (0, 0));
    let (_, counts) = import(&mut again, &path, [batch(0), batch(50)].concat(), false)
        .expect("the import run again");
    assert_eq!(counts.added, 100);
    assert_eq!(again.stats().expect("stats").documents, 100);
}

/// Imports one message whose analysis has fingerprint `seed`, from a file of its own.
fn import_one(fx: &Fixture, store: &mut Store, n: u64) -> i64 {
    let path = fx.file(
        &format!("export-{n}.json"),
        format!("export {n}").as_bytes(),
    );
    let (ids, _) = import(
        store,
        &path,
        vec![(
            message("regroup", n, &format!("message {n}"), Some(1_700_000_000)),
            Some(analysis(Category::Pmc, 0.9, &[], n as u32)),
        )],
        false,
    )
    .expect("import");
    ids[0].expect("added")
}

#[test]
fn a_commit_that_lands_while_regrouping_runs_stays_pending() {
    for fx in fixtures("regroup_race") {
        let mut store = fx.open();
        let first = import_one(&fx, &mut store, 1);
        let claim = store
            .claim_regroup(Duration::from_secs(60), false)
            .expect("claim")
            .expect("pending after an import");
        // Another process commits after the fingerprints were read...
        let mut other = fx.open();
        import_one(&fx, &mut other, 2);
        // ...so the regrouping's clusters do not cover it: it must stay pending (the old
        // single mark was cleared here and the second import was never regrouped).
        assert!(
            store
                .set_clusters(&[(first, first)], &claim)
                .expect("clusters")
        );
        assert!(
            store.regroup_pending().expect("pending"),
            "{:?}",
            fx.backend()
        );
        let next = store
            .claim_regroup(Duration::from_secs(60), false)
            .expect("claim")
            .expect("the later commit is claimable");
        assert!(next.generation > claim.generation);
        assert!(store.set_clusters(&[], &next).expect("clusters"));
        assert!(!store.regroup_pending().expect("pending"));
        assert!(
            store
                .claim_regroup(Duration::from_secs(60), true)
                .expect("claim")
                .is_none(),
            "nothing to claim once done"
        );
    }
}

#[test]
fn a_claimed_regrouping_is_left_to_its_holder_unless_taken_over() {
    for fx in fixtures("regroup_lease") {
        let mut worker = fx.open();
        let mut other_worker = fx.open();
        let first = import_one(&fx, &mut worker, 1);
        let second = import_one(&fx, &mut worker, 2);
        let held = worker
            .claim_regroup(Duration::from_secs(600), false)
            .expect("claim")
            .expect("pending");
        assert!(
            other_worker
                .claim_regroup(Duration::from_secs(600), false)
                .expect("claim")
                .is_none(),
            "a second worker must leave a held regrouping alone ({:?})",
            fx.backend()
        );
        // A command whose user waits takes over; the holder's later write of the same
        // generation is then stale and writes nothing.
        let mut command = fx.open();
        let taken = command
            .claim_regroup(Duration::from_secs(600), true)
            .expect("claim")
            .expect("taken over");
        assert_eq!(taken.generation, held.generation);
        assert!(
            command
                .set_clusters(&[(first, first), (second, first)], &taken)
                .expect("clusters")
        );
        assert!(!worker.set_clusters(&[], &held).expect("stale write"));
        let clustered = ids_of(
            &worker,
            &DocumentFilter {
                cluster: Some(first),
                ..DocumentFilter::default()
            },
        );
        assert_eq!(
            clustered.len(),
            2,
            "the stale regrouping overwrote clusters"
        );
        assert!(!worker.regroup_pending().expect("pending"));
    }
}

#[test]
fn an_expired_lease_is_taken_over() {
    for fx in fixtures("regroup_expired") {
        let mut store = fx.open();
        import_one(&fx, &mut store, 1);
        // A process that claimed with a lease of 0 s and died.
        let mut dead = fx.open();
        dead.claim_regroup(Duration::ZERO, false)
            .expect("claim")
            .expect("pending");
        drop(dead);
        // The lease ends at the claim's second; a second later it has expired.
        std::thread::sleep(Duration::from_millis(1_100));
        let claim = store
            .claim_regroup(Duration::from_secs(600), false)
            .expect("claim")
            .expect("an expired lease does not block");
        assert!(store.set_clusters(&[], &claim).expect("clusters"));
        assert!(!store.regroup_pending().expect("pending"));
    }
}

/// `copy_tables_out` (what `kuzot backup` and `kuzot migrate` read through) reads every
/// table of one call from one snapshot: an import that commits after the first row was
/// read is in none of the tables, though it did commit.
#[test]
fn copying_tables_out_reads_one_snapshot_while_an_import_commits() {
    let tables = [
        *kuzot_store::copy::table_named("sources").expect("sources"),
        *kuzot_store::copy::table_named("documents").expect("documents"),
    ];
    for fx in fixtures("copy_snapshot") {
        let mut store = fx.open();
        import_one(&fx, &mut store, 1);
        let mut writer = fx.open();
        let mut imported = false;
        let mut rows = std::collections::BTreeMap::new();
        store
            .copy_tables_out(&tables, &mut |table, _row| {
                if !imported {
                    // Another connection, as another process: committed before the
                    // documents are read.
                    import_one(&fx, &mut writer, 2);
                    imported = true;
                }
                *rows.entry(table.name).or_insert(0u64) += 1;
                Ok(())
            })
            .expect("copy out");
        assert!(imported, "{:?}", fx.backend());
        assert_eq!(
            rows,
            [("documents", 1), ("sources", 1)].into_iter().collect(),
            "{:?}",
            fx.backend()
        );
        assert_eq!(store.count_rows(&tables[1]).expect("count"), 2);
    }
}

#[test]
fn reading_documents_sees_one_snapshot_while_an_import_commits() {
    for fx in fixtures("read_snapshot") {
        let mut store = fx.open();
        let dated: Vec<_> = (0..3u64)
            .map(|i| {
                (
                    message("before", i, &format!("b{i}"), Some(1_700_000_000)),
                    None,
                )
            })
            .collect();
        import(&mut store, &fx.file("before.json", b"before"), dated, false).expect("import");
        let mut writer = fx.open();
        let mut imported = false;
        let mut seen = 0;
        store
            .for_each_document(&DocumentFilter::default(), &mut |_| {
                if !imported {
                    // Another connection, as another process. Its undated documents come
                    // after the dated ones, in a query of their own on PostgreSQL: the
                    // read must not show them, nor part of them.
                    let undated: Vec<_> = (10..14u64)
                        .map(|i| (message("during", i, &format!("d{i}"), None), None))
                        .collect();
                    import(
                        &mut writer,
                        &fx.file("during.json", b"during"),
                        undated,
                        false,
                    )
                    .expect("import while reading");
                    imported = true;
                }
                seen += 1;
                Ok(())
            })
            .expect("documents");
        assert!(imported, "{:?}", fx.backend());
        assert_eq!(seen, 3, "{:?}: the read saw a later commit", fx.backend());
        // The snapshot ended with the read: the next one sees the import.
        assert_eq!(ids_of(&store, &DocumentFilter::default()).len(), 7);
    }
}

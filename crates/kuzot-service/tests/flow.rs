//! The use cases that end in the search index, and the analysis queue, over a store.
//!
//! Each story is a function of a way to open the store (`open`), so that the same story
//! runs on every backend: these tests pass SQLite data directories; a PostgreSQL store is
//! added by passing a function that connects to a test database.

use kuzot_store::postgres_test_database::TestDatabase;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use kuzot_analysis::Engine;
use kuzot_model::{Category, RateTable};
use kuzot_search::{SearchIndex, SearchQuery};
use kuzot_service::{
    DrainUntil, IngestOptions, NoProgress, drain_analysis_queue, follow_index, ingest_and_index,
    label_and_index, rebuild_index,
};
use kuzot_store::{NewLabel, Store};

/// Opens a new connection to the store under test.
type OpenStore<'a> = &'a (dyn Fn() -> Store + Sync);

fn engine() -> Engine {
    Engine::try_new().expect("engine")
}

/// A WhatsApp export of `messages` distinct messages, written under `dir`.
fn whatsapp_export(dir: &Path, name: &str, messages: usize) -> PathBuf {
    let texts = [
        "Контракт с Минобороны, выплата 195 000 руб. Звоните +7 901 555 21 40",
        "Требуются штукатуры в Мариуполь, жильё, 120 000 руб/мес",
        "Погода в Бишкеке: завтра дождь",
        "Vakhta v Moskve, oylik 90 000 rubl",
    ];
    let mut text = String::new();
    for k in 0..messages {
        text.push_str(&format!(
            "12/03/2024, 14:{:02} - Aibek: {} (№{k})\n",
            k % 60,
            texts[k % texts.len()]
        ));
    }
    let path = dir.join(format!("WhatsApp Chat with {name}.txt"));
    std::fs::write(&path, text).expect("write export");
    path
}

fn options(queue_analysis: bool) -> IngestOptions {
    IngestOptions {
        operator: "test".into(),
        queue_analysis,
        ..IngestOptions::default()
    }
}

fn index_in(dir: &Path) -> SearchIndex {
    SearchIndex::open(dir, RateTable::default()).expect("index")
}

/// What a search index answers, for comparing two indexes.
fn answers(index: &SearchIndex) -> Vec<String> {
    let mut out = Vec::new();
    let mut queries = vec![
        SearchQuery {
            limit: 1000,
            ..SearchQuery::default()
        },
        SearchQuery {
            text: "контракт".into(),
            limit: 1000,
            ..SearchQuery::default()
        },
    ];
    for category in Category::ALL {
        queries.push(SearchQuery {
            category: Some(category),
            limit: 1000,
            ..SearchQuery::default()
        });
    }
    for q in &queries {
        let found = index.search(q).expect("search");
        let mut hits: Vec<String> = found
            .hits
            .iter()
            .map(|h| format!("{} {:?} {:?} {}", h.id, h.category, h.time, h.snippet.text))
            .collect();
        hits.sort();
        out.push(format!("{} {:?}", found.total, hits));
        let counts = index.aggregate(q).expect("aggregate");
        out.push(format!("{:?} {:?}", counts.categories, counts.langs));
    }
    out
}

fn first_document_category(index: &SearchIndex, id: i64) -> Category {
    let found = index
        .search(&SearchQuery {
            limit: 1000,
            ..SearchQuery::default()
        })
        .expect("search");
    found
        .hits
        .iter()
        .find(|h| h.id == id)
        .map(|h| h.category)
        .expect("document indexed")
}

/// Import, label, re-analysis: each reaches an index that follows the store, including
/// one in "another process" (a second index over the same store, fed only by `follow`);
/// and a follower equals a rebuild from scratch.
fn follow_after_import_label_and_reanalysis(open: OpenStore<'_>, scratch: &Path) {
    let mut store = open();
    let ours = index_in(&scratch.join("ours"));
    let theirs = index_in(&scratch.join("theirs"));
    let engine = engine();
    // Import → analyse → store → index, as one call.
    let first = whatsapp_export(scratch, "one", 8);
    let done = ingest_and_index(
        &mut store,
        &ours,
        &[first],
        &options(false),
        Some(&engine),
        &NoProgress,
    )
    .expect("ingest");
    assert_eq!(done.summary.totals().added, 8);
    let followed = done.index.expect("index followed");
    assert_eq!(followed.seq, store.last_change().expect("last change"));
    assert_eq!(ours.doc_count(), 8);
    // The other index learns of it from the log alone.
    let other = open();
    assert_eq!(follow_index(&theirs, &other).expect("follow").documents, 8);

    // Label → re-index.
    let ids: Vec<i64> = ours
        .search(&SearchQuery {
            limit: 100,
            ..SearchQuery::default()
        })
        .expect("search")
        .hits
        .iter()
        .map(|h| h.id)
        .collect();
    let target = ids[0];
    let before = first_document_category(&ours, target);
    let new_category = if before == Category::Pmc {
        Category::Other
    } else {
        Category::Pmc
    };
    let (_label, indexed) = label_and_index(
        &mut store,
        &ours,
        &NewLabel {
            document_id: target,
            category: new_category,
            facts: None,
            note: None,
            labelled_by: "analyst".into(),
        },
    )
    .expect("label");
    assert_eq!(indexed.expect("re-indexed").documents, 1);
    assert_eq!(first_document_category(&ours, target), new_category);
    assert_eq!(
        first_document_category(&theirs, target),
        before,
        "not followed yet"
    );
    follow_index(&theirs, &other).expect("follow the label");
    assert_eq!(first_document_category(&theirs, target), new_category);

    // Queued import → worker → index.
    let second = whatsapp_export(scratch, "two", 5);
    let queued = ingest_and_index(
        &mut store,
        &ours,
        &[second],
        &options(true),
        Some(&engine),
        &NoProgress,
    )
    .expect("queued ingest");
    assert_eq!(queued.summary.totals().added, 5);
    assert_eq!(store.analysis_queue_len().expect("queue"), 5);
    let never = AtomicBool::new(false);
    let drained = drain_analysis_queue(
        &mut store,
        &engine,
        2,
        DrainUntil::Empty,
        &never,
        &NoProgress,
    )
    .expect("drain");
    assert_eq!((drained.analysed, drained.batches), (5, 3));
    assert_eq!(
        drained.regroupings, 1,
        "the worker regroups once the queue is empty"
    );
    assert!(!store.regroup_pending().expect("regroup mark"));
    let analysed = follow_index(&theirs, &other).expect("follow the analyses");
    assert!(analysed.documents >= 5, "{analysed:?}");
    follow_index(&ours, &store).expect("follow");

    // Re-analysis with the same engine has nothing stale to do; the index stays equal.
    let (again, reindexed) =
        kuzot_service::reanalyze_and_index(&mut store, &ours, &engine, &NoProgress)
            .expect("reanalyze");
    assert_eq!(again, 0);
    reindexed.expect("index");

    // A follower and a rebuild from scratch give the same answers.
    let rebuilt = index_in(&scratch.join("rebuilt"));
    assert_eq!(
        rebuild_index(&rebuilt, &store, &|_, _| {}).expect("rebuild"),
        13
    );
    assert_eq!(answers(&ours), answers(&rebuilt));
    assert_eq!(answers(&theirs), answers(&rebuilt));
}

/// Two workers, each with its own connection, on one queue: every document analysed
/// exactly once.
fn two_workers_analyse_every_document_once(open: OpenStore<'_>, scratch: &Path) {
    let mut store = open();
    let export = whatsapp_export(scratch, "many", 300);
    let index = index_in(&scratch.join("index"));
    ingest_and_index(
        &mut store,
        &index,
        &[export],
        &options(true),
        None,
        &NoProgress,
    )
    .expect("ingest");
    assert_eq!(store.analysis_queue_len().expect("queue"), 300);
    let engine = engine();
    let seen: Arc<Mutex<BTreeMap<i64, u32>>> = Arc::default();
    std::thread::scope(|scope| {
        for _ in 0..2 {
            let seen = seen.clone();
            let engine = &engine;
            scope.spawn(move || {
                let mut store = open();
                loop {
                    let n = store
                        .analyse_queued(7, &mut |batch: &[(i64, String)]| {
                            let mut seen = seen.lock().expect("lock");
                            batch
                                .iter()
                                .map(|(id, text)| {
                                    *seen.entry(*id).or_default() += 1;
                                    engine.analyze(text)
                                })
                                .collect()
                        })
                        .expect("analyse");
                    if n == 0 {
                        break;
                    }
                }
            });
        }
    });
    let seen = seen.lock().expect("lock");
    assert_eq!(seen.len(), 300, "every document analysed");
    assert!(seen.values().all(|&n| n == 1), "none analysed twice");
    assert_eq!(store.analysis_queue_len().expect("queue"), 0);
    let (total, stale) = store.analysis_status(&engine.version()).expect("status");
    assert_eq!((total, stale), (300, 0));
}

/// A worker that dies mid-batch (its transaction dropped without a commit) leaves the
/// batch queued, and the next worker takes it.
fn a_worker_killed_mid_batch_leaves_its_batch_queued(open: OpenStore<'_>, scratch: &Path) {
    let mut store = open();
    let export = whatsapp_export(scratch, "killed", 10);
    let index = index_in(&scratch.join("index"));
    ingest_and_index(
        &mut store,
        &index,
        &[export],
        &options(true),
        None,
        &NoProgress,
    )
    .expect("ingest");
    drop(store);
    let engine = engine();
    let died = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut store = open();
        let _ = store.analyse_queued(4, &mut |batch: &[(i64, String)]| {
            let _half_done: Vec<_> = batch.iter().map(|(_, t)| engine.analyze(t)).collect();
            panic!("the worker dies before its batch commits");
        });
    }));
    assert!(died.is_err());
    let mut store = open();
    assert_eq!(
        store.analysis_queue_len().expect("queue"),
        10,
        "nothing taken for good"
    );
    let (_, stale) = store.analysis_status(&engine.version()).expect("status");
    assert_eq!(stale, 10, "nothing stored by the dead worker");
    let never = AtomicBool::new(false);
    let drained = drain_analysis_queue(
        &mut store,
        &engine,
        4,
        DrainUntil::Empty,
        &never,
        &NoProgress,
    )
    .expect("drain");
    assert_eq!(drained.analysed, 10);
}

fn sqlite(dir: &Path) -> impl Fn() -> Store + Sync + '_ {
    move || Store::open(&dir.join("data")).expect("store")
}

/// Every `open` is a new connection to one test database.
fn postgres(db: &TestDatabase) -> impl Fn() -> Store + Sync + '_ {
    move || {
        Store::connect(&kuzot_store::StoreLocation::Postgres(db.url().to_owned())).expect("store")
    }
}

/// Runs a story on SQLite and, in a second test, on PostgreSQL.
macro_rules! on_both_backends {
    ($story:ident) => {
        mod $story {
            #[test]
            fn sqlite() {
                let dir = tempfile::tempdir().expect("tempdir");
                super::$story(&super::sqlite(dir.path()), dir.path());
            }

            #[test]
            fn postgres() {
                let Some(db) = super::TestDatabase::create(stringify!($story)) else {
                    return;
                };
                let dir = tempfile::tempdir().expect("tempdir");
                super::$story(&super::postgres(&db), dir.path());
            }
        }
    };
}

on_both_backends!(follow_after_import_label_and_reanalysis);
on_both_backends!(two_workers_analyse_every_document_once);
on_both_backends!(a_worker_killed_mid_batch_leaves_its_batch_queued);

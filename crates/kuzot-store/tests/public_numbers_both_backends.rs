//! The public numbers page's store side, run against the embedded SQLite store and against
//! PostgreSQL (a database of its own per test; skipped with a message where no server
//! answers): the chosen sources are kept, and the counts are computed by the database over
//! them only, alike on both backends.

use std::path::PathBuf;

use kuzot_model::{
    Analysis, Category, ChatRef, Facts, Genre, Money, MoneyRole, Period, Place, Promise,
    RawDocument, SourceFormat, SourcePosition,
};
use kuzot_store::postgres_test_database::TestDatabase;
use kuzot_store::{NewLabel, NewSource, PayBands, Store, StoreLocation};
use time::OffsetDateTime;

struct Fixture {
    location: StoreLocation,
    work: tempfile::TempDir,
    _sqlite: Option<tempfile::TempDir>,
    _postgres: Option<TestDatabase>,
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

/// 1 March 2024 and 1 April 2024, 12:00 UTC.
const MARCH: i64 = 1_709_294_400;
const APRIL: i64 = 1_711_972_800;

fn message(chat: &str, id: u64, text: &str, time: Option<i64>) -> RawDocument {
    RawDocument {
        text: text.into(),
        time: time.map(|t| OffsetDateTime::from_unix_timestamp(t).expect("time")),
        chat: ChatRef {
            id: Some(format!("channel-{chat}")),
            name: Some(chat.into()),
            kind: Some("public_channel".into()),
        },
        message_id: Some(id.to_string()),
        position: SourcePosition::record(id),
        ..RawDocument::default()
    }
}

fn money(amount: f64, currency: &str, period: Period, role: MoneyRole) -> Money {
    Money {
        min: Some(amount),
        max: None,
        currency: Some(currency.into()),
        currency_inferred: false,
        period: Some(period),
        role: Some(role),
        span: Default::default(),
    }
}

fn analysis(category: Category, genre: Genre, lang: &str, facts: Facts) -> Analysis {
    let mut scores = vec![0.01; Category::ALL.len()];
    scores[category.index()] = 0.9;
    Analysis {
        lang: lang.into(),
        script: "Cyrl".into(),
        category,
        genre: Some(genre),
        topic: Some(category),
        offer_probability: Some(0.8),
        scores,
        cues: Vec::new(),
        facts,
        spans: Vec::new(),
        fingerprint: Vec::new(),
        engine_version: "test-1".into(),
    }
}

/// Imports `docs` as one source file named `name`; returns the source id and document ids.
fn import(
    fx: &Fixture,
    store: &mut Store,
    name: &str,
    docs: Vec<(RawDocument, Option<Analysis>)>,
) -> (i64, Vec<i64>) {
    let path: PathBuf = fx.work.path().join(name);
    std::fs::write(&path, name.as_bytes()).expect("input file");
    let blob = store.keep_source_file(&path).expect("kept");
    let source = NewSource::new(&blob, name, SourceFormat::TelegramJson, "tester");
    let mut import = store.begin_import(source).expect("import begins");
    let source_id = import.source_id();
    let ids = import
        .add_batch(&docs)
        .expect("batch")
        .into_iter()
        .map(|id| id.expect("new document"))
        .collect();
    import.commit().expect("commit");
    (source_id, ids)
}

fn bands() -> PayBands {
    PayBands {
        rub_per_unit: kuzot_model::RateTable::default().rub_per_unit,
        width_rub: 50_000.0,
        bands: 7,
    }
}

#[test]
fn public_counts_cover_the_chosen_sources_only_and_agree_on_both_backends() {
    for fx in fixtures("public_numbers") {
        let backend = fx.location.backend().as_str();
        let mut store = Store::connect(&fx.location).expect("store opens");
        let mut docs = Vec::new();
        // 12 contract ads in March (one undated), promising citizenship; the first names
        // Mariupol and offers 200,000 RUB a month.
        for k in 0..12u64 {
            let mut facts = Facts {
                promises: vec![Promise::Citizenship],
                ..Facts::default()
            };
            if k == 0 {
                facts.places.push(Place {
                    id: "mariupol".into(),
                    occupied: true,
                    span: Default::default(),
                });
                facts
                    .money
                    .push(money(200_000.0, "RUB", Period::Month, MoneyRole::Salary));
                // A lump sum is not pay.
                facts.money.push(money(
                    1_000_000.0,
                    "RUB",
                    Period::OneTime,
                    MoneyRole::LumpSum,
                ));
            }
            if k == 1 {
                // 2,000 USD a month at 79: 158,000 RUB, band 3.
                facts
                    .money
                    .push(money(2_000.0, "USD", Period::Month, MoneyRole::Salary));
            }
            if k == 2 {
                // 3,000 KGS a day at 0.9, ×30: 81,000 RUB, band 1.
                facts
                    .money
                    .push(money(3_000.0, "KGS", Period::Day, MoneyRole::Salary));
            }
            if k == 3 {
                // No rate for this currency: left out of pay.
                facts
                    .money
                    .push(money(9_000.0, "XYZ", Period::Month, MoneyRole::Salary));
            }
            let time = if k == 11 {
                None
            } else {
                Some(MARCH + k as i64)
            };
            let mut a = analysis(Category::MilitaryContract, Genre::Ad, "ru", facts);
            if k == 0 {
                a.facts.places[0].occupied = true;
            }
            docs.push((
                message("ads", k, &format!("contract ad {k}"), time),
                Some(a),
            ));
        }
        // 3 PMC ads in April, in Kyrgyz.
        for k in 12..15u64 {
            docs.push((
                message("ads", k, &format!("pmc ad {k}"), Some(APRIL + k as i64)),
                Some(analysis(Category::Pmc, Genre::Ad, "ky", Facts::default())),
            ));
        }
        // 2 news items about recruitment: counted among documents by genre, not as ads.
        for k in 15..17u64 {
            docs.push((
                message("news", k, &format!("report {k}"), Some(APRIL + 100)),
                Some(analysis(
                    Category::Other,
                    Genre::Report,
                    "ru",
                    Facts::default(),
                )),
            ));
        }
        // An unanalysed document counts nowhere.
        docs.push((message("ads", 17, "not analysed", Some(APRIL)), None));
        let (chosen, ids) = import(&fx, &mut store, "chosen.json", docs);
        // Another source that is never chosen: 20 contract ads of May.
        let other = (0..20u64)
            .map(|k| {
                (
                    message(
                        "elsewhere",
                        100 + k,
                        &format!("elsewhere {k}"),
                        Some(APRIL + 3_000_000),
                    ),
                    Some(analysis(
                        Category::MilitaryContract,
                        Genre::Ad,
                        "uz",
                        Facts::default(),
                    )),
                )
            })
            .collect();
        let (not_chosen, _) = import(&fx, &mut store, "other.json", other);

        // Nothing chosen: nothing counted.
        assert!(
            store.public_sources().expect("read").is_empty(),
            "{backend}"
        );
        let none = store.public_counts(&bands()).expect("counts");
        assert_eq!((none.documents, none.ads), (0, 0), "{backend}");
        assert!(
            none.categories.is_empty() && none.latest_time.is_none(),
            "{backend}"
        );

        // An id of no source is ignored.
        store
            .set_public_sources(&[chosen, 987_654], "admin")
            .expect("chosen");
        assert_eq!(
            store.public_sources().expect("read"),
            vec![chosen],
            "{backend}"
        );

        let c = store.public_counts(&bands()).expect("counts");
        assert_eq!((c.documents, c.ads), (17, 15), "{backend}");
        assert_eq!(c.latest_time, Some(APRIL + 14), "{backend}");
        assert_eq!(
            c.genres,
            vec![("ad".to_owned(), 15), ("report".to_owned(), 2)],
            "{backend}"
        );
        assert_eq!(
            c.categories,
            vec![("military_contract".to_owned(), 12), ("pmc".to_owned(), 3)],
            "{backend}"
        );
        assert_eq!(
            c.months,
            vec![
                (None, 1),
                (Some("2024-03".to_owned()), 11),
                (Some("2024-04".to_owned()), 3)
            ],
            "{backend}"
        );
        assert_eq!(
            c.languages,
            vec![("ky".to_owned(), 3), ("ru".to_owned(), 12)],
            "{backend}"
        );
        assert_eq!(c.occupied, (1, 14), "{backend}");
        assert_eq!(
            c.promises,
            vec![("citizenship".to_owned(), 12)],
            "{backend}"
        );
        assert_eq!(c.pay_bands, vec![(1, 1), (3, 1), (4, 1)], "{backend}");

        // The label in force decides the category: one contract ad relabelled PMC, one
        // relabelled "not an offer".
        for (id, category) in [(ids[5], Category::Pmc), (ids[6], Category::Other)] {
            store
                .add_label(&NewLabel {
                    document_id: id,
                    category,
                    facts: None,
                    note: None,
                    labelled_by: "analyst".into(),
                })
                .expect("label");
        }
        let c = store.public_counts(&bands()).expect("counts");
        assert_eq!(c.ads, 14, "{backend}");
        assert_eq!(
            c.categories,
            vec![("military_contract".to_owned(), 10), ("pmc".to_owned(), 4)],
            "{backend}"
        );

        // Both sources chosen, then none again.
        store
            .set_public_sources(&[not_chosen, chosen], "admin")
            .expect("chosen");
        assert_eq!(
            store.public_sources().expect("read"),
            vec![chosen, not_chosen],
            "{backend}"
        );
        assert_eq!(
            store.public_counts(&bands()).expect("counts").ads,
            34,
            "{backend}"
        );
        store.set_public_sources(&[], "admin").expect("cleared");
        assert!(
            store.public_sources().expect("read").is_empty(),
            "{backend}"
        );
        // The choice is kept in the database: another connection reads it.
        store
            .set_public_sources(&[chosen], "admin")
            .expect("chosen");
        let again = Store::connect(&fx.location).expect("store opens again");
        assert_eq!(
            again.public_sources().expect("read"),
            vec![chosen],
            "{backend}"
        );
    }
}

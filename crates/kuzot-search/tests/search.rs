//! The index end to end on a temporary store: folding and stemming, query syntax, every
//! filter, sort orders, snippets, aggregates, following the store's change log, and
//! inputs that must never make it fail.

use std::path::Path;

use kuzot_model::{
    Analysis, Category, ChatRef, Facts, Money, Org, Period, Place, Promise, RateTable, RawDocument,
    SourceFormat, SourcePosition, Span,
};
use kuzot_search::{ChangedIds, FeedError, IndexFeed, SearchError, SearchIndex, SearchQuery, Sort};
use kuzot_store::{IndexRow, NewLabel, NewSource, Store};

/// The store as the index reads it (the service has the same adapter; this crate's tests
/// cannot depend on the service, which depends on this crate).
struct Feed<'a>(&'a Store);

impl IndexFeed for Feed<'_> {
    fn last_change(&self) -> Result<i64, FeedError> {
        Ok(self.0.last_change()?)
    }
    fn changes_after(&self, after: i64, limit: usize) -> Result<Vec<ChangedIds>, FeedError> {
        Ok(self
            .0
            .changes_after(after, limit)?
            .into_iter()
            .map(|c| ChangedIds {
                seq: c.seq,
                first_id: c.first_id,
                last_id: c.last_id,
            })
            .collect())
    }
    fn row_count(&self) -> Result<u64, FeedError> {
        Ok(self.0.index_row_count(0)?)
    }
    fn for_each_row(
        &self,
        each: &mut dyn FnMut(IndexRow) -> Result<(), FeedError>,
    ) -> Result<(), FeedError> {
        let mut rows = Vec::new();
        self.0.for_each_index_row(0, &mut |row| {
            rows.push(row);
            Ok(())
        })?;
        rows.into_iter().try_for_each(each)
    }
    fn rows_between(&self, first_id: i64, last_id: i64) -> Result<Vec<IndexRow>, FeedError> {
        let ids: Vec<i64> = (first_id..=last_id).collect();
        Ok(self.0.index_rows(&ids)?)
    }
}
use proptest::prelude::*;
use time::OffsetDateTime;

/// A document to store, with the analysis it gets.
#[derive(Clone, Default)]
struct Doc {
    text: &'static str,
    chat: Option<&'static str>,
    time: Option<i64>,
    category: Option<Category>,
    lang: &'static str,
    facts: Facts,
}

fn doc(text: &'static str) -> Doc {
    Doc {
        text,
        lang: "ru",
        category: Some(Category::Other),
        ..Doc::default()
    }
}

/// Stores `docs` as one import of a new source file; returns their ids.
fn add(store: &mut Store, dir: &Path, docs: &[Doc]) -> Vec<i64> {
    let n = std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0);
    let file = dir.join(format!("source-{n}.txt"));
    std::fs::write(&file, format!("source {n} {}", docs.len())).expect("write source");
    let blob = store.keep_source_file(&file).expect("keep");
    let mut import = store
        .begin_import(NewSource::new(
            &blob,
            "chat.txt",
            SourceFormat::PlainText,
            "test",
        ))
        .expect("begin");
    let mut ids = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let mut raw = RawDocument::new(d.text, SourcePosition::record(i as u64));
        raw.chat = ChatRef {
            id: None,
            name: d.chat.map(str::to_owned),
            kind: None,
        };
        raw.time = d
            .time
            .map(|t| OffsetDateTime::from_unix_timestamp(t).expect("time"));
        raw.message_id = Some(format!("{n}-{i}"));
        let id = import.add(&raw).expect("add").expect("new document");
        if let Some(category) = d.category {
            let analysis = Analysis {
                lang: d.lang.into(),
                script: "cyrl".into(),
                category,
                genre: None,
                topic: None,
                offer_probability: None,
                scores: vec![0.5; 7],
                cues: Vec::new(),
                facts: d.facts.clone(),
                spans: Vec::new(),
                fingerprint: Vec::new(),
                engine_version: "test".into(),
            };
            import.add_analysis(id, &analysis).expect("analysis");
        }
        ids.push(id);
    }
    import.commit().expect("commit");
    ids
}

struct Fixture {
    _dir: tempfile::TempDir,
    sources: std::path::PathBuf,
    store: Store,
    index: SearchIndex,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("data")).expect("store");
    let sources = dir.path().join("files");
    std::fs::create_dir_all(&sources).expect("files dir");
    let index = SearchIndex::open(&dir.path().join("data").join("index"), RateTable::default())
        .expect("index");
    Fixture {
        _dir: dir,
        sources,
        store,
        index,
    }
}

impl Fixture {
    fn add(&mut self, docs: &[Doc]) -> Vec<i64> {
        let ids = add(&mut self.store, &self.sources, docs);
        self.index.follow(&Feed(&self.store)).expect("follow");
        ids
    }

    fn ids(&self, q: SearchQuery) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .index
            .search(&q)
            .expect("search")
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect();
        ids.sort_unstable();
        ids
    }

    fn text(&self, text: &str) -> Vec<i64> {
        self.ids(SearchQuery {
            text: text.into(),
            ..SearchQuery::default()
        })
    }
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort_unstable();
    v
}

#[test]
fn stems_and_folds_at_index_and_query_time() {
    let mut f = fixture();
    let ids = f.add(&[
        doc("Подпиши контракта сегодня"),
        doc("КОНТРАКТЫ для всех"),
        doc("Наш кoнтpaкт лучший"), // Latin o, p, a
        doc("Новогодняя елка"),
        doc("o'zbek tilida"),
        doc("oʻzbek tilida"),
        doc("o‘zbek tilida"),
        doc("ничего общего"),
    ]);
    let contract = sorted(ids[0..3].to_vec());
    assert_eq!(f.text("контракт"), contract);
    assert_eq!(f.text("КОНТРАКТ"), contract);
    assert_eq!(f.text("кoнтpaкт"), contract);
    assert_eq!(f.text("ёлка"), vec![ids[3]]);
    let uzbek = sorted(ids[4..7].to_vec());
    assert_eq!(f.text("o'zbek"), uzbek);
    assert_eq!(f.text("oʻzbek"), uzbek);
    assert_eq!(f.text("o‘zbek"), uzbek);
    assert_eq!(f.text("O’ZBEK"), uzbek);
}

#[test]
fn a_word_finds_its_family_across_derivations_and_languages() {
    let mut f = fixture();
    let ids = f.add(&[
        doc("Требуется охрана объекта"),
        doc("Нужны охранники на склад"),
        doc("Работа охранником вахтой"),
        doc("Москвада охранага жумуш бар"),      // Kyrgyz dative
        doc("Qoʻriqchi (oxrana) kerak, Moskva"), // Uzbek Latin
        doc("Контролер на проходную"),
        doc("Охра и краски оптом"),
    ]);
    let family = sorted(ids[0..5].to_vec());
    // No form below is written as such in any document.
    for query in ["охраннику", "охранникам", "охраной"] {
        assert_eq!(f.text(query), family, "{query}");
    }
    assert_eq!(f.text("охрана"), f.text("охранник"));
    // What was added is reported, for the page to show.
    let results = f
        .index
        .search(&SearchQuery {
            text: "охранник".into(),
            ..SearchQuery::default()
        })
        .expect("search");
    let widened = results.families.first().expect("a family is reported");
    assert_eq!(widened.word, "охранник");
    assert!(
        widened.also.iter().any(|t| t.starts_with("oxran")),
        "{widened:?}"
    );
    // Phrases stay exact, and an unrelated word sharing letters is not joined.
    assert_eq!(f.text("\"охрана объекта\""), vec![ids[0]]);
    assert!(!f.text("контракт").contains(&ids[5]));
    assert!(!f.text("охрана").contains(&ids[6]), "ochre is not guarding");
    assert!(!f.text("охрана").contains(&ids[6]), "ochre is not guarding");
}

#[test]
fn words_are_anded_phrases_exclusions_and_prefixes() {
    let mut f = fixture();
    let ids = f.add(&[
        doc("контракт с министерством обороны"),
        doc("контракт на стройку"),
        doc("обороны контракт"),
        doc("вахта в Мариуполе"),
    ]);
    assert_eq!(f.text("контракт обороны"), sorted(vec![ids[0], ids[2]]));
    assert_eq!(f.text("\"контракт с министерством\""), vec![ids[0]]);
    assert_eq!(f.text("\"министерства обороны\""), vec![ids[0]]);
    assert_eq!(f.text("контракт -обороны"), vec![ids[1]]);
    // Exclusions narrow a search; alone they find nothing (not "everything but").
    assert_eq!(f.text("-контракт"), Vec::<i64>::new());
    assert_eq!(f.text("мариуп*"), vec![ids[3]]);
    assert_eq!(f.text("министерство*"), vec![ids[0]]);
    // Operators of other query languages are just text, and an unclosed quote runs on.
    assert_eq!(f.text("text:контракт"), Vec::<i64>::new());
    assert_eq!(f.text("\"контракт на"), vec![ids[1]]);
    assert_eq!(f.text(""), sorted(ids.clone()));
    assert_eq!(f.text("   "), sorted(ids));
    assert_eq!(f.text("  -  \" * "), Vec::<i64>::new());
}

#[test]
fn queries_that_reduce_to_nothing_match_nothing_and_say_so() {
    let mut f = fixture();
    f.add(&[
        doc("контракт с министерством обороны"),
        doc("Работа в Москве 🔥 ★★★ звоните"),
        doc("вахта в Мариуполе"),
    ]);
    let long_word = "a".repeat(65);
    let long_cyrillic = "Ж".repeat(33);
    for text in [
        long_word.as_str(),
        long_cyrillic.as_str(),
        "🔥",
        "★★★",
        "\"\"",
        "«»",
        "*",
        "-zzzz",
        "-zzzz -контракт",
        "-\"нет такого\"",
        "- * -\"\" **",
    ] {
        let results = f
            .index
            .search(&SearchQuery {
                text: text.into(),
                ..SearchQuery::default()
            })
            .expect("search");
        assert_eq!(results.total, 0, "{text:?} matched documents");
        assert!(results.hits.is_empty(), "{text:?}");
        assert!(
            results.unsearchable,
            "{text:?} is not reported as unsearchable"
        );
        // The dashboard's counts of such a query are empty too.
        let counts = f
            .index
            .aggregate(&SearchQuery {
                text: text.into(),
                ..SearchQuery::default()
            })
            .expect("aggregate");
        assert_eq!(counts.total, 0, "{text:?} counted documents");
    }
    // A searchable word beside the noise still searches.
    let found = f
        .index
        .search(&SearchQuery {
            text: format!("вахта {long_word} 🔥"),
            ..SearchQuery::default()
        })
        .expect("search");
    assert_eq!(found.total, 1);
    assert!(!found.unsearchable);
}

#[test]
fn a_snippet_is_found_in_the_opening_of_a_huge_document() {
    let mut f = fixture();
    // The word is far past the part of the text snippets are looked for in: the hit is
    // found (the index has the whole text) and its snippet is the bounded opening.
    let filler = "слово ".repeat(100_000);
    let text: &'static str = Box::leak(format!("{filler} вахта").into_boxed_str());
    f.add(&[doc(text)]);
    let results = f
        .index
        .search(&SearchQuery {
            text: "вахта".into(),
            ..SearchQuery::default()
        })
        .expect("search");
    assert_eq!(results.total, 1);
    let snippet = &results.hits[0].snippet;
    assert!(snippet.text.len() <= 1_000, "{}", snippet.text.len());
    assert!(snippet.highlights.is_empty());
}

fn money(rub: f64) -> Money {
    Money {
        min: Some(rub),
        max: None,
        currency: Some("RUB".into()),
        currency_inferred: false,
        period: Some(Period::Month),
        role: None,
        span: Span::default(),
    }
}

fn place(id: &str, occupied: bool) -> Place {
    Place {
        id: id.into(),
        occupied,
        span: Span::default(),
    }
}

/// A small known set: (text, chat, time, category, lang, facts).
fn known_set() -> Vec<Doc> {
    let day = 86_400;
    // Monday 2024-03-11 00:00 UTC.
    let monday = 1_710_115_200;
    vec![
        Doc {
            text: "контракт Минобороны 204000 в месяц, гражданство",
            chat: Some("Работа Москва"),
            time: Some(monday + day),
            category: Some(Category::MilitaryContract),
            lang: "ru",
            facts: Facts {
                money: vec![money(204_000.0)],
                places: vec![place("moscow", false)],
                phones: vec!["+79991234567".into()],
                orgs: vec![Org::MinistryOfDefence],
                promises: vec![Promise::Citizenship],
            },
        },
        Doc {
            text: "оркестр ждет музыкантов, 240000",
            chat: Some("Работа Москва"),
            time: Some(monday + 2 * day),
            category: Some(Category::Pmc),
            lang: "ru",
            facts: Facts {
                money: vec![money(240_000.0)],
                orgs: vec![Org::Wagner],
                promises: vec![Promise::Release],
                ..Facts::default()
            },
        },
        Doc {
            text: "стройка в Мариуполе, 120000, жилье",
            chat: Some("Вахта"),
            time: Some(monday + 14 * day),
            category: Some(Category::OccupiedReconstruction),
            lang: "ru",
            facts: Facts {
                money: vec![money(120_000.0)],
                places: vec![place("mariupol", true)],
                promises: vec![Promise::Housing],
                ..Facts::default()
            },
        },
        Doc {
            text: "Мариуполь, копать окопы, 100000",
            chat: Some("Вахта"),
            time: Some(monday + 15 * day),
            category: Some(Category::FrontlineLabour),
            lang: "ru",
            facts: Facts {
                money: vec![money(100_000.0)],
                places: vec![place("mariupol", true), place("moscow", false)],
                ..Facts::default()
            },
        },
        Doc {
            text: "салам, ким иштейт?",
            chat: Some("Кыргыздар"),
            time: None,
            category: Some(Category::Other),
            lang: "ky",
            facts: Facts::default(),
        },
        Doc {
            text: "не проанализирован",
            chat: None,
            time: Some(monday),
            category: None,
            lang: "",
            facts: Facts::default(),
        },
    ]
}

#[test]
fn every_filter_narrows() {
    let mut f = fixture();
    let ids = f.add(&known_set());
    let q = SearchQuery::default;
    assert_eq!(
        f.ids(SearchQuery {
            category: Some(Category::Pmc),
            ..q()
        }),
        vec![ids[1]]
    );
    assert_eq!(
        f.ids(SearchQuery {
            lang: Some("ky".into()),
            ..q()
        }),
        vec![ids[4]]
    );
    assert_eq!(
        f.ids(SearchQuery {
            chat: Some("Вахта".into()),
            ..q()
        }),
        vec![ids[2], ids[3]]
    );
    let sha = f.store.sources().expect("sources")[0].sha256.clone();
    for source in [sha.clone(), sha[..8].to_string(), sha[..8].to_uppercase()] {
        assert_eq!(
            f.ids(SearchQuery {
                source: Some(source),
                ..q()
            }),
            sorted(ids.clone())
        );
    }
    for bad in [
        "zz",
        "",
        "a.*",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
    ] {
        assert!(
            f.ids(SearchQuery {
                source: Some(bad.into()),
                ..q()
            })
            .is_empty(),
            "{bad}"
        );
    }
    let monday = 1_710_115_200;
    assert_eq!(
        f.ids(SearchQuery {
            since: Some(monday + 86_400),
            until: Some(monday + 14 * 86_400),
            ..q()
        }),
        vec![ids[0], ids[1]]
    );
    assert_eq!(
        f.ids(SearchQuery {
            since: Some(monday + 14 * 86_400),
            ..q()
        }),
        vec![ids[2], ids[3]]
    );
    assert_eq!(
        f.ids(SearchQuery {
            until: Some(monday + 86_400),
            ..q()
        }),
        vec![ids[5]]
    );
    assert_eq!(
        f.ids(SearchQuery {
            place: Some("mariupol".into()),
            ..q()
        }),
        vec![ids[2], ids[3]]
    );
    assert_eq!(
        f.ids(SearchQuery {
            occupied: Some(true),
            ..q()
        }),
        vec![ids[2], ids[3]]
    );
    assert_eq!(
        f.ids(SearchQuery {
            occupied: Some(false),
            ..q()
        })
        .len(),
        4
    );
    assert_eq!(
        f.ids(SearchQuery {
            org: Some("wagner".into()),
            ..q()
        }),
        vec![ids[1]]
    );
    assert_eq!(
        f.ids(SearchQuery {
            phone: Some("+79991234567".into()),
            ..q()
        }),
        vec![ids[0]]
    );
    assert_eq!(
        f.ids(SearchQuery {
            promise: Some("housing".into()),
            ..q()
        }),
        vec![ids[2]]
    );
    assert_eq!(
        f.ids(SearchQuery {
            min_pay_rub: Some(200_000.0),
            ..q()
        }),
        vec![ids[0], ids[1]]
    );
    assert_eq!(
        f.ids(SearchQuery {
            min_pay_rub: Some(f64::NAN),
            ..q()
        }),
        Vec::<i64>::new()
    );
    // Filters combine with words and with each other.
    assert_eq!(
        f.ids(SearchQuery {
            text: "мариуполь".into(),
            category: Some(Category::FrontlineLabour),
            occupied: Some(true),
            ..q()
        }),
        vec![ids[3]]
    );
}

#[test]
fn sorts_by_time_and_relevance_and_pages() {
    let mut f = fixture();
    let ids = f.add(&known_set());
    let order = |sort: Sort, text: &str| -> Vec<i64> {
        f.index
            .search(&SearchQuery {
                text: text.into(),
                sort,
                ..SearchQuery::default()
            })
            .expect("search")
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect()
    };
    let dated_newest = vec![ids[3], ids[2], ids[1], ids[0], ids[5]];
    let newest = order(Sort::Newest, "");
    assert_eq!(newest[..5], dated_newest[..]);
    let oldest = order(Sort::Oldest, "");
    let mut dated_oldest = dated_newest.clone();
    dated_oldest.reverse();
    assert_eq!(
        oldest
            .iter()
            .filter(|id| **id != ids[4])
            .copied()
            .collect::<Vec<_>>(),
        dated_oldest
    );
    assert_eq!(oldest.len(), 6);
    // "мариуполь" twice beats once.
    let mut f2 = fixture();
    let r = f2.add(&[
        doc("Мариуполь это стройка и много другого текста про работу"),
        doc("Мариуполь, Мариуполь"),
    ]);
    let hits = f2
        .index
        .search(&SearchQuery {
            text: "мариуполь".into(),
            ..SearchQuery::default()
        })
        .expect("search");
    assert_eq!(
        hits.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![r[1], r[0]]
    );
    assert!(hits.hits[0].score >= hits.hits[1].score);
    // Paging.
    let page = f
        .index
        .search(&SearchQuery {
            sort: Sort::Newest,
            offset: 1,
            limit: 2,
            ..SearchQuery::default()
        })
        .expect("page");
    assert_eq!(page.total, 6);
    assert_eq!(
        page.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![ids[2], ids[1]]
    );
}

#[test]
fn snippets_mark_the_original_words_on_char_boundaries() {
    let mut f = fixture();
    let long = "🔥🔥 Внимание!!! Ищем ребят. ".repeat(20)
        + "Служба по КОНТРАКТУ 🇷🇺 в зоне СВО, oʻzbek tilida ham 💰💰 "
        + &"Звоните. ".repeat(30);
    let long: &'static str = Box::leak(long.into_boxed_str());
    let ids = f.add(&[doc(long), doc("Ваг\u{200b}нер ЖДЁТ тебя 😀")]);
    let hit = |text: &str| {
        f.index
            .search(&SearchQuery {
                text: text.into(),
                ..SearchQuery::default()
            })
            .expect("search")
            .hits
    };
    let hits = hit("контракт oʻzbek");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id, ids[0]);
    let s = &hits[0].snippet;
    assert!(s.text.len() <= 400, "{}", s.text.len());
    let marked: Vec<&str> = s
        .highlights
        .iter()
        .map(|r| s.text.get(r.clone()).expect("char boundaries"))
        .collect();
    assert_eq!(marked, vec!["КОНТРАКТУ", "oʻzbek"]);
    let hits = hit("вагнер ждет");
    let s = &hits[0].snippet;
    let marked: Vec<&str> = s
        .highlights
        .iter()
        .map(|r| s.text.get(r.clone()).expect("char boundaries"))
        .collect();
    assert_eq!(marked, vec!["Ваг\u{200b}нер", "ЖДЁТ"]);
    // Without words: the opening, no marks, cut on a char boundary.
    let all = f.index.search(&SearchQuery::default()).expect("search");
    for h in all.hits {
        assert!(h.snippet.highlights.is_empty());
        assert!(h.snippet.text.chars().count() <= 200);
    }
}

#[test]
fn aggregates_count_a_known_set_exactly() {
    let mut f = fixture();
    f.add(&known_set());
    let a = f
        .index
        .aggregate(&SearchQuery::default())
        .expect("aggregate");
    assert_eq!(a.total, 6);
    assert_eq!(
        a.categories,
        vec![
            (Category::MilitaryContract, 1),
            (Category::Pmc, 1),
            (Category::FrontlineLabour, 1),
            (Category::OccupiedReconstruction, 1),
            (Category::Other, 2),
        ]
    );
    let monday = 1_710_115_200;
    let week = 7 * 86_400;
    assert_eq!(
        a.weeks.iter().map(|w| w.week_start).collect::<Vec<_>>(),
        vec![monday, monday + week, monday + 2 * week]
    );
    assert_eq!(a.weeks[0].counts, [1, 1, 0, 0, 0, 0, 1]);
    assert_eq!(a.weeks[1].counts, [0; 7]);
    assert_eq!(a.weeks[2].counts, [0, 0, 0, 1, 1, 0, 0]);
    assert_eq!(
        a.top_chats,
        vec![
            ("Вахта".to_string(), 2),
            ("Работа Москва".to_string(), 2),
            ("Кыргыздар".to_string(), 1),
        ]
    );
    assert_eq!(a.langs, vec![("ru".to_string(), 4), ("ky".to_string(), 1)]);
    assert_eq!(a.places.len(), 2);
    assert_eq!(
        (
            a.places[0].id.as_str(),
            a.places[0].occupied,
            a.places[0].count
        ),
        ("mariupol", true, 2)
    );
    assert_eq!(
        (
            a.places[1].id.as_str(),
            a.places[1].occupied,
            a.places[1].count
        ),
        ("moscow", false, 2)
    );
    assert_eq!(a.pay.len(), 4);
    assert_eq!(a.pay[0].category, Category::MilitaryContract);
    assert_eq!(a.pay[0].median, 204_000.0);
    assert_eq!(a.rates, RateTable::default());
    // Same filters as search.
    let a = f
        .index
        .aggregate(&SearchQuery {
            occupied: Some(true),
            ..SearchQuery::default()
        })
        .expect("aggregate");
    assert_eq!(a.total, 2);
    assert_eq!(a.weeks.len(), 1);
    assert_eq!(a.top_chats, vec![("Вахта".to_string(), 2)]);
    let pays: Vec<(Category, u64, f64)> =
        a.pay.iter().map(|p| (p.category, p.count, p.max)).collect();
    assert_eq!(
        pays,
        vec![
            (Category::FrontlineLabour, 1, 100_000.0),
            (Category::OccupiedReconstruction, 1, 120_000.0)
        ]
    );
}

#[test]
fn pay_quartiles_over_several_documents() {
    let mut f = fixture();
    let docs: Vec<Doc> = [100_000.0, 200_000.0, 300_000.0, 400_000.0, 500_000.0]
        .into_iter()
        .map(|rub| Doc {
            category: Some(Category::MilitaryContract),
            facts: Facts {
                money: vec![money(rub)],
                ..Facts::default()
            },
            ..doc("контракт")
        })
        .collect();
    f.add(&docs);
    let a = f
        .index
        .aggregate(&SearchQuery::default())
        .expect("aggregate");
    let p = a.pay[0];
    assert_eq!(
        (p.count, p.min, p.q1, p.median, p.q3, p.max),
        (5, 100_000.0, 200_000.0, 300_000.0, 400_000.0, 500_000.0)
    );
}

#[test]
fn follow_applies_only_new_changes_and_labels_reach_the_index() {
    let mut f = fixture();
    let first = add(&mut f.store, &f.sources, &[doc("первый"), doc("второй")]);
    // A new index records no change yet: the first follow builds it from scratch.
    let built = f.index.follow(&Feed(&f.store)).expect("follow");
    assert!(built.rebuilt);
    assert_eq!(built.documents, 2);
    assert_eq!(built.seq, f.store.last_change().expect("last change"));
    let again = f.index.follow(&Feed(&f.store)).expect("follow again");
    assert_eq!(
        (again.changes, again.documents, again.rebuilt),
        (0, 0, false)
    );
    let total = |f: &Fixture| {
        f.index
            .aggregate(&SearchQuery::default())
            .expect("aggregate")
            .total
    };
    assert_eq!(total(&f), 2);
    assert_eq!(total(&f), 2, "the same answer from the cache");
    let second = add(&mut f.store, &f.sources, &[doc("третий")]);
    let followed = f.index.follow(&Feed(&f.store)).expect("follow new");
    assert_eq!((followed.changes, followed.documents), (1, 1));
    // The cached counts are of the old generation: never served after a follow.
    assert_eq!(total(&f), 3);
    assert_eq!(f.index.doc_count(), 3);
    assert_eq!(f.index.last_indexed_id().expect("last"), second[0]);

    f.store
        .add_label(&NewLabel {
            document_id: first[0],
            category: Category::Pmc,
            facts: Some(Facts {
                orgs: vec![Org::Wagner],
                ..Facts::default()
            }),
            note: None,
            labelled_by: "analyst".into(),
        })
        .expect("label");
    let pmc = || SearchQuery {
        category: Some(Category::Pmc),
        ..SearchQuery::default()
    };
    assert!(f.ids(pmc()).is_empty());
    let labelled = f.index.follow(&Feed(&f.store)).expect("follow the label");
    assert_eq!(labelled.documents, 1);
    assert_eq!(f.ids(pmc()), vec![first[0]]);
    assert_eq!(
        f.index.aggregate(&pmc()).expect("aggregate").total,
        1,
        "labels reach the counts"
    );
    assert_eq!(
        f.ids(SearchQuery {
            org: Some("wagner".into()),
            ..SearchQuery::default()
        }),
        vec![first[0]]
    );
    assert_eq!(f.index.doc_count(), 3, "a re-read document replaces itself");

    // A rebuild gives the same, and reopening keeps it.
    let calls = std::cell::Cell::new(0u64);
    let n = f
        .index
        .rebuild(&Feed(&f.store), &|done, total| {
            assert!(done <= total);
            calls.set(calls.get() + 1);
        })
        .expect("rebuild");
    assert_eq!(n, 3);
    assert!(calls.get() >= 2);
    assert_eq!(f.ids(pmc()), vec![first[0]]);
    let dir = f.index.dir().to_owned();
    let reopened = SearchIndex::open(&dir, RateTable::default()).expect("reopen");
    assert_eq!(reopened.doc_count(), 3);
    assert_eq!(reopened.last_indexed_id().expect("last"), second[0]);
    assert_eq!(
        reopened.applied_change().expect("applied change"),
        Some(f.store.last_change().expect("last change"))
    );
}

#[test]
fn an_index_without_a_recorded_change_is_rebuilt_once() {
    let mut f = fixture();
    add(&mut f.store, &f.sources, &[doc("первый"), doc("второй")]);
    // As an older kuzot left it: documents, and no change recorded.
    let rows = {
        let mut rows = Vec::new();
        f.store
            .for_each_index_row(0, &mut |row| {
                rows.push(row);
                Ok(())
            })
            .expect("rows");
        rows
    };
    write_legacy_payload(&f.index, &rows);
    assert_eq!(f.index.applied_change().expect("applied"), None);
    assert_eq!(f.index.doc_count(), 2);
    let first = f.index.follow(&Feed(&f.store)).expect("follow");
    assert!(first.rebuilt);
    assert_eq!(f.index.doc_count(), 2);
    let second = f.index.follow(&Feed(&f.store)).expect("follow again");
    assert!(!second.rebuilt, "rebuilt once, then followed");
}

/// Replaces the index with `rows` under a commit payload of the layout before indexes
/// followed the change log (no `seq`).
fn write_legacy_payload(index: &SearchIndex, rows: &[IndexRow]) {
    index.replace_all(rows.iter().cloned()).expect("replace");
    let tantivy_index = tantivy::Index::open_in_dir(index.dir()).expect("open raw");
    let mut writer: tantivy::IndexWriter = tantivy_index.writer(15_000_000).expect("writer");
    let mut prepared = writer.prepare_commit().expect("prepare");
    prepared.set_payload(&format!(
        "{{\"schema\":{},\"last_id\":{}}}",
        kuzot_search::index::SCHEMA_VERSION,
        rows.iter().map(|r| r.id).max().unwrap_or(0)
    ));
    prepared.commit().expect("commit");
}

#[test]
fn an_empty_index_gives_empty_results() {
    let f = fixture();
    let r = f.index.search(&SearchQuery::default()).expect("search");
    assert_eq!((r.total, r.hits.len()), (0, 0));
    let a = f
        .index
        .aggregate(&SearchQuery::default())
        .expect("aggregate");
    assert_eq!(a.total, 0);
    assert!(a.weeks.is_empty() && a.pay.is_empty());
}

#[test]
fn an_index_of_another_layout_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = tantivy::schema::Schema::builder();
    let title = b.add_text_field("title", tantivy::schema::TEXT);
    let index = tantivy::Index::create_in_dir(dir.path(), b.build()).expect("create");
    let mut w: tantivy::IndexWriter = index.writer(15_000_000).expect("writer");
    w.add_document(tantivy::doc!(title => "x")).expect("add");
    w.commit().expect("commit");
    drop(w);
    let err = SearchIndex::open(dir.path(), RateTable::default()).expect_err("must refuse");
    assert!(matches!(err, SearchError::SchemaMismatch { .. }));
    assert!(err.to_string().contains("kuzot reindex"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn search_never_fails_on_any_text(text in "\\PC{0,80}|[-\"*:() a-zёЁа-яo'ʻ‘]{0,40}", source in "\\PC{0,10}", chat in "\\PC{0,10}") {
        let f = shared_fixture();
        let q = SearchQuery { text: text.clone(), ..SearchQuery::default() };
        let r = f.index.search(&q);
        prop_assert!(r.is_ok());
        for hit in r.expect("ok").hits {
            for h in &hit.snippet.highlights {
                prop_assert!(hit.snippet.text.get(h.clone()).is_some());
            }
        }
        let q = SearchQuery { text, source: Some(source), chat: Some(chat), min_pay_rub: Some(-1.0), since: Some(i64::MIN), until: Some(i64::MAX), ..SearchQuery::default() };
        prop_assert!(f.index.search(&q).is_ok());
        prop_assert!(f.index.aggregate(&q).is_ok());
    }
}

#[test]
fn huge_queries_are_cut_not_failed() {
    let f = shared_fixture();
    let text = "контракт \"".repeat(100_000);
    let r = f
        .index
        .search(&SearchQuery {
            text,
            ..SearchQuery::default()
        })
        .expect("search");
    assert!(r.total <= 7);
}

/// An index (without its store, which is not `Sync`) shared by the property tests.
struct Shared {
    _dir: tempfile::TempDir,
    index: SearchIndex,
}

fn shared_fixture() -> &'static Shared {
    static SHARED: std::sync::OnceLock<Shared> = std::sync::OnceLock::new();
    SHARED.get_or_init(|| {
        let mut f = fixture();
        let mut docs = known_set();
        docs.push(doc("🔥 oʻzbek кoнтpaкт «Вагнер» ё 💰 ½ ﬁ"));
        f.add(&docs);
        let Fixture { _dir, index, .. } = f;
        Shared { _dir, index }
    })
}

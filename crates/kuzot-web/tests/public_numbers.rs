//! The public numbers page (`/public`): anonymous, aggregates only, small cells withheld in
//! the page, the CSV and the SVG with no total giving them away, no text or phone number
//! of the store anywhere, only the chosen sources counted, nothing written by a visit,
//! rate-limited, with the same security headers as every page.

mod common;

use axum::http::StatusCode;
use common::{Harness, Reply};
use kuzot_model::{
    Analysis, AuthorRef, Category, ChatRef, Facts, Genre, Money, MoneyRole, Period, Promise,
    RawDocument, SourceFormat, SourcePosition,
};
use kuzot_store::copy::{ACCOUNT_TABLES, EVIDENCE_TABLES};
use kuzot_store::{NewSource, Store, StoreLocation};
use time::OffsetDateTime;

/// 4 March 2024, 10:00 UTC.
const MARCH: i64 = 1_709_546_400;

/// A phrase no page may ever show.
const PHRASE: &str = "Zebrakumquat вахта 7731 секретная фраза";

/// The phone numbers written in the stored messages: E.164 (as the engine stores them) and
/// as written.
const PHONES: [(&str, &str); 3] = [
    ("+79161234567", "8 (916) 123-45-67"),
    ("+996555987654", "+996 555 987 654"),
    ("+79037654321", "8-903-765-43-21"),
];

/// A chat name that must not be published.
const CHAT: &str = "Закрытая группа Айбека";

fn ad(k: u64, category: Category, lang: &str) -> (RawDocument, Option<Analysis>) {
    let (e164, written) = PHONES[(k % 3) as usize];
    let text = format!("{PHRASE} №{k}. Звоните {written}");
    let doc = RawDocument {
        text,
        time: Some(OffsetDateTime::from_unix_timestamp(MARCH + k as i64 * 60).expect("time")),
        chat: ChatRef {
            id: Some("-100777".into()),
            name: Some(CHAT.into()),
            kind: Some("private_group".into()),
        },
        author: AuthorRef {
            id: Some("user42".into()),
            name: Some("Айбек Асанов".into()),
        },
        message_id: Some(k.to_string()),
        position: SourcePosition::record(k),
        ..RawDocument::default()
    };
    let mut scores = vec![0.01; Category::ALL.len()];
    scores[category.index()] = 0.9;
    let analysis = Analysis {
        lang: lang.into(),
        script: "Cyrl".into(),
        category,
        genre: Some(Genre::Ad),
        topic: Some(category),
        offer_probability: Some(0.9),
        scores,
        cues: Vec::new(),
        facts: Facts {
            phones: vec![e164.to_owned()],
            promises: vec![Promise::Citizenship],
            money: vec![Money {
                min: Some(210_000.0),
                max: None,
                currency: Some("RUB".into()),
                currency_inferred: false,
                period: Some(Period::Month),
                role: Some(MoneyRole::Salary),
                span: Default::default(),
            }],
            ..Facts::default()
        },
        spans: Vec::new(),
        fingerprint: Vec::new(),
        engine_version: "test-1".into(),
    };
    (doc, Some(analysis))
}

/// Imports `docs` into the harness's store as the file `name`; returns the source id.
fn import(h: &Harness, name: &str, docs: Vec<(RawDocument, Option<Analysis>)>) -> i64 {
    let mut store = Store::open(&h.data_dir()).expect("store");
    let path = h.dir.path().join(name);
    std::fs::write(&path, name).expect("file");
    let blob = store.keep_source_file(&path).expect("kept");
    let mut import = store
        .begin_import(NewSource::new(
            &blob,
            name,
            SourceFormat::TelegramJson,
            "tester",
        ))
        .expect("import");
    let id = import.source_id();
    import.add_batch(&docs).expect("batch");
    import.commit().expect("commit");
    id
}

/// A store with one source of 12 contract ads, 3 PMC ads and 25 disguised military jobs
/// (40 ads), and another source of 50 contract ads that is not chosen unless `both`.
fn harness_with(limits: kuzot_web::Limits) -> (Harness, i64, i64) {
    let h = Harness::with_limits(&[], limits);
    let mut docs = Vec::new();
    for k in 0..12 {
        docs.push(ad(k, Category::MilitaryContract, "ru"));
    }
    for k in 12..15 {
        docs.push(ad(k, Category::Pmc, "ru"));
    }
    for k in 15..40 {
        docs.push(ad(k, Category::DisguisedMilitary, "ru"));
    }
    let chosen = import(&h, "chat-of-aibek.json", docs);
    let other = import(
        &h,
        "other.json",
        (100..150)
            .map(|k| ad(k, Category::MilitaryContract, "ky"))
            .collect(),
    );
    (h, chosen, other)
}

async fn choose(h: &Harness, sources: &[i64]) {
    let admin = h.session("admin");
    let ids: Vec<String> = sources.iter().map(i64::to_string).collect();
    let fields: Vec<(&str, &str)> = ids.iter().map(|id| ("source", id.as_str())).collect();
    let reply = h.post_form("/admin/public", &fields, &admin).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
}

/// GET anonymously in language `lang`.
async fn get(h: &Harness, path: &str, lang: &str) -> Reply {
    let request = axum::http::Request::get(path)
        .header("cookie", format!("kuzot_lang={lang}"))
        .body(axum::body::Body::empty())
        .expect("request");
    h.send(request).await
}

/// The cells of the numbers table of chart `name` on the page, row by row.
fn table_rows(page: &str, name: &str) -> Vec<Vec<String>> {
    let start = page
        .find(&format!("id=\"public-chart-{name}\""))
        .unwrap_or_else(|| panic!("chart {name} on the page"));
    let figure = &page[start..];
    let figure = &figure[..figure.find("</figure>").expect("figure ends")];
    let body = &figure[figure.find("<tbody>").expect("table")..];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td>")
                .skip(1)
                .map(|cell| cell.split("</td>").next().unwrap_or("").to_owned())
                .collect()
        })
        .collect()
}

fn csv_rows(reply: &Reply) -> Vec<Vec<String>> {
    reply
        .text()
        .trim_start_matches('\u{feff}')
        .lines()
        .map(|line| {
            line.split(',')
                .map(|c| c.trim_matches('"').to_owned())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn before_any_choice_the_page_says_so_and_publishes_nothing() {
    let (h, _, _) = harness_with(kuzot_web::Limits::default());
    let page = get(&h, "/public", "en").await;
    assert_eq!(page.status, StatusCode::OK, "anonymous access");
    let text = page.text();
    assert!(text.contains("id=\"public-nothing-chosen\""), "{text}");
    assert!(!text.contains("public-chart-"), "no chart is drawn");
    assert!(
        !text.contains("id=\"public-totals\""),
        "no count is published"
    );
    for file in ["categories.csv", "categories.svg"] {
        let reply = get(&h, &format!("/public/charts/{file}"), "en").await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{file}");
    }
}

#[tokio::test]
async fn the_three_is_withheld_in_the_page_the_csv_and_the_svg_and_no_total_reveals_it() {
    let (h, chosen, _) = harness_with(kuzot_web::Limits::default());
    choose(&h, &[chosen]).await;
    let page = get(&h, "/public", "en").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("40 ads"), "the total of ads is published");
    let rows = table_rows(&text, "categories");
    let cell = |label: &str| {
        rows.iter()
            .find(|r| r[0] == label)
            .unwrap_or_else(|| panic!("row {label} in {rows:?}"))[1]
            .clone()
    };
    assert_eq!(cell("Private military company"), "fewer than 10");
    // 40 − 25 − 0… would give 12 + 3 away if the 12 were shown: it is withheld too.
    assert_eq!(cell("Military contract"), "fewer than 10");
    assert_eq!(cell("Disguised military job"), "25");
    // Every partition chart: the shown cells never let a withheld one be computed from
    // the published total of 40.
    for name in ["categories", "months", "pay", "places", "languages"] {
        let rows = table_rows(&text, name);
        let withheld = rows.iter().filter(|r| r[1] == "fewer than 10").count();
        let shown: u64 = rows
            .iter()
            .filter_map(|r| r[1].replace(',', "").parse::<u64>().ok())
            .sum();
        assert!(
            withheld == 0 || (withheld >= 2 && 40 - shown >= 10),
            "{name}: {rows:?}"
        );
        for r in &rows {
            if let Ok(n) = r[1].replace(',', "").parse::<u64>() {
                assert!(
                    n == 0 || n >= 10,
                    "{name}: a small count is shown: {rows:?}"
                );
            }
        }
    }

    let csv = get(&h, "/public/charts/categories.csv", "en").await;
    assert_eq!(csv.status, StatusCode::OK);
    let csv_rows = csv_rows(&csv);
    let row = |label: &str| {
        csv_rows
            .iter()
            .find(|r| r[0] == label)
            .unwrap_or_else(|| panic!("CSV row {label}: {csv_rows:?}"))
            .clone()
    };
    assert_eq!(row("Private military company")[1], "<10");
    assert_eq!(row("Military contract")[1], "<10");
    assert_eq!(row("Disguised military job")[1], "25");
    assert!(
        !csv_rows
            .iter()
            .any(|r| r.iter().any(|c| c == "3" || c == "12")),
        "{csv_rows:?}"
    );
    // The date of the data travels with it: the newest ad is of 4 March 2024.
    assert_eq!(row("newest ad")[1], "2024-03-04");

    let svg = get(&h, "/public/charts/categories.svg", "en").await;
    assert_eq!(svg.status, StatusCode::OK);
    assert!(svg.header("content-type").starts_with("image/svg+xml"));
    let svg = svg.text();
    assert!(svg.contains("&lt;10 · Private military company"), "{svg}");
    // Six offer categories, two withheld: four bars (zeros included), none for the 3 or 12.
    assert_eq!(svg.matches("class=\"bar\"").count(), 4, "{svg}");
    assert!(!svg.contains(">3<") && !svg.contains(">12<"), "{svg}");
    assert!(!svg.contains(": 3<") && !svg.contains(": 12<"), "{svg}");
    assert!(svg.contains("4 Mar 2024"), "the data's date: {svg}");
}

#[tokio::test]
async fn no_text_phone_chat_or_person_of_the_store_appears_in_any_public_output() {
    let (h, chosen, other) = harness_with(kuzot_web::Limits::default());
    choose(&h, &[chosen, other]).await;
    let mut bodies = Vec::new();
    for lang in ["ky", "ru", "en"] {
        let page = get(&h, "/public", lang).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("public-chart-categories"));
        bodies.push((format!("/public {lang}"), page.text()));
        for name in kuzot_web::pages::public_numbers::CHARTS {
            for ext in ["csv", "svg"] {
                let path = format!("/public/charts/{name}.{ext}");
                let reply = get(&h, &path, lang).await;
                assert_eq!(reply.status, StatusCode::OK, "{path}");
                bodies.push((format!("{path} {lang}"), reply.text()));
            }
        }
    }
    let mut forbidden: Vec<String> = vec![
        PHRASE.to_owned(),
        "Zebrakumquat".to_owned(),
        CHAT.to_owned(),
        "Айбек".to_owned(),
        "-100777".to_owned(),
        "user42".to_owned(),
        "chat-of-aibek".to_owned(),
    ];
    for (e164, written) in PHONES {
        forbidden.push(e164.to_owned());
        forbidden.push(e164.trim_start_matches('+').to_owned());
        forbidden.push(written.to_owned());
    }
    for (what, body) in &bodies {
        for needle in &forbidden {
            assert!(!body.contains(needle.as_str()), "{what} shows {needle:?}");
        }
    }
}

#[tokio::test]
async fn only_the_chosen_sources_count() {
    let (h, chosen, other) = harness_with(kuzot_web::Limits::default());
    choose(&h, &[chosen]).await;
    let page = get(&h, "/public", "en").await.text();
    assert!(page.contains("40 ads"), "one source: 40 ads");
    assert!(!page.contains("90 ads"));
    // Choosing clears the cached counts at once.
    choose(&h, &[chosen, other]).await;
    let page = get(&h, "/public", "en").await.text();
    assert!(page.contains("90 ads"), "both sources: 90 ads");
    let rows = table_rows(&page, "categories");
    let contract = rows
        .iter()
        .find(|r| r[0] == "Military contract")
        .expect("row");
    assert_eq!(contract[1], "62");
    // The other source alone: its 50 Kyrgyz ads.
    choose(&h, &[other]).await;
    let page = get(&h, "/public", "en").await.text();
    assert!(page.contains("50 ads"), "{page}");
    // None: nothing again.
    choose(&h, &[]).await;
    let page = get(&h, "/public", "en").await.text();
    assert!(page.contains("id=\"public-nothing-chosen\""));
}

#[tokio::test]
async fn anonymous_visits_write_nothing_to_the_store() {
    let (h, chosen, _) = harness_with(kuzot_web::Limits::default());
    choose(&h, &[chosen]).await;
    let location = StoreLocation::Sqlite(h.data_dir());
    let count_all = || {
        let store = Store::connect(&location).expect("store");
        let accounts = kuzot_store::open_accounts(&location).expect("accounts");
        let mut counts: Vec<(String, u64)> = EVIDENCE_TABLES
            .iter()
            .map(|t| (t.name.to_owned(), store.count_rows(t).expect("count")))
            .collect();
        counts.push((
            "last change".into(),
            store.last_change().expect("log") as u64,
        ));
        for t in ACCOUNT_TABLES {
            counts.push((t.name.to_owned(), accounts.count_rows(t).expect("count")));
        }
        counts
    };
    let before = count_all();
    for lang in ["ky", "ru", "en"] {
        assert_eq!(get(&h, "/public", lang).await.status, StatusCode::OK);
        for file in ["categories.csv", "pay.svg", "months.csv"] {
            let reply = get(&h, &format!("/public/charts/{file}"), lang).await;
            assert_eq!(reply.status, StatusCode::OK);
        }
    }
    assert_eq!(count_all(), before, "an anonymous visit wrote to the store");
    // An anonymous visitor cannot choose sources.
    let reply = h
        .post_raw("/admin/public", "source=1".to_owned(), None)
        .await;
    assert_ne!(reply.header("location"), "/admin/public?saved=1");
    assert_eq!(count_all(), before);
}

#[tokio::test]
async fn a_flood_gets_429_and_every_answer_carries_the_security_headers() {
    let limits = kuzot_web::Limits {
        public_numbers: kuzot_web::pages::public_numbers::PublicNumbersLimits {
            requests_per_minute: 3,
            ..Default::default()
        },
        ..kuzot_web::Limits::default()
    };
    let (h, chosen, _) = harness_with(limits);
    choose(&h, &[chosen]).await;
    for path in [
        "/public",
        "/public/charts/categories.svg",
        "/public/charts/pay.csv",
    ] {
        let reply = get(&h, path, "en").await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(
            reply
                .header("content-security-policy")
                .contains("default-src 'none'")
        );
        assert_eq!(reply.header("x-content-type-options"), "nosniff");
        assert_eq!(reply.header("x-frame-options"), "DENY");
    }
    let refused = get(&h, "/public", "ru").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = refused.header("retry-after").parse().expect("Retry-After");
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(
        refused
            .header("content-security-policy")
            .contains("default-src 'none'")
    );
    assert!(
        refused.text().contains("lang=\"ru\""),
        "a page in the reader's language"
    );
    let refused = get(&h, "/public/charts/categories.csv", "en").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    // The offer checker and the rights page count apart: a reader who looked at the
    // numbers can still check an offer.
    assert_eq!(get(&h, "/check", "ru").await.status, StatusCode::OK);
    assert_eq!(get(&h, "/rights", "ru").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_threshold_is_a_setting() {
    let limits = kuzot_web::Limits {
        public_numbers: kuzot_web::pages::public_numbers::PublicNumbersLimits {
            min_cell: 2,
            ..Default::default()
        },
        ..kuzot_web::Limits::default()
    };
    let (h, chosen, _) = harness_with(limits);
    choose(&h, &[chosen]).await;
    let page = get(&h, "/public", "en").await.text();
    let rows = table_rows(&page, "categories");
    let pmc = rows
        .iter()
        .find(|r| r[0] == "Private military company")
        .expect("row");
    assert_eq!(pmc[1], "3", "at a threshold of 2 the 3 is shown");
    assert!(
        page.contains("below 2"),
        "the page states the threshold in force"
    );
}

//! The label form as an analyst uses it: facts as rows (no JSON, no byte offsets), and a
//! refused label drawn again with what the analyst sent and why, in the page's language.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Harness, Session};

/// An invented ad: an amount written with a space, a place, a phone.
const AD: &str =
    "Работа охранником, оплата 180 000 руб в месяц.\nОбъект в Мариуполе. Звонить +7 999 555 01 42";

fn harness() -> (Harness, tempfile::TempDir, i64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("ad.txt");
    std::fs::write(&file, AD).expect("write");
    let h = Harness::with_files(&[file]);
    let store = kuzot_store::Store::open(&h.data_dir()).expect("store");
    let mut id = None;
    store
        .for_each_document(&kuzot_store::DocumentFilter::default(), &mut |d| {
            id = Some(d.id);
            Ok(())
        })
        .expect("documents");
    (h, dir, id.expect("the ad is stored"))
}

/// POSTs the label form as `session` with the interface in `lang`.
async fn post_in(
    h: &Harness,
    id: i64,
    fields: &[(&str, &str)],
    session: &Session,
    lang: &str,
) -> common::Reply {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("_csrf", &session.csrf);
    for (k, v) in fields {
        form.append_pair(k, v);
    }
    let request = Request::post(format!("/messages/{id}/label"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(
            header::COOKIE,
            format!("kuzot_session={}; kuzot_lang={lang}", session.cookie),
        )
        .body(Body::from(form.finish()))
        .expect("request");
    h.send(request).await
}

async fn labels(h: &Harness, id: i64) -> Vec<kuzot_store::Label> {
    h.state
        .with_store(move |s| Ok(s.labels_of(id)?))
        .await
        .expect("labels")
}

#[tokio::test]
async fn the_message_page_has_a_row_per_fact_and_no_json_to_edit() {
    let (h, _dir, id) = harness();
    let analyst = h.session("analyst");
    let page = h
        .get(&format!("/messages/{id}"), Some(&analyst))
        .await
        .text();
    assert!(page.contains("name=\"facts-form\""));
    // The engine's amount, shown as a number with its currency and period.
    assert!(page.contains("value=\"180000\""), "{page}");
    assert!(
        page.contains("name=\"f0-currency\" value=\"RUB\""),
        "{page}"
    );
    assert!(page.contains("<option value=\"month\" selected>"), "{page}");
    // Where it is in the text, in words, not as byte offsets.
    assert!(page.contains("«<span lang=\"ru\">180 000"), "{page}");
    // Blank rows to add facts without script, and the JSON only as an empty advanced field.
    assert!(page.contains("<option value=\"\" selected>"));
    assert!(page.contains("<textarea name=\"facts\" rows=\"6\" spellcheck=\"false\"></textarea>"));
}

#[tokio::test]
async fn a_refused_label_keeps_what_the_analyst_sent_and_says_why_in_the_page_language() {
    let (h, _dir, id) = harness();
    let analyst = h.session("analyst");
    let fields = [
        ("facts-form", "1"),
        ("category", "disguised_military"),
        ("note", "zqx the object is at the front"),
        ("f0-kind", "money"),
        ("f0-value", "сто тысяч"),
        ("f0-currency", "RUB"),
        ("f1-kind", "phone"),
        ("f1-value", "+7 999 555 01 42"),
        ("f2-kind", ""),
    ];
    let r = post_in(&h, id, &fields, &analyst, "ky").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text();
    // A whole page in Kyrgyz, with navigation, not a bare error page.
    assert!(body.contains("<html lang=\"ky\">"));
    assert!(body.contains("name=\"viewport\""));
    assert!(body.contains("href=\"/search\""), "no navigation");
    // The language switcher leads back to the message, not to the form's address.
    assert!(
        body.contains(&format!("next=%2Fmessages%2F{id}\"")),
        "{body}"
    );
    // The reason, in Kyrgyz, beside the form.
    assert!(body.contains("id=\"label-error\""));
    assert!(body.contains("1-факт: «сто тысяч» сумма эмес"), "{body}");
    // What was sent is still there.
    assert!(body.contains("<option value=\"disguised_military\" selected>"));
    assert!(body.contains("value=\"zqx the object is at the front\""));
    assert!(body.contains("value=\"сто тысяч\""));
    assert!(body.contains("value=\"+7 999 555 01 42\""));
    assert!(labels(&h, id).await.is_empty(), "nothing refused is stored");

    // A phone the service refuses: the same, in Russian, with the service's reason.
    let bad_phone = [
        ("facts-form", "1"),
        ("category", "pmc"),
        ("note", "zqx second try"),
        ("f0-kind", "phone"),
        ("f0-value", "позвонить Айбеку"),
    ];
    let r = post_in(&h, id, &bad_phone, &analyst, "ru").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text();
    assert!(body.contains("<html lang=\"ru\">"));
    assert!(body.contains("не номер телефона"), "{body}");
    assert!(body.contains("<option value=\"pmc\" selected>"));
    assert!(body.contains("value=\"zqx second try\""));

    // An unknown category (a tampered form) and an over-long note: named, note kept.
    let r = post_in(
        &h,
        id,
        &[("category", "army"), ("note", "zqx third")],
        &analyst,
        "en",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let body = r.text();
    assert!(body.contains("“army” is not a category"), "{body}");
    assert!(body.contains("value=\"zqx third\""));
    let long = "я".repeat(2001);
    let r = post_in(
        &h,
        id,
        &[("category", "pmc"), ("note", &long)],
        &analyst,
        "ru",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("Примечание слишком длинное"));
    assert!(labels(&h, id).await.is_empty());
}

#[tokio::test]
async fn facts_from_rows_are_stored_with_spans_found_in_the_text_or_none() {
    let (h, _dir, id) = harness();
    let analyst = h.session("analyst");
    let r = post_in(
        &h,
        id,
        &[
            ("facts-form", "1"),
            ("category", "disguised_military"),
            // Changed from the engine's: a lump sum the engine missed, written with spaces.
            ("f0-kind", "money"),
            ("f0-value", "180 000"),
            ("f0-currency", "rub"),
            ("f0-period", "one_time"),
            // Removed.
            ("f1-kind", "phone"),
            ("f1-value", "+7 999 555 01 42"),
            ("f1-remove", "1"),
            // Added, not in the text: kept without a span.
            ("f2-kind", "place"),
            ("f2-value", "donetsk_region"),
            ("f2-occupied", "1"),
            // Added, found in the text.
            ("f3-kind", "place"),
            ("f3-value", "мариуполе"),
            ("f4-kind", "org"),
            ("f4-org", "ministry_of_defence"),
            ("f5-kind", "promise"),
            ("f5-promise", "lump_sum"),
            ("f6-kind", ""),
        ],
        &analyst,
        "en",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let stored = labels(&h, id).await;
    let facts = stored[0].facts.clone().expect("the facts were corrected");
    let m = &facts.money[0];
    assert_eq!((m.min, m.max), (Some(180000.0), None));
    assert_eq!(m.currency.as_deref(), Some("RUB"));
    assert_eq!(m.period, Some(kuzot_model::Period::OneTime));
    assert_eq!(&AD[m.span.start..m.span.end], "180 000");
    assert!(facts.phones.is_empty(), "the removed phone is gone");
    assert_eq!(facts.places[0].id, "donetsk_region");
    assert!(facts.places[0].occupied);
    assert_eq!(facts.places[0].span, kuzot_model::Span::default());
    let p = &facts.places[1];
    assert_eq!(&AD[p.span.start..p.span.end], "Мариуполе");
    assert_eq!(facts.orgs, vec![kuzot_model::Org::MinistryOfDefence]);
    assert_eq!(facts.promises, vec![kuzot_model::Promise::LumpSum]);

    // The page now shows the corrected facts in the form.
    let page = h
        .get(&format!("/messages/{id}"), Some(&analyst))
        .await
        .text();
    assert!(page.contains("value=\"donetsk_region\""));
    assert!(page.contains("<option value=\"ministry_of_defence\" selected>"));
}

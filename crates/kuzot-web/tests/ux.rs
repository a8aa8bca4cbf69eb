//! The web application as its users meet it: error pages that are whole pages in the
//! caller's language, filters that stay visible and kept, chart tables that lead to the
//! search behind each row, and the citation block of a message.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Harness, Session};

/// GET as `session` with the interface in `lang`.
async fn get_in(h: &Harness, path: &str, session: &Session, lang: &str) -> common::Reply {
    let request = Request::get(path)
        .header(
            header::COOKIE,
            format!("kuzot_session={}; kuzot_lang={lang}", session.cookie),
        )
        .body(Body::empty())
        .expect("request");
    h.send(request).await
}

/// Reads one message from the store of the harness, with its source.
fn some_message(h: &Harness) -> (kuzot_store::StoredDocument, kuzot_store::SourceRecord) {
    let store = kuzot_store::Store::open(&h.data_dir()).expect("store");
    let mut found = None;
    store
        .for_each_document(
            &kuzot_store::DocumentFilter {
                limit: Some(1),
                ..Default::default()
            },
            &mut |d| {
                found = Some(d.clone());
                Ok(())
            },
        )
        .expect("documents");
    let doc = found.expect("the examples hold messages");
    let source = store
        .source_by_sha256(&doc.source)
        .expect("source")
        .expect("its source is recorded");
    (doc, source)
}

#[tokio::test]
async fn error_pages_are_whole_pages_in_the_callers_language() {
    let h = Harness::new();
    let s = h.session("viewer");
    // (path, status, the Kyrgyz explanation's id)
    let cases = [
        ("/messages/abc", StatusCode::BAD_REQUEST),
        ("/messages/999999999", StatusCode::NOT_FOUND),
        ("/no/such/page", StatusCode::NOT_FOUND),
        ("/search?since=yesterday&page=0", StatusCode::BAD_REQUEST),
    ];
    for (path, status) in cases {
        let r = get_in(&h, path, &s, "ky").await;
        if path.starts_with("/search") {
            // The search page shows its own error inline; it is not an error page.
            continue;
        }
        assert_eq!(r.status, status, "{path}");
        let body = r.text();
        assert!(body.contains("<html lang=\"ky\">"), "{path}: {body}");
        assert!(body.contains("name=\"viewport\""), "{path}");
        assert!(
            body.contains("class=\"langs\""),
            "{path}: no language switcher"
        );
        assert!(body.contains("href=\"/search\""), "{path}: no navigation");
        assert!(body.contains("Ката"), "{path}: not in Kyrgyz: {body}");
        assert!(
            !body.contains("Cannot parse"),
            "{path}: a parser's message leaked"
        );
    }
    let ru = get_in(&h, "/no/such/page", &s, "ru").await;
    assert_eq!(ru.status, StatusCode::NOT_FOUND);
    assert!(ru.text().contains("<html lang=\"ru\">") && ru.text().contains("Ошибка 404"));
    // A 405 (a form's address opened as a link) keeps its Allow header and gets a page.
    let wrong_method = get_in(&h, "/logout", &s, "ky").await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(!wrong_method.header("allow").is_empty());
    assert!(wrong_method.text().contains("<html lang=\"ky\">"));
    // The API keeps answering JSON.
    let api = h
        .send(
            Request::get("/api/v1/messages/999999999")
                .header(header::COOKIE, format!("kuzot_session={}", s.cookie))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert!(
        !api.text().contains("<html"),
        "API error became a page: {}",
        api.text()
    );
}

#[tokio::test]
async fn the_dashboard_shows_and_keeps_every_filter_in_force() {
    let h = Harness::new();
    let s = h.session("viewer");
    let store = kuzot_store::Store::open(&h.data_dir()).expect("store");
    let phone = store
        .shared_phones(1, 1)
        .expect("phones")
        .first()
        .map(|p| p.0.clone())
        .expect("the examples carry a phone number");
    let encoded = phone.replace('+', "%2B");
    let r = h.get(&format!("/?phone={encoded}&lang=ru"), Some(&s)).await;
    assert_eq!(r.status, StatusCode::OK);
    let body = r.text();
    // Shown, as chips with a way to remove each.
    assert!(body.contains("id=\"active-filters\""), "{body}");
    assert!(body.contains(&format!("<strong>{phone}</strong>")));
    assert!(
        body.contains("href=\"/?lang=ru\""),
        "no link that drops the phone"
    );
    // Kept by "Apply": the form has no field for them, so they travel as hidden inputs.
    assert!(body.contains(&format!(
        "<input type=\"hidden\" name=\"phone\" value=\"{phone}\">"
    )));
    assert!(body.contains("<input type=\"hidden\" name=\"lang\" value=\"ru\">"));
    // Category chips narrow the filters in force instead of replacing them.
    let chips: Vec<&str> = body
        .split("<a class=\"cat cat-")
        .skip(1)
        .filter_map(|chip| chip.split('>').next())
        .collect();
    assert!(!chips.is_empty(), "no category chips");
    for chip in chips {
        assert!(
            chip.contains(&format!("phone={encoded}")),
            "chip drops the phone: {chip}"
        );
    }
}

#[tokio::test]
async fn genre_and_topic_are_fields_of_the_dashboard_and_search_forms() {
    let h = Harness::new();
    let s = h.session("viewer");
    for path in [
        "/?genre=report&topic=pmc",
        "/search?q=zqx&genre=report&topic=pmc",
    ] {
        let body = h.get(path, Some(&s)).await.text();
        // Each is a visible choice with the value in force selected, so "Apply" keeps it.
        assert!(body.contains("<select name=\"genre\">"), "{path}");
        assert!(body.contains("<select name=\"topic\">"), "{path}");
        assert!(
            body.contains("<option value=\"report\" selected>"),
            "{path}"
        );
        let topic = body.split("<select name=\"topic\">").nth(1).unwrap_or("");
        let topic = topic.split("</select>").next().unwrap_or("");
        assert!(topic.contains("<option value=\"pmc\" selected>"), "{path}");
        assert!(!body.contains("type=\"hidden\" name=\"genre\""), "{path}");
        assert!(!body.contains("type=\"hidden\" name=\"topic\""), "{path}");
    }
}

#[tokio::test]
async fn source_formats_are_named_in_the_page_language() {
    let h = Harness::new();
    let s = h.session("analyst");
    let sources = get_in(&h, "/sources", &s, "ru").await.text();
    assert!(
        sources.contains(">Сохранённая веб-страница</td>"),
        "{sources}"
    );
    assert!(sources.contains(">Telegram (JSON)</td>"));
    assert!(!sources.contains("web_page") && !sources.contains("telegram_json"));
    let imports = get_in(&h, "/imports", &s, "ky").await.text();
    assert!(imports.contains("<option value=\"web_page\">Сакталган веб-барак</option>"));
}

#[tokio::test]
async fn shared_phones_have_a_page_linking_each_to_its_search() {
    let h = Harness::new();
    let s = h.session("viewer");
    let store = kuzot_store::Store::open(&h.data_dir()).expect("store");
    let shared = store.shared_phones(2, 500).expect("phones");
    assert!(!shared.is_empty(), "the examples share a phone number");
    let page = get_in(&h, "/phones", &s, "ru").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = page.text();
    assert!(body.contains("Общие номера телефонов"));
    for (phone, n) in &shared {
        let encoded = phone.replace('+', "%2B");
        assert!(
            body.contains(&format!("href=\"/search?phone={encoded}\"")),
            "{phone}"
        );
        assert!(
            body.contains(&format!("<td class=\"num\">{n}</td>")),
            "{phone}: {n}"
        );
    }
    // Reached from the sources page.
    let sources = get_in(&h, "/sources", &s, "ru").await.text();
    assert!(sources.contains("href=\"/phones\""));
}

#[tokio::test]
async fn the_api_is_described_on_a_page_linked_from_the_account_page() {
    let h = Harness::new();
    let s = h.session("viewer");
    let account = get_in(&h, "/account", &s, "ky").await.text();
    assert!(account.contains("href=\"/account/api\""));
    let docs = get_in(&h, "/account/api", &s, "ky").await;
    assert_eq!(docs.status, StatusCode::OK);
    let body = docs.text();
    assert!(body.contains("<html lang=\"ky\">"));
    // Every operation of the OpenAPI document, with its method and path.
    let doc: serde_json::Value =
        serde_json::from_str(&h.get("/api/v1/openapi.json", None).await.text()).expect("json");
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 5);
    for (path, item) in paths {
        for method in item.as_object().expect("methods").keys() {
            let shown = format!("<code>{} /api/v1{}</code>", method.to_uppercase(), path);
            assert!(body.contains(&shown), "{shown} missing");
        }
    }
}

#[tokio::test]
async fn every_numbers_table_row_links_to_its_search() {
    let h = Harness::new();
    let s = h.session("viewer");
    let body = h.get("/", Some(&s)).await.text();
    for chart in kuzot_web::pages::dashboard::CHARTS {
        let start = body
            .find(&format!("id=\"chart-{chart}\""))
            .unwrap_or_else(|| panic!("{chart} missing"));
        let figure = &body[start..];
        let figure = &figure[..figure.find("</figure>").expect("figure closes")];
        let tbody = &figure[figure.find("<tbody>").expect("table")..];
        let rows = tbody.matches("<tr>").count();
        let links = tbody.matches("<td><a href=\"/search?").count();
        assert!(rows > 0, "{chart}: an empty table cannot show its links");
        assert_eq!(rows, links, "{chart}: {rows} rows but {links} links");
    }
    // Each chart is drawn for a desktop and, with ids of its own, for a phone's width.
    for chart in kuzot_web::pages::dashboard::CHARTS {
        let start = body
            .find(&format!("id=\"chart-{chart}\""))
            .unwrap_or_else(|| panic!("{chart} missing"));
        let figure = &body[start..];
        let figure = &figure[..figure.find("</figure>").expect("figure closes")];
        let narrow = &figure[figure.find("plot-narrow").expect("narrow drawing")..];
        assert!(
            narrow.contains("viewBox=\"0 0 340 ") && figure.contains("viewBox=\"0 0 800 "),
            "{chart}: not drawn at both widths"
        );
    }
    // A week row opens that week's messages, and the search finds them.
    let weekly = &body[body.find("id=\"chart-weekly\"").expect("weekly")..];
    let href = weekly
        .split("<td><a href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a week link")
        .replace("&amp;", "&");
    assert!(href.contains("since=") && href.contains("until="), "{href}");
    let found = h.get(&href, Some(&s)).await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(
        found.text().contains("href=\"/messages/"),
        "{href} finds nothing"
    );
}

#[tokio::test]
async fn the_cite_block_carries_the_facts_of_the_message_and_matches_the_cli_text() {
    let h = Harness::new();
    let s = h.session("viewer");
    let (doc, source) = some_message(&h);
    let r = h.get(&format!("/messages/{}", doc.id), Some(&s)).await;
    assert_eq!(r.status, StatusCode::OK);
    let body = r.text();
    // The full hash, whole, in the provenance and in the citation.
    assert_eq!(source.sha256.len(), 64);
    assert!(
        body.matches(&source.sha256).count() >= 2,
        "the full SHA-256 is not shown twice"
    );
    // The citation is the shared function's text (what `kuzot cite` prints), with the
    // address the page was reached at.
    let expected = kuzot_web::cite::citation(
        &doc,
        Some(&source),
        "http://127.0.0.1:8080",
        kuzot_web::cite::CitationLang::En,
    );
    let escaped = expected
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;");
    assert!(
        body.contains(&escaped),
        "citation differs:\n{expected}\n---\n{body}"
    );
    assert!(expected.contains(&format!("record {}", doc.position.index + 1)));
    assert!(expected.contains(&source.original_name));
    assert!(expected.contains(&kuzot_web::cite::whole_seconds(&source.imported_at)));
    // A Kyrgyz or Russian reader gets the citation in the page's language, the same text
    // as `kuzot cite --lang`, with the identifiers unchanged.
    for (accept, lang, position) in [
        ("ky", kuzot_web::cite::CitationLang::Ky, "Файлдагы орду"),
        ("ru", kuzot_web::cite::CitationLang::Ru, "Место в файле"),
    ] {
        let request = axum::http::Request::get(format!("/messages/{}", doc.id))
            .header(
                axum::http::header::COOKIE,
                format!("kuzot_session={}", s.cookie),
            )
            .header(axum::http::header::ACCEPT_LANGUAGE, accept)
            .body(axum::body::Body::empty())
            .expect("request");
        let body = h.send(request).await.text();
        let expected =
            kuzot_web::cite::citation(&doc, Some(&source), "http://127.0.0.1:8080", lang);
        assert!(expected.contains(position), "{expected}");
        assert!(expected.contains(&source.sha256) && !expected.contains("Source file"));
        let escaped = expected.replace('&', "&amp;").replace('"', "&quot;");
        assert!(
            body.contains(&escaped),
            "{accept} citation differs:\n{expected}"
        );
        assert!(body.contains(&format!("lang=\"{accept}\" tabindex=\"0\">")));
    }
}

#[test]
fn a_citation_says_when_no_operator_was_recorded() {
    let doc = kuzot_store::StoredDocument {
        id: 7,
        source: "ab".repeat(32),
        source_name: "result.json".into(),
        format: "telegram_json".into(),
        kind: "message".into(),
        chat: Some("Private person".into()),
        author: Some("anon-1".into()),
        author_name: None,
        time: Some("2024-03-01T10:00:00Z".into()),
        message_id: Some("42".into()),
        reply_to: None,
        forwarded_from: None,
        title: None,
        url: None,
        text: "text".into(),
        position: kuzot_model::SourcePosition {
            index: 0,
            line: Some(3),
            byte_offset: Some(120),
        },
        category: None,
        lang: None,
        cluster: None,
    };
    let text = kuzot_web::cite::citation(
        &doc,
        None,
        "http://kuzot.example/",
        kuzot_web::cite::CitationLang::En,
    );
    assert!(text.contains("Position in the file: record 1, line 3, byte offset 120"));
    assert!(text.contains("Message id in the export: 42"));
    assert!(text.contains("Address: http://kuzot.example/messages/7"));
    assert!(!text.contains("Private person") && !text.contains("anon-1"));
}

#[tokio::test]
async fn a_channel_post_names_its_channel_once() {
    let h = Harness::new();
    let s = h.session("viewer");
    let store = kuzot_store::Store::open(&h.data_dir()).expect("store");
    let mut post = None;
    store
        .for_each_document(&kuzot_store::DocumentFilter::default(), &mut |d| {
            if post.is_none() && d.author.is_some() && d.author == d.chat {
                post = Some(d.clone());
            }
            Ok(())
        })
        .expect("documents");
    let post = post.expect("the examples hold a channel post signed by its channel");
    let chat = post.chat.clone().expect("chat");
    let body = h
        .get(&format!("/messages/{}", post.id), Some(&s))
        .await
        .text();
    let meta = &body[body.find("<div class=\"meta\">").expect("meta")..];
    let meta = &meta[..meta.find("</div>").expect("meta closes")];
    let escaped = chat
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    assert_eq!(meta.matches(escaped.as_str()).count(), 1, "{meta}");
}

/// The drawing of chart `chart` on a dashboard page.
fn chart_svg<'a>(page: &'a str, chart: &str) -> &'a str {
    let figure = &page[page
        .find(&format!("id=\"chart-{chart}\""))
        .unwrap_or_else(|| panic!("{chart} missing"))..];
    let svg = &figure[figure.find("<svg").expect("svg")..];
    &svg[..svg.find("</svg>").expect("svg closes")]
}

/// The hrefs of the marks of a drawing, unescaped, each checked to carry a name.
fn mark_hrefs(svg: &str) -> Vec<String> {
    svg.split("<a class=\"mark-link\" href=\"")
        .skip(1)
        .map(|rest| {
            let (href, after) = rest.split_once('"').expect("href closes");
            assert!(
                after.starts_with(" aria-label=\"") && !after.starts_with(" aria-label=\"\""),
                "a mark link without a name: {href}"
            );
            href.replace("&amp;", "&")
        })
        .collect()
}

#[tokio::test]
async fn every_chart_mark_links_to_the_search_it_counts_with_the_filters_in_force() {
    let h = Harness::new();
    let s = h.session("viewer");
    let body = h.get("/", Some(&s)).await.text();
    for chart in kuzot_web::pages::dashboard::CHARTS {
        let svg = chart_svg(&body, chart);
        let hrefs = mark_hrefs(svg);
        assert!(!hrefs.is_empty(), "{chart}: no mark is a link");
        assert!(
            svg.contains("role=\"group\""),
            "{chart}: a chart of links must not hide them in an image"
        );
        for href in &hrefs {
            assert!(href.starts_with("/search?"), "{chart}: {href}");
        }
    }
    // A bar of the weekly chart opens its week and its category, and finds its messages.
    let weekly = mark_hrefs(chart_svg(&body, "weekly"));
    let first = &weekly[0];
    assert!(
        first.contains("since=") && first.contains("until=") && first.contains("category="),
        "{first}"
    );
    let found = h.get(first, Some(&s)).await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(
        found.text().contains("href=\"/messages/"),
        "{first} finds nothing"
    );
    // So does a pay box: the messages of its category that offer a monthly pay.
    let pay = mark_hrefs(chart_svg(&body, "pay"));
    assert!(pay[0].contains("min_pay=0"), "{}", pay[0]);
    let found = h.get(&pay[0], Some(&s)).await;
    assert!(
        found.text().contains("href=\"/messages/"),
        "{} finds nothing",
        pay[0]
    );

    // With filters in force that the form has no field for, every mark keeps them.
    let filtered = h.get("/?lang=ru&min_pay=1", Some(&s)).await.text();
    let mut seen = 0;
    for chart in kuzot_web::pages::dashboard::CHARTS {
        for href in mark_hrefs(chart_svg(&filtered, chart)) {
            assert!(
                href.contains("lang=ru") && href.contains("min_pay=1"),
                "{chart}: {href} drops a filter"
            );
            seen += 1;
        }
    }
    assert!(seen > 0, "no links to check with the filters in force");

    // A genre set in the address is a filter in force like the others: shown as a chip,
    // kept by "Apply", by the category chips and by every mark.
    let ads = get_in(&h, "/?genre=ad", &s, "en").await.text();
    assert!(ads.contains("Genre: <strong>Ad</strong>"), "no genre chip");
    // A field of the form now, with the genre in force chosen.
    assert!(ads.contains("<option value=\"ad\" selected>"));
    let chips: Vec<&str> = ads
        .split("<a class=\"cat cat-")
        .skip(1)
        .filter_map(|chip| chip.split('>').next())
        .collect();
    assert!(
        !chips.is_empty() && chips.iter().all(|c| c.contains("genre=ad")),
        "{chips:?}"
    );
    let ad_marks = mark_hrefs(chart_svg(&ads, "weekly"));
    assert!(
        !ad_marks.is_empty() && ad_marks.iter().all(|h| h.contains("genre=ad")),
        "{ad_marks:?}"
    );

    // The chart served as a file links to the same searches.
    let file = h.get("/charts/weekly.svg?lang=ru", Some(&s)).await.text();
    let file_links = mark_hrefs(&file);
    let page_links = mark_hrefs(chart_svg(
        &h.get("/?lang=ru", Some(&s)).await.text(),
        "weekly",
    ));
    assert!(!file_links.is_empty());
    assert_eq!(file_links, page_links);
}

#[tokio::test]
async fn the_share_chart_shows_n_and_the_pay_chart_says_how_monthly_pay_was_made() {
    let h = Harness::new();
    let s = h.session("viewer");
    let body = get_in(&h, "/", &s, "en").await.text();
    let share = chart_svg(&body, "share");
    assert!(share.contains("class=\"count-heading\""), "no row of n");
    assert!(share.contains("(n = "), "no n in the points' tooltips");
    assert!(share.contains("Hollow points: fewer than 5"), "{share}");
    let pay = chart_svg(&body, "pay");
    assert!(pay.contains("class=\"count-heading\""), "no n per box");
    assert!(
        pay.contains("pay per day or per shift × 30, per hour × 240"),
        "{pay}"
    );
    // No chart of counts has a fractional tick.
    for chart in ["weekly", "channels", "places"] {
        let svg = chart_svg(&body, chart);
        for tick in svg.split("class=\"tick-label\"").skip(1) {
            let text = tick
                .split('>')
                .nth(1)
                .and_then(|t| t.split('<').next())
                .unwrap_or("");
            assert!(
                !text.contains('.') || text.chars().any(char::is_alphabetic),
                "{chart}: fractional tick {text:?}"
            );
        }
    }
    // The share table gives n too.
    let share_figure = &body[body.find("id=\"chart-share\"").expect("share")..];
    let share_figure = &share_figure[..share_figure.find("</figure>").expect("closes")];
    assert!(share_figure.contains("<th>n</th>"), "no n column");
}

#[tokio::test]
async fn the_audit_log_reads_in_the_callers_language_and_keeps_user_given_values() {
    let h = Harness::new();
    let (doc, _) = some_message(&h);
    let analyst = h.session("analyst");
    let admin = h.session("admin");
    // Actions that write kuzot's own wording: a label, a token, a failed login.
    let r = h
        .post_form(
            &format!("/messages/{}/label", doc.id),
            &[("category", "job_other")],
            &analyst,
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.text());
    let r = h
        .post_form("/account/tokens", &[("name", "nightly export")], &analyst)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    h.state
        .accounts
        .audit("-", "login_failed", "account \"nobody\"")
        .expect("audit");
    // An entry in a wording this version does not know stays as written.
    h.state
        .accounts
        .audit("admin", "future_action", "as written then")
        .expect("audit");

    for (lang, labelled, token) in [
        ("ky", "Билдирүүгө белги коюлду", "API токени түзүлдү"),
        ("ru", "Метка сообщения", "Создан API-токен"),
    ] {
        let page = get_in(&h, "/admin/audit", &admin, lang).await.text();
        assert!(
            page.contains(&format!("\">{labelled}</td>")),
            "{lang}: {page}"
        );
        assert!(page.contains(&format!("\">{token}</td>")), "{lang}: {page}");
        // The token's name is the analyst's value and stays as given.
        assert!(page.contains("&#34;nightly export&#34;"), "{lang}: {page}");
        assert!(page.contains("&#34;nobody&#34;"), "{lang}: {page}");
        for english in [
            "engine said",
            "token_created",
            "login_failed",
            ">label<",
            "account &#34;",
        ] {
            assert!(!page.contains(english), "{lang}: {english:?} in {page}");
        }
        assert!(page.contains("future_action") && page.contains("as written then"));
    }
}

#[tokio::test]
async fn a_pdf_page_is_cited_and_shown_by_its_page_number() {
    let h = Harness::new();
    let s = h.session("viewer");
    let store = kuzot_store::Store::open(&h.data_dir()).expect("store");
    let mut pages = Vec::new();
    store
        .for_each_document(&kuzot_store::DocumentFilter::default(), &mut |d| {
            if d.format == "pdf" {
                pages.push(d.clone());
            }
            Ok(())
        })
        .expect("documents");
    pages.sort_by_key(|d| d.position.index);
    // The example report has two pages of text: one document each, in page order.
    assert_eq!(pages.len(), 2, "{pages:?}");
    let second = &pages[1];
    assert!(second.text.contains("Рекомендации"), "{}", second.text);
    let text = kuzot_web::cite::citation(
        second,
        None,
        "http://kuzot.example",
        kuzot_web::cite::CitationLang::En,
    );
    assert!(text.contains("Position in the file: page 2"), "{text}");
    for (lang, words) in [("en", "page 2"), ("ru", "страница 2"), ("ky", "2-бет")] {
        let body = get_in(&h, &format!("/messages/{}", second.id), &s, lang)
            .await
            .text();
        assert!(
            body.contains(words),
            "{lang}: no {words:?} on the message page"
        );
    }
}

#[tokio::test]
async fn a_visitor_without_an_account_finds_the_public_pages_from_the_login_page() {
    let h = Harness::new();
    for (lang, check) in [
        ("en", "Check a job offer"),
        ("ru", "Проверить предложение о работе"),
        ("ky", "Жумуш сунушун текшерүү"),
    ] {
        let request = Request::get("/login")
            .header(header::COOKIE, format!("kuzot_lang={lang}"))
            .body(Body::empty())
            .expect("request");
        let body = h.send(request).await.text();
        for href in ["href=\"/check\"", "href=\"/rights\"", "href=\"/public\""] {
            assert!(body.contains(href), "{lang}: no {href} on the login page");
        }
        assert!(body.contains(check), "{lang}: {body}");
    }
}

#[tokio::test]
async fn a_refused_filter_is_explained_in_the_readers_language() {
    let h = Harness::new();
    let s = h.session("viewer");
    for (lang, expected) in [
        ("ky", "«Баштап»: дата ЖЖЖЖ-АА-КК түрүндө болушу керек"),
        ("ru", "«С»: нужна дата в виде ГГГГ-ММ-ДД"),
        ("en", "“From”: expected a date as YYYY-MM-DD"),
    ] {
        let page = get_in(&h, "/search?q=x&since=yesterday", &s, lang).await;
        let body = page.text();
        assert!(body.contains(expected), "{lang}: {body}");
        assert!(
            body.contains("yesterday"),
            "{lang}: the value given is quoted"
        );
    }
    let dashboard = get_in(&h, "/?category=%3Cx%3E", &s, "ky").await;
    assert_eq!(dashboard.status, StatusCode::BAD_REQUEST);
    let body = dashboard.text();
    assert!(
        body.contains("<span lang=\"ky\">«Категория»: «&#60;x&#62;» деген маани белгисиз"),
        "{body}"
    );
}

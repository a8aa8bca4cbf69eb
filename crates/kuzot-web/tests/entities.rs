//! Entity pages (phones, organisations, places, channels) and source-file pages, driven
//! in-process: they list the right documents, say so when there are none, and the original
//! file is a download for analysts only.

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use common::Harness;
use kuzot_store::DocumentFilter;

/// Ids of the messages a page links to (`/messages/{id}`).
fn linked_ids(html: &str) -> BTreeSet<i64> {
    html.split("href=\"/messages/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter_map(|id| id.parse().ok())
        .collect()
}

fn store_ids(h: &Harness, filter: DocumentFilter) -> BTreeSet<i64> {
    let store = kuzot_store::Store::open(&h.data_dir()).expect("store");
    let mut ids = BTreeSet::new();
    store
        .for_each_document(&filter, &mut |d| {
            ids.insert(d.id);
            Ok(())
        })
        .expect("documents");
    ids
}

#[tokio::test]
async fn a_phone_page_lists_the_ads_with_that_phone() {
    // Two ads in two chats with one number, as recruiters repost them.
    let extra = tempfile::tempdir().expect("tempdir");
    let chat = extra.path().join("WhatsApp Chat with Ish Moskva.txt");
    std::fs::write(
        &chat,
        "[04.05.24, 12:00:00] Vakansiya: Qo‘riqchi kerak, oyiga 200 000 rubl. Tel +7 900 555-41-17\n\
         [05.05.24, 09:30:00] Dilshod: Ombor ishchisi kerak, Podolsk. Aloqa: 8 (900) 555 41 17\n",
    )
    .expect("write");
    let h = Harness::with_files(&[common::examples_dir(), chat]);
    let viewer = h.session("viewer");
    let (phone, n) = {
        let store = kuzot_store::Store::open(&h.data_dir()).expect("store");
        store
            .shared_phones(2, 1)
            .expect("phones")
            .into_iter()
            .next()
            .expect("two ads share a phone")
    };
    let expected = store_ids(
        &h,
        DocumentFilter {
            phone: Some(phone.clone()),
            ..DocumentFilter::default()
        },
    );
    assert_eq!(expected.len() as u64, n);
    let path = format!("/phones/{}", kuzot_web::render::path_segment(&phone));
    let r = h.get(&path, Some(&viewer)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert_eq!(linked_ids(&html), expected, "{html}");
    assert!(html.contains(&phone));
    assert!(html.contains("id=\"chart-weekly\""), "weekly chart drawn");
    assert!(html.contains("<svg"));
    let search_link = format!(
        "/search?phone={}",
        form_urlencoded::byte_serialize(phone.as_bytes()).collect::<String>()
    );
    assert!(
        html.contains(&search_link.replace('&', "&amp;")) || html.contains(&search_link),
        "{search_link}"
    );
    // The search page with that link finds the same documents.
    let s = h.get(&search_link, Some(&viewer)).await.text();
    assert_eq!(linked_ids(&s), expected);

    // An unknown number: a page saying so.
    let r = h.get("/phones/%2B70000000000", Some(&viewer)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("id=\"entity-empty\""));
    assert!(linked_ids(&r.text()).is_empty());
    // Logged out: to the login page.
    assert!(h.get(&path, None).await.status.is_redirection());
    // Too long: not found, no panic.
    let long = format!("/phones/{}", "9".repeat(400));
    assert_eq!(
        h.get(&long, Some(&viewer)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_channel_page_takes_any_unicode_name() {
    let h = Harness::new();
    let viewer = h.session("viewer");
    // The chat with the most documents.
    let mut counts = std::collections::BTreeMap::<String, u64>::new();
    {
        let store = kuzot_store::Store::open(&h.data_dir()).expect("store");
        store
            .for_each_document(&DocumentFilter::default(), &mut |d| {
                if let Some(c) = d.chat {
                    *counts.entry(c).or_default() += 1;
                }
                Ok(())
            })
            .expect("documents");
    }
    let unicode = counts
        .keys()
        .find(|c| !c.is_ascii())
        .cloned()
        .expect("a chat with a non-ASCII name");
    let expected = store_ids(
        &h,
        DocumentFilter {
            chat: Some(unicode.clone()),
            ..DocumentFilter::default()
        },
    );
    let path = format!("/channels/{}", kuzot_web::render::path_segment(&unicode));
    let r = h.get(&path, Some(&viewer)).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
    let html = r.text();
    let listed = linked_ids(&html);
    assert!(!listed.is_empty());
    assert!(listed.is_subset(&expected), "{listed:?} ⊄ {expected:?}");
    assert_eq!(
        listed.len(),
        expected.len().min(kuzot_web::filters::PAGE_SIZE)
    );
    assert!(html.contains(&kuzot_web::render::escape(&unicode)));
}

/// Message ids in the order a page links to them, each once.
fn linked_ids_in_order(html: &str) -> Vec<i64> {
    let mut ids: Vec<i64> = Vec::new();
    for id in html
        .split("href=\"/messages/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter_map(|id| id.parse().ok())
    {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

#[tokio::test]
async fn a_channel_page_pages_newest_first() {
    // A channel with more posts than a page holds, written out of time order so that
    // neither file order nor row ids give the newest-first order by accident.
    let page = kuzot_web::filters::PAGE_SIZE;
    let posts = page + 7;
    let extra = tempfile::tempdir().expect("tempdir");
    let export = extra.path().join("result.json");
    let messages: Vec<String> = (0..posts)
        .map(|n| {
            // Days 0, 7, 14, … modulo the count: a permutation while 7 does not divide the
            // count (checked below).
            let day = (n * 7) % posts;
            let time = 1_704_067_200 + day as i64 * 86_400;
            let date = time::OffsetDateTime::from_unix_timestamp(time).expect("time");
            let d = format!(
                "{:04}-{:02}-{:02}T12:00:00",
                date.year(),
                u8::from(date.month()),
                date.day()
            );
            let id = n + 1;
            format!(
                "{{\"id\": {id}, \"type\": \"message\", \"date\": \"{d}\", \"date_unixtime\": \"{time}\", \
                 \"from\": \"Пагинация\", \"from_id\": \"channel9\", \"text\": \"пост номер {id} день {day}\"}}"
            )
        })
        .collect();
    std::fs::write(
        &export,
        format!(
            "{{\n \"name\": \"Пагинация\",\n \"type\": \"public_channel\",\n \"id\": 9,\n \"messages\": [\n{}\n ]\n}}",
            messages.join(",\n")
        ),
    )
    .expect("write");
    let h = Harness::with_files(&[export]);
    let viewer = h.session("viewer");

    let mut newest_first: Vec<(String, i64)> = Vec::new();
    {
        let store = kuzot_store::Store::open(&h.data_dir()).expect("store");
        store
            .for_each_document(&DocumentFilter::default(), &mut |d| {
                newest_first.push((d.time.clone().expect("time"), d.id));
                Ok(())
            })
            .expect("documents");
    }
    assert_eq!(newest_first.len(), posts);
    let distinct: BTreeSet<&String> = newest_first.iter().map(|(t, _)| t).collect();
    assert_eq!(distinct.len(), posts, "two posts share a time");
    // RFC 3339 UTC times sort as text.
    newest_first.sort_by(|a, b| b.cmp(a));
    let expected: Vec<i64> = newest_first.iter().map(|(_, id)| *id).collect();
    let mut by_id = expected.clone();
    by_id.sort_unstable_by(|a, b| b.cmp(a));
    assert_ne!(
        expected, by_id,
        "the fixture's order would not catch ordering by id"
    );

    let base = format!("/channels/{}", kuzot_web::render::path_segment("Пагинация"));
    let one = h.get(&base, Some(&viewer)).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text());
    let page2 = h.get(&format!("{base}?page=2"), Some(&viewer)).await.text();
    assert!(page2.contains("rel=\"prev\""));
    assert_eq!(linked_ids_in_order(&one.text()), expected[..page]);
    assert_eq!(linked_ids_in_order(&page2), expected[page..]);
}

#[tokio::test]
async fn org_and_place_pages_list_their_documents() {
    let h = Harness::new();
    let viewer = h.session("viewer");
    // Find an org and a place from the index's own facts.
    let all = h.get("/search/export.jsonl", Some(&viewer)).await.text();
    let rows: Vec<serde_json::Value> = all
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let org = rows
        .iter()
        .find_map(|r| r["orgs"][0].as_str().map(str::to_owned))
        .expect("an ad naming an organisation");
    let place = rows
        .iter()
        .find_map(|r| r["places"][0].as_str().map(str::to_owned))
        .expect("an ad naming a place");
    for (prefix, field, value) in [("orgs", "orgs", &org), ("places", "places", &place)] {
        let expected: BTreeSet<i64> = rows
            .iter()
            .filter(|r| {
                r[field]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|v| v == value.as_str()))
            })
            .filter_map(|r| r["id"].as_i64())
            .collect();
        let r = h.get(&format!("/{prefix}/{value}"), Some(&viewer)).await;
        assert_eq!(r.status, StatusCode::OK);
        let listed = linked_ids(&r.text());
        assert!(
            listed.is_subset(&expected) && !listed.is_empty(),
            "{prefix}/{value}"
        );
        assert_eq!(
            listed.len(),
            expected.len().min(kuzot_web::filters::PAGE_SIZE)
        );
    }
}

#[tokio::test]
async fn sources_are_listed_and_their_files_downloaded_by_analysts_only() {
    let h = Harness::new();
    let viewer = h.session("viewer");
    let analyst = h.session("analyst");
    let sources = {
        let store = kuzot_store::Store::open(&h.data_dir()).expect("store");
        store.sources().expect("sources")
    };
    assert!(sources.len() >= 3);

    let r = h.get("/sources", Some(&viewer)).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    for s in &sources {
        // The table shows the hash's head, with the whole of it in the title and on the
        // source's page it links to; the file name may break after its dots.
        let short = format!(
            "<code class=\"hash-short\" title=\"{}\">{}…</code>",
            s.sha256,
            &s.sha256[..12]
        );
        assert!(html.contains(&short), "{}", s.original_name);
        assert!(html.contains(&format!("href=\"/sources/{}\"", s.id)));
        let name = kuzot_web::render::breakable_html(&s.original_name);
        assert!(html.contains(&name), "{name}");
        let page = h.get(&format!("/sources/{}", s.id), Some(&viewer)).await;
        assert!(
            page.text().contains(&format!(
                "<code class=\"hash\" id=\"source-hash\">{}",
                s.sha256
            )),
            "the source page shows the whole hash"
        );
    }
    assert!(h.get("/sources", None).await.status.is_redirection());

    let source = sources
        .iter()
        .find(|s| s.original_name.ends_with(".json"))
        .or(sources.first())
        .expect("a source");
    let page = h
        .get(&format!("/sources/{}", source.id), Some(&viewer))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let page_html = page.text();
    assert!(page_html.contains(&format!("/search?source={}", source.sha256)));
    assert!(
        !page_html.contains("id=\"source-download\""),
        "no download link for a viewer"
    );
    let as_analyst = h
        .get(&format!("/sources/{}", source.id), Some(&analyst))
        .await
        .text();
    assert!(as_analyst.contains("id=\"source-download\""));
    assert_eq!(
        h.get("/sources/999999", Some(&viewer)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.get("/sources/x", Some(&viewer)).await.status,
        StatusCode::NOT_FOUND
    );

    let file = format!("/sources/{}/file", source.id);
    assert_eq!(
        h.get(&file, Some(&viewer)).await.status,
        StatusCode::FORBIDDEN
    );
    let r = h.get(&file, Some(&analyst)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "application/octet-stream");
    assert!(r.header("content-disposition").starts_with("attachment;"));
    assert_eq!(r.bytes.len() as u64, source.size);
    use sha2::Digest as _;
    assert_eq!(hex::encode(sha2::Sha256::digest(&r.bytes)), source.sha256);
    assert_eq!(r.header("accept-ranges"), "bytes");
    let etag = r.header("etag");
    assert_eq!(etag, format!("\"{}\"", source.sha256));

    // A broken download resumes: the two parts join into the file exactly.
    let ranged = |range: String, if_range: Option<String>| {
        let mut request = axum::http::Request::get(&file)
            .header("cookie", format!("kuzot_session={}", analyst.cookie))
            .header("range", range);
        if let Some(v) = if_range {
            request = request.header("if-range", v);
        }
        request.body(axum::body::Body::empty()).expect("request")
    };
    let cut = source.size / 3;
    let head = h.send(ranged(format!("bytes=0-{}", cut - 1), None)).await;
    assert_eq!(head.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        head.header("content-range"),
        format!("bytes 0-{}/{}", cut - 1, source.size)
    );
    assert_eq!(head.bytes.len() as u64, cut);
    let tail = h
        .send(ranged(format!("bytes={cut}-"), Some(etag.clone())))
        .await;
    assert_eq!(tail.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        tail.header("content-length"),
        (source.size - cut).to_string()
    );
    let joined = [head.bytes.clone(), tail.bytes].concat();
    assert_eq!(joined, r.bytes);
    // Another file's validator: the whole file again, not a part of this one.
    let stale = h
        .send(ranged(format!("bytes={cut}-"), Some("\"0000\"".into())))
        .await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(stale.bytes, r.bytes);
    let beyond = h
        .send(ranged(format!("bytes={}-", source.size), None))
        .await;
    assert_eq!(beyond.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        beyond.header("content-range"),
        format!("bytes */{}", source.size)
    );
    assert!(
        !beyond.text().contains("error-explain"),
        "the 416 page explains itself: {}",
        beyond.text()
    );
}

#[tokio::test]
async fn rejected_records_show_on_the_source_page() {
    let extra = tempfile::tempdir().expect("tempdir");
    // A Telegram export with one good message and one that is not a message object.
    let path = extra.path().join("result.json");
    std::fs::write(
        &path,
        r#"{"name": "Тест <канал>", "type": "public_channel", "id": 42, "messages": [
            {"id": 1, "type": "message", "date": "2024-05-01T10:00:00", "date_unixtime": "1714557600", "from": "X", "from_id": "user1", "text": "Охрана на объект, звоните"},
            {"id": 2, "type": "message", "date": "not a date", "text": 17}
        ]}"#,
    )
    .expect("write");
    let h = Harness::with_files(&[path]);
    let viewer = h.session("viewer");
    let sources = {
        let store = kuzot_store::Store::open(&h.data_dir()).expect("store");
        store.sources().expect("sources")
    };
    let source = sources.first().expect("imported");
    let html = h
        .get(&format!("/sources/{}", source.id), Some(&viewer))
        .await
        .text();
    // The fixture's second message has a broken date: it is rejected, and listed.
    assert_eq!(source.rejected, 1, "{source:?}");
    assert!(html.contains("<table class=\"rejected cards\">"), "{html}");
    // Markup in names is escaped: the page is there, names the channel, and has no tag.
    let channel = h
        .get(
            &format!(
                "/channels/{}",
                kuzot_web::render::path_segment("Тест <канал>")
            ),
            Some(&viewer),
        )
        .await;
    assert_eq!(channel.status, StatusCode::OK);
    let channel = channel.text();
    assert!(channel.contains("Тест &#60;канал&#62;"), "{channel}");
    assert!(!channel.contains("<канал>"));
}

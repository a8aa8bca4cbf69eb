//! The JSON API and the search exports, driven in-process through the router: each route
//! with an API token and with a session cookie, what is refused, labels and imports through
//! the API, the OpenAPI document, and exports that stay inert in a spreadsheet.

mod common;

use std::io::Read as _;
use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Harness, Reply, Session};

/// A hostile message: a spreadsheet formula, markup, and a word to find it by.
const HOSTILE: &str =
    "=HYPERLINK(\"http://evil.example/x\",\"нажми\") zqxhostile вакансия <b>охрана</b>";

/// A WhatsApp export with the hostile message, written into `dir`.
fn hostile_chat(dir: &std::path::Path) -> PathBuf {
    let path = dir.join("WhatsApp Chat with Hostile test.txt");
    let text = format!(
        "[03.05.24, 09:00:00] Recruiter: {HOSTILE}\n[03.05.24, 09:05:00] Recruiter: Оплата 250 000 рублей в месяц, звоните +7 900 555 48 61 zqxsecond\n"
    );
    std::fs::write(&path, text).expect("write chat");
    path
}

fn harness_with_hostile() -> (Harness, tempfile::TempDir) {
    let extra = tempfile::tempdir().expect("tempdir");
    let chat = hostile_chat(extra.path());
    (Harness::with_files(&[common::examples_dir(), chat]), extra)
}

/// A token that may write (label, import) as far as `role` allows.
fn token(h: &Harness, role: &str) -> String {
    let user = h
        .state
        .accounts
        .authenticate(role, common::PASSWORD)
        .expect("accounts")
        .expect("user");
    h.state
        .accounts
        .create_scoped_api_token(user.id, "test", kuzot_web::accounts::TokenScope::Write)
        .expect("token")
}

async fn any_message_id(h: &Harness, s: &Session) -> i64 {
    let r = h.get("/api/v1/search?limit=5", Some(s)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["hits"][0]["id"].as_i64().expect("a hit")
}

async fn post_json(
    h: &Harness,
    path: &str,
    body: &serde_json::Value,
    token: Option<&str>,
    session: Option<&Session>,
    csrf: bool,
) -> Reply {
    let mut r = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if let Some(s) = session {
        r = r.header(header::COOKIE, format!("kuzot_session={}", s.cookie));
        if csrf {
            r = r.header("x-csrf-token", &s.csrf);
        }
    }
    h.send(r.body(Body::from(body.to_string())).expect("request"))
        .await
}

async fn upload_with_token(
    h: &Harness,
    path: &str,
    file_name: &str,
    bytes: &[u8],
    token: &str,
) -> Reply {
    let (content_type, body) = common::multipart_file(file_name, bytes);
    let r = Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    h.send(r.body(Body::from(body)).expect("request")).await
}

#[tokio::test]
async fn every_read_route_answers_with_a_token_and_with_a_cookie() {
    let h = Harness::new();
    let viewer = h.session("viewer");
    let viewer_token = token(&h, "viewer");
    let id = any_message_id(&h, &viewer).await;
    for path in [
        "/api/v1/search?q=&limit=3".to_owned(),
        format!("/api/v1/messages/{id}"),
        format!("/api/v1/messages/{id}/facts"),
        format!("/api/v1/messages/{id}/labels"),
        "/api/v1/stats".to_owned(),
    ] {
        let by_cookie = h.get(&path, Some(&viewer)).await;
        let by_token = h.get_with_token(&path, &viewer_token).await;
        assert_eq!(
            by_cookie.status,
            StatusCode::OK,
            "{path}: {}",
            by_cookie.text()
        );
        assert_eq!(
            by_token.status,
            StatusCode::OK,
            "{path}: {}",
            by_token.text()
        );
        assert!(
            by_token
                .header("content-type")
                .starts_with("application/json"),
            "{path}"
        );
        assert_eq!(by_cookie.json(), by_token.json(), "{path}");
        // Without credentials: 401, as JSON.
        let anonymous = h.get(&path, None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(anonymous.json()["status"], 401);
    }

    let search = h
        .get_with_token("/api/v1/search?limit=3", &viewer_token)
        .await
        .json();
    assert!(search["total"].as_u64().is_some_and(|t| t >= 3));
    let hit = &search["hits"][0];
    assert!(
        hit["id"].is_i64() && hit["category"].is_string() && hit["snippet"]["text"].is_string()
    );
    assert!(hit["snippet"]["highlights"].is_array());

    let m = h
        .get_with_token(&format!("/api/v1/messages/{id}"), &viewer_token)
        .await
        .json();
    assert_eq!(m["document"]["id"], id);
    assert_eq!(
        m["provenance"]["source_sha256"].as_str().map(str::len),
        Some(64)
    );
    assert!(m["provenance"]["record"].is_u64());
    assert!(m["analysis"]["engine_version"].is_string());
    assert!(m["analysis"]["facts"].is_object());
    assert!(m.get("label").is_some() && m.get("cluster").is_some());

    let stats = h
        .get_with_token("/api/v1/stats", &viewer_token)
        .await
        .json();
    assert!(stats["stats"]["documents"].as_u64().is_some_and(|n| n > 0));
    assert!(
        stats["categories"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );
    assert_eq!(stats["labelled"], 0);

    // Bad input is a JSON 4xx, never a panic or an HTML page.
    for (path, status) in [
        ("/api/v1/messages/999999999", StatusCode::NOT_FOUND),
        ("/api/v1/messages/abc", StatusCode::NOT_FOUND),
        ("/api/v1/search?category=%3Cx%3E", StatusCode::BAD_REQUEST),
        ("/api/v1/search?limit=100000", StatusCode::BAD_REQUEST),
        ("/api/v1/imports/77", StatusCode::FORBIDDEN),
    ] {
        let r = h.get_with_token(path, &viewer_token).await;
        assert_eq!(r.status, status, "{path}: {}", r.text());
        assert_eq!(r.json()["status"], status.as_u16());
    }
    let revoked = h.get_with_token("/api/v1/stats", "kzt_not_a_token").await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn labels_through_the_api_are_refused_to_viewers_and_seen_by_everyone() {
    let h = Harness::new();
    let viewer = h.session("viewer");
    let analyst = h.session("analyst");
    let viewer_token = token(&h, "viewer");
    let analyst_token = token(&h, "analyst");
    let id = any_message_id(&h, &viewer).await;
    let path = format!("/api/v1/messages/{id}/labels");
    let body = serde_json::json!({"category": "pmc", "note": "checked by hand"});

    // A viewer may not label, with a token or with a cookie.
    let r = post_json(&h, &path, &body, Some(&viewer_token), None, false).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert_eq!(r.json()["status"], 403);
    let r = post_json(&h, &path, &body, None, Some(&viewer), true).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Nobody without credentials.
    let r = post_json(&h, &path, &body, None, None, false).await;
    assert!(
        matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
        "{}",
        r.status
    );
    // A cookie without the CSRF header is refused even for an analyst.
    let r = post_json(&h, &path, &body, None, Some(&analyst), false).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Bad bodies.
    for bad in [
        serde_json::json!({"category": "soldier"}),
        serde_json::json!({"note": "no category"}),
        serde_json::json!({"category": "pmc", "facts": {"phones": "not a list"}}),
    ] {
        let r = post_json(&h, &path, &bad, Some(&analyst_token), None, false).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.text());
    }
    let r = post_json(
        &h,
        "/api/v1/messages/999999999/labels",
        &body,
        Some(&analyst_token),
        None,
        false,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        h.get_with_token(&path, &viewer_token).await.json()["labels"],
        serde_json::json!([])
    );

    // An analyst with a token labels it.
    let r = post_json(&h, &path, &body, Some(&analyst_token), None, false).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let saved = r.json();
    assert_eq!(saved["category"], "pmc");
    assert_eq!(saved["labelled_by"], "analyst");

    // And with a cookie plus the CSRF header, correcting the facts.
    let facts = serde_json::json!({"money": [], "places": [], "phones": ["+79990002233"], "orgs": ["wagner"], "promises": []});
    let corrected = serde_json::json!({"category": "military_contract", "facts": facts});
    let r = post_json(&h, &path, &corrected, None, Some(&analyst), true).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

    let labels = h.get_with_token(&path, &viewer_token).await.json();
    assert_eq!(labels["labels"].as_array().map(Vec::len), Some(2));
    assert_eq!(labels["labels"][0]["note"], "checked by hand");
    let m = h
        .get(&format!("/api/v1/messages/{id}"), Some(&viewer))
        .await
        .json();
    assert_eq!(m["label"]["category"], "military_contract");
    assert_eq!(m["category"], "military_contract");
    let f = h
        .get(&format!("/api/v1/messages/{id}/facts"), Some(&viewer))
        .await
        .json();
    assert_eq!(f["from"], "label");
    assert_eq!(f["facts"]["orgs"][0], "wagner");
    // The label is in force in search too.
    let s = h
        .get_with_token(
            "/api/v1/search?category=military_contract&org=wagner&limit=1000",
            &viewer_token,
        )
        .await
        .json();
    let ids: Vec<i64> = s["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["id"].as_i64())
        .collect();
    assert!(ids.contains(&id), "{s}");
    assert_eq!(
        h.get_with_token("/api/v1/stats", &viewer_token)
            .await
            .json()["labelled"],
        1
    );
}

#[tokio::test]
async fn an_import_through_the_api_finishes_and_is_searchable() {
    let h = Harness::new();
    let analyst_token = token(&h, "analyst");
    let viewer_token = token(&h, "viewer");
    let chat = "[04.05.24, 12:00:00] Vakansiya: zqxapiimport qo‘riqchi kerak, oyiga 200 000 rubl\n";

    let refused = upload_with_token(
        &h,
        "/api/v1/imports",
        "chat.txt",
        chat.as_bytes(),
        &viewer_token,
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let not_multipart = post_json(
        &h,
        "/api/v1/imports",
        &serde_json::json!({}),
        Some(&analyst_token),
        None,
        false,
    )
    .await;
    assert_eq!(
        not_multipart.status,
        StatusCode::BAD_REQUEST,
        "{}",
        not_multipart.text()
    );

    let r = upload_with_token(
        &h,
        "/api/v1/imports",
        "WhatsApp Chat with Vakansiya.txt",
        chat.as_bytes(),
        &analyst_token,
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let job = r.json()["job"].as_u64().expect("job id");
    let done = h.wait_for_job(job).await;
    assert_eq!(done["state"], "done", "{done}");

    let status = h
        .get_with_token(&format!("/api/v1/imports/{job}"), &analyst_token)
        .await;
    assert_eq!(status.status, StatusCode::OK);
    assert_eq!(status.json()["state"], "done");
    assert_eq!(
        h.get_with_token("/api/v1/imports/999", &analyst_token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // With a cookie the status route answers the same.
    let analyst = h.session("analyst");
    assert_eq!(
        h.get(&format!("/api/v1/imports/{job}"), Some(&analyst))
            .await
            .json()["state"],
        "done"
    );

    let found = h
        .get_with_token("/api/v1/search?q=zqxapiimport", &viewer_token)
        .await
        .json();
    assert_eq!(found["total"], 1, "{found}");
    let snippet = &found["hits"][0]["snippet"];
    let text = snippet["text"].as_str().expect("text");
    let [start, end] = [
        &snippet["highlights"][0]["start"],
        &snippet["highlights"][0]["end"],
    ]
    .map(|v| v.as_u64().expect("offset") as usize);
    assert_eq!(text.get(start..end), Some("zqxapiimport"));

    // Cookie-authenticated upload needs the CSRF header (the harness sends it).
    let r = h
        .upload(
            "/api/v1/imports",
            "WhatsApp Chat with Other.txt",
            b"[05.05.24, 12:00:00] X: zqxcookieimport\n",
            &analyst,
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_and_every_route_is_served() {
    let h = Harness::new();
    // Public: no credentials needed.
    let r = h.get("/api/v1/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                documented.push((method.to_owned(), path.clone()));
            }
        }
    }
    documented.sort();
    let mut routes: Vec<(String, String)> = kuzot_web::api::ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    routes.sort();
    assert_eq!(documented, routes);
    // Every route the list names is served by the router (not 404/405 for its method).
    let admin = token(&h, "admin");
    for (method, path) in kuzot_web::api::ROUTES {
        let uri = format!("/api/v1{}", path.replace("{id}", "1"));
        let mut r = Request::builder()
            .method(method.to_ascii_uppercase().as_str())
            .uri(&uri)
            .header(header::AUTHORIZATION, format!("Bearer {admin}"));
        if *method == "post" {
            r = r.header(header::CONTENT_TYPE, "application/json");
        }
        let reply = h.send(r.body(Body::from("{}")).expect("request")).await;
        assert_ne!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {uri}"
        );
        if reply.status == StatusCode::NOT_FOUND {
            // Only a JSON "not found" of the resource, never the router's empty 404.
            assert_eq!(reply.json()["status"], 404, "{method} {uri}");
        }
    }
}

fn sheet_strings(xlsx: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("xlsx is a zip");
    let mut all = String::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("entry");
        let name = file.name().expect("entry name").into_owned();
        if name.starts_with("xl/") && name.ends_with(".xml") {
            let mut s = String::new();
            file.read_to_string(&mut s).expect("utf-8 xml");
            all.push_str(&s);
        }
    }
    all
}

#[tokio::test]
async fn exports_hold_every_match_and_stay_inert_in_spreadsheets() {
    let (h, _extra) = harness_with_hostile();
    let viewer = h.session("viewer");

    let csv = h
        .get("/search/export.csv?q=zqxhostile", Some(&viewer))
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text());
    assert!(csv.header("content-type").starts_with("text/csv"));
    let cd = csv.header("content-disposition");
    assert!(
        cd.starts_with("attachment; filename=\"kuzot-search-") && cd.ends_with(".csv\""),
        "{cd}"
    );
    let text = csv.text();
    assert!(text.starts_with('\u{feff}'), "BOM for Excel");
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().expect("header").clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        kuzot_service::EXPORT_COLUMNS.to_vec()
    );
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows");
    assert_eq!(rows.len(), 1);
    let row = rows.first().expect("row");
    for cell in row.iter() {
        assert!(
            !cell.starts_with(['=', '+', '-', '@']),
            "unguarded cell {cell:?}"
        );
    }
    let text_column = headers
        .iter()
        .position(|h| h == "text")
        .expect("text column");
    assert_eq!(row.get(text_column), Some(format!("'{HOSTILE}").as_str()));
    let sha_column = headers
        .iter()
        .position(|h| h == "source_sha256")
        .expect("source_sha256 column");
    assert_eq!(row.get(sha_column).map(str::len), Some(64));

    // All matches, not one page: the export of everything holds as many rows as the store.
    let all = h.get("/api/v1/search?limit=1", Some(&viewer)).await.json()["total"]
        .as_u64()
        .expect("total");
    assert!(all > 25, "the examples hold more than one page");
    let jsonl = h.get("/search/export.jsonl", Some(&viewer)).await;
    assert_eq!(jsonl.status, StatusCode::OK);
    assert!(jsonl.header("content-disposition").ends_with(".jsonl\""));
    let lines: Vec<serde_json::Value> = jsonl
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len() as u64, all);
    let hostile = lines
        .iter()
        .find(|l| l["text"] == HOSTILE)
        .expect("hostile line kept exactly");
    assert!(hostile["source_sha256"].is_string() && hostile["record"].is_u64());
    let paid = h
        .get("/search/export.jsonl?q=zqxsecond", Some(&viewer))
        .await
        .text();
    let paid: serde_json::Value = serde_json::from_str(paid.trim()).expect("one line");
    assert_eq!(paid["monthly_pay_rub"], 250_000.0, "{paid}");
    assert_eq!(paid["phones"][0], "+79005554861");

    let xlsx = h
        .get("/search/export.xlsx?q=zqxhostile", Some(&viewer))
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.bytes.starts_with(b"PK"));
    assert!(xlsx.header("content-disposition").ends_with(".xlsx\""));
    let xml = sheet_strings(&xlsx.bytes);
    assert!(xml.contains("zqxhostile"), "the text is in the sheet");
    assert!(xml.contains("=HYPERLINK("), "written as the string itself");
    assert!(!xml.contains("<f>"), "no formula cell");

    assert_eq!(
        h.get("/search/export.pdf", Some(&viewer)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.get("/search/export.csv?since=yesterday", Some(&viewer))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let anonymous = h.get("/search/export.csv", None).await;
    assert!(anonymous.status.is_redirection(), "{}", anonymous.status);
}

/// A label posted as JSON with a token, asking for answers in `lang`.
async fn label_in(
    h: &Harness,
    path: &str,
    body: &serde_json::Value,
    token: &str,
    lang: &str,
) -> Reply {
    let r = Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::ACCEPT_LANGUAGE, lang);
    h.send(r.body(Body::from(body.to_string())).expect("request"))
        .await
}

#[tokio::test]
async fn label_facts_are_checked_and_refused_with_422_in_the_users_language() {
    let h = Harness::new();
    let viewer = h.session("viewer");
    let analyst_token = token(&h, "analyst");
    let id = any_message_id(&h, &viewer).await;
    let path = format!("/api/v1/messages/{id}/labels");
    let with_facts = |facts: serde_json::Value| {
        let mut all = serde_json::json!({"money": [], "places": [], "phones": [], "orgs": [], "promises": []});
        for (k, v) in facts.as_object().expect("facts object") {
            all[k] = v.clone();
        }
        serde_json::json!({"category": "pmc", "facts": all})
    };
    // More facts than a label takes, in a body well under the API's body limit.
    let a_thousand: Vec<String> = (0..1_000).map(|k| format!("+7900{k:07}")).collect();
    let refused = [
        (
            with_facts(serde_json::json!({"phones": a_thousand})),
            ("at most 200 are accepted", "принимается не больше 200"),
        ),
        (
            with_facts(serde_json::json!({"phones": ["call Aibek"]})),
            ("is not a phone number", "не номер телефона"),
        ),
        (
            with_facts(serde_json::json!({"places": [{"id": " ", "occupied": false}]})),
            ("A place has no name", "У места нет названия"),
        ),
        (
            with_facts(serde_json::json!({"places": [{"id": "я".repeat(101), "occupied": false}]})),
            ("A place name has 101 characters", "символов: 101"),
        ),
        (
            with_facts(serde_json::json!({"places": [
                {"id": "mariupol", "occupied": true, "span": {"start": 0, "end": 1_000_000}}
            ]})),
            ("outside the message's text", "вне текста сообщения"),
        ),
    ];
    for (body, (english, russian)) in &refused {
        for (lang, expected) in [("en", english), ("ru", russian)] {
            let r = label_in(&h, &path, body, &analyst_token, lang).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
            let message = r.json()["error"].as_str().unwrap_or("").to_owned();
            assert!(message.contains(*expected), "{lang}: {message}");
            assert!(message.len() < 500, "the answer echoes the whole input");
        }
    }
    // Nothing refused was stored.
    let labels = h.get(&path, Some(&viewer)).await.json();
    assert_eq!(labels["labels"], serde_json::json!([]), "{labels}");

    // The page's form says it in the page's language.
    let analyst = h.session("analyst");
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("_csrf", &analyst.csrf)
        .append_pair("category", "pmc")
        .append_pair(
            "facts",
            &with_facts(serde_json::json!({"phones": ["call Aibek"]}))["facts"].to_string(),
        )
        .finish();
    let request = Request::post(format!("/messages/{id}/label"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(
            header::COOKIE,
            format!("kuzot_session={}; kuzot_lang=ky", analyst.cookie),
        )
        .body(Body::from(form))
        .expect("request");
    let page = h.send(request).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text().contains("телефон номери эмес"),
        "{}",
        page.text()
    );

    // A phone written as people write it is stored as the engine writes it.
    let r = label_in(
        &h,
        &path,
        &with_facts(serde_json::json!({"phones": ["+7 (999) 000-22-33", "89990002233"]})),
        &analyst_token,
        "en",
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let f = h
        .get(&format!("/api/v1/messages/{id}/facts"), Some(&viewer))
        .await
        .json();
    assert_eq!(
        f["facts"]["phones"],
        serde_json::json!(["+79990002233"]),
        "{f}"
    );
}

//! HTTP tests of the core pages: login and setup, search, message, dashboard and charts,
//! language, imports, security headers, and hostile message text rendered inert.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Harness, PASSWORD};

#[tokio::test]
async fn anonymous_visitors_are_sent_to_the_login_page() {
    let h = Harness::new();
    for path in ["/", "/search?q=x", "/messages/1", "/review", "/admin/users"] {
        let r = h.get(path, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert!(r.header("location").starts_with("/login?next="), "{path}");
    }
    let api = h.get("/api/v1/search?q=x", None).await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn login_sets_an_httponly_samesite_cookie_and_logout_ends_it() {
    let h = Harness::new();
    // The login page hands out a pre-login CSRF cookie that the form must echo.
    let page = h.get("/login", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let set = page.header("set-cookie");
    let csrf = set
        .split(';')
        .next()
        .and_then(|c| c.strip_prefix("kuzot_csrf="))
        .expect("csrf cookie")
        .to_owned();
    assert!(page.text().contains(&csrf));
    let form = |password: &str| {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("_csrf", &csrf)
            .append_pair("name", "analyst")
            .append_pair("password", password)
            .append_pair("next", "/search")
            .finish()
    };
    let post = |body: String, with_cookie: bool| {
        let mut r = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if with_cookie {
            r = r.header(header::COOKIE, format!("kuzot_csrf={csrf}"));
        }
        r.body(Body::from(body)).expect("request")
    };
    // Without the cookie the echoed token proves nothing.
    assert_eq!(
        h.send(post(form(PASSWORD), false)).await.status,
        StatusCode::FORBIDDEN
    );
    let wrong = h.send(post(form("not the password"), true)).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let ok = h.send(post(form(PASSWORD), true)).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.header("location"), "/search");
    let cookie = ok.header("set-cookie");
    assert!(cookie.starts_with("kuzot_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let token = cookie
        .split(';')
        .next()
        .and_then(|c| c.strip_prefix("kuzot_session="))
        .expect("value")
        .to_owned();
    let session = h.state.accounts.session(&token).expect("db").expect("live");
    let s = common::Session {
        cookie: token.clone(),
        csrf: session.csrf,
    };
    assert_eq!(h.get("/search", Some(&s)).await.status, StatusCode::OK);
    let out = h.post_form("/logout", &[], &s).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(h.state.accounts.session(&token).expect("db").is_none());
    let log = h.state.accounts.audit_log(10).expect("audit");
    assert!(
        log.iter()
            .any(|e| e.action == "login" && e.actor == "analyst")
    );
    assert!(log.iter().any(|e| e.action == "login_failed"));
}

#[tokio::test]
async fn repeated_failed_logins_are_throttled() {
    let h = Harness::new();
    let page = h.get("/login", None).await;
    let csrf = page
        .header("set-cookie")
        .split(';')
        .next()
        .and_then(|c| c.strip_prefix("kuzot_csrf="))
        .expect("csrf")
        .to_owned();
    let mut last = StatusCode::OK;
    for i in 0..7 {
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("_csrf", &csrf)
            .append_pair("name", "viewer")
            .append_pair(
                "password",
                if i < 6 { "guess guess guess" } else { PASSWORD },
            )
            .finish();
        let r = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("kuzot_csrf={csrf}"))
            .body(Body::from(body))
            .expect("request");
        last = h.send(r).await.status;
    }
    // Even the right password is refused while the account is locked.
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_setup_link_creates_the_first_admin_once() {
    let h = Harness::with_files(&[]);
    // The harness made accounts; a fresh accounts file is what a first start sees.
    let dir = tempfile::tempdir().expect("tempdir");
    let accounts = kuzot_web::accounts::Accounts::open(dir.path()).expect("accounts");
    let link = accounts.create_setup_link().expect("link");
    drop(accounts);
    let _ = h;
    let options = kuzot_web::ServeOptions {
        database: None,
        data_dir: dir.path().to_owned(),
        listen: "127.0.0.1:0".parse().expect("addr"),
        secure_cookies: false,
        rates: kuzot_model::RateTable::default(),
        operator: "t".into(),
        limits: kuzot_web::Limits::default(),
        analysis_by_workers: false,
    };
    let state = kuzot_web::open_state(&options).expect("state");
    let app = kuzot_web::app(state.clone());
    let h2 = Harness { dir, state, app };
    let page = h2.get(&format!("/setup/{link}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page
        .header("set-cookie")
        .split(';')
        .next()
        .and_then(|c| c.strip_prefix("kuzot_csrf="))
        .expect("csrf")
        .to_owned();
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("_csrf", &csrf)
        .append_pair("name", "aida")
        .append_pair("password", "a long enough password")
        .finish();
    let post = || {
        Request::post(format!("/setup/{link}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("kuzot_csrf={csrf}"))
            .body(Body::from(body.clone()))
            .expect("request")
    };
    let done = h2.send(post()).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    // The admin lands on the login form, told that the account now exists.
    assert_eq!(done.header("location"), "/login?created=1");
    let login = h2.get("/login?created=1", None).await.text();
    assert!(login.contains("id=\"account-created\""), "{login}");
    assert!(
        !h2.get("/login", None)
            .await
            .text()
            .contains("id=\"account-created\""),
        "the notice only follows setup"
    );
    let admin = h2.state.accounts.users().expect("users");
    assert_eq!(admin.len(), 1);
    assert_eq!(admin[0].role, kuzot_web::accounts::Role::Admin);
    // The link is burnt.
    assert_eq!(h2.send(post()).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        h2.get(&format!("/setup/{link}"), None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn every_page_carries_a_strict_content_security_policy() {
    let h = Harness::new();
    let s = h.session("viewer");
    for path in [
        "/",
        "/search?q=охрана",
        "/login",
        "/messages/1",
        "/static/app.css",
    ] {
        let r = h.get(path, Some(&s)).await;
        let csp = r.header("content-security-policy");
        assert!(
            csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(r.header("x-content-type-options"), "nosniff");
        assert_eq!(r.header("x-frame-options"), "DENY");
    }
}

#[tokio::test]
async fn search_finds_stemmed_words_and_marks_them() {
    let h = Harness::new();
    let s = h.session("viewer");
    let search = |q: &str| format!("/search?q={}&limit=100", urlencoding(q));
    // "охранникам" is written in none of the examples: only its family is (охрана,
    // охранники, Kyrgyz охранага, Uzbek Latin oxrana), and every one of them is found
    // and marked.
    let r = h.get(&search("охранникам"), Some(&s)).await;
    assert_eq!(r.status, StatusCode::OK);
    let body = r.text();
    for written in ["охрана", "охранники", "охранага", "oxrana"] {
        assert!(
            body.contains(&format!("<mark>{written}</mark>")),
            "{written} not found and marked in {body}"
        );
    }
    assert!(
        body.contains("id=\"families\""),
        "the widening is not shown"
    );
    // Both forms of the noun find the same messages.
    let ids = |body: &str| {
        let mut ids: Vec<String> = body
            .split("href=\"/messages/")
            .skip(1)
            .filter_map(|rest| rest.split('"').next().map(str::to_owned))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let guard = ids(&h.get(&search("охрана"), Some(&s)).await.text());
    let guardsman = ids(&h.get(&search("охранник"), Some(&s)).await.text());
    assert!(guard.len() >= 5, "{guard:?}");
    assert_eq!(guard, guardsman);
    let bad = h.get("/search?since=yesterday", Some(&s)).await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.text().contains("YYYY-MM-DD"));
}

/// Percent-encodes a query value (every byte outside unreserved ASCII).
fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn the_dashboard_draws_every_chart_with_its_numbers() {
    let h = Harness::new();
    let s = h.session("viewer");
    let r = h.get("/", Some(&s)).await;
    assert_eq!(r.status, StatusCode::OK);
    let body = r.text();
    for chart in kuzot_web::pages::dashboard::CHARTS {
        assert!(body.contains(&format!("id=\"chart-{chart}\"")), "{chart}");
        let svg = h.get(&format!("/charts/{chart}.svg"), Some(&s)).await;
        assert_eq!(svg.status, StatusCode::OK);
        assert!(svg.text().starts_with("<svg"), "{chart}");
        let csv = h.get(&format!("/charts/{chart}.csv"), Some(&s)).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.header("content-disposition").contains("attachment"));
        // A header and at least one row of numbers: the examples have data for every chart.
        assert!(csv.text().lines().count() >= 2, "{chart}: {}", csv.text());
    }
    assert!(body.matches("<svg").count() >= 5);
    assert_eq!(
        h.get("/charts/nope.svg", Some(&s)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_interface_switches_to_kyrgyz_and_russian() {
    let h = Harness::new();
    let s = h.session("viewer");
    let r = h.get("/lang/ky?next=/search", Some(&s)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.header("set-cookie").starts_with("kuzot_lang=ky"));
    assert_eq!(r.header("location"), "/search");
    let page = |lang: &'static str| {
        Request::get("/search")
            .header(
                header::COOKIE,
                format!("kuzot_session={}; kuzot_lang={lang}", s.cookie),
            )
            .body(Body::empty())
            .expect("request")
    };
    let ky = h.send(page("ky")).await.text();
    assert!(ky.contains("lang=\"ky\"") && ky.contains("Издөө"));
    let ru = h.send(page("ru")).await.text();
    assert!(ru.contains("lang=\"ru\"") && ru.contains("Найти"));
    // An open redirect through the switcher is refused.
    let evil = h.get("/lang/en?next=//evil.example", Some(&s)).await;
    assert_eq!(evil.header("location"), "/");
}

#[tokio::test]
async fn a_message_page_shows_facts_provenance_and_takes_a_label() {
    let h = Harness::new();
    let id = first_with_phone(&h);
    let viewer = h.session("viewer");
    let r = h.get(&format!("/messages/{id}"), Some(&viewer)).await;
    assert_eq!(r.status, StatusCode::OK);
    let body = r.text();
    assert!(
        body.contains("class=\"fact fact-phone\""),
        "phone marked in place"
    );
    // The source file's full hash itself, not the label beside it.
    let store = kuzot_store::Store::open(&h.data_dir()).expect("store");
    let hash = store.document(id).expect("read").expect("stored").source;
    assert_eq!(hash.len(), 64);
    assert!(
        body.contains(&format!(">{hash}</code>")),
        "no full SHA-256 in the provenance"
    );
    assert!(body.contains("/phones/"));
    // A viewer sees no label form and cannot post one.
    assert!(!body.contains("id=\"label-form\""));
    let refused = h
        .post_form(
            &format!("/messages/{id}/label"),
            &[("category", "pmc")],
            &viewer,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let analyst = h.session("analyst");
    // Without the CSRF token the label is refused.
    let no_csrf = h
        .post_raw(
            &format!("/messages/{id}/label"),
            "category=pmc".into(),
            Some(&analyst),
        )
        .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    let ok = h
        .post_form(
            &format!("/messages/{id}/label"),
            &[
                ("category", "pmc"),
                ("note", "checked against the channel zqxnote"),
            ],
            &analyst,
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let after = h
        .get(&format!("/messages/{id}"), Some(&analyst))
        .await
        .text();
    assert!(
        after.contains("checked against the channel zqxnote"),
        "the note is shown"
    );
    let labels = h
        .state
        .with_store(move |s| Ok(s.labels_of(id)?))
        .await
        .expect("labels");
    assert_eq!(labels.len(), 1);
    assert_eq!(labels[0].labelled_by, "analyst");
    // The search index now has the label's category.
    let found = h.get("/search?category=pmc", Some(&analyst)).await.text();
    assert!(found.contains(&format!("href=\"/messages/{id}\"")));
    let missing = h.get("/messages/999999", Some(&analyst)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

fn first_with_phone(h: &Harness) -> i64 {
    let store = kuzot_store::Store::open(&h.data_dir()).expect("store");
    let phones = store.shared_phones(1, 1).expect("phones");
    let phone = phones
        .first()
        .map(|p| p.0.clone())
        .expect("the examples carry a phone number");
    let mut id = None;
    store
        .for_each_document(
            &kuzot_store::DocumentFilter {
                phone: Some(phone),
                limit: Some(1),
                ..Default::default()
            },
            &mut |d| {
                id = Some(d.id);
                Ok(())
            },
        )
        .expect("documents");
    id.expect("a document")
}

const HOSTILE: &str = "Требуются охранники <script>alert('xss')</script> \
    <img src=x onerror=alert(1)> \"><svg onload=alert(2)> javascript:alert(3) \
    {{7*7}} ${7*7} зарплата 200000 руб +7 999 123-45-67";

#[tokio::test]
async fn hostile_text_from_an_import_renders_inert_everywhere() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir
        .path()
        .join("hostile <img src=x onerror=alert(9)> chat.txt");
    std::fs::write(&file, HOSTILE).expect("write");
    let h = Harness::with_files(&[file]);
    let s = h.session("analyst");
    let search = h
        .get(
            "/search?q=%D0%BE%D1%85%D1%80%D0%B0%D0%BD%D0%BD%D0%B8%D0%BA%D0%B8",
            Some(&s),
        )
        .await
        .text();
    let id = search
        .split("href=\"/messages/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|n| n.parse::<i64>().ok())
        .expect("the hostile message is found");
    let message_page = h.get(&format!("/messages/{id}"), Some(&s)).await.text();
    assert!(
        message_page.contains("&lt;script&gt;"),
        "the text is shown, escaped"
    );
    assert_inert("/search?q=охранники", &search);

    // Every route of the router, as an admin (who may see every page), with hostile text
    // where the path takes a name: the stored text and the reflected path must both stay
    // inert. A new route with a placeholder this list does not know fails here.
    let admin = h.session("admin");
    let source_id = {
        let store = kuzot_store::Store::open(&h.data_dir()).expect("store");
        store.sources().expect("sources")[0].id
    };
    let hostile_segment = kuzot_web::render::path_segment("<script>alert(5)</script>");
    let mut visited = 0;
    let mut not_pages: Vec<String> = Vec::new();
    for pattern in common::routes_in_source() {
        let path = match pattern.as_str() {
            "/charts/{file}" => "/charts/weekly.svg".to_owned(),
            "/search/{file}" => "/search/export.csv?q=a".to_owned(),
            "/public/charts/{file}" => "/public/charts/categories.svg".to_owned(),
            p if p.starts_with("/messages/") => p.replace("{id}", &id.to_string()),
            p if p.starts_with("/sources/") => p.replace("{id}", &source_id.to_string()),
            p => p
                .replace("{id}", "1")
                .replace("{phone}", "%2B79991234567")
                .replace("{code}", "ky")
                .replace("{org}", &hostile_segment)
                .replace("{place}", &hostile_segment)
                .replace("{name}", &hostile_segment)
                .replace("{token}", &hostile_segment),
        };
        assert!(
            !path.contains('{'),
            "no value for a placeholder of {pattern}"
        );
        let reply = h.get(&path, Some(&admin)).await;
        let kind = reply.header("content-type");
        if kind.starts_with("text/html") || kind.starts_with("image/svg") {
            assert_inert(&path, &reply.text());
            visited += 1;
        } else {
            not_pages.push(pattern);
        }
    }
    // What answers a GET with something other than a page: forms' POST targets, files.
    assert_eq!(not_pages, NOT_PAGES, "{visited} pages checked");
}

/// Routes whose GET is not a page for a logged-in admin: redirects (the login form, the
/// language switch, the next review item), JSON and files. POST-only form targets answer a
/// GET with the 405 error page, which is a page and is checked like the others.
const NOT_PAGES: &[&str] = &[
    "/imports/jobs/{id}/status",
    "/lang/{code}",
    "/login",
    "/review/next",
    "/search/{file}",
    "/sources/{id}/file",
    "/static/app.css",
    "/static/app.js",
];

/// No hostile markup came through, and the only script is the site's own file.
fn assert_inert(path: &str, page: &str) {
    for bad in [
        "<script>alert",
        "<img src=x",
        "<svg onload",
        "onerror=alert(1)>",
    ] {
        assert!(!page.contains(bad), "{path}: {bad} came through");
    }
    assert_eq!(
        page.matches("<script").count(),
        page.matches("<script src=\"/static/app.js\"").count(),
        "{path}: a script other than the site's own"
    );
}

#[tokio::test]
async fn an_empty_store_points_to_import_instead_of_drawing_empty_charts() {
    let h = Harness::with_files(&[]);
    let analyst = h.session("analyst");
    let viewer = h.session("viewer");
    let page = h.get("/", Some(&analyst)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("id=\"dashboard-empty\""), "{html}");
    assert!(html.contains("id=\"dashboard-import\" href=\"/imports\""));
    assert!(
        !html.contains("<figure class=\"chart\""),
        "empty charts drawn"
    );
    // A viewer cannot import: told who can, with no link that would be refused.
    let html = h.get("/", Some(&viewer)).await.text();
    assert!(html.contains("id=\"dashboard-empty\""));
    assert!(!html.contains("id=\"dashboard-import\""));
    // A store with messages draws its charts.
    let full = Harness::new();
    let s = full.session("viewer");
    let html = full.get("/", Some(&s)).await.text();
    assert!(!html.contains("id=\"dashboard-empty\""));
    assert!(html.contains("<figure class=\"chart\""));
    // Filters that match nothing say so, instead of pointing to Import.
    let html = full
        .get("/?chat=no%20such%20channel%20anywhere", Some(&s))
        .await
        .text();
    assert!(html.contains("id=\"dashboard-empty\""));
    assert!(!html.contains("id=\"dashboard-import\""));
}

#[tokio::test]
async fn a_search_without_hits_lists_the_filters_that_narrow_it() {
    let h = Harness::new();
    let s = h.session("viewer");
    let html = h
        .get(
            "/search?q=%D0%BE%D1%85%D1%80%D0%B0%D0%BD*&chat=no%20such%20channel",
            Some(&s),
        )
        .await
        .text();
    assert!(html.contains("id=\"no-hits\""), "{html}");
    let filters = &html[html.find("id=\"no-hits-filters\"").expect("filters listed")..];
    let filters = &filters[..filters.find("</p>").expect("end")];
    assert!(filters.contains("no such channel"), "{filters}");
    // Each with a link to the same search without it (the words are kept).
    assert!(filters.contains("href=\"/search?q="), "{filters}");
    // Without filters, the hint stands alone.
    let html = h.get("/search?q=zzzqqqxxx", Some(&s)).await.text();
    assert!(html.contains("id=\"no-hits\""));
    assert!(!html.contains("id=\"no-hits-filters\""));
}

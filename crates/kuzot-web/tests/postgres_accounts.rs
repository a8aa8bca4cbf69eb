//! Two servers whose accounts are in one PostgreSQL database, driven over HTTP: a login on
//! one is a session on the other, a logout on the other ends it everywhere, and failed
//! logins spread over both are throttled as one count. (The PostgreSQL client must never
//! run on an async thread: any handler that did would panic here.)

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use kuzot_store::StoreLocation;
use kuzot_store::postgres_test_database::TestDatabase;
use kuzot_web::ServeOptions;
use kuzot_web::accounts::Role;
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery";

struct Reply {
    status: StatusCode,
    set_cookie: String,
    location: String,
    body: String,
}

async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.expect("router answers");
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (set_cookie, location) = (header(header::SET_COOKIE), header(header::LOCATION));
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Reply {
        status,
        set_cookie,
        location,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn cookie_value(set_cookie: &str, name: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .and_then(|c| c.strip_prefix(&format!("{name}=")))
        .expect("cookie")
        .to_owned()
}

/// Posts the login form (with a fresh pre-login CSRF cookie from the same server).
async fn login(app: &Router, name: &str, password: &str) -> Reply {
    let page = send(
        app,
        Request::get("/login").body(Body::empty()).expect("request"),
    )
    .await;
    let csrf = cookie_value(&page.set_cookie, "kuzot_csrf");
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("_csrf", &csrf)
        .append_pair("name", name)
        .append_pair("password", password)
        .append_pair("next", "/search")
        .finish();
    let request = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("kuzot_csrf={csrf}"))
        .body(Body::from(body))
        .expect("request");
    send(app, request).await
}

#[test]
fn two_servers_on_one_postgres_share_sessions_and_the_login_throttle() {
    let Some(db) = TestDatabase::create("web_two_servers") else {
        return;
    };
    let location = StoreLocation::Postgres(db.url().to_owned());
    let dir = tempfile::tempdir().expect("temp dir");
    let open = |name: &str| {
        let options = ServeOptions {
            data_dir: dir.path().join(name),
            database: Some(location.clone()),
            analysis_by_workers: false,
            listen: "127.0.0.1:0".parse().expect("address"),
            secure_cookies: false,
            rates: kuzot_model::RateTable::default(),
            operator: "test".into(),
            limits: kuzot_web::Limits::default(),
        };
        kuzot_web::open_state(&options).expect("state opens")
    };
    let (first, second) = (open("first"), open("second"));
    first
        .accounts
        .create_user("analyst", PASSWORD, Role::Analyst)
        .expect("account");
    assert_eq!(second.accounts.user_count().expect("count"), 1);
    let limit = kuzot_web::Limits::default().login_attempts;

    let app = |state| {
        kuzot_web::app(state).layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))))
    };
    let (a, b) = (app(first.clone()), app(second.clone()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let ok = login(&a, "analyst", PASSWORD).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert_eq!(ok.location, "/search");
        let session = cookie_value(&ok.set_cookie, "kuzot_session");
        let get = |path: &str| {
            Request::get(path)
                .header(header::COOKIE, format!("kuzot_session={session}"))
                .body(Body::empty())
                .expect("request")
        };
        // The session made by the first server is valid on the second.
        assert_eq!(send(&b, get("/search")).await.status, StatusCode::OK);

        // An import started on the first server is followed on the second, to its end.
        let upload = dir.path().join("upload");
        std::fs::create_dir_all(&upload).expect("upload dir");
        let file = upload.join("result.json");
        std::fs::copy(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../examples/telegram/result.json"),
            &file,
        )
        .expect("example");
        let job = kuzot_web::imports::start_import(&first, "analyst", upload, vec![file], None);
        let path = format!("/imports/jobs/{}/status", job.id);
        let mut last = String::new();
        for _ in 0..600 {
            let reply = send(&b, get(&path)).await;
            if reply.status == StatusCode::OK {
                last = reply.body.clone();
                if last.contains("\"state\":\"done\"") {
                    break;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(last.contains("\"state\":\"done\""), "{last}");
        assert!(last.contains("result.json"), "{last}");

        // Failed logins through both servers count once: the limit holds across them.
        let mut statuses = Vec::new();
        for i in 0..limit + 2 {
            let server = if i % 2 == 0 { &a } else { &b };
            statuses.push(login(server, "analyst", "not the password").await.status);
        }
        assert_eq!(
            statuses
                .iter()
                .filter(|s| **s == StatusCode::UNAUTHORIZED)
                .count(),
            limit,
            "{statuses:?}"
        );
        assert_eq!(statuses[limit..], [StatusCode::TOO_MANY_REQUESTS; 2]);
    });

    // The audit log is one: both servers' entries are in it.
    let log = second.accounts.audit_log(100).expect("audit");
    assert!(log.iter().any(|e| e.action == "login"));
    assert_eq!(
        log.iter().filter(|e| e.action == "login_failed").count(),
        limit
    );
    assert!(log.iter().any(|e| e.action == "login_throttled"));

    // Logging out on the second ends the session on the first.
    let session = first
        .accounts
        .create_session(first.accounts.users().expect("users")[0].id)
        .expect("session");
    let csrf = second
        .accounts
        .session(&session)
        .expect("lookup")
        .expect("live")
        .csrf;
    runtime.block_on(async {
        let logout = Request::post("/logout")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("kuzot_session={session}"))
            .body(Body::from(format!("_csrf={csrf}")))
            .expect("request");
        assert_eq!(send(&b, logout).await.status, StatusCode::SEE_OTHER);
        let after = Request::get("/search")
            .header(header::COOKIE, format!("kuzot_session={session}"))
            .body(Body::empty())
            .expect("request");
        let reply = send(&a, after).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert!(reply.location.starts_with("/login"), "{}", reply.location);
    });
}

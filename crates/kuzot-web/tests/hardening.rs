//! The server under hostile requests (issue 13): login guessing sent all at once, large
//! anonymous bodies, queries that reduce to nothing, password changes and API tokens,
//! parallel uses of the setup link.

mod common;

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode, header};
use common::{Harness, PASSWORD};
use tower::ServiceExt;

/// A pre-login CSRF token (any 64 hex digits), sent as cookie and header.
const PRE_LOGIN_CSRF: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// A login POST with the pre-login token in the header, from the harness's address.
fn login_request(name: &str, password: &str) -> Request<Body> {
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("name", name)
        .append_pair("password", password)
        .finish();
    Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("kuzot_csrf={PRE_LOGIN_CSRF}"))
        .header("x-csrf-token", PRE_LOGIN_CSRF)
        .body(Body::from(body))
        .expect("request")
}

fn logged_in(status: StatusCode, headers: &axum::http::HeaderMap) -> bool {
    status.is_redirection()
        && headers
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|v| v.to_str().is_ok_and(|v| v.starts_with("kuzot_session=")))
}

#[tokio::test]
async fn forty_logins_at_once_get_five_checks_and_the_right_password_last_does_not_get_in() {
    let h = Harness::with_files(&[]);
    // Every request is started before any finishes: each task runs up to its password
    // hash (on the blocking pool) in the order spawned, so the right password comes last.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..40 {
        let password = if i == 39 {
            PASSWORD.to_owned()
        } else {
            format!("wrong password {i}")
        };
        let app = h.app.clone();
        tasks.spawn(async move {
            let response = app
                .oneshot(login_request("analyst", &password))
                .await
                .expect("router answers");
            (i, response.status(), response.headers().clone())
        });
    }
    let mut checked = 0;
    let mut throttled = 0;
    while let Some(done) = tasks.join_next().await {
        let (i, status, headers) = done.expect("task");
        assert!(
            !logged_in(status, &headers),
            "request {i} logged in ({status})"
        );
        match status {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => throttled += 1,
            other => panic!("request {i}: unexpected {other}"),
        }
    }
    assert_eq!(checked, 5, "five attempts are checked");
    assert_eq!(throttled, 35);
    // The account stays locked, from another address too.
    let elsewhere = kuzot_web::app(h.state.clone())
        .layer(MockConnectInfo(SocketAddr::from(([10, 0, 0, 9], 1234))));
    let response = elsewhere
        .oneshot(login_request("analyst", PASSWORD))
        .await
        .expect("router answers");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_throttled() {
    let h = Harness::with_files(&[]);
    for i in 0..5 {
        let r = h
            .send(login_request(&format!("nobody{i}"), "some password"))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // A real account with its right password, from the address that used its attempts.
    let r = h.send(login_request("viewer", PASSWORD)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn logins_wait_for_a_hashing_permit_and_get_503_when_none_frees() {
    let limits = kuzot_web::Limits {
        password_hashes: 1,
        hash_wait: std::time::Duration::from_millis(20),
        ..kuzot_web::Limits::default()
    };
    let h = Harness::with_limits(&[], limits);
    let held = h
        .state
        .password_hashes
        .clone()
        .acquire_owned()
        .await
        .expect("permit");
    let r = h.send(login_request("admin", PASSWORD)).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    drop(held);
    let r = h.send(login_request("admin", PASSWORD)).await;
    assert!(logged_in(r.status, &r.headers), "{}", r.status);
}

/// A body of `total` bytes handed out in 64 KiB chunks, counting what was read.
struct CountingBody {
    remaining: usize,
    read: Arc<AtomicUsize>,
}

impl http_body::Body for CountingBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let n = self.remaining.min(64 << 10);
        self.remaining -= n;
        self.read.fetch_add(n, Ordering::SeqCst);
        // `name=aaaa…`: a form whose one field never ends.
        Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from(vec![b'a'; n])))))
    }
}

#[tokio::test]
async fn a_large_anonymous_body_is_refused_with_413_without_being_read_whole() {
    let h = Harness::with_files(&[]);
    let total = 200 << 20;
    // The CSRF token in the query, in the header, or in the body: the same limit.
    for (uri, csrf_header, declared) in [
        (format!("/login?_csrf={PRE_LOGIN_CSRF}"), false, true),
        ("/login".to_owned(), true, true),
        ("/login".to_owned(), true, false),
        ("/login".to_owned(), false, false),
        ("/setup/whatever".to_owned(), true, false),
        ("/messages/1/label".to_owned(), true, false),
    ] {
        let read = Arc::new(AtomicUsize::new(0));
        let mut request = Request::post(uri.as_str())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("kuzot_csrf={PRE_LOGIN_CSRF}"));
        if csrf_header {
            request = request.header("x-csrf-token", PRE_LOGIN_CSRF);
        }
        if declared {
            request = request.header(header::CONTENT_LENGTH, total.to_string());
        }
        let body = Body::new(CountingBody {
            remaining: total,
            read: read.clone(),
        });
        let r = h.send(request.body(body).expect("request")).await;
        assert_eq!(
            r.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{uri} {}",
            r.text()
        );
        assert!(r.text().contains("64 KiB"), "{}", r.text());
        let read = read.load(Ordering::SeqCst);
        assert!(read <= 256 << 10, "{uri}: {read} bytes read");
    }
}

#[tokio::test]
async fn long_login_names_are_cut_before_they_are_logged_or_shown() {
    let h = Harness::with_files(&[]);
    // Well under the body limit once URL-encoded (six bytes a letter), far over a name.
    let name = "Ж".repeat(5_000);
    for _ in 0..7 {
        let r = h.send(login_request(&name, "some password")).await;
        assert!(
            matches!(
                r.status,
                StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS
            ),
            "{}",
            r.status
        );
        assert!(r.text().len() < 5_000, "the page echoes the whole name");
    }
    let log = h.state.accounts.audit_log(100).expect("audit");
    assert!(log.iter().any(|e| e.action == "login_throttled"));
    for entry in log {
        assert!(
            entry.detail.chars().count() <= 100,
            "{}: {} characters",
            entry.action,
            entry.detail.chars().count()
        );
    }
}

#[tokio::test]
async fn an_upload_over_the_limit_is_413_naming_the_limit() {
    let limits = kuzot_web::Limits {
        upload_body_bytes: 1 << 20,
        ..kuzot_web::Limits::default()
    };
    let h = Harness::with_limits(&[], limits);
    let analyst = h.session("analyst");
    for path in ["/imports", "/api/v1/imports"] {
        // Declared too large: refused before reading.
        let r = h
            .upload(path, "big.txt", &vec![b'x'; 2 << 20], &analyst)
            .await;
        assert_eq!(
            r.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{path}: {}",
            r.text()
        );
        assert!(r.text().contains("1 MiB"), "{path}: {}", r.text());
        // Sent without a length: cut at the limit, the same answer.
        let (content_type, body) = common::multipart_file("big.txt", &vec![b'x'; 2 << 20]);
        let chunks: Vec<Bytes> = body.chunks(64 << 10).map(Bytes::copy_from_slice).collect();
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::COOKIE, format!("kuzot_session={}", analyst.cookie))
            .header("x-csrf-token", &analyst.csrf)
            .body(Body::new(Chunked(chunks.into_iter())))
            .expect("request");
        let r = h.send(request).await;
        assert_eq!(
            r.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{path}: {}",
            r.text()
        );
        assert!(r.text().contains("1 MiB"), "{path}: {}", r.text());
    }
    // A viewer may not upload at all: a body declared over the form limit is refused unread
    // (413), the upload limit being for analysts.
    let viewer = h.session("viewer");
    let (content_type, body) = common::multipart_file("small.txt", &vec![b'x'; 100 << 10]);
    let request = Request::post("/imports")
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_LENGTH, body.len().to_string())
        .header(header::COOKIE, format!("kuzot_session={}", viewer.cookie))
        .header("x-csrf-token", &viewer.csrf)
        .body(Body::from(body))
        .expect("request");
    let r = h.send(request).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text().contains("64 KiB"), "{}", r.text());
}

/// A body sent in chunks, with no length known in advance.
struct Chunked(std::vec::IntoIter<Bytes>);

impl http_body::Body for Chunked {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        Poll::Ready(self.0.next().map(|c| Ok(http_body::Frame::data(c))))
    }
}

/// Query texts with nothing searchable in them.
const NOTHING_SEARCHABLE: [&str; 8] = [
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "ЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖ",
    "🔥",
    "★★★",
    "\"\"",
    "*",
    "-zzzz",
    "- * -\"\"",
];

fn encoded(q: &str) -> String {
    form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

#[tokio::test]
async fn queries_that_reduce_to_nothing_find_and_export_nothing() {
    let h = Harness::new();
    let viewer = h.session("viewer");
    let everything = h.get("/api/v1/search", Some(&viewer)).await.json();
    assert!(
        everything["total"].as_u64().unwrap_or(0) > 0,
        "the examples are loaded"
    );
    for q in NOTHING_SEARCHABLE {
        let api = h
            .get(&format!("/api/v1/search?q={}", encoded(q)), Some(&viewer))
            .await;
        assert_eq!(api.status, StatusCode::OK, "{q}");
        let json = api.json();
        assert_eq!(json["total"], 0, "{q}: {json}");
        assert_eq!(json["unsearchable"], true, "{q}");
        let page = h
            .get(&format!("/search?q={}", encoded(q)), Some(&viewer))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.text()
                .contains("Nothing in this query can be searched"),
            "{q}: the page does not say why nothing was found"
        );
        let csv = h
            .get(
                &format!("/search/export.csv?q={}", encoded(q)),
                Some(&viewer),
            )
            .await;
        assert_eq!(csv.status, StatusCode::OK, "{q}");
        assert_eq!(csv.text().lines().count(), 1, "{q}: only the header row");
        let jsonl = h
            .get(
                &format!("/search/export.jsonl?q={}", encoded(q)),
                Some(&viewer),
            )
            .await;
        assert_eq!(jsonl.status, StatusCode::OK, "{q}");
        assert!(jsonl.text().trim().is_empty(), "{q}: {}", jsonl.text());
        let xlsx = h
            .get(
                &format!("/search/export.xlsx?q={}", encoded(q)),
                Some(&viewer),
            )
            .await;
        assert_eq!(xlsx.status, StatusCode::OK, "{q}");
        assert_eq!(xlsx_rows(&xlsx.bytes), 1, "{q}: only the header row");
    }
}

/// Rows of the first sheet of an XLSX file.
fn xlsx_rows(bytes: &[u8]) -> usize {
    use std::io::Read as _;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("xlsx is a zip");
    let mut sheet = String::new();
    archive
        .by_name("xl/worksheets/sheet1.xml")
        .expect("first sheet")
        .read_to_string(&mut sheet)
        .expect("sheet text");
    sheet.matches("<row ").count()
}

#[tokio::test]
async fn a_password_change_revokes_the_accounts_api_tokens() {
    let h = Harness::with_files(&[]);
    let viewer = h.state.accounts.users().expect("users");
    let viewer = viewer
        .iter()
        .find(|u| u.name == "viewer")
        .expect("viewer account");
    let token = h
        .state
        .accounts
        .create_api_token(viewer.id, "minted from a stolen session")
        .expect("token");
    assert_eq!(
        h.get_with_token("/api/v1/stats", &token).await.status,
        StatusCode::OK
    );
    let session = h.session("viewer");
    let r = h
        .post_form(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "a brand new passphrase"),
                ("confirm", "a brand new passphrase"),
            ],
            &session,
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.text());
    assert_eq!(
        h.get_with_token("/api/v1/stats", &token).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[test]
fn twenty_parallel_uses_of_the_setup_link_make_one_admin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let accounts = kuzot_web::accounts::Accounts::open(dir.path()).expect("accounts");
    let link = accounts.create_setup_link().expect("link");
    let created = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|i| {
                let (accounts, link) = (&accounts, &link);
                scope.spawn(move || {
                    accounts
                        .complete_setup(link, &format!("admin{i}"), "a long enough password")
                        .is_ok()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join())
            .filter(|created| matches!(created, Ok(true)))
            .count()
    });
    assert_eq!(created, 1);
    assert_eq!(accounts.user_count().expect("count"), 1);
}

/// Serves the harness's state on a real socket with `limits`; returns the address and a
/// sender that stops the server.
async fn serve_on_socket(
    h: &Harness,
    limits: kuzot_web::Limits,
) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = kuzot_web::app(h.state.clone());
    tokio::spawn(async move {
        kuzot_web::serve_listener(listener, app, &limits, async {
            let _ = stopped.await;
        })
        .await
        .expect("serves");
    });
    (address, stop)
}

/// Reads until the server closes the connection; what it sent.
async fn read_until_closed(stream: &mut tokio::net::TcpStream) -> Vec<u8> {
    use tokio::io::AsyncReadExt as _;
    let mut received = Vec::new();
    // Not a bound on how long the server may take: a guard so that a server that never
    // closes fails the test instead of hanging it.
    let guard = std::time::Duration::from_secs(120);
    match tokio::time::timeout(guard, stream.read_to_end(&mut received)).await {
        Ok(Ok(_)) => {}
        // A reset is a close too.
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Ok(Err(e)) => panic!("reading: {e}"),
        Err(_) => panic!("the server kept the connection open"),
    }
    received
}

#[tokio::test]
async fn a_half_sent_header_and_an_idle_kept_alive_connection_are_closed() {
    use tokio::io::AsyncWriteExt as _;
    let h = Harness::with_files(&[]);
    let limits = kuzot_web::Limits {
        header_read_timeout: std::time::Duration::from_millis(300),
        ..kuzot_web::Limits::default()
    };
    let (address, stop) = serve_on_socket(&h, limits).await;

    // Half a request head, never finished.
    let mut half = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    half.write_all(b"GET /login HTTP/1.1\r\nHost: kuzot\r\nX-Slow: ")
        .await
        .expect("write");
    let answer = read_until_closed(&mut half).await;
    assert!(
        !String::from_utf8_lossy(&answer).contains("200 OK"),
        "a half-sent request was served"
    );

    // A whole request on a kept-alive connection is served, then the idle connection is
    // closed.
    let mut idle = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    idle.write_all(b"GET /static/app.css HTTP/1.1\r\nHost: kuzot\r\n\r\n")
        .await
        .expect("write");
    let answer = read_until_closed(&mut idle).await;
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200 OK"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let _ = stop.send(());
}

#[tokio::test]
async fn connections_over_the_cap_wait_until_one_closes() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let h = Harness::with_files(&[]);
    let limits = kuzot_web::Limits {
        connections: 1,
        ..kuzot_web::Limits::default()
    };
    let (address, stop) = serve_on_socket(&h, limits).await;
    // The one connection allowed, open and idle.
    let mut first = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    first
        .write_all(b"GET /static/app.css HTTP/1.1\r\nHost: kuzot\r\n\r\n")
        .await
        .expect("write");
    let mut head = [0u8; 12];
    first.read_exact(&mut head).await.expect("first answer");
    assert_eq!(&head, b"HTTP/1.1 200");
    // A second connection is accepted by the kernel, but not served while the first is open.
    let mut second = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    second
        .write_all(b"GET /static/app.css HTTP/1.1\r\nHost: kuzot\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(
        std::time::Duration::from_millis(300),
        second.read(&mut byte),
    )
    .await;
    assert!(
        early.is_err(),
        "the second connection was served beside the first"
    );
    drop(first);
    let answer = read_until_closed(&mut second).await;
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200 OK"));
    let _ = stop.send(());
}

/// Uploads `files` in one form as `session` (CSRF in the header) and waits for the import
/// job it starts; returns the job's id and final status.
async fn import_through_the_form(
    h: &Harness,
    files: &[(&str, &[u8])],
    session: &common::Session,
) -> (u64, serde_json::Value) {
    let (content_type, body) = common::multipart_files(files);
    let request = Request::post("/imports")
        .header(header::CONTENT_TYPE, content_type)
        .header(header::COOKIE, format!("kuzot_session={}", session.cookie))
        .header("x-csrf-token", &session.csrf)
        .body(Body::from(body))
        .expect("request");
    let r = h.send(request).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let id: u64 = r
        .header("location")
        .rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("the answer leads to the job");
    (id, h.wait_for_job(id).await)
}

/// The job page of `id` in `lang`.
async fn job_page_in(h: &Harness, id: u64, session: &common::Session, lang: &str) -> String {
    let request = Request::get(format!("/imports/jobs/{id}"))
        .header(
            header::COOKIE,
            format!("kuzot_session={}; kuzot_lang={lang}", session.cookie),
        )
        .body(Body::empty())
        .expect("request");
    let page = h.send(request).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    page.text()
}

/// What a job page says of a file, in each language: (language, text).
type Reasons = [(&'static str, &'static str); 3];

/// The state a job whose files held nothing usable shows, in each language.
const NOTHING_IMPORTED: [(&str, &str); 3] = [
    ("en", "nothing imported: the files held nothing usable"),
    (
        "ru",
        "ничего не импортировано: в файлах нет ничего пригодного",
    ),
    (
        "ky",
        "эч нерсе импорттолгон жок: файлдарда жарактуу эч нерсе жок",
    ),
];

#[tokio::test]
async fn an_upload_with_nothing_usable_ends_rejected_and_says_why_in_each_language() {
    let h = Harness::with_files(&[]);
    let analyst = h.session("analyst");
    // Every row has one field more than the header.
    let mut all_rows_bad = String::from("text,time\n");
    for k in 0..300 {
        all_rows_bad.push_str(&format!("Требуются охранники {k},2024-03-01,лишнее\n"));
    }
    let cases: [(&str, &[u8], Reasons); 2] = [
        (
            "empty.txt",
            b"",
            [
                ("en", "the file is empty"),
                ("ru", "файл пустой"),
                ("ky", "файл бош"),
            ],
        ),
        (
            "rows.csv",
            all_rows_bad.as_bytes(),
            [
                ("en", "every record was rejected (records: 300)"),
                ("ru", "отклонены все записи (записей: 300)"),
                ("ky", "бардык жазуулар четке кагылды (жазуулар: 300)"),
            ],
        ),
    ];
    for (name, bytes, reasons) in cases {
        let (id, status) = import_through_the_form(&h, &[(name, bytes)], &analyst).await;
        assert_eq!(status["state"], "rejected", "{name}: {status}");
        for (lang, reason) in reasons {
            let page = job_page_in(&h, id, &analyst, lang).await;
            let state = NOTHING_IMPORTED
                .iter()
                .find(|(l, _)| *l == lang)
                .map(|(_, s)| *s)
                .expect("a language of the catalogue");
            assert!(
                page.contains(&format!("id=\"job-state\">{state}<")),
                "{name} ({lang}): the page does not say nothing was imported:\n{page}"
            );
            assert!(page.contains(reason), "{name} ({lang}): no reason:\n{page}");
            // A finished job shows no progress bar and no "so far".
            assert!(
                !page.contains("<progress"),
                "{name} ({lang}): a progress bar"
            );
            assert!(!page.contains("so far"), "{name} ({lang}): \"so far\"");
        }
    }
    // The rows' own reason is named too, so the analyst knows what to fix.
    let (id, _) =
        import_through_the_form(&h, &[("rows2.csv", all_rows_bad.as_bytes())], &analyst).await;
    assert!(
        job_page_in(&h, id, &analyst, "en")
            .await
            .contains("row has 3 fields, the header has 2")
    );
    let stats = h
        .state
        .stores
        .connect()
        .expect("store")
        .stats()
        .expect("stats");
    assert_eq!((stats.sources, stats.source_bytes), (0, 0), "{stats:?}");

    // A usable file beside an empty one: imported, but not "done" as if all went well.
    let chat = "12/03/2024, 14:05 - Aibek: Moskvada ish bor, zqxpartly\n";
    let (id, status) = import_through_the_form(
        &h,
        &[
            ("WhatsApp Chat with Ish.txt", chat.as_bytes()),
            ("empty.txt", &b""[..]),
        ],
        &analyst,
    )
    .await;
    assert_eq!(status["state"], "partly_rejected", "{status}");
    let page = job_page_in(&h, id, &analyst, "en").await;
    assert!(page.contains("the file is empty"), "{page}");
    let stats = h
        .state
        .stores
        .connect()
        .expect("store")
        .stats()
        .expect("stats");
    assert_eq!((stats.sources, stats.documents), (1, 1), "{stats:?}");
}

/// A multipart upload as the form sends it: the `_csrf` field (when given) before the file,
/// or after it when `token_last`.
fn upload_form_body(csrf: Option<&str>, token_last: bool, bytes: &[u8]) -> (String, Vec<u8>) {
    let file = common::Part::File("WhatsApp Chat with Ish.txt", bytes);
    let token = csrf.map(|t| common::Part::Field("_csrf", t));
    let parts: Vec<common::Part> = match token {
        Some(token) if token_last => vec![file, token],
        Some(token) => vec![token, file],
        None => vec![file],
    };
    common::multipart(&parts)
}

#[tokio::test]
async fn the_upload_form_carries_its_csrf_token_in_the_body_not_the_address() {
    let limits = kuzot_web::Limits {
        upload_body_bytes: 1 << 20,
        ..kuzot_web::Limits::default()
    };
    let h = Harness::with_limits(&[], limits);
    let analyst = h.session("analyst");
    let page = h.get("/imports", Some(&analyst)).await.text();
    let form_at = page
        .find("<form method=\"post\" action=\"/imports\"")
        .expect("the upload form posts to a plain address");
    let first_input = &page[form_at..][page[form_at..].find("<input").expect("an input")..];
    assert!(
        first_input.starts_with(&format!(
            "<input type=\"hidden\" name=\"_csrf\" value=\"{}\">",
            analyst.csrf
        )),
        "the token is not the form's first field: {}",
        &first_input[..first_input.len().min(120)]
    );
    assert!(!page.contains("_csrf="), "a CSRF token is in an address");

    let chat = b"12/03/2024, 14:05 - Aibek: Moskvada ish bor\n";
    // No `x-csrf-token` header in any of these: the form cannot send one.
    let post = |uri: String, content_type: String, body: Body| {
        Request::post(uri)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::COOKIE, format!("kuzot_session={}", analyst.cookie))
            .body(body)
            .expect("request")
    };
    let (content_type, body) = upload_form_body(Some(&analyst.csrf), false, chat);
    let r = h
        .send(post("/imports".into(), content_type, Body::from(body)))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(r.header("location").starts_with("/imports/jobs/"));

    // The same body arriving a few bytes at a time: the token is found across the pieces.
    let other_chat = b"12/03/2024, 14:06 - Aibek: Yana ish bor\n";
    let (content_type, body) = upload_form_body(Some(&analyst.csrf), false, other_chat);
    let pieces: Vec<Bytes> = body.chunks(7).map(Bytes::copy_from_slice).collect();
    let r = h
        .send(post(
            "/imports".into(),
            content_type,
            Body::new(Chunked(pieces.into_iter())),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let id: u64 = r
        .header("location")
        .rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("a job");
    let done = h.wait_for_job(id).await;
    assert_eq!(done["state"], "done", "the file arrived whole: {done}");

    let wrong = "0".repeat(64);
    for (uri, csrf, token_last, why) in [
        (
            format!("/imports?_csrf={}", analyst.csrf),
            None,
            false,
            "in the address",
        ),
        (
            "/imports".to_owned(),
            Some(analyst.csrf.as_str()),
            true,
            "after the file",
        ),
        ("/imports".to_owned(), Some(wrong.as_str()), false, "wrong"),
        ("/imports".to_owned(), None, false, "missing"),
    ] {
        let (content_type, body) = upload_form_body(csrf, token_last, chat);
        let r = h.send(post(uri, content_type, Body::from(body))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "token {why}: {}", r.text());
    }

    // The body limit still holds with the token in the body: cut at the limit, 413.
    let (content_type, body) = upload_form_body(Some(&analyst.csrf), false, &vec![b'x'; 2 << 20]);
    let pieces: Vec<Bytes> = body.chunks(64 << 10).map(Bytes::copy_from_slice).collect();
    let r = h
        .send(post(
            "/imports".into(),
            content_type,
            Body::new(Chunked(pieces.into_iter())),
        ))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
    assert!(r.text().contains("1 MiB"), "{}", r.text());
}

#[tokio::test]
async fn methods_kuzot_does_not_serve_get_405_not_403() {
    let h = Harness::with_files(&[]);
    let analyst = h.session("analyst");
    for method in ["PUT", "DELETE", "PATCH"] {
        for (path, cookie) in [
            ("/login", format!("kuzot_csrf={PRE_LOGIN_CSRF}")),
            ("/login", String::new()),
            ("/imports", format!("kuzot_session={}", analyst.cookie)),
        ] {
            let mut request = Request::builder().method(method).uri(path);
            if !cookie.is_empty() {
                request = request.header(header::COOKIE, cookie);
            }
            let r = h.send(request.body(Body::empty()).expect("request")).await;
            assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert!(r.header("allow").contains("POST"), "{method} {path}");
        }
    }
}

#[tokio::test]
async fn a_finished_import_links_to_its_source_its_messages_and_its_rejected_records() {
    let h = Harness::with_files(&[]);
    let analyst = h.session("analyst");
    // Two usable rows and one with a column too many.
    let csv =
        "text,time\nТребуются охранники,2024-03-01\nВахта 30/30,2024-03-02\nлишнее,2024-03-03,x\n";
    let (id, status) = import_through_the_form(&h, &[("ads.csv", csv.as_bytes())], &analyst).await;
    assert_eq!(status["state"], "partly_rejected", "{status}");
    let sha = status["summary"]["files"][0]["sha256"]
        .as_str()
        .expect("the kept file's SHA-256")
        .to_owned();
    let page = job_page_in(&h, id, &analyst, "en").await;
    assert!(
        page.contains(&format!(
            "<a href=\"/sources/{sha}#rejected\" class=\"job-rejected\">1 rejected</a>"
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!("href=\"/sources/{sha}\" class=\"job-source\"")),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "href=\"/search?source={sha}\" class=\"job-messages\""
        )),
        "{page}"
    );
    // The source's address by SHA-256 leads to its page, which has the rejected list.
    let r = h.get(&format!("/sources/{sha}"), Some(&analyst)).await;
    assert!(r.status.is_redirection(), "{}", r.status);
    let source = h
        .get(r.header("location").as_str(), Some(&analyst))
        .await
        .text();
    assert!(source.contains("id=\"rejected\""), "{source}");
    assert!(source.contains(&sha), "{source}");
    let missing = h
        .get(&format!("/sources/{}", "0".repeat(64)), Some(&analyst))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // The same bytes again: what the command line says, and the link to the earlier import.
    let (again, status) =
        import_through_the_form(&h, &[("copy-of-ads.csv", csv.as_bytes())], &analyst).await;
    assert_eq!(
        status["summary"]["files"][0]["status"], "already_imported",
        "{status}"
    );
    for (lang, said) in [
        ("en", "the same file was imported as “ads.csv” on "),
        ("ru", "этот же файл уже импортирован как «ads.csv» "),
        ("ky", "«ads.csv» деген ат менен импорттолгон"),
    ] {
        let page = job_page_in(&h, again, &analyst, lang).await;
        assert!(page.contains(said), "{lang}: {page}");
        assert!(
            page.contains(&format!("href=\"/sources/{sha}\" class=\"job-source\"")),
            "{lang}: {page}"
        );
        assert!(!page.contains("job-rejected"), "{lang}: {page}");
    }
}

#[tokio::test]
async fn searches_wait_their_turn_for_a_free_search_slot() {
    let limits = kuzot_web::Limits {
        searches: 1,
        ..kuzot_web::Limits::default()
    };
    let h = Harness::with_limits(&[], limits);
    let viewer = h.session("viewer");
    // The one slot is taken: a search page and an API search must wait, not run beside it.
    let held = h
        .state
        .search_slots
        .clone()
        .acquire_owned()
        .await
        .expect("slot");
    let page = h.get("/search?q=охрана", Some(&viewer));
    let api = h.get("/api/v1/search?q=охрана", Some(&viewer));
    let mut both = std::pin::pin!(async { tokio::join!(page, api) });
    // Polled while the slot is held, neither can finish: whatever the machine's speed,
    // a search without a slot does not start.
    for _ in 0..50 {
        let pending = std::future::poll_fn(|cx| {
            std::task::Poll::Ready(std::future::Future::poll(both.as_mut(), cx).is_pending())
        })
        .await;
        assert!(pending, "a search ran without a free slot");
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    drop(held);
    let (page, api) = both.await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(api.status, StatusCode::OK);
    assert_eq!(
        h.state.search_slots.available_permits(),
        1,
        "slots are given back"
    );
}

//! In-process test harness for the web application: a temporary data directory with the
//! example exports ingested, one account of each role, and helpers to send requests as
//! any of them through the router (no sockets).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use kuzot_web::ServeOptions;
use kuzot_web::accounts::Role;
use kuzot_web::state::AppState;
use tower::ServiceExt;

/// Password of every test account.
pub const PASSWORD: &str = "correct horse battery";

/// A test server.
pub struct Harness {
    /// Keeps the data directory alive.
    pub dir: tempfile::TempDir,
    /// The state (to reach the store, index and accounts directly).
    pub state: AppState,
    /// The router.
    pub app: Router,
}

/// A logged-in session.
#[derive(Debug, Clone)]
pub struct Session {
    /// Value of the session cookie.
    pub cookie: String,
    /// The session's CSRF token.
    pub csrf: String,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub bytes: Vec<u8>,
}

impl Reply {
    /// Body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
    /// Body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    /// A header's value.
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    }
}

/// A multipart body holding one file in the field `file`: (its content type, the body).
pub fn multipart_file(file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    multipart_files(&[(file_name, bytes)])
}

/// A multipart body holding these files, each in a field `file`, as the upload form sends
/// several: (its content type, the body).
pub fn multipart_files(files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let parts: Vec<Part> = files
        .iter()
        .map(|(name, bytes)| Part::File(name, bytes))
        .collect();
    multipart(&parts)
}

/// One part of a multipart form.
pub enum Part<'a> {
    /// A text field: its name and value.
    Field(&'a str, &'a str),
    /// A file in the field `file`: its name and content.
    File(&'a str, &'a [u8]),
}

/// A multipart body of these parts, in this order: (its content type, the body).
pub fn multipart(parts: &[Part]) -> (String, Vec<u8>) {
    let boundary = "kuzot-test-boundary-7d2f";
    let mut body = Vec::new();
    for part in parts {
        let (head, content) = match part {
            Part::Field(name, value) => (
                format!("Content-Disposition: form-data; name=\"{name}\""),
                value.as_bytes(),
            ),
            Part::File(file_name, bytes) => (
                format!(
                    "Content-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream"
                ),
                *bytes,
            ),
        };
        body.extend_from_slice(format!("--{boundary}\r\n{head}\r\n\r\n").as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The repository's `examples/` folder.
pub fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// Ingests `paths` into the store of `data_dir` with the engine.
pub fn ingest(data_dir: &Path, paths: &[PathBuf]) {
    let mut store = kuzot_store::Store::open(data_dir).expect("store opens");
    let engine = kuzot_analysis::Engine::try_new().expect("engine builds");
    let options = kuzot_service::IngestOptions {
        operator: "test".into(),
        ..kuzot_service::IngestOptions::default()
    };
    kuzot_service::ingest_paths(
        &mut store,
        paths,
        &options,
        Some(&engine),
        &kuzot_service::NoProgress,
    )
    .expect("ingest runs");
}

impl Harness {
    /// A server over the ingested examples, with accounts `admin`, `analyst`, `viewer`.
    pub fn new() -> Harness {
        Harness::with_files(&[examples_dir()])
    }

    /// A server over these files (nothing when empty).
    pub fn with_files(paths: &[PathBuf]) -> Harness {
        Harness::with_limits(paths, kuzot_web::Limits::default())
    }

    /// A server over these files with these resource limits.
    pub fn with_limits(paths: &[PathBuf], limits: kuzot_web::Limits) -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        if !paths.is_empty() {
            ingest(&data, paths);
        }
        let options = ServeOptions {
            database: None,
            data_dir: data,
            listen: "127.0.0.1:0".parse().expect("address"),
            secure_cookies: false,
            rates: kuzot_model::RateTable::default(),
            operator: "test".into(),
            limits,
            analysis_by_workers: false,
        };
        let state = kuzot_web::open_state(&options).expect("state opens");
        for role in Role::ALL {
            state
                .accounts
                .create_user(role.as_str(), PASSWORD, role)
                .expect("account");
        }
        let app = kuzot_web::app(state.clone())
            .layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
        Harness { dir, state, app }
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A session for the account of `role` (made directly, not through the login form).
    pub fn session(&self, role: &str) -> Session {
        let user = self
            .state
            .accounts
            .authenticate(role, PASSWORD)
            .expect("accounts")
            .expect("account exists");
        let cookie = self
            .state
            .accounts
            .create_session(user.id)
            .expect("session");
        let csrf = self
            .state
            .accounts
            .session(&cookie)
            .expect("accounts")
            .expect("live")
            .csrf;
        Session { cookie, csrf }
    }

    /// Sends a request.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .app
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            bytes,
        }
    }

    /// GET as `session` (or anonymously).
    pub async fn get(&self, path: &str, session: Option<&Session>) -> Reply {
        let mut r = Request::get(path);
        if let Some(s) = session {
            r = r.header(header::COOKIE, format!("kuzot_session={}", s.cookie));
        }
        self.send(r.body(Body::empty()).expect("request")).await
    }

    /// GET with an API token.
    pub async fn get_with_token(&self, path: &str, token: &str) -> Reply {
        let r = Request::get(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
        self.send(r.body(Body::empty()).expect("request")).await
    }

    /// POSTs a form as `session`, with its CSRF token added.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)], session: &Session) -> Reply {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("_csrf", &session.csrf);
        for (k, v) in fields {
            form.append_pair(k, v);
        }
        self.post_raw(path, form.finish(), Some(session)).await
    }

    /// POSTs a urlencoded body as is (no CSRF token added).
    pub async fn post_raw(&self, path: &str, body: String, session: Option<&Session>) -> Reply {
        let mut r =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(s) = session {
            r = r.header(header::COOKIE, format!("kuzot_session={}", s.cookie));
        }
        self.send(r.body(Body::from(body)).expect("request")).await
    }

    /// POSTs a multipart upload of one file as `session` (CSRF in the header).
    pub async fn upload(
        &self,
        path: &str,
        file_name: &str,
        bytes: &[u8],
        session: &Session,
    ) -> Reply {
        let (content_type, body) = multipart_file(file_name, bytes);
        let r = Request::post(path)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::COOKIE, format!("kuzot_session={}", session.cookie))
            .header("x-csrf-token", &session.csrf);
        self.send(r.body(Body::from(body)).expect("request")).await
    }

    /// Waits for an import job to finish; returns its final status JSON.
    pub async fn wait_for_job(&self, id: u64) -> serde_json::Value {
        for _ in 0..600 {
            if let Some(job) = self.state.jobs.get(id) {
                let status = job.status();
                if status.finished() {
                    return serde_json::to_value(status).expect("json");
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("import job {id} did not finish in 30 s");
    }
}

/// Route patterns written in the router's source files (`.route("…"` or a constant).
pub fn routes_in_source() -> Vec<String> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![src.join("lib.rs"), src.join("imports.rs")];
    for entry in std::fs::read_dir(src.join("pages")).expect("pages dir") {
        files.push(entry.expect("entry").path());
    }
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source");
        for piece in text.split(".route(").skip(1) {
            let piece = piece.trim_start();
            if let Some(rest) = piece.strip_prefix('"') {
                found.push(rest.split('"').next().expect("closing quote").to_owned());
            } else if piece.starts_with("NEXT_PATH") {
                found.push(kuzot_web::pages::review::NEXT_PATH.to_owned());
            } else {
                panic!(
                    "{}: a route whose path this test cannot read: {}",
                    file.display(),
                    &piece[..piece.len().min(40)]
                );
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

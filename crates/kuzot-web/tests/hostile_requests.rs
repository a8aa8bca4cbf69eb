//! The hostile-request corpus (issue 13): every file of `tests/data/hostile-requests/` is
//! one crafted request (a query of a 65-letter word, only exclusions, a NUL byte, invalid
//! UTF-8 escapes, a page number past any integer, a path that climbs out of its route, an
//! overlong cookie, a bad CSRF token, a method a route does not take, an oversized form, a
//! huge login name, markup to reflect) replayed through the router anonymously and as a
//! logged-in analyst over the shipped examples. Each answer must be no 5xx (a panic fails
//! the test too), of the status class the file expects for that caller, at most
//! `max_response_bytes` long, and must never carry injected markup unescaped; a file that
//! says `zero_hits = true` must find nothing.
//!
//! The test reads the whole folder, so a new file is picked up by itself. A file is TOML:
//!
//! ```toml
//! # Why this request is hostile (a comment; `why` is required as well).
//! why = "a word longer than any word the index keeps"
//! method = "GET"                      # any method, default GET
//! path = "/api/v1/search?q={{65*а}}"  # percent-encoded where needed by the test
//! expect = { anonymous = "4xx", analyst = "2xx" }   # or one class for both: expect = "4xx"
//! zero_hits = true                    # optional: the analyst's JSON answer has total 0
//! [headers]                           # optional
//! content-type = "application/x-www-form-urlencoded"
//! body = "_csrf={{csrf}}&category=pmc"  # optional
//! ```
//!
//! In `path`, header values and `body`, `{{N*TEXT}}` is TEXT repeated N times, `{{csrf}}`
//! the caller's CSRF token (the analyst session's, or for an anonymous caller a pre-login
//! token that its `kuzot_csrf` cookie matches only if the file sends that cookie with
//! `{{prelogin}}`), `{{prelogin}}` that pre-login token. A path byte outside the characters
//! a URI allows raw (non-ASCII, space, `<`, `"`…) is percent-encoded; `%` is left as
//! written, so a file can send any escape, valid or not. The analyst's session cookie is
//! added to any `cookie` header the file sends. A class is `2xx`, `3xx` or `4xx`, or
//! several joined by `|`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Method, Request, header};
use common::{Harness, Session};
use serde::Deserialize;

/// A pre-login CSRF token (64 hex digits), for files that send it as cookie and field.
const PRE_LOGIN_CSRF: &str = "5c1e0a7d9b3f4e2a8c6d1b0e7f9a3c5d2e4b6a8c0d1f3e5a7b9c2d4e6f8a0b1c";

/// The most bytes an answer may have unless the file says otherwise: far more than any
/// page over the examples, far less than an answer that grew with a hostile input.
const DEFAULT_MAX_RESPONSE_BYTES: usize = 512 * 1024;

/// Markup that a file injects and that no answer may carry back unescaped (compared
/// without regard to case). Not `<script ` alone: every page loads its one script file
/// with `<script src=…>`, and no file injects a script element with attributes.
const INJECTED: &[&str] = &[
    "<script>",
    "<svg onload",
    "<svg/onload",
    "<img src=x onerror",
    "<iframe",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HostileRequest {
    why: String,
    #[serde(default = "get")]
    method: String,
    path: String,
    expect: Expect,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    zero_hits: bool,
    #[serde(default)]
    max_response_bytes: Option<usize>,
}

fn get() -> String {
    "GET".into()
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Expect {
    Both(String),
    PerCaller { anonymous: String, analyst: String },
}

impl Expect {
    fn for_caller(&self, analyst: bool) -> &str {
        match self {
            Expect::Both(class) => class,
            Expect::PerCaller {
                anonymous,
                analyst: logged_in,
            } => {
                if analyst {
                    logged_in
                } else {
                    anonymous
                }
            }
        }
    }
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hostile-requests")
}

/// Every file of the corpus with its parsed request; a file that does not parse fails the
/// test with its name.
fn corpus() -> Vec<(String, HostileRequest)> {
    let dir = corpus_dir();
    let mut files: Vec<(String, HostileRequest)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .map(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            let request: HostileRequest =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!request.why.trim().is_empty(), "{name}: say why");
            (name, request)
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(files.len() >= 30, "the corpus is there: {}", files.len());
    files
}

/// `{{N*TEXT}}`, `{{csrf}}` and `{{prelogin}}` expanded; an unknown or broken placeholder
/// is an error naming it.
fn expand(template: &str, csrf: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("an unclosed placeholder in {template:?}"))?;
        let inner = &after[..end];
        match inner {
            "csrf" => out.push_str(csrf),
            "prelogin" => out.push_str(PRE_LOGIN_CSRF),
            _ => {
                let (count, text) = inner
                    .split_once('*')
                    .ok_or_else(|| format!("an unknown placeholder {{{{{inner}}}}}"))?;
                let count: usize = count
                    .trim()
                    .parse()
                    .map_err(|_| format!("a bad repeat count in {{{{{inner}}}}}"))?;
                out.push_str(&text.repeat(count));
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The path with every byte a URI may not carry raw percent-encoded; `%` stays as written.
fn uri_safe(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        let raw = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&byte);
        if raw {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// What was wrong with one answer, or nothing.
async fn replay(
    h: &Harness,
    name: &str,
    file: &HostileRequest,
    session: Option<&Session>,
) -> Vec<String> {
    let caller = if session.is_some() {
        "analyst"
    } else {
        "anonymous"
    };
    let csrf = session.map_or(PRE_LOGIN_CSRF, |s| s.csrf.as_str());
    let fail = |what: String| vec![format!("{name} as {caller}: {what}")];
    let path = match expand(&file.path, csrf) {
        Ok(p) => uri_safe(&p),
        Err(e) => return fail(e),
    };
    let method = match Method::from_bytes(file.method.as_bytes()) {
        Ok(m) => m,
        Err(e) => return fail(format!("method {:?}: {e}", file.method)),
    };
    let mut request = Request::builder().method(method).uri(&path);
    let mut cookie = None;
    for (header_name, value) in &file.headers {
        let value = match expand(value, csrf) {
            Ok(v) => v,
            Err(e) => return fail(e),
        };
        if header_name.eq_ignore_ascii_case("cookie") {
            cookie = Some(value);
        } else {
            request = request.header(header_name.as_str(), value);
        }
    }
    let session_cookie = session.map(|s| format!("kuzot_session={}", s.cookie));
    let cookie = match (cookie, session_cookie) {
        (Some(mine), Some(session)) => Some(format!("{mine}; {session}")),
        (mine, session) => mine.or(session),
    };
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let body = match file.body.as_deref().map(|b| expand(b, csrf)).transpose() {
        Ok(b) => b.unwrap_or_default(),
        Err(e) => return fail(e),
    };
    let request = match request.body(Body::from(body)) {
        Ok(r) => r,
        Err(e) => return fail(format!("the request cannot be built: {e}")),
    };
    let reply = h.send(request).await;

    let mut problems = Vec::new();
    let status = reply.status;
    let class = format!("{}xx", status.as_u16() / 100);
    let expected = file.expect.for_caller(session.is_some());
    if status.is_server_error() {
        problems.push(format!("{status}: {}", shorten(&reply.text())));
    } else if !expected.split('|').any(|c| c.trim() == class) {
        problems.push(format!(
            "{status}, expected {expected}: {}",
            shorten(&reply.text())
        ));
    }
    let limit = file
        .max_response_bytes
        .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES);
    if reply.bytes.len() > limit {
        problems.push(format!(
            "an answer of {} bytes, over {limit}",
            reply.bytes.len()
        ));
    }
    let lower = reply.text().to_lowercase();
    let location = reply.header("location").to_lowercase();
    for markup in INJECTED {
        if lower.contains(markup) || location.contains(markup) {
            problems.push(format!("the answer carries {markup:?} unescaped"));
        }
    }
    if file.zero_hits && session.is_some() {
        let total = serde_json::from_slice::<serde_json::Value>(&reply.bytes)
            .ok()
            .and_then(|v| v["total"].as_u64());
        if total != Some(0) {
            problems.push(format!("expected no hits, got total {total:?}"));
        }
    }
    problems
        .into_iter()
        .map(|p| format!("{name} as {caller}: {p}"))
        .collect()
}

fn shorten(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(300).collect()
}

#[tokio::test]
async fn every_hostile_request_gets_a_bounded_safe_answer_of_its_expected_class() {
    let h = Harness::new();
    let mut problems = Vec::new();
    let files = corpus();
    for (name, file) in &files {
        problems.extend(replay(&h, name, file, None).await);
        // A fresh session per file: a file may not spoil the next one's caller.
        let analyst = h.session("analyst");
        problems.extend(replay(&h, name, file, Some(&analyst)).await);
    }
    assert!(
        problems.is_empty(),
        "{} of {} files answered wrongly:\n{}",
        problems.len(),
        files.len(),
        problems.join("\n")
    );
}

/// The corpus's own notation: repeats, tokens, the path's encoding, per-caller classes.
#[test]
fn the_placeholders_expand_and_unsafe_path_bytes_are_encoded() {
    assert_eq!(expand("a{{3*б}}c", "t").expect("expands"), "aбббc");
    assert_eq!(expand("{{csrf}}", "t").expect("expands"), "t");
    assert!(expand("{{nope}}", "t").is_err());
    assert!(expand("{{3*x", "t").is_err());
    assert_eq!(uri_safe("/search?q=a b<%FF"), "/search?q=a%20b%3C%FF");
    assert_eq!(uri_safe("/x?q=ё"), "/x?q=%D1%91");
    let both = Expect::Both("4xx".into());
    assert_eq!(both.for_caller(true), "4xx");
}

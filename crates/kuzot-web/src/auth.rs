//! Who is asking, and may they: the session cookie or API token of a request, the role
//! extractors handlers declare, and the CSRF guard in front of every state-changing route.
//!
//! One middleware ([`authenticate`]) resolves the caller once per request and checks CSRF
//! for every non-GET request that came with a cookie, so that no handler can forget to.
//! The expected token is the session's; before login it is a random cookie echoed by the
//! form (double submit). The token may come as the `x-csrf-token` header, a `_csrf` form
//! field, or the first part of a multipart form (the upload form puts it first), never in
//! the address, where it would be written to logs and browser history.
//!
//! The same middleware bounds every request body before anything reads it, wherever the
//! CSRF token came from: the small form limit for everyone, the upload limit only on the
//! upload routes and only for analysts (see [`body_limit`]).

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::accounts::{Role, User};
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use crate::state::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "kuzot_session";
/// Name of the pre-login CSRF cookie.
pub const CSRF_COOKIE: &str = "kuzot_csrf";
/// Name of the language cookie.
pub const LANG_COOKIE: &str = "kuzot_lang";
/// Routes that take an upload (a POST of exported files), and so the large body limit.
pub const UPLOAD_PATHS: [&str; 2] = ["/imports", "/api/v1/imports"];

/// The caller of a request, as resolved by [`authenticate`].
#[derive(Debug, Clone)]
pub struct Caller {
    /// The account, when logged in or holding a token.
    pub user: Option<User>,
    /// The CSRF token forms must carry (session's, or the pre-login cookie's).
    pub csrf: String,
    /// Whether the caller came with an API token (no cookies, no CSRF).
    pub via_token: bool,
    /// The raw session cookie (to end it on logout).
    pub session_cookie: Option<String>,
    /// A pre-login CSRF cookie to set on the response.
    pub new_csrf_cookie: bool,
}

impl Caller {
    /// A caller with no account and no CSRF token: for a page drawn where
    /// [`authenticate`] did not run (or its caller is not at hand).
    pub fn anonymous() -> Caller {
        Caller {
            user: None,
            csrf: String::new(),
            via_token: false,
            session_cookie: None,
            new_csrf_cookie: false,
        }
    }
}

/// Value of one cookie.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// A `Set-Cookie` value with the house attributes.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn is_hex_token(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// How far into a multipart body its first part, the CSRF field, is looked for. The field
/// is a 64-digit token behind a boundary and one header: a few hundred bytes.
const MULTIPART_CSRF_BYTES: usize = 4096;

/// The boundary of a `multipart/form-data` content type, if it is one.
fn multipart_boundary(content_type: &str) -> Option<&str> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"'))
            .filter(|b| !b.is_empty())
    })
}

/// What the first bytes of a multipart body say about its first part: `Some(Some(value))`
/// when it is the field `_csrf`, `Some(None)` when it is anything else, `None` when more
/// bytes are needed to tell.
fn multipart_csrf_field(read: &[u8], boundary: &str) -> Option<Option<String>> {
    let opening = format!("--{boundary}\r\n");
    if b"\r\n".starts_with(read) {
        return None;
    }
    let read = read.strip_prefix(b"\r\n").unwrap_or(read);
    if read.len() < opening.len() {
        // Still inside the opening line: wait for more, unless it already differs.
        return if opening.as_bytes().starts_with(read) {
            None
        } else {
            Some(None)
        };
    }
    let Some(part) = read.strip_prefix(opening.as_bytes()) else {
        return Some(None);
    };
    let headers_end = find(part, b"\r\n\r\n")?;
    let headers = String::from_utf8_lossy(&part[..headers_end]).to_ascii_lowercase();
    let names_csrf = headers.lines().any(|line| {
        line.starts_with("content-disposition:")
            && line.contains("name=\"_csrf\"")
            && !line.contains("filename")
    });
    if !names_csrf {
        return Some(None);
    }
    let value = &part[headers_end + 4..];
    let value_end = find(value, format!("\r\n--{boundary}").as_bytes())?;
    Some(
        std::str::from_utf8(&value[..value_end])
            .ok()
            .map(|v| v.trim().to_owned()),
    )
}

/// The first position of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads the start of a multipart body for its CSRF field (its first part), and gives back
/// the body whole: the bytes read come again before the rest. At most
/// [`MULTIPART_CSRF_BYTES`] are read here; the body's size limit still holds for the rest.
async fn multipart_csrf(mut body: Body, boundary: &str) -> (Option<String>, Body) {
    use http_body_util::BodyExt;
    let mut read: Vec<u8> = Vec::new();
    let token = loop {
        if let Some(found) = multipart_csrf_field(&read, boundary) {
            break found;
        }
        if read.len() >= MULTIPART_CSRF_BYTES {
            break None;
        }
        match body.frame().await {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    read.extend_from_slice(&data);
                }
            }
            // The body ended or failed before its first part did: no token, so the
            // CSRF check refuses the request and nothing reads the rest.
            Some(Err(_)) | None => break None,
        }
    };
    let replayed = Replayed {
        read: Some(axum::body::Bytes::from(read)).filter(|b| !b.is_empty()),
        rest: body,
    };
    (token, Body::new(replayed))
}

/// A body whose first bytes were read already: they are handed out first, then the rest.
struct Replayed {
    read: Option<axum::body::Bytes>,
    rest: Body,
}

impl http_body::Body for Replayed {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if let Some(read) = self.read.take() {
            return std::task::Poll::Ready(Some(Ok(http_body::Frame::data(read))));
        }
        std::pin::Pin::new(&mut self.rest).poll_frame(cx)
    }
}

/// Set when a request's body was cut at its size limit, so that a handler whose parser
/// reports the cut as a malformed body (multipart) can answer 413 instead.
#[derive(Debug, Clone, Default)]
pub struct BodyCut(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl BodyCut {
    /// Whether the body went over the limit.
    pub fn happened(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// A size for people: `64 KiB`, `2 GiB`, `1536 bytes`.
pub fn human_size(bytes: usize) -> String {
    const UNITS: [(usize, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

/// The largest body a request may send: the upload limit for an analyst's (or admin's)
/// POST to an upload route, the form limit for every other request.
pub fn body_limit(state: &AppState, parts: &Parts, user: Option<&User>) -> usize {
    let upload = parts.method == Method::POST
        && UPLOAD_PATHS.contains(&parts.uri.path())
        && user.is_some_and(|u| u.role >= Role::Analyst);
    let check = parts.method == Method::POST
        && crate::pages::public_check::CHECK_PATHS.contains(&parts.uri.path());
    if upload {
        state.limits.upload_body_bytes
    } else if check {
        // The checker's text may be long (its own limit is in characters and answered
        // with a message in the reader's language); the body bound follows from it.
        state.limits.check_body_bytes()
    } else {
        state.limits.form_body_bytes
    }
}

/// The 413 of a body over `limit`, naming the limit.
pub fn too_large(limit: usize, api: bool) -> Response {
    let e = AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the request body is larger than the limit of {} for this page",
            human_size(limit)
        ),
    );
    if api { e.as_json() } else { e }.into_response()
}

/// Resolves the caller and guards state-changing requests against CSRF.
pub async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let bearer = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    let session_cookie = cookie(&parts.headers, SESSION_COOKIE)
        .filter(|v| is_hex_token(v))
        .map(str::to_owned);
    let pre_login = cookie(&parts.headers, CSRF_COOKIE)
        .filter(|v| is_hex_token(v))
        .map(str::to_owned);

    let anonymous = bearer.is_none() && session_cookie.is_none();
    // An anonymous request needs no database look-up (nor a blocking thread).
    let resolved = if anonymous {
        Ok((None, None, false))
    } else {
        state
            .blocking(move |s| {
                if let Some(token) = bearer {
                    // A token acts at most as its scope allows, whatever its owner's role.
                    let user = s.accounts.api_token(&token)?.map(|(mut user, scope)| {
                        user.role = scope.cap(user.role);
                        user
                    });
                    return Ok((user, None, true));
                }
                if let Some(cookie) = &session_cookie
                    && let Some(session) = s.accounts.session(cookie)?
                {
                    return Ok((Some(session.user), Some(session.csrf), false));
                }
                Ok((None, None, false))
            })
            .await
    };
    let (user, session_csrf, via_token) = match resolved {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    if via_token && user.is_none() {
        return AppError::new(StatusCode::UNAUTHORIZED, "unknown or revoked API token")
            .as_json()
            .into_response();
    }
    let (csrf, new_csrf_cookie) = match (session_csrf, pre_login) {
        (Some(c), _) => (c, false),
        (None, Some(c)) => (c, false),
        (None, None) => match crate::accounts::random_token() {
            Ok(c) => (c, true),
            Err(e) => return AppError::internal(e).into_response(),
        },
    };

    // Bound the body before anyone reads it: a declared length over the limit is refused
    // unread, and a body without one stops being read at the limit.
    let api = parts.uri.path().starts_with("/api/");
    let limit = body_limit(&state, &parts, user.as_ref());
    let declared = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large(limit, api);
    }
    let cut = BodyCut::default();
    let flag = cut.0.clone();
    let mut body = Body::new(http_body_util::BodyExt::map_err(
        http_body_util::Limited::new(body, limit),
        move |e| {
            if e.is::<http_body_util::LengthLimitError>() {
                flag.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            e
        },
    ));
    parts.extensions.insert(cut);
    // No route of kuzot takes PUT, DELETE, PATCH or any other method: answer them 405
    // here, before the CSRF check would answer 403 and hide what is wrong.
    if !matches!(
        parts.method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::POST
    ) {
        let refusal = AppError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("kuzot does not answer {} requests", parts.method),
        );
        let mut response = if api { refusal.as_json() } else { refusal }.into_response();
        response.headers_mut().insert(
            axum::http::header::ALLOW,
            axum::http::HeaderValue::from_static("GET, HEAD, POST"),
        );
        return response;
    }
    let unsafe_method = parts.method == Method::POST;
    // HTML forms are for a person at a browser: a script's token posts to the API only.
    if unsafe_method && via_token && !api {
        return AppError::new(
            StatusCode::FORBIDDEN,
            "API tokens are accepted by the JSON API (/api/v1) only",
        )
        .into_response();
    }
    if unsafe_method && !via_token {
        // A browser that says the request comes from another site is refused outright.
        if parts
            .headers
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes() == b"cross-site")
        {
            return AppError::forbidden().into_response();
        }
        let mut submitted = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let content_type = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let is_form = content_type.starts_with("application/x-www-form-urlencoded");
        if submitted.is_none()
            && let Some(boundary) = multipart_boundary(&content_type)
        {
            let (token, whole) = multipart_csrf(body, boundary).await;
            submitted = token;
            body = whole;
        }
        // A form is read here whatever carries its token (at most `limit` bytes, the form
        // limit: forms are never uploads), so that an oversized one gets the 413 naming it.
        if is_form {
            let bytes = match to_bytes(body, limit).await {
                Ok(b) => b,
                Err(_) => return too_large(limit, api),
            };
            if submitted.is_none() {
                submitted = form_urlencoded::parse(&bytes)
                    .find(|(k, _)| k == "_csrf")
                    .map(|(_, v)| v.into_owned());
            }
            body = Body::from(bytes);
        }
        // The offer checker's JSON API is for anyone's scripts: a caller with no session
        // has no authority for a forged request to borrow, so it needs no token.
        let anonymous_public_api =
            anonymous && parts.uri.path() == crate::pages::public_check::API_PATH;
        let ok = anonymous_public_api
            || (!new_csrf_cookie
                && submitted
                    .as_deref()
                    .is_some_and(|s| constant_time_eq(s, &csrf)));
        if !ok {
            let e = AppError::new(
                StatusCode::FORBIDDEN,
                "the form is stale or came from elsewhere (CSRF check failed); reload the page and try again",
            );
            let e = if api { e.as_json() } else { e };
            return e.into_response();
        }
    }

    parts.extensions.insert(Caller {
        user,
        csrf: csrf.clone(),
        via_token,
        session_cookie: cookie(&parts.headers, SESSION_COOKIE).map(str::to_owned),
        new_csrf_cookie,
    });
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if new_csrf_cookie
        && let Ok(v) = set_cookie(CSRF_COOKIE, &csrf, None, state.secure_cookies).parse()
    {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, v);
    }
    response
}

/// Rejection when the caller may not use a route.
pub enum Denied {
    /// Not logged in, on a page: go to the login page.
    Login(String),
    /// Not logged in, on the API.
    Unauthorized,
    /// Logged in without the role.
    Forbidden(bool),
}

impl IntoResponse for Denied {
    fn into_response(self) -> Response {
        match self {
            Denied::Login(next) => {
                let target = format!(
                    "/login?{}",
                    form_urlencoded::Serializer::new(String::new())
                        .append_pair("next", &next)
                        .finish()
                );
                Redirect::to(&target).into_response()
            }
            Denied::Unauthorized => {
                AppError::new(StatusCode::UNAUTHORIZED, "log in or send an API token")
                    .as_json()
                    .into_response()
            }
            Denied::Forbidden(json) => {
                let e = AppError::new(StatusCode::FORBIDDEN, "your role does not allow this");
                if json { e.as_json() } else { e }.into_response()
            }
        }
    }
}

fn require(parts: &Parts, role: Role) -> Result<(User, Caller), Denied> {
    let api = parts.uri.path().starts_with("/api/");
    let caller = parts.extensions.get::<Caller>().cloned();
    let Some(caller) = caller else {
        return Err(Denied::Unauthorized);
    };
    match &caller.user {
        None if api => Err(Denied::Unauthorized),
        None => Err(Denied::Login(
            parts
                .uri
                .path_and_query()
                .map_or("/".into(), |p| p.as_str().to_owned()),
        )),
        Some(u) if u.role < role => Err(Denied::Forbidden(api)),
        Some(u) => Ok((u.clone(), caller)),
    }
}

macro_rules! role_extractor {
    ($name:ident, $role:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone)]
        pub struct $name(pub User, pub Caller);

        impl FromRequestParts<AppState> for $name {
            type Rejection = Denied;
            async fn from_request_parts(
                parts: &mut Parts,
                _state: &AppState,
            ) -> Result<Self, Self::Rejection> {
                require(parts, $role).map(|(u, c)| $name(u, c))
            }
        }
    };
}

role_extractor!(
    Viewer,
    Role::Viewer,
    "A caller with at least the viewer role."
);
role_extractor!(
    Analyst,
    Role::Analyst,
    "A caller with at least the analyst role."
);
role_extractor!(Admin, Role::Admin, "A caller with the admin role.");

/// The caller, logged in or not.
#[derive(Debug, Clone)]
pub struct Anyone(pub Caller);

impl FromRequestParts<AppState> for Anyone {
    type Rejection = Denied;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .map(Anyone)
            .ok_or(Denied::Unauthorized)
    }
}

impl FromRequestParts<AppState> for Tr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = cookie(&parts.headers, LANG_COOKIE)
            .and_then(Lang::parse)
            .unwrap_or_else(|| {
                Lang::from_accept_language(
                    parts
                        .headers
                        .get(axum::http::header::ACCEPT_LANGUAGE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or(""),
                )
            });
        Ok(Tr::new(state.catalog.clone(), lang))
    }
}

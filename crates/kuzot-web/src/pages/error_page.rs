//! Error pages that lead somewhere: every error answer that is not already a page (a
//! handler's [`crate::error::AppError`], an extractor's rejection such as `/messages/abc`, the router's
//! unknown-route 404 and its 405) becomes a whole page in the caller's language, with the
//! navigation, the language switcher and a way on. JSON answers, and pages that show a
//! form again with its error, pass through untouched.
//!
//! The page is drawn by a middleware rather than by [`crate::error::AppError`]'s `IntoResponse`, because
//! only the request knows the caller's language and account; the error leaves its status
//! and message in the response's extensions ([`ErrorDetail`]) for this layer to read.

use askama::Template;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::auth::Caller;
use crate::i18n::Tr;
use crate::render::Page;
use crate::state::AppState;

/// What an [`crate::error::AppError`] says, kept on its response for the page layer.
#[derive(Debug, Clone)]
pub struct ErrorDetail {
    /// What went wrong, as the handler put it (shown as a detail).
    pub message: String,
    /// Whether `message` is in the reader's language; if not, it is English.
    pub in_readers_language: bool,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Page,
    explanation: String,
    detail: Option<String>,
    /// The detail's language tag: the page's, or `en`.
    detail_lang: String,
    logged_in: bool,
}

/// The catalogue id explaining a status to a user.
fn explanation_id(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "error-explain-400",
        401 | 403 => "error-explain-403",
        404 => "error-explain-404",
        405 => "error-explain-405",
        409 => "error-explain-409",
        413 => "error-explain-413",
        416 => "error-explain-416",
        429 => "error-explain-429",
        503 => "error-explain-503",
        _ => "error-explain-500",
    }
}

/// Whether the answer is already a page of its own (a form shown again with its error,
/// as the login and model pages do) or JSON: those pass through. An [`crate::error::AppError`]'s bare
/// page, an extractor's plain-text rejection and the router's empty 404/405 do not.
fn is_final(response: &Response) -> bool {
    if response.extensions().get::<ErrorDetail>().is_some() {
        return false;
    }
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"))
}

/// Middleware: turns every HTML (or bodiless) 4xx/5xx answer into an error page.
pub async fn error_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let tr = match Tr::from_request_parts(&mut parts, &state).await {
        Ok(tr) => tr,
        Err(never) => match never {},
    };
    let caller = parts.extensions.get::<Caller>().cloned();
    let uri = parts.uri.clone();
    let response = next.run(Request::from_parts(parts, body)).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_final(&response) {
        return response;
    }
    let found = response.extensions().get::<ErrorDetail>();
    let detail = found.map(|d| d.message.clone());
    let detail_lang = match found {
        Some(d) if d.in_readers_language => tr.lang.code(),
        _ => "en",
    }
    .to_owned();
    let caller = caller.unwrap_or_else(Caller::anonymous);
    let title = tr.t1("error-title", "status", status.as_u16());
    let page = ErrorPage {
        explanation: tr.t(explanation_id(status)),
        detail,
        detail_lang,
        logged_in: caller.user.is_some(),
        page: Page::new(tr, &caller, &uri, title),
    };
    let mut answer = match page.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!("rendering an error page: {e}");
            return response;
        }
    };
    // Headers the handler set on its answer (Allow on a 405, Retry-After, the file's
    // length in a 416's Content-Range) stay.
    for name in [
        header::ALLOW,
        header::RETRY_AFTER,
        header::SET_COOKIE,
        header::CONTENT_RANGE,
    ] {
        for value in response.headers().get_all(&name) {
            answer.headers_mut().append(name.clone(), value.clone());
        }
    }
    answer
}

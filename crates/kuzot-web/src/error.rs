//! Errors of a request: a status, a message safe to show, and whether the caller wants
//! JSON. Internal details go to the log, never to the page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A request that could not be served.
#[derive(Debug)]
pub struct AppError {
    /// HTTP status.
    pub status: StatusCode,
    /// What to tell the user (no internals, no personal data).
    pub message: String,
    /// Answer in JSON (API routes).
    pub json: bool,
    /// `message` is in the reader's language (not the English of most handlers).
    pub in_readers_language: bool,
}

impl AppError {
    /// A 4xx or 5xx with a message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> AppError {
        AppError {
            status,
            message: message.into(),
            json: false,
            in_readers_language: false,
        }
    }

    /// The same error, its message marked as written in the reader's language (from the
    /// catalogue), so that the error page does not mark it as English.
    pub fn in_readers_language(mut self) -> AppError {
        self.in_readers_language = true;
        self
    }

    /// 400.
    pub fn bad_request(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404.
    pub fn not_found(what: impl Into<String>) -> AppError {
        AppError::new(StatusCode::NOT_FOUND, what)
    }

    /// 403.
    pub fn forbidden() -> AppError {
        AppError::new(StatusCode::FORBIDDEN, "forbidden")
    }

    /// 500: logs the detail, shows a generic message.
    pub fn internal(detail: impl std::fmt::Display) -> AppError {
        tracing::error!("internal error: {detail}");
        AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error; the server log has the details",
        )
    }

    /// The same error, answered as JSON.
    pub fn as_json(mut self) -> AppError {
        self.json = true;
        self
    }
}

impl From<kuzot_store::StoreError> for AppError {
    fn from(e: kuzot_store::StoreError) -> AppError {
        match e {
            kuzot_store::StoreError::NotFound(what) => AppError::not_found(what),
            kuzot_store::StoreError::Database(ref db)
                if db.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) =>
            {
                AppError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the store is busy with an import; try again in a moment",
                )
            }
            other => AppError::internal(other),
        }
    }
}

impl From<crate::accounts::AccountError> for AppError {
    fn from(e: crate::accounts::AccountError) -> AppError {
        use crate::accounts::AccountError;
        match e {
            AccountError::Invalid(m) => AppError::bad_request(m),
            AccountError::PasswordTooShort { .. } | AccountError::PasswordTooLong => {
                AppError::bad_request(e.to_string())
            }
            AccountError::NameTaken(_) => AppError::new(StatusCode::CONFLICT, e.to_string()),
            other => AppError::internal(other),
        }
    }
}

impl From<kuzot_search::SearchError> for AppError {
    fn from(e: kuzot_search::SearchError) -> AppError {
        AppError::internal(e)
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> AppError {
        AppError::internal(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if self.json {
            let body = serde_json::json!({ "error": self.message, "status": self.status.as_u16() });
            // An error often quotes what was asked (a filter value, an id). JSON syntax has
            // no `<`, `>` or `&` outside strings, so writing them as \u escapes changes no
            // value, and a quoted `<script>` cannot turn into markup in a client that shows
            // the body as HTML or a browser that sniffs it.
            let text = body
                .to_string()
                .replace('<', "\\u003c")
                .replace('>', "\\u003e")
                .replace('&', "\\u0026");
            (
                self.status,
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                text,
            )
                .into_response()
        } else {
            // A bare page for a client that bypasses the router's error-page layer; the
            // layer ([`crate::pages::error_page`]) replaces it with a whole page.
            let body = format!(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
                 <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
                 <title>{code}</title></head><body><h1>{code}</h1><p>{msg}</p>\
                 <p><a href=\"/\">kuzot</a></p></body></html>",
                code = self.status.as_u16(),
                msg = crate::render::escape(&self.message),
            );
            let mut response = (self.status, axum::response::Html(body)).into_response();
            response
                .extensions_mut()
                .insert(crate::pages::error_page::ErrorDetail {
                    message: self.message,
                    in_readers_language: self.in_readers_language,
                });
            response
        }
    }
}

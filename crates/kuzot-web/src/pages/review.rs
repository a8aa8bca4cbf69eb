//! The analysts' review queue: the documents a person should look at first, and the
//! "review next" flow that walks an analyst through them one message page at a time.
//!
//! The queue holds unlabelled documents the engine put in a risk category (least confident
//! first: those are where a wrong call costs most), then the other unlabelled documents
//! the engine was unsure of. Labelling a document takes it out of the queue; the label
//! itself is saved by the message page's form ([`crate::pages::message::label`]).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use kuzot_model::Category;
use kuzot_store::QueueItem;
use serde::Deserialize;

use crate::auth::Analyst;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::render::{Page, html};
use crate::state::AppState;

/// Below this confidence a non-risk document is queued too.
///
/// The confidence is the engine's top category probability among seven. At 0.6 or more
/// the winner outweighs all six others together by half again, and in the examples those
/// calls are nearly always right; below it the runner-up is often the true category, so a
/// person's look is worth more than elsewhere. Risk documents are queued whatever their
/// confidence, since a wrong risk call is the costly mistake either way.
pub const LOW_CONFIDENCE: f64 = 0.6;

/// Items shown per page of the queue.
const PAGE_SIZE: u64 = 50;

/// How far ahead `/review/next?after=` looks for the item after a skipped one.
const SKIP_WINDOW: u64 = 500;

/// Characters of the text shown in the list.
const PREVIEW_CHARS: usize = 200;

/// The path that sends an analyst on to the next queued message; the message page's label
/// form carries it as `next` when the analyst came from the queue.
pub const NEXT_PATH: &str = "/review/next";

/// One queued document as listed.
pub struct QueueView {
    /// Document id.
    pub id: i64,
    /// Category id (for the CSS class).
    pub category: String,
    /// Category label.
    pub category_label: String,
    /// Whether it is a risk category.
    pub risk: bool,
    /// Confidence, formatted.
    pub confidence: String,
    /// Chat or channel.
    pub chat: String,
    /// Time, formatted.
    pub time: String,
    /// The start of the text.
    pub preview: String,
}

fn queue_view(tr: &Tr, item: &QueueItem) -> QueueView {
    let category = Category::parse(&item.category);
    let mut preview: String = item.preview.chars().take(PREVIEW_CHARS).collect();
    if item.preview.chars().count() > PREVIEW_CHARS {
        preview.push('…');
    }
    QueueView {
        id: item.document_id,
        category: item.category.clone(),
        category_label: tr.category(&item.category),
        risk: category.is_some_and(Category::is_risk),
        confidence: tr.decimal(item.confidence, 2),
        chat: item.chat.clone().unwrap_or_default(),
        time: item.time.map(|t| tr.datetime(t)).unwrap_or_default(),
        preview,
    }
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    page: Page,
    waiting: String,
    empty: bool,
    threshold: String,
    items: Vec<QueueView>,
    prev: Option<String>,
    next: Option<String>,
    page_label: String,
}

/// Query of the queue page.
#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    /// 1-based page number.
    #[serde(default)]
    page: Option<u64>,
}

/// GET /review
pub async fn review_page(
    State(state): State<AppState>,
    Analyst(_, caller): Analyst,
    tr: Tr,
    uri: Uri,
    Query(q): Query<QueueQuery>,
) -> Result<Response, AppError> {
    let number = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let offset = (number - 1) * PAGE_SIZE;
    let (waiting, items) = state
        .with_store(move |store| {
            Ok((
                store.review_queue_len(LOW_CONFIDENCE)?,
                store.review_queue(LOW_CONFIDENCE, offset, PAGE_SIZE)?,
            ))
        })
        .await?;
    let title = tr.t("review-title");
    let prev = (number > 1).then(|| format!("/review?page={}", number - 1));
    let next = (offset + PAGE_SIZE < waiting).then(|| format!("/review?page={}", number + 1));
    html(&ReviewPage {
        waiting: tr.count("review-waiting", waiting),
        empty: waiting == 0,
        threshold: tr.t1(
            "review-threshold",
            "threshold",
            tr.decimal(LOW_CONFIDENCE, 2),
        ),
        items: items.iter().map(|i| queue_view(&tr, i)).collect(),
        prev,
        next,
        page_label: tr.t1("page-number", "n", number),
        page: Page::new(tr, &caller, &uri, title),
    })
}

/// Query of `/review/next`.
#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    /// A document the analyst skipped: go to the one queued after it.
    #[serde(default)]
    after: Option<i64>,
}

/// The message page of a queued document, marked as reached from the queue.
pub fn queued_message_path(id: i64) -> String {
    format!("/messages/{id}?from=review")
}

/// GET /review/next — the first queued message (or the one after a skipped one), or the
/// queue page when nothing waits.
pub async fn review_next(
    State(state): State<AppState>,
    Analyst(..): Analyst,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let window = if q.after.is_some() { SKIP_WINDOW } else { 1 };
    let items = state
        .with_store(move |store| Ok(store.review_queue(LOW_CONFIDENCE, 0, window)?))
        .await?;
    let target = match q.after {
        // The skipped item is still queued: take the one after it. It may have left the
        // queue meanwhile (someone labelled it): then the first one is next anyway.
        Some(after) => match items.iter().position(|i| i.document_id == after) {
            Some(pos) => items
                .get(pos + 1)
                .or(items.first().filter(|i| i.document_id != after)),
            None => items.first(),
        },
        None => items.first(),
    };
    Ok(match target {
        Some(item) => Redirect::to(&queued_message_path(item.document_id)),
        None => Redirect::to("/review"),
    }
    .into_response())
}

/// Routes of this part.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/review", get(review_page))
        .route(NEXT_PATH, get(review_next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tr() -> Tr {
        Tr::new(
            std::sync::Arc::new(crate::i18n::Catalog::load().expect("catalog")),
            crate::i18n::Lang::En,
        )
    }

    #[test]
    fn a_queue_item_is_shown_with_a_bounded_preview() {
        let item = QueueItem {
            document_id: 7,
            category: "pmc".into(),
            confidence: 0.4567,
            chat: None,
            time: Some(1_764_374_400),
            preview: "я".repeat(240),
        };
        let v = queue_view(&tr(), &item);
        assert!(v.risk);
        assert_eq!(v.confidence, "0.46");
        assert_eq!(v.preview.chars().count(), PREVIEW_CHARS + 1);
        assert_eq!(v.time, "29 Nov 2025 00:00 UTC");
    }

    proptest::proptest! {
        #[test]
        fn any_queue_item_renders(category in "\\PC{0,20}", preview in "\\PC{0,300}", confidence in proptest::num::f64::ANY, time in proptest::option::of(proptest::num::i64::ANY)) {
            let item = QueueItem { document_id: 1, category, confidence, chat: Some(preview.clone()), time, preview };
            let _ = queue_view(&tr(), &item);
        }
    }
}

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
    /// Ads whose facts contradict their category, with the reasons.
    contradictions: Vec<Contradiction>,
    /// The spot-check sample, its number and the link to another.
    spot: Vec<QueueView>,
    spot_seed: u32,
    spot_intro: String,
    spot_another: String,
}

/// Query of the queue page.
#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    /// 1-based page number.
    #[serde(default)]
    page: Option<u64>,
    /// Which spot-check sample (any number; the day's by default).
    #[serde(default)]
    sample: Option<u32>,
}

/// How many confident decisions a spot check shows.
const SPOT_SIZE: u64 = 10;

/// How many contradicting ads the page lists, and how many each rule looks at.
const CONTRADICTIONS_SHOWN: usize = 50;
const PER_RULE: usize = 25;

/// Organisations that fight: an ad naming one is not an ordinary job. (Zhilishchnik and
/// the Sakharovo centre are in the list of organisations but are not military.)
const MILITARY_ORGS: [&str; 8] = [
    "ministry_of_defence",
    "wagner",
    "redut",
    "patriot",
    "convoy",
    "akhmat",
    "bars",
    "rosgvardia",
];

/// Words for a (military) contract in the languages kuzot reads, as search prefixes:
/// Russian, Kyrgyz, Kazakh and Tajik write "контракт"; Uzbek "kontrakt" or "shartnoma".
const CONTRACT_WORDS: [&str; 5] = [
    "контракт*",
    "kontrakt*",
    "shartnoma*",
    "шартнома*",
    "contract*",
];

/// An ad the engine put in "other" or "ordinary job" although its facts point to
/// recruitment.
pub struct Contradiction {
    /// The message as listed.
    pub item: QueueView,
    /// Why it is listed, each with the search that finds all such ads: (text, href).
    pub reasons: Vec<(String, String)>,
}

/// One rule: the search that finds its ads, and how a hit is explained.
struct Rule {
    query: kuzot_search::SearchQuery,
    reason: String,
    href: String,
}

fn rules(tr: &Tr) -> Vec<Rule> {
    use kuzot_model::Genre;
    let mut out = Vec::new();
    for category in [Category::Other, Category::JobOther] {
        let base = kuzot_search::SearchQuery {
            category: Some(category),
            genre: Some(Genre::Ad),
            limit: PER_RULE,
            ..Default::default()
        };
        let search = |extra: &[(&str, String)]| {
            let mut pairs = vec![
                ("category", category.as_str().to_owned()),
                ("genre", "ad".to_owned()),
            ];
            pairs.extend(extra.iter().map(|(k, v)| (*k, v.clone())));
            format!("/search?{}", crate::render::query_string(pairs))
        };
        for org in MILITARY_ORGS {
            out.push(Rule {
                query: kuzot_search::SearchQuery {
                    org: Some(org.to_owned()),
                    ..base.clone()
                },
                reason: tr.t1(
                    "review-reason-org",
                    "org",
                    tr.t(&format!("org-{}", org.replace('_', "-"))),
                ),
                href: search(&[("org", org.to_owned())]),
            });
        }
        out.push(Rule {
            query: kuzot_search::SearchQuery {
                promise: Some("lump_sum".to_owned()),
                ..base.clone()
            },
            reason: tr.t("review-reason-lump-sum"),
            href: search(&[("promise", "lump_sum".to_owned())]),
        });
        for word in CONTRACT_WORDS {
            out.push(Rule {
                query: kuzot_search::SearchQuery {
                    text: word.to_owned(),
                    min_pay_rub: Some(1.0),
                    ..base.clone()
                },
                reason: tr.t1("review-reason-contract", "word", word.trim_end_matches('*')),
                href: search(&[("q", word.to_owned()), ("min_pay", "1".to_owned())]),
            });
        }
    }
    out
}

/// What the rules found: per message its hit and the reasons, newest id first.
type Found = Vec<(kuzot_search::SearchHit, Vec<(String, String)>)>;

/// Runs every rule over the search index and merges the reasons per message.
fn run_rules(state: &AppState, tr: &Tr) -> Result<Found, AppError> {
    let mut found: std::collections::BTreeMap<
        i64,
        (kuzot_search::SearchHit, Vec<(String, String)>),
    > = std::collections::BTreeMap::new();
    for rule in rules(tr) {
        for hit in state.index.search(&rule.query)?.hits {
            found
                .entry(hit.id)
                .or_insert_with(|| (hit, Vec::new()))
                .1
                .push((rule.reason.clone(), rule.href.clone()));
        }
    }
    Ok(found.into_values().rev().collect())
}

/// Leaves out labelled messages (an analyst has looked) and reads each one's confidence.
fn unlabelled(
    store: &kuzot_store::Store,
    tr: &Tr,
    found: Found,
) -> Result<Vec<Contradiction>, AppError> {
    let mut out = Vec::new();
    for (hit, reasons) in found {
        if out.len() >= CONTRADICTIONS_SHOWN {
            break;
        }
        if !store.labels_of(hit.id)?.is_empty() {
            continue;
        }
        let confidence = store
            .analysis_of(hit.id)?
            .map(|a| a.confidence)
            .unwrap_or(0.0);
        let item = QueueItem {
            document_id: hit.id,
            category: hit.category.as_str().to_owned(),
            confidence,
            chat: hit.chat,
            time: hit.time,
            preview: hit.snippet.text,
        };
        out.push(Contradiction {
            item: queue_view(tr, &item),
            reasons,
        });
    }
    Ok(out)
}

/// Today's sample number: days since 1970, so each day brings a new sample and a number
/// someone quotes gives them the same one.
fn todays_sample() -> u32 {
    let days = time::OffsetDateTime::now_utc().unix_timestamp() / 86_400;
    u32::try_from(days).unwrap_or(0)
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
    let seed = q.sample.unwrap_or_else(todays_sample);
    let (waiting, items, spot) = state
        .with_store(move |store| {
            Ok((
                store.review_queue_len(LOW_CONFIDENCE)?,
                store.review_queue(LOW_CONFIDENCE, offset, PAGE_SIZE)?,
                store.spot_check(LOW_CONFIDENCE, seed, SPOT_SIZE)?,
            ))
        })
        .await?;
    let tr2 = tr.clone();
    let found = state.blocking(move |s| run_rules(s, &tr2)).await?;
    let tr2 = tr.clone();
    let contradictions = state
        .with_store(move |store| unlabelled(store, &tr2, found))
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
        contradictions,
        spot: spot.iter().map(|i| queue_view(&tr, i)).collect(),
        spot_seed: seed,
        spot_intro: tr.t1(
            "review-spot-intro",
            "threshold",
            tr.decimal(LOW_CONFIDENCE, 2),
        ),
        spot_another: format!("/review?sample={}#spot-check", seed.wrapping_add(1)),
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

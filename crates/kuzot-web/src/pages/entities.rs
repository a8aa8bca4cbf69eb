//! Pages of the things ads have in common — a phone number, an organisation, a place, a
//! channel — each with its ads over time, and the pages of the imported source files with
//! what was rejected from them and a download of the original bytes.
//!
//! An entity page is a search filtered on the entity: the index answers it, so a phone
//! met in a label's corrected facts shows up the same way as one the engine found.
//! An entity with no ads answers 200 with a page saying so: a researcher who follows a
//! link to a number that was relabelled away should learn that, not meet an error.

use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header::{
    ACCEPT_RANGES, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG,
    IF_RANGE, RANGE,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use kuzot_store::{RejectedRecordRow, SourceRecord};
use serde::Deserialize;

use crate::auth::{Analyst, Viewer};
use crate::byte_range;
use crate::error::AppError;
use crate::filters::SearchParams;
use crate::i18n::Tr;
use crate::pages::dashboard::Chart;
use crate::pages::search::HitView;
use crate::render::{Page, html};
use crate::state::AppState;

/// Longest entity value accepted in a path.
const MAX_ENTITY_CHARS: usize = 300;
/// Most rejected records listed on a source page (the count is always shown).
const MAX_REJECTED_SHOWN: usize = 1000;

/// What an entity page is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityKind {
    /// A phone number (E.164).
    Phone,
    /// An organisation id.
    Org,
    /// A gazetteer place id.
    Place,
    /// A chat or channel name.
    Channel,
}

impl EntityKind {
    /// The search filter of this kind, set to `value`, on page `page`.
    pub fn params(self, value: &str, page: Option<String>) -> SearchParams {
        let value = Some(value.to_owned());
        let mut p = SearchParams {
            page,
            ..SearchParams::default()
        };
        match self {
            EntityKind::Phone => p.phone = value,
            EntityKind::Org => p.org = value,
            EntityKind::Place => p.place = value,
            EntityKind::Channel => p.chat = value,
        }
        p
    }

    /// The message id naming the kind.
    fn label_id(self) -> &'static str {
        match self {
            EntityKind::Phone => "entity-phone",
            EntityKind::Org => "entity-org",
            EntityKind::Place => "entity-place",
            EntityKind::Channel => "entity-channel",
        }
    }

    /// The path prefix of the kind's pages.
    pub fn prefix(self) -> &'static str {
        match self {
            EntityKind::Phone => "/phones",
            EntityKind::Org => "/orgs",
            EntityKind::Place => "/places",
            EntityKind::Channel => "/channels",
        }
    }
}

/// Only `page` is read from an entity page's query.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// Page number, from 1.
    #[serde(default)]
    pub page: Option<String>,
}

#[derive(Template)]
#[template(path = "entity.html")]
struct EntityPage {
    page: Page,
    kind_label: String,
    name: String,
    total: String,
    empty: bool,
    counts: Vec<(String, String, String)>,
    chart: Option<Chart>,
    hits: Vec<HitView>,
    prev: Option<String>,
    next: Option<String>,
    page_label: String,
    filter_query: String,
}

/// The name shown for an entity: organisations by their translated name.
fn display_name(tr: &Tr, kind: EntityKind, value: &str) -> String {
    if kind == EntityKind::Org
        && serde_json::from_value::<kuzot_model::Org>(serde_json::Value::String(value.to_owned()))
            .is_ok()
    {
        return tr.t(&format!("org-{}", value.replace('_', "-")));
    }
    if kind == EntityKind::Place {
        return tr.place(value);
    }
    value.to_owned()
}

async fn entity_page(
    state: AppState,
    caller: &crate::auth::Caller,
    tr: Tr,
    uri: &Uri,
    kind: EntityKind,
    value: String,
    page: Option<String>,
) -> Result<Response, AppError> {
    let value = value.trim().to_owned();
    if value.is_empty() || value.chars().count() > MAX_ENTITY_CHARS {
        return Err(AppError::not_found(tr.t("entity-none")));
    }
    let params = kind.params(&value, page);
    let query = params.to_query(&tr)?;
    let (limit, offset) = (query.limit, query.offset);
    let (results, agg) = state
        .blocking(move |s| {
            let mut all = query.clone();
            all.offset = 0;
            Ok((s.index.search(&query)?, s.index.aggregate(&all)?))
        })
        .await?;
    let number = params.page_number();
    let here = format!("{}/{}", kind.prefix(), crate::render::path_segment(&value));
    let prev = (number > 1).then(|| page_href(&here, number - 1));
    let next = ((offset + limit) < usize::try_from(results.total).unwrap_or(usize::MAX))
        .then(|| page_href(&here, number + 1));
    let counts = agg
        .categories
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(c, n)| (c.as_str().to_owned(), tr.category(c.as_str()), tr.int(*n)))
        .collect();
    let chart = (agg.total > 0)
        .then(|| crate::pages::dashboard::draw(&tr, &agg, "weekly", false, Some(&params)))
        .flatten();
    let name = display_name(&tr, kind, &value);
    let title = format!("{} · {name}", tr.t(kind.label_id()));
    html(&EntityPage {
        kind_label: tr.t(kind.label_id()),
        total: tr.count("results-count", agg.total),
        empty: agg.total == 0,
        hits: crate::pages::search::hit_views(&tr, &results.hits),
        page_label: tr.t1("page-number", "n", number),
        filter_query: params.to_query_string(0),
        page: Page::new(tr, caller, uri, title),
        name,
        counts,
        chart,
        prev,
        next,
    })
}

fn page_href(here: &str, page: usize) -> String {
    if page > 1 {
        format!("{here}?page={page}")
    } else {
        here.to_owned()
    }
}

/// GET /phones/{phone}
pub async fn phone_page(
    State(state): State<AppState>,
    Viewer(_, caller): Viewer,
    tr: Tr,
    uri: Uri,
    Path(phone): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    entity_page(state, &caller, tr, &uri, EntityKind::Phone, phone, q.page).await
}

/// Most numbers the shared-phones page lists.
const SHARED_PHONES_SHOWN: u64 = 500;

#[derive(Template)]
#[template(path = "phones.html")]
struct PhonesPage {
    page: Page,
    total: String,
    /// (phone, how many messages, its page, its search).
    phones: Vec<(String, String, String, String)>,
}

/// GET /phones — phone numbers that appear in more than one message, most shared first
/// (what `kuzot phones` prints), each linked to its page and to its search.
pub async fn phones_page(
    State(state): State<AppState>,
    Viewer(_, caller): Viewer,
    tr: Tr,
    uri: Uri,
) -> Result<Response, AppError> {
    let phones = state
        .with_store(|store| Ok(store.shared_phones(2, SHARED_PHONES_SHOWN)?))
        .await?;
    let title = tr.t("phones-title");
    html(&PhonesPage {
        total: tr.count("phones-count", phones.len() as u64),
        phones: phones
            .into_iter()
            .map(|(phone, n)| {
                let page = format!("/phones/{}", crate::render::path_segment(&phone));
                let search = format!(
                    "/search?{}",
                    crate::render::query_string([("phone", phone.clone())])
                );
                (phone, tr.int(n), page, search)
            })
            .collect(),
        page: Page::new(tr, &caller, &uri, title),
    })
}

/// GET /orgs/{org}
pub async fn org_page(
    State(state): State<AppState>,
    Viewer(_, caller): Viewer,
    tr: Tr,
    uri: Uri,
    Path(org): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    entity_page(state, &caller, tr, &uri, EntityKind::Org, org, q.page).await
}

/// GET /places/{place}
pub async fn place_page(
    State(state): State<AppState>,
    Viewer(_, caller): Viewer,
    tr: Tr,
    uri: Uri,
    Path(place): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    entity_page(state, &caller, tr, &uri, EntityKind::Place, place, q.page).await
}

/// GET /channels/{name} — the name percent-encoded, any Unicode.
pub async fn channel_page(
    State(state): State<AppState>,
    Viewer(_, caller): Viewer,
    tr: Tr,
    uri: Uri,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    entity_page(state, &caller, tr, &uri, EntityKind::Channel, name, q.page).await
}

/// A source file as listed.
pub struct SourceView {
    /// The record.
    pub source: SourceRecord,
    /// Size, formatted.
    pub size: String,
    /// Import time, formatted.
    pub imported_at: String,
    /// Counts, formatted.
    pub added: String,
    /// Already present, formatted.
    pub already: String,
    /// Rejected, formatted.
    pub rejected: String,
}

fn source_view(tr: &Tr, source: SourceRecord) -> SourceView {
    SourceView {
        size: tr.t1("source-bytes", "n", tr.int(source.size)),
        imported_at: tr.rfc3339(&source.imported_at),
        added: tr.int(source.added),
        already: tr.int(source.already_present),
        rejected: tr.int(source.rejected),
        source,
    }
}

#[derive(Template)]
#[template(path = "sources.html")]
struct SourcesPage {
    page: Page,
    sources: Vec<SourceView>,
    total: String,
}

/// GET /sources
pub async fn sources_page(
    State(state): State<AppState>,
    Viewer(_, caller): Viewer,
    tr: Tr,
    uri: Uri,
) -> Result<Response, AppError> {
    let sources = state.with_store(|store| Ok(store.sources()?)).await?;
    let title = tr.t("sources-title");
    html(&SourcesPage {
        total: tr.t1("sources-count", "n", tr.int(sources.len() as u64)),
        sources: sources
            .into_iter()
            .rev()
            .map(|s| source_view(&tr, s))
            .collect(),
        page: Page::new(tr, &caller, &uri, title),
    })
}

/// A rejected record as listed.
pub struct RejectedView {
    /// Record number.
    pub record: String,
    /// Line, if known.
    pub line: String,
    /// Byte offset, if known.
    pub byte: String,
    /// Why it was rejected.
    pub reason: String,
}

#[derive(Template)]
#[template(path = "source.html")]
struct SourcePage {
    page: Page,
    view: SourceView,
    rejected: Vec<RejectedView>,
    rejected_more: Option<String>,
    search_href: String,
}

/// A source and its rejected records, by id (404 when unknown).
pub async fn load_source(
    state: &AppState,
    id: i64,
) -> Result<(SourceRecord, Vec<RejectedRecordRow>), AppError> {
    state
        .with_store(move |store| {
            let source = store
                .sources()?
                .into_iter()
                .find(|s| s.id == id)
                .ok_or_else(|| AppError::not_found(format!("source {id}")))?;
            let rejected = store.rejected_records(id)?;
            Ok((source, rejected))
        })
        .await
}

/// GET /sources/{id}
pub async fn source_page(
    State(state): State<AppState>,
    Viewer(_, caller): Viewer,
    tr: Tr,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    // A source is also reached by its SHA-256 (what an import job knows of the file it
    // read): that address leads to the page under the source's number.
    if id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        let sha = id.to_ascii_lowercase();
        let found = state
            .with_store(move |store| Ok(store.source_by_sha256(&sha)?.map(|s| s.id)))
            .await?;
        return match found {
            Some(n) => Ok(Redirect::to(&format!("/sources/{n}")).into_response()),
            None => Err(AppError::not_found(format!("source {id}"))),
        };
    }
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::not_found(format!("source {id:?}")))?;
    let (source, rejected) = load_source(&state, id).await?;
    let more = rejected.len().saturating_sub(MAX_REJECTED_SHOWN);
    let rejected_views = rejected
        .iter()
        .take(MAX_REJECTED_SHOWN)
        .map(|r| RejectedView {
            record: tr.int(r.position.index),
            line: r.position.line.map(|l| tr.int(l)).unwrap_or_default(),
            byte: r
                .position
                .byte_offset
                .map(|b| tr.int(b))
                .unwrap_or_default(),
            reason: r.reason.clone(),
        })
        .collect();
    let search_href = format!(
        "/search?{}",
        crate::render::query_string([("source", source.sha256.clone())])
    );
    let title = tr.t1("source-title", "name", &source.original_name);
    html(&SourcePage {
        rejected_more: (more > 0).then(|| tr.t1("source-rejected-more", "n", tr.int(more as u64))),
        view: source_view(&tr, source),
        rejected: rejected_views,
        search_href,
        page: Page::new(tr, &caller, &uri, title),
    })
}

/// GET /sources/{id}/file — the original bytes as kept, always as a download; a `Range`
/// request gets that part (see [`crate::byte_range`]), so a broken download resumes.
pub async fn source_file(
    State(state): State<AppState>,
    Analyst(user, _): Analyst,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::not_found(format!("source {id:?}")))?;
    let (source, _) = load_source(&state, id).await?;
    let sha = source.sha256.clone();
    let etag = byte_range::entity_tag(&source.sha256);
    let range = byte_range::answer(
        headers.get(RANGE),
        headers.get(IF_RANGE),
        &etag,
        source.size,
    );
    let mut parts = Response::new(()).into_parts().0;
    parts
        .headers
        .insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(tag) = HeaderValue::from_str(&etag) {
        parts.headers.insert(ETAG, tag);
    }
    let (skip, length) = match range {
        byte_range::RangeAnswer::Whole => (0, source.size),
        byte_range::RangeAnswer::Part { start, end } => {
            parts.status = StatusCode::PARTIAL_CONTENT;
            let content_range = format!("bytes {start}-{end}/{}", source.size);
            if let Ok(value) = HeaderValue::from_str(&content_range) {
                parts.headers.insert(CONTENT_RANGE, value);
            }
            (start, end - start + 1)
        }
        byte_range::RangeAnswer::Unsatisfiable => {
            parts.status = StatusCode::RANGE_NOT_SATISFIABLE;
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{}", source.size)) {
                parts.headers.insert(CONTENT_RANGE, value);
            }
            return Ok(Response::from_parts(parts, Body::empty()));
        }
    };
    // Opening proves the file is there (and readable) before a response starts; then a
    // blocking task streams it in chunks, whichever backend keeps it, never whole in memory.
    let reader = state
        .with_store(move |store| Ok(store.open_source_file(&sha)?))
        .await?;
    let (mut sender, body) =
        http_body_util::channel::Channel::<axum::body::Bytes, std::io::Error>::new(4);
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut reader = reader;
        // The store gives a reader, not a seekable file (PostgreSQL keeps files in
        // chunks): the bytes before the range are read and dropped.
        match std::io::copy(&mut (&mut reader).take(skip), &mut std::io::sink()) {
            Ok(skipped) if skipped == skip => {}
            Ok(_) => {
                sender.abort(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the kept file is shorter than its recorded size",
                ));
                return;
            }
            Err(e) => {
                sender.abort(e);
                return;
            }
        }
        let mut reader = reader.take(length);
        loop {
            let mut chunk = vec![0u8; 256 * 1024];
            match reader.read(&mut chunk) {
                Ok(0) => return,
                Ok(n) => {
                    chunk.truncate(n);
                    let sent = runtime.block_on(sender.send_data(axum::body::Bytes::from(chunk)));
                    if sent.is_err() {
                        // The client went away.
                        return;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    sender.abort(e);
                    return;
                }
            }
        }
    });
    if let Ok(value) = HeaderValue::from_str(&length.to_string()) {
        parts.headers.insert(CONTENT_LENGTH, value);
    }
    parts.headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    let disposition = HeaderValue::from_str(&crate::export::attachment(&source.original_name))
        .map_err(AppError::internal)?;
    parts.headers.insert(CONTENT_DISPOSITION, disposition);
    tracing::info!(user = %user.name, source = id, partial = skip > 0 || length < source.size, "source file download");
    Ok(Response::from_parts(parts, Body::new(body)))
}

/// Routes of the entity and source pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/phones", get(phones_page))
        .route("/phones/{phone}", get(phone_page))
        .route("/orgs/{org}", get(org_page))
        .route("/places/{place}", get(place_page))
        .route("/channels/{name}", get(channel_page))
        .route("/sources", get(sources_page))
        .route("/sources/{id}", get(source_page))
        .route("/sources/{id}/file", get(source_file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_filters_on_its_own_field() {
        let p = EntityKind::Phone.params("+79990002233", None);
        assert_eq!(p.phone.as_deref(), Some("+79990002233"));
        let c = EntityKind::Channel.params("Работа / Москва", Some("2".into()));
        let english = crate::i18n::Tr::new(
            std::sync::Arc::new(crate::i18n::Catalog::load().expect("catalogue")),
            crate::i18n::Lang::En,
        );
        let q = c.to_query(&english).expect("valid");
        assert_eq!(q.chat.as_deref(), Some("Работа / Москва"));
        assert_eq!(q.offset, crate::filters::PAGE_SIZE);
        assert_eq!(
            EntityKind::Org.params("wagner", None).org.as_deref(),
            Some("wagner")
        );
        assert_eq!(
            EntityKind::Place.params("mariupol", None).place.as_deref(),
            Some("mariupol")
        );
        assert_eq!(page_href("/orgs/wagner", 1), "/orgs/wagner");
        assert_eq!(page_href("/orgs/wagner", 3), "/orgs/wagner?page=3");
    }
}

//! The JSON API under `/api/v1`: search, messages with their analysis, provenance, facts
//! and labels, store statistics, imports, and the OpenAPI 3.1 document describing it all.
//!
//! Callers authenticate with the session cookie (state-changing requests then need the
//! `x-csrf-token` header; the middleware checks it) or with `Authorization: Bearer kzt_…`.
//! Every error is JSON: `{"error": "…", "status": 400}`.
//!
//! The routes are declared once, in the `api_routes!` list at the bottom: it builds the
//! router, the OpenAPI document's list of operations and [`ROUTES`], so that a route cannot
//! be served without being documented (the tests compare the document with [`ROUTES`]).

use axum::Router;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Json, Response};
use kuzot_model::{FactSpan, Facts};
use kuzot_store::{Label, StoredAnalysis, StoredDocument};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::accounts::User;
use crate::auth::{Analyst, Caller, Denied, Viewer};
use crate::error::AppError;
use crate::filters::SearchParams;
use crate::imports::JobStatus;
use crate::pages::message::{MessageRecord, load_record};
use crate::state::AppState;

/// A caller with at least the viewer role; refusals answered as API errors (401/403 JSON).
#[derive(Debug, Clone)]
pub struct ApiViewer(pub User, pub Caller);

/// A caller with at least the analyst role; refusals answered as API errors (401/403 JSON).
#[derive(Debug, Clone)]
pub struct ApiAnalyst(pub User, pub Caller);

/// The role extractors answer a page's refusal (a redirect to the login page) when they do
/// not see `/api/` in the path, which a nested router strips; an API caller must get 401.
fn api_denial(denied: Denied) -> Denied {
    match denied {
        Denied::Login(_) | Denied::Unauthorized => Denied::Unauthorized,
        Denied::Forbidden(_) => Denied::Forbidden(true),
    }
}

impl FromRequestParts<AppState> for ApiViewer {
    type Rejection = Denied;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Denied> {
        Viewer::from_request_parts(parts, state)
            .await
            .map(|Viewer(u, c)| ApiViewer(u, c))
            .map_err(api_denial)
    }
}

impl FromRequestParts<AppState> for ApiAnalyst {
    type Rejection = Denied;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Denied> {
        Analyst::from_request_parts(parts, state)
            .await
            .map(|Analyst(u, c)| ApiAnalyst(u, c))
            .map_err(api_denial)
    }
}

/// An error as the API answers it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, safe to show.
    pub error: String,
    /// The HTTP status, again.
    pub status: u16,
}

/// A hit's snippet: text and the byte ranges of the matched words in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiSnippet {
    /// An extract of the message text.
    pub text: String,
    /// Byte offsets `{start, end}` (end exclusive) into `text` of each match: the shape
    /// of every span kuzot writes (facts, cues, `kuzot analyze`).
    #[schema(value_type = Vec<Object>)]
    pub highlights: Vec<kuzot_model::Span>,
}

/// One search hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiHit {
    /// Message id.
    pub id: i64,
    /// Time of the message (RFC 3339, UTC).
    pub time: Option<String>,
    /// Category in force.
    pub category: String,
    /// Chat or channel.
    pub chat: Option<String>,
    /// The extract with its matches.
    pub snippet: ApiSnippet,
}

/// A page of search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    /// Messages matching in all.
    pub total: u64,
    /// This page's hits.
    pub hits: Vec<ApiHit>,
    /// The query text held nothing searchable (only symbols or emoji, words over 64
    /// letters, only exclusions): nothing matched for that reason.
    pub unsearchable: bool,
}

/// Where a message came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct Provenance {
    /// SHA-256 of the source file.
    pub source_sha256: String,
    /// Original name of the source file.
    pub source_name: String,
    /// Reader format of the source file.
    pub format: String,
    /// Id of the source file (`/sources/{id}`), when its record is found.
    pub source_id: Option<i64>,
    /// Record number in the file, from 0.
    pub record: u64,
    /// Line in the file, if the format has lines.
    pub line: Option<u64>,
    /// Byte offset in the file, if known.
    pub byte: Option<u64>,
}

/// The engine's analysis of a message.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiAnalysis {
    /// The engine's category: an offer category only when the genre is `ad`.
    pub category: String,
    /// Who speaks, to what end: ad, report, testimony, warning, job_search, chatter.
    pub genre: String,
    /// What the message is about, whatever its genre.
    pub topic: String,
    /// The genre model's probability that the message is an offer, when one was used.
    pub offer_probability: Option<f32>,
    /// The engine's score for it.
    pub confidence: f64,
    /// Main language.
    pub lang: String,
    /// Version of the engine that analysed it.
    pub engine_version: String,
    /// Facts found.
    #[schema(value_type = Object)]
    pub facts: Facts,
    /// Where each fact is in the text.
    #[schema(value_type = Vec<Object>)]
    pub spans: Vec<FactSpan>,
    /// Cues behind the category.
    #[schema(value_type = Vec<Object>)]
    pub cues: Vec<kuzot_model::Cue>,
    /// When it was analysed.
    pub analysed_at: String,
}

impl From<StoredAnalysis> for ApiAnalysis {
    fn from(a: StoredAnalysis) -> ApiAnalysis {
        ApiAnalysis {
            category: a.analysis.category.as_str().to_owned(),
            genre: a.analysis.genre_or_infer().as_str().to_owned(),
            topic: a.analysis.topic_or_category().as_str().to_owned(),
            offer_probability: a.analysis.offer_probability,
            confidence: a.confidence,
            lang: a.analysis.lang,
            engine_version: a.analysis.engine_version,
            facts: a.analysis.facts,
            spans: a.analysis.spans,
            cues: a.analysis.cues,
            analysed_at: a.analysed_at,
        }
    }
}

/// A message with everything known about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageResponse {
    /// The stored document (text, chat, pseudonymised author, time, position…).
    #[schema(value_type = Object)]
    pub document: StoredDocument,
    /// Where it came from.
    pub provenance: Provenance,
    /// The engine's analysis, once analysed.
    pub analysis: Option<ApiAnalysis>,
    /// The category in force: the latest label's, else the engine's.
    pub category: Option<String>,
    /// The label in force (the latest), if any.
    #[schema(value_type = Option<Object>)]
    pub label: Option<Label>,
    /// Near-duplicate cluster id.
    pub cluster: Option<i64>,
}

/// The facts in force of a message.
#[derive(Debug, Serialize, ToSchema)]
pub struct FactsResponse {
    /// `label` (an analyst's corrected facts), `engine`, or `none` (not analysed).
    pub from: String,
    /// The facts.
    #[schema(value_type = Object)]
    pub facts: Facts,
    /// Where the engine found them in the text (those still in force).
    #[schema(value_type = Vec<Object>)]
    pub spans: Vec<FactSpan>,
}

/// The labels of a message.
#[derive(Debug, Serialize, ToSchema)]
pub struct LabelsResponse {
    /// Oldest first; the last is in force.
    #[schema(value_type = Vec<Object>)]
    pub labels: Vec<Label>,
}

/// A new label.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabelRequest {
    /// Category id (military_contract, pmc, disguised_military, frontline_labour, occupied_reconstruction, job_other, other).
    pub category: String,
    /// A note (at most 2,000 characters).
    #[serde(default)]
    pub note: Option<String>,
    /// Corrected facts (the shape of `facts` in the message); left out or equal to the
    /// engine's: the engine's facts stand.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub facts: Option<Facts>,
}

/// Documents of one category.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryCount {
    /// Category id.
    pub category: String,
    /// Analysed documents the engine put there.
    pub count: u64,
}

/// Totals of the store.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsResponse {
    /// Sources, documents, chats, authors, time range, documents per format.
    #[schema(value_type = Object)]
    pub stats: kuzot_store::Stats,
    /// Analysed documents per engine category.
    pub categories: Vec<CategoryCount>,
    /// Documents with at least one label.
    pub labelled: u64,
}

/// An import accepted.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportAccepted {
    /// Job id, for `GET /imports/{id}`.
    pub job: u64,
}

/// The multipart form of an import.
#[derive(Debug, ToSchema)]
pub struct ImportForm {
    /// One or more files.
    #[schema(value_type = Vec<String>, format = Binary)]
    pub file: Vec<Vec<u8>>,
    /// Reader format; left out: detected from each file.
    pub format: Option<String>,
}

fn rfc3339(unix: i64) -> Option<String> {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()?
        .format(&Rfc3339)
        .ok()
}

fn message_id(raw: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::not_found(format!("message {raw:?}")).as_json())
}

fn query_params(q: Result<Query<SearchParams>, QueryRejection>) -> Result<SearchParams, AppError> {
    q.map(|Query(p)| p)
        .map_err(|e| AppError::bad_request(format!("query: {}", e.body_text())).as_json())
}

/// Search messages with the same filters as the search page.
#[utoipa::path(get, path = "/search", tag = "search", params(SearchParams),
    responses((status = 200, body = SearchResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    ApiViewer(..): ApiViewer,
    tr: crate::i18n::Tr,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<SearchResponse>, AppError> {
    let query = query_params(params)?
        .to_query(&tr)
        .map_err(AppError::as_json)?;
    let results = state.search(query).await.map_err(AppError::as_json)?;
    Ok(Json(SearchResponse {
        total: results.total,
        unsearchable: results.unsearchable,
        hits: results
            .hits
            .into_iter()
            .map(|h| ApiHit {
                id: h.id,
                time: h.time.and_then(rfc3339),
                category: h.category.as_str().to_owned(),
                chat: h.chat,
                snippet: ApiSnippet {
                    highlights: h
                        .snippet
                        .highlights
                        .iter()
                        .map(|r| kuzot_model::Span {
                            start: r.start,
                            end: r.end,
                        })
                        .collect(),
                    text: h.snippet.text,
                },
            })
            .collect(),
    }))
}

async fn load(state: &AppState, id: i64) -> Result<MessageRecord, AppError> {
    state
        .with_store(move |store| load_record(store, id))
        .await
        .map_err(AppError::as_json)
}

/// A message: the document, its provenance, the engine's analysis, the label in force and
/// its near-duplicate cluster.
#[utoipa::path(get, path = "/messages/{id}", tag = "messages",
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 200, body = MessageResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn message(
    State(state): State<AppState>,
    ApiViewer(..): ApiViewer,
    Path(id): Path<String>,
) -> Result<Json<MessageResponse>, AppError> {
    let id = message_id(&id)?;
    let MessageRecord {
        doc,
        analysis,
        mut labels,
        source,
    } = load(&state, id).await?;
    let label = labels.pop();
    let cluster = analysis.as_ref().and_then(|a| a.cluster).or(doc.cluster);
    let category = label
        .as_ref()
        .map(|l| l.category.as_str().to_owned())
        .or_else(|| {
            analysis
                .as_ref()
                .map(|a| a.analysis.category.as_str().to_owned())
        });
    Ok(Json(MessageResponse {
        provenance: Provenance {
            source_sha256: doc.source.clone(),
            source_name: doc.source_name.clone(),
            format: doc.format.clone(),
            source_id: source.map(|s| s.id),
            record: doc.position.index,
            line: doc.position.line,
            byte: doc.position.byte_offset,
        },
        analysis: analysis.map(ApiAnalysis::from),
        category,
        label,
        cluster,
        document: doc,
    }))
}

/// The engine's spans of the facts that are still in `facts`.
fn spans_in_force(facts: &Facts, spans: &[FactSpan]) -> Vec<FactSpan> {
    spans
        .iter()
        .filter(|s| match s.fact.as_str() {
            "money" => facts.money.iter().any(|m| m.span == s.span),
            "place" => facts
                .places
                .iter()
                .any(|p| p.id == s.value || p.span == s.span),
            "phone" => facts.phones.contains(&s.value),
            "org" => facts.orgs.iter().any(|o| o.as_str() == s.value),
            "promise" => facts.promises.iter().any(|p| p.as_str() == s.value),
            _ => false,
        })
        .cloned()
        .collect()
}

/// The facts in force: the latest label's corrected facts, else the engine's, with where
/// they are in the text.
#[utoipa::path(get, path = "/messages/{id}/facts", tag = "messages",
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 200, body = FactsResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn facts(
    State(state): State<AppState>,
    ApiViewer(..): ApiViewer,
    Path(id): Path<String>,
) -> Result<Json<FactsResponse>, AppError> {
    let id = message_id(&id)?;
    let loaded = load(&state, id).await?;
    let engine_spans = loaded
        .analysis
        .as_ref()
        .map(|a| a.analysis.spans.clone())
        .unwrap_or_default();
    let corrected = loaded.labels.last().and_then(|l| l.facts.clone());
    let response = match (corrected, loaded.analysis) {
        (Some(facts), _) => FactsResponse {
            from: "label".into(),
            spans: spans_in_force(&facts, &engine_spans),
            facts,
        },
        (None, Some(a)) => FactsResponse {
            from: "engine".into(),
            facts: a.analysis.facts,
            spans: engine_spans,
        },
        (None, None) => FactsResponse {
            from: "none".into(),
            facts: Facts::default(),
            spans: Vec::new(),
        },
    };
    Ok(Json(response))
}

/// The labels of a message, oldest first.
#[utoipa::path(get, path = "/messages/{id}/labels", tag = "labels",
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 200, body = LabelsResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn labels(
    State(state): State<AppState>,
    ApiViewer(..): ApiViewer,
    Path(id): Path<String>,
) -> Result<Json<LabelsResponse>, AppError> {
    let id = message_id(&id)?;
    let labels = state
        .with_store(move |store| {
            if store.document(id)?.is_none() {
                return Err(AppError::not_found(format!("message {id}")));
            }
            Ok(store.labels_of(id)?)
        })
        .await
        .map_err(AppError::as_json)?;
    Ok(Json(LabelsResponse { labels }))
}

/// Labels a message (analysts). The label is in force at once: search, exports and the
/// dashboard use its category and facts.
#[utoipa::path(post, path = "/messages/{id}/labels", tag = "labels",
    params(("id" = i64, Path, description = "Message id")),
    request_body = LabelRequest,
    responses((status = 201, description = "The label stored", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "The corrected facts were refused (a phone that is not \
            one, an empty or over-long place, more than 200 facts, a position outside the \
            text); the error says which", body = ErrorBody)))]
pub async fn add_label(
    State(state): State<AppState>,
    ApiAnalyst(user, _): ApiAnalyst,
    tr: crate::i18n::Tr,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let id = message_id(&id)?;
    let request: LabelRequest = serde_json::from_slice(&body).map_err(|e| {
        AppError::bad_request(format!(
            "body: expected {{\"category\", \"note\"?, \"facts\"?}} as JSON ({e})"
        ))
        .as_json()
    })?;
    let engine = state
        .with_store(move |store| {
            if store.document(id)?.is_none() {
                return Err(AppError::not_found(format!("message {id}")));
            }
            Ok(store.analysis_of(id)?.map(|a| a.analysis.facts))
        })
        .await
        .map_err(AppError::as_json)?;
    // Facts equal to the engine's are a confirmation, not a correction (as on the page).
    let facts = request.facts.filter(|f| engine.as_ref() != Some(f));
    let label = crate::pages::message::new_label(
        &tr,
        id,
        &user.name,
        &request.category,
        request.note.as_deref().unwrap_or(""),
        facts,
    )
    .map_err(AppError::as_json)?;
    let saved = crate::pages::message::save_label(&state, &tr, label)
        .await
        .map_err(AppError::as_json)?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

/// Totals of the store: sources, documents, chats, categories, labels.
#[utoipa::path(get, path = "/stats", tag = "store",
    responses((status = 200, body = StatsResponse), (status = 401, body = ErrorBody)))]
pub async fn stats(
    State(state): State<AppState>,
    ApiViewer(..): ApiViewer,
) -> Result<Json<StatsResponse>, AppError> {
    state
        .with_store(|store| {
            Ok(StatsResponse {
                stats: store.stats()?,
                categories: store
                    .category_counts()?
                    .into_iter()
                    .map(|(category, count)| CategoryCount { category, count })
                    .collect(),
                labelled: store.labelled_count()?,
            })
        })
        .await
        .map(Json)
        .map_err(AppError::as_json)
}

/// Imports files (analysts): multipart with one or more `file` parts and an optional
/// `format`. Answers at once with the job; `GET /imports/{id}` follows it.
#[utoipa::path(post, path = "/imports", tag = "imports",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses((status = 202, body = ImportAccepted), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ApiAnalyst(user, _): ApiAnalyst,
    axum::Extension(cut): axum::Extension<crate::auth::BodyCut>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let multipart = multipart.map_err(|e| {
        AppError::bad_request(format!("expected multipart/form-data: {}", e.body_text())).as_json()
    })?;
    let (dir, files, format) = crate::imports::receive_upload(&state, &cut, multipart)
        .await
        .map_err(AppError::as_json)?;
    let job = crate::imports::start_import(&state, &user.name, dir, files, format);
    Ok((StatusCode::ACCEPTED, Json(ImportAccepted { job: job.id })).into_response())
}

/// An import's progress and, when done, what happened to each file.
#[utoipa::path(get, path = "/imports/{id}", tag = "imports",
    params(("id" = u64, Path, description = "Job id")),
    responses((status = 200, body = JobStatus), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn import_status(
    State(state): State<AppState>,
    ApiAnalyst(me, _): ApiAnalyst,
    Path(id): Path<String>,
) -> Result<Json<JobStatus>, AppError> {
    let Ok(number) = id.parse::<u64>() else {
        return Err(AppError::not_found(format!("import {id:?}")).as_json());
    };
    crate::imports::visible_job_status(&state, number, &me)
        .await
        .map_err(AppError::as_json)?
        .map(Json)
        .ok_or_else(|| AppError::not_found(format!("import {id:?}")).as_json())
}

/// This document: the OpenAPI 3.1 description of the API (no authentication needed).
#[utoipa::path(get, path = "/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "The OpenAPI document", body = Object)))]
pub async fn openapi_json() -> Response {
    use utoipa::OpenApi as _;
    match ApiDoc::openapi().to_json() {
        Ok(json) => ([(CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => AppError::internal(e).as_json().into_response(),
    }
}

/// The OpenAPI document as JSON, for the HTML page that shows it to people.
pub fn openapi_value() -> serde_json::Value {
    use utoipa::OpenApi as _;
    serde_json::to_value(ApiDoc::openapi()).unwrap_or_default()
}

/// Declares the security schemes: a bearer API token, or the session cookie.
struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("kzt_…")
                    .description(Some("An API token created on the account page."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "The browser session; POSTs also need the x-csrf-token header.",
            ))),
        );
    }
}

/// Declares every route once: the router, the OpenAPI document and [`ROUTES`] come from
/// the same list.
macro_rules! api_routes {
    ($($method:ident $path:literal => $handler:ident),* $(,)?) => {
        /// Every route of the API as (method, path relative to `/api/v1`).
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        /// Routes of the JSON API (nested under `/api/v1`).
        pub fn routes() -> Router<AppState> {
            Router::new()$(.route($path, axum::routing::$method($handler)))*
        }

        /// The OpenAPI document of the API.
        #[derive(utoipa::OpenApi)]
        #[openapi(
            info(title = "kuzot API", description = "Search and review evidence of recruitment of migrant workers."),
            servers((url = "/api/v1")),
            paths($($handler),*),
            components(schemas(ErrorBody, SearchResponse, ApiHit, ApiSnippet, MessageResponse, Provenance,
                ApiAnalysis, FactsResponse, LabelsResponse, LabelRequest, StatsResponse, CategoryCount,
                ImportAccepted, ImportForm, JobStatus, crate::pages::public_check::CheckRequest,
                crate::pages::public_check::CheckAnswer, crate::pages::public_check::Sign,
                crate::pages::public_check::PromiseMeaning, crate::pages::public_check::LegalRisk)),
            modifiers(&SecuritySchemes),
            security(("bearer" = []), ("cookie" = [])),
        )]
        pub struct ApiDoc;
    };
}

/// `POST /api/v1/check`: the public offer checker (no account, no token); see
/// [`crate::pages::public_check`].
#[utoipa::path(post, path = "/check", tag = "public", request_body = crate::pages::public_check::CheckRequest,
    responses((status = 200, body = crate::pages::public_check::CheckAnswer), (status = 400, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(()))]
pub async fn check(
    State(state): State<AppState>,
    tr: crate::i18n::Tr,
    body: Result<
        Json<crate::pages::public_check::CheckRequest>,
        axum::extract::rejection::JsonRejection,
    >,
) -> Response {
    crate::pages::public_check::check_json(state, tr, body).await
}

api_routes! {
    post "/check" => check,
    get "/search" => search,
    get "/messages/{id}" => message,
    get "/messages/{id}/facts" => facts,
    get "/messages/{id}/labels" => labels,
    post "/messages/{id}/labels" => add_label,
    get "/stats" => stats,
    post "/imports" => import,
    get "/imports/{id}" => import_status,
    get "/openapi.json" => openapi_json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::OpenApi as _;

    #[test]
    fn the_document_lists_exactly_the_routes() {
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("serialises");
        assert!(
            doc["openapi"]
                .as_str()
                .is_some_and(|v| v.starts_with("3.1"))
        );
        let mut documented = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in ["get", "post", "put", "patch", "delete"] {
                if item.get(method).is_some() {
                    documented.push((method.to_owned(), path.clone()));
                }
            }
        }
        let mut declared: Vec<(String, String)> = ROUTES
            .iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        documented.sort();
        declared.sort();
        assert_eq!(documented, declared);
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    }

    #[test]
    fn spans_follow_the_facts_in_force() {
        let span = |fact: &str, value: &str| FactSpan {
            fact: fact.into(),
            value: value.into(),
            span: kuzot_model::Span { start: 0, end: 1 },
        };
        let facts = Facts {
            phones: vec!["+79990002233".into()],
            ..Facts::default()
        };
        let kept = spans_in_force(
            &facts,
            &[
                span("phone", "+79990002233"),
                span("phone", "+70000000000"),
                span("org", "wagner"),
            ],
        );
        assert_eq!(kept.len(), 1);
    }
}

//! The public offer checker (issue 14): `/check` (a form, answered by the server, no script
//! needed) and `POST /api/v1/check` (JSON), open to anyone without an account.
//!
//! A migrant pastes an offer; the engine decides what it is (its category and genre, so a
//! news item about recruitment is "not an offer"), and the answer, in the reader's
//! language, marks the signs in the text in place, says what the promises usually mean
//! and which laws concern a citizen of the reader's country, each with its citation and
//! date of check (from the legal statements file, `kuzot_model::law`).
//!
//! What is pasted is hostile and private: it is never logged, never put in the audit log,
//! never stored unless the unticked box "keep this text for researchers" is ticked (then it
//! goes through the ordinary import use case as a plain-text source "submitted through
//! /check"), and only ever shown escaped. Text length is capped (`check_text_chars`), and
//! every client address gets a number of requests per window (the middleware of
//! [`crate::rate_limit`]).

use askama::Template;
use axum::extract::{Form, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Json, Response};
use kuzot_model::law::Statement;
use kuzot_model::{Category, Genre, Promise};
use kuzot_service::{Citizenship, Country, OfferCheck, OfferKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Anyone;
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use crate::render::{Annotation, Page, annotate_html};
use crate::state::AppState;

/// The checker's page.
pub const PAGE_PATH: &str = "/check";
/// The checker's JSON API.
pub const API_PATH: &str = "/api/v1/check";
/// The routes that take a checked text (and so the checker's body limit).
pub const CHECK_PATHS: [&str; 2] = [PAGE_PATH, API_PATH];
/// The most signs listed under the text (the marks in the text show them all).
pub const MAX_SIGNS_LISTED: usize = 12;
/// The longest quote of the text shown beside a sign, in characters.
const QUOTE_CHARS: usize = 80;

/// One citizenship choice of the form: (id, label, selected).
type CitizenshipOption = (String, String, bool);

fn citizenship_options(tr: &Tr, chosen: Citizenship) -> Vec<CitizenshipOption> {
    let mut options = Vec::new();
    for country in Country::ALL {
        for russian_too in [false, true] {
            let c = Citizenship {
                country,
                russian_too,
            };
            let label = if russian_too {
                tr.t(&format!("check-citizen-{}-ru", country.as_str()))
            } else {
                tr.t(&format!("check-citizen-{}", country.as_str()))
            };
            options.push((c.id(), label, c == chosen));
        }
    }
    options
}

/// The citizenship the form starts with (and the API assumes when none is given):
/// Kyrgyzstan, whose researchers kuzot was built with; the reader changes it in the form.
fn default_citizenship() -> Citizenship {
    Citizenship {
        country: Country::Kg,
        russian_too: false,
    }
}

/// One sign of the answer: a quote of the text and what it shows, in plain words.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Sign {
    /// Start byte of the sign in the text.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
    /// The words of the text (at most 80 characters).
    pub quote: String,
    /// What they show, in the reader's language.
    pub explanation: String,
}

/// A promise found, with what it usually means.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PromiseMeaning {
    /// Promise id (`veteran_status`, `citizenship`…).
    pub id: String,
    /// What the promise usually means in practice, in the reader's language.
    pub meaning: String,
}

/// A legal statement as the answer gives it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LegalRisk {
    /// Stable id of the statement (`kg-mercenarism`).
    pub id: String,
    /// Whose law (`ru`, `kg`, `uz`, `tg`, `ua`).
    pub jurisdiction: String,
    /// The statement in plain words, in the reader's language.
    pub text: String,
    /// Law and article, with its date.
    pub citation: String,
    /// False when the article was not checked against the code.
    pub article_checked: bool,
    /// Where the statement was read.
    pub source: String,
    /// When it was last checked (`YYYY-MM-DD`).
    pub checked: String,
}

/// The checker's answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckAnswer {
    /// What the text is: `military_contract`, `pmc`, `disguised_military`,
    /// `frontline_labour`, `occupied_work`, `ordinary_job` or `not_an_offer`.
    pub kind: String,
    /// The kind's name in the reader's language.
    pub kind_label: String,
    /// What the kind means for the reader, in plain words.
    pub summary: String,
    /// Whether it is recruitment into the war or work that serves it.
    pub risk: bool,
    /// The engine's genre (`ad`, `report`, `testimony`, `warning`, `job_search`, `chatter`).
    pub genre: String,
    /// The engine's category.
    pub category: String,
    /// What the text is about, whatever its genre.
    pub topic: Option<String>,
    /// The language of the answer.
    pub lang: String,
    /// The citizenship the legal risks are for (`kg`, `kg+ru`…).
    pub citizenship: String,
    /// The signs in the text.
    pub signs: Vec<Sign>,
    /// The promises and what they usually mean.
    pub promises: Vec<PromiseMeaning>,
    /// The legal risks for the citizenship, each with its source.
    pub law: Vec<LegalRisk>,
    /// Whether the text was kept for researchers (only when asked).
    pub kept: bool,
}

fn catalogue_id(id: &str) -> String {
    id.replace('_', "-")
}

fn sign_explanation(tr: &Tr, category: Category) -> String {
    tr.t(&format!("check-sign-{}", catalogue_id(category.as_str())))
}

fn quote(text: &str, start: usize, end: usize) -> String {
    let piece = text.get(start..end).unwrap_or("");
    let mut out: String = piece.chars().take(QUOTE_CHARS).collect();
    if piece.chars().count() > QUOTE_CHARS {
        out.push('…');
    }
    out
}

/// The answer of a check in the reader's language, with the annotations that mark its
/// signs in the text.
fn answer(
    tr: &Tr,
    text: &str,
    check: &OfferCheck,
    citizenship: Citizenship,
    kept: bool,
) -> (CheckAnswer, Vec<Annotation>) {
    let analysis = &check.analysis;
    let mut signs: Vec<Sign> = Vec::new();
    let mut annotations = Vec::new();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut add = |start: usize, end: usize, explanation: String, class: &'static str| {
        if start >= end
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            return;
        }
        annotations.push(Annotation {
            start,
            end,
            class,
            label: explanation.clone(),
        });
        // Words inside words already listed ("контракт" in "служба по контракту"), or
        // around them, stay marked in the text but are not listed again: the list would
        // repeat itself (the first listed, a promise's meaning, is the most specific).
        if taken
            .iter()
            .any(|&(s, e)| (s <= start && end <= e) || (start <= s && e <= end))
        {
            return;
        }
        taken.push((start, end));
        signs.push(Sign {
            start,
            end,
            quote: quote(text, start, end),
            explanation,
        });
    };
    // Promises first: their meaning is the most specific explanation of the words.
    for span in analysis.spans.iter().filter(|s| s.fact == "promise") {
        let id = catalogue_id(&span.value);
        add(
            span.span.start,
            span.span.end,
            tr.t(&format!("check-promise-{id}")),
            "fact-promise",
        );
    }
    // Longest first where cues start together, so that the longer words are listed.
    let mut cues: Vec<_> = analysis
        .cues
        .iter()
        .filter_map(|c| c.span.map(|span| (span, c.category)))
        .collect();
    cues.sort_by_key(|(span, _)| (span.start, std::cmp::Reverse(span.end)));
    for (span, category) in cues {
        add(span.start, span.end, sign_explanation(tr, category), "cue");
    }
    signs.sort_by_key(|s| s.start);
    signs.truncate(MAX_SIGNS_LISTED);
    let promises = check
        .promises
        .iter()
        .map(|p: &Promise| PromiseMeaning {
            id: p.as_str().to_owned(),
            meaning: tr.t(&format!("check-promise-{}", catalogue_id(p.as_str()))),
        })
        .collect();
    let law = check
        .statements
        .iter()
        .map(|s: &Statement| LegalRisk {
            id: s.id.clone(),
            jurisdiction: s.jurisdiction.as_str().to_owned(),
            text: s.text.get(tr.lang.code()).to_owned(),
            citation: s.citation.clone(),
            article_checked: s.article_checked,
            source: s.source.clone(),
            checked: s.checked.clone(),
        })
        .collect();
    let kind = check.kind.as_str();
    let genre: Genre = analysis.genre_or_infer();
    let summary = if check.kind == OfferKind::NotAnOffer {
        tr.t(&format!("check-genre-{}", catalogue_id(genre.as_str())))
    } else {
        tr.t(&format!("check-kind-{}-means", catalogue_id(kind)))
    };
    (
        CheckAnswer {
            kind: kind.to_owned(),
            kind_label: tr.t(&format!("check-kind-{}", catalogue_id(kind))),
            summary,
            risk: check.kind.is_risk(),
            genre: genre.as_str().to_owned(),
            category: analysis.category.as_str().to_owned(),
            topic: analysis.topic.map(|t| t.as_str().to_owned()),
            lang: tr.lang.code().to_owned(),
            citizenship: citizenship.id(),
            signs,
            promises,
            law,
            kept,
        },
        annotations,
    )
}

/// Why a text was not checked.
enum Refusal {
    Empty,
    TooLong(usize),
}

fn refusal_of(text: &str, limit: usize) -> Option<Refusal> {
    if text.trim().is_empty() {
        return Some(Refusal::Empty);
    }
    // Counted without allocating, and stopping at the limit.
    if text.chars().nth(limit).is_some() {
        return Some(Refusal::TooLong(limit));
    }
    None
}

fn refusal_message(tr: &Tr, refusal: &Refusal) -> (StatusCode, String) {
    match refusal {
        Refusal::Empty => (StatusCode::BAD_REQUEST, tr.t("check-empty")),
        Refusal::TooLong(limit) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            tr.t1("check-too-long", "limit", tr.int(*limit as u64)),
        ),
    }
}

/// Runs the engine (on the blocking pool: a long text takes milliseconds) and, only when
/// the sender agreed, keeps the text for researchers.
async fn run_check(
    state: &AppState,
    text: String,
    citizenship: Citizenship,
    keep: bool,
) -> Result<(OfferCheck, bool, String), AppError> {
    let engine = state.engine();
    let law = state.law.clone();
    let (check, text) = state
        .blocking(move |_| {
            let check = kuzot_service::check_offer(&engine, &law, &text, citizenship);
            Ok((check, text))
        })
        .await?;
    if !keep {
        return Ok((check, false, text));
    }
    let engine = state.engine();
    let index_state = state.clone();
    let work_dir = state.data_dir.join("uploads");
    let name = crate::accounts::random_token().map_err(AppError::internal)?;
    let limits = state.limits.read;
    let kept_text = text.clone();
    state
        .with_store(move |store| {
            kuzot_service::keep_submitted_text(
                store,
                &index_state.index,
                &engine,
                &work_dir,
                &name,
                &kept_text,
                limits,
            )
            // The error may name the working file, never the text.
            .map_err(AppError::internal)
        })
        .await?;
    Ok((check, true, text))
}

#[derive(Template)]
#[template(path = "public_check.html")]
struct CheckPage {
    page: Page,
    text: String,
    citizenships: Vec<CitizenshipOption>,
    error: Option<String>,
    limit: String,
    answer: Option<CheckAnswer>,
    marked_html: String,
}

impl CheckPage {
    fn jurisdiction_name(&self, id: &str) -> String {
        self.page.t(&format!("jurisdiction-{id}"))
    }

    fn checked_on(&self, date: &str) -> String {
        format!(
            "{} {}",
            self.page.t("law-checked"),
            crate::pages::rights::iso_date(&self.page.tr, date)
        )
    }

    fn citizenship_label(&self, id: &str) -> String {
        let label = self
            .citizenships
            .iter()
            .find(|(option, _, _)| option == id)
            .map_or(id, |(_, label, _)| label.as_str());
        format!("{} {label}", self.page.t("check-law-for"))
    }

    fn limit_note(&self) -> String {
        self.page.tr.t1("check-limit", "limit", &self.limit)
    }
}

fn check_page(
    tr: Tr,
    caller: &crate::auth::Caller,
    uri: &Uri,
    state: &AppState,
    citizenship: Citizenship,
) -> CheckPage {
    let title = tr.t("check-title");
    CheckPage {
        citizenships: citizenship_options(&tr, citizenship),
        limit: tr.int(state.limits.check_text_chars as u64),
        page: Page::public(tr, caller, uri, title),
        text: String::new(),
        error: None,
        answer: None,
        marked_html: String::new(),
    }
}

fn render(page: &CheckPage, status: StatusCode) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => AppError::internal(e).into_response(),
    }
}

/// `GET /check`: the form.
pub async fn check_form(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
    tr: Tr,
    uri: Uri,
) -> Response {
    let citizenship = default_citizenship();
    render(
        &check_page(tr, &caller, &uri, &state, citizenship),
        StatusCode::OK,
    )
}

/// The form's fields.
#[derive(Debug, Deserialize)]
pub struct CheckForm {
    /// The pasted text.
    #[serde(default)]
    pub text: String,
    /// `kg`, `kg+ru`, `uz`, `uz+ru`, `tg`, `tg+ru`.
    #[serde(default)]
    pub citizenship: String,
    /// Present (any value) when the box "keep this text for researchers" is ticked.
    #[serde(default)]
    pub keep: Option<String>,
}

/// `POST /check`: the answer, drawn by the server.
pub async fn check_submit(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
    tr: Tr,
    uri: Uri,
    form: Result<Form<CheckForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(f)) => f,
        Err(_) => CheckForm {
            text: String::new(),
            citizenship: String::new(),
            keep: None,
        },
    };
    let citizenship = Citizenship::parse(&form.citizenship).unwrap_or_else(default_citizenship);
    let mut page = check_page(tr.clone(), &caller, &uri, &state, citizenship);
    if let Some(refusal) = refusal_of(&form.text, state.limits.check_text_chars) {
        let (status, message) = refusal_message(&tr, &refusal);
        page.error = Some(message);
        // A text over the limit is not shown again: it would make the page as long.
        if matches!(refusal, Refusal::Empty) {
            page.text = form.text;
        }
        return render(&page, status);
    }
    let keep = form.keep.is_some();
    let (check, kept, text) = match run_check(&state, form.text, citizenship, keep).await {
        Ok(done) => done,
        Err(e) => return e.into_response(),
    };
    let (answer, annotations) = answer(&tr, &text, &check, citizenship, kept);
    page.marked_html = annotate_html(&text, &annotations);
    page.answer = Some(answer);
    page.text = text;
    render(&page, StatusCode::OK)
}

/// The API's request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckRequest {
    /// The text of the offer (at most `check_text_chars` characters, 20,000 by default).
    pub text: String,
    /// The answer's language: `ky`, `uz`, `tg`, `ru` or `en` (else the `Accept-Language`).
    #[serde(default)]
    pub lang: Option<String>,
    /// The reader's citizenship: `kg`, `uz`, `tg`, each optionally with `+ru` for one who
    /// also holds Russian citizenship (default `kg`).
    #[serde(default)]
    pub citizenship: Option<String>,
    /// Keep the text for researchers (default false: nothing is stored).
    #[serde(default)]
    pub keep_for_researchers: bool,
}

fn api_error(status: StatusCode, message: String) -> Response {
    AppError::new(status, message).as_json().into_response()
}

/// `POST /api/v1/check`: the same answer as JSON (see [`crate::api`], which declares it).
pub async fn check_json(
    state: AppState,
    tr: Tr,
    body: Result<Json<CheckRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(request)) = body else {
        return api_error(
            StatusCode::BAD_REQUEST,
            "send JSON: {\"text\": \"…\", \"lang\": \"ky|uz|tg|ru|en\", \"citizenship\": \"kg|uz|tg[+ru]\"}"
                .into(),
        );
    };
    let tr = match request.lang.as_deref() {
        Some(code) => match Lang::parse(code) {
            Some(lang) => Tr::new(state.catalog.clone(), lang),
            None => {
                return api_error(
                    StatusCode::BAD_REQUEST,
                    "lang must be one of ky, uz, tg, ru, en".into(),
                );
            }
        },
        None => tr,
    };
    let citizenship = match request.citizenship.as_deref() {
        None => default_citizenship(),
        Some(id) => match Citizenship::parse(id) {
            Some(c) => c,
            None => {
                return api_error(
                    StatusCode::BAD_REQUEST,
                    "citizenship must be one of kg, uz, tg, kg+ru, uz+ru, tg+ru".into(),
                );
            }
        },
    };
    if let Some(refusal) = refusal_of(&request.text, state.limits.check_text_chars) {
        let (status, message) = refusal_message(&tr, &refusal);
        return api_error(status, message);
    }
    let (check, kept, text) = match run_check(
        &state,
        request.text,
        citizenship,
        request.keep_for_researchers,
    )
    .await
    {
        Ok(done) => done,
        Err(e) => return e.as_json().into_response(),
    };
    let (answer, _) = answer(&tr, &text, &check, citizenship, kept);
    Json(answer).into_response()
}

/// The checker's page routes.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/check", axum::routing::get(check_form).post(check_submit))
}

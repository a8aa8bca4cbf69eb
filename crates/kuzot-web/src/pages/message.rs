//! One message: its original text with facts and cues marked in place, the facts, the
//! provenance, its near-duplicates, every other ad with the same phone, its labels and the
//! label form.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use kuzot_model::{Category, Facts, Org, Promise};
use kuzot_store::{DocumentFilter, Label, NewLabel, SourceRecord, StoredAnalysis, StoredDocument};
use serde::Deserialize;

use crate::auth::{Analyst, Viewer};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::pages::fact_form::{self, FactRow};
use crate::render::{Annotation, Page, annotate_html};
use crate::state::AppState;

/// How many related documents each list shows.
const RELATED: u64 = 20;

/// Everything the message page needs.
pub struct MessageData {
    /// The document.
    pub doc: StoredDocument,
    /// The engine's analysis.
    pub analysis: Option<StoredAnalysis>,
    /// Labels, oldest first.
    pub labels: Vec<Label>,
    /// Its source file.
    pub source: Option<SourceRecord>,
    /// Other documents of its near-duplicate cluster.
    pub cluster: Vec<StoredDocument>,
    /// Per phone: other documents with it.
    pub same_phone: Vec<(String, Vec<StoredDocument>)>,
}

/// A message as stored: what both the page and the API's message routes show.
pub struct MessageRecord {
    /// The document.
    pub doc: StoredDocument,
    /// The engine's analysis.
    pub analysis: Option<StoredAnalysis>,
    /// Labels, oldest first.
    pub labels: Vec<Label>,
    /// Its source file.
    pub source: Option<SourceRecord>,
}

/// Reads a message, its analysis, labels and source file; 404 when there is no such id.
pub fn load_record(store: &kuzot_store::Store, id: i64) -> Result<MessageRecord, AppError> {
    let doc = store
        .document(id)?
        .ok_or_else(|| AppError::not_found(format!("message {id}")))?;
    let analysis = store.analysis_of(id)?;
    let labels = store.labels_of(id)?;
    let source = store.source_by_sha256(&doc.source)?;
    Ok(MessageRecord {
        doc,
        analysis,
        labels,
        source,
    })
}

/// Loads a message with everything around it.
pub async fn load(state: &AppState, id: i64) -> Result<MessageData, AppError> {
    state
        .with_store(move |store| {
            let MessageRecord {
                doc,
                analysis,
                labels,
                source,
            } = load_record(store, id)?;
            let mut cluster = Vec::new();
            if let Some(c) = analysis.as_ref().and_then(|a| a.cluster) {
                store.for_each_document(
                    &DocumentFilter {
                        cluster: Some(c),
                        limit: Some(RELATED + 1),
                        ..DocumentFilter::default()
                    },
                    &mut |d| {
                        if d.id != id {
                            cluster.push(d);
                        }
                        Ok(())
                    },
                )?;
            }
            let mut same_phone = Vec::new();
            let phones = analysis
                .as_ref()
                .map(|a| a.analysis.facts.phones.clone())
                .unwrap_or_default();
            for phone in phones {
                let mut docs = Vec::new();
                store.for_each_document(
                    &DocumentFilter {
                        phone: Some(phone.clone()),
                        limit: Some(RELATED + 1),
                        ..DocumentFilter::default()
                    },
                    &mut |d| {
                        if d.id != id {
                            docs.push(d);
                        }
                        Ok(())
                    },
                )?;
                same_phone.push((phone, docs));
            }
            Ok(MessageData {
                doc,
                analysis,
                labels,
                source,
                cluster,
                same_phone,
            })
        })
        .await
}

/// CSS class of a fact kind: a fixed list, so nothing from the text reaches an attribute
/// unescaped.
fn fact_class(fact: &str) -> &'static str {
    match fact {
        "money" => "fact fact-money",
        "place" => "fact fact-place",
        "phone" => "fact fact-phone",
        "org" => "fact fact-org",
        "promise" => "fact fact-promise",
        _ => "fact",
    }
}

fn cue_class(category: Category) -> &'static str {
    match category {
        Category::MilitaryContract => "cue cue-military_contract",
        Category::Pmc => "cue cue-pmc",
        Category::DisguisedMilitary => "cue cue-disguised_military",
        Category::FrontlineLabour => "cue cue-frontline_labour",
        Category::OccupiedReconstruction => "cue cue-occupied_reconstruction",
        Category::JobOther => "cue cue-job_other",
        Category::Other => "cue cue-other",
    }
}

/// The text with facts and cues marked.
pub fn annotated_text(tr: &Tr, text: &str, analysis: Option<&StoredAnalysis>) -> String {
    let mut notes = Vec::new();
    if let Some(a) = analysis {
        for f in &a.analysis.spans {
            notes.push(Annotation {
                start: f.span.start,
                end: f.span.end,
                class: fact_class(&f.fact),
                label: format!("{}: {}", tr.t(&format!("fact-{}", f.fact)), f.value),
            });
        }
        for c in &a.analysis.cues {
            if let Some(span) = c.span {
                notes.push(Annotation {
                    start: span.start,
                    end: span.end,
                    class: cue_class(c.category),
                    label: format!("{} ({:+.2})", tr.category(c.category.as_str()), c.weight),
                });
            }
        }
    }
    annotate_html(text, &notes)
}

/// A related document as listed.
pub struct RelatedView {
    /// Id.
    pub id: i64,
    /// Time.
    pub time: String,
    /// Chat.
    pub chat: String,
    /// Category label.
    pub category: String,
    /// First characters.
    pub preview: String,
}

fn related(tr: &Tr, docs: &[StoredDocument]) -> Vec<RelatedView> {
    docs.iter()
        .map(|d| RelatedView {
            id: d.id,
            time: d.time.as_deref().map(|t| tr.rfc3339(t)).unwrap_or_default(),
            chat: d.chat.clone().unwrap_or_default(),
            category: d
                .category
                .as_deref()
                .map(|c| tr.category(c))
                .unwrap_or_default(),
            preview: d.text.chars().take(160).collect(),
        })
        .collect()
}

/// A fact as listed: (kind label, value, link to its page if it has one).
pub struct FactView {
    /// Kind, translated.
    pub kind: String,
    /// Value.
    pub value: String,
    /// Link to the entity page.
    pub href: Option<String>,
}

fn fact_views(tr: &Tr, facts: &Facts, rates: &kuzot_model::RateTable) -> Vec<FactView> {
    use crate::render::path_segment;
    let mut out = Vec::new();
    for m in &facts.money {
        let amount = match (m.min, m.max) {
            (Some(a), Some(b)) if a != b => format!("{}–{}", tr.number(a), tr.number(b)),
            (Some(a), _) | (None, Some(a)) => tr.number(a),
            (None, None) => String::new(),
        };
        // "per-<period>" reads as an adverbial in each language ("a month", "айына").
        let period_id = m.period.map(|p| {
            serde_json::to_value(p)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
                .replace('_', "-")
        });
        let period = period_id
            .as_deref()
            .map(|p| tr.t(&format!("per-{p}")))
            .unwrap_or_default();
        let monthly = rates
            .monthly_rub(m)
            .filter(|_| {
                m.currency.as_deref() != Some("RUB") || m.period != Some(kuzot_model::Period::Month)
            })
            .map(|v| {
                let rub = tr.number(v);
                match period_id.as_deref() {
                    // Pay per day, hour or shift is multiplied up to a month: say so.
                    Some(p) if p != "month" && p != "one-time" => format!(
                        " ≈ {}",
                        tr.args(
                            "money-monthly-converted",
                            &[
                                ("amount", rub.as_str()),
                                ("period", tr.t(&format!("period-{p}")).as_str())
                            ]
                        )
                    ),
                    _ => format!(" ≈ {}", tr.t1("money-monthly", "amount", rub)),
                }
            })
            .unwrap_or_default();
        out.push(FactView {
            kind: tr.t("fact-money"),
            // An amount whose currency the text does not make clear shows "?".
            value: format!(
                "{amount} {} {period}{monthly}",
                m.currency.as_deref().unwrap_or("?")
            )
            .trim()
            .to_owned(),
            href: None,
        });
    }
    for p in &facts.places {
        let occupied = if p.occupied {
            format!(" ({})", tr.t("occupied"))
        } else {
            String::new()
        };
        out.push(FactView {
            kind: tr.t("fact-place"),
            value: format!("{}{occupied}", tr.place(&p.id)),
            href: Some(format!("/places/{}", path_segment(&p.id))),
        });
    }
    for phone in &facts.phones {
        out.push(FactView {
            kind: tr.t("fact-phone"),
            value: phone.clone(),
            href: Some(format!("/phones/{}", path_segment(phone))),
        });
    }
    for o in &facts.orgs {
        out.push(FactView {
            kind: tr.t("fact-org"),
            value: tr.t(&format!("org-{}", o.as_str().replace('_', "-"))),
            href: Some(format!("/orgs/{}", o.as_str())),
        });
    }
    for p in &facts.promises {
        out.push(FactView {
            kind: tr.t("fact-promise"),
            value: tr.t(&format!("promise-{}", p.as_str().replace('_', "-"))),
            href: None,
        });
    }
    out
}

/// A label as listed.
pub struct LabelView {
    /// Category label.
    pub category: String,
    /// Who.
    pub by: String,
    /// When.
    pub at: String,
    /// What the engine had said, and which version.
    pub engine: String,
    /// Note.
    pub note: String,
    /// Whether facts were corrected.
    pub corrected_facts: bool,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    page: Page,
    id: i64,
    doc: StoredDocument,
    text_html: String,
    category: String,
    category_id: String,
    engine_category: String,
    confidence: String,
    engine_version: String,
    lang: String,
    /// The text's language as a BCP 47 tag (`ru`, `ky`), for its `lang` attribute; empty
    /// when unknown.
    text_lang: String,
    facts: Vec<FactView>,
    source: Option<SourceRecord>,
    position: String,
    cluster: Vec<RelatedView>,
    same_phone: Vec<(String, Vec<RelatedView>)>,
    labels: Vec<LabelView>,
    categories: Vec<(String, String)>,
    /// The category the label form has chosen.
    form_category: String,
    /// The label form's fact rows (the facts in force, or what a refused form sent),
    /// followed by blank rows for adding facts without script.
    fact_rows: Vec<FactRow>,
    /// Choices of the rows' selects: (id, label).
    fact_kinds: Vec<(String, String)>,
    orgs: Vec<(String, String)>,
    promises: Vec<(String, String)>,
    periods: Vec<(String, String)>,
    /// The note of a refused form, drawn again.
    note: String,
    /// Facts JSON of a refused form that used the advanced field.
    facts_json: String,
    /// Why the label form was refused, in the page's language.
    label_error: Option<String>,
    /// The engine's cues, heaviest first, in words.
    cues: Vec<CueView>,
    time: String,
    /// Reached from the review queue: the label form goes on to the next queued message.
    from_review: bool,
    /// The citation text ([`crate::cite::citation`]).
    citation: String,
    /// Its language tag.
    citation_lang: &'static str,
}

/// The citation's language for the page's: the pages past the public ones fall back
/// ([`crate::i18n::Lang::fallback`]) to Russian for Uzbek and Tajik readers, and so does
/// the citation.
fn citation_lang(lang: crate::i18n::Lang) -> crate::cite::CitationLang {
    use crate::cite::CitationLang;
    use crate::i18n::Lang;
    match lang.fallback() {
        Lang::Ky => CitationLang::Ky,
        Lang::En => CitationLang::En,
        _ => CitationLang::Ru,
    }
}

/// The address the caller reached kuzot at (`http://host:port`), for citations: the Host
/// header when it is a plain host name, else the loopback default of `kuzot serve`.
pub fn base_url(headers: &axum::http::HeaderMap, secure: bool) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("127.0.0.1:8080");
    format!("{}://{host}", if secure { "https" } else { "http" })
}

/// Query of the message page.
#[derive(Debug, Default, Deserialize)]
pub struct MessageQuery {
    /// `review` when the analyst came from the review queue.
    #[serde(default)]
    from: Option<String>,
}

/// A cue as the page lists it.
pub struct CueView {
    /// The category it speaks for, translated.
    pub category: String,
    /// The words of the text it matched; empty for a whole-text feature.
    pub matched: String,
    /// The feature's id, for whole-text features.
    pub feature: String,
    /// Its weight, signed, in the page's number format.
    pub weight: String,
    /// Whether it speaks against the category.
    pub negative: bool,
}

fn cue_views(tr: &Tr, text: &str, analysis: Option<&StoredAnalysis>) -> Vec<CueView> {
    let Some(a) = analysis else {
        return Vec::new();
    };
    let mut cues: Vec<&kuzot_model::Cue> = a.analysis.cues.iter().collect();
    cues.sort_by(|x, y| y.weight.abs().total_cmp(&x.weight.abs()));
    cues.into_iter()
        .map(|c| {
            let matched = c
                .span
                .and_then(|s| text.get(s.start..s.end))
                .map(|m| m.chars().take(80).collect::<String>())
                .unwrap_or_default();
            let sign = if c.weight < 0.0 { "−" } else { "+" };
            CueView {
                category: tr.category(c.category.as_str()),
                feature: if matched.is_empty() {
                    c.cue.clone()
                } else {
                    String::new()
                },
                matched,
                weight: format!("{sign}{}", tr.decimal(f64::from(c.weight.abs()), 2)),
                negative: c.weight < 0.0,
            }
        })
        .collect()
}

/// What a refused label form sent, to draw the page again with it.
pub struct RefusedForm {
    /// The category chosen.
    pub category: String,
    /// The note.
    pub note: String,
    /// The fact rows as sent (when the form's rows were used).
    pub rows: Option<Vec<FactRow>>,
    /// The advanced facts JSON as sent.
    pub facts_json: String,
    /// Why it was refused, in the page's language.
    pub error: String,
}

/// GET /messages/{id}
pub async fn message_page(
    State(state): State<AppState>,
    Viewer(_, caller): Viewer,
    tr: Tr,
    uri: Uri,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
    Query(query): Query<MessageQuery>,
) -> Result<Response, AppError> {
    let from_review = query.from.as_deref() == Some("review");
    let page = render_page(&state, tr, &caller, &uri, &headers, id, from_review, None).await?;
    Ok(axum::response::Html(page).into_response())
}

/// The message page; with `refused`, the label form holds what the analyst sent and says
/// why it was refused.
#[allow(clippy::too_many_arguments)]
async fn render_page(
    state: &AppState,
    tr: Tr,
    caller: &crate::auth::Caller,
    uri: &Uri,
    headers: &axum::http::HeaderMap,
    id: i64,
    from_review: bool,
    refused: Option<RefusedForm>,
) -> Result<String, AppError> {
    let data = load(state, id).await?;
    let cite_lang = citation_lang(tr.lang);
    let citation = crate::cite::citation(
        &data.doc,
        data.source.as_ref(),
        &base_url(headers, state.secure_cookies),
        cite_lang,
    );
    let label = data.labels.last();
    let engine_category = data.analysis.as_ref().map(|a| a.analysis.category);
    let category = label.map(|l| l.category).or(engine_category);
    let facts = label
        .and_then(|l| l.facts.clone())
        .or_else(|| data.analysis.as_ref().map(|a| a.analysis.facts.clone()))
        .unwrap_or_default();
    let title = tr.t1("message-title", "id", id);
    let position = {
        let p = &data.doc.position;
        // Record numbers are counted from 1, like lines.
        // A PDF's records are its pages (see the PDF reader).
        let record = if data.doc.format == "pdf" {
            "position-page"
        } else {
            "position-record"
        };
        let mut s = tr.t1(record, "n", p.index + 1);
        if let Some(line) = p.line {
            s.push_str(&format!(", {}", tr.t1("position-line", "n", line)));
        }
        if let Some(b) = p.byte_offset {
            s.push_str(&format!(", {}", tr.t1("position-byte", "n", b)));
        }
        s
    };
    let category_id = category.map(|c| c.as_str().to_owned()).unwrap_or_default();
    let (form_category, note, rows, facts_json, label_error) = match refused {
        Some(r) => (
            r.category,
            r.note,
            r.rows
                .unwrap_or_else(|| fact_form::rows_of(&data.doc.text, &facts)),
            r.facts_json,
            Some(r.error),
        ),
        None => (
            category_id.clone(),
            String::new(),
            fact_form::rows_of(&data.doc.text, &facts),
            String::new(),
            None,
        ),
    };
    let page = MessagePage {
        id,
        text_html: annotated_text(&tr, &data.doc.text, data.analysis.as_ref()),
        category: category
            .map(|c| tr.category(c.as_str()))
            .unwrap_or_else(|| tr.t("not-analysed")),
        category_id,
        form_category,
        engine_category: engine_category
            .map(|c| tr.category(c.as_str()))
            .unwrap_or_default(),
        confidence: data
            .analysis
            .as_ref()
            .map(|a| tr.decimal(a.confidence, 2))
            .unwrap_or_default(),
        engine_version: data
            .analysis
            .as_ref()
            .map(|a| a.analysis.engine_version.clone())
            .unwrap_or_default(),
        lang: data
            .analysis
            .as_ref()
            .map(|a| tr.t(&format!("lang-{}", a.analysis.lang)))
            .unwrap_or_default(),
        text_lang: data
            .analysis
            .as_ref()
            .map(|a| a.analysis.lang.to_string())
            .filter(|l| l.len() <= 3 && l.chars().all(|c| c.is_ascii_lowercase()))
            .unwrap_or_default(),
        facts: fact_views(&tr, &facts, &state.rates),
        cues: cue_views(&tr, &data.doc.text, data.analysis.as_ref()),
        fact_rows: fact_form::with_blank_rows(rows, 2),
        fact_kinds: fact_form::KINDS
            .iter()
            .map(|k| ((*k).to_owned(), tr.t(&format!("fact-{k}"))))
            .collect(),
        orgs: ORGS
            .iter()
            .map(|o| {
                (
                    o.as_str().to_owned(),
                    tr.t(&format!("org-{}", o.as_str().replace('_', "-"))),
                )
            })
            .collect(),
        promises: PROMISES
            .iter()
            .map(|p| {
                (
                    p.as_str().to_owned(),
                    tr.t(&format!("promise-{}", p.as_str().replace('_', "-"))),
                )
            })
            .collect(),
        periods: ["month", "day", "hour", "one_time"]
            .iter()
            .map(|p| {
                (
                    (*p).to_owned(),
                    tr.t(&format!("per-{}", p.replace('_', "-"))),
                )
            })
            .collect(),
        note,
        facts_json,
        label_error,
        time: data
            .doc
            .time
            .as_deref()
            .map(|t| tr.rfc3339(t))
            .unwrap_or_default(),
        from_review,
        citation,
        citation_lang: cite_lang.code(),
        position,
        cluster: related(&tr, &data.cluster),
        same_phone: data
            .same_phone
            .iter()
            .map(|(p, docs)| (p.clone(), related(&tr, docs)))
            .collect(),
        labels: data
            .labels
            .iter()
            .map(|l| LabelView {
                category: tr.category(l.category.as_str()),
                by: l.labelled_by.clone(),
                at: tr.rfc3339(&l.labelled_at),
                engine: format!("{} ({})", tr.category(&l.engine_category), l.engine_version),
                note: l.note.clone().unwrap_or_default(),
                corrected_facts: l.facts.is_some(),
            })
            .collect(),
        categories: crate::pages::search::category_options(&tr),
        source: data.source,
        doc: data.doc,
        page: Page::new(tr, caller, uri, title),
    };
    Ok(page.render()?)
}

/// Organisations an analyst can pick, in the model's order.
const ORGS: [Org; 10] = [
    Org::MinistryOfDefence,
    Org::Wagner,
    Org::Redut,
    Org::Patriot,
    Org::Convoy,
    Org::Akhmat,
    Org::Bars,
    Org::Rosgvardia,
    Org::Zhilishchnik,
    Org::SakharovoMmc,
];

/// Promises an analyst can pick, in the model's order.
const PROMISES: [Promise; 14] = [
    Promise::Citizenship,
    Promise::LumpSum,
    Promise::Housing,
    Promise::Meals,
    Promise::Travel,
    Promise::VeteranStatus,
    Promise::FamilyBenefits,
    Promise::InjuryCompensation,
    Promise::DeathCompensation,
    Promise::OfficialEmployment,
    Promise::DebtRelief,
    Promise::Training,
    Promise::NoExperience,
    Promise::Release,
];

/// Checks a label submission and turns it into a [`NewLabel`]; what is refused is said
/// in the caller's language.
pub fn new_label(
    tr: &Tr,
    document_id: i64,
    by: &str,
    category: &str,
    note: &str,
    facts: Option<Facts>,
) -> Result<NewLabel, AppError> {
    let category = Category::parse(category).ok_or_else(|| {
        let shown: String = category.chars().take(40).collect();
        AppError::bad_request(tr.t1("label-bad-category", "value", shown))
    })?;
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(AppError::bad_request(tr.t1(
            "label-note-too-long",
            "limit",
            tr.int(MAX_NOTE_CHARS as u64),
        )));
    }
    Ok(NewLabel {
        document_id,
        category,
        facts,
        note: Some(note.trim().to_owned()).filter(|n| !n.is_empty()),
        labelled_by: by.to_owned(),
    })
}

/// The longest note a label keeps, in characters.
const MAX_NOTE_CHARS: usize = 2000;

/// Why a label's facts were refused, in the user's language.
pub fn fact_problem_text(tr: &Tr, problem: &kuzot_service::FactProblem) -> String {
    use kuzot_service::FactProblem;
    let n = |v: usize| tr.int(v as u64);
    match problem {
        FactProblem::TooMany { count, limit } => tr.args(
            "label-facts-too-many",
            &[("count", n(*count).as_str()), ("limit", n(*limit).as_str())],
        ),
        FactProblem::NotAPhone { value } => tr.t1("label-facts-not-a-phone", "value", value),
        FactProblem::EmptyPlace => tr.t("label-facts-empty-place"),
        FactProblem::PlaceTooLong { chars, limit } => tr.args(
            "label-facts-place-too-long",
            &[("chars", n(*chars).as_str()), ("limit", n(*limit).as_str())],
        ),
        FactProblem::BadCurrency { value } => tr.t1("label-facts-bad-currency", "value", value),
        FactProblem::BadAmount => tr.t("label-facts-bad-amount"),
        FactProblem::SpanOutsideText {
            start,
            end,
            text_bytes,
            ..
        } => tr.args(
            "label-facts-span-outside",
            &[
                ("start", start.to_string().as_str()),
                ("end", end.to_string().as_str()),
                ("bytes", text_bytes.to_string().as_str()),
            ],
        ),
    }
}

/// Stores a label, re-indexes the document and writes the audit line. Facts the service
/// refuses are a 422 saying why in the user's language.
pub async fn save_label(state: &AppState, tr: &Tr, label: NewLabel) -> Result<Label, AppError> {
    let id = label.document_id;
    let s = state.clone();
    let tr = tr.clone();
    let saved = state
        .with_store(move |store| {
            let (saved, indexed) = kuzot_service::label_and_index(store, &s.index, &label)
                .map_err(|e| match e {
                    kuzot_service::ServiceError::Store(e) => AppError::from(e),
                    kuzot_service::ServiceError::LabelFacts(problem) => AppError::new(
                        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                        fact_problem_text(&tr, &problem),
                    ),
                    other => AppError::internal(other),
                })?;
            // The label is stored; a failed re-index only delays search (the background
            // follower or `kuzot reindex` repairs it), so it is logged rather than failing
            // the request.
            if let Err(e) = indexed {
                tracing::warn!("re-indexing message {id} after a label: {e}");
            }
            Ok(saved)
        })
        .await?;
    state
        .audit(
            &saved.labelled_by,
            "label",
            &format!(
                "message {id}: {} (engine said {})",
                saved.category.as_str(),
                saved.engine_category
            ),
        )
        .await?;
    Ok(saved)
}

/// The fields of the label form: `category`, `note`, `next`, and the facts either as the
/// rows of [`fact_form`] (when `facts-form` is sent) or, for scripts and the advanced
/// field, as JSON in `facts`. With neither, the facts in force stand.
fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// POST /messages/{id}/label. A refused label draws the message page again with what the
/// analyst sent and the reason beside the form.
#[allow(clippy::too_many_arguments)]
pub async fn label(
    State(state): State<AppState>,
    Analyst(user, caller): Analyst,
    tr: Tr,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let category = field(&fields, "category").to_owned();
    let note = field(&fields, "note").to_owned();
    let facts_json = field(&fields, "facts").trim().to_owned();
    let next = field(&fields, "next").to_owned();
    let from_review = !next.is_empty();
    let uses_rows = !field(&fields, "facts-form").is_empty();
    let mut rows = None;
    let attempt: Result<(), AppError> = async {
        let (text, engine) = state
            .with_store(move |s| {
                let doc = s
                    .document(id)?
                    .ok_or_else(|| AppError::not_found(format!("message {id}")))?;
                Ok((doc.text, s.analysis_of(id)?.map(|a| a.analysis.facts)))
            })
            .await?;
        let facts = if !facts_json.is_empty() {
            let parsed: Facts = serde_json::from_str(&facts_json).map_err(|e| {
                AppError::bad_request(tr.t1("label-facts-bad-json", "detail", e.to_string()))
            })?;
            Some(parsed)
        } else if uses_rows {
            let unprocessable = |p: fact_form::RowProblem| {
                AppError::new(StatusCode::UNPROCESSABLE_ENTITY, p.text(&tr))
            };
            let form_rows = fact_form::rows_from_form(&fields).map_err(unprocessable)?;
            let parsed = fact_form::facts_of_rows(&text, &form_rows);
            rows = Some(form_rows);
            Some(parsed.map_err(unprocessable)?)
        } else {
            None
        };
        // Unchanged facts are a confirmation, not a correction.
        let facts = facts.filter(|f| engine.as_ref() != Some(f));
        let label = new_label(&tr, id, &user.name, &category, &note, facts)?;
        save_label(&state, &tr, label).await?;
        Ok(())
    }
    .await;
    match attempt {
        Ok(()) => {
            let next =
                crate::pages::session::safe_next(Some(next.as_str()).filter(|n| !n.is_empty()));
            let target = if next == "/" {
                format!("/messages/{id}")
            } else {
                next
            };
            Ok(Redirect::to(&target).into_response())
        }
        // A missing message, a busy store or a fault is not the form's fault.
        Err(e) if !e.status.is_client_error() || e.status == StatusCode::NOT_FOUND => Err(e),
        Err(e) => {
            let status = e.status;
            let refused = RefusedForm {
                category,
                note,
                // Blank rows are added again after the filled ones.
                rows: rows.map(|r| r.into_iter().filter(|row| !row.kind.is_empty()).collect()),
                facts_json,
                error: e.message,
            };
            // The page's own address, for the language switcher's way back (a GET of the
            // form's address would be a 405).
            let uri: Uri = format!("/messages/{id}")
                .parse()
                .map_err(AppError::internal)?;
            let page = render_page(
                &state,
                tr,
                &caller,
                &uri,
                &headers,
                id,
                from_review,
                Some(refused),
            )
            .await?;
            Ok((status, axum::response::Html(page)).into_response())
        }
    }
}

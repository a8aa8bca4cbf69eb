//! The model page: which engine and model label new documents, retraining the linear model
//! on the analysts' labels, and the admin's decision to switch to it.
//!
//! Retraining never changes what the server does by itself: it produces a [`Candidate`]
//! with its figures beside the current engine's on the same labelled documents, and only
//! an admin's `POST /model/activate` installs it. The figures are not the same measure and
//! the page says so: the candidate's are k-fold cross-validation of the linear model alone
//! (each document scored by a model that did not see it), the current engine's are its
//! calls on every labelled document (inflated if its model was trained on them).

use std::io::Write as _;
use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kuzot_analysis::Engine;
use kuzot_analysis::linear::{CvReport, LinearModel};
use kuzot_analysis::metrics::{GoldRecord, Scores};
use kuzot_model::Category;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::auth::{Admin, Analyst, Caller};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::render::{Page, html};
use crate::state::AppState;

/// Fewest labelled documents a model is trained on: below this a cross-validation fold
/// holds a handful of documents and its figures mean little.
pub const MIN_LABELS: usize = 20;
/// Most cross-validation folds.
pub const MAX_FOLDS: usize = 5;

/// A retrained model waiting for an admin's decision.
pub struct Candidate {
    /// The model file's bytes, as they will be installed.
    pub model_bytes: Vec<u8>,
    /// The engine with the model, ready to swap in.
    pub engine: Arc<Engine>,
    /// Version the engine with this model stamps on analyses.
    pub version: String,
    /// Labelled documents it was trained on.
    pub examples: usize,
    /// Training documents per category (categories with none left out).
    pub class_counts: Vec<(Category, usize)>,
    /// Folds of the cross-validation.
    pub folds: usize,
    /// The cross-validation of the linear model on the labels.
    pub cv: CvReport,
    /// Version of the engine in use when it was trained.
    pub current_version: String,
    /// The engine in use, scored on the same labelled documents.
    pub current: Scores,
    /// Account that trained it.
    pub trained_by: String,
    /// When (RFC 3339).
    pub trained_at: String,
}

impl std::fmt::Debug for Candidate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Candidate")
            .field("version", &self.version)
            .field("examples", &self.examples)
            .field("model_bytes", &self.model_bytes.len())
            .field("trained_by", &self.trained_by)
            .finish_non_exhaustive()
    }
}

/// Why a model cannot be trained on the labels there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Fewer than [`MIN_LABELS`] labelled documents.
    TooFewLabels(usize),
    /// All labels are of one category: there is nothing to tell apart.
    OneCategory,
}

impl Refusal {
    /// The refusal in the interface language.
    pub fn message(&self, tr: &Tr) -> String {
        match self {
            Refusal::TooFewLabels(n) => format!(
                "{} {}",
                tr.t1("model-too-few", "n", n),
                tr.t1("model-min-labels", "n", MIN_LABELS)
            ),
            Refusal::OneCategory => tr.t("model-one-category"),
        }
    }
}

/// Labelled documents per category, categories without any left out, in
/// [`Category::ALL`] order.
pub fn class_counts(examples: &[(String, Category)]) -> Vec<(Category, usize)> {
    let mut counts = [0usize; 7];
    for (_, c) in examples {
        if let Some(n) = counts.get_mut(c.index()) {
            *n += 1;
        }
    }
    Category::ALL
        .into_iter()
        .filter_map(|c| {
            counts
                .get(c.index())
                .copied()
                .filter(|&n| n > 0)
                .map(|n| (c, n))
        })
        .collect()
}

/// The number of cross-validation folds for these labels, or why there can be no model.
///
/// `k` is at most [`MAX_FOLDS`] and at most the size of the smallest category, so that
/// every fold tests every category; a category with a single label cannot be in two
/// folds, and then `k` is 2 (that category is tested once, by a model that never saw it,
/// which is the honest figure for it).
pub fn plan_folds(counts: &[(Category, usize)]) -> Result<usize, Refusal> {
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    if total < MIN_LABELS {
        return Err(Refusal::TooFewLabels(total));
    }
    if counts.len() < 2 {
        return Err(Refusal::OneCategory);
    }
    let smallest = counts.iter().map(|(_, n)| *n).min().unwrap_or(0);
    Ok(smallest.clamp(2, MAX_FOLDS))
}

/// Trains a candidate on labelled texts and scores it and `current` side by side. Takes
/// seconds on thousands of labels: run it on the blocking pool.
pub fn train_candidate(
    labelled: &[(String, Category)],
    current: &Engine,
    trained_by: &str,
) -> Result<Result<Candidate, Refusal>, AppError> {
    let counts = class_counts(labelled);
    let folds = match plan_folds(&counts) {
        Ok(k) => k,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let trained_at = OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(AppError::internal)?;
    let examples: Vec<(&str, Category)> = labelled.iter().map(|(t, c)| (t.as_str(), *c)).collect();
    let cv = kuzot_service::cross_validate_model(&examples, folds);
    let model = kuzot_service::train_model(&examples, &trained_at);
    let gold: Vec<GoldRecord> = labelled
        .iter()
        .enumerate()
        .map(|(i, (text, category))| GoldRecord {
            id: i.to_string(),
            lang: None,
            text: Some(text.clone()),
            label: category.as_str().to_owned(),
            money: None,
            places: None,
            occupied: None,
            phones: None,
            orgs: None,
            promises: None,
            genre: None,
        })
        .collect();
    let current_scores = kuzot_service::evaluate(current, &gold);
    let model_bytes = model.to_bytes();
    let engine = Engine::try_new()
        .map_err(|e| AppError::internal(format!("building the engine: {e}")))?
        .with_model(model);
    Ok(Ok(Candidate {
        model_bytes,
        version: engine.version(),
        engine: Arc::new(engine),
        examples: examples.len(),
        class_counts: counts,
        folds,
        cv,
        current_version: current.version(),
        current: current_scores,
        trained_by: trained_by.to_owned(),
        trained_at,
    }))
}

/// One row of the per-category table.
pub struct ClassRow {
    /// Category label.
    pub category: String,
    /// Labelled documents of the category.
    pub support: String,
    /// Precision.
    pub precision: String,
    /// Recall.
    pub recall: String,
    /// F1.
    pub f1: String,
}

/// One cross-validation fold as shown.
pub struct FoldRow {
    /// 1-based number.
    pub number: usize,
    /// Test documents.
    pub test: String,
    /// Accuracy.
    pub accuracy: String,
    /// Macro-F1.
    pub macro_f1: String,
}

/// A candidate as shown.
pub struct CandidateView {
    /// Its engine version (also sent back by the activation form).
    pub version: String,
    /// Who trained it and when.
    pub trained: String,
    /// Training documents per category.
    pub counts: String,
    /// Number of folds.
    pub folds_note: String,
    /// Candidate's mean accuracy (CV).
    pub cv_accuracy: String,
    /// Candidate's mean macro-F1 (CV).
    pub cv_macro_f1: String,
    /// The current engine's version when trained.
    pub current_version: String,
    /// The current engine's accuracy on the labels.
    pub current_accuracy: String,
    /// The current engine's macro-F1 on the labels.
    pub current_macro_f1: String,
    /// The current engine per category.
    pub classes: Vec<ClassRow>,
    /// The candidate per fold.
    pub fold_rows: Vec<FoldRow>,
    /// Whether the engine in use changed since it was trained.
    pub stale: bool,
}

fn candidate_view(tr: &Tr, c: &Candidate, engine_now: &str) -> CandidateView {
    let classes = Category::ALL
        .into_iter()
        .filter_map(|cat| {
            let s = c.current.per_class.get(cat.as_str())?;
            Some(ClassRow {
                category: tr.category(cat.as_str()),
                support: tr.int(s.support as u64),
                precision: tr.decimal(s.precision, 3),
                recall: tr.decimal(s.recall, 3),
                f1: tr.decimal(s.f1, 3),
            })
        })
        .collect();
    CandidateView {
        version: c.version.clone(),
        trained: format!("{}, {}", c.trained_by, tr.rfc3339(&c.trained_at)),
        counts: c
            .class_counts
            .iter()
            .map(|(cat, n)| format!("{} {}", tr.category(cat.as_str()), tr.int(*n as u64)))
            .collect::<Vec<_>>()
            .join(", "),
        folds_note: tr.t1("model-cv-folds", "k", c.folds),
        cv_accuracy: tr.decimal(c.cv.mean_accuracy, 3),
        cv_macro_f1: tr.decimal(c.cv.mean_macro_f1, 3),
        current_version: c.current_version.clone(),
        current_accuracy: tr.decimal(c.current.accuracy, 3),
        current_macro_f1: tr.decimal(c.current.macro_f1, 3),
        classes,
        fold_rows: c
            .cv
            .folds
            .iter()
            .enumerate()
            .map(|(i, f)| FoldRow {
                number: i + 1,
                test: tr.int(f.test_examples as u64),
                accuracy: tr.decimal(f.accuracy, 3),
                macro_f1: tr.decimal(f.macro_f1, 3),
            })
            .collect(),
        stale: c.current_version != engine_now,
    }
}

#[derive(Template)]
#[template(path = "model.html")]
struct ModelPage {
    page: Page,
    version: String,
    labelled: String,
    analysed: String,
    min_note: String,
    candidate: Option<CandidateView>,
    error: Option<String>,
}

async fn render_model_page(
    state: &AppState,
    caller: &Caller,
    tr: Tr,
    uri: &Uri,
    error: Option<String>,
) -> Result<Response, AppError> {
    let version = state.engine().version();
    let v = version.clone();
    let (labelled, (total, stale)) = state
        .with_store(move |store| Ok((store.labelled_count()?, store.analysis_status(&v)?)))
        .await?;
    let candidate = state
        .candidate_model
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .map(|c| candidate_view(&tr, c, &version));
    let title = tr.t("model-title");
    let analysed = format!(
        "{}; {}",
        tr.count("documents-count", total),
        tr.t1("model-analysed", "n", tr.int(total.saturating_sub(stale)))
    );
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let mut response = html(&ModelPage {
        labelled: tr.count("model-labelled", labelled),
        analysed,
        min_note: tr.t1("model-min-labels", "n", MIN_LABELS),
        version,
        candidate,
        error,
        page: Page::new(tr, caller, uri, title),
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// GET /model
pub async fn model_page(
    State(state): State<AppState>,
    Analyst(_, caller): Analyst,
    tr: Tr,
    uri: Uri,
) -> Result<Response, AppError> {
    render_model_page(&state, &caller, tr, &uri, None).await
}

/// POST /model/retrain — trains a candidate on the labels and scores both.
pub async fn retrain(
    State(state): State<AppState>,
    Analyst(user, caller): Analyst,
    tr: Tr,
    uri: Uri,
) -> Result<Response, AppError> {
    let labelled = state
        .with_store(|store| Ok(store.labelled_texts()?))
        .await?;
    let current = state.engine();
    let by = user.name.clone();
    let outcome = state
        .blocking(move |_| train_candidate(&labelled, &current, &by))
        .await?;
    let candidate = match outcome {
        Ok(c) => c,
        Err(refusal) => {
            let message = refusal.message(&tr);
            return render_model_page(&state, &caller, tr, &uri, Some(message)).await;
        }
    };
    state
        .audit(
            &user.name,
            "model_trained",
            &format!(
                "{} on {} labels, {}-fold CV macro-F1 {:.3} (engine in use {:.3})",
                candidate.version,
                candidate.examples,
                candidate.folds,
                candidate.cv.mean_macro_f1,
                candidate.current.macro_f1
            ),
        )
        .await?;
    *state
        .candidate_model
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = Some(candidate);
    Ok(Redirect::to("/model").into_response())
}

/// The activation form: the version the admin saw, so that a candidate retrained in the
/// meantime is not switched to unseen.
#[derive(Debug, Deserialize)]
pub struct ActivateForm {
    version: String,
}

/// Writes `bytes` to `path` so that a reader sees the old file or the new one, never a
/// part: a `.partial` file beside it, flushed to disk, then renamed over.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let partial = path.with_extension("partial");
    {
        let mut file = std::fs::File::create(&partial)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&partial, path)
}

/// POST /model/activate — installs the candidate and switches the engine to it.
pub async fn activate(
    State(state): State<AppState>,
    Admin(user, caller): Admin,
    tr: Tr,
    uri: Uri,
    Form(form): Form<ActivateForm>,
) -> Result<Response, AppError> {
    let taken = {
        let mut slot = state
            .candidate_model
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        match slot.as_ref() {
            Some(c) if c.version == form.version => slot.take(),
            _ => None,
        }
    };
    let Some(candidate) = taken else {
        let message = tr.t("model-no-candidate");
        return render_model_page(&state, &caller, tr, &uri, Some(message)).await;
    };
    let path = crate::installed_model_path(&state.data_dir);
    let bytes = candidate.model_bytes.clone();
    let written = state
        .blocking(move |_| {
            // The bytes were made by this build; reading them back checks the file format
            // before anything is replaced.
            LinearModel::from_bytes(&bytes).map_err(AppError::internal)?;
            write_atomically(&path, &bytes).map_err(AppError::internal)
        })
        .await;
    if let Err(e) = written {
        // Put it back: the admin may try again once the disk is fixed.
        let mut slot = state
            .candidate_model
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some(candidate);
        }
        return Err(e);
    }
    let old = {
        let mut engine = state.engine.write().unwrap_or_else(|p| p.into_inner());
        std::mem::replace(&mut *engine, candidate.engine.clone())
    };
    state
        .audit(
            &user.name,
            "model_switch",
            &format!("{} -> {}", old.version(), candidate.version),
        )
        .await?;
    Ok(Redirect::to("/model").into_response())
}

/// POST /model/reanalyze — runs the engine in use over every stored document it did not
/// analyse yet (through the analysis queue, in this process) and brings the search index
/// up to date, so that stored categories follow the new model. Holds the store's write
/// lock batch by batch while it runs.
pub async fn reanalyze(
    State(state): State<AppState>,
    Admin(user, _): Admin,
) -> Result<Response, AppError> {
    let engine = state.engine();
    let s = state.clone();
    let done = state
        .with_store(move |store| {
            let (n, indexed) = kuzot_service::reanalyze_and_index(
                store,
                &s.index,
                &engine,
                &kuzot_service::NoProgress,
            )
            .map_err(AppError::internal)?;
            indexed?;
            Ok(n)
        })
        .await?;
    state
        .audit(
            &user.name,
            "reanalyze",
            &format!("{done} documents with {}", state.engine().version()),
        )
        .await?;
    Ok(Redirect::to("/model").into_response())
}

/// Routes of this part.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/model", get(model_page))
        .route("/model/retrain", post(retrain))
        .route("/model/activate", post(activate))
        .route("/model/reanalyze", post(reanalyze))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(ns: &[(Category, usize)]) -> Vec<(Category, usize)> {
        ns.to_vec()
    }

    #[test]
    fn folds_follow_the_smallest_category_and_too_few_labels_are_refused() {
        use Category::*;
        assert_eq!(
            plan_folds(&counts(&[(Pmc, 10), (Other, 9)])),
            Err(Refusal::TooFewLabels(19))
        );
        assert_eq!(plan_folds(&counts(&[(Pmc, 30)])), Err(Refusal::OneCategory));
        assert_eq!(plan_folds(&counts(&[(Pmc, 17), (Other, 3)])), Ok(3));
        assert_eq!(
            plan_folds(&counts(&[(Pmc, 40), (Other, 40)])),
            Ok(MAX_FOLDS)
        );
        assert_eq!(plan_folds(&counts(&[(Pmc, 19), (Other, 1)])), Ok(2));
        assert_eq!(plan_folds(&[]), Err(Refusal::TooFewLabels(0)));
    }

    #[test]
    fn class_counts_leave_out_empty_categories() {
        let ex = vec![
            ("a".to_owned(), Category::Other),
            ("b".to_owned(), Category::Pmc),
            ("c".to_owned(), Category::Other),
        ];
        assert_eq!(
            class_counts(&ex),
            vec![(Category::Pmc, 1), (Category::Other, 2)]
        );
    }

    #[test]
    fn the_model_file_is_replaced_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("models").join("current.kzm");
        write_atomically(&path, b"first").expect("write");
        write_atomically(&path, b"second").expect("rewrite");
        assert_eq!(std::fs::read(&path).expect("read"), b"second");
        assert!(!path.with_extension("partial").exists());
    }

    proptest::proptest! {
        #[test]
        fn planning_never_panics(ns in proptest::collection::vec((0usize..7, 0usize..1000), 0..10)) {
            let c: Vec<(Category, usize)> = ns
                .iter()
                .filter_map(|(i, n)| Category::ALL.get(*i).map(|c| (*c, *n)))
                .collect();
            if let Ok(k) = plan_folds(&c) {
                proptest::prop_assert!((2..=MAX_FOLDS).contains(&k));
            }
        }
    }
}

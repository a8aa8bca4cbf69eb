//! Imports from the browser and the API: the upload is streamed to a file under the data
//! directory, then ingested in the background (one import at a time, as the store takes
//! one writer), while the page shows its progress.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use kuzot_model::SourceFormat;
use kuzot_service::{IngestOptions, IngestProgress, IngestSummary, IngestVerdict};
use serde::Serialize;
use tokio::io::AsyncWriteExt;

use crate::auth::Analyst;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::render::{Page, html};
use crate::state::AppState;

/// Where an import stands.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for an earlier import to finish.
    Queued,
    /// Reading and storing.
    Running,
    /// Done: what happened to each file.
    Done {
        /// The ingest summary.
        summary: IngestSummary,
    },
    /// The store failed (per-file problems are in `Done`'s summary instead).
    Failed {
        /// Why.
        message: String,
    },
}

/// One import.
#[derive(Debug)]
pub struct Job {
    /// Job id.
    pub id: u64,
    /// Who started it.
    pub started_by: String,
    /// File names uploaded.
    pub files: Vec<String>,
    /// The server directory the files were uploaded to, never shown: it is cut from every
    /// path and message of the status.
    pub upload_dir: PathBuf,
    /// Bytes in all files.
    pub total_bytes: AtomicU64,
    /// Bytes read so far.
    pub read_bytes: AtomicU64,
    /// Documents stored so far.
    pub documents: AtomicU64,
    /// State.
    pub state: Mutex<JobState>,
}

/// A job as the progress page and the API show it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct JobStatus {
    /// Job id.
    pub id: u64,
    /// File names.
    pub files: Vec<String>,
    /// `queued`, `running`, then one of: `done` (everything imported, nothing rejected),
    /// `partly_rejected` (imported, but some files or records were rejected), `rejected`
    /// (nothing usable was imported: empty files, every record rejected, damaged files)
    /// or `failed` (the store failed).
    pub state: String,
    /// Bytes read.
    pub read_bytes: u64,
    /// Bytes in all.
    pub total_bytes: u64,
    /// Documents stored.
    pub documents: u64,
    /// Per-file outcome when done.
    #[schema(value_type = Object)]
    pub summary: Option<serde_json::Value>,
    /// Error when failed.
    pub error: Option<String>,
}

impl Job {
    /// The job's status now.
    pub fn status(&self) -> JobStatus {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let (name, summary, error) = match state {
            JobState::Queued => ("queued", None, None),
            JobState::Running => ("running", None, None),
            JobState::Done { summary } => (
                finished_state(&summary),
                serde_json::to_value(summary).ok(),
                None,
            ),
            JobState::Failed { message } => ("failed", None, Some(message)),
        };
        // Analysts see the names of the files they sent, not where the server keeps them.
        let dir = self.upload_dir.to_string_lossy().into_owned();
        let summary = summary.map(|mut s| {
            hide_server_paths(&mut s, &dir);
            s
        });
        let error = error.map(|e| hide_dir(&e, &dir));
        JobStatus {
            id: self.id,
            files: self.files.clone(),
            state: name.into(),
            read_bytes: self.read_bytes.load(Ordering::Relaxed),
            total_bytes: self.total_bytes.load(Ordering::Relaxed),
            documents: self.documents.load(Ordering::Relaxed),
            summary,
            error,
        }
    }
}

/// The state a finished import shows: "done" only when everything in it was usable, so
/// that an upload whose file was empty or wholly rejected never looks like a success.
fn finished_state(summary: &IngestSummary) -> &'static str {
    match summary.verdict() {
        IngestVerdict::Complete => "done",
        IngestVerdict::SomeRejected => "partly_rejected",
        IngestVerdict::NothingUsable => "rejected",
    }
}

impl JobStatus {
    /// Whether the import has ended, one way or another.
    pub fn finished(&self) -> bool {
        !matches!(self.state.as_str(), "queued" | "running")
    }
}

/// `text` without the directory `dir` (and the separator after it) wherever it appears.
fn hide_dir(text: &str, dir: &str) -> String {
    if dir.is_empty() {
        return text.to_owned();
    }
    text.replace(&format!("{dir}/"), "").replace(dir, "")
}

/// Cuts `dir` from every string of a status summary, and keeps only the file name of every
/// `path` (a path found inside an uploaded folder keeps its part below `dir`).
fn hide_server_paths(value: &mut serde_json::Value, dir: &str) {
    match value {
        serde_json::Value::String(s) => *s = hide_dir(s, dir),
        serde_json::Value::Array(items) => {
            for item in items {
                hide_server_paths(item, dir);
            }
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                hide_server_paths(item, dir);
                if key == "path"
                    && let serde_json::Value::String(p) = item
                    && p.starts_with('/')
                {
                    *p = p.rsplit('/').next().unwrap_or("").to_owned();
                }
            }
        }
        _ => {}
    }
}

impl IngestProgress for Job {
    fn start(&self, _files: u64, bytes: u64) {
        self.total_bytes.store(bytes, Ordering::Relaxed);
    }
    fn bytes(&self, bytes: u64) {
        self.read_bytes.fetch_add(bytes, Ordering::Relaxed);
    }
    fn documents(&self, documents: u64) {
        self.documents.fetch_add(documents, Ordering::Relaxed);
    }
}

/// The imports of this run of the server.
#[derive(Debug, Default)]
pub struct Jobs {
    jobs: Mutex<HashMap<u64, Arc<Job>>>,
    next: AtomicU64,
    /// Held by the running import: the store takes one writer at a time.
    writer: Mutex<()>,
}

impl Jobs {
    /// A job by id.
    pub fn get(&self, id: u64) -> Option<Arc<Job>> {
        self.jobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()
    }

    /// A job by id, if `user` may see it: an analyst sees the imports they started, an
    /// admin every import.
    pub fn visible_to(&self, id: u64, user: &crate::accounts::User) -> Option<Arc<Job>> {
        self.get(id)
            .filter(|job| user.role == crate::accounts::Role::Admin || job.started_by == user.name)
    }

    fn add(&self, started_by: &str, files: Vec<String>, upload_dir: PathBuf) -> Arc<Job> {
        // Several servers share one database and each records its jobs there: a random id
        // (below 2^53, exact in JavaScript) keeps them apart without asking the database.
        let mut bytes = [0u8; 8];
        let id = match getrandom::fill(&mut bytes) {
            Ok(()) => (u64::from_le_bytes(bytes) >> 11).max(1),
            Err(_) => self.next.fetch_add(1, Ordering::Relaxed) + 1,
        };
        let job = Arc::new(Job {
            id,
            started_by: started_by.to_owned(),
            files,
            upload_dir,
            total_bytes: AtomicU64::new(0),
            read_bytes: AtomicU64::new(0),
            documents: AtomicU64::new(0),
            state: Mutex::new(JobState::Queued),
        });
        self.jobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, job.clone());
        job
    }
}

/// A file name safe to create: the last path component, without control characters,
/// at most 200 bytes. It is kept as the source's original name.
pub fn safe_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let mut clean: String = last
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .to_owned();
    while clean.len() > 200 {
        clean.pop();
    }
    if clean.is_empty() {
        "upload".to_owned()
    } else {
        clean
    }
}

/// The answer to a multipart error: 413 naming the limit when the body was cut at it, 400
/// with the parser's reason otherwise.
fn upload_error(
    state: &AppState,
    cut: &crate::auth::BodyCut,
    file: &str,
    e: &axum::extract::multipart::MultipartError,
) -> AppError {
    if cut.happened() || e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return AppError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the upload is larger than the limit of {}; import larger exports with the command line",
                crate::auth::human_size(state.limits.upload_body_bytes)
            ),
        );
    }
    if file.is_empty() {
        AppError::bad_request(format!("upload: {e}"))
    } else {
        AppError::bad_request(format!("upload of {file}: {e}"))
    }
}

/// Reads a multipart upload to files under `<data_dir>/uploads/<random>/`. Returns the
/// directory, the files and the format asked for.
pub async fn receive_upload(
    state: &AppState,
    cut: &crate::auth::BodyCut,
    mut multipart: Multipart,
) -> Result<(PathBuf, Vec<PathBuf>, Option<SourceFormat>), AppError> {
    let dir = state
        .data_dir
        .join("uploads")
        .join(crate::accounts::random_token().map_err(AppError::internal)?);
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(AppError::internal)?;
    let mut files = Vec::new();
    let mut format = None;
    let result: Result<(), AppError> = async {
        while let Some(mut field) = multipart
            .next_field()
            .await
            .map_err(|e| upload_error(state, cut, "", &e))?
        {
            match field.name() {
                Some("format") => {
                    let v = field
                        .text()
                        .await
                        .map_err(|e| upload_error(state, cut, "", &e))?;
                    if !v.trim().is_empty() {
                        format = Some(SourceFormat::parse(v.trim()).ok_or_else(|| {
                            AppError::bad_request(format!("unknown format {:?}", v.trim()))
                        })?);
                    }
                }
                Some("file") => {
                    let name = safe_file_name(field.file_name().unwrap_or("upload"));
                    if name == "upload" && field.file_name().is_none_or(str::is_empty) {
                        // An empty file input.
                        continue;
                    }
                    // Two files of one name: keep both.
                    let mut path = dir.join(&name);
                    let mut n = 1;
                    while files.contains(&path) {
                        n += 1;
                        path = dir.join(format!("{n}-{name}"));
                    }
                    let mut out = tokio::fs::File::create(&path)
                        .await
                        .map_err(AppError::internal)?;
                    while let Some(chunk) = field
                        .chunk()
                        .await
                        .map_err(|e| upload_error(state, cut, &name, &e))?
                    {
                        out.write_all(&chunk).await.map_err(AppError::internal)?;
                    }
                    out.flush().await.map_err(AppError::internal)?;
                    files.push(path);
                }
                _ => {}
            }
        }
        if files.is_empty() {
            return Err(AppError::bad_request("choose at least one file to import"));
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        let _ = tokio::fs::remove_dir_all(&dir).await;
        return Err(e);
    }
    Ok((dir, files, format))
}

/// Starts ingesting uploaded files in the background; returns the job.
pub fn start_import(
    state: &AppState,
    user: &str,
    dir: PathBuf,
    files: Vec<PathBuf>,
    format: Option<SourceFormat>,
) -> Arc<Job> {
    let names = files
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let job = state.jobs.add(user, names, dir.clone());
    publish_job(state, job.clone());
    let (state, job2, user) = (state.clone(), job.clone(), user.to_owned());
    tokio::task::spawn_blocking(move || {
        let _writer = state.jobs.writer.lock().unwrap_or_else(|p| p.into_inner());
        *job2.state.lock().unwrap_or_else(|p| p.into_inner()) = JobState::Running;
        let options = IngestOptions {
            format,
            operator: user.clone(),
            queue_analysis: state.analysis_by_workers,
            limits: state.limits.read,
            ..IngestOptions::default()
        };
        let outcome = run_caught(|| -> Result<IngestSummary, String> {
            let mut store = state.stores.connect().map_err(|e| e.to_string())?;
            let engine = state.engine();
            let done = kuzot_service::ingest_and_index(
                &mut store,
                &state.index,
                &files,
                &options,
                Some(&engine),
                job2.as_ref(),
            )
            .map_err(|e| e.to_string())?;
            done.index.map_err(|e| e.to_string())?;
            Ok(done.summary)
        });
        let _ = std::fs::remove_dir_all(&dir);
        let detail = match &outcome {
            Ok(s) => {
                let t = s.totals();
                format!(
                    "job {}: {} file(s), {} added, {} already present, {} rejected",
                    job2.id,
                    s.files.len(),
                    t.added,
                    t.already_present,
                    t.rejected
                )
            }
            Err(e) => format!("job {} failed: {e}", job2.id),
        };
        if let Err(e) = state.accounts.audit(&user, "import", &detail) {
            tracing::warn!("audit log: {e}");
        }
        *job2.state.lock().unwrap_or_else(|p| p.into_inner()) = match outcome {
            Ok(summary) => JobState::Done { summary },
            Err(message) => {
                tracing::error!("import job {} failed: {message}", job2.id);
                JobState::Failed { message }
            }
        };
    });
    job
}

/// Records the job's status in the database once a second until it ends, so that every
/// server of a deployment behind a load balancer shows its progress and its outcome.
fn publish_job(state: &AppState, job: Arc<Job>) {
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        loop {
            let status = job.status();
            let finished = status.finished();
            let saved = serde_json::to_string(&status)
                .map_err(|e| e.to_string())
                .and_then(|json| {
                    state
                        .accounts
                        .save_import_job(job.id as i64, &job.started_by, &json)
                        .map_err(|e| e.to_string())
                });
            if let Err(e) = saved {
                tracing::warn!("recording the status of import job {}: {e}", job.id);
            }
            if finished {
                return;
            }
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    });
}

/// The status of job `id` if `user` may see it (an analyst the imports they started, an
/// admin every import): live from this server when it runs the job, else as the server
/// running it last recorded it in the database.
pub async fn visible_job_status(
    state: &AppState,
    id: u64,
    user: &crate::accounts::User,
) -> Result<Option<JobStatus>, AppError> {
    if let Some(job) = state.jobs.visible_to(id, user) {
        return Ok(Some(job.status()));
    }
    let Ok(key) = i64::try_from(id) else {
        return Ok(None);
    };
    let user = user.clone();
    state
        .blocking(move |state| {
            let Some((started_by, json)) =
                state.accounts.import_job(key).map_err(AppError::internal)?
            else {
                return Ok(None);
            };
            if user.role != crate::accounts::Role::Admin && started_by != user.name {
                return Ok(None);
            }
            serde_json::from_str(&json)
                .map(Some)
                .map_err(|e| AppError::internal(format!("import job {id}: {e}")))
        })
        .await
}

/// Runs an import's work so that a panic in it (a reader, the engine, a dependency) ends
/// as a failure with the panic's message instead of unwinding past the code that records
/// the job's state: a job left "running" forever would say nothing of what happened. The
/// store is safe to reopen after such a panic, since the unfinished transaction is
/// dropped, which rolls it back.
fn run_caught<T>(work: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|payload| {
        let reason = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_owned());
        Err(format!("the import stopped on an internal error: {reason}"))
    })
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    page: Page,
    formats: Vec<&'static str>,
}

/// GET /imports
pub async fn imports_page(
    Analyst(_, caller): Analyst,
    tr: Tr,
    uri: Uri,
) -> Result<Response, AppError> {
    let title = tr.t("imports-title");
    html(&ImportsPage {
        page: Page::new(tr, &caller, &uri, title),
        formats: SourceFormat::ALL.iter().map(|f| f.as_str()).collect(),
    })
}

/// POST /imports (multipart: `file`…, `format`)
pub async fn upload(
    State(state): State<AppState>,
    Analyst(user, _): Analyst,
    axum::Extension(cut): axum::Extension<crate::auth::BodyCut>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let (dir, files, format) = receive_upload(&state, &cut, multipart).await?;
    let job = start_import(&state, &user.name, dir, files, format);
    Ok(Redirect::to(&format!("/imports/jobs/{}", job.id)).into_response())
}

/// Why a file gave nothing to store, in the reader's language, from its outcome in the
/// job's summary (`why` is its `nothing_usable`); with the first rejected record when every
/// record was rejected, since that says what to fix.
fn nothing_usable_text(tr: &Tr, why: &serde_json::Value, file: &serde_json::Value) -> String {
    let count = |field: &str| why.get(field).and_then(|v| v.as_u64()).unwrap_or(0);
    match why.get("kind").and_then(|k| k.as_str()).unwrap_or("") {
        "empty" => tr.t("import-nothing-empty"),
        "all_records_rejected" => {
            let mut text = tr.t1("import-nothing-all-rejected", "n", count("rejected"));
            if let Some(first) = file
                .get("rejected_records")
                .and_then(|r| r.get(0))
                .and_then(|r| r.get("reason"))
                .and_then(|r| r.as_str())
            {
                text.push_str("; ");
                text.push_str(&tr.t1("import-first-rejected", "reason", first));
            }
            text
        }
        "only_service_records" => {
            tr.t1("import-nothing-service-only", "n", count("service_records"))
        }
        _ => tr.t("import-nothing-no-records"),
    }
}

/// One file of a finished import as the job page shows it.
pub struct FileRow {
    /// The file's name as uploaded.
    pub name: String,
    /// Its status in words.
    pub status: String,
    /// What happened, in words (counts, why it was rejected, when it was imported before).
    pub detail: String,
    /// "N rejected" with a link to the reasons on the source page, when records were
    /// rejected from a file that was stored.
    pub rejected: Option<(String, String)>,
    /// The source page of the file (new, or the earlier import of the same bytes).
    pub source_href: Option<String>,
    /// The search for the file's messages.
    pub search_href: Option<String>,
}

/// A file's row from its outcome in the job's summary (`FileOutcome` as JSON: the
/// summary is kept as JSON so that every server of a deployment can show it).
fn file_row(tr: &Tr, f: &serde_json::Value) -> FileRow {
    let text = |field: &str| f.get(field).and_then(|v| v.as_str()).unwrap_or("");
    let count = |field: &str| f.get(field).and_then(|v| v.as_u64()).unwrap_or(0);
    let name = text("path").rsplit('/').next().unwrap_or("").to_owned();
    let status = text("status");
    // Only a SHA-256 as kuzot writes it goes into a link.
    let sha =
        Some(text("sha256")).filter(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()));
    let source_href = sha.map(|sha| format!("/sources/{sha}"));
    let search_href = sha.map(|sha| {
        format!(
            "/search?{}",
            crate::render::query_string([("source", sha.to_owned())])
        )
    });
    let mut row = FileRow {
        name,
        status: tr.t(&format!("import-status-{}", status.replace('_', "-"))),
        detail: String::new(),
        rejected: None,
        source_href: None,
        search_href: None,
    };
    match status {
        "imported" => {
            row.detail = format!(
                "{}, {}",
                tr.t1("import-added", "n", count("added")),
                tr.t1("import-already", "n", count("already_present"))
            );
            let rejected = tr.t1("import-rejected", "n", count("rejected"));
            row.rejected = Some((
                rejected,
                match (&source_href, count("rejected")) {
                    (Some(href), 1..) => format!("{href}#rejected"),
                    _ => String::new(),
                },
            ));
            row.source_href = source_href;
            row.search_href = search_href;
        }
        "already_imported" => {
            // What `kuzot ingest` says of the same file, and where the earlier import is.
            row.detail = tr.args(
                "import-same-file",
                &[("name", text("as_name")), ("at", &tr.rfc3339(text("at")))],
            );
            row.source_href = source_href;
            row.search_href = search_href;
        }
        _ => {
            row.detail = match f.get("nothing_usable") {
                Some(why) => nothing_usable_text(tr, why, f),
                None => text("reason").to_owned(),
            };
        }
    }
    row
}

#[derive(Template)]
#[template(path = "import_job.html")]
struct JobPage {
    page: Page,
    job: JobStatus,
    files: Vec<FileRow>,
    progress: String,
    documents: String,
    /// Without script the page reloads itself while the import runs.
    refresh: bool,
    state_label: String,
}

/// GET /imports/jobs/{id}
pub async fn job_page(
    State(state): State<AppState>,
    Analyst(me, caller): Analyst,
    tr: Tr,
    uri: Uri,
    Path(id): Path<u64>,
) -> Result<Response, AppError> {
    let status = visible_job_status(&state, id, &me)
        .await?
        .ok_or_else(|| AppError::not_found(format!("import {id}")))?;
    let files = status
        .summary
        .as_ref()
        .and_then(|s| s.get("files"))
        .and_then(|f| f.as_array())
        .map(|files| files.iter().map(|f| file_row(&tr, f)).collect())
        .unwrap_or_default();
    let progress = if status.total_bytes > 0 {
        tr.percent(status.read_bytes as f64 / status.total_bytes as f64)
    } else {
        String::new()
    };
    // Named by what it imports: the job's number is long and means nothing to a reader
    // (it stays in the page's address).
    let title = match status.files.as_slice() {
        [] => tr.t("imports-title"),
        [only] => tr.t1("import-job-title", "name", only),
        [first, rest @ ..] => format!(
            "{} (+{})",
            tr.t1("import-job-title", "name", first),
            tr.int(rest.len() as u64)
        ),
    };
    let tr2 = tr.clone();
    html(&JobPage {
        page: Page::new(tr, &caller, &uri, title),
        documents: tr2.int(status.documents),
        state_label: tr2.t(&format!("import-state-{}", status.state)),
        refresh: !status.finished(),
        job: status,
        files,
        progress,
    })
}

/// GET /imports/jobs/{id}/status — for the progress bar's polling.
pub async fn job_status(
    State(state): State<AppState>,
    Analyst(me, _): Analyst,
    Path(id): Path<u64>,
) -> Result<axum::Json<JobStatus>, AppError> {
    visible_job_status(&state, id, &me)
        .await
        .map_err(AppError::as_json)?
        .map(axum::Json)
        .ok_or_else(|| AppError::not_found(format!("import {id}")).as_json())
}

/// Routes of imports.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/imports", get(imports_page).post(upload))
        .route("/imports/jobs/{id}", get(job_page))
        .route("/imports/jobs/{id}/status", get(job_status))
}

#[cfg(test)]
mod tests {
    use super::{run_caught, safe_file_name};

    #[test]
    fn a_panic_in_an_import_becomes_a_failure_with_its_reason() {
        let failed = run_caught::<u32>(|| panic!("reader broke at byte 7"));
        let message = failed.expect_err("a panic is a failure");
        assert!(message.contains("reader broke at byte 7"), "{message}");
        let formatted = run_caught::<u32>(|| panic!("{} of {}", 3, 4));
        assert!(formatted.expect_err("failure").contains("3 of 4"));
        assert_eq!(run_caught(|| Ok::<u32, String>(5)), Ok(5));
        assert_eq!(
            run_caught::<u32>(|| Err("store full".into())),
            Err("store full".into())
        );
    }

    #[test]
    fn uploaded_names_cannot_escape_the_upload_directory() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\x\\result.json"), "result.json");
        assert_eq!(safe_file_name(".."), "upload");
        assert_eq!(safe_file_name(".hidden"), "hidden");
        assert_eq!(safe_file_name("a\u{0}b\n.txt"), "ab.txt");
        assert!(safe_file_name(&"я".repeat(300)).len() <= 200);
    }
}

//! The ingest progress bar: bytes read, with files and documents in its message. Drawn on
//! standard error, and only when it is a terminal (indicatif hides it otherwise).

use std::path::Path;

use std::sync::atomic::Ordering::Relaxed;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kuzot_service::IngestProgress;

/// An indicatif bar fed by the ingest use case.
pub struct IngestBar {
    bar: ProgressBar,
    files: std::sync::atomic::AtomicU64,
    total_files: std::sync::atomic::AtomicU64,
    documents: std::sync::atomic::AtomicU64,
}

impl IngestBar {
    /// A bar on standard error; `visible = false` draws nothing (for `--json`).
    pub fn new(visible: bool) -> IngestBar {
        IngestBar::with_template(
            visible,
            "{spinner} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, {eta}) {msg}",
        )
    }

    /// A bar counting documents rather than bytes (re-analysis).
    pub fn documents(visible: bool) -> IngestBar {
        IngestBar::with_template(
            visible,
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} documents ({per_sec}, {eta})",
        )
    }

    fn with_template(visible: bool, template: &str) -> IngestBar {
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(0), target);
        let style =
            ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        IngestBar {
            bar,
            files: Default::default(),
            total_files: Default::default(),
            documents: Default::default(),
        }
    }

    fn update_message(&self) {
        self.bar.set_message(format!(
            "files {}/{} · documents {}",
            self.files.load(Relaxed),
            self.total_files.load(Relaxed),
            self.documents.load(Relaxed)
        ));
    }
}

impl IngestProgress for IngestBar {
    fn start(&self, files: u64, bytes: u64) {
        self.total_files.store(files, Relaxed);
        self.bar.set_length(bytes);
        self.update_message();
    }
    fn file(&self, _path: &Path) {
        self.files.fetch_add(1, Relaxed);
        self.update_message();
    }
    fn bytes(&self, bytes: u64) {
        self.bar.inc(bytes);
    }
    fn documents(&self, documents: u64) {
        self.documents.fetch_add(documents, Relaxed);
        self.update_message();
    }
    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

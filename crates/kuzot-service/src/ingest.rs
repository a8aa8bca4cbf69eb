//! The ingest use case: files and folders → kept source files → documents in the store.
//!
//! Each file is copied into the store's kept sources first (hashing it on the way), then
//! read from that kept copy, so that what is parsed is exactly what is kept. One file is
//! one store transaction: a file rejected half-way leaves no documents behind.

use std::collections::VecDeque;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use kuzot_analysis::Engine;
use kuzot_ingest::{
    ColumnMapping, DocumentSink, ReadError, ReadLimits, ReadOptions, RecordError, SinkError,
    detect_format,
};
use kuzot_model::{Analysis, ChatRef, RawDocument, SourceFormat, SourcePosition};
use kuzot_store::{Import, ImportCounts, NewSource, Store, StoreError};
use rayon::prelude::*;
use serde::Serialize;

use crate::ServiceError;

/// How to ingest.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Read every file as this format instead of detecting it.
    pub format: Option<SourceFormat>,
    /// Column mapping for CSV and JSONL.
    pub columns: ColumnMapping,
    /// Keep raw author names and ids.
    pub keep_authors: bool,
    /// Who is importing.
    pub operator: String,
    /// Store the documents without analysing them and put them in the analysis queue,
    /// for `kuzot worker` processes (the engine given, if any, is not used).
    pub queue_analysis: bool,
    /// Size and nesting bounds for the readers (the `[ingest]` settings).
    pub limits: ReadLimits,
}

/// Receives progress while files are ingested (the CLI draws a bar with it).
pub trait IngestProgress: Sync {
    /// Before the first file: how many files and bytes there are.
    fn start(&self, _files: u64, _bytes: u64) {}
    /// A file begins.
    fn file(&self, _path: &Path) {}
    /// More bytes of the current file were read.
    fn bytes(&self, _bytes: u64) {}
    /// More documents were stored.
    fn documents(&self, _documents: u64) {}
    /// All files are done.
    fn finish(&self) {}
}

/// Progress that goes nowhere.
#[derive(Debug, Default)]
pub struct NoProgress;

impl IngestProgress for NoProgress {}

/// What happened to one file.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FileStatus {
    /// Read and stored.
    Imported {
        /// Counts of what was added, already present, rejected.
        #[serde(flatten)]
        counts: ImportCounts,
    },
    /// The same bytes were imported before; nothing was added.
    AlreadyImported {
        /// The name the file had then.
        as_name: String,
        /// When.
        at: String,
    },
    /// The file as a whole could not be used; nothing was stored from it.
    Rejected {
        /// Why.
        reason: String,
        /// Set when the file was read without error but held nothing to store (empty,
        /// every record rejected, only service messages), so that a page can say why in
        /// the reader's language.
        #[serde(skip_serializing_if = "Option::is_none")]
        nothing_usable: Option<NothingUsable>,
    },
    /// Not a file kuzot reads (an image, a style sheet); left alone.
    Skipped {
        /// Why.
        reason: String,
    },
}

/// Why a file that was read to its end still gave nothing to store. Such a file is
/// rejected whole, like a damaged one: it is not recorded as an import, and its kept copy
/// is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NothingUsable {
    /// The file has no bytes at all.
    Empty,
    /// Every record in it was rejected (the outcome lists the first ones and why).
    AllRecordsRejected {
        /// How many.
        rejected: u64,
    },
    /// It holds only service messages (encryption notices, members joining), which are
    /// never stored.
    OnlyServiceRecords {
        /// How many.
        service_records: u64,
    },
    /// The reader found no record in it at all.
    NoRecords,
}

impl NothingUsable {
    /// What a file that gave no documents held, from the counts of its import.
    fn from_counts(counts: &ImportCounts) -> NothingUsable {
        if counts.rejected > 0 {
            NothingUsable::AllRecordsRejected {
                rejected: counts.rejected,
            }
        } else if counts.service_records > 0 {
            NothingUsable::OnlyServiceRecords {
                service_records: counts.service_records,
            }
        } else {
            NothingUsable::NoRecords
        }
    }

    /// The reason in words, for the command line and the logs.
    fn reason(self, format: Option<SourceFormat>) -> String {
        match self {
            NothingUsable::Empty => "the file is empty".to_owned(),
            NothingUsable::AllRecordsRejected { rejected: 1 } => {
                "its only record was rejected, so nothing in it is usable".to_owned()
            }
            NothingUsable::AllRecordsRejected { rejected } => {
                format!("all {rejected} of its records were rejected, so nothing in it is usable")
            }
            NothingUsable::OnlyServiceRecords { service_records } => {
                format!("it holds only service messages ({service_records}), no message to store")
            }
            NothingUsable::NoRecords => match format {
                Some(format) => format!("no message was found in it as {}", format.as_str()),
                None => "no message was found in it".to_owned(),
            },
        }
    }
}

/// How an ingest run went as a whole: what the exit code and the import job's state say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestVerdict {
    /// Every file was imported (or had been before) with no record rejected.
    Complete,
    /// Something was imported, but some files or records were rejected.
    SomeRejected,
    /// Nothing usable: no file was imported now or before.
    NothingUsable,
}

/// The outcome for one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileOutcome {
    /// The path given or found.
    pub path: PathBuf,
    /// The format it was read as.
    pub format: Option<SourceFormat>,
    /// SHA-256 of its bytes, once kept.
    pub sha256: Option<String>,
    /// What happened.
    #[serde(flatten)]
    pub status: FileStatus,
    /// The first rejected records, with position and reason (all are kept in the store).
    pub rejected_records: Vec<RejectedRecord>,
}

/// A rejected record for the summary.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedRecord {
    /// Where.
    pub position: SourcePosition,
    /// Why.
    pub reason: String,
}

/// The outcome of an ingest run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestSummary {
    /// One entry per file, in the order they were read.
    pub files: Vec<FileOutcome>,
}

impl IngestSummary {
    /// Counts added up over every imported file.
    pub fn totals(&self) -> ImportCounts {
        let mut t = ImportCounts::default();
        for f in &self.files {
            if let FileStatus::Imported { counts } = &f.status {
                t.added += counts.added;
                t.already_present += counts.already_present;
                t.rejected += counts.rejected;
                t.service_records += counts.service_records;
            }
        }
        t
    }

    /// How the run went: nothing usable when no file was imported (now or before), some
    /// rejected when a file or a record was, complete otherwise. Files skipped as not
    /// documents (the pictures of an export folder) do not count as rejected.
    pub fn verdict(&self) -> IngestVerdict {
        let (imported, already, rejected_files, _skipped) = self.file_counts();
        if imported == 0 && already == 0 {
            IngestVerdict::NothingUsable
        } else if rejected_files > 0 || self.totals().rejected > 0 {
            IngestVerdict::SomeRejected
        } else {
            IngestVerdict::Complete
        }
    }

    /// Files in each state: (imported, already imported, rejected, skipped).
    pub fn file_counts(&self) -> (usize, usize, usize, usize) {
        let mut c = (0, 0, 0, 0);
        for f in &self.files {
            match f.status {
                FileStatus::Imported { .. } => c.0 += 1,
                FileStatus::AlreadyImported { .. } => c.1 += 1,
                FileStatus::Rejected { .. } => c.2 += 1,
                FileStatus::Skipped { .. } => c.3 += 1,
            }
        }
        c
    }
}

/// How many rejected records a file's outcome lists (all are stored).
const LISTED_REJECTIONS: usize = 20;

/// Files inside an export folder that are never documents: media, styles, scripts.
const NEVER_DOCUMENTS: &[&str] = &[
    "jpg", "jpeg", "png", "gif", "webp", "heic", "bmp", "tif", "tiff", "svg", "ico", "mp4", "mov",
    "avi", "mkv", "webm", "ogg", "oga", "opus", "mp3", "m4a", "wav", "aac", "css", "js", "map",
    "woff", "woff2", "ttf", "otf", "tgs", "zip", "gz", "7z", "rar", "exe", "dll", "so", "db",
    "sqlite",
];

/// Why an entry found under a folder (or named directly) is not read, or `None` when it is
/// a regular file or a symbolic link to one. Devices and FIFOs never end (`/dev/zero`) or
/// block (a FIFO nobody writes to); a link to a folder is not followed, so that a link
/// loop cannot make the walk endless.
fn not_a_file(path: &Path) -> Option<String> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => None,
        Ok(meta) if meta.is_dir() => {
            Some("a symbolic link to a folder is not followed (name the folder itself)".into())
        }
        Ok(_) => Some("not a regular file (a device, FIFO or socket); not read".into()),
        Err(e) => Some(format!("cannot be read: {e}")),
    }
}

/// Expands folders into the files under them, sorted, skipping hidden entries. What cannot
/// be read (an unreadable subfolder, a device, a link to a folder) is returned as a skipped
/// outcome with its reason, and the rest is still imported.
fn collect_files(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<FileOutcome>), ServiceError> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let skip =
        |path: &Path, reason: String| outcome(path, None, None, FileStatus::Skipped { reason });
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| ServiceError::Path {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        if meta.is_dir() {
            let mut stack = vec![path.clone()];
            let mut found = Vec::new();
            while let Some(dir) = stack.pop() {
                let entries = match std::fs::read_dir(&dir) {
                    Ok(entries) => entries,
                    Err(e) if dir == *path => {
                        return Err(ServiceError::Path {
                            path: dir.clone(),
                            reason: e.to_string(),
                        });
                    }
                    Err(e) => {
                        skipped.push(skip(&dir, format!("the folder cannot be read: {e}")));
                        continue;
                    }
                };
                for entry in entries {
                    let entry = match entry {
                        Ok(entry) => entry,
                        Err(e) => {
                            skipped.push(skip(&dir, format!("the folder cannot be read: {e}")));
                            break;
                        }
                    };
                    if entry.file_name().to_string_lossy().starts_with('.') {
                        continue;
                    }
                    let p = entry.path();
                    match entry.file_type() {
                        Ok(t) if t.is_dir() => stack.push(p),
                        Ok(t) if t.is_file() => found.push(p),
                        _ => match not_a_file(&p) {
                            None => found.push(p),
                            Some(reason) => skipped.push(skip(&p, reason)),
                        },
                    }
                }
            }
            found.sort();
            files.extend(found);
        } else if meta.is_file() {
            files.push(path.clone());
        } else {
            skipped.push(skip(
                path,
                "not a regular file (a device, FIFO or socket); not read".into(),
            ));
        }
    }
    Ok((files, skipped))
}

/// Ingests files and folders into the store. Per-file problems are reported in the
/// summary; an error is returned only when the store itself fails or a path is unusable.
///
/// With an `engine`, every new document is analysed as it is stored (in parallel batches),
/// and near-duplicate clusters are regrouped at the end. With `options.queue_analysis`,
/// documents are stored unanalysed and queued for `kuzot worker`, which regroups after
/// analysing them.
pub fn ingest_paths(
    store: &mut Store,
    paths: &[PathBuf],
    options: &IngestOptions,
    engine: Option<&Engine>,
    progress: &dyn IngestProgress,
) -> Result<IngestSummary, ServiceError> {
    let engine = if options.queue_analysis { None } else { engine };
    let (files, skipped) = collect_files(paths)?;
    let total_bytes = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    progress.start(files.len() as u64, total_bytes);
    let mut summary = IngestSummary::default();
    summary.files.extend(skipped);
    for file in files {
        progress.file(&file);
        let outcome = ingest_file(store, &file, options, engine, progress)?;
        summary.files.push(outcome);
    }
    // Not "if this run added something": a run killed after its last commit and before
    // regrouping left the mark, and this run must finish that work even when every file
    // turns out to be imported already.
    if engine.is_some() && store.regroup_pending()? {
        abort_before_regroup_when_asked();
        crate::analysis::recluster(store, crate::analysis::Claim::TakeOver)?;
    }
    progress.finish();
    Ok(summary)
}

/// In debug builds (the tests'), `KUZOT_TEST_ABORT_BEFORE_REGROUP` set kills the process
/// between the last commit and regrouping, the window a SIGKILL from outside cannot aim
/// at. Release builds have no such switch.
fn abort_before_regroup_when_asked() {
    #[cfg(debug_assertions)]
    if std::env::var_os("KUZOT_TEST_ABORT_BEFORE_REGROUP").is_some() {
        std::process::abort();
    }
}

/// Why a file is refused by its size alone, or `None`: a file of a format read whole into
/// memory (forced, or detected from its first bytes) that is larger than
/// `ingest.whole_file_bytes`. Decided from the file's size before anything is kept, so
/// that a huge file is neither copied into the store nor read; the reader still stops one
/// byte past the limit should the file grow in between.
fn over_whole_file_limit(path: &Path, name: &str, options: &IngestOptions) -> Option<String> {
    let limit = options.limits.max_whole_file_bytes;
    let size = std::fs::metadata(path).ok()?.len();
    if size <= limit {
        return None;
    }
    let format = match options.format {
        Some(format) => format,
        None => {
            let mut head = Vec::with_capacity(kuzot_ingest::DETECTION_PREFIX);
            std::fs::File::open(path)
                .ok()?
                .take(kuzot_ingest::DETECTION_PREFIX as u64)
                .read_to_end(&mut head)
                .ok()?;
            detect_format(&head, Some(name))?.format
        }
    };
    kuzot_ingest::reads_whole_file(format)
        .then(|| format!("{size} bytes: {}", ReadError::TooLarge { format, limit }))
}

fn outcome(
    path: &Path,
    format: Option<SourceFormat>,
    sha256: Option<String>,
    status: FileStatus,
) -> FileOutcome {
    FileOutcome {
        path: path.to_owned(),
        format,
        sha256,
        status,
        rejected_records: Vec::new(),
    }
}

fn ingest_file(
    store: &mut Store,
    path: &Path,
    options: &IngestOptions,
    engine: Option<&Engine>,
    progress: &dyn IngestProgress,
) -> Result<FileOutcome, ServiceError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if options.format.is_none() && NEVER_DOCUMENTS.contains(&extension.as_str()) {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        progress.bytes(size);
        return Ok(outcome(
            path,
            None,
            None,
            FileStatus::Skipped {
                reason: format!("a .{extension} file is not a document"),
            },
        ));
    }
    if let Some(reason) = over_whole_file_limit(path, &name, options) {
        return Ok(outcome(
            path,
            None,
            None,
            FileStatus::Rejected {
                reason,
                nothing_usable: None,
            },
        ));
    }
    let blob = match store.keep_source_file(path) {
        Ok(b) => b,
        Err(StoreError::Io { path: p, source }) if p == path => {
            return Ok(outcome(
                path,
                None,
                None,
                FileStatus::Rejected {
                    reason: format!("cannot read the file: {source}"),
                    nothing_usable: None,
                },
            ));
        }
        Err(e) => return Err(e.into()),
    };
    // Checked before "imported before", so that an empty file is refused with its reason
    // even in a store where an older kuzot recorded one (the kept copy stays for that).
    if blob.size == 0 {
        store.discard_source_file(&blob)?;
        return Ok(outcome(
            path,
            None,
            Some(blob.sha256),
            nothing_usable(NothingUsable::Empty, None),
        ));
    }
    if let Some(existing) = store.source_by_sha256(&blob.sha256)? {
        progress.bytes(blob.size);
        return Ok(outcome(
            path,
            SourceFormat::parse(&existing.format),
            Some(blob.sha256),
            FileStatus::AlreadyImported {
                as_name: existing.original_name,
                at: existing.imported_at,
            },
        ));
    }
    let format = match options.format {
        Some(f) => f,
        None => {
            let mut head = Vec::with_capacity(kuzot_ingest::DETECTION_PREFIX);
            store
                .open_source_file(&blob.sha256)?
                .take(kuzot_ingest::DETECTION_PREFIX as u64)
                .read_to_end(&mut head)
                .map_err(|e| ServiceError::Path {
                    path: path.to_owned(),
                    reason: e.to_string(),
                })?;
            match detect_format(&head, Some(&name)) {
                Some(d) => d.format,
                None => {
                    store.discard_source_file(&blob)?;
                    progress.bytes(blob.size);
                    return Ok(outcome(
                        path,
                        None,
                        Some(blob.sha256),
                        FileStatus::Skipped {
                            // Said for the command line and the upload page alike.
                            reason: "not a format kuzot reads (binary data); name its format \
                                     to force one (the format choice of the import)"
                                .into(),
                        },
                    ));
                }
            }
        }
    };
    let kept = store.open_source_file(&blob.sha256)?;
    let stored_name = stored_file_name(store, &name, format, options.keep_authors);
    let mut source = NewSource::new(&blob, &stored_name, format, &options.operator);
    source.keep_authors = options.keep_authors;
    source.queue_analysis = options.queue_analysis;
    let read_options = ReadOptions {
        limits: options.limits,
        columns: options.columns.clone(),
        file_name: Some(name.clone()),
    };
    let ended = match import_kept_file(store, source, kept, format, &read_options, engine, progress)
    {
        // Another process (a second server) imported the same file while this one read it:
        // the file is stored once, and this import reports what the other did.
        Err(StoreError::AlreadyImported { .. }) => match store.source_by_sha256(&blob.sha256)? {
            Some(existing) => {
                return Ok(outcome(
                    path,
                    Some(format),
                    Some(blob.sha256),
                    FileStatus::AlreadyImported {
                        as_name: existing.original_name,
                        at: existing.imported_at,
                    },
                ));
            }
            None => {
                return Err(StoreError::Corrupt(format!(
                    "{} was reported imported by another process but is not in the store",
                    blob.sha256
                ))
                .into());
            }
        },
        other => other?,
    };
    match ended {
        ImportEnd::Committed(counts, listed) => Ok(FileOutcome {
            path: path.to_owned(),
            format: Some(format),
            sha256: Some(blob.sha256),
            status: FileStatus::Imported { counts },
            rejected_records: listed,
        }),
        ImportEnd::Failed(e) => {
            store.discard_source_file(&blob)?;
            Err(e.into())
        }
        ImportEnd::Rejected(reason) => {
            store.discard_source_file(&blob)?;
            Ok(outcome(
                path,
                Some(format),
                Some(blob.sha256),
                FileStatus::Rejected {
                    reason,
                    nothing_usable: None,
                },
            ))
        }
        ImportEnd::NothingUsable(why, listed) => {
            store.discard_source_file(&blob)?;
            Ok(FileOutcome {
                rejected_records: listed,
                ..outcome(
                    path,
                    Some(format),
                    Some(blob.sha256),
                    nothing_usable(why, Some(format)),
                )
            })
        }
    }
}

/// The status of a file rejected because nothing in it could be stored.
fn nothing_usable(why: NothingUsable, format: Option<SourceFormat>) -> FileStatus {
    FileStatus::Rejected {
        reason: why.reason(format),
        nothing_usable: Some(why),
    }
}

/// How the transaction of one file's import ended.
enum ImportEnd {
    Committed(ImportCounts, Vec<RejectedRecord>),
    /// The store failed: the import was rolled back.
    Failed(StoreError),
    /// The file could not be read as its format: rolled back, with the reason.
    Rejected(String),
    /// The file was read to its end but gave no document: rolled back, so that it is not
    /// recorded as an import, with the first rejected records.
    NothingUsable(NothingUsable, Vec<RejectedRecord>),
}

/// Reads the kept file into one import transaction, analysing as it goes, and commits it
/// or rolls it back. A function of its own so that the store is free again on return.
fn import_kept_file(
    store: &mut Store,
    source: NewSource,
    kept: kuzot_store::SourceReader,
    format: SourceFormat,
    read_options: &ReadOptions,
    engine: Option<&Engine>,
    progress: &dyn IngestProgress,
) -> Result<ImportEnd, StoreError> {
    let import = store.begin_import(source)?;
    let mut sink = StoreSink {
        import,
        progress,
        listed: Vec::new(),
        store_error: None,
    };
    // The reader runs on its own thread and hands batches over a bounded channel, so that
    // parsing the next part of the file overlaps with analysing and storing this one.
    let input = BufReader::with_capacity(
        256 * 1024,
        ProgressRead {
            inner: kept,
            progress,
        },
    );
    let (sender, receiver) = std::sync::mpsc::sync_channel::<ReadEvent>(4);
    let result = std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut channel = ChannelSink {
                sender,
                batch: Vec::with_capacity(STORE_BATCH),
            };
            let read = kuzot_ingest::read_source(format, input, read_options, &mut channel);
            match read {
                Ok(report) => channel
                    .send_batch()
                    .map(|()| report)
                    .map_err(ReadError::Sink),
                Err(e) => Err(e),
            }
        });
        // Batches are analysed on rayon's pool while this thread stores the batches
        // analysed before them, so the engine's cores never wait for SQLite.
        rayon::in_place_scope(|analysis_scope| {
            let mut analysing: VecDeque<AnalysisTicket> = VecDeque::new();
            for event in receiver {
                let stored = match event {
                    ReadEvent::Documents(batch) => {
                        analysing.push_back(start_analysis(analysis_scope, engine, batch));
                        if analysing.len() > BATCHES_ANALYSED_AHEAD {
                            analysing
                                .pop_front()
                                .map_or(Ok(()), |ticket| sink.store_analysed(ticket))
                        } else {
                            Ok(())
                        }
                    }
                    ReadEvent::Rejected(error) => {
                        sink.rejected(error);
                        Ok(())
                    }
                    ReadEvent::ServiceRecord => {
                        sink.service_record();
                        Ok(())
                    }
                };
                if stored.is_err() {
                    // Dropping the receiver makes the reader's next send fail: it stops.
                    return;
                }
            }
            while let Some(ticket) = analysing.pop_front() {
                if sink.store_analysed(ticket).is_err() {
                    return;
                }
            }
        });
        reader.join().unwrap_or_else(|_| {
            Err(ReadError::Sink(SinkError(
                "the reader thread panicked".into(),
            )))
        })
    });
    let StoreSink {
        import,
        listed,
        store_error,
        ..
    } = sink;
    if let Some(e) = store_error {
        import.abort()?;
        return Ok(ImportEnd::Failed(e));
    }
    match result {
        Ok(_) => {
            let counts = import.counts();
            if counts.added == 0 && counts.already_present == 0 {
                import.abort()?;
                return Ok(ImportEnd::NothingUsable(
                    NothingUsable::from_counts(&counts),
                    listed,
                ));
            }
            Ok(ImportEnd::Committed(import.commit()?, listed))
        }
        Err(e) => {
            import.abort()?;
            Ok(ImportEnd::Rejected(match e {
                ReadError::Io(io) => format!("could not read the kept copy: {io}"),
                other => other.to_string(),
            }))
        }
    }
}

/// The file name the store records. A WhatsApp export is named after its chat
/// (`WhatsApp Chat with Айбек.txt`), and a personal chat's name is a private person's: the
/// name is replaced by the chat's pseudonym, the one its messages are stored under, unless
/// the import keeps authors.
fn stored_file_name(store: &Store, name: &str, format: SourceFormat, keep_authors: bool) -> String {
    if keep_authors || format != SourceFormat::WhatsappTxt {
        return name.to_owned();
    }
    let Some(chat_name) = kuzot_ingest::whatsapp::chat_name_from_file(name) else {
        return name.to_owned();
    };
    let chat = ChatRef {
        id: None,
        name: Some(chat_name.clone()),
        kind: Some(ChatRef::WHATSAPP_CHAT.to_owned()),
    };
    match store.pseudonymizer().chat_pseudonym(&chat) {
        Some(pseudonym) => name.replace(&chat_name, &pseudonym),
        None => name.to_owned(),
    }
}

/// Counts bytes as the reader pulls them.
struct ProgressRead<'p, R> {
    inner: R,
    progress: &'p dyn IngestProgress,
}

impl<R: Read> Read for ProgressRead<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.bytes(n as u64);
        Ok(n)
    }
}

/// What the reader thread hands to the storing thread, in file order.
enum ReadEvent {
    Documents(Vec<RawDocument>),
    Rejected(RecordError),
    ServiceRecord,
}

/// The reader thread's sink: batches documents and sends them on.
struct ChannelSink {
    sender: std::sync::mpsc::SyncSender<ReadEvent>,
    batch: Vec<RawDocument>,
}

impl ChannelSink {
    fn send(&self, event: ReadEvent) -> Result<(), SinkError> {
        self.sender
            .send(event)
            .map_err(|_| SinkError("storing stopped".into()))
    }

    fn send_batch(&mut self) -> Result<(), SinkError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(STORE_BATCH));
        self.send(ReadEvent::Documents(batch))
    }
}

impl DocumentSink for ChannelSink {
    fn document(&mut self, doc: RawDocument) -> Result<(), SinkError> {
        self.batch.push(doc);
        if self.batch.len() >= STORE_BATCH {
            self.send_batch()?;
        }
        Ok(())
    }

    // Neither needs to wait for the documents batched before it: the counts and the list
    // of rejected records do not depend on order. A failed send means storing stopped; the
    // reader learns it at its next document.
    fn rejected(&mut self, error: RecordError) {
        let _ = self.send(ReadEvent::Rejected(error));
    }

    fn service_record(&mut self) {
        let _ = self.send(ReadEvent::ServiceRecord);
    }
}

/// Documents analysed and stored together: the engine runs on a batch in parallel.
const STORE_BATCH: usize = 1024;

/// Batches handed to the engine before the oldest is stored: enough that both cores
/// analyse while SQLite writes, few enough that memory stays a few batches.
const BATCHES_ANALYSED_AHEAD: usize = 2;

/// A batch on its way to the store: analysed on rayon's pool (its documents and their
/// analyses come back in order on the channel), or stored without analysis.
enum AnalysisTicket {
    Analysing(std::sync::mpsc::Receiver<(Vec<RawDocument>, Vec<Option<Analysis>>)>),
    NotAnalysed(Vec<RawDocument>),
}

/// Starts analysing a batch on rayon's pool, in parallel within the batch.
fn start_analysis<'scope>(
    scope: &rayon::Scope<'scope>,
    engine: Option<&'scope Engine>,
    batch: Vec<RawDocument>,
) -> AnalysisTicket {
    let Some(engine) = engine else {
        return AnalysisTicket::NotAnalysed(batch);
    };
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    scope.spawn(move |_| {
        let analyses: Vec<Option<Analysis>> = batch
            .par_iter()
            .map(|d| Some(engine.analyze(&d.text)))
            .collect();
        // The receiver is gone only when storing stopped on an error.
        let _ = sender.send((batch, analyses));
    });
    AnalysisTicket::Analysing(receiver)
}

/// The storing side of an import: writes each batch the reader hands over, with its
/// analyses when an engine is given, into the import's transaction.
struct StoreSink<'s, 'p> {
    import: Import<'s>,
    progress: &'p dyn IngestProgress,
    listed: Vec<RejectedRecord>,
    store_error: Option<StoreError>,
}

impl StoreSink<'_, '_> {
    /// Stores a batch handed over by the reader thread, once its analysis is done.
    fn store_analysed(&mut self, ticket: AnalysisTicket) -> Result<(), SinkError> {
        let (batch, analyses) = match ticket {
            AnalysisTicket::NotAnalysed(batch) => {
                let none = vec![None; batch.len()];
                (batch, none)
            }
            AnalysisTicket::Analysing(result) => match result.recv() {
                Ok(done) => done,
                // The task panicked (the scope resumes that panic when it ends).
                Err(_) => return Err(SinkError("the analysis of a batch failed".into())),
            },
        };
        let count = batch.len() as u64;
        let pairs: Vec<(RawDocument, Option<Analysis>)> = batch.into_iter().zip(analyses).collect();
        let result = self.import.add_batch(&pairs).map(|_| ());
        self.progress.documents(count);
        result.map_err(|e| {
            let message = e.to_string();
            self.store_error = Some(e);
            SinkError(message)
        })
    }

    fn rejected(&mut self, error: RecordError) {
        if self.listed.len() < LISTED_REJECTIONS {
            self.listed.push(RejectedRecord {
                position: error.position,
                reason: error.reason.clone(),
            });
        }
        if let Err(e) = self.import.reject(error.position, &error.reason)
            && self.store_error.is_none()
        {
            self.store_error = Some(e);
        }
    }

    fn service_record(&mut self) {
        self.import.service_record();
    }
}

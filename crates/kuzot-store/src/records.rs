//! The records a store keeps and returns, the same on every backend.

use kuzot_model::{Analysis, Category, Facts, SourceFormat, SourcePosition};
use time::OffsetDateTime;

use crate::StoredBlob;

/// A source file about to be imported.
#[derive(Debug, Clone)]
pub struct NewSource {
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The file name it had.
    pub original_name: String,
    /// The format it is read as.
    pub format: SourceFormat,
    /// Who imported it (an account or operator name, not a message author).
    pub imported_by: String,
    /// Keep raw author names and ids (asked for explicitly); otherwise pseudonyms only.
    pub keep_authors: bool,
    /// Put the documents this import adds without an analysis in the analysis queue, for
    /// `kuzot worker` processes (a server import that returns as soon as it is stored).
    pub queue_analysis: bool,
}

impl NewSource {
    /// A source for a kept blob, with authors pseudonymised.
    pub fn new(
        blob: &StoredBlob,
        original_name: &str,
        format: SourceFormat,
        imported_by: &str,
    ) -> NewSource {
        NewSource {
            sha256: blob.sha256.clone(),
            size: blob.size,
            original_name: original_name.to_owned(),
            format,
            imported_by: imported_by.to_owned(),
            keep_authors: false,
            queue_analysis: false,
        }
    }
}

/// A source file as recorded in the store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourceRecord {
    /// Row id.
    pub id: i64,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The file name it had when imported.
    pub original_name: String,
    /// Format it was read as.
    pub format: String,
    /// When it was imported (RFC 3339).
    pub imported_at: String,
    /// Who imported it.
    pub imported_by: String,
    /// Whether raw authors were kept.
    pub keep_authors: bool,
    /// Documents this import added.
    pub added: u64,
    /// Documents that were already in the store from an earlier import.
    pub already_present: u64,
    /// Records rejected as bad.
    pub rejected: u64,
    /// Service records counted, not stored.
    pub service_records: u64,
}

/// A rejected record as recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RejectedRecordRow {
    /// Position of the record.
    pub position: SourcePosition,
    /// Why it was rejected.
    pub reason: String,
}

/// What one import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct ImportCounts {
    /// New documents.
    pub added: u64,
    /// Documents already in the store.
    pub already_present: u64,
    /// Records rejected as bad.
    pub rejected: u64,
    /// Service records counted.
    pub service_records: u64,
}

/// Totals over the store.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Stats {
    /// Source files.
    pub sources: u64,
    /// Bytes of kept source files.
    pub source_bytes: u64,
    /// Documents.
    pub documents: u64,
    /// Distinct chats and channels.
    pub chats: u64,
    /// Distinct author pseudonyms.
    pub authors: u64,
    /// Earliest document time (RFC 3339).
    pub first_time: Option<String>,
    /// Latest document time (RFC 3339).
    pub last_time: Option<String>,
    /// Documents per source format.
    pub by_format: Vec<(String, u64)>,
}

/// Which documents to list.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    /// Only this chat (name or id).
    pub chat: Option<String>,
    /// Only from this time on.
    pub since: Option<OffsetDateTime>,
    /// Only before this time.
    pub until: Option<OffsetDateTime>,
    /// Only from sources whose SHA-256 starts with this.
    pub source: Option<String>,
    /// Only documents whose text contains this (case-sensitive substring).
    pub contains: Option<String>,
    /// Only documents the engine put in this category.
    pub category: Option<String>,
    /// Only documents that contain this phone number (E.164).
    pub phone: Option<String>,
    /// Only documents in this near-duplicate cluster.
    pub cluster: Option<i64>,
    /// At most this many.
    pub limit: Option<u64>,
    /// Only these documents (empty: no restriction). Results stay in time order; callers
    /// that need another order (search relevance) reorder by id.
    pub ids: Vec<i64>,
}

/// A document as stored, with its provenance.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredDocument {
    /// Row id.
    pub id: i64,
    /// SHA-256 of the source file.
    pub source: String,
    /// Name the source file had.
    pub source_name: String,
    /// Format the source was read as.
    pub format: String,
    /// Kind of document.
    pub kind: String,
    /// Chat or channel name (or id when it has no name).
    pub chat: Option<String>,
    /// Author pseudonym.
    pub author: Option<String>,
    /// Raw author name, only when the import kept authors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    /// Time, RFC 3339 UTC.
    pub time: Option<String>,
    /// Message id in the chat.
    pub message_id: Option<String>,
    /// Message replied to.
    pub reply_to: Option<String>,
    /// Where it was forwarded from (channel name, or a pseudonym for a person).
    pub forwarded_from: Option<String>,
    /// Title of a page or report.
    pub title: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// The text.
    pub text: String,
    /// Position in the source file.
    pub position: SourcePosition,
    /// Category the engine gave, once analysed.
    pub category: Option<String>,
    /// Main language, once analysed.
    pub lang: Option<String>,
    /// Near-duplicate cluster, once clustered.
    pub cluster: Option<i64>,
}

/// One label, as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Label {
    /// Row id.
    pub id: i64,
    /// The document labelled.
    pub document_id: i64,
    /// The category the analyst gave.
    pub category: Category,
    /// Facts as the analyst corrected them; `None` when the engine's stand.
    pub facts: Option<Facts>,
    /// Free note.
    pub note: Option<String>,
    /// Account name of the analyst.
    pub labelled_by: String,
    /// When (RFC 3339, UTC).
    pub labelled_at: String,
    /// Engine or model version that had labelled the document before.
    pub engine_version: String,
    /// The category the engine had given.
    pub engine_category: String,
}

/// A label to add.
#[derive(Debug, Clone)]
pub struct NewLabel {
    /// The document.
    pub document_id: i64,
    /// The category decided.
    pub category: Category,
    /// Corrected facts, or `None` to confirm the engine's.
    pub facts: Option<Facts>,
    /// Free note.
    pub note: Option<String>,
    /// Who decided.
    pub labelled_by: String,
}

/// A document waiting in the review queue.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QueueItem {
    /// Document id.
    pub document_id: i64,
    /// The engine's category.
    pub category: String,
    /// The engine's confidence (its top score).
    pub confidence: f64,
    /// Chat or channel.
    pub chat: Option<String>,
    /// Time (unix seconds).
    pub time: Option<i64>,
    /// The first characters of the text.
    pub preview: String,
}

/// The engine's view of a document, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAnalysis {
    /// The analysis.
    pub analysis: Analysis,
    /// Top score.
    pub confidence: f64,
    /// Near-duplicate cluster.
    pub cluster: Option<i64>,
    /// When it was computed.
    pub analysed_at: String,
}

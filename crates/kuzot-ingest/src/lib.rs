//! Readers: the bytes of one source file → a stream of [`RawDocument`]s.
//!
//! Every reader is streaming (memory does not grow with the file), reports each bad record
//! with its position and goes on with the rest, and rejects a file that is not what it was
//! asked to read with an error that says what the file looked like. No reader panics on
//! any input: each has property tests over arbitrary bytes and a fuzz target.
//!
//! ```
//! use kuzot_ingest::{read_source, CollectingSink, ReadOptions};
//! use kuzot_model::SourceFormat;
//! let export = "12/03/2024, 14:05 - Айбек: Работа в Москве\n";
//! let mut sink = CollectingSink::default();
//! let report = read_source(SourceFormat::WhatsappTxt, export.as_bytes(), &ReadOptions::default(), &mut sink)
//!     .expect("a valid export");
//! assert_eq!(report.documents, 1);
//! assert_eq!(sink.documents[0].text, "Работа в Москве");
//! ```

mod detect;
mod error;
pub mod html_nesting;
mod lines;
pub mod pdf;
pub mod plain_text;
pub mod tabular;
pub mod telegram_html;
pub mod telegram_json;
pub mod web_page;
pub mod whatsapp;

use std::io::BufRead;

pub use detect::{DETECTION_PREFIX, Detection, detect_format};
pub use error::{ReadError, RecordError, SinkError};
use kuzot_model::{RawDocument, SourceFormat};
pub use tabular::ColumnMapping;

/// Where the documents a reader produces go. The service's sink analyses and stores them;
/// tests collect them.
pub trait DocumentSink {
    /// Takes one document. An error stops the read (the store failed, the user cancelled).
    fn document(&mut self, doc: RawDocument) -> Result<(), SinkError>;
    /// Takes note of a record that could not be read; the reader goes on after it.
    fn rejected(&mut self, error: RecordError);
    /// Takes note of a record that is not a document (a Telegram service message such as
    /// "joined the group", a WhatsApp system line).
    fn service_record(&mut self) {}
}

/// A sink that keeps everything in memory, for tests and small files.
#[derive(Debug, Default)]
pub struct CollectingSink {
    /// Documents in the order they were read.
    pub documents: Vec<RawDocument>,
    /// Records skipped as bad.
    pub rejected: Vec<RecordError>,
    /// Service records counted.
    pub service_records: u64,
}

impl DocumentSink for CollectingSink {
    fn document(&mut self, doc: RawDocument) -> Result<(), SinkError> {
        self.documents.push(doc);
        Ok(())
    }
    fn rejected(&mut self, error: RecordError) {
        self.rejected.push(error);
    }
    fn service_record(&mut self) {
        self.service_records += 1;
    }
}

/// Bounds that keep a hostile file from exhausting memory. Every reader honours them; the
/// service fills them from its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// The most bytes one record may take in the file (a Telegram message element, a CSV
    /// row, a JSONL line, a WhatsApp message with its further lines). A longer record is
    /// rejected with its position; the reader keeps at most this much of it in memory.
    pub max_record_bytes: u64,
    /// The most bytes of text one document may hold. A record whose text is longer is
    /// rejected rather than stored, since one huge document makes every search slow.
    pub max_document_bytes: usize,
    /// How deeply the structure of a Telegram JSON export may nest outside its messages.
    /// Real exports nest four levels; a deeper file is rejected as a whole.
    pub max_nesting_depth: usize,
    /// The largest file of a format that is read whole into memory (see
    /// [`reads_whole_file`]: plain text, Telegram HTML pages, saved web pages, PDF). A
    /// larger file is refused as a whole; the reader reads at most one byte past the limit
    /// to know, and the service refuses it from its size before keeping or reading it.
    pub max_whole_file_bytes: u64,
}

impl ReadLimits {
    /// Default for [`ReadLimits::max_record_bytes`]: 8 MiB.
    pub const DEFAULT_MAX_RECORD_BYTES: u64 = 8 * 1024 * 1024;
    /// Default for [`ReadLimits::max_document_bytes`]: 4 MiB, far beyond any message.
    pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;
    /// Default for [`ReadLimits::max_nesting_depth`].
    pub const DEFAULT_MAX_NESTING_DEPTH: usize = 64;
    /// Default for [`ReadLimits::max_whole_file_bytes`]: 128 MiB. Telegram's HTML pages
    /// are a few megabytes and a saved page with its images inlined some tens; an HTML
    /// tree or a PDF's objects take several times the file's size in memory, so this
    /// bounds one import's memory to a few hundred megabytes.
    pub const DEFAULT_MAX_WHOLE_FILE_BYTES: u64 = 128 * 1024 * 1024;
}

/// Whether a format's reader holds the whole file in memory (an HTML tree, a PDF's
/// objects, a plain-text document) rather than streaming it record by record. Such files
/// are bounded by [`ReadLimits::max_whole_file_bytes`].
pub fn reads_whole_file(format: SourceFormat) -> bool {
    match format {
        SourceFormat::PlainText
        | SourceFormat::TelegramHtml
        | SourceFormat::WebPage
        | SourceFormat::Pdf => true,
        SourceFormat::TelegramJson
        | SourceFormat::WhatsappTxt
        | SourceFormat::Csv
        | SourceFormat::Jsonl => false,
    }
}

/// Reads all of `input` for a reader that needs the whole file, refusing it once it is
/// longer than `limits.max_whole_file_bytes` (at most one byte more is read).
pub(crate) fn read_whole(
    input: impl BufRead,
    format: SourceFormat,
    limits: &ReadLimits,
) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let mut bytes = Vec::new();
    input
        .take(limits.max_whole_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limits.max_whole_file_bytes {
        return Err(ReadError::TooLarge {
            format,
            limit: limits.max_whole_file_bytes,
        });
    }
    Ok(bytes)
}

impl Default for ReadLimits {
    fn default() -> ReadLimits {
        ReadLimits {
            max_record_bytes: ReadLimits::DEFAULT_MAX_RECORD_BYTES,
            max_document_bytes: ReadLimits::DEFAULT_MAX_DOCUMENT_BYTES,
            max_nesting_depth: ReadLimits::DEFAULT_MAX_NESTING_DEPTH,
            max_whole_file_bytes: ReadLimits::DEFAULT_MAX_WHOLE_FILE_BYTES,
        }
    }
}

/// Options that change how a file is read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Size and nesting bounds.
    pub limits: ReadLimits,
    /// Which column or field holds what, for CSV and JSONL.
    pub columns: ColumnMapping,
    /// Name of the source file, used as the chat name where the format has none
    /// (WhatsApp's "WhatsApp Chat with X.txt").
    pub file_name: Option<String>,
}

/// What a reader did with one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadReport {
    /// Documents handed to the sink.
    pub documents: u64,
    /// Records rejected as bad.
    pub rejected: u64,
    /// Service records counted but not stored.
    pub service_records: u64,
}

/// Counts what passes through, so that every reader reports the same way.
/// It also enforces [`ReadLimits::max_document_bytes`] for every reader in one place.
struct CountingSink<'a> {
    inner: &'a mut dyn DocumentSink,
    report: ReadReport,
    max_document_bytes: usize,
}

impl DocumentSink for CountingSink<'_> {
    fn document(&mut self, doc: RawDocument) -> Result<(), SinkError> {
        if doc.text.len() > self.max_document_bytes {
            self.rejected(RecordError::new(
                doc.position,
                format!(
                    "the text is {} bytes, over the limit of {} bytes per document",
                    doc.text.len(),
                    self.max_document_bytes
                ),
            ));
            return Ok(());
        }
        self.report.documents += 1;
        self.inner.document(doc)
    }
    fn rejected(&mut self, error: RecordError) {
        self.report.rejected += 1;
        self.inner.rejected(error);
    }
    fn service_record(&mut self) {
        self.report.service_records += 1;
        self.inner.service_record();
    }
}

/// Reads one source file of a known format into `sink`.
///
/// Returns an error when the file as a whole is unusable (not of that format, truncated,
/// unreadable) or when the sink stopped the read; the caller must then discard whatever
/// the sink received from this file.
pub fn read_source(
    format: SourceFormat,
    input: impl BufRead,
    options: &ReadOptions,
    sink: &mut dyn DocumentSink,
) -> Result<ReadReport, ReadError> {
    let mut counting = CountingSink {
        inner: sink,
        report: ReadReport::default(),
        max_document_bytes: options.limits.max_document_bytes,
    };
    match format {
        SourceFormat::TelegramJson => {
            telegram_json::read_with_limits(input, &options.limits, &mut counting)?
        }
        SourceFormat::TelegramHtml => telegram_html::read(input, options, &mut counting)?,
        SourceFormat::WhatsappTxt => whatsapp::read(input, options, &mut counting)?,
        SourceFormat::Csv => {
            tabular::read_csv_with_limits(input, &options.columns, &options.limits, &mut counting)?
        }
        SourceFormat::Jsonl => tabular::read_jsonl_with_limits(
            input,
            &options.columns,
            &options.limits,
            &mut counting,
        )?,
        SourceFormat::WebPage => web_page::read_with_limits(input, &options.limits, &mut counting)?,
        SourceFormat::Pdf => pdf::read_with_limits(input, &options.limits, &mut counting)?,
        SourceFormat::PlainText => plain_text::read(input, options, &mut counting)?,
    }
    Ok(counting.report)
}

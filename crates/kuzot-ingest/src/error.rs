//! Errors of the readers. A [`RecordError`] is one bad record inside a usable file; a
//! [`ReadError`] makes the whole file unusable.

use kuzot_model::{SourceFormat, SourcePosition};

/// One record that could not be read. The reader skips it and goes on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{position}: {reason}")]
pub struct RecordError {
    /// Where the record is.
    pub position: SourcePosition,
    /// What was wrong with it, in words a researcher can act on.
    pub reason: String,
}

impl RecordError {
    /// A record error at `position`.
    pub fn new(position: SourcePosition, reason: impl Into<String>) -> RecordError {
        RecordError {
            position,
            reason: reason.into(),
        }
    }
}

/// The sink refused a document; the read stops.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SinkError(pub String);

/// The file as a whole cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Reading the bytes failed.
    #[error("could not read the file: {0}")]
    Io(#[from] std::io::Error),
    /// The file is not of the expected format.
    #[error("not a {expected} file: {found}")]
    NotThisFormat {
        /// The format the reader expected.
        expected: SourceFormat,
        /// What the file looked like instead, with a byte offset where useful.
        found: String,
    },
    /// The file starts as expected but ends early or breaks its structure.
    #[error("{format} file is truncated or broken at byte {offset}: {reason}")]
    Truncated {
        /// The format being read.
        format: SourceFormat,
        /// Byte offset where the structure broke.
        offset: u64,
        /// What was found there.
        reason: String,
    },
    /// The file is of a format read whole into memory and is larger than the limit for
    /// such files; none of it was kept or parsed.
    #[error(
        "the file is over the limit of {limit} bytes for a {format} file, which is read whole \
         into memory (raise ingest.whole_file_bytes in kuzot.toml to import it)"
    )]
    TooLarge {
        /// The format the file was to be read as.
        format: SourceFormat,
        /// The limit, in bytes (`ReadLimits::max_whole_file_bytes`).
        limit: u64,
    },
    /// The column mapping does not fit the file.
    #[error("column mapping does not fit: {0}")]
    Mapping(String),
    /// The sink stopped the read.
    #[error("import stopped: {0}")]
    Sink(#[from] SinkError),
}

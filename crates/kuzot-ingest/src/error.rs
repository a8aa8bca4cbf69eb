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
    /// The column mapping does not fit the file.
    #[error("column mapping does not fit: {0}")]
    Mapping(String),
    /// The sink stopped the read.
    #[error("import stopped: {0}")]
    Sink(#[from] SinkError),
}

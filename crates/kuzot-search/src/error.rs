//! Errors of the search index.

use std::path::PathBuf;

/// Something the search index could not do.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// tantivy failed (I/O, a corrupt segment, a lock held by another process).
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// Reading documents or changes from the store failed.
    #[error("reading the store for the search index: {0}")]
    Feed(#[source] crate::feed::FeedError),
    /// A file or directory operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The index on disk was built by another version of kuzot, with another layout.
    #[error(
        "the search index at {path} was built with another layout ({found}); run `kuzot reindex` to rebuild it"
    )]
    SchemaMismatch {
        /// The index directory.
        path: PathBuf,
        /// What was found instead of the expected layout.
        found: String,
    },
}

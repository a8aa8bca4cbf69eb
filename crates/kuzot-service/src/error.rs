//! Errors of the use cases.

use std::path::PathBuf;

/// A use case that could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] kuzot_store::StoreError),
    /// A path given by the user cannot be used.
    #[error("{path}: {reason}")]
    Path {
        /// The path.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A label's corrected facts were refused; nothing was stored.
    #[error("the label's facts: {0}")]
    LabelFacts(#[from] crate::FactProblem),
    /// Writing output failed.
    #[error("writing output: {0}")]
    Output(#[from] std::io::Error),
    /// The settings file is wrong.
    #[error("{path}: {reason}")]
    Settings {
        /// The settings file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

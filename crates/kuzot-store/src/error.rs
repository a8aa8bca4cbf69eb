//! Errors of the store, with the path or operation they concern.

use std::path::PathBuf;

/// Something the store could not do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file or directory operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    /// The PostgreSQL server failed or refused a statement.
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
    /// The database server could not be reached.
    #[error("cannot connect to the database at {location}: {reason}")]
    Unreachable {
        /// The URL, without its password.
        location: String,
        /// What the driver said.
        reason: String,
    },
    /// Another import of the same file committed first (two servers, one file).
    #[error("the file {sha256} was imported by another process at the same time")]
    AlreadyImported {
        /// SHA-256 of the file.
        sha256: String,
    },
    /// The database was written by a newer kuzot.
    #[error(
        "the store at {path} has schema version {found}, newer than this kuzot knows ({known}); upgrade kuzot"
    )]
    SchemaTooNew {
        /// The data directory or database URL (without its password).
        path: String,
        /// Version found.
        found: i64,
        /// Newest version this build knows.
        known: i64,
    },
    /// The pseudonym key file is unusable.
    #[error(
        "{path}: the pseudonym key is unreadable ({reason}); restore it from a backup — without it new pseudonyms will not match old ones"
    )]
    BadSecret {
        /// The key file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// A stored value could not be read back.
    #[error("corrupt record in the store: {0}")]
    Corrupt(String),
    /// A copy into a store that already holds evidence (`kuzot migrate` only fills an
    /// empty store, so that nothing is mixed or overwritten).
    #[error(
        "the target store at {location} is not empty ({documents} documents, {sources} sources); migrate only into a new, empty store"
    )]
    TargetNotEmpty {
        /// The data directory or URL (without its password).
        location: String,
        /// Documents it holds.
        documents: u64,
        /// Sources it holds.
        sources: u64,
    },
    /// What was asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A change that would break what is recorded (a merge of a person already merged).
    #[error("refused: {0}")]
    Refused(String),
    /// The operating system gave no random bytes.
    #[error("no random bytes from the operating system: {0}")]
    NoRandomness(String),
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.into();
        move |source| StoreError::Io { path, source }
    }

    pub(crate) fn json(e: serde_json::Error) -> StoreError {
        StoreError::Corrupt(e.to_string())
    }
}

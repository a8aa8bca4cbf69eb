//! Where the index reads documents from: a [`IndexFeed`] that the service implements over
//! the store, so that this crate never opens a store itself.

use kuzot_model::IndexRow;

/// Why a feed could not answer (the store's error, boxed: this crate does not know it).
pub type FeedError = Box<dyn std::error::Error + Send + Sync>;

/// One entry of the store's change log: the documents with ids `first_id..=last_id`
/// changed (were added, labelled, analysed again, or deleted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangedIds {
    /// Position in the log, increasing in commit order.
    pub seq: i64,
    /// First document id concerned.
    pub first_id: i64,
    /// Last document id concerned.
    pub last_id: i64,
}

/// What the index needs from the store: every document, documents by id, and the change
/// log that says which documents to read again.
pub trait IndexFeed {
    /// The newest sequence number of the change log (0 when empty).
    fn last_change(&self) -> Result<i64, FeedError>;

    /// Changes with a sequence number above `after`, oldest first, at most `limit`.
    fn changes_after(&self, after: i64, limit: usize) -> Result<Vec<ChangedIds>, FeedError>;

    /// Number of documents (for progress bars).
    fn row_count(&self) -> Result<u64, FeedError>;

    /// Calls `each` with every document, in id order.
    fn for_each_row(
        &self,
        each: &mut dyn FnMut(IndexRow) -> Result<(), FeedError>,
    ) -> Result<(), FeedError>;

    /// The documents with ids in `first_id..=last_id`, in id order (missing ids, i.e.
    /// deleted documents, left out).
    fn rows_between(&self, first_id: i64, last_id: i64) -> Result<Vec<IndexRow>, FeedError>;
}

/// A fixed list of documents with an empty change log (benchmarks and tests at scale).
#[derive(Debug, Default, Clone)]
pub struct RowsFeed {
    /// The documents, in id order.
    pub rows: Vec<IndexRow>,
}

impl IndexFeed for RowsFeed {
    fn last_change(&self) -> Result<i64, FeedError> {
        Ok(0)
    }

    fn changes_after(&self, _after: i64, _limit: usize) -> Result<Vec<ChangedIds>, FeedError> {
        Ok(Vec::new())
    }

    fn row_count(&self) -> Result<u64, FeedError> {
        Ok(self.rows.len() as u64)
    }

    fn for_each_row(
        &self,
        each: &mut dyn FnMut(IndexRow) -> Result<(), FeedError>,
    ) -> Result<(), FeedError> {
        self.rows.iter().cloned().try_for_each(each)
    }

    fn rows_between(&self, first_id: i64, last_id: i64) -> Result<Vec<IndexRow>, FeedError> {
        Ok(self
            .rows
            .iter()
            .filter(|r| (first_id..=last_id).contains(&r.id))
            .cloned()
            .collect())
    }
}

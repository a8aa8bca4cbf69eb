//! The use cases that end in the search index: ingest → analyse → store → index, label →
//! re-index, re-analyse → index, and the analysis queue that `kuzot worker` drains.
//!
//! The index is never written from what a caller did in this process: every write to the
//! store adds to its change log, and [`follow_index`] applies the log. So the same call
//! brings in what other processes (another server, a CLI import, a worker) wrote, and an
//! index that followed the log equals one rebuilt from scratch.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use kuzot_analysis::Engine;
use kuzot_model::IndexRow;
use kuzot_search::{ChangedIds, FeedError, FollowReport, IndexFeed, SearchError, SearchIndex};
use kuzot_store::{EvidenceStore, Label, NewLabel, Store};
use rayon::prelude::*;

use crate::{IngestOptions, IngestProgress, IngestSummary, ServiceError};

/// The store seen by the search index: its documents and its change log.
pub struct StoreFeed<'a>(pub &'a dyn EvidenceStore);

impl IndexFeed for StoreFeed<'_> {
    fn last_change(&self) -> Result<i64, FeedError> {
        Ok(self.0.last_change()?)
    }

    fn changes_after(&self, after: i64, limit: usize) -> Result<Vec<ChangedIds>, FeedError> {
        Ok(self
            .0
            .changes_after(after, limit)?
            .into_iter()
            .map(|c| ChangedIds {
                seq: c.seq,
                first_id: c.first_id,
                last_id: c.last_id,
            })
            .collect())
    }

    fn row_count(&self) -> Result<u64, FeedError> {
        Ok(self.0.index_row_count(0)?)
    }

    fn for_each_row(
        &self,
        each: &mut dyn FnMut(IndexRow) -> Result<(), FeedError>,
    ) -> Result<(), FeedError> {
        let mut stopped = None;
        let read = self.0.for_each_index_row(0, &mut |row| {
            each(row).map_err(|e| {
                stopped = Some(e);
                kuzot_store::StoreError::Corrupt("indexing stopped".into())
            })
        });
        match (read, stopped) {
            (_, Some(e)) => Err(e),
            (Err(e), None) => Err(e.into()),
            (Ok(()), None) => Ok(()),
        }
    }

    fn rows_between(&self, first_id: i64, last_id: i64) -> Result<Vec<IndexRow>, FeedError> {
        if first_id > last_id {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = (first_id..=last_id).collect();
        Ok(self.0.index_rows(&ids)?)
    }
}

/// Brings the index up to date with the store's change log (see
/// [`SearchIndex::follow`]).
pub fn follow_index(index: &SearchIndex, store: &Store) -> Result<FollowReport, SearchError> {
    index.follow(&StoreFeed(&**store))
}

/// Rebuilds the index from scratch from the store, reporting `(done, total)` documents.
pub fn rebuild_index(
    index: &SearchIndex,
    store: &Store,
    progress: &dyn Fn(u64, u64),
) -> Result<u64, SearchError> {
    index.rebuild(&StoreFeed(&**store), progress)
}

/// What an ingest did, and what became of the index after it.
#[derive(Debug)]
pub struct IndexedIngest {
    /// The files and their counts.
    pub summary: IngestSummary,
    /// The index update: a failure does not undo the import (the documents are stored,
    /// and the next follow or `kuzot reindex` brings the index up to date).
    pub index: Result<FollowReport, SearchError>,
}

/// Ingest → analyse → store → index, as one use case: imports the files (analysing each
/// new document as it is stored, unless `options.queue_analysis` leaves that to
/// `kuzot worker`, or no engine is given), then brings the index up to date with the
/// store's change log.
pub fn ingest_and_index(
    store: &mut Store,
    index: &SearchIndex,
    paths: &[PathBuf],
    options: &IngestOptions,
    engine: Option<&Engine>,
    progress: &dyn IngestProgress,
) -> Result<IndexedIngest, ServiceError> {
    let summary = crate::ingest_paths(store, paths, options, engine, progress)?;
    let index = follow_index(index, store);
    Ok(IndexedIngest { summary, index })
}

/// Label → re-index, as one use case: checks the corrected facts against the message's
/// text ([`crate::checked_label_facts`]; a bad one is [`ServiceError::LabelFacts`] and
/// nothing is stored), stores the label, then brings the index up to date (the label
/// changes the category in force). The label is kept even when the index fails; the
/// error is returned beside it.
pub fn label_and_index(
    store: &mut Store,
    index: &SearchIndex,
    label: &NewLabel,
) -> Result<(Label, Result<FollowReport, SearchError>), ServiceError> {
    let mut label = label.clone();
    if let Some(facts) = &label.facts {
        let document = store.document(label.document_id)?.ok_or_else(|| {
            kuzot_store::StoreError::NotFound(format!("message {}", label.document_id))
        })?;
        label.facts = Some(crate::checked_label_facts(&document.text, facts)?);
    }
    let saved = store.add_label(&label)?;
    Ok((saved, follow_index(index, store)))
}

/// Documents a worker takes from the analysis queue at once: each batch is one
/// transaction, so a worker killed mid-batch loses at most this much work.
pub const WORKER_BATCH: usize = 512;

/// How a run over the analysis queue ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrainUntil {
    /// Stop as soon as nothing more can be taken (`kuzot worker --once`, `kuzot
    /// reanalyze`).
    Empty,
    /// Wait for more work until stopped (`kuzot worker`).
    Stopped,
}

/// What a run over the analysis queue did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrainReport {
    /// Documents analysed.
    pub analysed: u64,
    /// Batches committed.
    pub batches: u64,
    /// Times near-duplicates were regrouped after the queue ran empty.
    pub regroupings: u64,
}

/// Takes batches from the analysis queue and analyses them with `engine`, one
/// transaction per batch, until the queue is empty ([`DrainUntil::Empty`]) or `stop` is
/// set (checked between batches: the current batch is finished first). Each time the
/// queue is found empty and an import or a batch left the regroup mark, near-duplicates
/// are regrouped. `progress` hears about the queue's length at start and each batch.
pub fn drain_analysis_queue(
    store: &mut Store,
    engine: &Engine,
    batch: usize,
    until: DrainUntil,
    stop: &AtomicBool,
    progress: &dyn IngestProgress,
) -> Result<DrainReport, ServiceError> {
    let batch = batch.max(1);
    let mut report = DrainReport::default();
    progress.start(1, store.analysis_queue_len()?);
    let mut idle_since_regroup = false;
    while !stop.load(Ordering::Relaxed) {
        let analysed = store.analyse_queued(batch, &mut |pairs: &[(i64, String)]| {
            pairs
                .par_iter()
                .map(|(_, text)| engine.analyze(text))
                .collect()
        })?;
        if analysed > 0 {
            if idle_since_regroup {
                // New work after a wait (a worker that keeps running): the bar's length
                // grows by what was queued meanwhile.
                progress.start(
                    1,
                    report.analysed + store.analysis_queue_len()? + analysed as u64,
                );
            }
            report.analysed += analysed as u64;
            report.batches += 1;
            progress.bytes(analysed as u64);
            progress.documents(analysed as u64);
            idle_since_regroup = false;
            continue;
        }
        // Nothing taken: the queue is empty, or what is left is held by other workers
        // (they regroup after their batches). Regroup once per idle spell, unless another
        // worker has claimed the same regrouping.
        if !idle_since_regroup
            && store.analysis_queue_len()? == 0
            && crate::analysis::recluster(store, crate::analysis::Claim::Respect)?.is_some()
        {
            report.regroupings += 1;
        }
        idle_since_regroup = true;
        if until == DrainUntil::Empty {
            break;
        }
        // Wait for more work, waking often enough to notice `stop` at once.
        for _ in 0..10 {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
    progress.finish();
    Ok(report)
}

/// Re-analyse → index, as one use case: [`crate::reanalyze`] (queue the stale analyses,
/// drain the queue in this process, regroup), then brings the index up to date. Returns
/// how many documents were analysed, and the index update (a failure there leaves the
/// analyses stored).
pub fn reanalyze_and_index(
    store: &mut Store,
    index: &SearchIndex,
    engine: &Engine,
    progress: &dyn IngestProgress,
) -> Result<(u64, Result<FollowReport, SearchError>), ServiceError> {
    let analysed = crate::reanalyze(store, engine, progress)?;
    Ok((analysed, follow_index(index, store)))
}

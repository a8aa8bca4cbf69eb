//! The index on disk: its schema, opening, (re)building, syncing and searching.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use kuzot_model::IndexRow;
use kuzot_model::{Category, RateTable};
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term,
};

use crate::aggregate::AggregateCollector;
use crate::analyzer::{ANALYZER_NAME, text_analyzer};
use crate::feed::{FeedError, IndexFeed};
use crate::query::{build_query, category_from_code};
use crate::{
    Aggregates, SearchError, SearchHit, SearchQuery, SearchResults, Snippet, Sort, category_code,
};

/// Version of the index layout (schema, analyzer, what each field holds). Bumped on any
/// change; an index of another version is refused with advice to run `kuzot reindex`.
pub const SCHEMA_VERSION: u32 = 2;

/// Memory the writer may fill before it flushes a segment to disk.
const WRITER_MEMORY: usize = 100_000_000;
/// Documents between two commits while following the change log: each commit makes
/// progress durable.
const FOLLOW_BATCH: u64 = 50_000;
/// Changes read from the log at once.
const CHANGES_PER_READ: usize = 1_000;
/// Document ids read from the store at once when a change covers a range of them (an
/// import of a million documents is one change).
const IDS_PER_READ: i64 = 2_000;
/// How much of a document's opening a snippet is looked for in (bytes).
pub const SNIPPET_SOURCE_BYTES: usize = 256 << 10;

/// The first `max_bytes` of `text`, cut on a character boundary.
fn text_opening(text: &str, max_bytes: usize) -> &str {
    let mut end = max_bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or("")
}

/// Longest snippet, in bytes of the original text (about 150 to 300 characters).
const SNIPPET_BYTES: usize = 300;
/// Characters of the opening shown when there are no words to highlight.
const OPENING_CHARS: usize = 200;
/// Most hits returned by one call, and the deepest page reachable.
const MAX_LIMIT: usize = 1_000;
const MAX_OFFSET: usize = 100_000;

/// The fields of the index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub text: Field,
    pub time: Field,
    pub category: Field,
    pub genre: Field,
    pub topic: Field,
    pub lang: Field,
    pub chat: Field,
    pub source: Field,
    pub place: Field,
    pub place_agg: Field,
    pub occupied: Field,
    pub org: Field,
    pub phone: Field,
    pub promise: Field,
    pub pay: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_options = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: b.add_i64_field("id", INDEXED | FAST | STORED),
        text: b.add_text_field("text", text_options),
        time: b.add_i64_field("time", INDEXED | FAST | STORED),
        category: b.add_u64_field("category", INDEXED | FAST | STORED),
        genre: b.add_text_field("genre", STRING | FAST),
        topic: b.add_text_field("topic", STRING | FAST),
        lang: b.add_text_field("lang", STRING | FAST),
        chat: b.add_text_field("chat", STRING | FAST | STORED),
        source: b.add_text_field("source", STRING),
        place: b.add_text_field("place", STRING),
        place_agg: b.add_text_field("place_agg", TextOptions::default().set_fast("raw")),
        occupied: b.add_u64_field("occupied", INDEXED),
        org: b.add_text_field("org", STRING),
        phone: b.add_text_field("phone", STRING),
        promise: b.add_text_field("promise", STRING),
        pay: b.add_f64_field("pay", INDEXED | FAST),
    };
    (b.build(), fields)
}

/// What the index remembers in each commit's payload.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
struct Payload {
    schema: u32,
    last_id: i64,
    /// The last change of the store's change log this index applied; `None` in an index
    /// written before the index followed the log (it is rebuilt once).
    #[serde(default)]
    seq: Option<i64>,
}

/// What one [`SearchIndex::follow`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FollowReport {
    /// Changes of the log applied.
    pub changes: u64,
    /// Documents (re)indexed.
    pub documents: u64,
    /// The index had no recorded change and was rebuilt from scratch.
    pub rebuilt: bool,
    /// The change the index is at now.
    pub seq: i64,
}

/// Stops a feed's iteration when the index fails, keeping the index's error.
fn stop_with(error: &mut Option<SearchError>, e: SearchError) -> FeedError {
    *error = Some(e);
    "indexing stopped".into()
}

struct Inner {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    rates: RateTable,
    /// Held for every write: one writer at a time in this process. The tantivy writer
    /// itself is created per operation and dropped after it, so that its directory lock
    /// is not held between writes and another process (`kuzot ingest` beside a running
    /// server) can bring the index up to date too.
    write: Mutex<()>,
    /// The last dashboards counted, by query, each for the index generation it was
    /// counted on: a page of charts asks for the same counts once per chart, and every
    /// visitor of the dashboard asks for the unfiltered ones.
    aggregates: Mutex<Vec<CachedAggregates>>,
}

/// Counts over one query on one generation of the index.
struct CachedAggregates {
    query: String,
    generation: u64,
    aggregates: Aggregates,
}

/// Queries whose counts are kept.
const CACHED_AGGREGATES: usize = 32;

/// The full-text index of a data directory. Cheap to clone; safe to share between threads.
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.inner.dir)
            .field("docs", &self.doc_count())
            .finish()
    }
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> SearchError + '_ {
    move |source| SearchError::Io {
        path: path.to_owned(),
        source,
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating an empty one when there is none. `rates` turn
    /// offered pay into monthly roubles for the pay filter and the pay statistics (an
    /// index keeps the figures of the table it was built with: rebuild after changing it).
    pub fn open(dir: &Path, rates: RateTable) -> Result<SearchIndex, SearchError> {
        let (schema, fields) = schema();
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        let index = if dir.join("meta.json").exists() {
            let index = Index::open_in_dir(dir)?;
            if index.schema() != schema {
                return Err(SearchError::SchemaMismatch {
                    path: dir.to_owned(),
                    found: "other fields".into(),
                });
            }
            index
        } else {
            Index::create_in_dir(dir, schema)?
        };
        index.tokenizers().register(ANALYZER_NAME, text_analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        let inner = Inner {
            dir: dir.to_owned(),
            index,
            reader,
            fields,
            rates,
            write: Mutex::new(()),
            aggregates: Mutex::new(Vec::new()),
        };
        let this = SearchIndex {
            inner: Arc::new(inner),
        };
        match this.payload()? {
            Some(p) if p.schema != SCHEMA_VERSION => {
                return Err(SearchError::SchemaMismatch {
                    path: dir.to_owned(),
                    found: format!("layout version {}, expected {SCHEMA_VERSION}", p.schema),
                });
            }
            Some(_) => {}
            None if this.doc_count() > 0 => {
                return Err(SearchError::SchemaMismatch {
                    path: dir.to_owned(),
                    found: "no kuzot layout version".into(),
                });
            }
            None => {}
        }
        Ok(this)
    }

    /// Opens the index, or, when it was built by another kuzot with another layout, deletes
    /// it and starts an empty one that the next [`SearchIndex::follow`] fills from the store:
    /// the index is derived data, the store is the evidence.
    pub fn open_or_rebuild(dir: &Path, rates: RateTable) -> Result<SearchIndex, SearchError> {
        match SearchIndex::open(dir, rates.clone()) {
            Err(SearchError::SchemaMismatch { .. }) => {
                std::fs::remove_dir_all(dir).map_err(|e| SearchError::Io {
                    path: dir.to_owned(),
                    source: e,
                })?;
                SearchIndex::open(dir, rates)
            }
            other => other,
        }
    }

    /// The directory of the index.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// The rate table pay is converted with.
    pub fn rates(&self) -> &RateTable {
        &self.inner.rates
    }

    fn payload(&self) -> Result<Option<Payload>, SearchError> {
        let metas = self.inner.index.load_metas()?;
        Ok(metas
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str::<Payload>(p).ok()))
    }

    /// The highest document id the index has seen (0 for an empty index).
    pub fn last_indexed_id(&self) -> Result<i64, SearchError> {
        Ok(self.payload()?.map_or(0, |p| p.last_id))
    }

    /// The last change of the store's change log this index applied, `None` when it
    /// has none recorded (a new index, or one written before indexes followed the log).
    pub fn applied_change(&self) -> Result<Option<i64>, SearchError> {
        Ok(self.payload()?.and_then(|p| p.seq))
    }

    fn writer(&self, threads: usize) -> Result<IndexWriter, SearchError> {
        Ok(self
            .inner
            .index
            .writer_with_num_threads(threads, WRITER_MEMORY)?)
    }

    fn commit(&self, writer: &mut IndexWriter, last_id: i64, seq: i64) -> Result<(), SearchError> {
        let payload = serde_json::to_string(&Payload {
            schema: SCHEMA_VERSION,
            last_id,
            seq: Some(seq),
        })
        .unwrap_or_default();
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.inner.reader.reload()?;
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        // A panic in another writer leaves nothing half-done that matters here: tantivy
        // discards uncommitted work, so the poisoned lock is simply taken over.
        self.inner
            .write
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Rebuilds the index from the feed. Everything is replaced in ONE commit (delete
    /// all, add all): until it lands, readers (and a restart after a crash) see the old
    /// index, since segments written before a commit are never visible and are cleaned
    /// up later. The writer flushes segments to disk as its memory budget fills, so memory
    /// stays bounded whatever the size of the store. The index records the change log's
    /// last sequence number as it was BEFORE the documents were read: a change committed
    /// while they were read is applied again by the next [`SearchIndex::follow`], which
    /// does no harm. Returns the documents indexed.
    pub fn rebuild(
        &self,
        feed: &dyn IndexFeed,
        progress: &dyn Fn(u64, u64),
    ) -> Result<u64, SearchError> {
        let _guard = self.lock();
        self.rebuild_locked(feed, progress)
    }

    fn rebuild_locked(
        &self,
        feed: &dyn IndexFeed,
        progress: &dyn Fn(u64, u64),
    ) -> Result<u64, SearchError> {
        let seq = feed.last_change().map_err(SearchError::Feed)?;
        let total = feed.row_count().map_err(SearchError::Feed)?;
        progress(0, total);
        let mut error = None;
        let mut writer = self.writer(2)?;
        writer.delete_all_documents()?;
        let mut done = 0u64;
        let mut last_id = 0i64;
        let read = feed.for_each_row(&mut |row| {
            last_id = last_id.max(row.id);
            if let Err(e) = writer.add_document(self.document(&row)) {
                return Err(stop_with(&mut error, e.into()));
            }
            done += 1;
            if done.is_multiple_of(1_000) {
                progress(done, total);
            }
            Ok(())
        });
        if let Err(e) = read {
            return Err(error.take().unwrap_or(SearchError::Feed(e)));
        }
        self.commit(&mut writer, last_id, seq)?;
        progress(done, total);
        Ok(done)
    }

    /// Replaces the whole index with `rows` in one commit, as [`SearchIndex::rebuild`]
    /// does, without a store (benchmarks and tests at scale). The index then stands at
    /// change 0.
    pub fn replace_all(
        &self,
        rows: impl IntoIterator<Item = IndexRow>,
    ) -> Result<u64, SearchError> {
        let _guard = self.lock();
        let mut writer = self.writer(2)?;
        writer.delete_all_documents()?;
        let mut done = 0u64;
        let mut last_id = 0i64;
        for row in rows {
            last_id = last_id.max(row.id);
            writer.add_document(self.document(&row))?;
            done += 1;
        }
        self.commit(&mut writer, last_id, 0)?;
        Ok(done)
    }

    /// Applies every change of the store's change log after the last one this index
    /// applied: the documents each change names are read again, those present replaced,
    /// those missing deleted. Commits every 50,000 documents with the change reached, so
    /// an interrupted follow resumes where it stopped. An index with no change recorded
    /// (new, or written before indexes followed the log) is rebuilt from scratch instead,
    /// once.
    pub fn follow(&self, feed: &dyn IndexFeed) -> Result<FollowReport, SearchError> {
        let _guard = self.lock();
        let payload = self.payload()?;
        let Some(mut seq) = payload.and_then(|p| p.seq) else {
            if self.doc_count() > 0 {
                tracing::info!(
                    index = %self.inner.dir.display(),
                    "the search index records no change of the store's log (written by an \
                     older kuzot): rebuilding it once"
                );
            }
            let documents = self.rebuild_locked(feed, &|_, _| {})?;
            return Ok(FollowReport {
                changes: 0,
                documents,
                rebuilt: true,
                seq: self.applied_change()?.unwrap_or(0),
            });
        };
        let mut last_id = payload.map_or(0, |p| p.last_id);
        let mut report = FollowReport {
            seq,
            ..FollowReport::default()
        };
        let mut writer: Option<IndexWriter> = None;
        let mut uncommitted = 0u64;
        loop {
            let changes = feed
                .changes_after(seq, CHANGES_PER_READ)
                .map_err(SearchError::Feed)?;
            if changes.is_empty() {
                break;
            }
            for change in changes {
                let writer = match &mut writer {
                    Some(w) => w,
                    None => writer.insert(self.writer(1)?),
                };
                let mut first = change.first_id;
                while first <= change.last_id {
                    let last = first.saturating_add(IDS_PER_READ - 1).min(change.last_id);
                    let rows = feed.rows_between(first, last).map_err(SearchError::Feed)?;
                    writer.delete_query(Box::new(tantivy::query::RangeQuery::new(
                        std::ops::Bound::Included(Term::from_field_i64(
                            self.inner.fields.id,
                            first,
                        )),
                        std::ops::Bound::Included(Term::from_field_i64(self.inner.fields.id, last)),
                    )))?;
                    for row in &rows {
                        last_id = last_id.max(row.id);
                        writer.add_document(self.document(row))?;
                    }
                    report.documents += rows.len() as u64;
                    uncommitted += rows.len() as u64;
                    if last == i64::MAX {
                        break;
                    }
                    first = last + 1;
                }
                seq = change.seq;
                report.changes += 1;
                if uncommitted >= FOLLOW_BATCH {
                    self.commit(writer, last_id, seq)?;
                    uncommitted = 0;
                }
            }
        }
        if let Some(writer) = &mut writer {
            self.commit(writer, last_id, seq)?;
        }
        report.seq = seq;
        Ok(report)
    }

    /// Documents in the index.
    pub fn doc_count(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    fn document(&self, row: &IndexRow) -> TantivyDocument {
        let f = &self.inner.fields;
        let mut doc = TantivyDocument::default();
        doc.add_i64(f.id, row.id);
        doc.add_text(f.text, &row.text);
        if let Some(t) = row.time {
            doc.add_i64(f.time, t);
        }
        doc.add_u64(
            f.category,
            category_code(row.category.unwrap_or(Category::Other)),
        );
        if let Some(genre) = row.genre {
            doc.add_text(f.genre, genre.as_str());
        }
        if let Some(topic) = row.topic {
            doc.add_text(f.topic, topic.as_str());
        }
        if let Some(lang) = &row.lang {
            doc.add_text(f.lang, lang);
        }
        if let Some(chat) = &row.chat {
            doc.add_text(f.chat, chat);
        }
        doc.add_text(f.source, row.source.to_ascii_lowercase());
        let facts = &row.facts;
        for place in &facts.places {
            doc.add_text(f.place, &place.id);
            let flag = if place.occupied { '1' } else { '0' };
            doc.add_text(f.place_agg, format!("{flag}{}", place.id));
        }
        doc.add_u64(f.occupied, u64::from(facts.occupied()));
        for org in &facts.orgs {
            doc.add_text(f.org, org.as_str());
        }
        for phone in &facts.phones {
            doc.add_text(f.phone, phone);
        }
        for promise in &facts.promises {
            doc.add_text(f.promise, promise.as_str());
        }
        if let Some(pay) = self.inner.rates.best_monthly_rub(&facts.money) {
            doc.add_f64(f.pay, pay);
        }
        doc
    }

    /// Searches: the text query AND every filter, sorted as asked, one page of hits with
    /// snippets. An empty query text matches every document (filters only); it then sorts
    /// newest first unless another order is asked. Never fails on any query text.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let f = &self.inner.fields;
        let searcher = self.inner.reader.searcher();
        let built = build_query(q, f, &searcher);
        let (query, has_text) = (built.query, built.has_text);
        let limit = match q.limit {
            0 => 20,
            n => n.min(MAX_LIMIT),
        };
        let offset = q.offset.min(MAX_OFFSET);
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let sort = match (q.sort, has_text) {
            (Sort::Relevance, false) => Sort::Newest,
            (s, _) => s,
        };
        let (total, found): (usize, Vec<(f32, DocAddress)>) = match sort {
            Sort::Relevance => searcher.search(&query, &(Count, top.order_by_score()))?,
            Sort::Newest | Sort::Oldest => {
                let order = if sort == Sort::Newest {
                    Order::Desc
                } else {
                    Order::Asc
                };
                let (total, docs) = searcher.search(
                    &query,
                    &(Count, top.order_by_fast_field::<i64>("time", order)),
                )?;
                (total, docs.into_iter().map(|(_, a)| (0.0, a)).collect())
            }
        };
        let generator = if has_text {
            let mut g = SnippetGenerator::create(&searcher, &*query, f.text)?;
            g.set_max_num_chars(SNIPPET_BYTES);
            Some(g)
        } else {
            None
        };
        let mut hits = Vec::with_capacity(found.len());
        for (score, address) in found {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = doc.get_first(f.text).and_then(|v| v.as_str()).unwrap_or("");
            let snippet = generator
                .as_ref()
                .map(|g| {
                    // The passage is looked for in the document's opening only: a document
                    // of hundreds of megabytes must not be tokenised whole for 300 bytes.
                    let s = g.snippet(text_opening(text, SNIPPET_SOURCE_BYTES));
                    Snippet::from_fragment(s.fragment(), s.highlighted())
                })
                .filter(|s| !s.text.is_empty())
                .unwrap_or_else(|| Snippet::opening(text, OPENING_CHARS));
            hits.push(SearchHit {
                id: doc.get_first(f.id).and_then(|v| v.as_i64()).unwrap_or(0),
                score,
                time: doc.get_first(f.time).and_then(|v| v.as_i64()),
                category: category_from_code(
                    doc.get_first(f.category)
                        .and_then(|v| v.as_u64())
                        .unwrap_or(u64::MAX),
                ),
                chat: doc
                    .get_first(f.chat)
                    .and_then(|v| v.as_str())
                    .map(str::to_owned),
                snippet,
            });
        }
        Ok(SearchResults {
            total: total as u64,
            hits,
            families: built.families,
            unsearchable: built.unsearchable,
        })
    }

    /// Counts for the dashboard over the documents `q` matches (its offset, limit and
    /// sort do not matter). Reads fast fields only, never stored documents.
    ///
    /// Counted once per query and index generation: a repeat on an unchanged index is a
    /// copy of the last answer.
    pub fn aggregate(&self, q: &SearchQuery) -> Result<Aggregates, SearchError> {
        let searcher = self.inner.reader.searcher();
        let generation = searcher.generation().generation_id();
        // Paging and order do not change the counts.
        let key = format!(
            "{:?}",
            SearchQuery {
                offset: 0,
                limit: 0,
                sort: Sort::default(),
                ..q.clone()
            }
        );
        let cached = |cache: &Vec<CachedAggregates>| {
            cache
                .iter()
                .find(|c| c.generation == generation && c.query == key)
                .map(|c| c.aggregates.clone())
        };
        if let Some(hit) = cached(
            &self
                .inner
                .aggregates
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        ) {
            return Ok(hit);
        }
        let built = build_query(q, &self.inner.fields, &searcher);
        let fruit = searcher.search(&built.query, &AggregateCollector)?;
        let aggregates = fruit.into_aggregates(self.inner.rates.clone());
        let mut cache = self
            .inner
            .aggregates
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        cache.retain(|c| c.generation == generation && c.query != key);
        if cache.len() >= CACHED_AGGREGATES {
            cache.remove(0);
        }
        cache.push(CachedAggregates {
            query: key,
            generation,
            aggregates: aggregates.clone(),
        });
        Ok(aggregates)
    }
}

//! kuzot-search: full-text search over every stored document, with filters, snippets and
//! the counts the dashboard draws, on [tantivy](https://docs.rs/tantivy).
//!
//! # The analyzer
//! One analyzer ([`analyzer::text_analyzer`]) reads both the documents and the queries:
//! words come from [`kuzot_analysis::normalize`] (lower case, `ё` → `е`, Latin look-alike
//! letters inside Cyrillic words repaired, Uzbek apostrophe variants unified, emoji
//! dropped), each token keeps its byte range in the ORIGINAL text (snippets highlight what
//! was written), then the Russian Snowball stemmer. So `контракт` finds `КОНТРАКТЫ`,
//! `кoнтpaкт` written with Latin o/p/a, and `oʻzbek` finds `o'zbek`. Kyrgyz, Kazakh,
//! Tajik and Uzbek words are folded the same way and run through the same stemmer, which
//! only knows Russian endings. Word families are joined at query time instead
//! ([`family`]): a single query word also matches the index's terms that share its root
//! and differ only by known endings — Russian derivations (`охрана` → `охранник`),
//! Kyrgyz, Kazakh, Uzbek and Tajik case and plural endings (`охранага`), and the Uzbek
//! Latin spelling (`oxrana`) — and the results list which terms were added.
//!
//! # Queries
//! Words are AND-ed, `"phrases"` match as written, `-word` excludes, `word*` is a prefix;
//! nothing else is syntax, and no string makes a search fail (see [`query`]). Filters
//! (category, language, chat, source, dates, place, occupied territory, organisation,
//! phone, promise, minimum monthly pay) are exact terms or ranges on indexed fields.
//!
//! # Design
//! - One tantivy index in `<data_dir>/index`. Its commit payload records the layout
//!   version ([`index::SCHEMA_VERSION`]) and the last change of the store's change log it
//!   applied, so [`SearchIndex::follow`] applies only what changed since (documents added,
//!   labelled, analysed again, deleted) — whichever process wrote it; an index of another
//!   layout is refused with the advice to run `kuzot reindex`.
//! - The index never opens the store: it reads through an [`IndexFeed`] that the service
//!   implements over the store.
//! - [`SearchIndex::rebuild`] deletes all and adds all in ONE commit: a crash half-way
//!   leaves the old index as it was.
//! - Writes take a process-wide mutex and create the tantivy writer for that operation
//!   only, so that the directory lock is free between writes (a CLI ingest can follow
//!   the log while the web server has the index open).
//! - [`SearchIndex::aggregate`] reads fast (columnar) fields in one pass; sort by time
//!   uses the `time` fast field. Pay is the best monthly offer in roubles under the
//!   [`RateTable`] given at open, computed when the document is indexed.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use kuzot_search::{SearchIndex, SearchQuery};
//! let dir = tempfile::tempdir()?;
//! let index = SearchIndex::open(&dir.path().join("index"), Default::default())?;
//! let found = index.search(&SearchQuery { text: "контракт -\"unclosed".into(), ..Default::default() })?;
//! assert_eq!(found.total, 0);
//! # Ok(()) }
//! ```

pub mod aggregate;
pub mod analyzer;
mod error;
pub mod family;
pub mod feed;
pub mod index;
pub mod query;

use std::ops::Range;

use kuzot_model::{Category, Genre, RateTable};
use serde::{Deserialize, Serialize};

pub use error::SearchError;
pub use feed::{ChangedIds, FeedError, IndexFeed, RowsFeed};
pub use index::{FollowReport, SearchIndex};

/// Order of hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best match first (for a query without words: newest first).
    #[default]
    Relevance,
    /// Latest message first.
    Newest,
    /// Earliest message first.
    Oldest,
}

/// A search: query text and filters. Every filter is optional; all that are given must hold.
#[derive(Default, Clone, Debug, Deserialize, Serialize)]
#[serde(default)]
pub struct SearchQuery {
    /// The query text (see [`query`] for the syntax); empty matches every document.
    pub text: String,
    /// The category in force (the latest analyst label, else the engine's).
    pub category: Option<Category>,
    /// Who speaks, to what end: `ad`, `report`, `testimony`, `warning`, `job_search`,
    /// `chatter`.
    pub genre: Option<Genre>,
    /// What the message is about, whatever its genre (a report on PMC recruiting has topic
    /// `pmc`).
    pub topic: Option<Category>,
    /// Main language, e.g. `ru`, `ky`.
    pub lang: Option<String>,
    /// Chat or channel name (its id when it has no name), exactly.
    pub chat: Option<String>,
    /// SHA-256 of the source file, or a prefix of it (hex).
    pub source: Option<String>,
    /// From this time (unix seconds, inclusive).
    pub since: Option<i64>,
    /// Before this time (unix seconds, exclusive).
    pub until: Option<i64>,
    /// A gazetteer place id.
    pub place: Option<String>,
    /// Mentions occupied territory (`true`) or not (`false`).
    pub occupied: Option<bool>,
    /// An organisation id, e.g. `wagner`.
    pub org: Option<String>,
    /// A phone number in E.164 form.
    pub phone: Option<String>,
    /// A promise id, e.g. `citizenship`.
    pub promise: Option<String>,
    /// Best monthly pay offered at least this many roubles.
    pub min_pay_rub: Option<f64>,
    /// Order of hits.
    pub sort: Sort,
    /// Hits to skip (paging; capped at 100,000).
    pub offset: usize,
    /// Hits to return (0 means 20; capped at 1,000).
    pub limit: usize,
}

/// One page of hits and how many documents matched in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// Documents matching.
    pub total: u64,
    /// The page asked for.
    pub hits: Vec<SearchHit>,
    /// The query words that were widened to their word family, and with which terms.
    pub families: Vec<WordFamily>,
    /// The query text was not blank but held nothing searchable (only symbols, a word
    /// longer than any indexed one, only exclusions…): nothing matched, and the interface
    /// should say why.
    pub unsearchable: bool,
}

/// A query word and the other indexed terms of its family that were searched with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordFamily {
    /// The word as typed.
    pub word: String,
    /// The index terms (stems) added, sorted.
    pub also: Vec<String>,
}

/// One matching document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// Document id in the store.
    pub id: i64,
    /// Relevance (0 when sorted by time).
    pub score: f32,
    /// Time of the message (unix seconds).
    pub time: Option<i64>,
    /// The category in force.
    pub category: Category,
    /// Chat or channel.
    pub chat: Option<String>,
    /// The best passage, with the query words marked.
    pub snippet: Snippet,
}

/// A passage of the original text with the matched words marked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// The passage, as written (not escaped: the web layer escapes it).
    pub text: String,
    /// Byte ranges into `text` to mark: on char boundaries, sorted, non-overlapping.
    pub highlights: Vec<Range<usize>>,
}

impl Snippet {
    /// A snippet from a fragment and highlight ranges, keeping only ranges that are valid
    /// for it (inside, on char boundaries) and merging those that touch or overlap.
    pub fn from_fragment(text: &str, ranges: &[Range<usize>]) -> Snippet {
        let mut valid: Vec<Range<usize>> = ranges
            .iter()
            .filter(|r| {
                r.start < r.end
                    && r.end <= text.len()
                    && text.is_char_boundary(r.start)
                    && text.is_char_boundary(r.end)
            })
            .cloned()
            .collect();
        valid.sort_by_key(|r| (r.start, r.end));
        let mut highlights: Vec<Range<usize>> = Vec::with_capacity(valid.len());
        for r in valid {
            match highlights.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => highlights.push(r),
            }
        }
        Snippet {
            text: text.to_owned(),
            highlights,
        }
    }

    /// The first `chars` characters of `text` (trimmed), nothing highlighted.
    pub fn opening(text: &str, chars: usize) -> Snippet {
        let text = text.trim();
        let end = text
            .char_indices()
            .nth(chars)
            .map_or(text.len(), |(i, _)| i);
        Snippet {
            text: text.get(..end).unwrap_or("").to_owned(),
            highlights: Vec::new(),
        }
    }
}

/// The dashboard's counts over the documents a query matches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aggregates {
    /// Documents matching.
    pub total: u64,
    /// Documents per category (categories with none left out), in [`Category::ALL`] order.
    pub categories: Vec<(Category, u64)>,
    /// Documents per week and category, every week from the first to the last dated one.
    pub weeks: Vec<WeekCounts>,
    /// The 10 chats with most documents.
    pub top_chats: Vec<(String, u64)>,
    /// Offered monthly pay per category, for categories with any.
    pub pay: Vec<PayStats>,
    /// The 15 places most mentioned.
    pub places: Vec<PlaceCount>,
    /// Documents per main language, most first.
    pub langs: Vec<(String, u64)>,
    /// The rate table pay was converted with.
    pub rates: RateTable,
}

/// Documents of one week, by category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WeekCounts {
    /// Monday 00:00 UTC (unix seconds).
    pub week_start: i64,
    /// Counts by [`Category::index`].
    pub counts: [u64; 7],
}

/// The distribution of the best monthly pay (roubles) offered by documents of a category.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PayStats {
    /// The category.
    pub category: Category,
    /// Documents with a pay figure.
    pub count: u64,
    /// Lowest.
    pub min: f64,
    /// First quartile.
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// Third quartile.
    pub q3: f64,
    /// Highest.
    pub max: f64,
}

/// How many matching documents mention a place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaceCount {
    /// Gazetteer id.
    pub id: String,
    /// Occupied territory.
    pub occupied: bool,
    /// Documents.
    pub count: u64,
}

/// The category as stored in the index.
pub(crate) fn category_code(c: Category) -> u64 {
    c.index() as u64
}

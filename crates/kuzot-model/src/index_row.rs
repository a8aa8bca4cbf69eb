//! A document as the search index sees it: what the store reads out and the index writes
//! in, so that neither crate depends on the other.

use crate::{Category, Facts, Genre};

/// One document as the search index sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    /// Document id.
    pub id: i64,
    /// The text as stored.
    pub text: String,
    /// Chat or channel: its name, else its id.
    pub chat: Option<String>,
    /// SHA-256 of the source file the document was read from.
    pub source: String,
    /// Time of the message (unix seconds, UTC).
    pub time: Option<i64>,
    /// Main language, once analysed.
    pub lang: Option<String>,
    /// The category in force: the latest analyst label, else the engine's; `None` when
    /// the document was neither analysed nor labelled.
    pub category: Option<Category>,
    /// Who speaks, to what end: the engine's genre, or `ad` when an analyst labelled the
    /// document with an offer category; `None` when neither says.
    pub genre: Option<Genre>,
    /// What the document is about: an analyst's offer category, else the engine's topic.
    pub topic: Option<Category>,
    /// The facts in force: the latest label's corrected facts when it has them, else the
    /// engine's, else none.
    pub facts: Facts,
}

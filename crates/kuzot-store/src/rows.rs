//! What both backends write and read alike: the values of a document row (its
//! deduplication key, pseudonyms), of an analysis row (compact result, signature) and the
//! decoding of stored analyses, labels and index rows.

use std::collections::{HashMap, HashSet};

use kuzot_model::{Analysis, AuthorRef, Category, Cue, Facts, Genre, RawDocument};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::{IndexRow, Label, Pseudonymizer, StoreError};

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

pub(crate) fn unix_to_rfc3339(seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(seconds)
        .map(rfc3339)
        .unwrap_or_else(|_| seconds.to_string())
}

fn hash_parts(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// First byte of a stored signature: the values that follow are 16 bits each.
const SIGNATURE_16_BIT: u8 = 16;

/// Cues kept per category in a stored analysis: the strongest of the decided category and
/// of the runner-up explain the decision; the long tail of weak matches does not.
pub const STORED_CUES_PER_CATEGORY: usize = 4;

/// What a stored signature holds: a layout byte, then the low 16 bits of each MinHash
/// value (b-bit MinHash). Two texts agree on a 16-bit value by chance with probability
/// 1/65,536, against 1/2^32, which leaves the similarity estimate and the LSH buckets of
/// near-duplicate clustering as they were. `None` for an empty text's signature (every
/// value at its maximum): it is never anyone's near-duplicate.
fn signature_blob(signature: &[u32]) -> Option<Vec<u8>> {
    if signature.is_empty() || signature.iter().all(|&v| v == u32::MAX) {
        return None;
    }
    let mut blob = Vec::with_capacity(1 + 2 * signature.len());
    blob.push(SIGNATURE_16_BIT);
    for &v in signature {
        blob.extend_from_slice(&(v as u16).to_le_bytes());
    }
    Some(blob)
}

/// The cues a stored analysis keeps: those of the decided category and of the runner-up
/// (the other category with the highest score), at most [`STORED_CUES_PER_CATEGORY`] of
/// each (the heaviest), in the engine's order.
pub fn explaining_cues(analysis: &Analysis) -> Vec<&Cue> {
    let decided = analysis.category;
    let runner_up = Category::ALL
        .iter()
        .zip(&analysis.scores)
        .filter(|(c, _)| **c != decided)
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(c, _)| *c);
    let mut keep = vec![false; analysis.cues.len()];
    for category in std::iter::once(decided).chain(runner_up) {
        let mut of_category: Vec<usize> = (0..analysis.cues.len())
            .filter(|&k| analysis.cues[k].category == category)
            .collect();
        // Stable: equal weights keep the engine's order.
        of_category.sort_by(|&a, &b| analysis.cues[b].weight.total_cmp(&analysis.cues[a].weight));
        for k in of_category.into_iter().take(STORED_CUES_PER_CATEGORY) {
            keep[k] = true;
        }
    }
    analysis
        .cues
        .iter()
        .zip(keep)
        .filter_map(|(cue, kept)| kept.then_some(cue))
        .collect()
}

/// The `result` column as written: what the other columns do not hold, compactly.
#[derive(serde::Serialize)]
struct ResultColumn<'a> {
    /// The genre model's probability that the text is an offer, when one was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    offer_probability: Option<f32>,
    /// In [`Category::ALL`] order, to three decimals (as prediction lines print them).
    scores: Vec<f32>,
    /// Weights to three decimals, as prediction lines print them.
    cues: Vec<Cue>,
    facts: &'a kuzot_model::Facts,
    spans: &'a [kuzot_model::FactSpan],
}

/// The columns of an `analyses` row besides `result`.
pub(crate) struct AnalysisColumns {
    pub(crate) engine_version: String,
    pub(crate) lang: String,
    pub(crate) script: String,
    pub(crate) category: String,
    /// `None` for rows written before genres existed.
    pub(crate) genre: Option<String>,
    /// `None` for rows written before topics existed.
    pub(crate) topic: Option<String>,
}

/// The `result` column holds what the other columns do not: scores, cues, facts, spans.
/// Rows written before genre and topic became columns also hold those here.
#[derive(serde::Deserialize)]
struct StoredResult {
    #[serde(default)]
    genre: Option<kuzot_model::Genre>,
    #[serde(default)]
    topic: Option<Category>,
    #[serde(default)]
    offer_probability: Option<f32>,
    #[serde(default)]
    scores: Vec<f32>,
    #[serde(default)]
    cues: Vec<kuzot_model::Cue>,
    #[serde(default)]
    facts: Facts,
    #[serde(default)]
    spans: Vec<kuzot_model::FactSpan>,
}

/// Rebuilds an [`Analysis`] from its columns and its `result` JSON (without the
/// signature, which is kept apart).
pub(crate) fn analysis_from_row(
    columns: AnalysisColumns,
    result: &str,
) -> Result<Analysis, StoreError> {
    let category = Category::parse(&columns.category)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown category {:?}", columns.category)))?;
    let r: StoredResult = serde_json::from_str(result).map_err(StoreError::json)?;
    let genre = match columns.genre {
        Some(g) => Some(
            kuzot_model::Genre::parse(&g)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown genre {g:?}")))?,
        ),
        None => r.genre,
    };
    let topic = match columns.topic {
        Some(t) => Some(
            Category::parse(&t)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown topic {t:?}")))?,
        ),
        None => r.topic,
    };
    Ok(Analysis {
        lang: columns.lang,
        script: columns.script,
        category,
        genre,
        topic,
        offer_probability: r.offer_probability,
        scores: r.scores,
        cues: r.cues,
        facts: r.facts,
        spans: r.spans,
        fingerprint: Vec::new(),
        engine_version: columns.engine_version,
    })
}

/// Only the `facts` member of an analysis `result`: all the index needs, and cheaper than
/// rebuilding the whole analysis.
#[derive(serde::Deserialize)]
struct FactsOnly {
    #[serde(default)]
    facts: Facts,
    #[serde(default)]
    genre: Option<Genre>,
    #[serde(default)]
    topic: Option<Category>,
}

/// The columns of one index row query, as both backends select them.
pub(crate) struct IndexRowColumns {
    pub(crate) id: i64,
    pub(crate) text: String,
    pub(crate) chat: Option<String>,
    pub(crate) source: String,
    pub(crate) time: Option<i64>,
    pub(crate) lang: Option<String>,
    pub(crate) engine_category: Option<String>,
    pub(crate) result: Option<String>,
    pub(crate) label_category: Option<String>,
    pub(crate) label_facts: Option<String>,
    pub(crate) genre: Option<String>,
    pub(crate) topic: Option<String>,
}

/// An index row from its columns: the category, genre, topic and facts in force.
pub(crate) fn index_row_from(c: IndexRowColumns) -> Result<IndexRow, StoreError> {
    let IndexRowColumns {
        id,
        text,
        chat,
        source,
        time,
        lang,
        engine_category,
        result,
        label_category,
        label_facts,
        genre: genre_column,
        topic: topic_column,
    } = c;
    let labelled_offer = label_category
        .as_deref()
        .and_then(Category::parse)
        .filter(|c| *c != Category::Other);
    let category = match label_category.or(engine_category) {
        Some(c) => Some(
            Category::parse(&c)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown category {c:?}")))?,
        ),
        None => None,
    };
    let engine: Option<FactsOnly> = match &result {
        Some(json) => Some(serde_json::from_str(json).map_err(StoreError::json)?),
        None => None,
    };
    let (engine_genre, engine_topic) = match &engine {
        // The columns (written since the compact layout); else the `result` JSON of older
        // rows; else, for analyses stored before genres existed, an offer category was
        // read as an ad.
        Some(e) => (
            genre_column
                .as_deref()
                .and_then(Genre::parse)
                .or(e.genre)
                .or_else(|| {
                    category.map(|c| {
                        if c == Category::Other {
                            Genre::Chatter
                        } else {
                            Genre::Ad
                        }
                    })
                }),
            topic_column
                .as_deref()
                .and_then(Category::parse)
                .or(e.topic)
                .or(category),
        ),
        None => (None, None),
    };
    let genre = if labelled_offer.is_some() {
        Some(Genre::Ad)
    } else {
        engine_genre
    };
    let topic = labelled_offer.or(engine_topic);
    let facts = match (label_facts, engine) {
        (Some(json), _) => serde_json::from_str(&json).map_err(StoreError::json)?,
        (None, Some(e)) => e.facts,
        (None, None) => Facts::default(),
    };
    Ok(IndexRow {
        id,
        text,
        chat,
        source,
        time,
        lang,
        category,
        genre,
        topic,
        facts,
    })
}

/// The values of an `analyses` row that are computed from the analysis: the confidence,
/// the compact `result` JSON and the signature.
pub(crate) struct AnalysisRow {
    pub(crate) confidence: f64,
    pub(crate) result: String,
    /// `None` for an empty text's signature (see [`signature_blob`]).
    pub(crate) signature: Option<Vec<u8>>,
}

impl AnalysisRow {
    pub(crate) fn of(analysis: &Analysis) -> Result<AnalysisRow, StoreError> {
        let confidence = analysis
            .scores
            .get(analysis.category.index())
            .copied()
            .unwrap_or(0.0);
        let result = serde_json::to_string(&ResultColumn {
            offer_probability: analysis
                .offer_probability
                .map(|p| ((f64::from(p) * 1000.0).round() / 1000.0) as f32),
            scores: analysis
                .scores
                .iter()
                .map(|&s| ((f64::from(s) * 1000.0).round() / 1000.0) as f32)
                .collect(),
            cues: explaining_cues(analysis)
                .into_iter()
                .map(|c| Cue {
                    weight: ((f64::from(c.weight) * 1000.0).round() / 1000.0) as f32,
                    ..c.clone()
                })
                .collect(),
            facts: &analysis.facts,
            spans: &analysis.spans,
        })
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(AnalysisRow {
            confidence: f64::from(confidence),
            result,
            signature: signature_blob(&analysis.fingerprint),
        })
    }
}

/// The `analysed_at` stamp of an import, formatted again at most once a second rather
/// than for each of the thousands of documents analysed in between.
pub(crate) struct AnalysedAt {
    formatted: String,
    at: std::time::Instant,
}

impl AnalysedAt {
    pub(crate) fn new() -> AnalysedAt {
        AnalysedAt {
            formatted: rfc3339(OffsetDateTime::now_utc()),
            at: std::time::Instant::now(),
        }
    }

    pub(crate) fn now(&mut self) -> &str {
        if self.at.elapsed() >= std::time::Duration::from_secs(1) {
            *self = AnalysedAt::new();
        }
        &self.formatted
    }
}

/// The values of a `documents` row that an import computes rather than copies: the
/// deduplication key, and the pseudonyms that stand for private names.
pub(crate) struct DocumentRow {
    pub(crate) dedup_key: [u8; 32],
    pub(crate) chat_id: Option<String>,
    pub(crate) chat_name: Option<String>,
    pub(crate) author: Option<String>,
    pub(crate) author_name: Option<String>,
    pub(crate) author_id: Option<String>,
    pub(crate) forwarded_from: Option<String>,
    /// The media list as JSON, `None` when there is none.
    pub(crate) media: Option<String>,
}

/// What one import remembers to compute document rows: identical messages sent in the
/// same minute, and the pseudonyms already computed.
pub(crate) struct DocumentKeys<'p> {
    keep_authors: bool,
    pseudonymizer: &'p Pseudonymizer,
    /// Content keys met at the current timestamp, to number identical messages sent in the
    /// same minute ("+", "ok") so that each is kept, yet a later export maps them to the
    /// same keys. Cleared when the time moves on, so memory stays small.
    content_seen: HashSet<[u8; 32]>,
    content_time: Option<i64>,
    /// Pseudonyms already computed in this import (a chat has few authors, many messages).
    pseudonyms: HashMap<AuthorRef, Option<String>>,
}

impl<'p> DocumentKeys<'p> {
    pub(crate) fn new(pseudonymizer: &'p Pseudonymizer, keep_authors: bool) -> DocumentKeys<'p> {
        DocumentKeys {
            keep_authors,
            pseudonymizer,
            content_seen: HashSet::new(),
            content_time: None,
            pseudonyms: HashMap::new(),
        }
    }

    /// The computed values of `doc`'s row.
    pub(crate) fn row(&mut self, doc: &RawDocument) -> Result<DocumentRow, StoreError> {
        let key = self.dedup_key(doc);
        let author = self.author_label(&doc.author);
        let forwarded = doc.forwarded_from.as_ref().and_then(|f| {
            if f.is_channel() || self.keep_authors {
                f.name.clone().or_else(|| f.id.clone())
            } else {
                self.pseudonymizer.pseudonym(f)
            }
        });
        // A personal chat is named after a private person and a private group's name is
        // not published: both are pseudonymised like authors. Channels and public groups
        // are public evidence and keep their names.
        let (chat_id, chat_name) = if doc.chat.is_private() && !self.keep_authors {
            (None, self.pseudonymizer.chat_pseudonym(&doc.chat))
        } else {
            (doc.chat.id.clone(), doc.chat.name.clone())
        };
        let (author_name, author_id) = if self.keep_authors {
            (doc.author.name.clone(), doc.author.id.clone())
        } else {
            (None, None)
        };
        let media = if doc.media.is_empty() {
            None
        } else {
            Some(
                serde_json::to_string(&doc.media)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            )
        };
        Ok(DocumentRow {
            dedup_key: key,
            chat_id,
            chat_name,
            author,
            author_name,
            author_id,
            forwarded_from: forwarded,
            media,
        })
    }

    /// The key that makes two documents "the same message": the chat and message id where
    /// the export gives an id; else the chat, time, author and text, numbered by occurrence.
    fn dedup_key(&mut self, doc: &RawDocument) -> [u8; 32] {
        let chat = doc.chat.identity().unwrap_or("").as_bytes();
        if let Some(id) = &doc.message_id {
            return hash_parts(&[b"message", chat, id.as_bytes()]);
        }
        let time = doc.time.map(|t| t.unix_timestamp());
        if time != self.content_time {
            self.content_seen.clear();
            self.content_time = time;
        }
        let time_bytes = time.unwrap_or(i64::MIN).to_le_bytes();
        let author = doc
            .author
            .id
            .as_deref()
            .or(doc.author.name.as_deref())
            .unwrap_or("")
            .as_bytes();
        let url = doc.url.as_deref().unwrap_or("").as_bytes();
        let mut occurrence = 0u32;
        loop {
            let key = hash_parts(&[
                b"content",
                chat,
                &time_bytes,
                author,
                url,
                doc.text.as_bytes(),
                &occurrence.to_le_bytes(),
            ]);
            if self.content_seen.insert(key) {
                return key;
            }
            occurrence += 1;
        }
    }

    fn author_label(&mut self, author: &AuthorRef) -> Option<String> {
        if author.is_channel() {
            // Channels publish under their own name: that is evidence, not a private person.
            return author.name.clone().or_else(|| author.id.clone());
        }
        if let Some(known) = self.pseudonyms.get(author) {
            return known.clone();
        }
        let pseudonym = self.pseudonymizer.pseudonym(author);
        // Bounded: an export with more distinct authors than this just recomputes.
        if self.pseudonyms.len() < 100_000 {
            self.pseudonyms.insert(author.clone(), pseudonym.clone());
        }
        pseudonym
    }
}

/// The columns of a `labels` row.
pub(crate) struct LabelColumns {
    pub(crate) id: i64,
    pub(crate) document_id: i64,
    pub(crate) category: String,
    pub(crate) facts: Option<String>,
    pub(crate) note: Option<String>,
    pub(crate) labelled_by: String,
    pub(crate) labelled_at: String,
    pub(crate) engine_version: String,
    pub(crate) engine_category: String,
}

/// A label from its columns.
pub(crate) fn label_from(c: LabelColumns) -> Result<Label, StoreError> {
    let category = Category::parse(&c.category)
        .ok_or_else(|| StoreError::Corrupt(format!("label category {:?}", c.category)))?;
    let facts = match c.facts {
        Some(json) => Some(serde_json::from_str(&json).map_err(StoreError::json)?),
        None => None,
    };
    Ok(Label {
        id: c.id,
        document_id: c.document_id,
        category,
        facts,
        note: c.note,
        labelled_by: c.labelled_by,
        labelled_at: c.labelled_at,
        engine_version: c.engine_version,
        engine_category: c.engine_category,
    })
}

/// Categories that count as risk, as an SQL list (the same on both backends), for
/// ordering the review queue.
pub(crate) const RISK_SQL: &str =
    "('military_contract','pmc','disguised_military','frontline_labour','occupied_reconstruction')";

/// The start of every review list's query (the queue and the spot check), the same on both
/// backends: unlabelled analysed documents, with the columns of a
/// [`crate::QueueItem`] in its field order; each list adds its own conditions and order.
pub(crate) const UNLABELLED_QUEUE_SELECT: &str =
    "SELECT a.document_id, a.category, a.confidence, coalesce(d.chat_name, d.chat_id), d.time,
            substr(d.text, 1, 240)
     FROM analyses a JOIN documents d ON d.id = a.document_id
     WHERE NOT EXISTS (SELECT 1 FROM labels l WHERE l.document_id = a.document_id)";

/// The multiplier that orders a spot-check sample: a number in 1..2^31-1 picked by the
/// seed (scattered, so that neighbouring seeds give unrelated samples). Multiplying ids by
/// it modulo the prime 2^31-1 permutes them.
pub(crate) fn spot_multiplier(seed: u32) -> i64 {
    1 + (u64::from(seed).wrapping_mul(2_654_435_761) % 2_147_483_646) as i64
}

/// Decodes a stored signature into `out` (16-bit values, or the 32-bit layout of stores
/// written before). `Ok(false)` for an empty text's signature, which is never anyone's
/// near-duplicate.
pub(crate) fn decode_signature(
    id: i64,
    blob: &[u8],
    out: &mut Vec<u32>,
) -> Result<bool, StoreError> {
    out.clear();
    match blob.split_first() {
        Some((&SIGNATURE_16_BIT, values)) if values.len().is_multiple_of(2) => out.extend(
            values
                .chunks_exact(2)
                .map(|c| u32::from(u16::from_le_bytes([c[0], c[1]]))),
        ),
        _ if blob.len().is_multiple_of(4) => out.extend(
            blob.chunks_exact(4)
                .map(|c| u32::from(u16::from_le_bytes([c[0], c[1]]))),
        ),
        _ => {
            return Err(StoreError::Corrupt(format!(
                "signature of document {id}: {} bytes in no known layout",
                blob.len()
            )));
        }
    }
    Ok(!out.iter().all(|&v| v == u32::from(u16::MAX)))
}

/// `ids` (in any order, repeats allowed) as the fewest inclusive ranges of consecutive ids.
pub(crate) fn id_ranges(ids: &[i64]) -> Vec<(i64, i64)> {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut ranges: Vec<(i64, i64)> = Vec::new();
    for id in sorted {
        match ranges.last_mut() {
            Some((_, last)) if *last + 1 == id => *last = id,
            _ => ranges.push((id, id)),
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_become_the_fewest_ranges() {
        assert_eq!(id_ranges(&[5, 3, 4, 9, 9, 1]), vec![(1, 1), (3, 5), (9, 9)]);
        assert!(id_ranges(&[]).is_empty());
    }
}

//! Phrase lexicons matched against normalised text: the one mechanism behind cues,
//! places, organisations and promises.
//!
//! A pattern is written as people write, and normalised like the text it is matched
//! against (so `Мариуполь`, `МАРИУПОЛЬ` and `мариуполь` are one pattern). It is one or more
//! words; a word ending in `*` matches any word that starts with it, which is how one entry
//! covers inflected forms: `мариупол*` matches "Мариуполе", "Мариуполго", "Мариуполда";
//! `военн* служб*` matches "военной службы" and "военную службу". A word without `*` must
//! match a whole word. Words of a phrase match consecutive words of the text.
//!
//! The first word of every pattern goes into one Aho-Corasick automaton, so matching costs
//! one linear scan of the text however large the lexicon is; the rest of a phrase is then
//! checked word by word.
//!
//! ```
//! use kuzot_analysis::lexicon::Lexicon;
//! use kuzot_analysis::normalize::normalize;
//! let lexicon = Lexicon::build([("мариупол*", "mariupol"), ("военн* служб*", "service")]).expect("valid");
//! let text = normalize("Работа в Мариуполе, не военная служба");
//! let found: Vec<&str> = lexicon.find(&text).map(|m| *m.value).collect();
//! assert_eq!(found, ["mariupol", "service"]);
//! ```

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::normalize::{Normalized, normalize};

/// A lexicon that cannot be built: an empty or unusable pattern.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    /// The pattern has no word in it after normalisation.
    #[error("pattern {0:?} has no word in it")]
    Empty(String),
    /// The automaton could not be built.
    #[error("could not build the matcher: {0}")]
    Build(String),
    /// A line of a lexicon data file is malformed.
    #[error("{file}:{line}: {reason}")]
    Line {
        /// The data file.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        reason: String,
    },
}

/// One word of a pattern.
#[derive(Debug, Clone)]
struct PatternWord {
    text: String,
    prefix: bool,
}

#[derive(Debug, Clone)]
struct Entry<T> {
    /// The pattern as written in the lexicon, for showing analysts which cue matched.
    pattern: String,
    words: Vec<PatternWord>,
    value: T,
}

/// A set of patterns, each with a value.
#[derive(Debug, Clone)]
pub struct Lexicon<T> {
    automaton: AhoCorasick,
    /// For each distinct first word in the automaton: the entries that start with it.
    first_word_entries: Vec<Vec<usize>>,
    first_word_is_prefix: Vec<bool>,
    entries: Vec<Entry<T>>,
}

/// One match of a pattern in a normalised text.
#[derive(Debug, Clone, Copy)]
pub struct LexiconMatch<'a, T> {
    /// Byte range in the normalised text.
    pub start: usize,
    /// End of the byte range in the normalised text.
    pub end: usize,
    /// The value of the matched entry.
    pub value: &'a T,
    /// The pattern as written in the lexicon.
    pub pattern: &'a str,
}

impl<T> Lexicon<T> {
    /// Builds a lexicon from `(pattern, value)` pairs.
    pub fn build<P: AsRef<str>>(
        entries: impl IntoIterator<Item = (P, T)>,
    ) -> Result<Lexicon<T>, LexiconError> {
        let mut built: Vec<Entry<T>> = Vec::new();
        let mut first_words: Vec<(String, bool)> = Vec::new();
        let mut first_word_entries: Vec<Vec<usize>> = Vec::new();
        let mut index_of_first: std::collections::HashMap<(String, bool), usize> =
            Default::default();
        for (pattern, value) in entries {
            let pattern = pattern.as_ref();
            let words = parse_pattern(pattern);
            let Some(first) = words.first() else {
                return Err(LexiconError::Empty(pattern.to_owned()));
            };
            let key = (first.text.clone(), first.prefix);
            let slot = *index_of_first.entry(key.clone()).or_insert_with(|| {
                first_words.push(key);
                first_word_entries.push(Vec::new());
                first_words.len() - 1
            });
            first_word_entries[slot].push(built.len());
            built.push(Entry {
                pattern: pattern.to_owned(),
                words,
                value,
            });
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(first_words.iter().map(|(w, _)| w.as_str()))
            .map_err(|e| LexiconError::Build(e.to_string()))?;
        let first_word_is_prefix = first_words.iter().map(|(_, p)| *p).collect();
        Ok(Lexicon {
            automaton,
            first_word_entries,
            first_word_is_prefix,
            entries: built,
        })
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the lexicon has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every match in `text`, in order of position (overlapping matches included: a longer
    /// phrase and a shorter one starting at the same word both match).
    pub fn find<'a>(
        &'a self,
        text: &'a Normalized,
    ) -> impl Iterator<Item = LexiconMatch<'a, T>> + 'a {
        let haystack = text.text();
        self.automaton
            .find_overlapping_iter(haystack)
            .flat_map(move |m| {
                let start = m.start();
                let slot = m.pattern().as_usize();
                let starts_word = haystack[..start]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !is_word_char(c));
                let first_end = if !starts_word {
                    None
                } else if self
                    .first_word_is_prefix
                    .get(slot)
                    .copied()
                    .unwrap_or(false)
                {
                    Some(word_end(haystack, m.end()))
                } else if haystack[m.end()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !is_word_char(c))
                {
                    Some(m.end())
                } else {
                    None
                };
                let candidates: &[usize] = match first_end {
                    Some(_) => self.first_word_entries.get(slot).map_or(&[], Vec::as_slice),
                    None => &[],
                };
                candidates.iter().filter_map(move |&e| {
                    let entry = &self.entries[e];
                    let end = match_rest(haystack, first_end?, &entry.words[1..])?;
                    Some(LexiconMatch {
                        start,
                        end,
                        value: &entry.value,
                        pattern: &entry.pattern,
                    })
                })
            })
    }
}

/// Reads a tab-separated lexicon data file: one entry a line, `#` starts a comment line,
/// blank lines ignored. Returns each line's fields with its line number.
pub fn parse_tsv<'a>(
    file: &str,
    text: &'a str,
    fields: usize,
) -> Result<Vec<(usize, Vec<&'a str>)>, LexiconError> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let row: Vec<&str> = line.split('\t').map(str::trim).collect();
        if row.len() < fields {
            return Err(LexiconError::Line {
                file: file.to_owned(),
                line: i + 1,
                reason: format!(
                    "expected {fields} tab-separated fields, found {}",
                    row.len()
                ),
            });
        }
        rows.push((i + 1, row));
    }
    Ok(rows)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\''
}

/// The end of the word that continues at `from`.
fn word_end(text: &str, from: usize) -> usize {
    text[from..]
        .char_indices()
        .find(|&(_, c)| !is_word_char(c))
        .map_or(text.len(), |(i, _)| from + i)
}

/// Checks that the words after a first match follow, separated by single spaces (the
/// normaliser collapsed every run of whitespace and decoration to one). Returns the end.
fn match_rest(text: &str, mut at: usize, rest: &[PatternWord]) -> Option<usize> {
    for word in rest {
        let remaining = text[at..].strip_prefix(' ')?;
        at += 1;
        if !remaining.starts_with(word.text.as_str()) {
            return None;
        }
        let after = at + word.text.len();
        at = if word.prefix {
            word_end(text, after)
        } else if text[after..]
            .chars()
            .next()
            .is_none_or(|c| !is_word_char(c))
        {
            after
        } else {
            return None;
        };
    }
    Some(at)
}

fn parse_pattern(pattern: &str) -> Vec<PatternWord> {
    pattern
        .split_whitespace()
        .filter_map(|raw| {
            let prefix = raw.ends_with('*');
            let text = normalize(raw.trim_end_matches('*'))
                .text()
                .trim()
                .to_owned();
            (!text.is_empty()).then_some(PatternWord { text, prefix })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn values<'a>(lexicon: &'a Lexicon<&'static str>, text: &'a Normalized) -> Vec<&'static str> {
        lexicon.find(text).map(|m| *m.value).collect()
    }

    #[test]
    fn whole_words_and_prefixes() {
        let lexicon = Lexicon::build([("сво", "svo"), ("контракт*", "contract"), ("Ёлка", "tree")])
            .expect("valid");
        let text = normalize("Контракты с СВО, своя елка; свободный");
        assert_eq!(values(&lexicon, &text), ["contract", "svo", "tree"]);
    }

    #[test]
    fn phrases_with_inflected_words_and_spans() {
        let lexicon =
            Lexicon::build([("военн* служб*", "service"), ("зона сво", "zone")]).expect("valid");
        let original = "Приглашаем на ВОЕННУЮ   службу! Зона 💥 СВО";
        let text = normalize(original);
        let found: Vec<_> = lexicon.find(&text).collect();
        assert_eq!(found.len(), 2);
        let span = text.original_span(found[0].start, found[0].end);
        assert_eq!(&original[span.start..span.end], "ВОЕННУЮ   службу");
        assert_eq!(found[1].pattern, "зона сво");
    }

    #[test]
    fn no_match_inside_a_word() {
        let lexicon = Lexicon::build([("бар*", "bars")]).expect("valid");
        assert!(values(&lexicon, &normalize("амбар")).is_empty());
        assert_eq!(values(&lexicon, &normalize("Барс")), ["bars"]);
    }

    #[test]
    fn tsv_rows_and_errors_name_the_line() {
        let rows = parse_tsv("cues.tsv", "# comment\n\na\tb\n", 2).expect("valid");
        assert_eq!(rows, vec![(3, vec!["a", "b"])]);
        let err = parse_tsv("cues.tsv", "a\tb\nc\n", 2).expect_err("short line");
        assert_eq!(
            err.to_string(),
            "cues.tsv:2: expected 2 tab-separated fields, found 1"
        );
    }

    proptest! {
        #[test]
        fn matching_never_panics(s in "\\PC{0,120}") {
            let lexicon = Lexicon::build([("а*", 1), ("a b*", 2), ("ў", 3)]).expect("valid");
            let text = normalize(&s);
            for m in lexicon.find(&text) {
                prop_assert!(m.start < m.end && m.end <= text.text().len());
            }
        }
    }
}

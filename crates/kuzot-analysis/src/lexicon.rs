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
//! The first word of every pattern goes into one Aho-Corasick automaton (a DFA), walked
//! anchored from each position where a word can start, so matching costs a few steps per
//! word of the text however large the lexicon is; the rest of a phrase is then checked word
//! by word.
//!
//! ```
//! use kuzot_analysis::lexicon::Lexicon;
//! use kuzot_analysis::normalize::normalize;
//! let lexicon = Lexicon::build([("мариупол*", "mariupol"), ("военн* служб*", "service")]).expect("valid");
//! let text = normalize("Работа в Мариуполе, не военная служба");
//! let found: Vec<&str> = lexicon.find(&text).map(|m| *m.value).collect();
//! assert_eq!(found, ["mariupol", "service"]);
//! ```

use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{Anchored, MatchKind};

use crate::normalize::{Normalized, is_alphanumeric, normalize};

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
    /// The distinct first words, searched anchored at word starts only.
    automaton: NFA,
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
        // Walked anchored at word starts (a match must start a word anyway): each walk
        // stays in the shallow, cache-hot states, where an unanchored scan of every byte
        // wandered all over the automaton. A contiguous NFA (dense near the root, compact
        // beyond) measured as fast as a DFA on these walks at a fraction of its size.
        let automaton = NFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
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
        self.first_word_matches(haystack)
            .into_iter()
            .flat_map(move |(m_end, start, slot)| {
                let first_end = if self
                    .first_word_is_prefix
                    .get(slot)
                    .copied()
                    .unwrap_or(false)
                {
                    Some(word_end(haystack, m_end))
                } else if haystack
                    .get(m_end..)
                    .and_then(|rest| rest.chars().next())
                    .is_none_or(|c| !is_word_char(c))
                {
                    Some(m_end)
                } else {
                    None
                };
                let candidates: &[usize] = match first_end {
                    Some(_) => self.first_word_entries.get(slot).map_or(&[], Vec::as_slice),
                    None => &[],
                };
                candidates.iter().filter_map(move |&e| {
                    let entry = self.entries.get(e)?;
                    let end = match_rest(haystack, first_end?, entry.words.get(1..)?)?;
                    Some(LexiconMatch {
                        start,
                        end,
                        value: &entry.value,
                        pattern: &entry.pattern,
                    })
                })
            })
    }

    /// Every occurrence of a first word that starts a word (at the start of the text or
    /// after a character that is not a letter, digit or apostrophe), as `(end, start,
    /// slot)`, in the order an unanchored overlapping scan reports them: by end, then the
    /// longer (earlier-starting) first, then by slot.
    fn first_word_matches(&self, haystack: &str) -> Vec<(usize, usize, usize)> {
        let dfa = &self.automaton;
        let mut found = Vec::new();
        let Ok(start_state) = dfa.start_state(Anchored::Yes) else {
            return found;
        };
        let bytes = haystack.as_bytes();
        let mut after_word_char = false;
        for (start, c) in haystack.char_indices() {
            let starts_word = !after_word_char;
            after_word_char = is_word_char(c);
            if !starts_word {
                continue;
            }
            let mut state = start_state;
            for (len, &byte) in bytes.get(start..).unwrap_or_default().iter().enumerate() {
                state = dfa.next_state(Anchored::Yes, state, byte);
                if !dfa.is_special(state) {
                    continue;
                }
                if dfa.is_dead(state) {
                    break;
                }
                if dfa.is_match(state) {
                    // The state's match list also holds the first words that are proper
                    // suffixes of this one: they start later, at their own word start.
                    for i in 0..dfa.match_len(state) {
                        let pattern = dfa.match_pattern(state, i);
                        if dfa.pattern_len(pattern) == len + 1 {
                            found.push((start + len + 1, start, pattern.as_usize()));
                        }
                    }
                }
            }
        }
        found.sort_unstable();
        found
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
    is_alphanumeric(c) || c == '\''
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

/// Matching from word starts must find what an unanchored scan of every position finds,
/// in the same order: checked against such a scan.
#[cfg(test)]
mod anchored_tests {
    use super::*;
    use aho_corasick::AhoCorasick;
    use proptest::prelude::*;

    /// `(start, end, slot)` of every first-word occurrence that starts a word, by an
    /// unanchored overlapping scan.
    fn unanchored(patterns: &[&str], text: &str) -> Vec<(usize, usize, usize)> {
        // The slots as `Lexicon::build` numbers them: distinct (first word, prefix) pairs.
        let mut keys: Vec<(String, bool)> = Vec::new();
        for p in patterns {
            let words = parse_pattern(p);
            let key = (words[0].text.clone(), words[0].prefix);
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        let ac = AhoCorasick::new(keys.iter().map(|(k, _)| k)).expect("builds");
        ac.find_overlapping_iter(text)
            .filter(|m| {
                text[..m.start()]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !is_word_char(c))
            })
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect()
    }

    const PATTERNS: [&str; 12] = [
        "санкт-петербург",
        "петербург*",
        "петер",
        "сво",
        "сво*",
        "во*",
        "а б",
        "ааа",
        "аа*",
        "a-b",
        "b",
        "1 000",
    ];

    fn check(text: &str) {
        let lexicon = Lexicon::build(PATTERNS.iter().map(|p| (*p, ()))).expect("valid");
        let n = normalize(text);
        let ours: Vec<(usize, usize, usize)> = lexicon
            .first_word_matches(n.text())
            .into_iter()
            .map(|(end, start, slot)| (start, end, slot))
            .collect();
        assert_eq!(ours, unanchored(&PATTERNS, n.text()), "{text:?}");
    }

    #[test]
    fn overlapping_and_suffix_first_words_come_in_scan_order() {
        check("Санкт-Петербург, петербуржцы; СВО сво-во аааа а б a-b-b 1 000 000");
    }

    proptest! {
        #[test]
        fn same_matches_as_an_unanchored_scan(s in "[санктпербугвоаб1 0ab\\-',.]{0,60}") {
            check(&s);
        }
    }
}

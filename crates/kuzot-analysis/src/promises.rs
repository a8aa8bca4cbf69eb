//! Promises an offer makes (`data/promises.tsv`): citizenship, a lump sum, housing, meals,
//! tickets, veteran status, family benefits, injury and death payments, official
//! employment, debt relief, training, no experience needed, release from prison.
//!
//! A word is not a promise by itself: "обеды за свой счёт" negates it, "гражданство РФ
//! обязательно" and "Требования: … гражданство РФ" make it a requirement, "дорога" is a
//! road unless paid for. So each cue has a *mode* and is checked against the words around
//! it, all found in the same single lexicon scan:
//! - `self`: the cue is a promise on its own ("проживание", "кредитные каникулы");
//! - `grant`: it needs a word of provision nearby ("билеты **оплачиваем**", "**бесплатная**
//!   дорога", "жатакана, тамак **бекер**"), looked for across a list of other cues;
//! - `pay`: it needs a word of payment nearby ("за ранение **500 000 р**", "жарадар
//!   болгондо **2 млн рубль** берилет");
//! - `have`: like `grant`, but a word of existence after it also does ("жатакана **бар**");
//! - `family`: a benefit word that counts only for the family ("льготы **детям**");
//! - `item`: a list item, not part of a sentence ("официально, питание" but not
//!   "официально заявил").
//!
//! Then `neg` and `req` rules, each with a side and a window in words, cancel it:
//! negations (без, не, за свой счёт, эмес, жок, yo'q, emas, нест, own expense) and
//! requirements (обязательно, требуется, наличие, must, required, шарт, talab). Words of
//! other cues and conjunctions in between do not count towards the window, so "без
//! проживания и питания" negates both, and "общежитие бесплатно, обеды за свой счёт"
//! only the meals. A cue inside an `exclude` phrase ("лишение свободы", "двойное
//! гражданство", "официально сообщили") is not a promise at all.
//!
//! News mentions count as promises too, as the labelling guide asks ("обещая помилование").
//!
//! The module also holds the word index (`WordIndex`, `Nearby`) that the place and
//! organisation extractors share for looking at the words around a match.
//!
//! ```
//! use kuzot_analysis::normalize::normalize;
//! use kuzot_analysis::promises::extract_promises;
//! use kuzot_model::Promise;
//! let text = normalize("Общежитие бесплатно, обеды за свой счёт. Дорогу оплачиваем. Требования: паспорт РФ");
//! let found: Vec<Promise> = extract_promises(&text).into_iter().map(|(p, _)| p).collect();
//! assert_eq!(found, [Promise::Housing, Promise::Travel]);
//! ```

use std::sync::LazyLock;

use kuzot_model::{Promise, Span};

use crate::lexicon::{Lexicon, LexiconError, parse_tsv};
use crate::normalize::Normalized;

const DATA: &str = include_str!("../data/promises.tsv");

/// How far apart two words are, as seen from the gap between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Boundary {
    /// Only spaces, quotes or decoration.
    None,
    /// A comma, colon, dash or parenthesis: a list item or a clause ends.
    Clause,
    /// A full stop, `!`, `?` or `;`.
    Sentence,
}

/// Words that end with a full stop without ending the sentence.
const ABBREVIATIONS: [&str; 30] = [
    "г", "гг", "обл", "руб", "р", "тыс", "млн", "млрд", "ул", "д", "кв", "пр", "пер", "им", "т",
    "тг", "м", "мес", "с", "ст", "см", "пос", "др", "ч", "мин", "кат", "тел", "зп", "etc", "st",
];

/// The words of a normalised text with the boundaries between them, for looking at the
/// words around a lexicon match. Shared by the place, organisation and promise extractors.
pub(crate) struct WordIndex<'a> {
    text: &'a str,
    words: Vec<(usize, usize)>,
}

impl<'a> WordIndex<'a> {
    /// Indexes the words of `text`: the same words as [`Normalized::words`] (runs of
    /// letters and digits with inner apostrophes), found with a fast path for the Latin and
    /// Cyrillic letters that make up nearly all of them; the general Unicode tables are
    /// slow enough to dominate the extractors' time.
    pub(crate) fn new(text: &'a Normalized) -> WordIndex<'a> {
        let text = text.text();
        let mut words = Vec::with_capacity(text.len() / 6 + 1);
        let mut start: Option<usize> = None;
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if is_word_letter(c) {
                start.get_or_insert(i);
                continue;
            }
            let Some(from) = start else { continue };
            let apostrophe_inside =
                c == '\'' && chars.peek().is_some_and(|&(_, next)| next.is_alphabetic());
            if !apostrophe_inside {
                words.push((from, i));
                start = None;
            }
        }
        if let Some(from) = start {
            words.push((from, text.len()));
        }
        WordIndex { text, words }
    }

    /// Number of words.
    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }

    /// The first and last word touched by the byte range `[start, end)`.
    pub(crate) fn covering(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let first = self.words.partition_point(|w| w.1 <= start);
        let last = self.words.partition_point(|w| w.0 < end).checked_sub(1)?;
        (first <= last && first < self.words.len()).then_some((first, last))
    }

    /// The text of word `i` (empty when out of range).
    pub(crate) fn word(&self, i: usize) -> &'a str {
        self.words
            .get(i)
            .and_then(|&(s, e)| self.text.get(s..e))
            .unwrap_or("")
    }

    /// The boundary in the gap after word `i` (before word `i + 1`).
    pub(crate) fn gap_after(&self, i: usize) -> Boundary {
        let (Some(&(_, end)), Some(&(next, _))) = (self.words.get(i), self.words.get(i + 1)) else {
            return Boundary::Sentence;
        };
        let gap = self.text.get(end..next).unwrap_or("");
        let mut boundary = Boundary::None;
        for c in gap.chars() {
            match c {
                '!' | '?' | ';' => return Boundary::Sentence,
                '.' => {
                    // "обл.", "руб.", "г." are abbreviations, "1." numbers a list item:
                    // neither ends a sentence.
                    let word = self.word(i);
                    let abbreviation = ABBREVIATIONS.contains(&word);
                    let numbering =
                        word.chars().count() <= 2 && word.chars().all(|c| c.is_ascii_digit());
                    if numbering {
                        boundary = Boundary::Clause;
                    } else if !abbreviation {
                        return Boundary::Sentence;
                    }
                }
                ',' | ':' | '(' | ')' | '—' | '–' | '/' => boundary = Boundary::Clause,
                '-' if gap.contains(' ') => boundary = Boundary::Clause,
                _ => {}
            }
        }
        boundary
    }

    /// The strongest boundary between words `a` and `b` (in either order).
    pub(crate) fn boundary_between(&self, a: usize, b: usize) -> Boundary {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        (a..b)
            .map(|i| self.gap_after(i))
            .max()
            .unwrap_or(Boundary::None)
    }
}

/// A letter or digit, as [`char::is_alphanumeric`], answered without the Unicode tables
/// for ASCII and Cyrillic.
fn is_word_letter(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if ('\u{0400}'..='\u{052F}').contains(&c) {
        // The Cyrillic blocks are letters except the thousands sign and combining marks.
        !('\u{0482}'..='\u{0489}').contains(&c)
    } else {
        c.is_alphanumeric()
    }
}

/// The most words a lexicon phrase spans (hyphenated words count each part).
pub(crate) const MAX_PHRASE_WORDS: usize = 10;

/// Byte spans of matches, indexed by their first word, so that the matches near a word are
/// found without scanning them all: keeps every extractor linear in the text.
pub(crate) struct Nearby<T> {
    /// `(first word, last word, start byte, end byte, value)`, sorted by first word.
    items: Vec<(usize, usize, usize, usize, T)>,
}

impl<T> Nearby<T> {
    /// Indexes `(first word, last word, start byte, end byte, value)` items.
    pub(crate) fn new(mut items: Vec<(usize, usize, usize, usize, T)>) -> Nearby<T> {
        items.sort_by_key(|item| item.0);
        Nearby { items }
    }

    /// Items whose first word lies in `[lo, hi]`.
    pub(crate) fn starting_in(&self, lo: usize, hi: usize) -> &[(usize, usize, usize, usize, T)] {
        let from = self.items.partition_point(|item| item.0 < lo);
        let to = self.items.partition_point(|item| item.0 <= hi);
        self.items.get(from..to.max(from)).unwrap_or(&[])
    }

    /// True when an item's byte span contains `[start, end)`, which begins at word `first`.
    pub(crate) fn covers(&self, first: usize, start: usize, end: usize) -> bool {
        self.starting_in(first.saturating_sub(MAX_PHRASE_WORDS), first)
            .iter()
            .any(|&(_, _, s, e, _)| s <= start && end <= e)
    }
}

/// What a cue needs around it to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Alone,
    Grant,
    /// A word of provision or of existence ("жатакана **бар**", "жильё **есть**").
    Have,
    Pay,
    Family,
    /// A list item: followed by a punctuation mark, the end, another cue or a conjunction
    /// ("официально, питание"), not by the rest of a sentence ("официально заявил").
    Item,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Before,
    After,
}

/// Which promises a rule applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Applies {
    All,
    Only(Vec<Promise>),
    AllBut(Vec<Promise>),
}

impl Applies {
    fn contains(&self, promise: Promise) -> bool {
        match self {
            Applies::All => true,
            Applies::Only(list) => list.contains(&promise),
            Applies::AllBut(list) => !list.contains(&promise),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Cue(Promise, Mode),
    Exclude,
    Grant,
    /// "есть", "бар", "bor", "ҳаст": there is (after the cue only).
    Exists,
    Pay,
    Family,
    Conjunction,
    /// A negation or a requirement: `side`, window in words, promises it applies to.
    Cancel(Side, usize, usize),
}

#[derive(Debug)]
struct PromiseLexicon {
    lexicon: Lexicon<Entry>,
    applies: Vec<Applies>,
}

static LEXICON: LazyLock<Result<PromiseLexicon, LexiconError>> =
    LazyLock::new(|| PromiseLexicon::parse(DATA));

/// Checks that the compiled-in promise lexicon parses.
pub fn check_promise_lexicon() -> Result<(), String> {
    LEXICON.as_ref().map(|_| ()).map_err(ToString::to_string)
}

fn parse_promise(id: &str) -> Option<Promise> {
    use Promise::*;
    [
        Citizenship,
        LumpSum,
        Housing,
        Meals,
        Travel,
        VeteranStatus,
        FamilyBenefits,
        InjuryCompensation,
        DeathCompensation,
        OfficialEmployment,
        DebtRelief,
        Training,
        NoExperience,
        Release,
    ]
    .into_iter()
    .find(|p| p.as_str() == id)
}

impl PromiseLexicon {
    fn parse(data: &str) -> Result<PromiseLexicon, LexiconError> {
        let error = |line: usize, reason: String| LexiconError::Line {
            file: "promises.tsv".to_owned(),
            line,
            reason,
        };
        let mut entries: Vec<(String, Entry)> = Vec::new();
        let mut applies: Vec<Applies> = Vec::new();
        for (line, row) in parse_tsv("promises.tsv", data, 2)? {
            let field = |i: usize| row.get(i).copied().unwrap_or("");
            let entry = match field(0) {
                "cue" => {
                    let promise = parse_promise(field(1))
                        .ok_or_else(|| error(line, format!("unknown promise {}", field(1))))?;
                    let mode = match field(3) {
                        "self" => Mode::Alone,
                        "grant" => Mode::Grant,
                        "have" => Mode::Have,
                        "pay" => Mode::Pay,
                        "family" => Mode::Family,
                        "item" => Mode::Item,
                        other => return Err(error(line, format!("unknown mode {other:?}"))),
                    };
                    entries.push((field(2).to_owned(), Entry::Cue(promise, mode)));
                    continue;
                }
                "exclude" => Entry::Exclude,
                "grant" => Entry::Grant,
                "exists" => Entry::Exists,
                "pay" => Entry::Pay,
                "family" => Entry::Family,
                "conj" => Entry::Conjunction,
                "neg" | "req" => {
                    let side = match field(2) {
                        "before" => Side::Before,
                        "after" => Side::After,
                        other => return Err(error(line, format!("unknown side {other:?}"))),
                    };
                    let window: usize = field(3)
                        .parse()
                        .map_err(|_| error(line, format!("window {:?}", field(3))))?;
                    let list = field(4);
                    let parse_list = |list: &str| -> Result<Vec<Promise>, LexiconError> {
                        list.split(',')
                            .map(|p| {
                                parse_promise(p.trim())
                                    .ok_or_else(|| error(line, format!("unknown promise {p}")))
                            })
                            .collect()
                    };
                    let rule = match list {
                        "*" | "" => Applies::All,
                        _ if list.starts_with('!') => Applies::AllBut(parse_list(&list[1..])?),
                        _ => Applies::Only(parse_list(list)?),
                    };
                    applies.push(rule);
                    Entry::Cancel(side, window, applies.len() - 1)
                }
                other => return Err(error(line, format!("unknown row kind {other:?}"))),
            };
            entries.push((field(1).to_owned(), entry));
        }
        Ok(PromiseLexicon {
            lexicon: Lexicon::build(entries)?,
            applies,
        })
    }
}

/// A cue found in the text.
#[derive(Debug, Clone, Copy)]
struct CueMatch {
    promise: Promise,
    mode: Mode,
    start: usize,
    end: usize,
    first: usize,
    last: usize,
}

/// A cancelling rule found in the text.
#[derive(Debug, Clone, Copy)]
struct CancelMatch {
    side: Side,
    window: usize,
    rule: usize,
    first: usize,
    last: usize,
}

/// Furthest a cue looks for a word of provision, in words that count.
const GRANT_WINDOW: usize = 6;
/// Furthest a cue looks for a word of payment or family, in words.
const PAY_WINDOW: usize = 6;
const FAMILY_WINDOW: usize = 5;
/// Furthest any look goes, in raw words.
const MAX_REACH: usize = 10;

/// Per-word facts of one text.
struct WordFlags {
    /// The word belongs to some cue.
    in_cue: Vec<bool>,
    conjunction: Vec<bool>,
    /// A word of provision starts (for looking forward) / ends (looking back) here.
    grant_starts: Vec<bool>,
    grant_ends: Vec<bool>,
    exists: Vec<bool>,
    pay: Vec<bool>,
    family: Vec<bool>,
}

impl WordFlags {
    /// A word that neither belongs to a cue nor joins list items: it counts towards windows.
    fn is_content(&self, i: usize) -> bool {
        !(self.in_cue.get(i).copied().unwrap_or(false)
            || self.conjunction.get(i).copied().unwrap_or(false))
    }
}

/// True when the word is an amount of money by its form: `4000₽`, `200к`, `$3,000`, `3млн`.
fn money_shaped(words: &WordIndex<'_>, text: &str, i: usize) -> bool {
    let word = words.word(i);
    if !word.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let suffix = word.trim_start_matches(|c: char| c.is_ascii_digit());
    if matches!(
        suffix,
        "р" | "к" | "k" | "т" | "тг" | "млн" | "тыс" | "руб" | "mln" | "ming"
    ) {
        return true;
    }
    let Some(&(start, end)) = words.words.get(i) else {
        return false;
    };
    let after = text.get(end..).and_then(|s| s.trim_start().chars().next());
    let before = text.get(..start).and_then(|s| s.chars().next_back());
    matches!(after, Some('₽' | '$' | '€' | '₸')) || matches!(before, Some('$' | '€'))
}

/// Promises made in the text, each once, with the span of its first mention.
pub fn extract_promises(text: &Normalized) -> Vec<(Promise, Span)> {
    let Ok(lexicon) = LEXICON.as_ref() else {
        return Vec::new();
    };
    // Most texts promise nothing: look at words only when a cue matched.
    let matches: Vec<_> = lexicon.lexicon.find(text).collect();
    if !matches.iter().any(|m| matches!(m.value, Entry::Cue(..))) {
        return Vec::new();
    }
    let words = WordIndex::new(text);
    let n = words.len();
    let mut cues: Vec<CueMatch> = Vec::new();
    let mut cancels: Vec<(usize, usize, usize, usize, CancelMatch)> = Vec::new();
    let mut excludes: Vec<(usize, usize, usize, usize, ())> = Vec::new();
    let mut flags = WordFlags {
        in_cue: vec![false; n],
        conjunction: vec![false; n],
        grant_starts: vec![false; n],
        grant_ends: vec![false; n],
        exists: vec![false; n],
        pay: vec![false; n],
        family: vec![false; n],
    };
    for m in matches {
        let Some((first, last)) = words.covering(m.start, m.end) else {
            continue;
        };
        match m.value {
            Entry::Cue(promise, mode) => {
                cues.push(CueMatch {
                    promise: *promise,
                    mode: *mode,
                    start: m.start,
                    end: m.end,
                    first,
                    last,
                });
                for flag in &mut flags.in_cue[first..=last] {
                    *flag = true;
                }
            }
            Entry::Exclude => excludes.push((first, last, m.start, m.end, ())),
            Entry::Grant => {
                flags.grant_starts[first] = true;
                flags.grant_ends[last] = true;
            }
            Entry::Exists => flags.exists[first] = true,
            Entry::Pay => flags.pay[first..=last].iter_mut().for_each(|f| *f = true),
            Entry::Family => flags.family[first..=last]
                .iter_mut()
                .for_each(|f| *f = true),
            Entry::Conjunction => flags.conjunction[first] = true,
            Entry::Cancel(side, window, rule) => cancels.push((
                first,
                last,
                m.start,
                m.end,
                CancelMatch {
                    side: *side,
                    window: *window,
                    rule: *rule,
                    first,
                    last,
                },
            )),
        }
    }
    if cues.iter().any(|c| c.mode == Mode::Pay) {
        for i in 0..n {
            flags.pay[i] |= money_shaped(&words, text.text(), i);
        }
    }
    let excludes = Nearby::new(excludes);
    let cancels = Nearby::new(cancels);
    let mut found: Vec<(Promise, Span)> = Vec::new();
    for cue in &cues {
        if found.iter().any(|(p, _)| *p == cue.promise) {
            continue;
        }
        if excludes.covers(cue.first, cue.start, cue.end) {
            continue;
        }
        let supported = match cue.mode {
            Mode::Alone => true,
            Mode::Grant => has_grant(&words, &flags, cue, false),
            Mode::Have => has_grant(&words, &flags, cue, true),
            Mode::Pay => near(&words, &flags.pay, cue, PAY_WINDOW),
            Mode::Family => near(&words, &flags.family, cue, FAMILY_WINDOW),
            Mode::Item => {
                let next = cue.last + 1;
                next >= n || words.gap_after(cue.last) != Boundary::None || !flags.is_content(next)
            }
        };
        if !supported
            || cancelled(&words, &flags, lexicon, &cancels, cue)
            || (cue.promise == Promise::Citizenship && citizenships_listed(&words, cue.last))
        {
            continue;
        }
        found.push((cue.promise, text.original_span(cue.start, cue.end)));
    }
    found
}

/// Names of countries other than Russia as written in a list of accepted citizenships.
const OTHER_CITIZENSHIPS: [&str; 17] = [
    "казахстан",
    "рк",
    "рб",
    "беларусь",
    "белоруссия",
    "киргизия",
    "кыргызстан",
    "армения",
    "еаэс",
    "снг",
    "узбекистан",
    "таджикистан",
    "kazakhstan",
    "belarus",
    "kyrgyzstan",
    "armenia",
    "eaeu",
];

/// "Гражданство РФ, Казахстан, РБ": another country among the next few words of the same
/// sentence makes the cue a list of the citizenships an applicant may hold — a
/// requirement, not the promise of a Russian passport.
fn citizenships_listed(words: &WordIndex<'_>, cue_last: usize) -> bool {
    let mut w = cue_last;
    for _ in 0..4 {
        if w + 1 >= words.len() || words.gap_after(w) == Boundary::Sentence {
            return false;
        }
        w += 1;
        if OTHER_CITIZENSHIPS.contains(&words.word(w)) {
            return true;
        }
    }
    false
}

/// How far a walk from a cue may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// Inside the cue's clause.
    Clause,
    /// Over a list of other cues, up to a clause boundary after a content word.
    List,
    /// To the end of the sentence.
    Sentence,
}

/// Walks from a cue towards one side, yielding `(word, distance)` where the distance counts
/// only content words (not cues nor conjunctions) and starts at 1 for the nearest. Stops at
/// a sentence end, at the boundary `reach` allows, and after `MAX_REACH` words.
fn walk<'w>(
    words: &'w WordIndex<'_>,
    flags: &'w WordFlags,
    cue: &CueMatch,
    side: Side,
    reach: Reach,
) -> impl Iterator<Item = (usize, usize)> + 'w {
    let n = words.len();
    let mut step = 0usize;
    let mut distance = 1usize;
    let mut content_seen = false;
    let (first, last) = (cue.first, cue.last);
    std::iter::from_fn(move || {
        step += 1;
        if step > MAX_REACH {
            return None;
        }
        let (w, gap) = match side {
            Side::After => {
                let w = last + step;
                (w < n).then(|| (w, words.gap_after(w - 1)))?
            }
            Side::Before => {
                let w = first.checked_sub(step)?;
                (w, words.gap_after(w))
            }
        };
        match gap {
            Boundary::Sentence => return None,
            Boundary::Clause
                if reach == Reach::Clause || (reach == Reach::List && content_seen) =>
            {
                return None;
            }
            _ => {}
        }
        let here = distance;
        if flags.is_content(w) {
            content_seen = true;
            distance += 1;
        }
        Some((w, here))
    })
}

/// A word of provision near a `grant` cue (or, with `exists`, of existence after it).
fn has_grant(words: &WordIndex<'_>, flags: &WordFlags, cue: &CueMatch, exists: bool) -> bool {
    let after = walk(words, flags, cue, Side::After, Reach::List)
        .take_while(|&(_, d)| d <= GRANT_WINDOW)
        .any(|(w, _)| flags.grant_starts[w] || (exists && flags.exists[w]));
    after
        || walk(words, flags, cue, Side::Before, Reach::List)
            .take_while(|&(_, d)| d <= 2)
            .any(|(w, _)| flags.grant_ends[w])
}

/// A flagged word within `window` words of the cue, in the same sentence.
fn near(words: &WordIndex<'_>, flag: &[bool], cue: &CueMatch, window: usize) -> bool {
    let n = words.len();
    let from = cue.first.saturating_sub(window);
    let to = (cue.last + window).min(n.saturating_sub(1));
    (from..=to).any(|w| {
        flag.get(w).copied().unwrap_or(false)
            && !(cue.first..=cue.last).contains(&w)
            && words.boundary_between(w, if w < cue.first { cue.first } else { cue.last })
                != Boundary::Sentence
    })
}

/// True when a negation or a requirement applies to the cue.
fn cancelled(
    words: &WordIndex<'_>,
    flags: &WordFlags,
    lexicon: &PromiseLexicon,
    cancels: &Nearby<CancelMatch>,
    cue: &CueMatch,
) -> bool {
    let applies = |c: &CancelMatch| {
        lexicon
            .applies
            .get(c.rule)
            .is_some_and(|a| a.contains(cue.promise))
    };
    // A negation word inside another cue belongs to that cue ("тәжірибе міндетті емес").
    let inside_cue = |c: &CancelMatch| (c.first..=c.last).all(|w| flags.in_cue[w]);
    // Only rules within reach of the cue can apply.
    let lo = cue.first.saturating_sub(MAX_REACH + MAX_PHRASE_WORDS);
    let relevant: Vec<&CancelMatch> = cancels
        .starting_in(lo, cue.last + MAX_REACH)
        .iter()
        .map(|item| &item.4)
        .filter(|c| applies(c) && (c.last < cue.first || c.first > cue.last) && !inside_cue(c))
        .collect();
    if relevant.is_empty() {
        return false;
    }
    // After the cue: the first word of provision met ends the search ("общежитие
    // бесплатно, обеды за свой счёт"), and a cue granted right before it ("бесплатное
    // общежитие, обеды за свой счёт") is not reached by a negation after it.
    let granted_before = walk(words, flags, cue, Side::Before, Reach::Clause)
        .take_while(|&(_, d)| d <= 2)
        .any(|(w, _)| flags.grant_ends[w]);
    let after = walk(words, flags, cue, Side::After, Reach::List).take_while(|_| !granted_before);
    for (w, distance) in after {
        if relevant
            .iter()
            .any(|c| c.side == Side::After && c.first == w && distance <= c.window)
        {
            return true;
        }
        if flags.grant_starts[w] {
            // "тегін емес", "ройгон нест", "bepul emas": the provision itself is denied.
            let denied = relevant
                .iter()
                .any(|c| c.side == Side::After && c.first == w + 1 && c.window >= 1);
            if denied && words.gap_after(w) == Boundary::None {
                return true;
            }
            break;
        }
    }
    // Before the cue: short windows stay inside the clause, long ones ("Требования: …")
    // reach to the start of the sentence.
    for reach in [Reach::Clause, Reach::Sentence] {
        for (w, distance) in walk(words, flags, cue, Side::Before, reach) {
            let hit = relevant.iter().any(|c| {
                c.side == Side::Before
                    && c.last == w
                    && distance <= c.window
                    && ((reach == Reach::Clause) == (c.window <= 3))
            });
            if hit {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;
    use Promise::*;
    use proptest::prelude::*;

    fn promises(text: &str) -> Vec<Promise> {
        let mut found: Vec<Promise> = extract_promises(&normalize(text))
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        found.sort();
        found
    }

    fn sorted(mut list: Vec<Promise>) -> Vec<Promise> {
        list.sort();
        list
    }

    #[test]
    fn lexicon_parses() {
        check_promise_lexicon().expect("promises.tsv is valid");
    }

    #[test]
    fn russian_military_offer() {
        let text = "Служба по контракту. При подписании 350 000 ₽. \
                    Паспорт РФ по ускоренной процедуре для вас и родных. \
                    Компенсация при ранении до 2 млн, родственникам при гибели 7 млн. \
                    Отсрочка по кредитам, удостоверение ветерана боевых действий, льготы детям. \
                    Бесплатное обучение, опыт не нужен.";
        assert_eq!(
            promises(text),
            sorted(vec![
                LumpSum,
                Citizenship,
                InjuryCompensation,
                DeathCompensation,
                DebtRelief,
                VeteranStatus,
                FamilyBenefits,
                Training,
                NoExperience
            ])
        );
    }

    #[test]
    fn civilian_offers_in_central_asian_languages() {
        assert_eq!(
            promises("Бердянскиге курулушчулар керек. Жол кире, жатакана жана тамак бекер."),
            sorted(vec![Travel, Meals, Housing])
        );
        assert_eq!(
            promises("Melitopolda ish. Yo'l kira, yotoqxona va ovqat bepul. Tajriba shart emas."),
            sorted(vec![Travel, Meals, Housing, NoExperience])
        );
        assert_eq!(
            promises("Жол ақысы төленеді, жатақхана беріледі, тамақ тегін."),
            sorted(vec![Travel, Housing, Meals])
        );
        assert_eq!(
            promises("Роҳкиро, хӯроки гарм ва ҷои хоб ройгон."),
            sorted(vec![Travel, Meals, Housing])
        );
        assert_eq!(
            promises("Repair work in Berdiansk, free housing and food, travel paid."),
            sorted(vec![Housing, Meals, Travel])
        );
    }

    #[test]
    fn negations_and_requirements_are_not_promises() {
        assert_eq!(
            promises("Общежитие бесплатно, обеды за свой счёт."),
            vec![Housing]
        );
        assert_eq!(
            promises("Free housing, meals not included, travel reimbursed"),
            sorted(vec![Housing, Travel])
        );
        assert!(promises("Проживание не предоставляется. Проезд за свой счёт.").is_empty());
        assert!(promises("Работа без оплаты проезда и без питания").is_empty());
        assert!(promises("Требования: возраст до 45 лет, гражданство РФ").is_empty());
        assert!(promises("Гражданство РФ обязательно. Наличие паспорта РФ.").is_empty());
        assert!(promises("Must hold a Russian passport.").is_empty());
        assert!(promises("Жатакана жок, тамак өз эсебинен.").is_empty());
        assert!(promises("Ovqat o'z hisobidan, yotoqxona yo'q.").is_empty());
        assert!(promises("Хӯрок ройгон нест. Тамақ тегін емес.").is_empty());
        assert!(promises("pitanie za svoy schet").is_empty());
        assert!(promises("Получил паспорт РФ в прошлом году, теперь ищу работу.").is_empty());
        assert!(promises("Проезд и обед за счёт работника.").is_empty());
        assert!(promises("Требования: 1. Гражданство РФ 2. Опыт работы").is_empty());
        assert!(promises("Гражданство - только Россия.").is_empty());
        assert!(promises("Он имеет гражданство Кипра.").is_empty());
        assert!(promises("Гражданство РФ, Казахстан. Обязанности: фасовка").is_empty());
        assert!(promises("Гражданство: РФ, РБ, ЕАЭС").is_empty());
        assert!(promises("Applicants should hold Russian citizenship.").is_empty());
        assert_eq!(
            promises("Гражданство РФ за полгода, жильё бесплатно"),
            sorted(vec![Citizenship, Housing])
        );
    }

    #[test]
    fn news_mentions_count() {
        assert_eq!(
            promises("Convicts who joined the company were promised a pardon after the contract."),
            vec![Release]
        );
        assert_eq!(
            promises("Осуждённым, подписавшим контракт, обещали помилование."),
            vec![Release]
        );
        assert!(promises("Приговорён к 5 годам лишения свободы.").is_empty());
        assert!(promises("Ба Радиои Озодӣ гуфт, ки писараш дар Украина аст.").is_empty());
        assert!(promises("Хабарнигори Озодӣ бо модараш суҳбат кард.").is_empty());
        assert!(promises("U 7 yilga ozodlikdan mahrum qilingan.").is_empty());
        assert!(promises("Ozodlik radiosi xabar berishicha, u Rostovda.").is_empty());
        assert!(promises("Ӯро ба 5 сол аз озодӣ маҳрум карданд.").is_empty());
        assert_eq!(
            promises("Маҳбусонро пас аз шаш моҳ озодӣ ваъда доданд."),
            vec![Release]
        );
        assert!(promises("Ранены 12 человек, погибших нет.").is_empty());
    }

    #[test]
    fn topics_are_not_offers() {
        assert!(promises("Цены на жильё растут, спрос на аренду жилья выше").is_empty());
        assert!(promises("Восстановление жилья в Мариуполе: каменщики").is_empty());
        assert!(promises("Бір ғана жол бар").is_empty());
        assert!(promises("Үш жол ақылы болады").is_empty());
        assert!(promises("Жатақхана салынуы тиіс").is_empty());
        assert!(promises("Официально этот объект называется пунктом").is_empty());
        assert!(promises("Возможность отдыха с семьей по льготным ценам").is_empty());
        assert!(promises("Турист застрял на подъёмнике").is_empty());
        assert!(promises("При себе иметь военный билет").is_empty());
        assert_eq!(
            promises("Кассир, 52 000 руб/мес, официально, обеды"),
            sorted(vec![OfficialEmployment, Meals])
        );
        assert_eq!(promises("Жатаканасы бар. Ётоқхона бор."), vec![Housing]);
        assert_eq!(
            promises("Оқыту тегін. Тәжірибе қажет емес."),
            sorted(vec![Training, NoExperience])
        );
    }

    #[test]
    fn roads_and_deliveries_are_not_travel() {
        assert!(promises("Строим дорогу к новому микрорайону, 3800 руб. смена").is_empty());
        assert!(promises("Доставка продуктов на своём авто, гибкий график").is_empty());
        assert_eq!(promises("Дорогу до Оренбурга оплачиваем."), vec![Travel]);
    }

    #[test]
    fn spans_point_at_the_cue() {
        let original = "✅ ПРОЖИВАНИЕ бесплатно";
        let found = extract_promises(&normalize(original));
        assert_eq!(found.len(), 1);
        let span = found[0].1;
        assert_eq!(&original[span.start..span.end], "ПРОЖИВАНИЕ");
    }

    #[test]
    fn long_inputs_finish() {
        let text = "жилья нет, за свой счет, цены на жилье ".repeat(20_000);
        let _ = extract_promises(&normalize(&text));
        let text = "проживание, питание, без ".repeat(20_000);
        let _ = extract_promises(&normalize(&text));
        let digits = "1 ".repeat(1 << 19);
        assert!(extract_promises(&normalize(&digits)).is_empty());
    }

    proptest! {
        #[test]
        fn word_index_agrees_on_words_with_apostrophes(s in "[a-zа-яёҷӣ'ʻ`0-9 .,\\-҂\u{0483}]{0,60}") {
            let n = normalize(&s);
            let expected: Vec<(usize, usize)> = n.words().collect();
            prop_assert_eq!(WordIndex::new(&n).words, expected);
        }

        #[test]
        fn word_index_agrees_with_normalized_words(s in "\\PC{0,200}") {
            let n = normalize(&s);
            let expected: Vec<(usize, usize)> = n.words().collect();
            prop_assert_eq!(WordIndex::new(&n).words, expected);
        }

        #[test]
        fn never_panics(s in "\\PC{0,200}") {
            let n = normalize(&s);
            for (_, span) in extract_promises(&n) {
                prop_assert!(span.start <= span.end && span.end <= s.len());
            }
        }

        #[test]
        fn never_panics_on_cue_words(s in "(проживание|без|не|, |\\. |питание|за свой счет|ранение|1 млн|требования: |гражданство рф| ){0,40}") {
            let _ = extract_promises(&normalize(&s));
        }
    }
}

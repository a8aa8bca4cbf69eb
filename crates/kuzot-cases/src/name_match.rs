//! "Possibly the same person": persons matched across spellings, with a score and reasons.
//!
//! A [`PersonRecord`] holds every spelling of a person's name known to the registry, and
//! what else identifies them: birth date to the precision known, district, colony, event
//! dates. [`compare`] scores two prepared records: the names by token sets (order and
//! dropped given names do not matter), each pair of words by the best of their folded
//! spelling, stem (male/female surname forms, patronymic roots), consonant skeleton,
//! Beider-Morse phonetic keys and Jaro-Winkler similarity; then birth year, district,
//! colony and dates raise or lower the score. Every step that moved the score is kept as
//! a [`MatchReason`] for the caseworker, who alone decides to merge: nothing here merges.
//!
//! [`PersonIndex`] blocks on phonetic keys and skeleton prefixes, so that a new name is
//! compared with the few persons that share a key rather than with all of them, and
//! [`PersonIndex::all_pairs`] proposes every pair over the registry in parallel.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::OnceLock;

use rayon::prelude::*;
use rphonetic::{BeiderMorse, BeiderMorseBuilder, ConfigFiles, LanguageSet, NameType, RuleType};

use crate::normalize::{
    Ending, NameToken, NormalizedName, TokenRole, for_phonetic_encoder, normalize_name,
};

/// A date known to the year, the month or the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PartialDate {
    /// The year.
    pub year: i32,
    /// The month (1–12), if known.
    pub month: Option<u8>,
    /// The day of the month, if known (only with a month).
    pub day: Option<u8>,
}

impl PartialDate {
    /// A date known only to the year.
    pub fn year(year: i32) -> PartialDate {
        PartialDate {
            year,
            month: None,
            day: None,
        }
    }

    /// A date known to the month.
    pub fn month(year: i32, month: u8) -> PartialDate {
        PartialDate {
            year,
            month: Some(month),
            day: None,
        }
    }

    /// A date known to the day.
    pub fn day(year: i32, month: u8, day: u8) -> PartialDate {
        PartialDate {
            year,
            month: Some(month),
            day: Some(day),
        }
    }

    /// The first and last day this date may stand for, as day numbers on a 365.25-day
    /// year: exact enough to tell "within a month" from "years apart".
    fn day_range(&self) -> (f64, f64) {
        let year_start = f64::from(self.year) * 365.25;
        match (self.month.filter(|m| (1..=12).contains(m)), self.day) {
            (None, _) => (year_start, year_start + 365.0),
            (Some(month), day) => {
                let month_start = year_start + f64::from(month - 1) * 30.44;
                match day.filter(|d| (1..=31).contains(d)) {
                    None => (month_start, month_start + 30.0),
                    Some(day) => {
                        let at = month_start + f64::from(day - 1);
                        (at, at)
                    }
                }
            }
        }
    }

    /// The fewest days that can lie between two partial dates (0 if their ranges meet).
    pub fn min_days_apart(&self, other: &PartialDate) -> f64 {
        let (a_start, a_end) = self.day_range();
        let (b_start, b_end) = other.day_range();
        if a_end < b_start {
            b_start - a_end
        } else if b_end < a_start {
            a_start - b_end
        } else {
            0.0
        }
    }
}

/// The kinds of event whose dates help tell whether two records are one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// Detained (by police, in a raid).
    Detention,
    /// Convicted and sentenced.
    Conviction,
    /// Recruited (by the Ministry of Defence, a PMC, an employer).
    Recruitment,
    /// Sent to the front or a work site.
    Deployment,
    /// Died.
    Death,
    /// Went missing.
    Disappearance,
    /// Buried.
    Burial,
    /// Came home.
    Return,
}

impl EventKind {
    /// Whether a person has this event at most once, so that two dates far apart mean two
    /// persons (a death), rather than two occurrences (a detention).
    fn happens_once(self) -> bool {
        matches!(self, EventKind::Death | EventKind::Burial)
    }
}

/// A dated event in a person's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonEvent {
    /// What happened.
    pub kind: EventKind,
    /// When, to the precision known.
    pub date: PartialDate,
}

/// A person as the matcher sees them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PersonRecord {
    /// The caller's identifier, returned in suggestions.
    pub id: u64,
    /// Every spelling of the person's name known, in any script.
    pub names: Vec<String>,
    /// Birth date, to the precision known.
    pub birth: Option<PartialDate>,
    /// Home district (e.g. "Ak-Suu district", "Ак-Суйский район").
    pub district: Option<String>,
    /// The penal colony the person was held in (e.g. "IK-19").
    pub colony: Option<String>,
    /// Dated events.
    pub events: Vec<PersonEvent>,
}

/// A word of a name with its Beider-Morse keys computed once.
#[derive(Debug, Clone)]
struct PreparedToken {
    token: NameToken,
    /// The Beider-Morse approximate codes of the stem, sorted.
    phonetic: Vec<String>,
}

/// A record with its names and places in comparable forms, computed once.
#[derive(Debug, Clone)]
pub struct PreparedPerson {
    record: PersonRecord,
    names: Vec<Vec<PreparedToken>>,
    district: Option<String>,
    colony: Option<ColonyKey>,
}

/// A colony as compared: its number where it has one ("ИК-19", "IK 19", "colony No. 19"),
/// and the name of the place it stands in where one is given ("Свердловской области",
/// "Sverdlovsk region"), or its name alone when it has no number.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ColonyKey {
    number: Option<String>,
    place: Option<String>,
}

/// Generic words of district and colony names that say nothing about which one it is,
/// as written in Russian, Kyrgyz and English; folded at first use like any name.
const PLACE_WORDS: &str = "район района районе району районы rayon raion district \
    область области облусу обл oblast region край края крае краю krai kray territory \
    республика республики republic respublika город г city \
    ИК ЛИУ КП СИЗО ВК ФКУ ФСИН УФСИН ГУФСИН России Russia по in IK LIU KP FKU FSIN \
    колония колонии colony No номер исправительная penal айыл аил aiyl ail кишлак \
    kishlak село selo village the of";

fn is_place_word(stem: &str) -> bool {
    static FOLDED: OnceLock<Vec<String>> = OnceLock::new();
    FOLDED
        .get_or_init(|| {
            PLACE_WORDS
                .split_whitespace()
                .flat_map(|word| normalize_name(word).tokens)
                .map(|t| t.stem)
                .collect()
        })
        .iter()
        .any(|w| w == stem)
}

/// Endings of Russian adjectives made from place names (Ак-Суйский, Свердловской) and of
/// their Latin spellings, and the -sk of Russian town names that English uses for the
/// region (Sverdlovsk, Omsk), longest first. What is left is the place's own name.
const PLACE_ADJECTIVE_ENDINGS: &[&str] = &[
    "скому",
    "ского",
    "ский",
    "ская",
    "ское",
    "ской",
    "ском",
    "скую",
    "ские",
    "ск",
    "skogo",
    "skaya",
    "skaia",
    "skoye",
    "skiy",
    "skii",
    "skij",
    "skoe",
    "skoy",
    "skoi",
    "sky",
    "ski",
    "sk",
];

/// A place name reduced so that its forms agree: the noun and the adjective (Ак-Суу,
/// Ак-Суйский, Аксуйский, Ak-Suu), the Russian genitive of a region and its English name
/// (Свердловской области, Sverdlovsk region), in any script. The generic words (district,
/// region, colony) are dropped, each remaining word loses an adjective ending, the words
/// are joined (a hyphen or a space is written or not), and a final й after a vowel,
/// which the adjective adds to a root in a vowel (Суу, Суйский), is dropped. `None` when
/// nothing is left.
fn place_name_key(text: &str) -> Option<String> {
    let mut key = String::new();
    for token in normalize_name(text).tokens {
        if is_place_word(&token.stem) {
            continue;
        }
        let lower = token.written.to_lowercase();
        let root = PLACE_ADJECTIVE_ENDINGS
            .iter()
            .find_map(|ending| {
                lower
                    .strip_suffix(ending)
                    .filter(|root| root.chars().count() >= 2)
            })
            .unwrap_or(&lower);
        for word in normalize_name(root).tokens {
            key.push_str(&word.folded);
        }
    }
    let mut chars: Vec<char> = key.chars().collect();
    if chars.len() >= 3 && chars.last() == Some(&'i') && is_vowel_letter(chars[chars.len() - 2]) {
        chars.pop();
    }
    // Joining may double a letter at the seam (Ак-Кол, Akkol): one letter, as in names.
    chars.dedup();
    (!chars.is_empty()).then(|| chars.into_iter().collect())
}

fn is_vowel_letter(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

fn colony_key(text: &str) -> Option<ColonyKey> {
    let bounded: String = text
        .chars()
        .take(crate::normalize::MAX_NAME_CHARS)
        .collect();
    let digits: String = bounded.chars().filter(char::is_ascii_digit).collect();
    let key = ColonyKey {
        number: (!digits.is_empty()).then_some(digits),
        place: place_name_key(&bounded),
    };
    (key.number.is_some() || key.place.is_some()).then_some(key)
}

/// Whether two colonies are the same (`Some(true)`), different (`Some(false)`), or cannot
/// be told apart from what is written (`None`: one has a number and the other only a name).
fn same_colony(a: &ColonyKey, b: &ColonyKey) -> Option<bool> {
    match (&a.number, &b.number) {
        (Some(x), Some(y)) if x != y => Some(false),
        // One number: the same colony unless both name a place and the places differ
        // (IK-19 of one region is not IK-19 of another).
        (Some(_), Some(_)) => Some(match (&a.place, &b.place) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        }),
        (None, None) => match (&a.place, &b.place) {
            (Some(x), Some(y)) => Some(x == y),
            _ => None,
        },
        _ => None,
    }
}

/// The place text as a caseworker is shown it in a reason: cut to a name's length.
fn written_place(text: Option<&String>) -> String {
    text.map(|t| t.chars().take(crate::normalize::MAX_NAME_CHARS).collect())
        .unwrap_or_default()
}

fn beider_morse() -> &'static BeiderMorse<'static> {
    static CONFIG: OnceLock<ConfigFiles> = OnceLock::new();
    static ENCODER: OnceLock<BeiderMorse<'static>> = OnceLock::new();
    ENCODER.get_or_init(|| {
        let config = CONFIG.get_or_init(ConfigFiles::default);
        // Approximate rules, generic names: the variant that tolerates vowel and voicing
        // differences between spellings.
        BeiderMorseBuilder::new(config)
            .name_type(NameType::Generic)
            .rule_type(RuleType::Approx)
            .build()
    })
}

fn any_language() -> &'static LanguageSet {
    static ANY: OnceLock<LanguageSet> = OnceLock::new();
    // The embedded rules are the language-independent set; the transliteration into one
    // Latin spelling has already removed what language guessing would tell.
    ANY.get_or_init(|| LanguageSet::from(vec!["any"]))
}

/// The Beider-Morse approximate codes of a folded word, sorted and deduplicated.
pub fn phonetic_keys(folded: &str) -> Vec<String> {
    let input = for_phonetic_encoder(folded);
    if input.is_empty() {
        return Vec::new();
    }
    let encoded = beider_morse().encode_with_languages(&input, any_language());
    let mut codes: Vec<String> = encoded
        .split(['|', '-', '(', ')'])
        .filter(|code| !code.is_empty())
        .map(str::to_string)
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

fn prepare_name(name: NormalizedName) -> Vec<PreparedToken> {
    name.tokens
        .into_iter()
        .map(|token| {
            let phonetic = phonetic_keys(&token.stem);
            PreparedToken { token, phonetic }
        })
        .collect()
}

/// Computes the comparable forms of a record once, for many comparisons.
pub fn prepare(record: PersonRecord) -> PreparedPerson {
    let mut names: Vec<Vec<PreparedToken>> = Vec::new();
    for name in &record.names {
        let normalized = normalize_name(name);
        if normalized.tokens.is_empty() {
            continue;
        }
        let prepared = prepare_name(normalized);
        // Two spellings that fold to the same words need to be compared only once.
        let is_new = names.iter().all(|known| {
            known.len() != prepared.len()
                || known
                    .iter()
                    .zip(&prepared)
                    .any(|(a, b)| a.token.folded != b.token.folded)
        });
        if is_new {
            names.push(prepared);
        }
    }
    let district = record.district.as_deref().and_then(place_name_key);
    let colony = record.colony.as_deref().and_then(colony_key);
    PreparedPerson {
        record,
        names,
        district,
        colony,
    }
}

impl PreparedPerson {
    /// The record this was prepared from.
    pub fn record(&self) -> &PersonRecord {
        &self.record
    }
}

/// How two words of two names agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenAgreement {
    /// The same word once the transliteration systems are folded together.
    SameSpelling,
    /// One is the female form of the other surname (Begotaeva, Begotaev).
    SurnameSexForm,
    /// One is a patronymic whose root is the other word (Asanbekovich, Asanbek uulu,
    /// Asanbekov).
    PatronymicRoot,
    /// The same stem once sex and patronymic endings are removed.
    SameStem,
    /// One surname stem extended by a letter or two (Begotaev, Begotanov).
    SurnameVariant,
    /// The same consonant skeleton and close spellings.
    SameSkeleton,
    /// Beider-Morse phonetic keys in common.
    PhoneticKeys,
    /// Close spellings by Jaro-Winkler similarity.
    SimilarSpelling,
    /// The same once a Latin letter pair of one word is read as two letters (Ashat as
    /// Асхат, с+х rather than ш; Matsuev as Матсуев, т+с rather than ц).
    LetterPairSplit,
}

/// Why a pair was scored as it was.
#[derive(Debug, Clone, PartialEq)]
pub enum MatchReason {
    /// Two words of the names agree.
    NameWords {
        /// The word of the first record's name (folded spelling).
        left: String,
        /// The word of the second record's name (folded spelling).
        right: String,
        /// The first record's word as its source wrote it.
        left_written: String,
        /// The second record's word as its source wrote it.
        right_written: String,
        /// How they agree.
        agreement: TokenAgreement,
        /// Their similarity, 0 to 1.
        similarity: f32,
    },
    /// Words of one name with no counterpart in the other (dropped given names,
    /// patronymics): they neither raise nor lower the score.
    NameWordsUnpaired {
        /// The first record's unpaired words (folded).
        left: Vec<String>,
        /// The second record's unpaired words (folded).
        right: Vec<String>,
        /// The first record's unpaired words as written.
        left_written: Vec<String>,
        /// The second record's unpaired words as written.
        right_written: Vec<String>,
    },
    /// Only one word of the names agrees: a weak match.
    SingleNameWord,
    /// Words paired but different (a different given name or surname).
    NameWordsDiffer {
        /// The first record's word (folded).
        left: String,
        /// The second record's word (folded).
        right: String,
        /// The first record's word as written.
        left_written: String,
        /// The second record's word as written.
        right_written: String,
    },
    /// Birth dates agree (the same year, or overlapping partial dates).
    BirthAgrees,
    /// Birth years a year apart: a date written differently, or two persons.
    BirthClose,
    /// Birth years more than a year apart.
    BirthDisagrees {
        /// Years between the dates at least.
        years_apart: u32,
    },
    /// The same district (noun or adjective form, any script).
    DistrictAgrees {
        /// The first record's district as written.
        left: String,
        /// The second record's district as written.
        right: String,
    },
    /// Different districts.
    DistrictDiffers {
        /// The first record's district as written.
        left: String,
        /// The second record's district as written.
        right: String,
    },
    /// The same colony: the same number, and the same region where both give one.
    ColonyAgrees {
        /// The first record's colony as written.
        left: String,
        /// The second record's colony as written.
        right: String,
    },
    /// Different colonies: other numbers, or one number in two regions.
    ColonyDiffers {
        /// The first record's colony as written.
        left: String,
        /// The second record's colony as written.
        right: String,
    },
    /// Events of one kind within a month of each other.
    EventDatesAgree(EventKind),
    /// A once-only event (death, burial) dated more than a year apart.
    EventDatesDisagree(EventKind),
}

/// A proposal that two records may be the same person. A proposal only: merging is a
/// caseworker's decision.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchSuggestion {
    /// The first record's id.
    pub left: u64,
    /// The second record's id.
    pub right: u64,
    /// The overall score, 0 to 1.
    pub score: f32,
    /// The names' similarity alone, 0 to 1.
    pub name_similarity: f32,
    /// What raised or lowered the score.
    pub reasons: Vec<MatchReason>,
}

/// Thresholds of the matcher.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatcherConfig {
    /// The score a pair needs to be proposed.
    pub threshold: f32,
    /// The name similarity a pair needs whatever else agrees: matching birth years and a
    /// colony do not make two different names one person.
    pub min_name_similarity: f32,
    /// A blocking key shared by more persons than this (a common given name) is not used
    /// to find candidates, unless a person has no rarer key.
    pub max_block: usize,
}

impl Default for MatcherConfig {
    fn default() -> Self {
        MatcherConfig {
            threshold: 0.8,
            min_name_similarity: 0.78,
            max_block: 300,
        }
    }
}

/// Word pairs less similar than this count as different words.
const MIN_WORD_SIMILARITY: f32 = 0.84;

/// The forms of one reading of a word that [`reading_similarity`] compares.
#[derive(Clone, Copy)]
struct WordForms<'a> {
    folded: &'a str,
    stem: &'a str,
    skeleton: &'a str,
    role: TokenRole,
    ending: Option<Ending>,
    phonetic: &'a [String],
}

impl PreparedToken {
    /// The word's primary reading.
    fn primary(&self) -> WordForms<'_> {
        WordForms {
            folded: &self.token.folded,
            stem: &self.token.stem,
            skeleton: &self.token.skeleton,
            role: self.token.role,
            ending: self.token.ending,
            phonetic: &self.phonetic,
        }
    }

    /// The reading with Latin letter pairs split, if the word has one. It carries no
    /// Beider-Morse codes: encoding a second reading of every such word would slow the
    /// index, and the spelling, stem and skeleton comparisons are what such a pair needs.
    fn split(&self) -> Option<WordForms<'_>> {
        self.token.split.as_ref().map(|reading| WordForms {
            folded: &reading.folded,
            stem: &reading.stem,
            skeleton: &reading.skeleton,
            role: self.token.role,
            ending: self.token.ending,
            phonetic: &[],
        })
    }
}

/// What a match on the split reading of a word is worth against the same match on the
/// primary reading: slightly less, as the writer more likely meant the usual letter.
const SPLIT_READING_FACTOR: f32 = 0.97;

/// The similarity of two words: the best of their primary readings and of one word's
/// split reading against the other's primary one (Ashat read as a-s-h-a-t meets Асхат).
fn word_similarity(a: &PreparedToken, b: &PreparedToken) -> (f32, TokenAgreement) {
    let primary = reading_similarity(a.primary(), b.primary());
    let mut best = primary;
    let split_pairs = [
        a.split().map(|x| (x, b.primary())),
        b.split().map(|y| (a.primary(), y)),
    ];
    for (x, y) in split_pairs.into_iter().flatten() {
        let similarity = reading_similarity(x, y).0 * SPLIT_READING_FACTOR;
        if similarity > best.0 {
            best = (similarity, TokenAgreement::LetterPairSplit);
        }
    }
    best
}

fn reading_similarity(ta: WordForms<'_>, tb: WordForms<'_>) -> (f32, TokenAgreement) {
    if ta.folded == tb.folded {
        return (1.0, TokenAgreement::SameSpelling);
    }
    if ta.stem == tb.stem {
        let agreement = if ta.role != tb.role {
            TokenAgreement::PatronymicRoot
        } else if (ta.ending == Some(Ending::FemaleSurname))
            != (tb.ending == Some(Ending::FemaleSurname))
        {
            TokenAgreement::SurnameSexForm
        } else {
            TokenAgreement::SameStem
        };
        return (0.97, agreement);
    }
    if extends_by_a_letter_or_two(&ta, &tb) {
        return (0.9, TokenAgreement::SurnameVariant);
    }
    // Jaro-Winkler alone forgives too much in long names that share a beginning
    // (Sultankulov, Sultanov); the consonant skeletons must be close as well.
    let spelling = (strsim::jaro_winkler(ta.stem, tb.stem) as f32)
        .min(strsim::normalized_levenshtein(ta.skeleton, tb.skeleton) as f32);
    // A shared skeleton alone is too loose for short words (Asan, Esen, Usen).
    if ta.skeleton == tb.skeleton && ta.skeleton.chars().count() >= 3 && spelling >= 0.8 {
        return (0.93, TokenAgreement::SameSkeleton);
    }
    // Beider-Morse codes alone join too much (its approximate rules allow many vowel and
    // consonant readings); the skeletons must be near as well.
    if spelling >= 0.7 && shares_any(ta.phonetic, tb.phonetic) {
        return (0.92_f32.max(spelling), TokenAgreement::PhoneticKeys);
    }
    (spelling, TokenAgreement::SimilarSpelling)
}

/// Whether one stem is the other with one or two letters added at the end (Begotaev and
/// Begotanov, the shape), vowels aside (Бегатанов): the shorter stem is long
/// enough to be distinctive, its consonant skeleton begins the longer one's, and the
/// spellings are close.
fn extends_by_a_letter_or_two(a: &WordForms<'_>, b: &WordForms<'_>) -> bool {
    let (a_chars, b_chars) = (a.stem.chars().count(), b.stem.chars().count());
    let (short, long, short_chars, long_chars) = if a_chars <= b_chars {
        (a, b, a_chars, b_chars)
    } else {
        (b, a, b_chars, a_chars)
    };
    short_chars >= 5
        && long_chars - short_chars <= 2
        && long.skeleton.starts_with(short.skeleton)
        && strsim::jaro_winkler(short.stem, long.stem) >= 0.8
}

/// Whether two sorted lists share an element.
fn shares_any(a: &[String], b: &[String]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// The pairing of two names' words: the pairs taken, best first, and the similarity.
struct NamePairing {
    similarity: f32,
    pairs: Vec<(usize, usize, f32, TokenAgreement)>,
}

/// Pairs the words of two names one to one, most similar first, regardless of order.
/// The similarity is the mean over the shorter name's words (a dropped given name costs
/// nothing), with pairs below [`MIN_WORD_SIMILARITY`] counted as 0, and lowered when only
/// one word is there to compare.
fn pair_names(a: &[PreparedToken], b: &[PreparedToken]) -> NamePairing {
    let shorter = a.len().min(b.len());
    if shorter == 0 {
        return NamePairing {
            similarity: 0.0,
            pairs: Vec::new(),
        };
    }
    // When both names mark a father's name, a father's name pairs with a father's name:
    // "Nurbek uulu Toktomush" is not "Toktomush uulu Nurbek".
    let both_have_patronymics = [a, b]
        .iter()
        .all(|name| name.iter().any(|t| t.token.role == TokenRole::Patronymic));
    let mut cells: Vec<(usize, usize, f32, TokenAgreement)> = Vec::with_capacity(a.len() * b.len());
    for (i, ta) in a.iter().enumerate() {
        for (j, tb) in b.iter().enumerate() {
            let (mut similarity, agreement) = word_similarity(ta, tb);
            if both_have_patronymics && ta.token.role != tb.token.role {
                similarity *= ROLE_CONFLICT_FACTOR;
            }
            cells.push((i, j, similarity, agreement));
        }
    }
    cells.sort_by(|x, y| y.2.total_cmp(&x.2));
    let mut used_a = [false; crate::normalize::MAX_TOKENS];
    let mut used_b = [false; crate::normalize::MAX_TOKENS];
    let mut pairs = Vec::with_capacity(shorter);
    let mut sum = 0.0;
    for cell in cells {
        let (i, j, similarity, _) = cell;
        if used_a[i] || used_b[j] {
            continue;
        }
        used_a[i] = true;
        used_b[j] = true;
        if similarity >= MIN_WORD_SIMILARITY {
            sum += similarity;
        }
        pairs.push(cell);
        if pairs.len() == shorter {
            break;
        }
    }
    let mut similarity = sum / shorter as f32;
    if shorter == 1 {
        similarity *= SINGLE_WORD_FACTOR;
    }
    NamePairing { similarity, pairs }
}

/// A word paired against a word of the other role (father's name against own name).
const ROLE_CONFLICT_FACTOR: f32 = 0.5;

/// One word in common is weak evidence of one person.
const SINGLE_WORD_FACTOR: f32 = 0.85;

/// The best pairing over all spellings of two persons' names: (index in a, index in b,
/// pairing).
fn best_names(a: &PreparedPerson, b: &PreparedPerson) -> Option<(usize, usize, NamePairing)> {
    let mut best: Option<(usize, usize, NamePairing)> = None;
    for (i, name_a) in a.names.iter().enumerate() {
        for (j, name_b) in b.names.iter().enumerate() {
            let pairing = pair_names(name_a, name_b);
            if best
                .as_ref()
                .is_none_or(|(_, _, known)| pairing.similarity > known.similarity)
            {
                best = Some((i, j, pairing));
            }
        }
    }
    best
}

// How much the other facts move the score. A differing birth year weighs most: two
// persons of one name are common, one person with two birth years is a typing error at
// most a year off.
const BIRTH_AGREES: f32 = 0.08;
const BIRTH_DISAGREES: f32 = -0.3;
const DISTRICT_AGREES: f32 = 0.04;
const DISTRICT_DIFFERS: f32 = -0.04;
const COLONY_AGREES: f32 = 0.08;
const COLONY_DIFFERS: f32 = -0.04;
const EVENT_AGREES: f32 = 0.04;
const EVENT_DISAGREES: f32 = -0.25;
/// Days within which two dates of one kind agree.
const EVENT_AGREE_DAYS: f64 = 31.0;

/// Scores two prepared records and gives the reasons. The score is the names' similarity
/// moved by the other facts, clamped to 0..1.
pub fn compare(a: &PreparedPerson, b: &PreparedPerson) -> MatchSuggestion {
    let mut reasons = Vec::new();
    let name_similarity = match best_names(a, b) {
        None => 0.0,
        Some((i, j, pairing)) => {
            let (name_a, name_b) = (&a.names[i], &b.names[j]);
            for &(x, y, similarity, agreement) in &pairing.pairs {
                let (left, right) = (
                    name_a[x].token.folded.clone(),
                    name_b[y].token.folded.clone(),
                );
                let (left_written, right_written) = (
                    name_a[x].token.written.clone(),
                    name_b[y].token.written.clone(),
                );
                if similarity >= MIN_WORD_SIMILARITY {
                    reasons.push(MatchReason::NameWords {
                        left,
                        right,
                        left_written,
                        right_written,
                        agreement,
                        similarity,
                    });
                } else {
                    reasons.push(MatchReason::NameWordsDiffer {
                        left,
                        right,
                        left_written,
                        right_written,
                    });
                }
            }
            let unpaired = |name: &[PreparedToken], paired: &dyn Fn(usize) -> bool| {
                name.iter()
                    .enumerate()
                    .filter(|&(k, _)| !paired(k))
                    .map(|(_, t)| (t.token.folded.clone(), t.token.written.clone()))
                    .unzip::<_, _, Vec<_>, Vec<_>>()
            };
            let (left, left_written) =
                unpaired(name_a, &|k| pairing.pairs.iter().any(|p| p.0 == k));
            let (right, right_written) =
                unpaired(name_b, &|k| pairing.pairs.iter().any(|p| p.1 == k));
            if !left.is_empty() || !right.is_empty() {
                reasons.push(MatchReason::NameWordsUnpaired {
                    left,
                    right,
                    left_written,
                    right_written,
                });
            }
            if pairing.pairs.len() == 1 {
                reasons.push(MatchReason::SingleNameWord);
            }
            pairing.similarity
        }
    };
    let mut score = name_similarity;
    if let (Some(x), Some(y)) = (a.record.birth, b.record.birth) {
        let years_apart = x.year.abs_diff(y.year);
        if x.year == y.year || x.min_days_apart(&y) == 0.0 {
            score += BIRTH_AGREES;
            reasons.push(MatchReason::BirthAgrees);
        } else if years_apart <= 1 {
            reasons.push(MatchReason::BirthClose);
        } else {
            score += BIRTH_DISAGREES;
            reasons.push(MatchReason::BirthDisagrees { years_apart });
        }
    }
    if let (Some(x), Some(y)) = (&a.district, &b.district) {
        let left = written_place(a.record.district.as_ref());
        let right = written_place(b.record.district.as_ref());
        if x == y {
            score += DISTRICT_AGREES;
            reasons.push(MatchReason::DistrictAgrees { left, right });
        } else {
            score += DISTRICT_DIFFERS;
            reasons.push(MatchReason::DistrictDiffers { left, right });
        }
    }
    if let (Some(x), Some(y)) = (&a.colony, &b.colony)
        && let Some(same) = same_colony(x, y)
    {
        let left = written_place(a.record.colony.as_ref());
        let right = written_place(b.record.colony.as_ref());
        if same {
            score += COLONY_AGREES;
            reasons.push(MatchReason::ColonyAgrees { left, right });
        } else {
            score += COLONY_DIFFERS;
            reasons.push(MatchReason::ColonyDiffers { left, right });
        }
    }
    let mut kinds: Vec<EventKind> = a.record.events.iter().map(|e| e.kind).collect();
    kinds.dedup();
    for kind in kinds {
        let closest = a
            .record
            .events
            .iter()
            .filter(|e| e.kind == kind)
            .flat_map(|x| {
                b.record
                    .events
                    .iter()
                    .filter(move |e| e.kind == kind)
                    .map(move |y| x.date.min_days_apart(&y.date))
            })
            .min_by(f64::total_cmp);
        match closest {
            Some(days) if days <= EVENT_AGREE_DAYS => {
                score += EVENT_AGREES;
                reasons.push(MatchReason::EventDatesAgree(kind));
            }
            Some(days) if kind.happens_once() && days > 365.0 => {
                score += EVENT_DISAGREES;
                reasons.push(MatchReason::EventDatesDisagree(kind));
            }
            _ => {}
        }
    }
    MatchSuggestion {
        left: a.record.id,
        right: b.record.id,
        score: score.clamp(0.0, 1.0),
        name_similarity,
        reasons,
    }
}

/// Scores two prepared records and returns the suggestion if `config` proposes it. The
/// names are compared first and the reasons built only for a pair whose names pass, which
/// keeps the many comparisons of a registry cheap.
pub fn propose(
    a: &PreparedPerson,
    b: &PreparedPerson,
    config: &MatcherConfig,
) -> Option<MatchSuggestion> {
    let (_, _, pairing) = best_names(a, b)?;
    if pairing.similarity < config.min_name_similarity {
        return None;
    }
    let suggestion = compare(a, b);
    config.proposes(&suggestion).then_some(suggestion)
}

impl MatcherConfig {
    /// Whether a scored pair is proposed.
    pub fn proposes(&self, suggestion: &MatchSuggestion) -> bool {
        suggestion.score >= self.threshold && suggestion.name_similarity >= self.min_name_similarity
    }
}

/// Blocking keys of a prepared person: a hash per skeleton prefix and per phonetic code of
/// each word long enough to tell persons apart.
/// A person's blocking keys: those of the words' usual readings, and the skeletons of
/// their split readings. Split keys are posted apart and meet the other side's usual keys
/// only in narrow blocks (see [`SPLIT_MAX_BLOCK`]), so the usual blocks stay as they were.
#[derive(Debug, Default)]
struct BlockingKeys {
    keys: Vec<u64>,
    split_keys: Vec<u64>,
}

/// A split reading's skeleton is used to find candidates only when this few persons
/// share it: the pairs it exists for are rare, and most Latin names have an sh, kh or
/// ts, so that a wider block would let every query grow.
pub const SPLIT_MAX_BLOCK: usize = 40;

/// The forms of a person's name words that blocking keys are made of, each tagged with its
/// kind ([`BlockingForm::Skeleton`] or [`BlockingForm::Phonetic`]). The registry's blind
/// index keys these forms, so that a search by name blocks as [`PersonIndex`] does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockingForms {
    /// The forms of the words' usual readings.
    pub usual: Vec<(BlockingForm, String)>,
    /// The skeletons of the words' split readings (see [`SPLIT_MAX_BLOCK`]).
    pub split: Vec<(BlockingForm, String)>,
}

/// What a blocking form is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BlockingForm {
    /// A consonant skeleton, or one less its last class.
    Skeleton,
    /// A Beider-Morse approximate code.
    Phonetic,
}

impl BlockingForm {
    /// A byte that keeps the kinds apart where forms are hashed or keyed.
    pub fn tag(self) -> u8 {
        match self {
            BlockingForm::Skeleton => 0,
            BlockingForm::Phonetic => 1,
        }
    }
}

/// The blocking forms of a prepared person: the skeletons and phonetic codes of every word
/// long enough to tell persons apart, sorted and without repeats.
pub fn blocking_forms(person: &PreparedPerson) -> BlockingForms {
    let mut usual = Vec::new();
    let mut split = Vec::new();
    for name in &person.names {
        for word in name {
            if word.token.stem.chars().count() < 3 {
                continue;
            }
            // The skeleton, and the skeleton less its last class: Begotaev ("bkt") and
            // Begotanov ("bktn") meet on "bkt".
            let skeleton = &word.token.skeleton;
            let classes = skeleton.chars().count();
            if classes >= 2 {
                usual.push((BlockingForm::Skeleton, skeleton.clone()));
            }
            if classes >= 4 {
                let shorter: String = skeleton.chars().take(classes - 1).collect();
                usual.push((BlockingForm::Skeleton, shorter));
            }
            for code in &word.phonetic {
                usual.push((BlockingForm::Phonetic, code.clone()));
            }
            // The split reading adds its whole skeleton only (no shorter skeleton, no
            // phonetic codes): enough for Ashat to meet Асхат. It is the same kind of key
            // as a usual skeleton, so that Ashat's split key meets Асхат's usual one.
            if let Some(reading) = &word.token.split
                && reading.skeleton != *skeleton
                && reading.skeleton.chars().count() >= 2
            {
                split.push((BlockingForm::Skeleton, reading.skeleton.clone()));
            }
        }
    }
    usual.sort();
    usual.dedup();
    split.sort();
    split.dedup();
    BlockingForms { usual, split }
}

fn blocking_keys(person: &PreparedPerson) -> BlockingKeys {
    let forms = blocking_forms(person);
    let hash_all = |forms: &[(BlockingForm, String)]| {
        let mut keys: Vec<u64> = forms
            .iter()
            .map(|(kind, text)| key_hash(kind.tag(), text))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    };
    BlockingKeys {
        keys: hash_all(&forms.usual),
        split_keys: hash_all(&forms.split),
    }
}

fn key_hash(kind: u8, text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    kind.hash(&mut hasher);
    text.hash(&mut hasher);
    hasher.finish()
}

/// The registry's persons, prepared and blocked for matching.
#[derive(Debug, Default)]
pub struct PersonIndex {
    persons: Vec<PreparedPerson>,
    keys: Vec<BlockingKeys>,
    postings: HashMap<u64, Vec<u32>>,
    /// The persons by the skeletons of their words' split readings.
    split_postings: HashMap<u64, Vec<u32>>,
    config: MatcherConfig,
}

impl PersonIndex {
    /// An empty index.
    pub fn new(config: MatcherConfig) -> PersonIndex {
        PersonIndex {
            config,
            ..PersonIndex::default()
        }
    }

    /// An index of many records, prepared in parallel.
    pub fn build(records: Vec<PersonRecord>, config: MatcherConfig) -> PersonIndex {
        let persons: Vec<PreparedPerson> = records.into_par_iter().map(prepare).collect();
        let keys: Vec<BlockingKeys> = persons.par_iter().map(blocking_keys).collect();
        let mut index = PersonIndex::new(config);
        for (person, person_keys) in persons.into_iter().zip(keys) {
            index.push(person, person_keys);
        }
        index
    }

    fn push(&mut self, person: PreparedPerson, person_keys: BlockingKeys) {
        let position = u32::try_from(self.persons.len()).unwrap_or(u32::MAX);
        for &key in &person_keys.keys {
            self.postings.entry(key).or_default().push(position);
        }
        for &key in &person_keys.split_keys {
            self.split_postings.entry(key).or_default().push(position);
        }
        self.persons.push(person);
        self.keys.push(person_keys);
    }

    /// Adds a record.
    pub fn insert(&mut self, record: PersonRecord) {
        let person = prepare(record);
        let person_keys = blocking_keys(&person);
        self.push(person, person_keys);
    }

    /// How many persons the index holds.
    pub fn len(&self) -> usize {
        self.persons.len()
    }

    /// Whether the index holds no person.
    pub fn is_empty(&self) -> bool {
        self.persons.is_empty()
    }

    /// The positions of the persons sharing a usable blocking key with these keys: keys
    /// shared by more than `max_block` persons are skipped unless no rarer key exists,
    /// in which case the rarest one is used. A split reading's key meets the other
    /// side's usual keys (and the reverse) only where at most [`SPLIT_MAX_BLOCK`]
    /// persons share it.
    fn candidates(&self, person_keys: &BlockingKeys) -> Vec<u32> {
        let keys = &person_keys.keys;
        let lists: Vec<&Vec<u32>> = keys.iter().filter_map(|k| self.postings.get(k)).collect();
        let mut chosen: Vec<&Vec<u32>> = lists
            .iter()
            .copied()
            .filter(|list| list.len() <= self.config.max_block)
            .collect();
        if chosen.is_empty()
            && let Some(rarest) = lists.iter().copied().min_by_key(|list| list.len())
        {
            chosen.push(rarest);
        }
        let narrow = |list: &&Vec<u32>| list.len() <= SPLIT_MAX_BLOCK;
        chosen.extend(
            keys.iter()
                .filter_map(|k| self.split_postings.get(k))
                .filter(narrow),
        );
        chosen.extend(
            person_keys
                .split_keys
                .iter()
                .filter_map(|k| self.postings.get(k))
                .filter(narrow),
        );
        let mut candidates: Vec<u32> = chosen.into_iter().flatten().copied().collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates
    }

    /// How many persons blocking gives as candidates for `record` (before scoring): the
    /// cost of one query, measured by the benchmark.
    pub fn candidate_count(&self, record: PersonRecord) -> usize {
        let person = prepare(record);
        self.candidates(&blocking_keys(&person)).len()
    }

    /// The persons that may be the person of `record`, best first.
    pub fn find_matches(&self, record: PersonRecord) -> Vec<MatchSuggestion> {
        let person = prepare(record);
        let keys = blocking_keys(&person);
        let mut found: Vec<MatchSuggestion> = self
            .candidates(&keys)
            .into_iter()
            .filter_map(|position| propose(&person, &self.persons[position as usize], &self.config))
            .collect();
        found.sort_by(|x, y| y.score.total_cmp(&x.score));
        found
    }

    /// Every pair of persons in the index that may be one person, in parallel; each pair
    /// once, in index order.
    pub fn all_pairs(&self) -> Vec<MatchSuggestion> {
        (0..self.persons.len())
            .into_par_iter()
            .flat_map_iter(|i| {
                let person = &self.persons[i];
                self.candidates(&self.keys[i])
                    .into_iter()
                    .filter(move |&j| j as usize > i)
                    .filter_map(move |j| propose(person, &self.persons[j as usize], &self.config))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: u64, names: &[&str]) -> PersonRecord {
        PersonRecord {
            id,
            names: names.iter().map(|n| n.to_string()).collect(),
            ..PersonRecord::default()
        }
    }

    fn score(a: &PersonRecord, b: &PersonRecord) -> MatchSuggestion {
        compare(&prepare(a.clone()), &prepare(b.clone()))
    }

    #[test]
    fn partial_dates_overlap_within_their_precision() {
        let year = PartialDate::year(1990);
        let day = PartialDate::day(1990, 6, 12);
        assert_eq!(year.min_days_apart(&day), 0.0);
        let later = PartialDate::month(1992, 3);
        assert!(year.min_days_apart(&later) > 365.0);
        // Out-of-range months and days are read as unknown, not a panic.
        let odd = PartialDate::day(1990, 13, 40);
        assert_eq!(odd.min_days_apart(&year), 0.0);
    }

    #[test]
    fn female_form_and_order_swap_give_a_high_score_with_reasons() {
        let a = person(1, &["Бегатаев Нурлан"]);
        let b = person(2, &["Nurlan Begatayeva"]);
        let s = score(&a, &b);
        assert!(s.score >= 0.9, "{s:?}");
        assert!(s.reasons.iter().any(|r| matches!(
            r,
            MatchReason::NameWords {
                agreement: TokenAgreement::SurnameSexForm,
                ..
            }
        )));
    }

    #[test]
    fn birth_year_apart_lowers_the_score_below_the_threshold() {
        let mut a = person(1, &["Begotaev Nurlan"]);
        let mut b = person(2, &["Begotaev Nurlan"]);
        a.birth = Some(PartialDate::year(1988));
        b.birth = Some(PartialDate::year(1975));
        let s = score(&a, &b);
        assert!(!MatcherConfig::default().proposes(&s), "{s:?}");
        assert!(
            s.reasons
                .contains(&MatchReason::BirthDisagrees { years_apart: 13 })
        );
        b.birth = Some(PartialDate::day(1988, 2, 3));
        let s = score(&a, &b);
        assert!(s.reasons.contains(&MatchReason::BirthAgrees));
    }

    #[test]
    fn colony_number_and_district_are_compared_across_scripts() {
        let mut a = person(1, &["Begotaev Nurlan"]);
        let mut b = person(2, &["Бегатаев Нурлан"]);
        a.colony = Some("ИК-19".into());
        b.colony = Some("colony No. 19".into());
        a.district = Some("Ак-Суу району".into());
        b.district = Some("Ak-Suu district".into());
        let s = score(&a, &b);
        assert!(
            s.reasons
                .iter()
                .any(|r| matches!(r, MatchReason::ColonyAgrees { .. })),
            "{s:?}"
        );
        assert!(
            s.reasons
                .iter()
                .any(|r| matches!(r, MatchReason::DistrictAgrees { .. })),
            "{s:?}"
        );
        b.colony = Some("IK-7".into());
        assert!(
            score(&a, &b)
                .reasons
                .iter()
                .any(|r| matches!(r, MatchReason::ColonyDiffers { .. }))
        );
    }

    #[test]
    fn deaths_years_apart_disagree() {
        let mut a = person(1, &["Begotaev Nurlan"]);
        let mut b = person(2, &["Begotaev Nurlan"]);
        a.events.push(PersonEvent {
            kind: EventKind::Death,
            date: PartialDate::month(2023, 2),
        });
        b.events.push(PersonEvent {
            kind: EventKind::Death,
            date: PartialDate::day(2023, 2, 20),
        });
        assert!(
            score(&a, &b)
                .reasons
                .contains(&MatchReason::EventDatesAgree(EventKind::Death))
        );
        b.events[0].date = PartialDate::year(2020);
        let s = score(&a, &b);
        assert!(
            s.reasons
                .contains(&MatchReason::EventDatesDisagree(EventKind::Death))
        );
        assert!(!MatcherConfig::default().proposes(&s));
    }

    #[test]
    fn one_common_given_name_is_not_a_match() {
        let s = score(
            &person(1, &["Nurlan Begotaev"]),
            &person(2, &["Nurlan Osmonaliev"]),
        );
        assert!(!MatcherConfig::default().proposes(&s), "{s:?}");
    }

    #[test]
    fn index_finds_the_same_person_and_not_others() {
        let records = vec![
            person(10, &["Begotaev Nurlan Asylbekovich"]),
            person(11, &["Osmonaliev Nurlan"]),
            person(12, &["Kadyrkulova Aigerim"]),
        ];
        let index = PersonIndex::build(records, MatcherConfig::default());
        let found = index.find_matches(person(99, &["Бегатанов Нурлан"]));
        assert_eq!(found.iter().map(|s| s.right).collect::<Vec<_>>(), [10]);
        let found = index.find_matches(person(98, &["Айгерим Кадыркулова"]));
        assert_eq!(found.iter().map(|s| s.right).collect::<Vec<_>>(), [12]);
        assert!(index.find_matches(person(97, &[""])).is_empty());
    }

    #[test]
    fn all_pairs_lists_each_pair_once() {
        let records = vec![
            person(1, &["Begotaev Nurlan"]),
            person(2, &["Бегатаев Нурлан"]),
            person(3, &["Nurlan Begotayev"]),
            person(4, &["Kadyrkulova Aigerim"]),
        ];
        let index = PersonIndex::build(records, MatcherConfig::default());
        let mut pairs: Vec<(u64, u64)> = index
            .all_pairs()
            .iter()
            .map(|s| (s.left, s.right))
            .collect();
        pairs.sort();
        assert_eq!(pairs, [(1, 2), (1, 3), (2, 3)]);
    }
}

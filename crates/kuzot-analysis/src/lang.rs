//! Language identification among the six languages kuzot reads: Russian, Kyrgyz, Uzbek
//! (Latin and Cyrillic), Tajik, Kazakh and English.
//!
//! Messages are short, mix languages, and Russian is often typed in Latin letters, so a
//! character n-gram profile trained on clean prose is a poor fit. Instead every word casts
//! a small vote:
//! - letters only some of the Cyrillic alphabets have decide most texts outright (ә ұ һ і
//!   are Kazakh, ў is Uzbek, ӣ ӯ ҷ are Tajik, ң ө ү are Kyrgyz or Kazakh, қ ғ are not Kyrgyz);
//! - a word list per language (`data/lang-words.tsv`: function words, numerals, the
//!   vocabulary of job offers and chats) adds its weight;
//! - a word with neither is judged by its ending (Kyrgyz `-нын`, Uzbek `-нинг`, Russian
//!   `-ого`), and failing that counts a little for Russian (Cyrillic) or English (Latin).
//!
//! The language with the most votes wins; the script is the one most letters are in.
//!
//! ```
//! use kuzot_analysis::lang::identify_language;
//! use kuzot_analysis::normalize::normalize;
//! let text = "Казандагы складка жүк ташуучулар керек, айлыгы жакшы.";
//! let guess = identify_language(text, &normalize(text));
//! assert_eq!((guess.lang, guess.script), ("ky", "Cyrl"));
//! ```

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use crate::lexicon::{LexiconError, parse_tsv};
use crate::normalize::Normalized;

/// A language decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LanguageGuess {
    /// ISO 639-1 code.
    pub lang: &'static str,
    /// ISO 15924 script (`Cyrl`, `Latn`).
    pub script: &'static str,
    /// Confidence in [0, 1]: the winner's share of all votes.
    pub confidence: f32,
}

/// The languages, in the order of the score arrays.
pub const LANGUAGES: [&str; 6] = ["ru", "ky", "uz", "tg", "kk", "en"];

const RU: usize = 0;
const KY: usize = 1;
const UZ: usize = 2;
const TG: usize = 3;
const KK: usize = 4;
const EN: usize = 5;

const WORDS_TSV: &str = include_str!("../data/lang-words.tsv");

/// Votes of one word-list entry: weight per language.
type Votes = [f32; 6];

/// FNV-1a: the maps are keyed by short words from a fixed, compiled-in list, so a fast
/// non-keyed hash is enough (and the default SipHash costs more than the lookup itself).
type WordHasher = BuildHasherDefault<Fnv>;

/// FNV-1a 64-bit state.
#[derive(Debug, Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A word ending that speaks for some languages.
#[derive(Debug)]
struct Ending {
    text: String,
    letters: usize,
    votes: Votes,
}

/// The compiled word lists and endings.
///
/// Every entry of the word list is one word, so it is looked up per word of the text:
/// a hash lookup for whole words, a short list per first letter for `prefix*` entries.
/// (The phrase automaton of `lexicon.rs` would report every one-letter word such as `и`
/// or `a` at each position inside longer words, which costs more than the lookups.)
#[derive(Debug)]
pub struct LanguageModel {
    words: HashMap<String, Votes, WordHasher>,
    prefixes: HashMap<char, Vec<(String, Votes)>, WordHasher>,
    /// Endings grouped by their last letter; in each group longest first, each with its
    /// length in letters and its votes.
    endings: HashMap<char, Vec<Ending>, WordHasher>,
}

impl LanguageModel {
    /// Builds the model from the compiled-in data file.
    pub fn try_new() -> Result<LanguageModel, LexiconError> {
        let file = "data/lang-words.tsv";
        let rows = parse_tsv(file, WORDS_TSV, 3)?;
        let mut words: HashMap<String, Votes, WordHasher> = HashMap::default();
        let mut prefixes: HashMap<char, Vec<(String, Votes)>, WordHasher> = HashMap::default();
        let mut endings: Vec<(String, Votes)> = Vec::new();
        for (line, row) in rows {
            let bad = |reason: String| LexiconError::Line {
                file: file.to_owned(),
                line,
                reason,
            };
            let weight: f32 = row[1]
                .parse()
                .map_err(|_| bad(format!("weight {:?} is not a number", row[1])))?;
            let mut votes = [0.0f32; 6];
            for code in row[0].split(',') {
                let index = LANGUAGES
                    .iter()
                    .position(|l| *l == code.trim())
                    .ok_or_else(|| bad(format!("unknown language {code:?}")))?;
                votes[index] = weight;
            }
            let pattern = row[2];
            if let Some(ending) = pattern.strip_prefix('-') {
                let ending = crate::normalize::normalize(ending).text().trim().to_owned();
                if ending.is_empty() {
                    return Err(bad("empty ending".into()));
                }
                endings.push((ending, votes));
            } else {
                let (stem, is_prefix) = match pattern.strip_suffix('*') {
                    Some(stem) => (stem, true),
                    None => (pattern, false),
                };
                let stem = crate::normalize::normalize(stem).text().trim().to_owned();
                let Some(first) = stem.chars().next() else {
                    return Err(bad("empty pattern".into()));
                };
                if stem.contains(' ') {
                    return Err(bad("one word per entry".into()));
                }
                if is_prefix {
                    prefixes.entry(first).or_default().push((stem, votes));
                } else {
                    let slot = words.entry(stem).or_insert([0.0; 6]);
                    for (s, v) in slot.iter_mut().zip(votes) {
                        *s = s.max(v);
                    }
                }
            }
        }
        let mut grouped: HashMap<char, Vec<Ending>, WordHasher> = HashMap::default();
        for (text, votes) in endings {
            let Some(last) = text.chars().next_back() else {
                continue;
            };
            grouped.entry(last).or_default().push(Ending {
                letters: text.chars().count(),
                text,
                votes,
            });
        }
        for group in grouped.values_mut() {
            group.sort_by_key(|e| std::cmp::Reverse(e.letters));
        }
        Ok(LanguageModel {
            words,
            prefixes,
            endings: grouped,
        })
    }

    /// The votes of a listed word: its exact entry, else the longest matching prefix entry.
    fn lookup(&self, word: &str) -> Option<&Votes> {
        if let Some(votes) = self.words.get(word) {
            return Some(votes);
        }
        let first = word.chars().next()?;
        self.prefixes
            .get(&first)?
            .iter()
            .filter(|(stem, _)| word.starts_with(stem.as_str()))
            .max_by_key(|(stem, _)| stem.len())
            .map(|(_, votes)| votes)
    }

    /// Identifies the main language of a normalised text (see the module docs).
    pub fn identify(&self, text: &Normalized) -> LanguageGuess {
        let haystack = text.text();
        let skipped = link_ranges(haystack);
        let in_link = |at: usize| skipped.iter().any(|&(s, e)| s <= at && at < e);
        let mut votes = [0.0f32; 6];
        let (mut cyrillic, mut latin) = (0usize, 0usize);
        let mut alphabet = Alphabet::default();
        for (start, end) in words(haystack) {
            if !skipped.is_empty() && in_link(start) {
                continue;
            }
            let Some(word) = haystack.get(start..end) else {
                continue;
            };
            let listed = self.lookup(word);
            if let Some(w) = listed {
                for (v, w) in votes.iter_mut().zip(w) {
                    *v += w;
                }
            }
            let is_listed = listed.is_some();
            let letters = letter_evidence(word);
            cyrillic += letters.cyrillic;
            latin += letters.latin;
            alphabet.merge(letters.alphabet);
            if letters.cyrillic + letters.latin == 0 {
                continue;
            }
            if letters.decided {
                for (v, w) in votes.iter_mut().zip(letters.votes) {
                    *v += w;
                }
                continue;
            }
            if is_listed {
                continue;
            }
            let ending = word.chars().next_back().and_then(|last| {
                let group = self.endings.get(&last)?;
                let letters = word.chars().count();
                group
                    .iter()
                    .find(|e| letters >= e.letters + 2 && word.ends_with(e.text.as_str()))
            });
            match ending {
                Some(e) => {
                    for (v, w) in votes.iter_mut().zip(&e.votes) {
                        *v += w;
                    }
                }
                None if letters.cyrillic > letters.latin => votes[RU] += 0.25,
                None => votes[EN] += 0.15,
            }
        }
        alphabet.constrain(&mut votes);
        let script = if latin > cyrillic { "Latn" } else { "Cyrl" };
        let default = if script == "Latn" { EN } else { RU };
        let mut best = default;
        for (i, v) in votes.iter().enumerate() {
            if *v > votes[best] {
                best = i;
            }
        }
        let total: f32 = votes.iter().sum();
        let confidence = if total > 0.0 {
            (votes[best] / total).clamp(0.0, 1.0)
        } else {
            0.0
        };
        LanguageGuess {
            lang: LANGUAGES[best],
            script,
            confidence,
        }
    }
}

/// The words of a normalised text as byte ranges: the same split as
/// [`Normalized::words`] (letters and digits, with inner apostrophes), but with a fast
/// path for the ASCII and Cyrillic letters that make up nearly all of kuzot's texts;
/// `char::is_alphanumeric` takes a slow table lookup for every Cyrillic letter, and
/// language identification looks at every word.
fn words(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, first) = loop {
            let (i, c) = chars.next()?;
            if is_word_char(c) {
                break (i, c);
            }
        };
        let mut end = start + first.len_utf8();
        while let Some(&(i, c)) = chars.peek() {
            if is_word_char(c) {
                end = i + c.len_utf8();
                chars.next();
            } else if c == '\''
                && text
                    .get(i + 1..)
                    .and_then(|rest| rest.chars().next())
                    .is_some_and(is_word_letter)
            {
                end = i + 1;
                chars.next();
            } else {
                break;
            }
        }
        Some((start, end))
    })
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if ('\u{0400}'..='\u{0481}').contains(&c) || ('\u{048A}'..='\u{052F}').contains(&c) {
        true
    } else {
        c.is_alphanumeric()
    }
}

fn is_word_letter(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else if ('\u{0400}'..='\u{0481}').contains(&c) || ('\u{048A}'..='\u{052F}').contains(&c) {
        true
    } else {
        c.is_alphabetic()
    }
}

/// Byte ranges of links, e-mail addresses and handles: their words are not language.
fn link_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut offset = 0;
    for token in text.split(' ') {
        let start = offset;
        offset += token.len() + 1;
        let core = token.trim_end_matches(['.', ',', ')', '!', '?', ';', ':']);
        let is_link = core.contains("://")
            || core.starts_with("www.")
            || core.contains('@')
            || core.contains('=')
            || core.contains('%')
            || looks_like_domain(core);
        if is_link {
            ranges.push((start, start + token.len()));
        }
    }
    ranges
}

/// `naked-science.ru`, `t.me/channel`: Latin name, a dot, a Latin top-level part.
fn looks_like_domain(token: &str) -> bool {
    let host = token.split('/').next().unwrap_or("");
    let Some((name, tld)) = host.rsplit_once('.') else {
        return false;
    };
    !name.is_empty()
        && (2..=6).contains(&tld.len())
        && tld.bytes().all(|b| b.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

/// What the letters of one word say.
struct LetterEvidence {
    cyrillic: usize,
    latin: usize,
    /// Which letter groups occur (see [`Alphabet`]).
    alphabet: Alphabet,
    /// True when the word has a letter that only some languages use.
    decided: bool,
    votes: Votes,
}

fn letter_evidence(word: &str) -> LetterEvidence {
    let (mut cyrillic, mut latin) = (0usize, 0usize);
    let (mut kk_only, mut uz_only, mut tg_only) = (false, false, false);
    let (mut ky_kk, mut q_g, mut h) = (false, false, false);
    let mut uz_latin = false;
    let mut y = false;
    let mut prev = '\0';
    for c in word.chars() {
        if ('\u{0400}'..='\u{052F}').contains(&c) {
            cyrillic += 1;
        } else if c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c) {
            latin += 1;
        }
        match c {
            'ә' | 'ұ' | 'һ' | 'і' => kk_only = true,
            'ў' => uz_only = true,
            'ӣ' | 'ӯ' | 'ҷ' => tg_only = true,
            'ң' | 'ө' | 'ү' => ky_kk = true,
            'қ' | 'ғ' => q_g = true,
            'ҳ' => h = true,
            'ы' => y = true,
            // Uzbek Latin writes oʻ and gʻ; the normaliser made every variant `'`.
            '\'' if matches!(prev, 'o' | 'g') => uz_latin = true,
            _ => {}
        }
        prev = c;
    }
    let mut votes = [0.0f32; 6];
    let mut decided = true;
    if tg_only {
        votes[TG] = 1.5;
    } else if uz_only {
        votes[UZ] = 1.5;
    } else if kk_only || (ky_kk && q_g) || (q_g && y) {
        votes[KK] = 1.5;
    } else if ky_kk {
        votes[KY] = 1.0;
        votes[KK] = 0.6;
    } else if q_g && h {
        votes[UZ] = 0.8;
        votes[TG] = 0.8;
    } else if q_g {
        votes[UZ] = 0.6;
        votes[TG] = 0.6;
        votes[KK] = 0.6;
    } else if h {
        votes[UZ] = 0.8;
        votes[TG] = 0.8;
    } else if uz_latin {
        votes[UZ] = 1.2;
    } else {
        decided = false;
    }
    LetterEvidence {
        cyrillic,
        latin,
        alphabet: Alphabet {
            kk_only,
            uz_only,
            tg_only,
            ky_kk,
            q_g,
            y,
        },
        decided,
        votes,
    }
}

/// Letter groups seen anywhere in a text. A letter that an alphabet lacks makes that
/// language unlikely for the whole text, whatever its word lists say.
#[derive(Debug, Clone, Copy, Default)]
struct Alphabet {
    /// ә ұ һ і: Kazakh only.
    kk_only: bool,
    /// ў: Uzbek only.
    uz_only: bool,
    /// ӣ ӯ ҷ: Tajik only.
    tg_only: bool,
    /// ң ө ү: Kyrgyz and Kazakh.
    ky_kk: bool,
    /// қ ғ: Kazakh, Uzbek, Tajik; never Kyrgyz.
    q_g: bool,
    /// ы: Russian, Kyrgyz, Kazakh; not Uzbek or Tajik.
    y: bool,
}

impl Alphabet {
    fn merge(&mut self, other: Alphabet) {
        self.kk_only |= other.kk_only;
        self.uz_only |= other.uz_only;
        self.tg_only |= other.tg_only;
        self.ky_kk |= other.ky_kk;
        self.q_g |= other.q_g;
        self.y |= other.y;
    }

    /// Scales down the votes of languages whose alphabet lacks letters the text uses.
    fn constrain(self, votes: &mut Votes) {
        if self.kk_only {
            votes[KY] *= 0.2;
            votes[UZ] *= 0.3;
            votes[TG] *= 0.3;
        }
        if self.q_g && !self.uz_only && !self.tg_only {
            votes[KY] *= 0.4;
        }
        if self.ky_kk && !self.uz_only && !self.tg_only {
            votes[UZ] *= 0.4;
            votes[TG] *= 0.4;
        }
        if self.uz_only || self.tg_only {
            votes[KY] *= 0.3;
            votes[KK] *= 0.3;
        }
        if self.y && !self.uz_only && !self.tg_only {
            votes[UZ] *= 0.5;
            votes[TG] *= 0.5;
        }
    }
}

static MODEL: LazyLock<Result<LanguageModel, LexiconError>> = LazyLock::new(LanguageModel::try_new);

/// Identifies the main language of a text. `original` is the text as written and `text`
/// its normalised form; only the normalised form is read today (kept in the signature so
/// that case or punctuation of the original can be used later).
///
/// If the compiled-in word list were broken (a unit test guards against that) the answer
/// would fall back to letters alone.
pub fn identify_language(_original: &str, text: &Normalized) -> LanguageGuess {
    match &*MODEL {
        Ok(model) => model.identify(text),
        Err(_) => fallback(text),
    }
}

/// Letters-only identification, for the case where the word list cannot be built.
fn fallback(text: &Normalized) -> LanguageGuess {
    let mut votes = [0.0f32; 6];
    let (mut cyrillic, mut latin) = (0usize, 0usize);
    for (start, end) in text.words() {
        let Some(word) = text.text().get(start..end) else {
            continue;
        };
        let e = letter_evidence(word);
        cyrillic += e.cyrillic;
        latin += e.latin;
        for (v, w) in votes.iter_mut().zip(e.votes) {
            *v += w;
        }
    }
    let script = if latin > cyrillic { "Latn" } else { "Cyrl" };
    let mut best = if script == "Latn" { EN } else { RU };
    for (i, v) in votes.iter().enumerate() {
        if *v > votes[best] {
            best = i;
        }
    }
    LanguageGuess {
        lang: LANGUAGES[best],
        script,
        confidence: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;
    use proptest::prelude::*;

    fn lang(text: &str) -> (&'static str, &'static str) {
        let g = identify_language(text, &normalize(text));
        (g.lang, g.script)
    }

    #[test]
    fn compiled_word_list_is_valid() {
        let model = LanguageModel::try_new().expect("data/lang-words.tsv is valid");
        assert!(model.words.len() + model.prefixes.len() > 500);
        assert!(!model.endings.is_empty());
    }

    #[test]
    fn each_language_and_script() {
        assert_eq!(
            lang("Требуются грузчики на склад, оплата каждый день"),
            ("ru", "Cyrl")
        );
        assert_eq!(
            lang("Курулушка жумушчулар керек, айлыгы 60 миң сом"),
            ("ky", "Cyrl")
        );
        assert_eq!(lang("Бишкекте иш бар, айлык жакшы"), ("ky", "Cyrl"));
        assert_eq!(
            lang("Құрылысқа жұмысшылар қажет, жалақы жоғары"),
            ("kk", "Cyrl")
        );
        assert_eq!(
            lang("Qurilishga ishchilar kerak, oylik yaxshi, yotoqxona bepul"),
            ("uz", "Latn")
        );
        assert_eq!(
            lang("Қурилишга ишчилар керак, ойлик яхши, ётоқхона бепул"),
            ("uz", "Cyrl")
        );
        assert_eq!(
            lang("Барои таъмири хонаҳо устоҳо даркоранд, маош хуб, ҷои зист ҳаст"),
            ("tg", "Cyrl")
        );
        assert_eq!(
            lang("Workers needed for a warehouse, pay weekly"),
            ("en", "Latn")
        );
    }

    #[test]
    fn tajik_in_an_old_font_encoding_is_tajik() {
        // Invented headline and sentence typed with the substitutes љ, њ, ѓ, ї, ќ, ў.
        assert_eq!(
            lang("ЊУКУМАТИ ШАЊРИ ДУШАНБЕ: маблаѓи буљети нав тасдиќ шуд"),
            ("tg", "Cyrl")
        );
        assert_eq!(
            lang(
                "Писари ў дар Россия кор мекард ва бо шартнома ба љанг рафт, модараш ба њамсояњо гуфт"
            ),
            ("tg", "Cyrl")
        );
    }

    #[test]
    fn russian_in_latin_letters_is_russian() {
        assert_eq!(
            lang("rabota v Moskve, zarplata 80 000, zvonite"),
            ("ru", "Latn")
        );
        assert_eq!(lang("Bratya, kto znaet gde rabota est?"), ("ru", "Latn"));
    }

    #[test]
    fn mixed_messages_follow_the_majority() {
        // Kyrgyz with a Russian job title and a Russian-spelled city.
        assert_eq!(
            lang("Дүкөнгө сатуучу (продавец) керек, Казань, айлык 70 миң рубль"),
            ("ky", "Cyrl")
        );
        // Russian with one Kyrgyz name in it.
        assert_eq!(
            lang("В Москве задержали Үсөна и ещё троих, сообщили в полиции"),
            ("ru", "Cyrl")
        );
    }

    #[test]
    fn links_are_not_language() {
        assert_eq!(
            lang(
                "Учёные нашли кратер\n\nhttps://naked-science.ru/article/geology/v-kitae-nashli-the-crater"
            ),
            ("ru", "Cyrl")
        );
        assert_eq!(lang("Пишите @work_in_the_city_for_you"), ("ru", "Cyrl"));
    }

    #[test]
    fn empty_and_digits_only() {
        assert_eq!(lang(""), ("ru", "Cyrl"));
        assert_eq!(lang("8 900 271 64 09"), ("ru", "Cyrl"));
    }

    proptest! {
        #[test]
        fn words_split_like_the_normaliser(s in "\\PC{0,120}") {
            let n = normalize(&s);
            let ours: Vec<(usize, usize)> = words(n.text()).collect();
            let theirs: Vec<(usize, usize)> = n.words().collect();
            prop_assert_eq!(ours, theirs);
        }

        #[test]
        fn never_panics(s in "\\PC{0,200}") {
            let g = identify_language(&s, &normalize(&s));
            prop_assert!((0.0..=1.0).contains(&g.confidence));
            prop_assert!(LANGUAGES.contains(&g.lang));
        }
    }
}

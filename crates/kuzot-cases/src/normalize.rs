//! A person's name reduced to comparable forms.
//!
//! The same person is written Бегатаев, Begotayev, Бегатаева, Begotaev Nurlan or
//! Нурлан Асанбек уулу depending on the source's script, language and transliteration
//! system. [`normalize_name`] turns any of these into tokens that carry three forms:
//!
//! - `folded`: one Latin spelling in which the transliteration systems agree (ж, zh, j, dzh
//!   → `j`; х, kh, h, x → `h`; й, ы, y, i → `i`; ц, ts, c → `c`; ш, sh → `š`; ч, ch → `č`;
//!   щ, shch → `š`; ю, yu, iu → `iu`; я, ya, ia → `ia`; Uzbek oʻ/ў → `u`, gʻ/ғ → `g`;
//!   Kyrgyz ң ө ү, Tajik ӣ ӯ ҷ, Kazakh ә ұ і and the rest to their nearest Latin letter);
//! - `stem`: the folded form without the endings that change with sex or generation
//!   (-ova/-eva/-ina, -ov/-ev/-in, -ovich/-ovna): Begotaeva and Begotaev share the stem
//!   `begota`, and the patronymic Asanbekovich shares `asanbek` with the surname Asanbekov;
//! - `skeleton`: the stem's consonants in sound classes (b/p, v/f, g/k, d/t, z/s/c), its
//!   vowels dropped, which survives vowel spellings (Uzbek o for Russian а) and voicing.
//!
//! A Latin word may hold a letter pair that is one letter under one transliteration and
//! two letters under another: "sh" is ш in Shamshiev but с+х in Ashat (Асхат), "ts" is ц
//! in Tsoi but т+с in Matsuev (Матсуев); likewise "kh" (к+х), "zh" (з+х), "ch" (ц+х).
//! Such a word gets a second reading, [`NameToken::split`], in which every such pair is
//! two letters; the matcher compares both readings. ("yu" and "ya" need none: y and i
//! are one letter in the folded spelling, so ю and ы+у already agree.)
//!
//! Kyrgyz and Uzbek patronymic words (уулу/uulu, кызы/kyzy, oʻgʻli/ўғли, qizi) are
//! dropped and the name before them is marked as a patronymic. Latin letters hidden in a
//! Cyrillic word (and the reverse), a trick used to slip past filters, are read as the
//! word's script. The order of tokens is kept but carries no meaning for matching.
//!
//! No crate provides these tables for Central Asian names in Cyrillic and Latin, so they
//! are written here by hand (the phonetic matching itself is Beider-Morse, from
//! `rphonetic`).
//!
//! Input is untrusted: it is cut to [`MAX_NAME_CHARS`] characters and [`MAX_TOKENS`]
//! tokens of at most [`MAX_TOKEN_CHARS`] characters, so that a pasted megabyte costs no
//! more than a name.

use unicode_normalization::UnicodeNormalization;

/// Characters of a name read at most; the rest is ignored.
pub const MAX_NAME_CHARS: usize = 200;
/// Tokens of a name kept at most (a surname, given names, patronymic, particles).
pub const MAX_TOKENS: usize = 8;
/// Characters of one token kept at most: longer words are not names, and the phonetic
/// encoder's cost grows with length.
pub const MAX_TOKEN_CHARS: usize = 40;

/// What a token is within the name, as far as its form tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRole {
    /// A surname or given name (their order says nothing reliable).
    Name,
    /// A father's name: ending in -ovich/-ovna or followed by uulu, kyzy, oʻgʻli, qizi.
    Patronymic,
}

/// The ending removed from a token to reach its stem, kept to explain a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// A female surname ending (-ova, -eva, -ina, -skaya).
    FemaleSurname,
    /// A male surname ending (-ov, -ev, -in).
    MaleSurname,
    /// A Russian-style patronymic ending (-ovich, -evich, -ovna, -evna).
    PatronymicSuffix,
    /// A separate patronymic word followed the token (uulu, kyzy, oʻgʻli, qizi).
    PatronymicWord,
}

/// A second reading of a Latin word, with its letter pairs read as two letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitReading {
    /// The word folded with every sh, kh, ts, zh, ch read as two letters.
    pub folded: String,
    /// `folded` without a sex or patronymic ending.
    pub stem: String,
    /// The stem's consonant skeleton.
    pub skeleton: String,
}

/// One word of a name in its comparable forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameToken {
    /// The word as the source wrote it (cut to [`MAX_TOKEN_CHARS`]), with a following
    /// patronymic particle ("Асанбек уулу"): what a caseworker is shown.
    pub written: String,
    /// The word in one Latin spelling (see the module documentation).
    pub folded: String,
    /// `folded` without a sex or patronymic ending.
    pub stem: String,
    /// The stem's consonants in sound classes, vowels dropped (an initial vowel is `a`).
    pub skeleton: String,
    /// Surname/given name or patronymic.
    pub role: TokenRole,
    /// The ending removed to reach the stem, if any.
    pub ending: Option<Ending>,
    /// The reading with Latin letter pairs split, where it differs from `folded`.
    pub split: Option<SplitReading>,
}

/// A name as a list of comparable tokens.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NormalizedName {
    /// The tokens, in the order written.
    pub tokens: Vec<NameToken>,
}

/// Reduces a name, in any script and spelling, to comparable tokens. Never panics; an
/// input with no letters gives no tokens.
pub fn normalize_name(raw: &str) -> NormalizedName {
    let bounded: String = raw.chars().take(MAX_NAME_CHARS).collect();
    let composed: String = bounded.nfc().collect();
    let mut words: Vec<(String, String, String)> = Vec::new();
    for word in split_words(&composed) {
        let word: String = word.chars().take(MAX_TOKEN_CHARS).collect();
        let folded = fold_word(&word, false);
        if !folded.is_empty() {
            let split = fold_word(&word, true);
            words.push((word, folded, split));
        }
        if words.len() >= MAX_TOKENS * 2 {
            break;
        }
    }
    let mut tokens: Vec<NameToken> = Vec::new();
    for (written, folded, split) in words {
        if is_patronymic_word(&folded) {
            // Kyrgyz "Асанбек уулу", Uzbek "Rustam oʻgʻli": the word before is the father's.
            if let Some(previous) = tokens.last_mut()
                && previous.role == TokenRole::Name
            {
                previous.role = TokenRole::Patronymic;
                previous.ending = Some(Ending::PatronymicWord);
                // The father's name may itself carry a surname-like ending; it stays.
                previous.stem = previous.folded.clone();
                previous.skeleton = skeleton(&previous.stem);
                if let Some(reading) = previous.split.as_mut() {
                    reading.stem = reading.folded.clone();
                    reading.skeleton = skeleton(&reading.stem);
                }
                previous.written.push(' ');
                previous.written.push_str(&written);
            }
            continue;
        }
        if tokens.len() < MAX_TOKENS {
            let mut token = token_from_folded(folded);
            if split != token.folded {
                let reading = token_from_folded(split);
                token.split = Some(SplitReading {
                    folded: reading.folded,
                    stem: reading.stem,
                    skeleton: reading.skeleton,
                });
            }
            token.written = written;
            tokens.push(token);
        }
    }
    NormalizedName { tokens }
}

/// Splits on everything that is neither a letter nor an apostrophe (Uzbek oʻ and gʻ are
/// written with one), so hyphens, digits, punctuation and control characters separate.
fn split_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphabetic() || is_apostrophe(c)))
        .filter(|word| !word.is_empty())
}

/// The apostrophe-like characters seen in Uzbek Latin oʻ and gʻ (and in Russian ъ).
fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '`'
            | '\u{00B4}' // acute accent
            | '\u{02B9}' // modifier prime
            | '\u{02BB}' // modifier turned comma (the official oʻ)
            | '\u{02BC}' // modifier apostrophe
            | '\u{02BD}' // modifier reversed comma
            | '\u{02C8}' // modifier vertical line
            | '\u{2018}' // left single quotation mark
            | '\u{2019}' // right single quotation mark
            | '\u{201B}' // single high-reversed-9 quotation mark
            | '\u{2032}' // prime
    )
}

fn is_patronymic_word(folded: &str) -> bool {
    matches!(
        folded,
        // уулу, uulu, улы (Kazakh), кызы, kyzy, qizi, қызы, ўғли, oʻgʻli, ogli, ugli
        "uulu" | "ulu" | "uli" | "kizi" | "ugli" | "ogli" | "oglu" | "uglu"
    )
}

/// Whether a character is a Cyrillic letter.
fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}' | '\u{0500}'..='\u{052F}')
}

/// Latin letters that look like Cyrillic ones, with the Cyrillic letter they imitate.
const LATIN_LOOKALIKES: &[(char, char)] = &[
    ('a', 'а'),
    ('A', 'А'),
    ('B', 'В'),
    ('c', 'с'),
    ('C', 'С'),
    ('e', 'е'),
    ('E', 'Е'),
    ('H', 'Н'),
    ('i', 'і'),
    ('K', 'К'),
    ('k', 'к'),
    ('M', 'М'),
    ('o', 'о'),
    ('O', 'О'),
    ('p', 'р'),
    ('P', 'Р'),
    ('T', 'Т'),
    ('x', 'х'),
    ('X', 'Х'),
    ('y', 'у'),
    ('Y', 'У'),
];

/// Reads the look-alike letters of a mixed-script word as the script of the majority of
/// its letters (a Latin `p` inside Бегоpов is an `р`).
fn unify_script(word: &str) -> String {
    let cyrillic = word.chars().filter(|&c| is_cyrillic(c)).count();
    let latin = word.chars().filter(|c| c.is_ascii_alphabetic()).count();
    if cyrillic == 0 || latin == 0 {
        return word.to_string();
    }
    let to_cyrillic = cyrillic >= latin;
    word.chars()
        .map(|c| {
            LATIN_LOOKALIKES
                .iter()
                .find(|&&(lat, cyr)| if to_cyrillic { c == lat } else { c == cyr })
                .map_or(c, |&(lat, cyr)| if to_cyrillic { cyr } else { lat })
        })
        .collect()
}

/// One Cyrillic letter (lower case) in the Latin letters of the folded spelling. The
/// output uses the folded conventions directly (`j` for ж, `h` for х, `č`, `š`, `c`).
fn cyrillic_to_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'а' | 'ә' => "a",
        'б' => "b",
        'в' => "v",
        'г' | 'ғ' | 'ґ' => "g",
        'д' => "d",
        'е' | 'э' | 'є' => "e",
        // Russian itself writes ё as е more often than not.
        'ё' => "e",
        'ж' | 'ҷ' | 'җ' => "j",
        'з' => "z",
        'и' | 'й' | 'ы' | 'і' | 'ї' | 'ӣ' => "i",
        'к' | 'қ' => "k",
        'л' => "l",
        'м' => "m",
        'н' | 'ң' => "n",
        'о' | 'ө' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ү' | 'ў' | 'ӯ' | 'ұ' => "u",
        'ф' => "f",
        'х' | 'ҳ' | 'һ' => "h",
        'ц' => "c",
        'ч' | 'ҹ' => "č",
        'ш' | 'щ' => "š",
        'ъ' | 'ь' => "",
        'ю' => "iu",
        'я' => "ia",
        _ => return None,
    })
}

/// Latin letters with diacritics used in Turkic and Slavic Latin spellings.
fn latin_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'ä' | 'á' | 'à' | 'â' | 'ã' | 'å' | 'ə' => "a",
        'é' | 'è' | 'ê' | 'ë' | 'ė' => "e",
        'í' | 'ì' | 'î' | 'ï' | 'ı' => "i",
        'ó' | 'ò' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' => "o",
        'ú' | 'ù' | 'û' | 'ü' | 'ű' | 'ū' => "u",
        'ý' | 'ÿ' => "i",
        'ñ' | 'ň' => "n",
        'ç' | 'č' => "č",
        'ş' | 'š' | 'ś' => "š",
        'ž' | 'ź' | 'ż' => "j",
        'ğ' => "g",
        'ł' => "l",
        _ => return None,
    })
}

/// Folds one word (any script, any case) to the Latin spelling described in the module
/// documentation; with `split_pairs`, the Latin letter pairs sh, kh, ts, zh and ch are read
/// as two letters. Letters of other scripts are dropped.
fn fold_word(word: &str, split_pairs: bool) -> String {
    let unified = unify_script(word);
    // First pass: one lower-case Latin string; Cyrillic letters transliterated, Uzbek oʻ
    // and gʻ read before other apostrophes are dropped.
    let lower: Vec<char> = unified.chars().flat_map(char::to_lowercase).collect();
    // Each letter is kept with whether it came from a Cyrillic letter: the Latin digraph
    // rules must not join what Cyrillic wrote as two sounds (Асхат is s-h, not ш).
    let mut latin: Vec<(char, bool)> = Vec::with_capacity(lower.len() + 4);
    for (i, &c) in lower.iter().enumerate() {
        let next = lower.get(i + 1).copied();
        if c == 'o' && next.is_some_and(is_apostrophe) {
            latin.push(('u', false)); // Uzbek oʻ is the ў that Russian writes у
        } else if is_apostrophe(c) {
            // gʻ (ғ) is read as g; ъ written as an apostrophe is silent.
        } else if c.is_ascii_alphabetic() {
            latin.push((c, false));
        } else if c == 'д' && next == Some('ж') {
            // дж is one sound, the ж that other spellings write j or zh.
        } else if let Some(s) = cyrillic_to_latin(c) {
            latin.extend(s.chars().map(|l| (l, true)));
        } else if let Some(s) = latin_letter(c) {
            latin.extend(s.chars().map(|l| (l, false)));
        } else {
            // Any other accented Latin letter: its base letter, if that is plain ASCII.
            latin.extend(
                std::iter::once(c)
                    .nfd()
                    .filter(char::is_ascii_alphabetic)
                    .map(|l| (l, false)),
            );
        }
    }
    fold_latin(&latin, split_pairs)
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

/// Folds the transliteration systems of a lower-case Latin word into one spelling.
/// Letters that came from Cyrillic are never read as part of a Latin digraph; with
/// `split_pairs`, neither are the pairs that also spell two Cyrillic letters (sh с+х,
/// kh к+х, ts т+с, zh з+х, ch ц+х).
fn fold_latin(latin: &[(char, bool)], split_pairs: bool) -> String {
    // A Cyrillic-born letter is hidden behind a placeholder in the digraph windows.
    let at = |i: usize| match latin.get(i) {
        Some(&(c, false)) => c,
        Some(&(_, true)) => '\u{1}',
        None => '\0',
    };
    let mut out: Vec<char> = Vec::with_capacity(latin.len());
    let mut i = 0;
    while i < latin.len() {
        if let Some(&(c, true)) = latin.get(i) {
            out.push(c);
            i += 1;
            continue;
        }
        let (c1, c2, c3, c4) = (at(i), at(i + 1), at(i + 2), at(i + 3));
        let splits = split_pairs
            && matches!(
                (c1, c2),
                ('s', 'h') | ('k', 'h') | ('t', 's') | ('z', 'h') | ('c', 'h')
            );
        let (folded, used) = match (c1, c2, c3, c4) {
            // The split reading: the first letter alone; the second is read on its own
            // at the next step (h stays h, s stays s).
            (c, _, _, _) if splits => (c, 1),
            ('s', 'h', 'c', 'h') => ('š', 4), // щ shch
            ('s', 'c', 'h', _) => ('š', 3),   // щ sch (German-style)
            ('d', 'z', 'h', _) => ('j', 3),   // дж dzh
            ('t', 'c', 'h', _) => ('č', 3),   // ч tch
            ('s', 'h', _, _) => ('š', 2),     // ш sh
            ('c', 'h', _, _) => ('č', 2),     // ч ch
            ('z', 'h', _, _) | ('d', 'j', _, _) => ('j', 2), // ж zh, дж dj
            ('k', 'h', _, _) => ('h', 2),     // х kh
            ('t', 's', _, _) | ('t', 'z', _, _) => ('c', 2), // ц ts tz
            ('g', 'h', _, _) => ('g', 2),     // ғ gh
            ('p', 'h', _, _) => ('f', 2),
            ('c', 'k', _, _) => ('k', 2),
            ('x', _, _, _) => ('h', 1), // Uzbek x is х
            ('q', _, _, _) => ('k', 1), // Uzbek and Kazakh q is қ, Russian к
            ('w', _, _, _) => ('v', 1),
            ('y', _, _, _) => ('i', 1), // й y i, ы y i
            (c, _, _, _) => (c, 1),
        };
        out.push(folded);
        i += used;
    }
    // A y/i glide between vowels is written or not (Begotayev, Begotaev): drop it. At
    // the start, ye- and e- are the same letter е (Yergesh, Ergesh).
    let mut glided: Vec<char> = Vec::with_capacity(out.len());
    for (k, &c) in out.iter().enumerate() {
        let between_vowels = k > 0
            && c == 'i'
            && is_vowel(out[k - 1])
            && out.get(k + 1).is_some_and(|&n| is_vowel(n) && n != 'i');
        let initial_ye = k == 0 && c == 'i' && out.get(1) == Some(&'e');
        if !(between_vowels || initial_ye) {
            glided.push(c);
        }
    }
    // ё after a consonant is written yo, io or e (Fyodor, Fedor): read it as e.
    let mut k = 1;
    while k + 1 < glided.len() {
        if glided[k] == 'i' && glided[k + 1] == 'o' && !is_vowel(glided[k - 1]) {
            glided.remove(k);
            glided[k] = 'e';
        }
        k += 1;
    }
    // Doubled letters are a spelling habit, not a sound (Ibragimmov, Nurllan).
    glided.dedup();
    glided.into_iter().collect()
}

/// Endings removed to reach the stem, longest first, with the length kept at least.
const FEMALE_ENDINGS: &[(&str, &str)] = &[
    ("skaia", "ski"),
    ("ova", "ov"),
    ("eva", "ev"),
    ("ina", "in"),
];
const PATRONYMIC_ENDINGS: &[&str] = &["ovič", "evič", "ovna", "evna"];
const MALE_ENDINGS: &[&str] = &["ov", "ev", "in", "ski"];
/// A stem shorter than this keeps its ending (Ina, Lev and Olga are not surnames).
const MIN_STEM_CHARS: usize = 3;

fn strip_suffix_keeping<'a>(word: &'a str, suffix: &str) -> Option<&'a str> {
    word.strip_suffix(suffix)
        .filter(|stem| stem.chars().count() >= MIN_STEM_CHARS)
}

fn token_from_folded(folded: String) -> NameToken {
    let mut role = TokenRole::Name;
    let mut ending = None;
    let mut stem = folded.clone();
    if let Some(root) = PATRONYMIC_ENDINGS
        .iter()
        .find_map(|suffix| strip_suffix_keeping(&folded, suffix))
    {
        role = TokenRole::Patronymic;
        ending = Some(Ending::PatronymicSuffix);
        stem = root.to_string();
    } else if let Some((root, _)) = FEMALE_ENDINGS
        .iter()
        .find_map(|(female, male)| strip_suffix_keeping(&folded, female).map(|r| (r, male)))
    {
        ending = Some(Ending::FemaleSurname);
        stem = root.to_string();
    } else if let Some(root) = MALE_ENDINGS
        .iter()
        .find_map(|suffix| strip_suffix_keeping(&folded, suffix))
    {
        ending = Some(Ending::MaleSurname);
        stem = root.to_string();
    }
    let skeleton = skeleton(&stem);
    NameToken {
        written: String::new(),
        folded,
        stem,
        skeleton,
        role,
        ending,
        split: None,
    }
}

/// The consonant skeleton of a folded word: consonants in sound classes, vowels dropped,
/// an initial vowel kept as `a`, repeats collapsed. `ng` before a consonant or at the end
/// is Kyrgyz ң, which Russian spelling writes н.
pub fn skeleton(folded: &str) -> String {
    let chars: Vec<char> = folded.chars().collect();
    let mut out = String::with_capacity(chars.len());
    let mut last: Option<char> = None;
    for (i, &c) in chars.iter().enumerate() {
        let class = match c {
            'a' | 'e' | 'i' | 'o' | 'u' => {
                if i == 0 {
                    Some('a')
                } else {
                    None
                }
            }
            'b' | 'p' => Some('b'),
            'v' | 'f' => Some('v'),
            'g' if i > 0
                && chars[i - 1] == 'n'
                && chars.get(i + 1).is_none_or(|&n| !is_vowel(n)) =>
            {
                None
            }
            'g' | 'k' => Some('k'),
            'd' | 't' => Some('t'),
            'z' | 's' | 'c' => Some('s'),
            'h' | 'j' | 'č' | 'š' | 'l' | 'm' | 'n' | 'r' => Some(c),
            _ => None,
        };
        if let Some(class) = class
            && last != Some(class)
        {
            out.push(class);
            last = Some(class);
        } else if class.is_none() && is_vowel(c) {
            // A vowel separates repeats: Begegev keeps both g's.
            last = None;
        }
    }
    out
}

/// The folded form of a word written for the phonetic encoder, which reads plain Latin
/// letters: the folded letters that stand for digraphs are spelt out again.
pub fn for_phonetic_encoder(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len() + 4);
    for c in folded.chars() {
        match c {
            'j' => out.push_str("zh"),
            'h' => out.push_str("kh"),
            'č' => out.push_str("ch"),
            'š' => out.push_str("sh"),
            'c' => out.push_str("ts"),
            c if c.is_ascii_lowercase() => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(name: &str) -> Vec<String> {
        normalize_name(name)
            .tokens
            .into_iter()
            .map(|t| t.folded)
            .collect()
    }

    fn stems(name: &str) -> Vec<String> {
        normalize_name(name)
            .tokens
            .into_iter()
            .map(|t| t.stem)
            .collect()
    }

    #[test]
    fn zh_j_dzh_and_cyrillic_zh_fold_together() {
        for spelling in [
            "Zhumabekov",
            "Jumabekov",
            "Dzhumabekov",
            "Жумабеков",
            "Джумабеков",
        ] {
            assert_eq!(folded(spelling), ["jumabekov"], "{spelling}");
        }
    }

    #[test]
    fn short_i_and_yery_fold_to_i() {
        assert_eq!(folded("Aybek"), folded("Айбек"));
        assert_eq!(folded("Aibek"), folded("Айбек"));
        assert_eq!(folded("Kydyrov"), folded("Кыдыров"));
        assert_eq!(folded("Kidirov"), folded("Кыдыров"));
    }

    #[test]
    fn kh_h_x_fold_together() {
        for spelling in ["Khasanov", "Hasanov", "Xasanov", "Хасанов", "Ҳасанов"] {
            assert_eq!(folded(spelling), ["hasanov"], "{spelling}");
        }
    }

    #[test]
    fn yo_and_e_differ_only_in_a_vowel() {
        // ё is yo or e: the skeleton ignores the vowel.
        let yo = normalize_name("Сёмин");
        let e = normalize_name("Semin");
        assert_eq!(yo.tokens[0].skeleton, e.tokens[0].skeleton);
        assert_eq!(folded("Syomin"), folded("Сёмин"));
    }

    #[test]
    fn cyrillic_letter_pairs_are_not_read_as_latin_digraphs() {
        // Асхат is a-s-h-a-t; Askhat and Asxat write the same sounds.
        assert_eq!(folded("Асхат"), ["ashat"]);
        assert_eq!(folded("Askhat"), folded("Асхат"));
        assert_eq!(folded("Asxat"), folded("Асхат"));
        // Latin sh is still ш.
        assert_eq!(folded("Shamshiev"), ["šamšiev"]);
        // ...and Cyrillic дж is still one sound.
        assert_eq!(folded("Джамшед"), ["jamšed"]);
    }

    fn split_reading(name: &str) -> Vec<Option<String>> {
        normalize_name(name)
            .tokens
            .into_iter()
            .map(|t| t.split.map(|s| s.folded))
            .collect()
    }

    #[test]
    fn latin_letter_pairs_get_a_second_reading_as_two_letters() {
        assert_eq!(folded("Ashat"), ["ašat"]);
        assert_eq!(split_reading("Ashat"), [Some("ashat".to_string())]);
        assert_eq!(split_reading("Matsuev"), [Some("matsuev".to_string())]);
        assert_eq!(split_reading("Iskhakova"), [Some("iskhakova".to_string())]);
        assert_eq!(split_reading("Izhak"), [Some("izhak".to_string())]);
        // Every pair of the word is split; dzh and sch stay one sound.
        assert_eq!(split_reading("Shamshiev"), [Some("shamshiev".to_string())]);
        assert_eq!(split_reading("Dzhumabek"), [None]);
        // Cyrillic words and Latin words without such a pair have one reading.
        assert_eq!(split_reading("Асхат Бекназаров"), [None, None]);
        assert_eq!(split_reading("Nurlan"), [None]);
        // The split reading has its own stem and skeleton.
        let token = &normalize_name("Ishakova").tokens[0];
        let split = token.split.as_ref().expect("a split reading");
        assert_eq!(split.stem, "ishak");
        assert_eq!(split.skeleton, skeleton("ishak"));
    }

    #[test]
    fn written_forms_are_kept_with_their_particle() {
        let name = normalize_name("Асанбек  уулу\tНурлан-Ormokeev");
        let written: Vec<&str> = name.tokens.iter().map(|t| t.written.as_str()).collect();
        assert_eq!(written, ["Асанбек уулу", "Нурлан", "Ormokeev"]);
    }

    #[test]
    fn ts_and_c_fold_together() {
        assert_eq!(folded("Tsoi"), folded("Цой"));
        assert_eq!(folded("Coi"), folded("Цой"));
    }

    #[test]
    fn ch_sh_shch_fold_to_single_letters() {
        assert_eq!(folded("Chynybekov"), folded("Чыныбеков"));
        assert_eq!(folded("Shamshiev"), folded("Шамшиев"));
        assert_eq!(folded("Shchukin"), folded("Щукин"));
        assert_eq!(folded("Schukin"), folded("Щукин"));
    }

    #[test]
    fn yu_iu_and_ya_ia_fold_together() {
        assert_eq!(folded("Yusupov"), folded("Юсупов"));
        assert_eq!(folded("Iusupov"), folded("Юсупов"));
        assert_eq!(folded("Yakubova"), folded("Якубова"));
        assert_eq!(folded("Iakubova"), folded("Якубова"));
    }

    #[test]
    fn glide_between_vowels_is_dropped() {
        assert_eq!(folded("Begotayev"), folded("Begotaev"));
        assert_eq!(folded("Бегатаев"), folded("Begatayev"));
        assert_eq!(folded("Yergeshov"), folded("Ergeshov"));
    }

    #[test]
    fn kyrgyz_letters_fold_to_russian_spelling() {
        // ң ө ү as Russian writes them: н о у.
        assert_eq!(folded("Өмүрбеков"), folded("Омурбеков"));
        assert_eq!(folded("Кеңешов"), folded("Кенешов"));
        assert_eq!(folded("Ömürbekov"), folded("Омурбеков"));
    }

    #[test]
    fn uzbek_letters_and_every_apostrophe_fold_together() {
        let cyrillic = folded("Ўғилой Қодирова Ҳайдарова");
        for apostrophe in ['\'', '`', 'ʻ', 'ʼ', '‘', '’', '´', 'ʹ'] {
            let latin = format!("O{apostrophe}g{apostrophe}iloy Qodirova Haydarova");
            assert_eq!(folded(&latin), cyrillic, "{latin}");
        }
    }

    #[test]
    fn tajik_and_kazakh_letters_fold() {
        assert_eq!(folded("Ҷӯрабоев"), folded("Джурабоев"));
        assert_eq!(folded("Ғафуров"), folded("Гафуров"));
        assert_eq!(folded("Әбдірахманов"), folded("Абдирахманов"));
        assert_eq!(folded("Ұлықбек"), folded("Улыкбек"));
    }

    #[test]
    fn latin_lookalikes_in_a_cyrillic_word_are_read_as_cyrillic() {
        // Latin o, a, p and e inside a Cyrillic word.
        assert_eq!(folded("Бегoтaев"), folded("Беготаев"));
        assert_eq!(folded("Пeтpов"), folded("Петров"));
        // Cyrillic о and а inside a Latin word.
        assert_eq!(folded("Begоtаev"), folded("Begotaev"));
    }

    #[test]
    fn female_and_male_surnames_share_a_stem() {
        assert_eq!(stems("Begotaeva"), stems("Begotaev"));
        assert_eq!(stems("Бегатаева"), stems("Бегатаев"));
        assert_eq!(stems("Asylbekova"), stems("Asylbekov"));
        assert_eq!(stems("Kalinina"), stems("Kalinin"));
        let female = &normalize_name("Begotaeva").tokens[0];
        assert_eq!(female.ending, Some(Ending::FemaleSurname));
        let male = &normalize_name("Begotaev").tokens[0];
        assert_eq!(male.ending, Some(Ending::MaleSurname));
    }

    #[test]
    fn russian_patronymic_shares_a_stem_with_the_surname() {
        let name = normalize_name("Нурлан Асанбекович");
        assert_eq!(name.tokens[1].role, TokenRole::Patronymic);
        assert_eq!(name.tokens[1].ending, Some(Ending::PatronymicSuffix));
        assert_eq!(name.tokens[1].stem, stems("Asanbekov")[0]);
        let female = normalize_name("Айгуль Асанбековна");
        assert_eq!(female.tokens[1].stem, "asanbek");
    }

    #[test]
    fn kyrgyz_and_uzbek_patronymic_words_mark_the_fathers_name() {
        for name in [
            "Асанбек уулу Нурлан",
            "Asanbek uulu Nurlan",
            "Asanbek kyzy Aigul",
            "Асанбек кызы Айгуль",
            "Asanbek o‘g‘li Nurlan",
            "Asanbek ogli Nurlan",
            "Асанбек ўғли Нурлан",
            "Asanbek qizi Aigul",
        ] {
            let tokens = normalize_name(name).tokens;
            assert_eq!(tokens.len(), 2, "{name}: the particle is dropped");
            assert_eq!(tokens[0].role, TokenRole::Patronymic, "{name}");
            assert_eq!(tokens[0].stem, "asanbek", "{name}");
            assert_eq!(tokens[1].role, TokenRole::Name, "{name}");
        }
    }

    #[test]
    fn short_names_keep_their_endings() {
        assert_eq!(stems("Ina"), ["ina"]);
        assert_eq!(stems("Lev"), ["lev"]);
    }

    #[test]
    fn skeleton_classes_consonants_and_drops_vowels() {
        assert_eq!(skeleton("begota"), "bkt");
        assert_eq!(skeleton("pekoda"), "bkt");
        assert_eq!(skeleton("asanbek"), "asnbk");
        // Kyrgyz ң written ng at the end is the н of Russian spelling.
        assert_eq!(skeleton("keng"), skeleton("ken"));
        // ...but ng before a vowel is two sounds.
        assert_ne!(skeleton("nurlangul"), skeleton("nurlanul"));
    }

    #[test]
    fn separators_split_and_doubles_collapse() {
        assert_eq!(folded("Begotaev-Asanov"), ["begotaev", "asanov"]);
        assert_eq!(folded("Nurllan\u{0}\u{7}Begotaev"), ["nurlan", "begotaev"]);
        assert_eq!(folded("  "), Vec::<String>::new());
        assert_eq!(folded("123 !!"), Vec::<String>::new());
    }

    #[test]
    fn phonetic_encoder_form_spells_digraphs_out() {
        assert_eq!(for_phonetic_encoder("jumahčšc"), "zhumakhchshts");
    }

    #[test]
    fn hostile_inputs_are_bounded() {
        let huge = "Бегатаев ".repeat(120_000); // over 1 MB
        let name = normalize_name(&huge);
        assert!(name.tokens.len() <= MAX_TOKENS);
        let long_word = "а".repeat(1_000_000);
        let name = normalize_name(&long_word);
        assert_eq!(name.tokens.len(), 1);
        assert!(name.tokens[0].folded.chars().count() <= MAX_TOKEN_CHARS);
        let mixed = "Ν\u{0301}ur\u{202E}lan 山田 ܐ 👩‍👩‍👧 Бег\u{200B}отаев \u{FEFF}";
        let name = normalize_name(mixed);
        assert!(name.tokens.iter().all(|t| !t.folded.is_empty()));
    }
}

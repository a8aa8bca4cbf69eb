//! Normalisation for matching, with every position mapped back to the original text.
//!
//! Recruiters write to slip past keyword filters: look-alike Latin letters inside Cyrillic
//! words ("Baгнер", "вaxтa"), zero-width characters inside words, emoji and decoration
//! between words, compatibility forms (full-width digits, ligatures). Analysts, on the other
//! hand, must see every cue and fact highlighted in the text as it was written. So matching
//! runs on a normalised copy, and each byte of the copy remembers the byte range of the
//! original character it came from.
//!
//! Steps, per character: NFKC; zero-width and format characters dropped; look-alike letters
//! in mixed-script words mapped to the word's script; lowercase; `ё` → `е`; every apostrophe
//! variant (ʻ ʼ ' ` ‘ ’ ′) → `'` (Uzbek Latin writes oʻ/gʻ with any of them); emoji and
//! decoration → a space; runs of whitespace → one space.
//!
//! Tajik typed with the old Cyrillic fonts (made before Tajik letters had their own codes)
//! carries letters of other Cyrillic alphabets in place of the Tajik ones: `љ` for `ҷ`,
//! `ї` for `ӣ`, `њ` for `ҳ`, `ѓ` for `ғ`, `ў` for `ӯ`, `ќ` for `қ`, and their capitals
//! ("ШАЊРИ", "буљети"). When the whole text reads as such Tajik, they are mapped back
//! before any matching; one letter stands for one letter, so offsets stay exact. `ў` is a
//! real Uzbek and Belarusian letter, `ї` Ukrainian, `љ`/`њ` Serbian and Macedonian: the
//! repair needs one of the letters no other alphabet here uses with them (`љ`, `њ`, `ї`,
//! `ѓ`, `ќ`), none of the letters that mark Ukrainian, Serbian or Macedonian text (`і`, `є`,
//! `ґ`, `ј`, `ђ`, `ћ`, `џ`, `ѕ`), and either a common Tajik word (дар, ки, аз, бо, аст, …)
//! or two marker letters other than the Ukrainian `ї`.
//!
//! ```
//! use kuzot_analysis::normalize::normalize;
//! let n = normalize("❗️Baгнер ЖДЁТ вaxтa");
//! assert_eq!(n.text(), " вагнер ждет вахта");
//! let span = n.original_span(1, 13); // "вагнер" in the copy
//! assert_eq!(&"❗️Baгнер ЖДЁТ вaxтa"[span.start..span.end], "Baгнер");
//! ```

use std::sync::LazyLock;

use kuzot_model::Span;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// A normalised copy of a text with a map back to the original's byte offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    text: String,
    /// For each byte of `text`: the byte range of the original character it came from.
    origin: Vec<(u32, u32)>,
    /// The words of `text` as byte ranges, found once: language identification, the
    /// classifier and every extractor walk them, and splitting again each time was a
    /// large share of the engine's time.
    words: Vec<(usize, usize)>,
}

impl Normalized {
    /// The normalised text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The original byte range covered by the normalised byte range `[start, end)`.
    /// Out-of-range or empty ranges are clamped, never a panic.
    pub fn original_span(&self, start: usize, end: usize) -> Span {
        if self.origin.is_empty() {
            return Span::default();
        }
        let last = self.origin.len() - 1;
        let start = start.min(last);
        let end = end.clamp(start + 1, self.origin.len());
        Span {
            start: self.origin[start].0 as usize,
            end: self.origin[end - 1].1 as usize,
        }
    }

    /// The words of the normalised text: maximal runs of letters, digits and inner
    /// apostrophes, as byte ranges into [`Normalized::text`].
    pub fn words(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.words.iter().copied()
    }
}

/// Splits `text` into words as [`Normalized::words`] describes them: a word starts at a
/// letter or digit and goes on over letters, digits and apostrophes followed by a letter
/// (oʻzbek, g'isht).
fn split_words(text: &str) -> Vec<(usize, usize)> {
    let table = &*TABLE;
    let mut words = Vec::with_capacity(text.len() / 6 + 1);
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !table.is_alphanumeric(c) {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, c)) = chars.peek() {
            if table.is_alphanumeric(c) {
                end = i + c.len_utf8();
                chars.next();
            } else if c == '\''
                && text
                    .get(i + 1..)
                    .and_then(|rest| rest.chars().next())
                    .is_some_and(|next| table.is_alphabetic(next))
            {
                end = i + 1;
                chars.next();
            } else {
                break;
            }
        }
        words.push((start, end));
    }
    words
}

/// Characters below this code point have their properties in [`TABLE`]: Latin, Greek,
/// Cyrillic and the other scripts of the first two UTF-8 byte lengths, which make up
/// nearly all of kuzot's texts. The standard library answers them with a binary search of
/// the Unicode tables, and NFKC with an iterator per character; both were most of the
/// normaliser's time.
const TABLE_LEN: usize = 0x800;

const ALPHANUMERIC: u8 = 1;
const ALPHABETIC: u8 = 2;
/// NFKC leaves the character alone and it is neither invisible nor a combining mark: a
/// lone one is copied through unchanged.
const STABLE: u8 = 4;
const COMBINING: u8 = 8;
/// Lowercases to exactly one character, kept in `lower` (with ё already folded to е).
const ONE_LOWER: u8 = 16;

/// Character properties, computed from the standard library and `unicode_normalization`
/// themselves at first use, so that the fast path answers exactly as the slow one.
struct CharTable {
    flags: Vec<u8>,
    lower: Vec<char>,
}

static TABLE: LazyLock<CharTable> = LazyLock::new(CharTable::new);

impl CharTable {
    fn new() -> CharTable {
        let mut flags = vec![0u8; TABLE_LEN];
        let mut lower = vec!['\0'; TABLE_LEN];
        let mut buf = [0u8; 4];
        for (code, (flag, low)) in flags.iter_mut().zip(lower.iter_mut()).enumerate() {
            let Some(c) = u32::try_from(code).ok().and_then(char::from_u32) else {
                continue;
            };
            if c.is_alphanumeric() {
                *flag |= ALPHANUMERIC;
            }
            if c.is_alphabetic() {
                *flag |= ALPHABETIC;
            }
            if is_combining_mark(c) {
                *flag |= COMBINING;
            }
            let one: &str = c.encode_utf8(&mut buf);
            let mut nfkc = one.nfkc();
            if nfkc.next() == Some(c)
                && nfkc.next().is_none()
                && !is_invisible(c)
                && !is_combining_mark(c)
            {
                *flag |= STABLE;
            }
            let mut lowers = c.to_lowercase();
            if let (Some(l), None) = (lowers.next(), lowers.next()) {
                *flag |= ONE_LOWER;
                *low = if l == 'ё' { 'е' } else { l };
            }
        }
        CharTable { flags, lower }
    }

    #[inline]
    fn flags(&self, c: char) -> Option<u8> {
        self.flags.get(c as usize).copied()
    }

    #[inline]
    fn is_alphanumeric(&self, c: char) -> bool {
        if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            self.flags(c)
                .map_or_else(|| c.is_alphanumeric(), |f| f & ALPHANUMERIC != 0)
        }
    }

    #[inline]
    fn is_alphabetic(&self, c: char) -> bool {
        if c.is_ascii() {
            c.is_ascii_alphabetic()
        } else {
            self.flags(c)
                .map_or_else(|| c.is_alphabetic(), |f| f & ALPHABETIC != 0)
        }
    }

    #[inline]
    fn is_combining_mark(&self, c: char) -> bool {
        if c.is_ascii() {
            false
        } else {
            self.flags(c)
                .map_or_else(|| is_combining_mark(c), |f| f & COMBINING != 0)
        }
    }

    /// The lowercase of `c` with ё folded to е, when it is one character.
    #[inline]
    fn lower(&self, c: char) -> Option<char> {
        if c.is_ascii() {
            return Some(c.to_ascii_lowercase());
        }
        let flags = self.flags(c)?;
        if flags & ONE_LOWER == 0 {
            return None;
        }
        self.lower.get(c as usize).copied()
    }
}

/// [`char::is_alphanumeric`], answered from a table for the common scripts.
pub(crate) fn is_alphanumeric(c: char) -> bool {
    TABLE.is_alphanumeric(c)
}

/// Which script a letter belongs to, for look-alike repair.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Cyrillic,
    Neither,
}

fn script_of(c: char) -> Script {
    if c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c) {
        Script::Latin
    } else if ('\u{0400}'..='\u{052F}').contains(&c) {
        Script::Cyrillic
    } else {
        Script::Neither
    }
}

/// The Cyrillic letter a Latin letter is written to imitate, if any.
fn latin_to_cyrillic(c: char) -> Option<char> {
    Some(match c {
        'A' => 'А',
        'B' => 'В',
        'C' => 'С',
        'E' => 'Е',
        'H' => 'Н',
        'K' => 'К',
        'M' => 'М',
        'O' => 'О',
        'P' => 'Р',
        'T' => 'Т',
        'X' => 'Х',
        'Y' => 'У',
        'a' => 'а',
        'c' => 'с',
        'e' => 'е',
        'k' => 'к',
        'm' => 'м',
        'o' => 'о',
        'p' => 'р',
        'x' => 'х',
        'y' => 'у',
        'u' => 'и',
        'n' => 'п',
        'r' => 'г',
        _ => return None,
    })
}

/// The Latin letter a Cyrillic letter is written to imitate, if any.
fn cyrillic_to_latin(c: char) -> Option<char> {
    Some(match c {
        'А' => 'A',
        'В' => 'B',
        'С' => 'C',
        'Е' => 'E',
        'Н' => 'H',
        'К' => 'K',
        'М' => 'M',
        'О' => 'O',
        'Р' => 'P',
        'Т' => 'T',
        'Х' => 'X',
        'У' => 'Y',
        'а' => 'a',
        'с' => 'c',
        'е' => 'e',
        'к' => 'k',
        'о' => 'o',
        'р' => 'p',
        'х' => 'x',
        'у' => 'y',
        'і' => 'i',
        'ј' => 'j',
        _ => return None,
    })
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '`' | '´' | 'ʻ' | 'ʼ' | 'ʹ' | '‘' | '’' | '′' | 'ʽ' | 'ꞌ'
    )
}

/// Characters removed without a trace: they only exist to break up words.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}')
}

/// Punctuation and symbols that carry meaning for extraction (money, phones, ranges).
fn is_kept_symbol(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ':'
            | ';'
            | '-'
            | '+'
            | '('
            | ')'
            | '/'
            | '%'
            | '$'
            | '€'
            | '₽'
            | '₸'
            | '№'
            | '@'
            | '"'
            | '«'
            | '»'
            | '!'
            | '?'
            | '*'
            | '#'
            | '&'
            | '='
            | '_'
            | '–'
            | '—'
    )
}

/// A character of the intermediate sequence with the original range it came from.
#[derive(Clone, Copy)]
struct Mapped {
    c: char,
    from: u32,
    to: u32,
}

/// Normalises `original` for matching. Linear in the length of the input.
pub fn normalize(original: &str) -> Normalized {
    let table = &*TABLE;
    // Pass 1: NFKC per base character with its combining marks, drop invisibles.
    let mut mapped: Vec<Mapped> = Vec::with_capacity(original.len());
    let mut iter = original.char_indices().peekable();
    while let Some((start, c)) = iter.next() {
        let mut end = start + c.len_utf8();
        while let Some(&(i, m)) = iter.peek() {
            if table.is_combining_mark(m) {
                end = i + m.len_utf8();
                iter.next();
            } else {
                break;
            }
        }
        let (from, to) = (start as u32, end as u32);
        let single = end - start == c.len_utf8();
        if single && (c.is_ascii() || table.flags(c).is_some_and(|f| f & STABLE != 0)) {
            mapped.push(Mapped { c, from, to });
            continue;
        }
        let Some(segment) = original.get(start..end) else {
            continue;
        };
        for n in segment.nfkc() {
            if !is_invisible(n) && !table.is_combining_mark(n) {
                mapped.push(Mapped { c: n, from, to });
            }
        }
    }

    // Pass 2: repair look-alikes word by word.
    let mut i = 0;
    while i < mapped.len() {
        if !table.is_alphabetic(mapped[i].c) {
            i += 1;
            continue;
        }
        let start = i;
        while i < mapped.len() && table.is_alphabetic(mapped[i].c) {
            i += 1;
        }
        repair_lookalikes(&mut mapped[start..i]);
    }

    // Pass 2b: Tajik typed with an old font encoding.
    repair_legacy_tajik(&mut mapped);

    // Pass 3: fold case, ё, apostrophes; decoration to space; collapse spaces.
    let mut text = String::with_capacity(original.len() + 1);
    let mut origin = Vec::with_capacity(original.len() + 1);
    let mut pending_space: Option<(u32, u32)> = None;
    for m in mapped {
        let c = m.c;
        let apostrophe = is_apostrophe(c);
        let keep_as_is = table.is_alphanumeric(c) || is_kept_symbol(c);
        if !keep_as_is && !apostrophe {
            // Whitespace, emoji, box drawing, bullets: a word boundary.
            if pending_space.is_none() {
                pending_space = Some((m.from, m.to));
            }
            continue;
        }
        if let Some((from, to)) = pending_space.take() {
            text.push(' ');
            origin.push((from, to));
        }
        let mut push = |out: char| {
            text.push(out);
            let len = out.len_utf8();
            origin.extend(std::iter::repeat_n((m.from, m.to), len));
        };
        if apostrophe {
            push('\'');
        } else if let Some(lower) = table.lower(c) {
            push(lower);
        } else {
            for lower in c.to_lowercase() {
                push(if lower == 'ё' { 'е' } else { lower });
            }
        }
    }
    if let Some((from, to)) = pending_space {
        text.push(' ');
        origin.push((from, to));
    }
    let words = split_words(&text);
    Normalized {
        text,
        origin,
        words,
    }
}

/// The Tajik letter an old font encoding put in the place of, by the substitute letter.
fn legacy_tajik_letter(c: char) -> Option<char> {
    Some(match c {
        'љ' => 'ҷ',
        'Љ' => 'Ҷ',
        'ї' => 'ӣ',
        'Ї' => 'Ӣ',
        'њ' => 'ҳ',
        'Њ' => 'Ҳ',
        'ѓ' => 'ғ',
        'Ѓ' => 'Ғ',
        'ў' => 'ӯ',
        'Ў' => 'Ӯ',
        'ќ' => 'қ',
        'Ќ' => 'Қ',
        _ => return None,
    })
}

/// Substitutes that only an old Tajik font puts beside each other (`ў` is left out: Uzbek).
fn is_legacy_tajik_marker(c: char) -> bool {
    matches!(c, 'љ' | 'Љ' | 'њ' | 'Њ' | 'ї' | 'Ї' | 'ѓ' | 'Ѓ' | 'ќ' | 'Ќ')
}

/// Letters of Ukrainian, Serbian and Macedonian, whose texts use the substitutes as letters.
fn is_other_alphabet_letter(c: char) -> bool {
    matches!(
        c,
        'і' | 'І'
            | 'є'
            | 'Є'
            | 'ґ'
            | 'Ґ'
            | 'ј'
            | 'Ј'
            | 'ђ'
            | 'Ђ'
            | 'ћ'
            | 'Ћ'
            | 'џ'
            | 'Џ'
            | 'ѕ'
            | 'Ѕ'
    )
}

/// Frequent Tajik words that hold none of the substituted letters.
const TAJIK_WORDS: [&str; 14] = [
    "дар",
    "ки",
    "аз",
    "бо",
    "аст",
    "барои",
    "мебошад",
    "шуд",
    "буд",
    "кард",
    "карда",
    "мешавад",
    "ва",
    "низ",
];

/// Pass 2b of [`normalize`]: decides from the whole text whether it is Tajik in an old font
/// encoding and, if so, maps the substitutes back, one letter for one letter.
fn repair_legacy_tajik(mapped: &mut [Mapped]) {
    let markers = mapped
        .iter()
        .filter(|m| is_legacy_tajik_marker(m.c))
        .count();
    if markers == 0 || mapped.iter().any(|m| is_other_alphabet_letter(m.c)) {
        return;
    }
    // Ukrainian has ї and nothing else of the set: two of the others, or a Tajik word.
    let strong = mapped
        .iter()
        .filter(|m| is_legacy_tajik_marker(m.c) && !matches!(m.c, 'ї' | 'Ї'))
        .count();
    let tajik_word = strong >= 2 || {
        let mut found = false;
        let mut word = String::new();
        for m in mapped.iter().map(|m| m.c).chain(std::iter::once(' ')) {
            if m.is_alphabetic() {
                word.extend(m.to_lowercase());
            } else {
                found |= TAJIK_WORDS.contains(&word.as_str());
                word.clear();
            }
        }
        found
    };
    if !tajik_word {
        return;
    }
    for m in mapped.iter_mut() {
        if let Some(c) = legacy_tajik_letter(m.c) {
            m.c = c;
        }
    }
}

/// Maps look-alike letters of a mixed-script word to the script the word is really in:
/// a word whose every Latin letter imitates a Cyrillic one is Cyrillic, and the reverse.
fn repair_lookalikes(word: &mut [Mapped]) {
    let (mut latin, mut cyrillic) = (false, false);
    for m in word.iter() {
        match script_of(m.c) {
            Script::Latin => latin = true,
            Script::Cyrillic => cyrillic = true,
            Script::Neither => {}
        }
    }
    if !(latin && cyrillic) {
        return;
    }
    let all_latin_imitate = word
        .iter()
        .filter(|m| script_of(m.c) == Script::Latin)
        .all(|m| latin_to_cyrillic(m.c).is_some());
    if all_latin_imitate {
        for m in word.iter_mut() {
            if let Some(c) = latin_to_cyrillic(m.c) {
                m.c = c;
            }
        }
        return;
    }
    let all_cyrillic_imitate = word
        .iter()
        .filter(|m| script_of(m.c) == Script::Cyrillic)
        .all(|m| cyrillic_to_latin(m.c).is_some());
    if all_cyrillic_imitate {
        for m in word.iter_mut() {
            if let Some(c) = cyrillic_to_latin(m.c) {
                m.c = c;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lookalikes_are_repaired_towards_the_word_script() {
        assert_eq!(normalize("Baгнер").text(), "вагнер");
        assert_eq!(normalize("вaxтa").text(), "вахта");
        assert_eq!(normalize("Wаgner").text(), "wagner");
        // Real mixed words stay as they are.
        assert_eq!(normalize("iPhone").text(), "iphone");
    }

    #[test]
    fn old_tajik_font_letters_are_repaired_with_offsets_kept() {
        let original = "Маблаѓи буљети ШАЊРИ барои соли нав ќабул шуд";
        let n = normalize(original);
        assert_eq!(n.text(), "маблағи буҷети шаҳри барои соли нав қабул шуд");
        let start = n.text().find("шаҳри").expect("present");
        let span = n.original_span(start, start + "шаҳри".len());
        assert_eq!(&original[span.start..span.end], "ШАЊРИ");
        // Short text: two marker letters are enough.
        assert_eq!(normalize("Љавонон њамроњ").text(), "ҷавонон ҳамроҳ");
        assert_eq!(
            normalize("Дар мактаби миёнаї кор мекунад").text(),
            "дар мактаби миенаӣ кор мекунад"
        );
        // ў with other markers becomes ӯ: "рўз" is a Tajik word then.
        assert_eq!(normalize("Њар рўз дар бозор").text(), "ҳар рӯз дар бозор");
    }

    #[test]
    fn real_letters_of_other_alphabets_stay() {
        // Uzbek ў alone, Ukrainian ї beside і, Serbian љ/њ beside ј.
        assert_eq!(normalize("Иш кўп, ойлик яхши").text(), "иш кўп, ойлик яхши");
        assert_eq!(normalize("Її країна").text(), "її країна");
        assert_eq!(
            normalize("Љубав и њен живот је").text(),
            "љубав и њен живот је"
        );
        // One stray marker with no Tajik word: left alone.
        assert_eq!(normalize("Привет, ѓ").text(), "привет, ѓ");
    }

    #[test]
    fn folding_and_decoration() {
        assert_eq!(normalize("ЁЛКИ  💰💰 Ёж").text(), "елки еж");
        assert_eq!(normalize("Oʻzbekiston gʼisht").text(), "o'zbekiston g'isht");
        assert_eq!(normalize("вах\u{200B}та").text(), "вахта");
        assert_eq!(normalize("２００ ０００ ₽").text(), "200 000 ₽");
        // Decomposed й (и + combining breve) composes.
        assert_eq!(normalize("И\u{0306}ОШКАР-ОЛА").text(), "йошкар-ола");
    }

    #[test]
    fn spans_map_back_to_the_original() {
        let original = "🔥 Работа в МАРИУПОЛЕ 🔥";
        let n = normalize(original);
        let start = n.text().find("мариуполе").expect("present");
        let span = n.original_span(start, start + "мариуполе".len());
        assert_eq!(&original[span.start..span.end], "МАРИУПОЛЕ");
    }

    #[test]
    fn words_split_on_non_letters_and_keep_inner_apostrophes() {
        let n = normalize("Toshkentga ketamiz, oʻn kun! a");
        let words: Vec<&str> = n.words().map(|(s, e)| &n.text()[s..e]).collect();
        assert_eq!(words, ["toshkentga", "ketamiz", "o'n", "kun", "a"]);
    }

    proptest! {
        #[test]
        fn never_panics_and_spans_are_char_boundaries(s in "\\PC{0,200}", a in 0usize..400, b in 0usize..400) {
            let n = normalize(&s);
            let span = n.original_span(a, b);
            prop_assert!(span.start <= span.end && span.end <= s.len());
            prop_assert!(s.is_char_boundary(span.start) && s.is_char_boundary(span.end));
            for (st, en) in n.words() {
                prop_assert!(st < en && en <= n.text().len());
            }
        }
    }
}

/// The table-driven fast paths must answer exactly as the general code: checked against
/// a straightforward copy of it.
#[cfg(test)]
mod fast_path_tests {
    use super::*;
    use proptest::prelude::*;

    /// The normaliser without tables: NFKC for every non-ASCII character, the standard
    /// library's character properties.
    fn slow_normalize(original: &str) -> (String, Vec<(u32, u32)>) {
        let mut mapped: Vec<Mapped> = Vec::new();
        let mut iter = original.char_indices().peekable();
        while let Some((start, c)) = iter.next() {
            let mut end = start + c.len_utf8();
            while let Some(&(i, m)) = iter.peek() {
                if is_combining_mark(m) {
                    end = i + m.len_utf8();
                    iter.next();
                } else {
                    break;
                }
            }
            let (from, to) = (start as u32, end as u32);
            for n in original[start..end].nfkc() {
                if !is_invisible(n) && !is_combining_mark(n) {
                    mapped.push(Mapped { c: n, from, to });
                }
            }
        }
        let mut i = 0;
        while i < mapped.len() {
            if !mapped[i].c.is_alphabetic() {
                i += 1;
                continue;
            }
            let start = i;
            while i < mapped.len() && mapped[i].c.is_alphabetic() {
                i += 1;
            }
            repair_lookalikes(&mut mapped[start..i]);
        }
        repair_legacy_tajik(&mut mapped);
        let mut text = String::new();
        let mut origin = Vec::new();
        let mut pending: Option<(u32, u32)> = None;
        for m in mapped {
            let c = m.c;
            if !(c.is_alphanumeric() || is_kept_symbol(c) || is_apostrophe(c)) {
                pending.get_or_insert((m.from, m.to));
                continue;
            }
            if let Some(p) = pending.take() {
                text.push(' ');
                origin.push(p);
            }
            let outs: Vec<char> = if is_apostrophe(c) {
                vec!['\'']
            } else {
                c.to_lowercase()
                    .map(|l| if l == 'ё' { 'е' } else { l })
                    .collect()
            };
            for out in outs {
                text.push(out);
                origin.extend(std::iter::repeat_n((m.from, m.to), out.len_utf8()));
            }
        }
        if let Some(p) = pending {
            text.push(' ');
            origin.push(p);
        }
        (text, origin)
    }

    /// Words by the definition, with the standard library's properties.
    fn slow_words(text: &str) -> Vec<(usize, usize)> {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut words = Vec::new();
        let mut k = 0;
        while k < chars.len() {
            let (start, c) = chars[k];
            if !c.is_alphanumeric() {
                k += 1;
                continue;
            }
            let mut end = start + c.len_utf8();
            k += 1;
            while k < chars.len() {
                let (i, c) = chars[k];
                let next_is_letter = chars.get(k + 1).is_some_and(|&(_, n)| n.is_alphabetic());
                if c.is_alphanumeric() {
                    end = i + c.len_utf8();
                } else if c == '\'' && next_is_letter {
                    end = i + 1;
                } else {
                    break;
                }
                k += 1;
            }
            words.push((start, end));
        }
        words
    }

    fn check(s: &str) {
        let fast = normalize(s);
        let (text, origin) = slow_normalize(s);
        assert_eq!(fast.text, text, "{s:?}");
        assert_eq!(fast.origin, origin, "{s:?}");
        assert_eq!(fast.words, slow_words(&fast.text), "{s:?}");
    }

    #[test]
    fn every_character_below_the_table_limit_normalises_as_without_it() {
        let mut all = String::new();
        for code in 0..TABLE_LEN as u32 + 64 {
            if let Some(c) = char::from_u32(code) {
                all.push(c);
                check(&c.to_string());
                check(&format!("a{c}b"));
                check(&format!("я{c}\u{0301}"));
            }
        }
        check(&all);
    }

    #[test]
    fn mixed_texts_normalise_as_without_the_tables() {
        check("❗️Baгнер ЖДЁТ вaxтa, Oʻzbekiston gʼisht ２００ ０００ ₽ ﬁx ǅ İstanbul Ŀ ſ");
        check("И\u{0306}ОШКАР-ОЛА вах\u{200B}та ҚАЗАҚСТАН ӨЗБЕКСТАН Ҷавонон ĲSSEL ŉ");
        check("g''isht o'' 'a a' ''");
    }

    proptest! {
        #[test]
        fn arbitrary_text_normalises_as_without_the_tables(s in "\\PC{0,80}") {
            check(&s);
        }

        #[test]
        fn script_mixtures_normalise_as_without_the_tables(
            s in "[a-zA-Z0-9а-яА-ЯёЁіїєґўқғңөүұһәӣӯҳҷ'ʻʼ`\u{0300}-\u{0306}\u{200B} .,\\-İſǅﬁ²½]{0,60}"
        ) {
            check(&s);
        }
    }
}

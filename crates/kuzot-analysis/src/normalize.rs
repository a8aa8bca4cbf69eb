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
//! ```
//! use kuzot_analysis::normalize::normalize;
//! let n = normalize("❗️Baгнер ЖДЁТ вaxтa");
//! assert_eq!(n.text(), " вагнер ждет вахта");
//! let span = n.original_span(1, 13); // "вагнер" in the copy
//! assert_eq!(&"❗️Baгнер ЖДЁТ вaxтa"[span.start..span.end], "Baгнер");
//! ```

use kuzot_model::Span;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// A normalised copy of a text with a map back to the original's byte offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    text: String,
    /// For each byte of `text`: the byte range of the original character it came from.
    origin: Vec<(u32, u32)>,
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
        let text = self.text.as_str();
        let mut chars = text.char_indices().peekable();
        std::iter::from_fn(move || {
            // Skip to the start of a word.
            let start = loop {
                let (i, c) = chars.next()?;
                if c.is_alphanumeric() {
                    break i;
                }
            };
            let mut end = start;
            while let Some(&(i, c)) = chars.peek() {
                if c.is_alphanumeric() {
                    end = i + c.len_utf8();
                    chars.next();
                } else if c == '\''
                    && text[i + 1..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphabetic)
                {
                    // oʻzbek, g'isht: the apostrophe belongs to the word.
                    end = i + 1;
                    chars.next();
                } else {
                    break;
                }
            }
            // `end` was last set after the first char too: recompute for one-char words.
            let first_len = text[start..].chars().next().map_or(0, char::len_utf8);
            Some((start, end.max(start + first_len)))
        })
    }
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
    // Pass 1: NFKC per base character with its combining marks, drop invisibles.
    let mut mapped: Vec<Mapped> = Vec::with_capacity(original.len());
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
        let segment = &original[start..end];
        if segment.len() == 1 && c.is_ascii() {
            mapped.push(Mapped { c, from, to });
            continue;
        }
        for n in segment.nfkc() {
            if !is_invisible(n) && !is_combining_mark(n) {
                mapped.push(Mapped { c: n, from, to });
            }
        }
    }

    // Pass 2: repair look-alikes word by word.
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

    // Pass 3: fold case, ё, apostrophes; decoration to space; collapse spaces.
    let mut text = String::with_capacity(original.len());
    let mut origin = Vec::with_capacity(original.len());
    let mut pending_space: Option<(u32, u32)> = None;
    for m in mapped {
        let c = m.c;
        let keep_as_is = c.is_alphanumeric() || is_kept_symbol(c);
        if !keep_as_is && !is_apostrophe(c) {
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
            for _ in 0..out.len_utf8() {
                origin.push((m.from, m.to));
            }
        };
        if is_apostrophe(c) {
            push('\'');
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
    Normalized { text, origin }
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

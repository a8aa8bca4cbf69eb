//! Phone numbers, written as recruiters write them, turned into E.164 (`+79164075283`).
//!
//! Numbers come with any separators (`+7 (916) 407-52-83`, `8.900.372.61.95`, non-breaking
//! and thin spaces), glued to a label (`Тел:89003726195`, `WhatsApp+996770…`), in Russian
//! trunk form (`8 900 …` is `+7900…`), and next to amounts, ranges and dates that are not
//! numbers at all (`200 000 руб`, `90 000-115 000`, `14.11.2022`). Masked numbers
//! (`8 *** *** 96`, `+7 900 XXX-XX-XX`) are left out on purpose: they are not a contact.
//!
//! How: one left-to-right scan cuts the text into *runs* of digit groups joined by short
//! separators; a run holding a mask character is dropped whole. Inside a run, numbers are
//! taken greedily from group boundaries and kept only when they fit a national numbering
//! plan: Russia and Kazakhstan (+7, ten national digits starting 3, 4, 7, 8 or 9),
//! Kyrgyzstan (+996), Uzbekistan (+998) and Tajikistan (+992) with nine, and a table of
//! other countries' national lengths when the number is written with `+`. Without a `+`,
//! only forms that are unambiguous in this domain are read: Russian `8`/`7` + ten digits,
//! `996…`/`998…`/`992…` + nine, a Russian mobile `9xx` written without trunk prefix, and a
//! Kyrgyz domestic `0 5xx/7xx/22x/99x`. A digit-only run followed by a currency word, or
//! grouped in thousands without a `+`, is an amount. Uzbek and Tajik nine-digit local
//! numbers are not read: without the country code the two plans overlap (`90…`, `93…`).
//!
//! Why not the `phonenumber` crate (the libphonenumber port, 0.3.10)? Measured on this
//! machine: a release build of it and its dependencies took 2 min 6 s of wall time (about
//! 1 min of CPU), its first call 261 ms (metadata and regexes built lazily), and each
//! parse + validate about 6.7 µs — a sixth of the whole per-message budget of the engine
//! for one candidate. And its metadata rejects numbers this domain needs: toll-free
//! `+7 800 …` hot lines of recruitment offices came out invalid. The country plans above
//! are the part of its metadata that matters here, checked in a few nanoseconds.
//!
//! ```
//! use kuzot_analysis::phones::extract_phones;
//! let found = extract_phones("ЗП 90 000-115 000 руб. Тел:8 (900) 472-36-15, WhatsApp+996 770 52 18 49");
//! let numbers: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
//! assert_eq!(numbers, ["+79004723615", "+996770521849"]);
//! ```

use std::collections::HashSet;

use kuzot_model::Span;

/// Phone numbers in E.164 form, each once, with the span of its first mention.
pub fn extract_phones(original: &str) -> Vec<(String, Span)> {
    let mut found: Vec<(String, Span)> = Vec::new();
    let mut seen = HashSet::new();
    let mut scanner = RunScanner {
        text: original,
        pos: 0,
    };
    while let Some(run) = scanner.next_run() {
        if run.glued || run.groups.is_empty() || is_id_label(word_before(original, run.start)) {
            continue;
        }
        read_numbers(original, &run, &mut found, &mut seen);
    }
    found
}

/// A group of consecutive digits.
#[derive(Debug, Clone, Copy)]
struct Group {
    /// Byte offset of the first digit.
    start: usize,
    /// Byte offset after the last digit.
    end: usize,
    /// Number of digits.
    len: usize,
    /// The separators before this group (between it and the previous group) include a
    /// parenthesis: `8 (912) …`.
    paren_before: bool,
    /// A mask character touches the group (`9**`, `**17`): its digits are partial.
    masked: bool,
    /// Mask characters stand between this group and the previous one: no number spans
    /// them (`8 *** *** 96`).
    after_mask: bool,
}

/// Digit groups joined by short separators (and mask characters), optionally starting
/// with `+`.
#[derive(Debug, Default)]
struct Run {
    plus: bool,
    /// Byte offset of the `+` or of the first digit.
    start: usize,
    groups: Vec<Group>,
    /// The run continues a word (`id12345678901`): no number is read from it.
    glued: bool,
}

/// The most separator characters allowed between two digit groups (`) - ` is three).
const MAX_SEPARATORS: usize = 3;

/// The longest number E.164 allows, in digits.
const MAX_DIGITS: usize = 15;

fn digit_value(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        // Full-width digits, as some keyboards and decorated posts produce.
        '\u{FF10}'..='\u{FF19}' => u8::try_from(c as u32 - 0xFF10).ok(),
        _ => None,
    }
}

fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{00A0}'
            | '\u{2007}'
            | '\u{2009}'
            | '\u{202F}'
            | '\u{200B}'
            | '-'
            | '\u{2010}'
            | '\u{2011}'
            | '\u{2012}'
            | '\u{2013}'
            | '.'
            | '('
            | ')'
    )
}

/// Characters that stand for a hidden digit.
fn is_mask(c: char) -> bool {
    matches!(
        c,
        '*' | '•' | '∗' | '×' | 'x' | 'X' | 'х' | 'Х' | '_' | '#' | '…'
    )
}

/// Labels of identifiers whose digits must not be read as a phone number: tax and
/// company numbers, bank accounts and cards, document numbers.
fn is_id_label(word: &str) -> bool {
    const LABELS: [&str; 22] = [
        "инн",
        "огрн",
        "огрнип",
        "кпп",
        "бик",
        "окпо",
        "снилс",
        "счет",
        "счёт",
        "р/с",
        "карта",
        "карты",
        "card",
        "id",
        "inn",
        "паспорт",
        "passport",
        "заявки",
        "заказ",
        "заказа",
        "договор",
        "договора",
    ];
    let lower = word.to_lowercase();
    LABELS.contains(&lower.as_str())
}

/// The word right before byte `start`, skipping spaces, `:`, `№` and `#`.
fn word_before(text: &str, start: usize) -> &str {
    let head = text[..start].trim_end_matches([' ', '\u{00A0}', ':', '№', '#', '.']);
    let word_start = head
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '/')
        .last()
        .map_or(head.len(), |(i, _)| i);
    &head[word_start..]
}

/// Words that may be glued to a number without a separator (`Тел89164075283`).
fn is_phone_label(word: &str) -> bool {
    const LABELS: [&str; 16] = [
        "тел",
        "tel",
        "телефон",
        "phone",
        "whatsapp",
        "ватсап",
        "вацап",
        "номер",
        "nomer",
        "raqam",
        "call",
        "звоните",
        "звони",
        "ph",
        "mob",
        "моб",
    ];
    let lower = word.to_lowercase();
    LABELS.contains(&lower.as_str())
}

struct RunScanner<'a> {
    text: &'a str,
    pos: usize,
}

impl RunScanner<'_> {
    /// The next run of digit groups, or `None` at the end of the text.
    fn next_run(&mut self) -> Option<Run> {
        let text = self.text;
        // Find a start: `+` followed by a digit (maybe after one space), or a digit.
        let (start, plus) = loop {
            let rest = text.get(self.pos..)?;
            let mut chars = rest.char_indices();
            let (i, c) = chars.next()?;
            let at = self.pos + i;
            self.pos = at + c.len_utf8();
            if c == '+' {
                let after = &text[self.pos..];
                let skip = after
                    .chars()
                    .next()
                    .filter(|&s| s == ' ' || s == '\u{00A0}')
                    .map_or(0, char::len_utf8);
                if after[skip..].chars().next().and_then(digit_value).is_some() {
                    self.pos += skip;
                    break (at, true);
                }
            } else if digit_value(c).is_some() {
                self.pos = at;
                break (at, false);
            }
        };
        let mut run = Run {
            plus,
            start,
            ..Run::default()
        };
        // The run may not continue a word or a number: `id12345678901`, `x89164075283`.
        let before = text[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '@' || c == '/') {
            let glued_to_label = before.is_some_and(char::is_alphabetic) && {
                let word_start = text[..start]
                    .char_indices()
                    .rev()
                    .take_while(|(_, c)| c.is_alphabetic())
                    .last()
                    .map_or(start, |(i, _)| i);
                is_phone_label(&text[word_start..start])
            };
            if !(plus || glued_to_label) {
                run.glued = true;
            }
        }
        let mut separators = 0usize;
        let mut paren = false;
        let mut group_start: Option<usize> = None;
        let mut group_len = 0usize;
        let (mut mask_since_group, mut mask_touches) = (false, false);
        let rest = &text[self.pos..];
        let base = self.pos;
        let mut consumed = rest.len();
        for (i, c) in rest.char_indices() {
            let at = base + i;
            if digit_value(c).is_some() {
                if group_start.is_none() {
                    group_start = Some(at);
                    group_len = 0;
                    run.groups.push(Group {
                        start: at,
                        end: at,
                        len: 0,
                        paren_before: paren,
                        masked: mask_touches,
                        after_mask: mask_since_group,
                    });
                    paren = false;
                    (mask_since_group, mask_touches) = (false, false);
                }
                group_len += 1;
                separators = 0;
                continue;
            }
            let glued_to_group = group_start.is_some();
            if group_start.take().is_some()
                && let Some(group) = run.groups.last_mut()
            {
                group.end = at;
                group.len = group_len;
            }
            mask_touches = false;
            if is_mask(c) {
                // A letter x/х counts as a mask only when it is not part of a real word.
                let is_letter = c.is_alphabetic();
                let next_is_letter = text[at + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_some_and(|n| n.is_alphabetic() && !is_mask(n));
                if is_letter && next_is_letter {
                    consumed = i;
                    break;
                }
                if glued_to_group && let Some(group) = run.groups.last_mut() {
                    group.masked = true;
                }
                (mask_since_group, mask_touches) = (true, true);
                separators = 0;
                continue;
            }
            if is_separator(c) && separators < MAX_SEPARATORS {
                separators += 1;
                paren |= c == '(' || c == ')';
                continue;
            }
            consumed = i;
            break;
        }
        if group_start.take().is_some()
            && let Some(group) = run.groups.last_mut()
        {
            group.end = base + consumed.min(rest.len());
            group.len = group_len;
        }
        self.pos = base + consumed;
        // Guarantee progress even when nothing was consumed.
        if self.pos <= start {
            self.pos = start + text[start..].chars().next().map_or(1, char::len_utf8);
        }
        Some(run)
    }
}

/// Reads the numbers of one run into `found`.
fn read_numbers(
    original: &str,
    run: &Run,
    found: &mut Vec<(String, Span)>,
    seen: &mut HashSet<String>,
) {
    let groups = &run.groups;
    let followed_by_amount = amount_word_follows(original, groups.last().map_or(0, |g| g.end));
    let mut i = 0;
    while i < groups.len() {
        let plus = run.plus && i == 0;
        let mut best: Option<(usize, String)> = None;
        let mut digits = String::with_capacity(MAX_DIGITS + 1);
        for (j, group) in groups.iter().enumerate().skip(i) {
            // A number neither contains partial digits nor spans a mask.
            let beyond_mask = j > i && group.after_mask;
            if group.masked || beyond_mask || digits.len() + group.len > MAX_DIGITS {
                break;
            }
            for c in original[group.start..group.end].chars() {
                if let Some(d) = digit_value(c) {
                    digits.push(char::from(b'0' + d));
                }
            }
            let is_last = j + 1 == groups.len();
            // An amount of money written like a number (`79 000 000 руб`) is no phone.
            if (plus || !(is_last && followed_by_amount))
                && let Some(e164) = to_e164(&digits, plus, &groups[i..=j])
            {
                best = Some((j, e164));
            }
        }
        match best {
            Some((j, e164)) => {
                let start = if plus { run.start } else { groups[i].start };
                let span = Span {
                    start,
                    end: groups[j].end,
                };
                if seen.insert(e164.clone()) {
                    found.push((e164, span));
                }
                i = j + 1;
            }
            None => i += 1,
        }
    }
}

/// True when the text after `end` starts (after spaces) with a currency or amount word.
fn amount_word_follows(original: &str, end: usize) -> bool {
    let Some(rest) = original.get(end..) else {
        return false;
    };
    let rest = rest.trim_start_matches([' ', '\u{00A0}', '\u{202F}', '\u{2009}']);
    if rest.starts_with(['₽', '$', '€', '₸', '%']) {
        return true;
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphabetic() || *c == '\'' || *c == 'ʻ')
        .flat_map(char::to_lowercase)
        .collect();
    const AMOUNT_WORDS: [&str; 24] = [
        "р",
        "руб",
        "рубл",
        "rub",
        "тыс",
        "млн",
        "тг",
        "тенге",
        "теңге",
        "сом",
        "сум",
        "сўм",
        "so'm",
        "soʻm",
        "usd",
        "kzt",
        "долл",
        "доллар",
        "миң",
        "минг",
        "ming",
        "мың",
        "ҳазор",
        "сомонӣ",
    ];
    !word.is_empty()
        && AMOUNT_WORDS
            .iter()
            .any(|w| word == *w || (w.chars().count() >= 3 && word.starts_with(w)))
}

/// Groups of a thousands-grouped amount: `1 000 000`, `120 000`.
fn grouped_in_thousands(groups: &[Group]) -> bool {
    groups.len() >= 2
        && groups.first().is_some_and(|g| g.len <= 3)
        && groups[1..].iter().all(|g| g.len == 3)
}

/// The E.164 form of `digits` if they fit a numbering plan; `plus` when written with `+`.
fn to_e164(digits: &str, plus: bool, groups: &[Group]) -> Option<String> {
    let bytes = digits.as_bytes();
    let first = *bytes.first()?;
    if plus {
        return international(digits).then(|| format!("+{digits}"));
    }
    let thousands = grouped_in_thousands(groups);
    match (bytes.len(), first) {
        // 8 916 407 52 83, 7 916 407 52 83: Russia or Kazakhstan with a trunk or country
        // prefix.
        (11, b'8' | b'7') if !thousands && russian_national(&digits[1..]) => {
            Some(format!("+7{}", &digits[1..]))
        }
        // 996 770 315 842 written without `+`.
        (12, b'9') if !thousands && international(digits) && digits.starts_with("99") => {
            Some(format!("+{digits}"))
        }
        // (900) 472-36-15, 495-604-18-27: a Russian number without trunk prefix. Mobile
        // numbers (9xx) are read in any phone-like grouping, geographic ones only in the
        // unmistakable (495) … and 495-604-18-27 forms.
        (10, b'3' | b'4' | b'8' | b'9') if !thousands && russian_national(digits) => {
            let lengths: Vec<usize> = groups.iter().map(|g| g.len).collect();
            let paren =
                lengths.first() == Some(&3) && groups.get(1).is_some_and(|g| g.paren_before);
            let strong = paren || lengths == [3, 3, 2, 2];
            let mobile_like = lengths == [10] || lengths == [3, 3, 4] || lengths == [3, 7];
            (strong || (first == b'9' && mobile_like)).then(|| format!("+7{digits}"))
        }
        // 0770 315 842: Kyrgyz domestic form of a mobile number.
        (10, b'0') if !thousands && kyrgyz_domestic_mobile(&digits[1..]) => {
            Some(format!("+996{}", &digits[1..]))
        }
        _ => None,
    }
}

/// Ten national digits of the +7 plan: Russian geographic (3, 4, 8) and mobile (9)
/// numbers, Kazakh (7).
fn russian_national(national: &str) -> bool {
    national.len() == 10 && national.starts_with(['3', '4', '7', '8', '9'])
}

fn kyrgyz_domestic_mobile(national: &str) -> bool {
    const PREFIXES: [&str; 6] = ["5", "7", "22", "99", "20", "88"];
    national.len() == 9 && PREFIXES.iter().any(|p| national.starts_with(p))
}

/// Country codes with the number of national digits their plan allows.
const COUNTRY_PLANS: [(&str, usize, usize); 41] = [
    ("7", 10, 10),
    ("996", 9, 9),
    ("998", 9, 9),
    ("992", 9, 9),
    ("993", 8, 8),
    ("994", 9, 9),
    ("995", 9, 9),
    ("374", 8, 8),
    ("375", 9, 9),
    ("380", 9, 9),
    ("373", 8, 8),
    ("370", 8, 8),
    ("371", 8, 8),
    ("372", 7, 8),
    ("90", 10, 10),
    ("44", 10, 10),
    ("82", 9, 10),
    ("86", 11, 11),
    ("1", 10, 10),
    ("49", 10, 11),
    ("48", 9, 9),
    ("33", 9, 9),
    ("39", 9, 10),
    ("34", 9, 9),
    ("971", 9, 9),
    ("972", 9, 9),
    ("966", 9, 9),
    ("974", 8, 8),
    ("420", 9, 9),
    ("36", 8, 9),
    ("40", 9, 9),
    ("359", 8, 9),
    ("91", 10, 10),
    ("92", 10, 10),
    ("93", 9, 9),
    ("98", 10, 10),
    ("81", 10, 10),
    ("60", 9, 10),
    ("62", 9, 12),
    ("63", 10, 10),
    ("84", 9, 10),
];

/// Digits after `+`: a known country code followed by a national number of its length.
fn international(digits: &str) -> bool {
    let Some((code, min, max)) = COUNTRY_PLANS
        .iter()
        .filter(|(code, _, _)| digits.starts_with(code))
        .max_by_key(|(code, _, _)| code.len())
    else {
        return false;
    };
    let national = &digits[code.len()..];
    if national.starts_with('0') {
        return false;
    }
    if *code == "7" {
        return russian_national(national);
    }
    (*min..=*max).contains(&national.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn numbers(text: &str) -> Vec<String> {
        extract_phones(text).into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn common_russian_layouts() {
        for text in [
            "Звоните: +7 (916) 407-52-83",
            "тел 8 916 407 52 83",
            "8-916-407-52-83 Дмитрий",
            "Тел:89164075283",
            "звони 8(916)4075283, Рустам",
            "8.916.407.52.83",
            "+7\u{00A0}916\u{00A0}407\u{00A0}52\u{00A0}83",
            "Тел89164075283",
            "79164075283",
            "(916) 407-52-83",
            "9164075283",
        ] {
            assert_eq!(numbers(text), ["+79164075283"], "{text}");
        }
    }

    #[test]
    fn central_asian_numbers() {
        assert_eq!(numbers("WhatsApp+996 770 315 842"), ["+996770315842"]);
        assert_eq!(numbers("Байланыш: +996 700 41 26 93"), ["+996700412693"]);
        assert_eq!(numbers("Tel: +998 93 512 40 78"), ["+998935124078"]);
        assert_eq!(numbers("Тел: +992 92 705 3164"), ["+992927053164"]);
        assert_eq!(numbers("Хабарласыңыз 8 707 318 64 20"), ["+77073186420"]);
        assert_eq!(numbers("Жазгыла 0700 41 26 93"), ["+996700412693"]);
        assert_eq!(numbers("Call +44 20 7946 0958"), ["+442079460958"]);
        assert_eq!(numbers("офис: тел. 495-604-18-27"), ["+74956041827"]);
        assert!(numbers("ИНН 4956041827").is_empty());
    }

    #[test]
    fn amounts_dates_and_ids_are_not_numbers() {
        for text in [
            "Зарплата 200 000 руб",
            "1 000 000 рублей при ранении",
            "от 105 000-125 000 ₽ в месяц",
            "ЗП 85 000-115 000 ₽",
            "Указ № 823 от 14.11.2022",
            "Возраст 18-55, 2023-2024 годы",
            "ИНН 771234567890",
            "ИНН 9731123420",
            "ОГРН: 1027700132195",
            "Карта № 89164075283",
            "id89164075283",
            "Ойлик 7 900 000 000 so'm",
            "Card 4276 1234 5678 9012",
            "650 000 – 900 000 теңге",
        ] {
            assert!(numbers(text).is_empty(), "{text}: {:?}", numbers(text));
        }
    }

    #[test]
    fn masked_numbers_are_not_listed() {
        for text in [
            "Звоните 8 ***** 96",
            "звоните 8 (9**) ***-**-17",
            "Звоните 8 9** *** 71 36",
            "+7 900 XXX-XX-XX",
            "+7 900 ххх хх хх",
            "8 *** *** 96",
            "+996 555 *** 456",
            "8 900 *** 52 83",
        ] {
            assert!(numbers(text).is_empty(), "{text}: {:?}", numbers(text));
        }
    }

    #[test]
    fn several_numbers_each_once_with_spans() {
        let text = "Тел 8 900 318-46-21, +7 900 318 46 21; 89003184622 89003184623. ЗП 120 000. 8 800 250-17-39";
        let found = extract_phones(text);
        let got: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            got,
            [
                "+79003184621",
                "+79003184622",
                "+79003184623",
                "+78002501739"
            ]
        );
        let (_, span) = &found[0];
        assert_eq!(&text[span.start..span.end], "8 900 318-46-21");
        let (_, span) = &found[3];
        assert_eq!(&text[span.start..span.end], "8 800 250-17-39");
    }

    #[test]
    fn decoration_after_a_number_does_not_hide_it() {
        assert_eq!(numbers("Тел 8 900 372 61 95 *** звоните"), ["+79003726195"]);
        assert_eq!(numbers("*** +7 900 372 61 95 ***"), ["+79003726195"]);
    }

    #[test]
    fn amount_then_number_in_one_run() {
        assert_eq!(numbers("Оплата 120 000. 8 900 372 61 95"), ["+79003726195"]);
    }

    #[test]
    fn long_inputs_finish() {
        let digits = "1".repeat(1 << 20);
        assert!(extract_phones(&digits).is_empty());
        let spaced = "8 ".repeat(1 << 18);
        let _ = extract_phones(&spaced);
        let masked = "*".repeat(1 << 18);
        assert!(extract_phones(&masked).is_empty());
    }

    proptest! {
        #[test]
        fn never_panics_and_spans_are_valid(s in "\\PC{0,200}") {
            for (number, span) in extract_phones(&s) {
                prop_assert!(number.starts_with('+'));
                prop_assert!(span.start < span.end && span.end <= s.len());
                prop_assert!(s.is_char_boundary(span.start) && s.is_char_boundary(span.end));
            }
        }

        #[test]
        fn never_panics_on_phone_like_text(s in "[0-9+()*xх .\\-тел:]{0,80}") {
            for (_, span) in extract_phones(&s) {
                prop_assert!(s.is_char_boundary(span.start) && s.is_char_boundary(span.end));
            }
        }
    }
}

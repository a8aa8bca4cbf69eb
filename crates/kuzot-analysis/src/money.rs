//! Money: every amount, range, lump sum and compensation a text states, with its currency,
//! period and role.
//!
//! Recruiters, job sites and news write money in every way at once: `200 000₽`, `200.000р`,
//! `200к`, `215 тыс. руб`, `1,5 млн`, `$2,390–2,800`, `от 100 до 120 т.р.`, Kyrgyz `60 000ден
//! 90 000 рублге чейин`, Uzbek `150 000 dan 190 000 rublgacha`, Tajik `аз 150 то 200 ҳазор
//! рубл`. The extractor works on the normalised text (digits folded by NFKC, lowercase, `ё` →
//! `е`, emoji gone) in three linear passes:
//!
//! 1. a tokenizer splits the text into numbers (with thousand separators — space, the
//!    no-break spaces NFKC turned into spaces, dot, comma, apostrophe — and decimal commas),
//!    words and single symbols;
//! 2. each number becomes an *atom* with the words glued to it or following it: a multiplier
//!    (`тыс`, `к`, `млн`, `миң`, `ming`, `ҳазор`, …), a currency (`₽`, `руб`, `тг`, `$`, `сом`,
//!    `so'm`, …) before or after it, and the sense of a Turkic suffix (`-дан/-ден/-dan` "from",
//!    `-гача/-gacha`, `чейин`, `дейін` "up to");
//! 3. atoms joined by a dash or `до`/`to`/`то`, or by a "from" suffix, become ranges, sharing
//!    their multiplier and currency; `до X`/`up to X` become `max` with no `min`.
//!
//! A bare number is not money: phone numbers, dates, ages, counts and durations have no
//! currency. A number with no currency is accepted only in a pay context (a pay word such as
//! `зарплата`, `оклад`, `айлык`, `maosh`, `salary` just before it, a plausible size, and no
//! counted noun after it), or when it carries a multiplier (`300 тыс.`, `3.2 млн`) in a
//! text that states a currency elsewhere. Its currency is then the nearest currency the
//! same text states, marked `currency_inferred`; with none, it stays `None` here and
//! [`fill_local_currency`] gives it the currency of the text's country when the language,
//! places or phone prefixes make that clear ([`local_currency`]); otherwise the amount is
//! reported with an unknown currency.
//!
//! Two further slips of real text: a range whose dash was lost ("90 000  120 000 ₽", whose
//! two spaces normalisation folds into one) is read as a range, not as 90 billion; and a
//! part after a multiplier adds up ("574 тыс. 713 рублей", "1 млн 200 миң").
//!
//! Som and sum are decided by spelling: Cyrillic `сом` (and its Kyrgyz or Russian forms
//! `сомдон`, `сомов`) is the Kyrgyz som (KGS); `сомони`/`сомонӣ`/`somoni` is the Tajik somoni
//! (TJS); `сўм`, `so'm` (any apostrophe) and `сум` are the Uzbek sum (UZS); Latin `som`
//! without an apostrophe is UZS when the text shows Uzbek Latin spelling (`o'`, `g'`, `ming`,
//! `kerak`, …) and KGS otherwise; Latin `sum` is UZS only in such a text (elsewhere it is the
//! English word).
//!
//! ```
//! use kuzot_analysis::money::extract_money;
//! use kuzot_analysis::normalize::normalize;
//! let money = extract_money(&normalize("ЗП 85 000 - 110 000 руб/мес, подъёмные 250 тыс. ₽"));
//! assert_eq!(money.len(), 2);
//! assert_eq!((money[0].min, money[0].max), (Some(85000.0), Some(110000.0)));
//! assert_eq!(money[1].min, Some(250000.0));
//! assert_eq!(money[1].currency.as_deref(), Some("RUB"));
//! ```

use std::collections::HashSet;
use std::sync::LazyLock;

use kuzot_model::{Money, MoneyRole, Period, Place};

use crate::lexicon::Lexicon;
use crate::normalize::Normalized;

/// Every distinct amount of money stated in the text (a repeated one once), in order of
/// first mention, each with the span of that mention in the original text.
pub fn extract_money(text: &Normalized) -> Vec<Money> {
    let s = text.text();
    if !s.bytes().any(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    let tokens = tokenize(s);
    let mut uzbek_latin = UzbekLatin::Unknown;
    let atoms = find_atoms(&tokens, s, &mut uzbek_latin);
    let exprs = combine(&tokens, &atoms);
    resolve(text, s, &tokens, &exprs)
}

// ---------------------------------------------------------------------------------------
// Tokens

/// A number as written: an integer mantissa and how many of its digits are decimals.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Number {
    mantissa: i64,
    scale: u32,
    /// Value of the digits before the first thousand separator ("10" in "10 000").
    lead: i64,
    /// Number of three-digit groups after separators ("10 000 000" has 2).
    groups: u32,
    /// Digits before the decimal mark.
    int_digits: usize,
    /// False for runs of digits too long to be an amount (ids, garbage).
    plausible: bool,
}

impl Number {
    fn value(self, multiplier: i64) -> f64 {
        let whole = i128::from(self.mantissa) * i128::from(multiplier);
        let divisor = 10i128.pow(self.scale);
        if whole % divisor == 0 {
            (whole / divisor) as f64
        } else {
            whole as f64 / divisor as f64
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind<'a> {
    Num(Number),
    Word(&'a str),
    Sym(char),
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    kind: Kind<'a>,
    /// Byte range in the normalised text.
    start: usize,
    end: usize,
    /// No space between this token and the previous one.
    glued: bool,
}

impl Token<'_> {
    fn word(&self) -> Option<&str> {
        match self.kind {
            Kind::Word(w) => Some(w),
            _ => None,
        }
    }

    fn is_sym(&self, c: char) -> bool {
        self.kind == Kind::Sym(c)
    }

    fn is_word(&self, options: &[&str]) -> bool {
        self.word().is_some_and(|w| options.contains(&w))
    }
}

/// `char::is_alphabetic` with a fast path for the scripts kuzot reads: the general
/// Unicode lookup is slow, and the tokenizer asks it for every character.
fn is_letter(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' => true,
        '\u{0400}'..='\u{0481}' | '\u{048A}'..='\u{04FF}' => true,
        _ if c.is_ascii() => false,
        _ => c.is_alphabetic(),
    }
}

fn tokenize(s: &str) -> Vec<Token<'_>> {
    let bytes = s.as_bytes();
    let mut out: Vec<Token<'_>> = Vec::new();
    let mut i = 0;
    let mut glued = false;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b' ' {
            glued = false;
            i += 1;
            continue;
        }
        let start = i;
        if b.is_ascii_digit() {
            // "вахта 60/30 120 000": after a slash or a colon the next number is a count or
            // a time, and a space there does not group thousands.
            let allow_space = !(glued
                && out
                    .last()
                    .is_some_and(|t| matches!(t.kind, Kind::Sym('/' | ':'))));
            let (number, end) = parse_number(bytes, i, allow_space);
            out.push(Token {
                kind: Kind::Num(number),
                start,
                end,
                glued,
            });
            i = end;
            glued = true;
            continue;
        }
        let Some(c) = s[i..].chars().next() else {
            break;
        };
        if is_letter(c) {
            let mut end = i + c.len_utf8();
            let mut rest = s[end..].chars().peekable();
            while let Some(&n) = rest.peek() {
                if is_letter(n) {
                    end += n.len_utf8();
                    rest.next();
                } else if n == '\'' && s[end + 1..].chars().next().is_some_and(is_letter) {
                    end += 1;
                    rest.next();
                } else {
                    break;
                }
            }
            out.push(Token {
                kind: Kind::Word(&s[start..end]),
                start,
                end,
                glued,
            });
            i = end;
        } else {
            i += c.len_utf8();
            out.push(Token {
                kind: Kind::Sym(c),
                start,
                end: i,
                glued,
            });
        }
        glued = true;
    }
    out
}

/// Reads a number at `start`: digits, thousand groups of exactly three digits after one
/// repeated separator, then an optional decimal part of one or two digits.
fn parse_number(bytes: &[u8], start: usize, allow_space: bool) -> (Number, usize) {
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let mut i = start;
    let mut mantissa: i64 = 0;
    let mut digits = 0usize;
    let push = |d: u8, mantissa: &mut i64, digits: &mut usize| {
        if *digits < 18 {
            *mantissa = *mantissa * 10 + i64::from(d - b'0');
        }
        *digits += 1;
    };
    while let Some(&b) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
        push(b, &mut mantissa, &mut digits);
        i += 1;
    }
    let lead = mantissa;
    let lead_len = digits;
    let mut groups = 0;
    let mut separator: Option<u8> = None;
    if digits <= 3 {
        while let Some(&sep) = bytes.get(i) {
            let usable = matches!(sep, b'.' | b',' | b'\'') || (sep == b' ' && allow_space);
            if !usable
                || separator.is_some_and(|s| s != sep)
                || !(digit(i + 1) && digit(i + 2) && digit(i + 3))
                || digit(i + 4)
            {
                break;
            }
            for k in 1..=3 {
                push(bytes[i + k], &mut mantissa, &mut digits);
            }
            separator = Some(sep);
            groups += 1;
            i += 4;
        }
    }
    let int_digits = digits;
    let mut scale = 0;
    if let Some(&mark) = bytes.get(i)
        && matches!(mark, b',' | b'.')
        && separator != Some(mark)
        && digit(i + 1)
    {
        let decimals = if digit(i + 2) { 2 } else { 1 };
        if !digit(i + 1 + decimals) {
            for k in 1..=decimals {
                push(bytes[i + k], &mut mantissa, &mut digits);
            }
            scale = decimals as u32;
            i += 1 + decimals;
        }
    }
    let number = Number {
        mantissa,
        scale,
        lead,
        groups,
        int_digits,
        plausible: digits <= 15,
    };
    if separator == Some(b' ')
        && scale == 0
        && (3..=5).contains(&groups)
        && let Some(keep) = lost_dash_split(bytes, start + lead_len, lead, groups)
    {
        // Re-read only the first amount; the tokenizer reads the second after the space.
        let end = start + lead_len + 4 * keep as usize;
        let (first, _) = parse_number(&bytes[..end], start, allow_space);
        return (first, end);
    }
    (number, i)
}

/// "90 000 120 000": normalisation folds the two spaces of a lost dash into one, and the
/// digits read as 90 billion. When the groups split into two space-grouped amounts, the
/// second starting with a non-zero digit and larger than the first by less than a factor
/// of fifty (how far a pay range spans), it is two amounts: returns how many groups the
/// first keeps. Real amounts of billions written with spaces ("1 000 000 000") do not
/// split, as their later groups start with zeros.
/// `groups_at` is where the first separator is.
fn lost_dash_split(bytes: &[u8], groups_at: usize, lead: i64, groups: u32) -> Option<u32> {
    let group_at = |g: u32| -> Option<i64> {
        let at = groups_at + 4 * g as usize + 1;
        let digits = bytes.get(at..at + 3)?;
        digits.iter().try_fold(0i64, |v, d| {
            d.is_ascii_digit().then(|| v * 10 + i64::from(d - b'0'))
        })
    };
    (1..groups - 1).find_map(|keep| {
        let mut first = lead;
        for g in 0..keep {
            first = first.checked_mul(1000)?.checked_add(group_at(g)?)?;
        }
        let second_lead = group_at(keep)?;
        if bytes.get(groups_at + 4 * keep as usize + 1) == Some(&b'0') {
            return None;
        }
        let mut second = second_lead;
        for g in keep + 1..groups {
            second = second.checked_mul(1000)?.checked_add(group_at(g)?)?;
        }
        (first < second && first.saturating_mul(50) >= second).then_some(keep)
    })
}

// ---------------------------------------------------------------------------------------
// Lexemes

/// The currencies kuzot reports, as ISO 4217 codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Currency {
    Rub,
    Kzt,
    Usd,
    Kgs,
    Uzs,
    Tjs,
    Eur,
    Uah,
    Gbp,
}

impl Currency {
    fn code(self) -> &'static str {
        match self {
            Currency::Rub => "RUB",
            Currency::Kzt => "KZT",
            Currency::Usd => "USD",
            Currency::Kgs => "KGS",
            Currency::Uzs => "UZS",
            Currency::Tjs => "TJS",
            Currency::Eur => "EUR",
            Currency::Uah => "UAH",
            Currency::Gbp => "GBP",
        }
    }
}

/// What a Turkic case suffix on a number, multiplier or currency word says about the amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sense {
    Plain,
    /// Ablative `-дан/-ден/-dan`: "from X".
    From,
    /// `-гача/-gacha`: "up to X".
    UpTo,
}

fn suffix_sense(rest: &str) -> Sense {
    const UP_TO: [&str; 3] = ["gacha", "гача", "qadar"];
    const FROM: [&str; 14] = [
        "dan", "den", "дан", "ден", "дон", "дөн", "тан", "тен", "тон", "төн", "нан", "нен", "дән",
        "тән",
    ];
    if UP_TO.iter().any(|s| rest.ends_with(s)) {
        Sense::UpTo
    } else if FROM.iter().any(|s| rest.ends_with(s)) {
        Sense::From
    } else {
        Sense::Plain
    }
}

/// Whether Latin `som` means the Uzbek sum in this text: decided once, when first needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UzbekLatin {
    Unknown,
    Yes,
    No,
}

fn looks_uzbek_latin(s: &str) -> bool {
    const WORDS: [&str; 10] = [
        "kerak", "ming", "uchun", "bilan", "oylik", "kuniga", "ishchi", "maosh", "beriladi",
        "qilish",
    ];
    s.contains("o'")
        || s.contains("g'")
        || s.split(|c: char| !c.is_alphabetic())
            .any(|w| WORDS.contains(&w))
}

fn uzbek_latin_text(text: &str, known: &mut UzbekLatin) -> bool {
    if *known == UzbekLatin::Unknown {
        *known = if looks_uzbek_latin(text) {
            UzbekLatin::Yes
        } else {
            UzbekLatin::No
        };
    }
    *known == UzbekLatin::Yes
}

/// A currency word or code, with the sense of its suffix (`rubldan`, `рублге`, `теңгеге`).
fn currency_word(w: &str, text: &str, uzbek_latin: &mut UzbekLatin) -> Option<(Currency, Sense)> {
    use Currency::*;
    let exact = match w {
        "р" | "руб" | "rub" | "rur" | "rubl" => Some(Rub),
        "тг" | "kzt" => Some(Kzt),
        "usd" | "долл" => Some(Usd),
        "eur" => Some(Eur),
        "kgs" => Some(Kgs),
        "uzs" => Some(Uzs),
        "tjs" | "смн" => Some(Tjs),
        "грн" | "uah" | "hrn" => Some(Uah),
        "gbp" => Some(Gbp),
        _ => None,
    };
    if let Some(c) = exact {
        return Some((c, Sense::Plain));
    }
    // Stems after which any ending is an inflection of the currency name.
    const STEMS: [(&str, Currency); 25] = [
        ("рубл", Rub),
        ("rubl", Rub),
        ("ruble", Rub),
        ("rouble", Rub),
        ("тенге", Kzt),
        ("теңге", Kzt),
        ("tenge", Kzt),
        ("доллар", Usd),
        ("доллор", Usd),
        ("dollar", Usd),
        ("dollor", Usd),
        ("бакс", Usd),
        ("евро", Eur),
        ("еуро", Eur),
        ("euro", Eur),
        ("сомон", Tjs),
        ("somon", Tjs),
        ("сўм", Uzs),
        ("so'm", Uzs),
        ("гривн", Uah),
        ("гривен", Uah),
        ("hryvn", Uah),
        ("фунт", Gbp),
        ("pound", Gbp),
        ("стерлинг", Gbp),
    ];
    for (stem, currency) in STEMS {
        if let Some(rest) = w.strip_prefix(stem) {
            // "Рублёвка", "рублевый": a road and an adjective, not an amount.
            if rest.starts_with("ев") || rest.starts_with("ev") {
                return None;
            }
            return Some((currency, suffix_sense(rest)));
        }
    }
    // Short stems that begin other words too: only listed endings.
    if let Some(rest) = w.strip_prefix("сом") {
        const KY: [&str; 13] = [
            "", "ов", "а", "дон", "дан", "го", "га", "ду", "дун", "до", "дук", "гача", "гочо",
        ];
        return KY.contains(&rest).then(|| (Kgs, suffix_sense(rest)));
    }
    if let Some(rest) = w.strip_prefix("сум") {
        return ["", "ов", "дан", "га", "гача"]
            .contains(&rest)
            .then(|| (Uzs, suffix_sense(rest)));
    }
    if let Some(rest) = w.strip_prefix("som") {
        if !["", "dan", "ga", "gacha"].contains(&rest) {
            return None;
        }
        let currency = if uzbek_latin_text(text, uzbek_latin) {
            Uzs
        } else {
            Kgs
        };
        return Some((currency, suffix_sense(rest)));
    }
    if let Some(rest) = w.strip_prefix("sum") {
        // English "sum" ("a lump sum of 500") is common: only in Uzbek Latin text.
        if !["", "dan", "gacha"].contains(&rest) || !uzbek_latin_text(text, uzbek_latin) {
            return None;
        }
        return Some((Uzs, suffix_sense(rest)));
    }
    None
}

fn currency_symbol(c: char) -> Option<Currency> {
    match c {
        '₽' => Some(Currency::Rub),
        '₸' => Some(Currency::Kzt),
        '$' => Some(Currency::Usd),
        '€' => Some(Currency::Eur),
        '₴' => Some(Currency::Uah),
        '£' => Some(Currency::Gbp),
        _ => None,
    }
}

/// A multiplier word (`тыс`, `млн`, `миң`, `ming`, `ҳазор`, …), with its suffix's sense.
/// `к`/`k` are not here: they are multipliers only in the positions `find_atoms` allows.
fn multiplier_word(w: &str) -> Option<(i64, Sense)> {
    const THOUSAND: i64 = 1_000;
    const MILLION: i64 = 1_000_000;
    const BILLION: i64 = 1_000_000_000;
    let exact = match w {
        "тыс" | "тысч" | "thous" | "hazor" | "тр" => Some(THOUSAND),
        "млн" | "mln" | "mio" | "лям" | "ляма" | "лямов" => Some(MILLION),
        "млрд" | "mlrd" | "bn" => Some(BILLION),
        _ => None,
    };
    if let Some(m) = exact {
        return Some((m, Sense::Plain));
    }
    const STEMS: [(&str, i64); 14] = [
        ("тысяч", THOUSAND),
        ("тыщ", THOUSAND),
        ("thousand", THOUSAND),
        ("миң", THOUSAND),
        ("мың", THOUSAND),
        ("минг", THOUSAND),
        ("ming", THOUSAND),
        ("ҳазор", THOUSAND),
        ("хазор", THOUSAND),
        ("миллион", MILLION),
        ("million", MILLION),
        ("миллиард", BILLION),
        ("milliard", BILLION),
        ("billion", BILLION),
    ];
    STEMS
        .iter()
        .find_map(|&(stem, m)| w.strip_prefix(stem).map(|rest| (m, suffix_sense(rest))))
}

/// Words after an amount that make it "up to": Kyrgyz `чейин`, Kazakh `дейін`, Uzbek `gacha`.
const UP_TO_AFTER: [&str; 9] = [
    "чейин",
    "дейін",
    "дейин",
    "шейін",
    "шейин",
    "gacha",
    "гача",
    "qadar",
    "қадар",
];
/// Words after an amount that mean "from" / "starting at" and change nothing in the key.
const FROM_AFTER: [&str; 8] = [
    "dan",
    "дан",
    "ден",
    "баштап",
    "бастап",
    "boshlab",
    "бошлаб",
    "starting",
];

// ---------------------------------------------------------------------------------------
// Atoms: one number with its multiplier and currency

#[derive(Debug, Clone, Copy)]
struct Atom {
    number: Number,
    multiplier: Option<i64>,
    /// A smaller part written after the multiplier: the 713 of "574 тыс. 713 рублей".
    extra: f64,
    currency: Option<Currency>,
    sense: Sense,
    /// First and last token (inclusive) of the atom.
    first: usize,
    last: usize,
    /// Written right after a slash or colon: a count or a time, never the start of a range.
    after_slash: bool,
}

impl Atom {
    fn value(&self) -> f64 {
        self.number.value(self.multiplier.unwrap_or(1)) + self.extra
    }
}

fn find_atoms(tokens: &[Token<'_>], text: &str, uzbek_latin: &mut UzbekLatin) -> Vec<Atom> {
    let mut atoms = Vec::new();
    let mut free_from = 0;
    let mut i = 0;
    while i < tokens.len() {
        if let Kind::Num(_) = tokens[i].kind
            && let Some(atom) = parse_atom(tokens, i, free_from, text, uzbek_latin)
        {
            free_from = atom.last + 1;
            i = atom.last + 1;
            atoms.push(atom);
            continue;
        }
        i += 1;
    }
    atoms
}

/// Short Turkic case endings glued to a number (`45 000ге`, `3000ни`) that change nothing.
fn neutral_glued_suffix(w: &str) -> bool {
    w.chars().count() <= 3
        && ![
            "к", "k", "р", "м", "m", "км", "km", "кг", "kg", "г", "g", "л", "l", "лет", "год", "ч",
            "h", "мин", "min", "см", "cm", "мм", "mm", "т", "t", "x", "х", "шт",
        ]
        .contains(&w)
}

fn parse_atom(
    tokens: &[Token<'_>],
    num: usize,
    free_from: usize,
    text: &str,
    uzbek_latin: &mut UzbekLatin,
) -> Option<Atom> {
    let Kind::Num(number) = tokens[num].kind else {
        return None;
    };
    if !number.plausible {
        return None;
    }
    let prev = num.checked_sub(1).and_then(|p| tokens.get(p));
    if tokens[num].glued
        && let Some(p) = prev
    {
        // "+7 900": a phone; "к1", "a4", "№2": part of an id or an address.
        if matches!(p.kind, Kind::Word(_) | Kind::Num(_)) || p.is_sym('+') || p.is_sym('№') {
            return None;
        }
    }
    let after_slash = tokens[num].glued && prev.is_some_and(|p| p.is_sym('/') || p.is_sym(':'));

    // A currency sign or code written before the number: "$2,390", "USD 2000".
    let mut first = num;
    let mut currency = None;
    if num > free_from
        && let Some(p) = prev
    {
        let before = match p.kind {
            Kind::Sym(c) => currency_symbol(c),
            Kind::Word(
                w @ ("usd" | "eur" | "rub" | "kzt" | "kgs" | "uzs" | "tjs" | "uah" | "gbp"),
            ) => currency_word(w, text, uzbek_latin).map(|(c, _)| c),
            _ => None,
        };
        if before.is_some() {
            currency = before;
            first = num - 1;
        }
    }

    let mut j = num + 1;
    let mut multiplier = None;
    let mut sense = Sense::Plain;
    let at = |k: usize| tokens.get(k);
    // A dot that ends an abbreviation ("тыс.", "руб.", "р.").
    let skip_dot = |k: usize| {
        if at(k).is_some_and(|t| t.is_sym('.') && t.glued) {
            k + 1
        } else {
            k
        }
    };

    // Multiplier.
    if let Some(t) = at(j)
        && let Some(w) = t.word()
    {
        let next_glued_num = at(j + 1).is_some_and(|n| n.glued && matches!(n.kind, Kind::Num(_)));
        if (w == "к" || w == "k") && !next_glued_num {
            let next_is_currency = at(j + 1).is_some_and(|n| match n.kind {
                Kind::Word(nw) => currency_word(nw, text, uzbek_latin).is_some(),
                Kind::Sym(c) => currency_symbol(c).is_some(),
                Kind::Num(_) => false,
            });
            if t.glued || next_is_currency {
                multiplier = Some(1_000);
                j += 1;
            }
        } else if w == "т"
            && at(j + 1).is_some_and(|d| d.is_sym('.'))
            && at(j + 2).is_some_and(|r| r.is_word(&["р", "руб"]))
        {
            // "т.р.", "т. р.": thousand roubles.
            multiplier = (number.int_digits < 4).then_some(1_000);
            currency = Some(Currency::Rub);
            j = skip_dot(j + 3);
        } else if let Some((m, s)) = multiplier_word(w) {
            // "50 000 тыс. руб" is a slip for 50 000 roubles, far likelier than 50 million.
            multiplier = (m != 1_000 || number.int_digits < 4).then_some(m);
            sense = s;
            if w == "тр" {
                currency = Some(Currency::Rub);
            }
            j = skip_dot(j + 1);
        }
    }

    // "574 тыс. 713 рублей", "1 млн 200 миң": a smaller part written after the multiplier.
    let mut extra = 0.0;
    if let Some(m) = multiplier
        && let Some(t) = at(j)
        && let Kind::Num(part) = t.kind
        && !t.glued
        && part.groups == 0
        && part.scale == 0
        && part.int_digits <= 3
    {
        let smaller = at(j + 1)
            .and_then(Token::word)
            .and_then(multiplier_word)
            .filter(|&(m2, _)| m2 < m);
        let currency_next = at(j + 1).is_some_and(|n| match n.kind {
            Kind::Word(w) => currency_word(w, text, uzbek_latin).is_some(),
            Kind::Sym(c) => currency_symbol(c).is_some(),
            Kind::Num(_) => false,
        });
        if let Some((m2, _)) = smaller {
            extra = part.value(m2);
            j = skip_dot(j + 2);
        } else if m == 1_000 && currency_next {
            extra = part.value(1);
            j += 1;
        }
    }

    // Currency after the number.
    if let Some(t) = at(j) {
        let after = match t.kind {
            Kind::Sym(c) => currency_symbol(c).map(|c| (c, Sense::Plain)),
            // "1,600 US dollars".
            Kind::Word("us")
                if at(j + 1).is_some_and(|n| n.word().is_some_and(|w| w.starts_with("dollar"))) =>
            {
                j += 1;
                Some((Currency::Usd, Sense::Plain))
            }
            // "250 000 P": a Latin P for the rouble in a Cyrillic text (an image's OCR).
            Kind::Word("p") if has_cyrillic(text) => Some((Currency::Rub, Sense::Plain)),
            Kind::Word(w) => currency_word(w, text, uzbek_latin),
            Kind::Num(_) => None,
        };
        if let Some((c, s)) = after {
            currency = Some(c);
            if s != Sense::Plain {
                sense = s;
            }
            j = skip_dot(j + 1);
        }
    }

    // Anything else glued to the number: a Turkic case ending, a "from" suffix, or a unit
    // that makes it not money ("5кг", "20лет").
    if j == num + 1
        && let Some(t) = at(j)
        && t.glued
        && let Some(w) = t.word()
    {
        let s = suffix_sense(w);
        if s != Sense::Plain && w.chars().count() <= 5 {
            sense = s;
            j += 1;
        } else if neutral_glued_suffix(w) {
            j += 1;
        } else {
            return None;
        }
    }

    // Separate words: "… рублге чейин", "170 000 dan …", "204 000 рублдан баштап".
    if let Some(t) = at(j) {
        if t.is_word(&UP_TO_AFTER) {
            sense = Sense::UpTo;
            j += 1;
        } else if t.is_word(&FROM_AFTER) {
            sense = Sense::From;
            j += 1;
        }
    }

    // "20%" is a share, not an amount.
    if at(j).is_some_and(|t| t.is_sym('%'))
        || at(j).is_some_and(|t| t.is_word(&["процент", "процентов", "процента", "percent"]))
    {
        return None;
    }
    Some(Atom {
        number,
        multiplier,
        extra,
        currency,
        sense,
        first,
        last: j - 1,
        after_slash,
    })
}

// ---------------------------------------------------------------------------------------
// Expressions: single amounts, ranges, "up to"

#[derive(Debug, Clone, Copy)]
struct Expr {
    min: Option<f64>,
    max: Option<f64>,
    currency: Option<Currency>,
    has_multiplier: bool,
    first: usize,
    last: usize,
    /// Size used for the plausibility check of amounts without a currency.
    size: f64,
    /// Written like a year (1900-2100, no separators, no multiplier): never money without
    /// a currency.
    year_like: bool,
}

fn year_like(a: &Atom) -> bool {
    a.multiplier.is_none()
        && a.number.groups == 0
        && a.number.scale == 0
        && (1900..=2100).contains(&a.number.mantissa)
}

fn is_range_connector(t: &Token<'_>) -> bool {
    matches!(t.kind, Kind::Sym('-' | '–' | '—' | '−' | '~'))
        || t.is_word(&["до", "to", "то", "do", "and", "va", "и"])
}

fn combine(tokens: &[Token<'_>], atoms: &[Atom]) -> Vec<Expr> {
    let mut exprs = Vec::new();
    let mut k = 0;
    while k < atoms.len() {
        let a = atoms[k];
        if let Some(b) = atoms.get(k + 1)
            && let Some(expr) = try_range(tokens, &a, b)
        {
            exprs.push(expr);
            k += 2;
            continue;
        }
        let up_to = a.sense == Sense::UpTo || preceded_by_up_to(tokens, a.first);
        let value = a.value();
        let (first, min, max) = if up_to {
            let first = if a.sense == Sense::UpTo {
                a.first
            } else {
                up_to_start(tokens, a.first)
            };
            (first, None, Some(value))
        } else {
            (a.first, Some(value), None)
        };
        exprs.push(Expr {
            min,
            max,
            currency: a.currency,
            has_multiplier: a.multiplier.is_some(),
            first,
            last: a.last,
            size: value,
            year_like: year_like(&a),
        });
        k += 1;
    }
    exprs
}

fn try_range(tokens: &[Token<'_>], a: &Atom, b: &Atom) -> Option<Expr> {
    if a.after_slash {
        return None;
    }
    let between = tokens.get(a.last + 1..b.first)?;
    let joined = match between {
        // "100 000  110 000 ₽": two grouped amounts side by side are a range whose dash was
        // lost (in copying or in character recognition); only the second names the currency.
        [] => {
            a.sense == Sense::From
                || (a.currency.is_none()
                    && b.currency.is_some()
                    && a.multiplier.is_none()
                    && a.number.groups > 0
                    && b.number.groups > 0)
        }
        [t] => {
            is_range_connector(t)
                && (!t.is_word(&["and", "va", "и"]) || preceded_by_between(tokens, a.first))
        }
        _ => false,
    };
    if !joined {
        return None;
    }
    if let (Some(ca), Some(cb)) = (a.currency, b.currency)
        && ca != cb
    {
        return None;
    }
    // "150-180 тыс.", "аз 150 то 200 ҳазор": the multiplier written once serves both ends.
    let mut a_value = a.value();
    let mut b_value = b.value();
    match (a.multiplier, b.multiplier) {
        (None, Some(m)) if a.number.value(1) <= b.number.value(1) => a_value = a.number.value(m),
        (Some(m), None) if b.number.value(m) >= a_value => b_value = b.number.value(m),
        // "5-10 000", "150-180 000": the thousands written once serve both ends.
        (None, None)
            if a.number.groups == 0
                && a.number.scale == 0
                && b.number.groups > 0
                && a.number.mantissa < b.number.lead =>
        {
            a_value = a.number.value(10i64.pow(3 * b.number.groups.min(4)));
        }
        _ => {}
    }
    // A range spans less than a factor of fifty; "18-55 — 200 000" is an age, then pay.
    if !(a_value < b_value && a_value * 50.0 >= b_value) {
        return None;
    }
    Some(Expr {
        min: Some(a_value),
        max: Some(b_value),
        currency: b.currency.or(a.currency),
        has_multiplier: a.multiplier.is_some() || b.multiplier.is_some(),
        first: a.first,
        last: b.last,
        size: b_value,
        year_like: year_like(a),
    })
}

fn preceded_by_between(tokens: &[Token<'_>], first: usize) -> bool {
    first
        .checked_sub(1)
        .and_then(|p| tokens.get(p))
        .is_some_and(|t| t.is_word(&["between", "между", "orasida"]))
}

/// "до 3 млн", "up to $2,500", "не более 50 000", "максимум 100 000".
fn preceded_by_up_to(tokens: &[Token<'_>], first: usize) -> bool {
    up_to_start(tokens, first) < first
}

/// The first token of an "up to" phrase ending right before `first`, or `first`.
fn up_to_start(tokens: &[Token<'_>], first: usize) -> usize {
    let back = |n: usize| first.checked_sub(n).and_then(|p| tokens.get(p));
    match back(1) {
        Some(t) if t.is_word(&["до", "do", "максимум", "max", "maximum", "upto"]) => {
            first - 1
        }
        Some(t) if t.is_word(&["to"]) && back(2).is_some_and(|u| u.is_word(&["up"])) => first - 2,
        Some(t)
            if t.is_word(&["более", "больше", "выше"])
                && back(2).is_some_and(|u| u.is_word(&["не"])) =>
        {
            first - 2
        }
        _ => first,
    }
}

// ---------------------------------------------------------------------------------------
// Context: period, role, and whether an amount without a currency is money at all

/// What a word near an amount says about it.
#[derive(Debug, Clone, Copy, Default)]
struct Cue {
    period: Option<Period>,
    role: Option<MoneyRole>,
    /// A word about pay or price: makes a bare number in its clause an amount.
    pay: bool,
    /// Russian written in Latin letters: the default currency is the rouble.
    russian_latin: bool,
}

/// Words before an amount, matched by prefix.
const CUES_BEFORE: &[(&str, Option<Period>, Option<MoneyRole>)] = {
    use MoneyRole::*;
    use Period::*;
    &[
        // Regular pay, monthly unless the text says otherwise.
        ("зарплат", Some(Month), Some(Salary)),
        ("заработн", Some(Month), Some(Salary)),
        ("зп", Some(Month), Some(Salary)),
        ("оклад", Some(Month), Some(Salary)),
        ("довольстви", Some(Month), Some(Salary)),
        ("айлык", Some(Month), Some(Salary)),
        ("айлық", Some(Month), Some(Salary)),
        ("айына", Some(Month), Some(Salary)),
        ("айлыг", Some(Month), Some(Salary)),
        ("жалақы", Some(Month), Some(Salary)),
        ("маяна", Some(Month), Some(Salary)),
        ("oylik", Some(Month), Some(Salary)),
        ("ойлик", Some(Month), Some(Salary)),
        ("oyiga", Some(Month), Some(Salary)),
        ("ойига", Some(Month), Some(Salary)),
        ("маош", Some(Month), Some(Salary)),
        ("maosh", Some(Month), Some(Salary)),
        ("моҳона", Some(Month), Some(Salary)),
        ("zarplat", Some(Month), Some(Salary)),
        ("zp", Some(Month), Some(Salary)),
        ("salary", Some(Month), Some(Salary)),
        ("monthly", Some(Month), Some(Salary)),
        ("ежемесячн", Some(Month), Some(Salary)),
        // Per day or shift.
        ("күнүнө", Some(Day), Some(Salary)),
        ("күніне", Some(Day), Some(Salary)),
        ("kuniga", Some(Day), Some(Salary)),
        ("kunlik", Some(Day), Some(Salary)),
        ("кунлик", Some(Day), Some(Salary)),
        ("кунига", Some(Day), Some(Salary)),
        ("рӯзе", Some(Day), Some(Salary)),
        ("рузе", Some(Day), Some(Salary)),
        ("смен", Some(Day), Some(Salary)),
        ("smena", Some(Day), Some(Salary)),
        ("сменасига", Some(Day), Some(Salary)),
        ("суточн", Some(Day), Some(Salary)),
        ("посуточн", Some(Day), Some(Salary)),
        ("daily", Some(Day), Some(Salary)),
        // Per hour.
        ("саатына", Some(Hour), Some(Salary)),
        ("сағатына", Some(Hour), Some(Salary)),
        ("соатига", Some(Hour), Some(Salary)),
        ("soatiga", Some(Hour), Some(Salary)),
        ("почасов", Some(Hour), Some(Salary)),
        ("hourly", Some(Hour), Some(Salary)),
        // Lump sums.
        ("подъемн", Some(OneTime), Some(LumpSum)),
        ("единовремен", Some(OneTime), Some(LumpSum)),
        ("единоразов", Some(OneTime), Some(LumpSum)),
        ("разов", Some(OneTime), Some(LumpSum)),
        ("martalik", Some(OneTime), Some(LumpSum)),
        ("марталик", Some(OneTime), Some(LumpSum)),
        ("жолку", Some(OneTime), Some(LumpSum)),
        ("жолу", Some(OneTime), Some(LumpSum)),
        ("жолғы", Some(OneTime), Some(LumpSum)),
        ("реттік", Some(OneTime), Some(LumpSum)),
        ("яккарата", Some(OneTime), Some(LumpSum)),
        ("якдафъа", Some(OneTime), Some(LumpSum)),
        ("lump", Some(OneTime), Some(LumpSum)),
        ("signing", Some(OneTime), Some(LumpSum)),
        ("off", Some(OneTime), Some(LumpSum)),
        ("payment", None, None),
        ("подписани", Some(OneTime), Some(LumpSum)),
        ("сразу", Some(OneTime), Some(LumpSum)),
        ("srazu", Some(OneTime), Some(LumpSum)),
        ("бонус", Some(OneTime), Some(LumpSum)),
        ("bonus", Some(OneTime), Some(LumpSum)),
        ("премия", Some(OneTime), Some(LumpSum)),
        // Compensation for wounds or death.
        ("компенсац", Some(OneTime), Some(Compensation)),
        ("kompensats", Some(OneTime), Some(Compensation)),
        ("ранени", Some(OneTime), Some(Compensation)),
        ("ранен", Some(OneTime), Some(Compensation)),
        ("увечь", Some(OneTime), Some(Compensation)),
        ("гибел", Some(OneTime), Some(Compensation)),
        ("смерт", Some(OneTime), Some(Compensation)),
        ("погиб", Some(OneTime), Some(Compensation)),
        ("wound", Some(OneTime), Some(Compensation)),
        ("injur", Some(OneTime), Some(Compensation)),
        ("death", Some(OneTime), Some(Compensation)),
        ("жаракат", Some(OneTime), Some(Compensation)),
        ("жарадар", Some(OneTime), Some(Compensation)),
        ("жарақат", Some(OneTime), Some(Compensation)),
        ("ярадор", Some(OneTime), Some(Compensation)),
        ("yarador", Some(OneTime), Some(Compensation)),
        ("захм", Some(OneTime), Some(Compensation)),
        ("марг", Some(OneTime), Some(Compensation)),
        ("каза", Some(OneTime), Some(Compensation)),
        ("қаза", Some(OneTime), Some(Compensation)),
        ("өлүм", Some(OneTime), Some(Compensation)),
        ("o'lim", Some(OneTime), Some(Compensation)),
        // Other pay words: money, no period.
        ("доход", None, Some(Salary)),
        ("заработ", None, Some(Salary)),
        ("ставк", None, Some(Salary)),
        ("оплат", None, None),
        ("выплат", None, None),
        ("плата", None, None),
        ("платим", None, None),
        ("платят", None, None),
        ("аванс", None, None),
        ("төлөм", None, None),
        ("төлем", None, None),
        ("тўлов", None, None),
        ("to'lov", None, None),
        ("пардохт", None, None),
        ("музд", None, Some(Salary)),
        ("oplat", None, None),
        ("dohod", None, Some(Salary)),
        ("pay", None, Some(Salary)),
        ("paid", None, None),
        ("wage", None, Some(Salary)),
        ("earn", None, Some(Salary)),
        ("income", None, Some(Salary)),
        // Prices and fees.
        ("стоимост", None, Some(Other)),
        ("стоит", None, Some(Other)),
        ("цена", None, Some(Other)),
        ("штраф", None, Some(Other)),
        ("price", None, Some(Other)),
        ("cost", None, Some(Other)),
        ("fee", None, Some(Other)),
        ("fine", None, Some(Other)),
        ("narx", None, Some(Other)),
        ("нарх", None, Some(Other)),
        ("баасы", None, Some(Other)),
        ("бағасы", None, Some(Other)),
    ]
};

/// Cue entries that match a whole word only ("зп", not "зпт"); the rest match by prefix.
const WHOLE_WORD_CUES: [&str; 10] = [
    "зп", "zp", "pay", "off", "fee", "fine", "жолу", "марг", "каза", "қаза",
];

/// The cue words as one lexicon, built once: one Aho-Corasick scan per text finds them all.
static CUE_LEXICON: LazyLock<Option<Lexicon<usize>>> = LazyLock::new(|| {
    let entries = CUES_BEFORE.iter().enumerate().map(|(i, &(word, _, _))| {
        let pattern = if WHOLE_WORD_CUES.contains(&word) {
            word.to_owned()
        } else {
            format!("{word}*")
        };
        (pattern, i)
    });
    Lexicon::build(entries).ok()
});

/// Where cue words start in the normalised text: `(byte offset, entry)`, sorted, the
/// first-listed entry when several match one word ("ранен*", "ранени*").
fn cue_positions(text: &Normalized) -> Vec<(usize, usize)> {
    let Some(lexicon) = CUE_LEXICON.as_ref() else {
        return Vec::new();
    };
    let mut found: Vec<(usize, usize)> = lexicon.find(text).map(|m| (m.start, *m.value)).collect();
    found.sort_unstable();
    found.dedup_by_key(|(start, _)| *start);
    found
}

fn cue_of_entry(entry: usize) -> Option<Cue> {
    let &(word, period, role) = CUES_BEFORE.get(entry)?;
    // Words about wounds, death, shifts or signing say what an amount is for, but a bare
    // number beside them is a date or a count ("погибших в 2024 году").
    let pay = role != Some(MoneyRole::Compensation)
        && !matches!(
            word,
            "сразу"
                | "srazu"
                | "подписани"
                | "off"
                | "signing"
                | "смен"
                | "smena"
                | "сменасига"
                | "суточн"
                | "посуточн"
                | "daily"
                | "hourly"
                | "почасов"
                | "monthly"
                | "ежемесячн"
                | "бонус"
                | "bonus"
                | "премия"
        );
    Some(Cue {
        period,
        role,
        pay,
        russian_latin: matches!(word, "zarplat" | "zp" | "oplat" | "dohod"),
    })
}

/// The period a unit word names: "месяц", "смену", "hour", "моҳ".
fn period_word(w: &str) -> Option<Period> {
    const MONTH: [&str; 8] = ["мес", "month", "mes", "моҳ", "мох", "oy", "ай", "mo"];
    const DAY: [&str; 11] = [
        "смен", "сут", "день", "дн", "day", "shift", "smen", "den", "рӯз", "kun", "күн",
    ];
    const HOUR: [&str; 8] = ["час", "hour", "hr", "chas", "соат", "саат", "soat", "сағат"];
    let short_exact = ["oy", "ай", "mo", "дн", "ч", "h", "den", "kun", "күн"];
    let hit = |list: &[&str]| {
        list.iter().any(|p| {
            if short_exact.contains(p) {
                w == *p
            } else {
                w.starts_with(p)
            }
        })
    };
    if hit(&MONTH) {
        Some(Period::Month)
    } else if hit(&DAY) || w == "ден" {
        Some(Period::Day)
    } else if hit(&HOUR) || w == "ч" || w == "h" {
        Some(Period::Hour)
    } else {
        None
    }
}

/// The period or one-off nature stated right after an amount: "в месяц", "/мес", "руб/час",
/// "per shift", "a month", "дар як моҳ", "ежемесячно", "сразу при подписании".
fn cue_after(tokens: &[Token<'_>], from: usize) -> Option<Cue> {
    let at = |k: usize| tokens.get(from + k);
    let word_at = |k: usize| at(k).and_then(Token::word);
    let with_period = |p: Period| {
        Some(Cue {
            period: Some(p),
            role: Some(if p == Period::OneTime {
                MoneyRole::LumpSum
            } else {
                MoneyRole::Salary
            }),
            pay: true,
            russian_latin: false,
        })
    };
    let first = at(0)?;
    // After "руб." the dot may have ended the sentence: "… 215 000 руб. Смена 3000 р."
    let after_dot = from
        .checked_sub(1)
        .and_then(|p| tokens.get(p))
        .is_some_and(|t| t.is_sym('.'));
    if first.is_sym('/') {
        return word_at(1).and_then(period_word).and_then(with_period);
    }
    let w = first.word()?;
    match w {
        "в" | "за" | "per" | "a" | "an" | "each" | "every" | "v" | "za" | "на" => {
            word_at(1).and_then(period_word).and_then(with_period)
        }
        "дар" => {
            let unit = if word_at(1) == Some("як") { 2 } else { 1 };
            word_at(unit).and_then(period_word).and_then(with_period)
        }
        _ if after_dot => None,
        "ежемесячно" | "monthly" | "oyiga" | "ойига" | "айына" | "моҳона" => {
            with_period(Period::Month)
        }
        "смена" | "kuniga" | "кунига" | "күнүнө" | "күніне" | "рӯзе" | "daily" | "посуточно" => {
            with_period(Period::Day)
        }
        "soatiga" | "соатига" | "саатына" | "hourly" | "почасово" => {
            with_period(Period::Hour)
        }
        "сразу" | "srazu" | "upfront" | "единовременно" => {
            with_period(Period::OneTime)
        }
        "при" if word_at(1).is_some_and(|n| n.starts_with("подписан")) => {
            with_period(Period::OneTime)
        }
        "on" | "at" if word_at(1) == Some("signing") => with_period(Period::OneTime),
        _ => None,
    }
}

/// The cue nearest before an amount in its clause: at most five tokens back, never past
/// the previous amount or the end of a sentence.
fn cue_in_clause_before(
    tokens: &[Token<'_>],
    cues: &[(usize, usize)],
    first: usize,
    floor: usize,
) -> Option<Cue> {
    let mut found: Option<Cue> = None;
    let mut k = first;
    let mut steps = 0;
    while k > floor && steps < 5 {
        k -= 1;
        steps += 1;
        let t = &tokens[k];
        match t.kind {
            Kind::Sym('.' | '!' | '?' | ';') => break,
            Kind::Num(_) => break,
            Kind::Sym('/') => {
                // "з/п": the abbreviation of заработная плата.
                if k >= 1
                    && tokens[k - 1].is_word(&["з"])
                    && tokens.get(k + 1).is_some_and(|n| n.is_word(&["п"]))
                {
                    return Some(Cue {
                        period: Some(Period::Month),
                        role: Some(MoneyRole::Salary),
                        pay: true,
                        russian_latin: false,
                    });
                }
            }
            Kind::Word(_) => {
                let entry = cues
                    .binary_search_by_key(&t.start, |&(start, _)| start)
                    .ok()
                    .and_then(|i| cues.get(i))
                    .map(|&(_, entry)| entry);
                if let Some(cue) = entry.and_then(cue_of_entry) {
                    // The nearest cue with a period or role wins; a bare pay word only
                    // makes the number money.
                    if cue.period.is_some() || cue.role.is_some() {
                        return Some(cue);
                    }
                    found.get_or_insert(cue);
                }
            }
            Kind::Sym(_) => {}
        }
    }
    found
}

/// After an amount without a currency: only something that can follow an amount, not a
/// counted noun ("2 раза", "18 лет", "6200 объектов").
fn can_follow_bare_amount(tokens: &[Token<'_>], after: usize) -> bool {
    match tokens.get(after) {
        None => true,
        Some(t) => match t.kind {
            Kind::Sym('/') => tokens
                .get(after + 1)
                .is_some_and(|n| n.word().and_then(period_word).is_some()),
            Kind::Sym(c) => c != '%',
            Kind::Num(_) => false,
            Kind::Word(w) => {
                cue_after(tokens, after).is_some()
                    || UP_TO_AFTER.contains(&w)
                    || FROM_AFTER.contains(&w)
                    || [
                        "и",
                        "или",
                        "плюс",
                        "and",
                        "or",
                        "plus",
                        "+",
                        "на",
                        "брутто",
                        "нетто",
                        "чистыми",
                        "на",
                        "руки",
                        "net",
                        "gross",
                    ]
                    .contains(&w)
            }
        },
    }
}

/// How many tokens from an amount with a stated currency a multiplied amount without one
/// may stand and still be read as money in that currency.
const NEAR_STATED_TOKENS: usize = 30;

fn has_cyrillic(text: &str) -> bool {
    text.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// The currency of the country a text comes from, for amounts that state none: the first
/// signal of where the work or the news is wins — a place (Russian and occupied places pay
/// in roubles, a Central Asian city in its country's money), else a phone prefix, else the
/// language (Russian, Kazakh; Kyrgyz, Uzbek and Tajik only with a place or a phone, since
/// their speakers work in Russia as often as at home). `None` when the country is not clear.
pub fn local_currency(lang: &str, places: &[Place], phones: &[String]) -> Option<&'static str> {
    if let Some(place) = places.first() {
        let code = match place.id.as_str() {
            "bishkek" | "osh" | "batken" | "jalal_abad" | "naryn" => "KGS",
            "almaty" | "astana" | "kostanay" => "KZT",
            "tashkent" | "samarkand" => "UZS",
            "dushanbe" | "khujand" => "TJS",
            "london" => "GBP",
            "seoul" => "KRW",
            _ => "RUB",
        };
        return Some(code);
    }
    for phone in phones {
        let code = if phone.starts_with("+996") {
            "KGS"
        } else if phone.starts_with("+998") {
            "UZS"
        } else if phone.starts_with("+992") {
            "TJS"
        } else if phone.starts_with("+77") {
            "KZT"
        } else if phone.starts_with("+7") {
            "RUB"
        } else {
            continue;
        };
        return Some(code);
    }
    match lang {
        "ru" => Some("RUB"),
        "kk" => Some("KZT"),
        _ => None,
    }
}

/// Gives every amount that has no currency the local one (see [`local_currency`]), marked
/// as inferred; with no local currency the amount keeps `currency: None`.
pub fn fill_local_currency(money: &mut [Money], local: Option<&str>) {
    let Some(code) = local else { return };
    for m in money.iter_mut().filter(|m| m.currency.is_none()) {
        m.currency = Some(code.to_owned());
        m.currency_inferred = true;
    }
}

fn resolve(
    normalized: &Normalized,
    text: &str,
    tokens: &[Token<'_>],
    exprs: &[Expr],
) -> Vec<Money> {
    let explicit: Vec<(usize, Currency)> = exprs
        .iter()
        .filter_map(|e| e.currency.map(|c| (e.first, c)))
        .collect();
    let mut out = Vec::new();
    let mut seen: HashSet<(Option<i64>, Option<i64>, Option<Currency>)> = HashSet::new();
    let cues = if exprs.is_empty() {
        Vec::new()
    } else {
        cue_positions(normalized)
    };
    let mut floor = 0;
    for e in exprs {
        let before = cue_in_clause_before(tokens, &cues, e.first, floor);
        floor = e.last + 1;
        let after = cue_after(tokens, e.last + 1);
        let (currency, inferred) = match e.currency {
            Some(c) => (Some(c), false),
            None => {
                // The stated currency closest in the text, before or after.
                let nearest = explicit
                    .iter()
                    .min_by_key(|&&(at, _)| at.abs_diff(e.first))
                    .map(|&(_, c)| c);
                // A pay word makes a bare number money; a word saying what money is for
                // ("за ранение 3 000 000") does so only when the text states a currency;
                // so does a multiplier in a text that states one ("мастерам 250 тыс. и
                // выше", "Псков — 2.7 млн" in a list of rouble sums).
                let pay_cue =
                    before.is_some_and(|c| c.pay || (c.role.is_some() && nearest.is_some()));
                // News counts people, tonnes and clients in thousands too: only an amount
                // close to a stated one (within a sentence or two) borrows its currency.
                let near_stated = explicit
                    .iter()
                    .any(|&(at, _)| at.abs_diff(e.first) <= NEAR_STATED_TOKENS);
                let sized_like_money = e.has_multiplier && near_stated;
                if !pay_cue && !sized_like_money {
                    continue;
                }
                let size_ok =
                    e.size >= 1000.0 || e.has_multiplier || (e.size >= 100.0 && after.is_some());
                // Inside a slug, a date or an ordinal: "salary-2023", "2024-10-08", "2025-го".
                let joiner = |t: &Token<'_>| matches!(t.kind, Kind::Sym('-' | '/' | '_' | '='));
                let joined_after = tokens.get(e.last + 1).is_some_and(|t| joiner(t) && t.glued)
                    && tokens.get(e.last + 2).is_some_and(|n| n.glued);
                let joined_before = tokens.get(e.first).is_some_and(|t| t.glued)
                    && e.first
                        .checked_sub(1)
                        .and_then(|p| tokens.get(p))
                        .is_some_and(joiner);
                let in_slug = joined_after || joined_before;
                // "до 75тыс. Телефон …": the abbreviation's dot also ends the sentence, and
                // what follows is not a counted noun.
                // Only after a pay word: elsewhere "15 тыс. знаков" is a count.
                let ends_with_dot = tokens.get(e.last).is_some_and(|t| t.is_sym('.'));
                let followed_well =
                    (pay_cue && ends_with_dot) || can_follow_bare_amount(tokens, e.last + 1);
                if !size_ok || e.year_like || in_slug || !followed_well {
                    continue;
                }
                match nearest {
                    Some(c) => (Some(c), true),
                    // Russian pay words typed in Latin letters ("zarplata 90 000") speak of
                    // roubles whatever the text's language.
                    None if before.is_some_and(|c| c.russian_latin) && !has_cyrillic(text) => {
                        (Some(Currency::Rub), true)
                    }
                    // Left for the country of the text to decide (`fill_local_currency`).
                    None => (None, false),
                }
            }
        };
        let period = after
            .and_then(|c| c.period)
            .or_else(|| before.and_then(|c| c.period));
        let role = match (before.and_then(|c| c.role), after.and_then(|c| c.role)) {
            (Some(r @ (MoneyRole::Compensation | MoneyRole::LumpSum)), _) => Some(r),
            (_, Some(r @ MoneyRole::LumpSum)) => Some(r),
            (Some(r), _) => Some(r),
            (None, Some(r)) => Some(r),
            (None, None) => None,
        };
        let period = match role {
            Some(MoneyRole::Compensation | MoneyRole::LumpSum) => Some(Period::OneTime),
            _ => period,
        };
        // "2р. в мес." is "twice a month": no rouble, tenge, sum or som amount is that small.
        let top = e.max.or(e.min).unwrap_or(0.0);
        if top < 10.0
            && !matches!(
                currency,
                Some(Currency::Usd | Currency::Eur | Currency::Gbp | Currency::Tjs)
            )
        {
            continue;
        }
        let cents = |v: Option<f64>| v.map(|v| (v * 100.0).round() as i64);
        if !seen.insert((cents(e.min), cents(e.max), currency)) {
            continue;
        }
        let (Some(first), Some(last)) = (tokens.get(e.first), tokens.get(e.last)) else {
            continue;
        };
        out.push(Money {
            min: e.min,
            max: e.max,
            currency: currency.map(|c| c.code().to_owned()),
            currency_inferred: inferred,
            period,
            role,
            span: normalized.original_span(first.start, last.end),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;
    use proptest::prelude::*;

    /// Amounts as the engine reports them: the currency left unknown by the extractor is
    /// that of the text's country (language, places, phones), or "null".
    fn found(text: &str) -> Vec<Money> {
        let n = normalize(text);
        let mut money = extract_money(&n);
        let lang = crate::lang::identify_language(text, &n).lang;
        let places = crate::places::extract_places(&n);
        let phones: Vec<String> = crate::phones::extract_phones(text)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        fill_local_currency(&mut money, local_currency(lang, &places, &phones));
        money
    }

    /// (min, max, currency) of every amount found.
    fn keys(text: &str) -> Vec<(Option<f64>, Option<f64>, String)> {
        found(text)
            .into_iter()
            .map(|m| (m.min, m.max, m.currency.unwrap_or_else(|| "null".into())))
            .collect()
    }

    #[test]
    fn dash_lost_between_grouped_amounts_is_a_range() {
        assert_eq!(
            keys("Оклад 90 000  120 000 ₽ на руки"),
            [one(Some(90000.0), Some(120000.0), "RUB")]
        );
        assert_eq!(
            keys("ставка 45 000 52 000 руб"),
            [one(Some(45000.0), Some(52000.0), "RUB")]
        );
        // Two amounts that are not a range (the second smaller) stay apart.
        assert_eq!(keys("1 000 000 000 руб бюджета").len(), 1);
    }

    #[test]
    fn parts_after_a_multiplier_add_up() {
        assert_eq!(
            keys("ущерб 312 тыс. 450 рублей"),
            [one(Some(312450.0), None, "RUB")]
        );
        assert_eq!(
            keys("2 млн 300 миң рубль төлөйт"),
            [one(Some(2300000.0), None, "RUB")]
        );
        assert_eq!(
            keys("3 mln 500 ming so'm beriladi"),
            [one(Some(3500000.0), None, "UZS")]
        );
        assert_eq!(
            keys("1 млн 400 мың теңге"),
            [one(Some(1400000.0), None, "KZT")]
        );
        assert_eq!(
            keys("2 млн 100 ҳазор рубл"),
            [one(Some(2100000.0), None, "RUB")]
        );
    }

    #[test]
    fn more_currencies_by_name() {
        assert_eq!(
            keys("Оплата 6200 грн./мес., охрана склада"),
            [one(Some(6200.0), None, "UAH")]
        );
        assert_eq!(
            keys("около 150 000 рублей (1 400 фунтов стерлингов)"),
            [
                one(Some(150000.0), None, "RUB"),
                one(Some(1400.0), None, "GBP")
            ]
        );
        assert_eq!(
            keys("they were promised 1,300 US dollars a month"),
            [one(Some(1300.0), None, "USD")]
        );
        assert_eq!(
            keys("ЗАРПЛАТА oT 180 000 P в месяц"),
            [one(Some(180000.0), None, "RUB")]
        );
    }

    #[test]
    fn look_alike_letters_inside_amounts() {
        assert_eq!(
            keys("Зapплaтa oт 60 дo 75тыc. Телефон 89491234567"),
            [one(Some(60000.0), Some(75000.0), "RUB")]
        );
    }

    #[test]
    fn multiplied_amounts_take_the_currency_the_text_states() {
        assert_eq!(
            keys("Рабочие получают 150 тыс. руб. в месяц, мастера 250 тыс. и более."),
            [
                one(Some(150000.0), None, "RUB"),
                one(Some(250000.0), None, "RUB")
            ]
        );
        let m = found("Тверь - 2 млн руб. Псков - 2.7 млн +участок");
        assert_eq!(m.len(), 2);
        assert!(!m[0].currency_inferred);
        assert!(m[1].currency_inferred);
        // A multiplier before a counted noun is a count, even after an abbreviation dot.
        assert_eq!(
            keys("Гонорар 20 тыс. руб. за текст от 7 до 12 тыс. знаков"),
            [one(Some(20000.0), None, "RUB")]
        );
        // The closest stated currency is borrowed.
        assert_eq!(
            keys("Долг $500. Коммуналка почти 14к — 13 415 рублей"),
            [
                one(Some(500.0), None, "USD"),
                one(Some(14000.0), None, "RUB"),
                one(Some(13415.0), None, "RUB")
            ]
        );
        assert_eq!(
            keys("Платят 200 тыс. руб. Там работают 30 тысяч человек."),
            [one(Some(200000.0), None, "RUB")]
        );
    }

    #[test]
    fn currency_of_the_country_when_the_text_states_none() {
        let uz = found("Toshkentda ishchi kerak. Maosh: 2.400.000, tel +998 71 555 20 14");
        assert_eq!(uz.len(), 1);
        assert_eq!(uz[0].currency.as_deref(), Some("UZS"));
        assert!(uz[0].currency_inferred);
        let tg = found("Дар Душанбе ронанда лозим. Маош 3000, тел +992 37 221 80 56");
        assert_eq!(tg[0].currency.as_deref(), Some("TJS"));
        let ky = found("Бишкекте сатуучу керек, айлык 25 000");
        assert_eq!(ky[0].currency.as_deref(), Some("KGS"));
        let ru = found("Требуется кладовщик, зарплата 70 000");
        assert_eq!(ru[0].currency.as_deref(), Some("RUB"));
        assert!(ru[0].currency_inferred);
        // Kyrgyz with no place and no phone: the country is not clear.
        let unknown = found("Сатуучу керек, айлык 40 000");
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0].currency, None);
        assert!(!unknown[0].currency_inferred);
    }

    fn one(min: Option<f64>, max: Option<f64>, cur: &str) -> (Option<f64>, Option<f64>, String) {
        (min, max, cur.to_owned())
    }

    #[test]
    fn cue_lexicon_builds() {
        assert!(
            CUE_LEXICON
                .as_ref()
                .is_some_and(|l| l.len() == CUES_BEFORE.len())
        );
    }

    #[test]
    fn single_amounts_and_shorthands() {
        assert_eq!(
            keys("Оплата 5000₽ за выход"),
            [one(Some(5000.0), None, "RUB")]
        );
        assert_eq!(keys("ЗП 200к на руки"), [one(Some(200000.0), None, "RUB")]);
        assert_eq!(
            keys("оклад 215 тыс. руб"),
            [one(Some(215000.0), None, "RUB")]
        );
        assert_eq!(
            keys("выплата 3 млн рублей семье"),
            [one(Some(3e6), None, "RUB")]
        );
        assert_eq!(
            keys("обещают 1,5 млн руб."),
            [one(Some(1.5e6), None, "RUB")]
        );
        assert_eq!(keys("платим 200.000р"), [one(Some(200000.0), None, "RUB")]);
        assert_eq!(keys("Earn $2390 monthly"), [one(Some(2390.0), None, "USD")]);
        assert_eq!(keys("Зарплата 4160$"), [one(Some(4160.0), None, "USD")]);
        assert_eq!(
            keys("доход 120 000 рублей"),
            [one(Some(120000.0), None, "RUB")]
        );
        assert_eq!(keys("pay 1.200,50 EUR"), [one(Some(1200.5), None, "EUR")]);
        assert_eq!(keys("wage 3'500 $"), [one(Some(3500.0), None, "USD")]);
        assert_eq!(
            keys("стоимость 7\u{202F}500 руб"),
            [one(Some(7500.0), None, "RUB")]
        );
        assert_eq!(
            keys("за месяц 150\u{00A0}000 ₽"),
            [one(Some(150000.0), None, "RUB")]
        );
        assert_eq!(keys("220k RUB/month"), [one(Some(220000.0), None, "RUB")]);
    }

    #[test]
    fn ranges_share_multiplier_and_currency() {
        assert_eq!(
            keys("Зарплата от 105 000 до 125 000 руб. в месяц"),
            [one(Some(105000.0), Some(125000.0), "RUB")]
        );
        assert_eq!(
            keys("100-120 т.р."),
            [one(Some(100000.0), Some(120000.0), "RUB")]
        );
        assert_eq!(
            keys("Жалақы 650 000 до 900 000 тг"),
            [one(Some(650000.0), Some(900000.0), "KZT")]
        );
        assert_eq!(
            keys("$2,390–2,800 a month"),
            [one(Some(2390.0), Some(2800.0), "USD")]
        );
        assert_eq!(
            keys("доплата 5-10 000 рублей"),
            [one(Some(5000.0), Some(10000.0), "RUB")]
        );
        assert_eq!(
            keys("оклад 50 000 тыс. руб"),
            [one(Some(50000.0), None, "RUB")]
        );
        assert!(keys("зп выплачивается 2р. в мес.").is_empty());
        assert_eq!(
            keys("доход 80-95 тыс. рублей"),
            [one(Some(80000.0), Some(95000.0), "RUB")]
        );
        assert_eq!(
            keys("Айлык 60 000ден 90 000 рублге чейин"),
            [one(Some(60000.0), Some(90000.0), "RUB")]
        );
        assert_eq!(
            keys("Oylik 150 000 dan 190 000 rublgacha"),
            [one(Some(150000.0), Some(190000.0), "RUB")]
        );
        assert_eq!(
            keys("Маош аз 150 то 200 ҳазор рубл"),
            [one(Some(150000.0), Some(200000.0), "RUB")]
        );
        assert_eq!(
            keys("salary between 1,500 and 1,900 USD"),
            [one(Some(1500.0), Some(1900.0), "USD")]
        );
    }

    #[test]
    fn from_and_up_to() {
        assert_eq!(keys("от 150 000 ₽"), [one(Some(150000.0), None, "RUB")]);
        assert_eq!(
            keys("до 90 000 руб. в месяц"),
            [one(None, Some(90000.0), "RUB")]
        );
        assert_eq!(keys("earn up to $3,100"), [one(None, Some(3100.0), "USD")]);
        assert_eq!(
            keys("Айлык 95 000 рублге чейин"),
            [one(None, Some(95000.0), "RUB")]
        );
        assert_eq!(
            keys("Айлық 400 000 теңгеге дейін"),
            [one(None, Some(400000.0), "KZT")]
        );
        assert_eq!(keys("Oylik 3 mln so'mgacha"), [one(None, Some(3e6), "UZS")]);
        assert_eq!(
            keys("Ойлик 2100 доллардан"),
            [one(Some(2100.0), None, "USD")]
        );
        assert_eq!(
            keys("Айлыгы 180 000 рублдан баштап"),
            [one(Some(180000.0), None, "RUB")]
        );
    }

    #[test]
    fn currencies_in_every_language() {
        assert_eq!(
            keys("Kuniga 180 ming so'm"),
            [one(Some(180000.0), None, "UZS")]
        );
        assert_eq!(keys("Oylik 6 mln soʻm"), [one(Some(6e6), None, "UZS")]);
        assert_eq!(keys("Айлык 35 миң сом"), [one(Some(35000.0), None, "KGS")]);
        assert_eq!(keys("Айлык 1,2 млн сом"), [one(Some(1.2e6), None, "KGS")]);
        assert_eq!(
            keys("Маош 4 хазор сомонӣ"),
            [one(Some(4000.0), None, "TJS")]
        );
        assert_eq!(
            keys("Маош 2500 сомони дар як моҳ"),
            [one(Some(2500.0), None, "TJS")]
        );
        assert_eq!(
            keys("Жалақы 350 мың теңге"),
            [one(Some(350000.0), None, "KZT")]
        );
        assert_eq!(keys("Ойлик 4 млн сўм"), [one(Some(4e6), None, "UZS")]);
        assert_eq!(
            keys("зарплата 5 000 000 сум"),
            [one(Some(5e6), None, "UZS")]
        );
        assert_eq!(
            keys("Kuniga 150 000 som, ish kerak"),
            [one(Some(150000.0), None, "UZS")]
        );
        assert_eq!(
            keys("Salary 30 000 som in Bishkek"),
            [one(Some(30000.0), None, "KGS")]
        );
        assert_eq!(
            keys("Kuniga 90 000 sum beriladi"),
            [one(Some(90000.0), None, "UZS")]
        );
        assert!(keys("salary 5 sum of 3").is_empty());
        assert_eq!(
            keys("Семье 6 000 000 рублей, а за ранение 3 000 000"),
            [one(Some(6e6), None, "RUB"), one(Some(3e6), None, "RUB")]
        );
        assert_eq!(keys("1800 евро в месяц"), [one(Some(1800.0), None, "EUR")]);
        assert_eq!(keys("Айлық 250 000 ₸"), [one(Some(250000.0), None, "KZT")]);
    }

    #[test]
    fn period_and_role() {
        let m = extract_money(&normalize(
            "Подъёмные 250 000 руб. Оклад от 215 000 ₽. Смена 3000 р. 350 руб/час. \
             При ранении 2 млн руб.",
        ));
        let got: Vec<_> = m.iter().map(|m| (m.min, m.period, m.role)).collect();
        assert_eq!(
            got,
            [
                (
                    Some(250000.0),
                    Some(Period::OneTime),
                    Some(MoneyRole::LumpSum)
                ),
                (Some(215000.0), Some(Period::Month), Some(MoneyRole::Salary)),
                (Some(3000.0), Some(Period::Day), Some(MoneyRole::Salary)),
                (Some(350.0), Some(Period::Hour), Some(MoneyRole::Salary)),
                (
                    Some(2e6),
                    Some(Period::OneTime),
                    Some(MoneyRole::Compensation)
                ),
            ]
        );
        let m = extract_money(&normalize("6 000 rubles per shift, kuniga"));
        assert_eq!(m[0].period, Some(Period::Day));
    }

    #[test]
    fn default_currency_in_pay_context() {
        assert_eq!(
            keys("зарплата 120 тыс."),
            [one(Some(120000.0), None, "RUB")]
        );
        assert_eq!(
            keys("ЗП 95-110 тыс. в месяц"),
            [one(Some(95000.0), Some(110000.0), "RUB")]
        );
        assert_eq!(
            keys("Айлық 380 000, жұмыс беріледі"),
            [one(Some(380000.0), None, "KZT")]
        );
        assert_eq!(
            keys("Доставка 500 ₽. Зарплата 90 000"),
            [
                one(Some(500.0), None, "RUB"),
                one(Some(90000.0), None, "RUB")
            ]
        );
        // A Latin text with no currency and no Russian pay word: the currency is unknown.
        assert_eq!(keys("salary 3000"), [one(Some(3000.0), None, "null")]);
    }

    #[test]
    fn numbers_that_are_not_money() {
        assert!(keys("Тел: +7 (903) 418-27-06, 8 900 372 61 95").is_empty());
        assert!(keys("Возраст 21-50 лет, вахта 60/30, с 8:00 до 20:00").is_empty());
        assert!(keys("В 2024 году восстановят 6200 объектов").is_empty());
        assert!(keys("погибли 20 тысяч человек, 15% из них").is_empty());
        assert!(keys("Зарплата 2 раза в месяц, аванс 15 числа").is_empty());
        assert!(keys("Адрес: ул. Ленина, 12к1, офис 5").is_empty());
        assert!(keys("Скидка 20% на первый заказ").is_empty());
        assert!(keys("Премия 2024 года, зарплата 2025-го").is_empty());
        assert!(keys("погибших в 2024 году, раненых 3000").is_empty());
        assert!(keys("habr.com/salary-change-2023 опрос").is_empty());
    }

    #[test]
    fn counts_and_durations_next_to_amounts_stay_apart() {
        assert_eq!(
            keys("вахта 60/30 120 000 руб"),
            [one(Some(120000.0), None, "RUB")]
        );
        assert_eq!(
            keys("Возраст 20-50 — 150 000 руб/мес"),
            [one(Some(150000.0), None, "RUB")]
        );
    }

    #[test]
    fn repeated_amounts_once_in_order() {
        let m = extract_money(&normalize(
            "Выплата 195 000 ₽! Ещё раз: выплата 195 000 руб. И 3 млн ₽ семье.",
        ));
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].min, Some(195000.0));
        assert_eq!(m[1].min, Some(3e6));
    }

    #[test]
    fn spans_point_at_the_original() {
        let original = "💰 Доход ОТ 225 000 РУБ. в месяц";
        let m = extract_money(&normalize(original));
        assert_eq!(m.len(), 1);
        assert_eq!(&original[m[0].span.start..m[0].span.end], "225 000 РУБ.");
    }

    #[test]
    fn huge_inputs_are_linear() {
        let digits = "7".repeat(1 << 20);
        assert!(keys(&digits).is_empty());
        let groups = "100 ".repeat(1 << 17);
        assert!(keys(&groups).is_empty());
        let amounts = "зп 100 000 руб, ".repeat(1 << 14);
        assert_eq!(keys(&amounts).len(), 1);
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,200}") {
            let n = normalize(&s);
            for m in extract_money(&n) {
                prop_assert!(m.span.start <= m.span.end && m.span.end <= s.len());
                prop_assert!(m.min.is_some() || m.max.is_some());
            }
        }

        #[test]
        fn never_panics_on_money_like_text(s in "[0-9 .,'₽$тысрубk\\-–до]{0,80}") {
            let _ = extract_money(&normalize(&s));
        }
    }
}

//! Word families: a query word also finds the words of its family that the index holds.
//!
//! The Russian Snowball stemmer joins the inflections of one word (`охрана`, `охраны`)
//! but not its derivations (`охранник`, `охранники`), and it knows no Kyrgyz, Kazakh,
//! Uzbek or Tajik ending (`охранага`, Uzbek Latin `oxrana`). So a search for a word
//! undercounts without anyone knowing. Here a query word is reduced to a *root*: its
//! stem with derivational suffixes (`-ник`, `-щик`, `-тель`…) and Turkic case, plural
//! and possessive endings (`-га`, `-дан`, `-лар`…) taken off, never below
//! [`MIN_ROOT_CHARS`] letters. The index's own term list is then read for the terms
//! that start with that root (or with its Uzbek Latin spelling) and whose remainder is
//! made only of known endings; those terms are searched too, and the page says which
//! ("охрана: also охранник, охранаг…"), so that a reader knows what was counted.
//!
//! Only endings are recognised, never arbitrary continuations: `мир` does not find
//! `мировой` (the root would be too short anyway), `контракт` does not find
//! `контрактник`'s unrelated neighbours, and the list of terms added is capped at
//! [`MAX_FAMILY_TERMS`].

use std::collections::BTreeSet;

use tantivy::schema::Field;
use tantivy::{Searcher, Term};

/// A root keeps at least this many letters; shorter words are searched as stemmed only.
pub const MIN_ROOT_CHARS: usize = 4;

/// At most this many terms are added for one query word.
pub const MAX_FAMILY_TERMS: usize = 40;

/// Endings taken off a query stem to reach its root (two letters or more, so that a
/// single letter of a root is never mistaken for an ending). Russian derivational
/// suffixes, and the case, plural and possessive endings of Kyrgyz, Kazakh, Uzbek and
/// Tajik in Cyrillic and Uzbek in Latin letters.
const ROOT_ENDINGS: &[&str] = &[
    // Russian: agent and diminutive suffixes (after Snowball's inflection removal).
    "ник", "ниц", "щик", "щиц", "чик", "чиц", "тель", "ств",
    // Turkic (ky/kk/uz Cyrillic): plural.
    "лар", "лер", "лор", "лөр", "дар", "дер", "дор", "дөр", "тар", "тер", "тор", "төр",
    // Turkic: dative, locative, ablative, genitive, accusative.
    "га", "ге", "го", "гө", "ка", "ке", "ко", "кө", "ға", "ғе", "қа", "қе", "да", "де", "до", "дө",
    "та", "те", "то", "тө", "дан", "ден", "дон", "дөн", "тан", "тен", "тон", "төн", "нан", "нен",
    "нын", "нин", "нун", "нүн", "дын", "дин", "дун", "дүн", "тын", "тин", "тун", "түн", "ны", "ни",
    "ну", "нү", "ды", "ди", "ду", "дү", "ты", "ти", "ту", "тү",
    // Turkic: agent noun (-чы "one who does").
    "чы", "чи", "чу", "чү", // Tajik: plural and object marker.
    "ҳо", "ро", "он", "ён", // Uzbek Latin.
    "lar", "ga", "ka", "qa", "da", "ta", "dan", "ni", "ning", "dagi", "chi", "si",
];

/// Endings a family member may carry after the root: [`ROOT_ENDINGS`], plus the one-
/// and two-letter remnants the Russian stemmer leaves of a Turkic or Russian ending
/// (`охранага` is stemmed to `охранаг`: root `охран` + `а` + `г`).
const MEMBER_ENDINGS: &[&str] = &[
    "а", "е", "и", "о", "у", "ы", "я", "ю", "ь", "й", "г", "к", "ғ", "қ", "н", "т", "ӣ", "ө", "ү",
    "ов", "ев", "ск", "ок", "ек", "ян", "ям", "ях", "ам", "ах", "ом", "ой", "ей", "a", "e", "i",
    "o", "u", "g", "k", "q", "n",
];

/// How many endings may follow a root in one family member.
const MAX_ENDINGS: usize = 3;

fn is_ending(piece: &str) -> bool {
    ROOT_ENDINGS.contains(&piece) || MEMBER_ENDINGS.contains(&piece)
}

/// Whether `rest` is a sequence of at most `budget` known endings.
fn is_ending_chain(rest: &str, budget: usize) -> bool {
    if rest.is_empty() {
        return true;
    }
    if budget == 0 {
        return false;
    }
    rest.char_indices()
        .skip(1)
        .map(|(i, _)| i)
        .chain(std::iter::once(rest.len()))
        .any(|cut| {
            rest.get(..cut).is_some_and(is_ending)
                && rest
                    .get(cut..)
                    .is_some_and(|tail| is_ending_chain(tail, budget - 1))
        })
}

/// The root of a stemmed query word: known endings taken off from the end while at
/// least [`MIN_ROOT_CHARS`] letters remain. `None` when the word is too short to have a
/// family (a root that short would join unrelated words) or is not made of letters.
pub fn root(stem: &str) -> Option<String> {
    if !stem.chars().all(char::is_alphabetic) || stem.chars().count() < MIN_ROOT_CHARS {
        return None;
    }
    let mut root = stem.to_owned();
    for _ in 0..MAX_ENDINGS {
        let cut = ROOT_ENDINGS
            .iter()
            .filter(|e| root.ends_with(**e))
            .map(|e| root.len() - e.len())
            .filter(|&cut| {
                root.get(..cut)
                    .is_some_and(|r| r.chars().count() >= MIN_ROOT_CHARS)
            })
            .min();
        match cut {
            Some(cut) => root.truncate(cut),
            None => break,
        }
    }
    Some(root)
}

/// The Uzbek Latin spelling of a Cyrillic root (`охран` → `oxran`), so that a Cyrillic
/// query also finds the Latin-script ads; `None` when the root has letters with no
/// Uzbek Latin counterpart here or is already Latin.
pub fn uzbek_latin(root: &str) -> Option<String> {
    let mut out = String::with_capacity(root.len());
    for c in root.chars() {
        let latin = match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' => "e",
            'ж' => "j",
            'з' => "z",
            'и' => "i",
            'й' => "y",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "x",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "sh",
            'ы' => "i",
            'э' => "e",
            'ю' => "yu",
            'я' => "ya",
            'қ' => "q",
            'ҳ' => "h",
            'ғ' => "g'",
            'ў' => "o'",
            'ь' | 'ъ' => "",
            _ => return None,
        };
        out.push_str(latin);
    }
    (out != root && out.chars().count() >= MIN_ROOT_CHARS).then_some(out)
}

/// The bases a family is looked up under: the root of the stem, and every shorter
/// prefix of it that `is_term` says the index holds and that differs from the root only by
/// known endings. The stemmer does not cut every form alike (`охрана` is stemmed to
/// `охра`, `охраны` to `охран`, Kyrgyz `охранага` to `охранаг`), so the family of one form
/// must also be read under the stems of the others; asking the index keeps a word from
/// being cut down to a root no indexed word has (`контракт` is not read as `контр`).
pub fn bases(stem: &str, is_term: &dyn Fn(&str) -> bool) -> Vec<String> {
    let Some(root) = root(stem) else {
        return Vec::new();
    };
    let mut out = vec![root.clone()];
    for (cut, _) in root.char_indices().skip(MIN_ROOT_CHARS) {
        let (prefix, rest) = root.split_at(cut);
        if is_ending_chain(rest, MAX_ENDINGS) && is_term(prefix) {
            out.push(prefix.to_owned());
        }
    }
    out
}

/// Whether an indexed term belongs to the family of `root`.
fn is_member(term: &str, root: &str) -> bool {
    term.strip_prefix(root)
        .is_some_and(|rest| is_ending_chain(rest, MAX_ENDINGS))
}

/// The terms of the index's `field` in the family of the stemmed query word `stem`,
/// other than `stem` itself, sorted, at most [`MAX_FAMILY_TERMS`]. Reads each segment's
/// term dictionary over the range of the root's prefix only.
pub fn family_terms(searcher: &Searcher, field: Field, stem: &str) -> Vec<String> {
    let is_term = |word: &str| {
        let term = Term::from_field_text(field, word);
        searcher.segment_readers().iter().any(|segment| {
            segment.inverted_index(field).is_ok_and(|inverted| {
                inverted
                    .terms()
                    .get(term.serialized_value_bytes())
                    .is_ok_and(|info| info.is_some())
            })
        })
    };
    let mut roots = bases(stem, &is_term);
    let latin: Vec<String> = roots.iter().filter_map(|r| uzbek_latin(r)).collect();
    roots.extend(latin);
    let mut found = BTreeSet::new();
    for root in &roots {
        // Every string starting with `root` sorts between `root` and `root` + U+10FFFF.
        let upper = format!("{root}\u{10FFFF}");
        for segment in searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(field) else {
                continue;
            };
            let lower = Term::from_field_text(field, root);
            let upper = Term::from_field_text(field, &upper);
            let Ok(mut stream) = inverted
                .terms()
                .range()
                .ge(lower.serialized_value_bytes())
                .lt(upper.serialized_value_bytes())
                .into_stream()
            else {
                continue;
            };
            while stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if term != stem && is_member(term, root) {
                    found.insert(term.to_owned());
                }
                if found.len() >= MAX_FAMILY_TERMS {
                    return found.into_iter().collect();
                }
            }
        }
    }
    found.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::analyze;

    fn stem(word: &str) -> String {
        analyze(word).into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn derivations_and_turkic_endings_share_a_root() {
        // Every form is a member under one of the bases of every other form.
        let forms = [
            "охрана",
            "охраны",
            "охранник",
            "охранники",
            "охранага",
            "охранниками",
        ];
        let index: Vec<String> = forms.iter().map(|f| stem(f)).collect();
        let is_term = |w: &str| index.iter().any(|t| t == w);
        for query in forms {
            let bases = bases(&stem(query), &is_term);
            for form in forms {
                let term = stem(form);
                assert!(
                    term == stem(query) || bases.iter().any(|b| is_member(&term, b)),
                    "{form} ({term}) is not in the family of {query} (bases {bases:?})"
                );
            }
        }
        let latin: Vec<String> = bases(&stem("охранник"), &is_term)
            .iter()
            .filter_map(|b| uzbek_latin(b))
            .collect();
        assert!(latin.iter().any(|b| is_member("oxrana", b)), "{latin:?}");
        // Kyrgyz plural + dative on a Kyrgyz word.
        let worker = bases(&stem("жумушчу"), &|_| false);
        assert!(
            worker.iter().any(|b| is_member(&stem("жумушчуларга"), b)),
            "{worker:?}"
        );
    }

    #[test]
    fn roots_stay_long_and_members_end_in_endings_only() {
        assert_eq!(root("мир"), None, "too short to have a family");
        assert_eq!(root("123456"), None);
        // A shorter base is taken only when the index holds it as a word.
        assert_eq!(bases("контракт", &|_| false), vec!["контракт".to_string()]);
        assert_eq!(bases("контракт", &|w| w == "контра").len(), 2);
        assert!(!is_member("охранять-нибудь", "охран"));
        assert!(!is_member("контрабанд", "контр"));
        assert!(!is_member("охранпредприят", "охран"));
        assert!(is_ending_chain("", 0));
        assert!(!is_ending_chain("ник", 0));
    }
}

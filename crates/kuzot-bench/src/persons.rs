//! Fictional persons with spelling variants, for the name matcher's benchmark.
//!
//! Surnames are built from syllables (so they are invented, not anyone's), given names come
//! from a list of common first names, and each person may appear again as a variant record:
//! in Cyrillic or in Latin under one of several transliteration systems, in the female
//! form, with a patronymic (Russian -ovich or Kyrgyz uulu), with a given name dropped or the
//! order swapped, or with a vowel mistyped. Every record carries the number of the person
//! it stands for, so that the matcher's proposals can be checked against the truth.

use kuzot_cases::name_match::{PartialDate, PersonRecord};

use crate::SplitMix;

/// First syllables of invented surnames (Cyrillic, Russian spelling of Central Asian names).
const FIRST: &[&str] = &[
    "Та", "Ка", "Са", "Ма", "Бо", "То", "Ку", "Жу", "Ша", "Чо", "Ай", "Эр", "Нур", "Кул", "Дал",
    "Сар", "Тур", "Ток", "Мам", "Абд", "Кар", "Жан", "Иш", "Ол", "Ур", "Ас", "Ба", "Да", "Кыр",
    "Мыр", "Чы", "Тын", "Был", "Рас", "Хо", "Юл", "Ял", "Шу", "Өм", "Үс", "Ғай", "Қод", "Ўр",
    "Ҷум", "Ес", "Бег", "Цо",
];
const MIDDLE: &[&str] = &[
    "бек",
    "кул",
    "али",
    "бай",
    "назар",
    "мат",
    "ке",
    "гул",
    "тай",
    "дар",
    "жан",
    "ша",
    "ку",
    "то",
    "ра",
    "ны",
    "ды",
    "лы",
    "ро",
    "мо",
    "хан",
    "ёр",
    "юн",
    "ят",
];
const LAST: &[&str] = &["", "", "", "", "та", "бер", "ды", "ке", "ман", "ке"];

/// Given names: common first names, not persons.
const GIVEN: &[&str] = &[
    "Нурлан",
    "Тилек",
    "Эмиль",
    "Азамат",
    "Айбек",
    "Бакыт",
    "Улан",
    "Эрлан",
    "Жанышбек",
    "Канат",
    "Мирлан",
    "Данияр",
    "Руслан",
    "Санжар",
    "Талант",
    "Эрмек",
    "Алмаз",
    "Бекзат",
    "Дилшод",
    "Жамшед",
    "Фаррух",
    "Шохрух",
    "Рустам",
    "Умид",
    "Бахтиёр",
    "Улугбек",
    "Ержан",
    "Асхат",
    "Нурбек",
    "Чынгыз",
    "Акылбек",
    "Темирлан",
    "Самат",
    "Ислам",
    "Юсуф",
    "Якуб",
    "Ильяс",
    "Шерзод",
    "Хуршид",
    "Зафар",
];

/// A Latin transliteration system: how each Cyrillic letter is written in it.
type System = fn(char) -> Option<&'static str>;

/// A Russian passport-style system (zh, kh, y, ts, yu, ya).
fn system_passport(c: char) -> Option<&'static str> {
    Some(match c {
        'ж' => "zh",
        'х' | 'ҳ' => "kh",
        'й' | 'ы' => "y",
        'ц' => "ts",
        'ю' => "yu",
        'я' => "ya",
        'ё' => "yo",
        _ => return common_letter(c),
    })
}

/// An English-newspaper habit (j, h, i, c, iu, ia).
fn system_loose(c: char) -> Option<&'static str> {
    Some(match c {
        'ж' => "j",
        'х' | 'ҳ' => "h",
        'й' | 'ы' => "i",
        'ц' => "c",
        'ю' => "iu",
        'я' => "ia",
        'ё' => "e",
        _ => return common_letter(c),
    })
}

/// Uzbek official Latin (j, x, y, oʻ, gʻ, q).
fn system_uzbek(c: char) -> Option<&'static str> {
    Some(match c {
        'ж' | 'ҷ' => "j",
        'х' | 'ҳ' => "x",
        'й' | 'ы' => "y",
        'ц' => "ts",
        'ю' => "yu",
        'я' => "ya",
        'ё' => "yo",
        'ў' => "oʻ",
        'ғ' => "gʻ",
        'қ' => "q",
        _ => return common_letter(c),
    })
}

fn common_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' | 'ғ' => "g",
        'д' => "d",
        'е' | 'э' => "e",
        'ж' | 'ҷ' => "zh",
        'з' => "z",
        'и' => "i",
        'к' | 'қ' => "k",
        'л' => "l",
        'м' => "m",
        'н' | 'ң' => "n",
        'о' | 'ө' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ү' | 'ў' => "u",
        'ф' => "f",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        _ => return None,
    })
}

fn transliterate(word: &str, system: System) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let Some(latin) = system(lower) else {
            out.push(c); // spaces and anything not a letter
            continue;
        };
        if c.is_uppercase() {
            let mut letters = latin.chars();
            if let Some(first) = letters.next() {
                out.extend(first.to_uppercase());
                out.push_str(letters.as_str());
            }
        } else {
            out.push_str(latin);
        }
    }
    out
}

/// One invented person's name parts, in Cyrillic.
#[derive(Debug, Clone)]
struct Person {
    surname_root: String,
    given: &'static str,
    father: &'static str,
    born: Option<i32>,
    district: usize,
}

const DISTRICTS: &[&str] = &[
    "Ак-Суу району",
    "Кара-Суу району",
    "Тогуз-Булак району",
    "Жайылма району",
    "Беш-Терек району",
    "Сары-Кол району",
    "Кызыл-Жар району",
    "Ала-Мойнок району",
];

fn surname_male(root: &str) -> String {
    let ends_in_vowel = root
        .chars()
        .last()
        .is_some_and(|c| "аеёиоуыэюяөүў".contains(c));
    if ends_in_vowel {
        format!("{root}ев")
    } else {
        format!("{root}ов")
    }
}

fn new_person(rng: &mut SplitMix) -> Person {
    let surname_root = format!("{}{}{}", rng.pick(FIRST), rng.pick(MIDDLE), rng.pick(LAST));
    Person {
        surname_root,
        given: GIVEN[rng.below(GIVEN.len() as u64) as usize],
        father: GIVEN[rng.below(GIVEN.len() as u64) as usize],
        born: (rng.below(10) < 7).then(|| 1960 + rng.below(45) as i32),
        district: rng.below(DISTRICTS.len() as u64) as usize,
    }
}

/// A spelling of a person's name: the canonical one, or a variant of the kinds the
/// module documentation lists.
fn spelling(person: &Person, rng: &mut SplitMix, variant: bool) -> String {
    let mut surname = surname_male(&person.surname_root);
    let mut words: Vec<String> = vec![surname.clone(), person.given.to_string()];
    if variant {
        match rng.below(7) {
            0 => {
                // Through a female relative: the female form.
                surname.push('а');
                words[0] = surname.clone();
            }
            1 => words.push(format!("{}ович", person.father)),
            2 => words.insert(0, format!("{} уулу", person.father)),
            3 => words.swap(0, 1),
            4 => {
                // A vowel mistyped in the surname, not in its first letter.
                let mut letters: Vec<char> = surname.chars().collect();
                let before_ending = letters.len().saturating_sub(2);
                if let Some(k) = (1..before_ending).find(|&k| "ао".contains(letters[k])) {
                    letters[k] = if letters[k] == 'а' { 'о' } else { 'а' };
                }
                words[0] = letters.into_iter().collect();
            }
            5 => {
                // Another given name recorded too.
                words.push(rng.pick(GIVEN).to_string());
            }
            _ => words.truncate(2),
        }
    }
    let name = words.join(" ");
    match if variant { rng.below(4) } else { 0 } {
        0 => name,
        1 => transliterate(&name, system_passport),
        2 => transliterate(&name, system_loose),
        _ => transliterate(&name, system_uzbek),
    }
}

/// `n` person records: the first `distinct` are different persons (some of whom share a
/// surname, as families do); the rest are variant records of persons among them. Returns
/// the records (ids 0..n) and, for each, the number of the person it stands for.
pub fn generate_persons(n: usize, distinct: usize, seed: u64) -> (Vec<PersonRecord>, Vec<usize>) {
    let mut rng = SplitMix::new(seed);
    let distinct = distinct.clamp(1, n.max(1));
    let persons: Vec<Person> = (0..distinct).map(|_| new_person(&mut rng)).collect();
    let mut records = Vec::with_capacity(n);
    let mut truth = Vec::with_capacity(n);
    for id in 0..n {
        let (person_number, variant) = if id < distinct {
            (id, false)
        } else {
            (rng.below(distinct as u64) as usize, true)
        };
        let person = &persons[person_number];
        records.push(record_of(person, id as u64, &mut rng, variant));
        truth.push(person_number);
    }
    (records, truth)
}

/// `n` variant records of persons among the first `distinct` of the same seed, as new
/// sources would bring them: queries for the matcher. Returns the records (ids from
/// `first_id`) and the persons they stand for.
pub fn generate_queries(
    n: usize,
    distinct: usize,
    seed: u64,
    first_id: u64,
) -> (Vec<PersonRecord>, Vec<usize>) {
    let mut rng = SplitMix::new(seed);
    let distinct = distinct.max(1);
    let persons: Vec<Person> = (0..distinct).map(|_| new_person(&mut rng)).collect();
    let mut query_rng = SplitMix::new(seed ^ 0x005E_ED0F_0EE1);
    (0..n)
        .map(|k| {
            let number = query_rng.below(distinct as u64) as usize;
            (
                record_of(&persons[number], first_id + k as u64, &mut query_rng, true),
                number,
            )
        })
        .unzip()
}

fn record_of(person: &Person, id: u64, rng: &mut SplitMix, variant: bool) -> PersonRecord {
    // A variant record knows the birth year or not, as its source did.
    let born = person.born.filter(|_| !variant || rng.below(2) == 0);
    PersonRecord {
        id,
        names: vec![spelling(person, rng, variant)],
        birth: born.map(PartialDate::year),
        district: (rng.below(2) == 0).then(|| DISTRICTS[person.district].to_string()),
        colony: None,
        events: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_varied() {
        let (a, truth_a) = generate_persons(2_000, 1_500, 3);
        let (b, truth_b) = generate_persons(2_000, 1_500, 3);
        assert_eq!(a, b);
        assert_eq!(truth_a, truth_b);
        // Variants are spelt in more than one script.
        let latin = a[1_500..]
            .iter()
            .filter(|r| r.names[0].chars().any(|c| c.is_ascii_alphabetic()))
            .count();
        assert!(latin > 100 && latin < 500, "{latin}");
        assert!(truth_a[1_500..].iter().all(|&p| p < 1_500));
        let (queries, truth) = generate_queries(10, 1_500, 3, 10_000);
        assert_eq!(queries[0].id, 10_000);
        assert!(truth.iter().all(|&p| p < 1_500));
    }

    #[test]
    fn transliteration_systems_differ_where_they_should() {
        assert_eq!(
            transliterate("Жанышбек Хасанов", system_passport),
            "Zhanyshbek Khasanov"
        );
        assert_eq!(
            transliterate("Жанышбек Хасанов", system_loose),
            "Janishbek Hasanov"
        );
        assert_eq!(transliterate("Ўрин Ғойиб", system_uzbek), "Oʻrin Gʻoyib");
    }
}

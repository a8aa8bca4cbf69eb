//! Organisations named in a text (`data/orgs.tsv`): the Ministry of Defence, Wagner and
//! the other PMCs and formations, Rosgvardia, Zhilishchnik, the Sakharovo migration centre.
//!
//! Some names are ordinary words too, so each name has a rule:
//! - `always`: the name is the organisation (Минобороны, Росгвардия, Жилищник, Вагнер);
//! - `ctx`: the name needs a context word within two words (ЧВК «Патриот», «Ахмат»
//!   спецназы, отряд БАРС) or to be quoted in a text about war or recruitment: "патриот",
//!   "конвой", "барс" and "Ахмат" are otherwise a word, a leopard or a first name;
//! - `pmc`: Wagner's code names "оркестр"/"музыканты" count only in a text about war or
//!   recruitment (the orchestra also in a plain offer with hiring and pay words), and
//!   never when the text speaks of real music (симфонический, концерт, скрипка).
//!
//! A name inside an `exclude` phrase (парк «Патриот», под конвоем, Ак Барс, Минобороны
//! Украины) is dropped.
//!
//! ```
//! use kuzot_analysis::normalize::normalize;
//! use kuzot_analysis::orgs::extract_orgs;
//! use kuzot_model::Org;
//! let text = normalize("ЧВК «Патриот» набирает. Контракт с Минобороны, отбор в ММЦ Сахарово");
//! let found: Vec<Org> = extract_orgs(&text).into_iter().map(|(o, _)| o).collect();
//! assert_eq!(found, [Org::Patriot, Org::MinistryOfDefence, Org::SakharovoMmc]);
//! ```

use std::sync::LazyLock;

use kuzot_model::{Org, Span};

use crate::lexicon::{Lexicon, LexiconError, parse_tsv};
use crate::normalize::Normalized;
use crate::promises::{Boundary, MAX_PHRASE_WORDS, Nearby, WordIndex};

const DATA: &str = include_str!("../data/orgs.tsv");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Always,
    Context,
    Pmc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Name(Org, Rule),
    Exclude,
    /// A context word for one organisation, or for all (`None`).
    Context(Option<Org>),
    /// Another country named next to a defence ministry.
    Foreign,
    /// A word next to a `ctx` name that makes it something else.
    NotNear(Option<Org>),
    Military,
    Hiring,
    Salary,
    Music,
}

static LEXICON: LazyLock<Result<Lexicon<Entry>, LexiconError>> = LazyLock::new(|| parse_orgs(DATA));

/// Checks that the compiled-in organisation lexicon parses.
pub fn check_org_lexicon() -> Result<(), String> {
    LEXICON.as_ref().map(|_| ()).map_err(ToString::to_string)
}

fn parse_org(id: &str) -> Option<Org> {
    use Org::*;
    [
        MinistryOfDefence,
        Wagner,
        Redut,
        Patriot,
        Convoy,
        Akhmat,
        Bars,
        Rosgvardia,
        Zhilishchnik,
        SakharovoMmc,
    ]
    .into_iter()
    .find(|o| o.as_str() == id)
}

fn parse_orgs(data: &str) -> Result<Lexicon<Entry>, LexiconError> {
    let error = |line: usize, reason: String| LexiconError::Line {
        file: "orgs.tsv".to_owned(),
        line,
        reason,
    };
    let mut entries: Vec<(String, Entry)> = Vec::new();
    for (line, row) in parse_tsv("orgs.tsv", data, 2)? {
        let field = |i: usize| row.get(i).copied().unwrap_or("");
        let (pattern, entry) = match field(0) {
            "org" => {
                let org = parse_org(field(1))
                    .ok_or_else(|| error(line, format!("unknown org {}", field(1))))?;
                let rule = match field(3) {
                    "always" => Rule::Always,
                    "ctx" => Rule::Context,
                    "pmc" => Rule::Pmc,
                    other => return Err(error(line, format!("unknown rule {other:?}"))),
                };
                (field(2), Entry::Name(org, rule))
            }
            "ctx" | "notnear" => {
                let org = match field(1) {
                    "*" => None,
                    id => Some(
                        parse_org(id).ok_or_else(|| error(line, format!("unknown org {id}")))?,
                    ),
                };
                let entry = if field(0) == "ctx" {
                    Entry::Context(org)
                } else {
                    Entry::NotNear(org)
                };
                (field(2), entry)
            }
            "foreign" => (field(1), Entry::Foreign),
            "exclude" => (field(1), Entry::Exclude),
            "military" => (field(1), Entry::Military),
            "hiring" => (field(1), Entry::Hiring),
            "salary" => (field(1), Entry::Salary),
            "music" => (field(1), Entry::Music),
            other => return Err(error(line, format!("unknown row kind {other:?}"))),
        };
        entries.push((pattern.to_owned(), entry));
    }
    Lexicon::build(entries)
}

#[derive(Debug, Clone, Copy)]
struct NameMatch {
    org: Org,
    rule: Rule,
    start: usize,
    end: usize,
    first: usize,
    last: usize,
}

/// True when the name at `[start, end)` of the normalised text is in quotes: «Патриот».
fn quoted(text: &str, start: usize, end: usize) -> bool {
    let before = text.get(..start).and_then(|s| s.chars().next_back());
    let after = text.get(end..).and_then(|s| s.chars().next());
    matches!(before, Some('«' | '"')) && matches!(after, Some('»' | '"'))
}

/// True for the orchestra word itself (not the musicians) in any of its spellings.
fn is_orchestra(word: &str) -> bool {
    ["оркестр", "orchestra", "orkestr"]
        .iter()
        .any(|stem| word.starts_with(stem))
}

/// Organisations named in the text, each once, with the span of its first mention.
pub fn extract_orgs(text: &Normalized) -> Vec<(Org, Span)> {
    let Ok(lexicon) = LEXICON.as_ref() else {
        return Vec::new();
    };
    // Most texts name no organisation: look at words only when a name matched.
    let matches: Vec<_> = lexicon.find(text).collect();
    if !matches.iter().any(|m| matches!(m.value, Entry::Name(..))) {
        return Vec::new();
    }
    let words = WordIndex::new(text);
    let mut names: Vec<NameMatch> = Vec::new();
    type Near<T> = Vec<(usize, usize, usize, usize, T)>;
    let mut excludes: Near<()> = Vec::new();
    let mut contexts: Near<Option<Org>> = Vec::new();
    let mut not_near: Near<Option<Org>> = Vec::new();
    let mut foreign: Near<()> = Vec::new();
    let (mut military, mut hiring, mut salary, mut music) = (false, false, false, false);
    for m in matches {
        let Some((first, last)) = words.covering(m.start, m.end) else {
            continue;
        };
        match *m.value {
            Entry::Name(org, rule) => names.push(NameMatch {
                org,
                rule,
                start: m.start,
                end: m.end,
                first,
                last,
            }),
            Entry::Exclude => excludes.push((first, last, m.start, m.end, ())),
            Entry::Context(org) => contexts.push((first, last, m.start, m.end, org)),
            Entry::NotNear(org) => not_near.push((first, last, m.start, m.end, org)),
            Entry::Foreign => foreign.push((first, last, m.start, m.end, ())),
            Entry::Military => military = true,
            Entry::Hiring => hiring = true,
            Entry::Salary => salary = true,
            Entry::Music => music = true,
        }
    }
    let (excludes, contexts) = (Nearby::new(excludes), Nearby::new(contexts));
    let (not_near, foreign) = (Nearby::new(not_near), Nearby::new(foreign));
    // The phrases that may lie within two words of a name.
    let around = |name: &NameMatch| {
        (
            name.first.saturating_sub(2 + MAX_PHRASE_WORDS),
            name.last + 2,
        )
    };
    // Is a word range within two words of the name, in the same sentence?
    let beside = |name: &NameMatch, first: usize, last: usize| {
        let before = last < name.first && name.first - last <= 2;
        let after = first > name.last && first - name.last <= 2;
        (before || after)
            && words.boundary_between(
                if before { last } else { name.last },
                if before { name.first } else { first },
            ) != Boundary::Sentence
    };
    let mut orchestra_counted = false;
    // Orchestras first, so that "музыканты" before the orchestra is judged beside it.
    let mut order: Vec<&NameMatch> = names.iter().collect();
    order.sort_by_key(|n| {
        (
            n.rule == Rule::Pmc && !is_orchestra(words.word(n.first)),
            n.start,
        )
    });
    // The first counted mention of each organisation.
    let mut first_mention: Vec<(Org, usize, Span)> = Vec::new();
    for name in order {
        let seen = first_mention
            .iter()
            .any(|&(org, start, _)| org == name.org && start <= name.start);
        if seen || excludes.covers(name.first, name.start, name.end) {
            continue;
        }
        let (lo, hi) = around(name);
        if name.org == Org::MinistryOfDefence
            && foreign
                .starting_in(lo, hi)
                .iter()
                .any(|&(first, last, ..)| beside(name, first, last))
        {
            continue;
        }
        let counts = match name.rule {
            Rule::Always => true,
            Rule::Context => {
                let applies = |org: Option<Org>| org.is_none_or(|o| o == name.org);
                let near = contexts
                    .starting_in(lo, hi)
                    .iter()
                    .any(|&(first, last, _, _, org)| applies(org) && beside(name, first, last));
                let voided = not_near
                    .starting_in(lo, hi)
                    .iter()
                    .any(|&(first, last, _, _, org)| applies(org) && beside(name, first, last));
                !voided && (near || (military && quoted(text.text(), name.start, name.end)))
            }
            Rule::Pmc if is_orchestra(words.word(name.first)) => {
                let quoted_name = quoted(text.text(), name.start, name.end);
                let offer = hiring && (military || salary || quoted_name);
                let counts = !music && offer;
                orchestra_counted |= counts;
                counts
            }
            Rule::Pmc => orchestra_counted,
        };
        if counts {
            let span = text.original_span(name.start, name.end);
            match first_mention.iter_mut().find(|(org, ..)| *org == name.org) {
                Some(earlier) => *earlier = (name.org, name.start, span),
                None => first_mention.push((name.org, name.start, span)),
            }
        }
    }
    first_mention.sort_by_key(|&(_, start, _)| start);
    let found: Vec<(Org, Span)> = first_mention
        .into_iter()
        .map(|(org, _, span)| (org, span))
        .collect();
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;
    use Org::*;
    use proptest::prelude::*;

    fn orgs(text: &str) -> Vec<Org> {
        extract_orgs(&normalize(text))
            .into_iter()
            .map(|(o, _)| o)
            .collect()
    }

    #[test]
    fn lexicon_parses() {
        check_org_lexicon().expect("orgs.tsv is valid");
    }

    #[test]
    fn ministry_of_defence_in_every_language() {
        for text in [
            "Нужны бойцы по контракту с МО РФ",
            "Служба по контракту в Министерстве обороны",
            "Ребята, кто готов заключить контракт с МО, пишите в личку",
            "Mudofaa vazirligi orqali xizmatga yozilish",
            "Мудофаа вазирлиги орқали",
            "Вазорати мудофиаи Русия сарбоз мекобад",
            "Коргоо министрлигинин келишими боюнча кызмат",
            "Ресей Қорғаныс министрлігі арқылы қызмет",
            "service under contract with Russia's Ministry of Defence",
            "Oformlenie cherez Minoborony",
        ] {
            assert_eq!(orgs(text), [MinistryOfDefence], "{text}");
        }
        assert!(orgs("Вызвали в военкомат, пункт отбора на контракт").is_empty());
        assert!(orgs("Мо ба Маскав меравем").is_empty());
        assert!(orgs("Министерство обороны Украины сообщило").is_empty());
        assert!(orgs("Минобороны Южной Кореи созывает встречу").is_empty());
        assert!(orgs("Еліміздің Қорғаныс министрлігі хабарлады").is_empty());
    }

    #[test]
    fn wagner_and_its_code_names() {
        assert_eq!(orgs("Дар ЧВК «Вагнер» ба кор даъват мекунанд"), [Wagner]);
        assert_eq!(orgs("Vagnerga yigitlar kerak"), [Wagner]);
        assert_eq!(
            orgs("ОРКЕСТР приглашает МУЗЫКАНТОВ, контракт на полгода"),
            [Wagner]
        );
        assert_eq!(
            orgs("Оркестрга музыкантлар керак. Маош 260 000 рубл"),
            [Wagner]
        );
        assert!(
            orgs("В симфонический оркестр требуются музыканты, зарплата 40 000 руб").is_empty()
        );
        assert!(orgs("Вечером концерт оркестра, приходите").is_empty());
        assert!(orgs("Слушаю оперу Вагнера").is_empty());
        assert!(orgs("Британский музыкант дал концерт, война идёт третий год").is_empty());
        assert!(orgs("опыт работы с системами оркестрации, контракт").is_empty());
        assert!(
            orgs("Военный оркестр округа приглашает музыкантов на контрактную службу").is_empty()
        );
    }

    #[test]
    fn ambiguous_names_need_context() {
        assert_eq!(orgs("ЧВК «Патриот» ищет бойцов"), [Patriot]);
        assert!(orgs("Настоящий патриот своей страны").is_empty());
        assert!(orgs("Выставка в парке «Патриот»").is_empty());
        assert!(orgs("Солдат сбежал из парка \"Патриот\" в Подмосковье").is_empty());
        assert_eq!(orgs("ЧВК «Конвой» ищет добровольцев"), [Convoy]);
        assert!(orgs("Задержанного доставили под конвоем").is_empty());
        assert_eq!(orgs("«Ахмат» спецназына жигиттер керек"), [Akhmat]);
        assert_eq!(orgs("Спецназ «Ахмат» приглашает"), [Akhmat]);
        assert!(orgs("Ахмат, 25 лет, ищет работу водителем").is_empty());
        assert_eq!(
            orgs("Отряд БАРС — армейский резерв, набор добровольцев"),
            [Bars]
        );
        assert_eq!(orgs("Набор в отряд БАРС, контракт"), [Bars]);
        assert!(orgs("Ак Барс победил в матче").is_empty());
        assert!(orgs("Барс жылы келди").is_empty());
        assert_eq!(orgs("Redut PMC wants volunteers"), [Redut]);
        assert_eq!(
            orgs("«Редут» жеке әскери компаниясына жігіттер керек"),
            [Redut]
        );
    }

    #[test]
    fn always_named_organisations() {
        assert_eq!(
            orgs("Росгвардия устроила рейд на рынке, задержанных отвезли в Сахарово"),
            [Rosgvardia, SakharovoMmc]
        );
        assert_eq!(orgs("ГБУ «Жилищник» ищет охранников"), [Zhilishchnik]);
        assert_eq!(
            orgs("Kto byl v Sakharovo, tam dolgo stoyat?"),
            [SakharovoMmc]
        );
        assert!(orgs("Премия имени Сахарова, встреча с Сахаровой").is_empty());
    }

    #[test]
    fn spans_point_at_the_name() {
        let original = "Работа от МИНОБОРОНЫ!";
        let found = extract_orgs(&normalize(original));
        assert_eq!(&original[found[0].1.start..found[0].1.end], "МИНОБОРОНЫ");
    }

    #[test]
    fn long_inputs_finish() {
        let text = "оркестр барс патриот чвк ".repeat(20_000);
        let _ = extract_orgs(&normalize(&text));
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,200}") {
            let n = normalize(&s);
            for (_, span) in extract_orgs(&n) {
                prop_assert!(span.start <= span.end && span.end <= s.len());
            }
        }
    }
}

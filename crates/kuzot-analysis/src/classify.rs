//! The explainable cue classifier: which of the seven categories a message belongs to, and
//! which words of it say so.
//!
//! Two data files drive it, both compiled in:
//! - `data/cues.tsv`: weighted phrases per category or per *feature* (`@job`, `@cta`,
//!   `@civil_title`, `@mil_marker`, `@occupied`, `@news`, …) in every language kuzot reads;
//! - `data/cue-rules.tsv`: how features combine into category scores, including the
//!   borderline rules of the labelling guide (a civilian job title with military markers is
//!   `disguised_military`; news about recruitment is `other`; trench digging in an occupied
//!   region is `frontline_labour`; a PMC employer wins over "security guard").
//!
//! Scoring: every cue found in the normalised text adds its weight to its target; a cue
//! in the headline may count more (`head` rules); repeats of one cue count half as much
//! each time, and the k-th distinct cue of a target counts 0.85^k, so long texts do not
//! win by length. Overlapping cues of one target at one position count once (the
//! strongest). Whole-text features come from the facts the engine already extracted
//! ([`ClassifyContext`]: `@contact` from phone numbers, `@money` and `@pay` from amounts,
//! `@occupied` and `@border` from the gazetteer's places) or, without them, from small
//! scanners and the stop-gap place stems of `cues.tsv`. Then the rules run in file order:
//! the central ones are that a risk category needs evidence of an *offer* (a call to act,
//! a contact, an amount, vacancy words), and that news, warnings and questions damp it.
//! The category with the highest score wins; `scores` are the softmax of the raw scores.
//!
//! ```
//! use kuzot_analysis::classify::{ClassifyContext, CueModel};
//! use kuzot_analysis::normalize::normalize;
//! use kuzot_model::Category;
//! let model = CueModel::try_new().expect("compiled-in data is valid");
//! let original = "Нужен СВАРЩИК на объекты СВО. Дадут удостоверение ветерана боевых действий. Тел +7 900 318 52 74";
//! let result = model.classify(original, &normalize(original), &ClassifyContext::default());
//! assert_eq!(result.category, Category::DisguisedMilitary);
//! assert!(result.cues.iter().any(|c| c.span.is_some()));
//! ```

use std::collections::HashMap;

use kuzot_model::{Category, Cue, Money, MoneyRole, Period, Place, Span};

use crate::lexicon::{Lexicon, LexiconError, parse_tsv};
use crate::normalize::Normalized;

const CUES_TSV: &str = include_str!("../data/cues.tsv");
const RULES_TSV: &str = include_str!("../data/cue-rules.tsv");

/// Gazetteer ids of the Russian border regions where front-line labour is recruited.
const BORDER_PLACES: [&str; 6] = [
    "belgorod",
    "belgorod_region",
    "kursk",
    "kursk_region",
    "bryansk",
    "bryansk_region",
];

/// How many words from the start count as the headline when the first line is longer.
const HEAD_WORDS: usize = 12;
/// At most this many lexicon cues are reported (the strongest), so that a long text does
/// not carry hundreds.
const MAX_LEXICON_CUES: usize = 40;
/// Weight of each further distinct cue of one target, relative to the one before.
const DISTINCT_DECAY: f32 = 0.85;
/// Weight of each repeat of one cue, relative to the one before.
const REPEAT_DECAY: f32 = 0.5;

/// Facts already extracted from the text, used as whole-text features. Each `None` or
/// empty field is replaced by the classifier's own fallback scan.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClassifyContext<'a> {
    /// Places from the gazetteer. When it holds any place, its `occupied` flags replace
    /// the stop-gap occupied-place stems of `cues.tsv`.
    pub places: Option<&'a [Place]>,
    /// Spans of the phone numbers found.
    pub phones: Option<&'a [Span]>,
    /// Amounts of money found. An amount paid per month, day or hour (or marked as a
    /// salary) is pay, which speaks for a vacancy.
    pub money: Option<&'a [Money]>,
}

/// The classifier's decision with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    /// The category with the highest score.
    pub category: Category,
    /// Softmax of the raw scores, in [`Category::ALL`] order.
    pub scores: [f32; 7],
    /// Raw scores before the softmax, in [`Category::ALL`] order.
    pub raw: [f32; 7],
    /// The cues that speak for the decided category and for the runner-up (what argued
    /// against it), each with its span in the original text; at most 40 lexicon cues.
    pub cues: Vec<Cue>,
    /// Raw scores before the rules that ask whether the text is an offer at all (the
    /// offer gate and the damping by news, warnings and questions): what the text is
    /// ABOUT. The genre decides whether it is also an offer.
    pub ungated: [f32; 7],
    /// The whole-text features that speak to the genre, as the rules left them.
    pub evidence: Evidence,
}

/// The cue model's whole-text features that say who speaks and to what end; the genre
/// model reads them beside its own framing words.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Evidence {
    /// `@news`: reporting words.
    pub news: f32,
    /// `@warning`: warnings against an offer.
    pub warning: f32,
    /// `@question`: questions.
    pub question: f32,
    /// `@service`: housing, documents, transfers offered.
    pub service: f32,
    /// `@cta`: a call to act or a way to reply.
    pub cta: f32,
    /// `@contact`: phone numbers or handles.
    pub contact: f32,
    /// `@offer`: all evidence that the text offers something.
    pub offer: f32,
    /// `@job`: vacancy vocabulary.
    pub job: f32,
    /// `@money`: amounts of money.
    pub money: f32,
    /// `@pay`: pay per month, day or hour.
    pub pay: f32,
}

/// One line of `cues.tsv`.
#[derive(Debug, Clone)]
struct CueEntry {
    slot: usize,
    weight: f32,
    why: String,
}

/// A `name:min` condition of a rule.
#[derive(Debug, Clone, Copy)]
struct Condition {
    source: Source,
    min: f32,
}

/// What a rule reads.
#[derive(Debug, Clone, Copy)]
enum Source {
    Slot(usize),
    Head(usize),
    Risk,
}

#[derive(Debug, Clone)]
enum RuleKind {
    Add(Vec<Source>),
    Both(Vec<Condition>),
    Scale(Vec<Condition>),
    Gate(Vec<Source>),
    Damp(Vec<Source>),
    Base,
}

#[derive(Debug, Clone)]
struct Rule {
    kind: RuleKind,
    targets: Vec<usize>,
    number: f32,
    why: String,
}

/// The compiled cue lexicon and rules. Build once ([`CueModel::try_new`]) and share: it
/// is immutable, `Send` and `Sync`.
#[derive(Debug)]
pub struct CueModel {
    lexicon: Lexicon<usize>,
    entries: Vec<CueEntry>,
    /// Names of the slots: the seven categories first, then features.
    slots: Vec<String>,
    /// Category each slot is shown as.
    shows: Vec<Category>,
    head_factor: Vec<f32>,
    rules: Vec<Rule>,
    occupied: Option<usize>,
    border: Option<usize>,
    contact: Option<usize>,
    money: Option<usize>,
    pay: Option<usize>,
    question: Option<usize>,
    /// Slots read into [`Evidence`], in its field order.
    evidence_slots: [Option<usize>; 10],
}

/// The feature names behind [`Evidence`], in its field order.
const EVIDENCE_SLOTS: [&str; 10] = [
    "@news",
    "@warning",
    "@question",
    "@service",
    "@cta",
    "@contact",
    "@offer",
    "@job",
    "@money",
    "@pay",
];

fn category_of_slot(slot: usize) -> Option<Category> {
    Category::ALL.get(slot).copied()
}

impl CueModel {
    /// Builds the model from the compiled-in data files; an error names the file and line.
    pub fn try_new() -> Result<CueModel, LexiconError> {
        CueModel::from_data(CUES_TSV, RULES_TSV)
    }

    /// Builds a model from the text of a cue file and a rules file (the formats of
    /// `data/cues.tsv` and `data/cue-rules.tsv`).
    pub fn from_data(cues: &str, rules_data: &str) -> Result<CueModel, LexiconError> {
        let mut slots: Vec<String> = Category::ALL.iter().map(|c| c.as_str().into()).collect();
        let mut index: HashMap<String, usize> = slots
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i))
            .collect();
        let mut slot_of = |name: &str| -> Option<usize> {
            if let Some(&i) = index.get(name) {
                return Some(i);
            }
            if !name.starts_with('@') || name.len() < 2 {
                return None;
            }
            slots.push(name.to_owned());
            index.insert(name.to_owned(), slots.len() - 1);
            Some(slots.len() - 1)
        };

        let cue_file = "data/cues.tsv";
        let mut entries = Vec::new();
        let mut patterns = Vec::new();
        for (line, row) in parse_tsv(cue_file, cues, 4)? {
            let bad = |reason: String| LexiconError::Line {
                file: cue_file.to_owned(),
                line,
                reason,
            };
            let slot =
                slot_of(row[0]).ok_or_else(|| bad(format!("unknown target {:?}", row[0])))?;
            let weight =
                parse_number(row[1]).ok_or_else(|| bad("weight is not a number".into()))?;
            if row[2].is_empty() {
                return Err(bad("empty pattern".into()));
            }
            patterns.push((row[2].to_owned(), entries.len()));
            entries.push(CueEntry {
                slot,
                weight,
                why: row[3].to_owned(),
            });
        }
        let lexicon = Lexicon::build(patterns)?;

        let rule_file = "data/cue-rules.tsv";
        let mut rules = Vec::new();
        let mut shows_pairs = Vec::new();
        let mut heads = Vec::new();
        for (line, row) in parse_tsv(rule_file, rules_data, 5)? {
            let bad = |reason: String| LexiconError::Line {
                file: rule_file.to_owned(),
                line,
                reason,
            };
            let number =
                parse_number(row[2]).ok_or_else(|| bad("number is not a number".into()))?;
            let mut targets = Vec::new();
            for name in row[1].split(',').map(str::trim) {
                if name == "risk" {
                    targets.extend(
                        Category::ALL
                            .iter()
                            .filter(|c| c.is_risk())
                            .map(|c| c.index()),
                    );
                } else {
                    targets.push(
                        slot_of(name).ok_or_else(|| bad(format!("unknown target {name:?}")))?,
                    );
                }
            }
            let mut source = |name: &str| -> Result<Source, LexiconError> {
                if name == "risk" {
                    return Ok(Source::Risk);
                }
                if let Some(base) = name.strip_suffix(".head") {
                    return slot_of(base)
                        .map(Source::Head)
                        .ok_or_else(|| bad(format!("unknown name {base:?}")));
                }
                slot_of(name)
                    .map(Source::Slot)
                    .ok_or_else(|| bad(format!("unknown name {name:?}")))
            };
            let sources = |source: &mut dyn FnMut(&str) -> Result<Source, LexiconError>| {
                row[3]
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty() && *s != "-")
                    .map(source)
                    .collect::<Result<Vec<_>, _>>()
            };
            let conditions = |source: &mut dyn FnMut(&str) -> Result<Source, LexiconError>| {
                row[3]
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty() && *s != "-")
                    .map(|item| {
                        let (name, min) = item.split_once(':').unwrap_or((item, "0"));
                        let min = parse_number(min).ok_or_else(|| LexiconError::Line {
                            file: rule_file.to_owned(),
                            line,
                            reason: format!("bad minimum in {item:?}"),
                        })?;
                        Ok(Condition {
                            source: source(name)?,
                            min,
                        })
                    })
                    .collect::<Result<Vec<_>, LexiconError>>()
            };
            let kind = match row[0] {
                "shows" => {
                    let category = Category::parse(row[3])
                        .ok_or_else(|| bad(format!("unknown category {:?}", row[3])))?;
                    for &t in &targets {
                        shows_pairs.push((t, category));
                    }
                    continue;
                }
                "head" => {
                    for &t in &targets {
                        heads.push((t, number));
                    }
                    continue;
                }
                "add" => RuleKind::Add(sources(&mut source)?),
                "both" => RuleKind::Both(conditions(&mut source)?),
                "scale" => RuleKind::Scale(conditions(&mut source)?),
                "gate" => RuleKind::Gate(sources(&mut source)?),
                "damp" => RuleKind::Damp(sources(&mut source)?),
                "base" => RuleKind::Base,
                other => return Err(bad(format!("unknown rule kind {other:?}"))),
            };
            if matches!(kind, RuleKind::Gate(_)) && number <= 0.0 {
                return Err(bad("a gate needs a positive threshold".into()));
            }
            rules.push(Rule {
                kind,
                targets,
                number,
                why: row[4].to_owned(),
            });
        }

        let mut shows: Vec<Category> = (0..slots.len())
            .map(|s| category_of_slot(s).unwrap_or(Category::Other))
            .collect();
        for (slot, category) in shows_pairs {
            if let Some(s) = shows.get_mut(slot) {
                *s = category;
            }
        }
        let mut head_factor = vec![1.0; slots.len()];
        for (slot, factor) in heads {
            if let Some(h) = head_factor.get_mut(slot) {
                *h = factor;
            }
        }
        let find = |name: &str| index.get(name).copied();
        Ok(CueModel {
            lexicon,
            entries,
            occupied: find("@occupied"),
            border: find("@border"),
            contact: find("@contact"),
            money: find("@money"),
            pay: find("@pay"),
            question: find("@question"),
            evidence_slots: EVIDENCE_SLOTS.map(find),
            slots,
            shows,
            head_factor,
            rules,
        })
    }

    /// Number of cue entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no cues.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Classifies one text: `original` as written, `text` its normalised form, `context`
    /// the facts already extracted (or the default, for the classifier's own scans).
    pub fn classify(
        &self,
        original: &str,
        text: &Normalized,
        context: &ClassifyContext<'_>,
    ) -> Classification {
        let n = self.slots.len();
        let mut value = vec![0.0f32; n];
        let mut head = vec![0.0f32; n];
        let mut cues: Vec<Cue> = Vec::new();
        let head_end = head_end(original, text);

        // 1. Lexicon cues: (slot, start, weight, entry, end), strongest per (slot, start).
        let mut found: Vec<(usize, usize, f32, usize, usize)> = self
            .lexicon
            .find(text)
            .filter_map(|m| {
                let entry = self.entries.get(*m.value)?;
                let factor = if m.start < head_end {
                    self.head_factor.get(entry.slot).copied().unwrap_or(1.0)
                } else {
                    1.0
                };
                Some((entry.slot, m.start, entry.weight * factor, *m.value, m.end))
            })
            .collect();
        // The place extractor decides occupation when it found any place.
        let facts_decide_places = context.places.is_some_and(|p| !p.is_empty());
        if facts_decide_places {
            found.retain(|f| Some(f.0) != self.occupied && Some(f.0) != self.border);
        }
        found.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then(b.2.total_cmp(&a.2)));
        found.dedup_by(|later, earlier| later.0 == earlier.0 && later.1 == earlier.1);
        // Repeats of one entry halve each time.
        let mut seen: HashMap<usize, i32> = HashMap::new();
        for f in found.iter_mut() {
            let count = seen.entry(f.3).or_insert(0);
            f.2 *= REPEAT_DECAY.powi(*count);
            *count += 1;
        }
        // Distinct cues of one slot decay by rank.
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.2.total_cmp(&a.2)));
        let mut rank = 0;
        let mut previous_slot = usize::MAX;
        // Lexicon cues are turned into `Cue`s (with their text) only once the category is
        // known, and only those that speak for it or for the runner-up.
        let mut lexicon_cues: Vec<(usize, usize, usize, usize, f32)> =
            Vec::with_capacity(found.len());
        for &(slot, start, weight, entry, end) in &found {
            if slot != previous_slot {
                rank = 0;
                previous_slot = slot;
            }
            let effective = weight * DISTINCT_DECAY.powi(rank);
            rank += 1;
            value[slot] += effective;
            if start < head_end {
                head[slot] += effective;
            }
            lexicon_cues.push((slot, entry, start, end, effective));
        }

        // 2. Whole-text features.
        if let Some(slot) = self.occupied
            && facts_decide_places
        {
            for place in context
                .places
                .unwrap_or_default()
                .iter()
                .filter(|p| p.occupied)
            {
                let add = if value[slot] == 0.0 { 3.0 } else { 1.0 };
                value[slot] += add;
                cues.push(Cue {
                    category: self.shows[slot],
                    cue: format!("place {} — occupied territory", place.id),
                    weight: add,
                    span: Some(place.span),
                });
            }
        }
        if let Some(slot) = self.border
            && facts_decide_places
        {
            let places = context.places.unwrap_or_default();
            for place in places
                .iter()
                .filter(|p| BORDER_PLACES.contains(&p.id.as_str()))
            {
                value[slot] += 1.5;
                cues.push(Cue {
                    category: self.shows[slot],
                    cue: format!("place {} — border region next to the front", place.id),
                    weight: 1.5,
                    span: Some(place.span),
                });
            }
        }
        if let Some(slot) = self.contact {
            let spans: Vec<Span> = match context.phones {
                Some(p) if !p.is_empty() => p.to_vec(),
                _ => scan_contacts(original),
            };
            for (i, span) in spans.into_iter().take(3).enumerate() {
                let add = if i == 0 { 2.5 } else { 0.5 };
                value[slot] += add;
                cues.push(Cue {
                    category: self.shows[slot],
                    cue: "contact — a phone number or handle to reply to".into(),
                    weight: add,
                    span: Some(span),
                });
            }
        }
        if let Some(slot) = self.pay {
            let pay = context
                .money
                .unwrap_or_default()
                .iter()
                .filter(|m| is_pay(m));
            for (i, m) in pay.take(2).enumerate() {
                let add = if i == 0 { 2.0 } else { 0.5 };
                value[slot] += add;
                cues.push(Cue {
                    category: self.shows[slot],
                    cue: "pay — an amount paid per month, day or hour".into(),
                    weight: add,
                    span: Some(m.span),
                });
            }
        }
        if let Some(slot) = self.money {
            let spans: Vec<Span> = match context.money {
                Some(m) if !m.is_empty() => m.iter().map(|m| m.span).collect(),
                _ => scan_currency(original),
            };
            for (i, span) in spans.into_iter().take(3).enumerate() {
                let add = if i == 0 { 2.0 } else { 0.5 };
                value[slot] += add;
                cues.push(Cue {
                    category: self.shows[slot],
                    cue: "money — an amount of money".into(),
                    weight: add,
                    span: Some(span),
                });
            }
        }
        if let Some(slot) = self.question {
            let marks = original.matches('?').count().min(3);
            if marks > 0 {
                let add = 0.8 * marks as f32;
                value[slot] += add;
                cues.push(Cue {
                    category: self.shows[slot],
                    cue: "question mark — the text asks".into(),
                    weight: add,
                    span: None,
                });
            }
        }

        // 3. Rules, in file order. What the text is about is read just before the first
        // rule that asks whether it is an offer at all.
        let mut ungated: Option<[f32; 7]> = None;
        for rule in &self.rules {
            if ungated.is_none() && matches!(rule.kind, RuleKind::Gate(_) | RuleKind::Damp(_)) {
                ungated = Some(finite_categories(&value));
            }
            self.apply(rule, &mut value, &head, &mut cues);
        }
        let ungated = ungated.unwrap_or_else(|| finite_categories(&value));
        let slot_value = |i: usize| {
            self.evidence_slots[i]
                .and_then(|s| value.get(s).copied())
                .filter(|v| v.is_finite())
                .unwrap_or(0.0)
        };
        let evidence = Evidence {
            news: slot_value(0),
            warning: slot_value(1),
            question: slot_value(2),
            service: slot_value(3),
            cta: slot_value(4),
            contact: slot_value(5),
            offer: slot_value(6),
            job: slot_value(7),
            money: slot_value(8),
            pay: slot_value(9),
        };

        let mut raw = [0.0f32; 7];
        for (r, v) in raw.iter_mut().zip(&value) {
            *r = if v.is_finite() { *v } else { 0.0 };
        }
        let category = argmax(&raw);
        let scores = softmax(&raw);
        let runner_up = Category::ALL
            .iter()
            .copied()
            .filter(|c| *c != category)
            .max_by(|a, b| raw[a.index()].total_cmp(&raw[b.index()]))
            .unwrap_or(Category::Other);
        let shown = |c: Category| c == category || c == runner_up;
        cues.retain(|c| shown(c.category));
        lexicon_cues.retain(|c| shown(self.shows[c.0]));
        lexicon_cues.sort_by(|a, b| b.4.total_cmp(&a.4));
        lexicon_cues.truncate(MAX_LEXICON_CUES);
        lexicon_cues.sort_by_key(|c| c.2);
        for (slot, entry, start, end, effective) in lexicon_cues {
            let why = self.entries.get(entry).map_or("", |e| e.why.as_str());
            let pattern = self.pattern_text(text, start, end);
            cues.push(Cue {
                category: self.shows[slot],
                cue: format!("{pattern} — {why}"),
                weight: effective,
                span: Some(text.original_span(start, end)),
            });
        }
        Classification {
            category,
            scores,
            raw,
            cues,
            ungated,
            evidence,
        }
    }

    fn apply(&self, rule: &Rule, value: &mut [f32], head: &[f32], cues: &mut Vec<Cue>) {
        let read = |source: Source, value: &[f32]| match source {
            Source::Slot(s) => value.get(s).copied().unwrap_or(0.0),
            Source::Head(s) => head.get(s).copied().unwrap_or(0.0),
            Source::Risk => Category::ALL
                .iter()
                .filter(|c| c.is_risk())
                .map(|c| value[c.index()])
                .fold(0.0, f32::max),
        };
        let holds = |conditions: &[Condition], value: &[f32]| {
            conditions.iter().all(|c| read(c.source, value) >= c.min)
        };
        match &rule.kind {
            RuleKind::Add(sources) => {
                let sum: f32 = sources.iter().map(|&s| read(s, value)).sum();
                for &t in &rule.targets {
                    value[t] += rule.number * sum;
                }
            }
            RuleKind::Both(conditions) => {
                if holds(conditions, value) {
                    for &t in &rule.targets {
                        value[t] += rule.number;
                        cues.push(Cue {
                            category: self.shows[t],
                            cue: format!("rule — {}", rule.why),
                            weight: rule.number,
                            span: None,
                        });
                    }
                }
            }
            RuleKind::Scale(conditions) => {
                if holds(conditions, value) {
                    for &t in &rule.targets {
                        value[t] *= rule.number;
                    }
                }
            }
            RuleKind::Gate(sources) => {
                let sum: f32 = sources.iter().map(|&s| read(s, value)).sum();
                let factor = (sum / rule.number).clamp(0.05, 1.0);
                for &t in &rule.targets {
                    value[t] *= factor;
                }
            }
            RuleKind::Damp(sources) => {
                let sum: f32 = sources.iter().map(|&s| read(s, value)).sum();
                let factor = 1.0 + rule.number * sum.max(0.0);
                for &t in &rule.targets {
                    value[t] /= factor;
                }
            }
            RuleKind::Base => {
                for &t in &rule.targets {
                    value[t] += rule.number;
                }
            }
        }
    }

    /// The matched words as they appear in the normalised text (short, for display).
    fn pattern_text<'a>(&self, text: &'a Normalized, start: usize, end: usize) -> &'a str {
        text.text().get(start..end).unwrap_or("")
    }
}

/// The seven category scores of a slot vector, non-finite values as zero.
fn finite_categories(value: &[f32]) -> [f32; 7] {
    let mut out = [0.0f32; 7];
    for (o, v) in out.iter_mut().zip(value) {
        *o = if v.is_finite() { *v } else { 0.0 };
    }
    out
}

/// Regular pay rather than a price, a fine or a compensation.
fn is_pay(m: &Money) -> bool {
    matches!(m.period, Some(Period::Month | Period::Day | Period::Hour))
        || m.role == Some(MoneyRole::Salary)
}

fn parse_number(s: &str) -> Option<f32> {
    s.trim().parse::<f32>().ok().filter(|v| v.is_finite())
}

/// End (in the normalised text) of the headline: the first non-empty line of the
/// original, but at most [`HEAD_WORDS`] words.
fn head_end(original: &str, text: &Normalized) -> usize {
    let first_line_end = {
        let trimmed = original.trim_start();
        let offset = original.len() - trimmed.len();
        trimmed.find('\n').map_or(original.len(), |i| offset + i)
    };
    let mut end = 0;
    for (count, (start, word_end)) in text.words().enumerate() {
        if count >= HEAD_WORDS || text.original_span(start, word_end).start >= first_line_end {
            break;
        }
        end = word_end;
    }
    end
}

/// Phone-like runs (at least ten digits or masking stars, with the usual separators) and
/// `@handles`, as spans of the original.
fn scan_contacts(original: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let bytes = original.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_digit() || b == b'+' || b == b'*' {
            let start = i;
            let mut digits = 0;
            let mut last = i;
            while i < bytes.len() {
                let c = bytes[i];
                if c.is_ascii_digit() || c == b'*' {
                    digits += 1;
                    last = i;
                } else if !matches!(c, b' ' | b'-' | b'(' | b')' | b'+' | b'.') {
                    break;
                }
                i += 1;
            }
            if (10..=15).contains(&digits) {
                spans.push(Span {
                    start,
                    end: last + 1,
                });
            }
            continue;
        }
        if b == b'@' {
            let start = i;
            i += 1;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            if i - start >= 4 {
                spans.push(Span { start, end: i });
            }
            continue;
        }
        i += 1;
    }
    spans
}

/// Currency signs and words next to a number, as spans of the original; a stand-in until
/// the money extractor is wired in.
fn scan_currency(original: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    for (i, c) in original.char_indices() {
        if matches!(c, '₽' | '$' | '€' | '₸') {
            spans.push(Span {
                start: i,
                end: i + c.len_utf8(),
            });
        }
    }
    spans
}

fn argmax(raw: &[f32; 7]) -> Category {
    // Ties go to `other`, then to the safer (later) category.
    let mut best = Category::Other;
    for c in Category::ALL.iter().rev() {
        if raw[c.index()] > raw[best.index()] {
            best = *c;
        }
    }
    best
}

fn softmax(raw: &[f32; 7]) -> [f32; 7] {
    let max = raw.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut out = [0.0f32; 7];
    let mut sum = 0.0;
    for (o, r) in out.iter_mut().zip(raw) {
        *o = (r - max).exp();
        sum += *o;
    }
    if sum > 0.0 && sum.is_finite() {
        for o in out.iter_mut() {
            *o /= sum;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    static MODEL: LazyLock<CueModel> =
        LazyLock::new(|| CueModel::try_new().expect("compiled-in cue data is valid"));

    fn classify(text: &str) -> Classification {
        MODEL.classify(text, &normalize(text), &ClassifyContext::default())
    }

    fn category(text: &str) -> Category {
        classify(text).category
    }

    #[test]
    fn compiled_data_is_valid() {
        let model = CueModel::try_new().expect("data/cues.tsv and data/cue-rules.tsv are valid");
        assert!(model.len() > 800);
        for name in [
            "@job",
            "@offer",
            "@civil_title",
            "@mil_marker",
            "@occupied",
            "@news",
        ] {
            assert!(model.slots.iter().any(|s| s == name), "{name} is used");
        }
    }

    #[test]
    fn bad_data_names_file_and_line() {
        let err = CueModel::from_data("pmc\t2\tчвк\tPMC\n@x\tnope\tслово\twhy\n", "")
            .expect_err("bad weight");
        assert_eq!(err.to_string(), "data/cues.tsv:2: weight is not a number");
        let err = CueModel::from_data("", "# rules\nboth\tnowhere\t1\t@a:1\twhy\n")
            .expect_err("unknown target");
        assert!(
            err.to_string().starts_with("data/cue-rules.tsv:2:"),
            "{err}"
        );
        let err = CueModel::from_data("", "sing\tother\t1\t-\twhy\n").expect_err("bad kind");
        assert!(err.to_string().contains("unknown rule kind"), "{err}");
    }

    #[test]
    fn a_civilian_title_with_military_markers_is_disguised() {
        let text = "Ищем ЭЛЕКТРИКА, выезд на объекты СВО, оформление статуса ветерана боевых действий. Тел 8 900 000 00 00";
        let result = classify(text);
        assert_eq!(result.category, Category::DisguisedMilitary);
        // The interaction is shown as a whole-text cue.
        assert!(
            result
                .cues
                .iter()
                .any(|c| c.span.is_none() && c.category == Category::DisguisedMilitary)
        );
        // Without the markers it is an ordinary job.
        assert_eq!(
            category(
                "Требуется ВОДИТЕЛЬ категории C по городу, 90 000 руб. в месяц. Звоните 8 900 000 00 00"
            ),
            Category::JobOther
        );
    }

    #[test]
    fn an_open_contract_is_military_contract() {
        assert_eq!(
            category(
                "Приглашаем на службу по контракту в армию! При подписании 350 000 руб., ежемесячно от 215 000. Тел. 8 900 000 00 00"
            ),
            Category::MilitaryContract
        );
    }

    #[test]
    fn news_about_recruitment_is_other() {
        assert_eq!(
            category(
                "Журналисты выяснили, что мигрантов в центре оформления документов уговаривают подписать контракт с армией."
            ),
            Category::Other
        );
        assert_eq!(
            category(
                "Правозащитники рассказали, как частная военная компания набирала осуждённых в колониях, обещая им свободу."
            ),
            Category::Other
        );
    }

    #[test]
    fn trench_digging_in_an_occupied_region_is_front_line_labour() {
        assert_eq!(
            category(
                "Копка окопов под Херсоном, 350 руб в час, палатки и полевая кухня. Тел 8 900 000 00 00"
            ),
            Category::FrontlineLabour
        );
        assert_eq!(
            category("Ремонт квартир в Мариуполе, штукатуры, 3500 руб/смена. Тел 8 900 000 00 00"),
            Category::OccupiedReconstruction
        );
    }

    #[test]
    fn a_pmc_employer_beats_security_guard() {
        assert_eq!(
            category("Сторожа на базу в зоне СВО, нанимает ЧВК. 270 000 руб. Тел 8 900 000 00 00"),
            Category::Pmc
        );
    }

    #[test]
    fn facts_decide_occupation_when_present() {
        let text = "Строители на вахту, 120 000 руб/мес, жильё. Тел 8 900 000 00 00";
        let place = Place {
            id: "mariupol".into(),
            occupied: true,
            span: Span { start: 0, end: 3 },
        };
        let places = [place];
        let context = ClassifyContext {
            places: Some(&places),
            ..ClassifyContext::default()
        };
        let result = MODEL.classify(text, &normalize(text), &context);
        assert_eq!(result.category, Category::OccupiedReconstruction);
        // A non-occupied place found by the gazetteer overrides the stop-gap stems.
        let text = "Строители в Донецк, 120 000 руб/мес. Тел 8 900 000 00 00";
        let moscow = [Place {
            id: "moscow".into(),
            occupied: false,
            span: Span::default(),
        }];
        let context = ClassifyContext {
            places: Some(&moscow),
            ..ClassifyContext::default()
        };
        let result = MODEL.classify(text, &normalize(text), &context);
        assert_eq!(result.category, Category::JobOther);
    }

    #[test]
    fn scores_are_a_distribution_and_cue_spans_are_in_the_original() {
        let text = "🔥ЧВК «Вагнер» набирает! 240 000 ₽. Звони +7 900 000 00 00";
        let result = classify(text);
        let sum: f32 = result.scores.iter().sum();
        assert!((sum - 1.0).abs() < 1e-3);
        let spans: Vec<&str> = result
            .cues
            .iter()
            .filter(|c| c.category == Category::Pmc)
            .filter_map(|c| c.span)
            .map(|s| &text[s.start..s.end])
            .collect();
        assert!(spans.contains(&"ЧВК"), "{spans:?}");
        assert!(spans.contains(&"Вагнер"), "{spans:?}");
    }

    #[test]
    fn long_inputs_complete() {
        let _ = classify(&"1".repeat(300_000));
        let result = classify(&"контракт вахта охранник окоп ".repeat(10_000));
        assert!(result.scores.iter().all(|s| s.is_finite()));
    }

    #[test]
    fn scanners_find_contacts_and_currency() {
        let spans = scan_contacts("Тел 8 (900) 415-20-73, пиши @nabor_24, год 2024");
        assert_eq!(spans.len(), 2);
        assert!(scan_contacts("8 ***** 96 и 8 (9**) ***-**-17").len() == 1);
        assert_eq!(scan_currency("200 000₽ и $300").len(), 2);
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,200}") {
            let result = classify(&s);
            prop_assert!(result.scores.iter().all(|v| v.is_finite()));
            for cue in &result.cues {
                if let Some(span) = cue.span {
                    prop_assert!(span.start <= span.end && span.end <= s.len());
                }
            }
        }
    }
}

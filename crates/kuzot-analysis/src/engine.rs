//! The engine: every analysis stage in order, for one text.
//!
//! normalise → extract facts (money, places, phones, organisations, promises) → identify
//! the language → classify with the cue model (using the facts as whole-text features) →
//! optionally combine with a trained linear model → fingerprint for near-duplicates.
//!
//! Everything that costs time to build (the cue automaton, the language word lists) is
//! built once in [`Engine::new`]; [`Engine::analyze`] only reads it, so one engine can be
//! shared by many threads.
//!
//! ```
//! use kuzot_analysis::Engine;
//! use kuzot_model::Category;
//! let engine = Engine::new();
//! let a = engine.analyze("ЧВК «Вагнер» ждёт новых бойцов, 260 тыс. руб. ежемесячно. Пиши +7 900 482 15 36");
//! assert_eq!(a.category, Category::Pmc);
//! assert_eq!(a.lang, "ru");
//! let line = kuzot_analysis::prediction_json(&a, "m1");
//! assert_eq!(line["category"], "pmc");
//! ```

use kuzot_model::{
    Analysis, Category, Cue, FactSpan, Facts, Genre, Money, Org, Place, Promise, Span,
};
use serde_json::{Value, json};

use crate::classify::{Classification, ClassifyContext, CueModel, Evidence};
use crate::genre::{self, GenreFeatures, GenreModel, GenreWords};
use crate::lang::{LanguageGuess, LanguageModel};
use crate::lexicon::LexiconError;
use crate::linear::LinearModel;
use crate::normalize::{Normalized, normalize};
use crate::{fingerprint, money, orgs, phones, places, promises};

/// Version of the rules and lexicons; stored with every analysis.
pub const ENGINE_VERSION: &str = "0.2.0";

/// An offer category needs at least this raw cue score, before the offer gate, to be
/// taken from what the text is about when the genre model finds an offer that the cue
/// model's own gate missed (a recruiter's speech with no phone number).
const AD_TOPIC_MIN: f32 = 3.0;
/// What a text is about needs at least this raw cue score to be named as its topic.
const TOPIC_MIN: f32 = 2.0;

/// Weight λ of the trained model's log-probability when it is combined with the cue model.
const MODEL_WEIGHT: f32 = 1.0;
/// Smallest model probability used, so that one confident zero cannot veto the cues.
const MODEL_FLOOR: f32 = 1e-4;

/// The analysis engine. Cheap to share (`Send + Sync`), costly to build: build one.
#[derive(Debug)]
pub struct Engine {
    /// `None` only if the compiled-in cue data were broken (see [`Engine::new`]).
    cues: Option<CueModel>,
    language: Option<LanguageModel>,
    model: Option<LinearModel>,
    genre_words: Option<GenreWords>,
    /// The genre model, or why there is none (the engine then falls back to the cue
    /// model's own offer gate, and says so in its version).
    genre: Result<GenreModel, String>,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new()
    }
}

impl Engine {
    /// Builds the engine from the compiled-in data. Never panics: the data is checked by
    /// the unit tests, and if it were broken anyway the engine would fall back to an empty
    /// cue model (every text `other`) rather than take the process down.
    pub fn new() -> Engine {
        match Engine::try_new() {
            Ok(engine) => engine,
            Err(_) => Engine {
                cues: CueModel::try_new().ok(),
                language: LanguageModel::try_new().ok(),
                model: None,
                genre_words: GenreWords::try_new().ok(),
                genre: default_genre_model(),
            },
        }
    }

    /// Builds the engine, reporting a broken data file with its name and line. Also builds
    /// the fact extractors' lexicons now, so that a broken gazetteer or organisation list
    /// is reported here and the first `analyze` call is not the slow one.
    pub fn try_new() -> Result<Engine, LexiconError> {
        let data = |what: &str, result: Result<(), String>| {
            result.map_err(|e| LexiconError::Build(format!("{what}: {e}")))
        };
        data("places gazetteer", places::check_gazetteer())?;
        data("organisation lexicon", orgs::check_org_lexicon())?;
        data("promise lexicon", promises::check_promise_lexicon())?;
        Ok(Engine {
            cues: Some(CueModel::try_new()?),
            language: Some(LanguageModel::try_new()?),
            model: None,
            genre_words: Some(GenreWords::try_new()?),
            genre: default_genre_model(),
        })
    }

    /// Replaces the compiled-in genre model: `Ok` with another trained model (a file given
    /// by the user), `Err` with the reason one was refused, so that the engine falls back
    /// to the cue model and says why in its version.
    pub fn with_genre_model(mut self, model: Result<GenreModel, String>) -> Engine {
        self.genre = model;
        self
    }

    /// The genre model in use, if any.
    pub fn genre_model(&self) -> Option<&GenreModel> {
        self.genre.as_ref().ok()
    }

    /// The genre features of a text, as the genre model reads them (for training).
    pub fn genre_features(&self, text: &str) -> Option<GenreFeatures> {
        let words = self.genre_words.as_ref()?;
        let cues = self.cues.as_ref()?;
        let normalized = normalize(text);
        let facts_found = extract_facts(text, &normalized);
        let context = ClassifyContext {
            places: Some(&facts_found.facts.places),
            phones: Some(&facts_found.phone_spans),
            money: Some(&facts_found.facts.money),
        };
        let classification = cues.classify(text, &normalized, &context);
        Some(words.features(text, &normalized, &classification.evidence))
    }

    /// Adds a trained linear model. Rule: the final score of each category is the cue
    /// model's raw score plus λ·ln p, where p is the model's probability (floored at
    /// 10⁻⁴, λ = 1); the category with the highest sum wins. A model whose output is not a
    /// probability distribution (all zeros, NaN) is ignored for that text, so with no
    /// usable model the cue model alone decides.
    pub fn with_model(mut self, model: LinearModel) -> Engine {
        self.model = Some(model);
        self
    }

    /// The engine version stored with each analysis; with a model,
    /// `+linear:<training date>:<examples>` identifies which one.
    pub fn version(&self) -> String {
        let mut version = ENGINE_VERSION.to_owned();
        match &self.genre {
            Ok(model) => {
                let info = model.info();
                version.push_str(&format!("+genre:{}:{}", info.trained_at, info.examples));
            }
            Err(why) => version.push_str(&format!("+genre:none({why})")),
        }
        if let Some(model) = &self.model {
            let info = model.info();
            version.push_str(&format!("+linear:{}:{}", info.trained_at, info.examples));
        }
        version
    }

    /// Analyses one text. Never panics; linear in the length of the text.
    pub fn analyze(&self, text: &str) -> Analysis {
        let normalized = normalize(text);
        let mut facts_found = extract_facts(text, &normalized);
        let guess = self.identify(text, &normalized);
        fill_local_currency(&mut facts_found, guess.lang);

        let phone_spans: Vec<Span> = facts_found.phone_spans.clone();
        let context = ClassifyContext {
            places: Some(&facts_found.facts.places),
            phones: Some(&phone_spans),
            money: Some(&facts_found.facts.money),
        };
        let classification = match &self.cues {
            Some(cues) => cues.classify(text, &normalized, &context),
            None => Classification {
                category: Category::Other,
                scores: [1.0 / 7.0; 7],
                raw: [0.0; 7],
                cues: Vec::new(),
                ungated: [0.0; 7],
                evidence: Evidence::default(),
            },
        };
        let (category, scores) = match self
            .model
            .as_ref()
            .and_then(|m| model_probs(m, &normalized))
        {
            Some(probs) => combine(&classification.raw, &probs),
            None => (classification.category, classification.scores),
        };

        // Genre: is this an offer at all, and if not, what kind of text.
        let features = self
            .genre_words
            .as_ref()
            .map(|w| w.features(text, &normalized, &classification.evidence))
            .unwrap_or_default();
        let p_ad = self
            .genre
            .as_ref()
            .ok()
            .map(|m| m.probability_of_ad(&features));
        let ungated = &classification.ungated;
        let about = best_offer(ungated, TOPIC_MIN);
        let (genre, category, scores) = match p_ad {
            Some(p) => {
                let risk_topic = Category::ALL
                    .iter()
                    .filter(|c| c.is_risk())
                    .map(|c| ungated[c.index()])
                    .fold(0.0, f32::max);
                let genre =
                    genre::decide_with_topic(p, &features, &classification.evidence, risk_topic);
                let category = match genre {
                    Genre::Ad if category != Category::Other => category,
                    Genre::Ad => best_offer(ungated, AD_TOPIC_MIN).unwrap_or(Category::Other),
                    _ => Category::Other,
                };
                (genre, category, weigh_by_genre(&scores, p))
            }
            None => {
                let assumed = if category == Category::Other {
                    0.0
                } else {
                    1.0
                };
                let genre = genre::decide(assumed, &features, &classification.evidence);
                (genre, category, scores)
            }
        };
        let topic = if category == Category::Other {
            about.unwrap_or(Category::Other)
        } else {
            category
        };

        Analysis {
            lang: guess.lang.to_owned(),
            script: guess.script.to_owned(),
            category,
            genre: Some(genre),
            topic: Some(topic),
            offer_probability: p_ad,
            scores: scores.to_vec(),
            cues: relevant_cues(classification.cues, category),
            spans: facts_found.spans,
            facts: facts_found.facts,
            fingerprint: fingerprint::minhash(&normalized),
            engine_version: self.version(),
        }
    }

    fn identify(&self, text: &str, normalized: &Normalized) -> LanguageGuess {
        match &self.language {
            Some(model) => model.identify(normalized),
            None => crate::lang::identify_language(text, normalized),
        }
    }
}

/// The compiled-in genre model, or why it cannot be used.
fn default_genre_model() -> Result<GenreModel, String> {
    GenreModel::from_bytes(genre::DEFAULT_MODEL).map_err(|e| e.to_string())
}

/// The offer category (risk or job) with the highest raw score, if it reaches `min`.
fn best_offer(raw: &[f32; 7], min: f32) -> Option<Category> {
    Category::ALL
        .iter()
        .copied()
        .filter(|c| *c != Category::Other)
        .max_by(|a, b| raw[a.index()].total_cmp(&raw[b.index()]))
        .filter(|c| raw[c.index()] >= min)
}

/// Category scores once the genre is known: the offer categories keep their share of the
/// probability that the text is an offer, and `other` takes the rest.
fn weigh_by_genre(scores: &[f32; 7], p_ad: f32) -> [f32; 7] {
    let mut out = [0.0f32; 7];
    for c in Category::ALL {
        out[c.index()] = p_ad * scores[c.index()];
    }
    out[Category::Other.index()] += 1.0 - p_ad;
    out
}

/// The cues shown with an analysis: all of them, the decided category's first.
fn relevant_cues(mut cues: Vec<Cue>, category: Category) -> Vec<Cue> {
    cues.sort_by_key(|c| c.category != category);
    cues
}

fn model_probs(model: &LinearModel, text: &Normalized) -> Option<[f32; 7]> {
    let probs = model.scores(text);
    let sum: f32 = probs.iter().sum();
    let valid = probs.iter().all(|p| p.is_finite() && *p >= 0.0) && (sum - 1.0).abs() < 0.05;
    valid.then_some(probs)
}

/// Cue score + λ·ln p per category; the softmax of the sums as scores.
fn combine(raw: &[f32; 7], probs: &[f32; 7]) -> (Category, [f32; 7]) {
    let mut sums = [0.0f32; 7];
    for ((s, r), p) in sums.iter_mut().zip(raw).zip(probs) {
        *s = r + MODEL_WEIGHT * p.max(MODEL_FLOOR).ln();
    }
    let mut best = Category::Other;
    for c in Category::ALL.iter().rev() {
        if sums[c.index()] > sums[best.index()] {
            best = *c;
        }
    }
    let max = sums.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut scores = [0.0f32; 7];
    let mut total = 0.0;
    for (o, s) in scores.iter_mut().zip(&sums) {
        *o = (s - max).exp();
        total += *o;
    }
    if total > 0.0 && total.is_finite() {
        for o in scores.iter_mut() {
            *o /= total;
        }
    }
    (best, scores)
}

struct FoundFacts {
    facts: Facts,
    spans: Vec<FactSpan>,
    phone_spans: Vec<Span>,
}

/// Runs every fact extractor and deduplicates their results.
fn extract_facts(original: &str, text: &Normalized) -> FoundFacts {
    let mut spans = Vec::new();
    let fact_span = |fact: &'static str, value: String, span: Span| FactSpan {
        fact: fact.to_owned(),
        value,
        span,
    };

    let mut money: Vec<Money> = Vec::new();
    for m in money::extract_money(text) {
        let duplicate = money
            .iter()
            .any(|k| k.min == m.min && k.max == m.max && k.currency == m.currency);
        if !duplicate {
            spans.push(fact_span("money", money_value(&m), m.span));
            money.push(m);
        }
    }

    let mut places: Vec<Place> = Vec::new();
    for p in places::extract_places(text) {
        if !places.iter().any(|k| k.id == p.id) {
            spans.push(fact_span("place", p.id.clone(), p.span));
            places.push(p);
        }
    }

    let mut phones: Vec<String> = Vec::new();
    let mut phone_spans = Vec::new();
    for (number, span) in phones::extract_phones(original) {
        if !phones.contains(&number) {
            spans.push(fact_span("phone", number.clone(), span));
            phone_spans.push(span);
            phones.push(number);
        }
    }

    let mut orgs: Vec<Org> = Vec::new();
    for (org, span) in orgs::extract_orgs(text) {
        if !orgs.contains(&org) {
            spans.push(fact_span("org", org.as_str().to_owned(), span));
            orgs.push(org);
        }
    }

    let mut promises: Vec<Promise> = Vec::new();
    for (promise, span) in promises::extract_promises(text) {
        if !promises.contains(&promise) {
            spans.push(fact_span("promise", promise.as_str().to_owned(), span));
            promises.push(promise);
        }
    }

    FoundFacts {
        facts: Facts {
            money,
            places,
            phones,
            orgs,
            promises,
        },
        spans,
        phone_spans,
    }
}

/// Amounts with no currency in the text get the currency of the text's country, known
/// only once the language is (see `money::local_currency`); their span labels follow.
fn fill_local_currency(found: &mut FoundFacts, lang: &str) {
    let facts = &mut found.facts;
    if !facts.money.iter().any(|m| m.currency.is_none()) {
        return;
    }
    let local = money::local_currency(lang, &facts.places, &facts.phones);
    money::fill_local_currency(&mut facts.money, local);
    let money_spans = found.spans.iter_mut().filter(|s| s.fact == "money");
    for (span, m) in money_spans.zip(&facts.money) {
        span.value = money_value(m);
    }
}

/// An amount as analysts read it: `100000–120000 RUB`, `up to 950000 KZT`, `? ` for an
/// unknown currency.
fn money_value(m: &Money) -> String {
    let n = |v: f64| format!("{v}");
    let currency = m.currency.as_deref().unwrap_or("?");
    match (m.min, m.max) {
        (Some(a), Some(b)) => format!("{}–{} {}", n(a), n(b), currency),
        (Some(a), None) => format!("{} {}", n(a), currency),
        (None, Some(b)) => format!("up to {} {}", n(b), currency),
        (None, None) => currency.to_owned(),
    }
}

/// The prediction line of the evaluation guide for one analysis: `id`, `category`,
/// `lang`, `facts` in the guide's schema, plus `script`, `scores` (by category id),
/// `cues`, `spans` and `engine_version` as extras the scorer ignores. `kuzot analyze`
/// prints exactly this.
pub fn prediction_json(analysis: &Analysis, id: &str) -> Value {
    let facts = &analysis.facts;
    let money: Vec<Value> = facts
        .money
        .iter()
        .map(|m| {
            json!({
                "min": m.min,
                "max": m.max,
                "currency": m.currency,
                "currency_inferred": m.currency_inferred,
                "period": m.period,
            })
        })
        .collect();
    let places: Vec<Value> = facts
        .places
        .iter()
        .map(|p| json!({"id": p.id, "occupied": p.occupied}))
        .collect();
    let orgs: Vec<&str> = facts.orgs.iter().map(|o| o.as_str()).collect();
    let promises: Vec<&str> = facts.promises.iter().map(|p| p.as_str()).collect();
    let scores: serde_json::Map<String, Value> = Category::ALL
        .iter()
        .zip(&analysis.scores)
        .map(|(c, s)| (c.as_str().to_owned(), json!(round3(*s))))
        .collect();
    let cues: Vec<Value> = analysis
        .cues
        .iter()
        .map(|c| {
            json!({
                "category": c.category,
                "cue": c.cue,
                "weight": round3(c.weight),
                "span": c.span.map(|s| json!({"start": s.start, "end": s.end})),
            })
        })
        .collect();
    let spans: Vec<Value> = analysis
        .spans
        .iter()
        .map(|s| json!({"fact": s.fact, "value": s.value, "span": {"start": s.span.start, "end": s.span.end}}))
        .collect();
    json!({
        "id": id,
        "category": analysis.category,
        "genre": analysis.genre_or_infer(),
        "topic": analysis.topic_or_category(),
        "offer_probability": analysis.offer_probability.map(round3),
        "lang": analysis.lang,
        "script": analysis.script,
        "facts": {
            "money": money,
            "places": places,
            "phones": facts.phones,
            "orgs": orgs,
            "promises": promises,
        },
        "scores": scores,
        "cues": cues,
        "spans": spans,
        "engine_version": analysis.engine_version,
    })
}

fn round3(v: f32) -> f64 {
    (f64::from(v) * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn is_send_sync<T: Send + Sync>() {}

    #[test]
    fn engine_is_send_and_sync_and_builds_from_the_compiled_data() {
        is_send_sync::<Engine>();
        Engine::try_new().expect("compiled-in data is valid");
    }

    #[test]
    fn combining_with_a_model_follows_the_documented_rule() {
        let raw = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5];
        // A confident model moves a close call.
        let probs = [0.9, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01];
        assert_eq!(combine(&raw, &probs).0, Category::MilitaryContract);
        // A uniform model changes nothing.
        let uniform = [1.0 / 7.0; 7];
        assert_eq!(combine(&raw, &uniform).0, Category::Other);
    }

    #[test]
    fn an_untrained_model_is_ignored() {
        let engine = Engine::new().with_model(LinearModel::default());
        let a =
            engine.analyze("Контракт с Минобороны, 215 000 руб. ежемесячно. Тел 8 900 482 15 36");
        assert_eq!(a.category, Category::MilitaryContract);
        assert!(a.engine_version.starts_with(ENGINE_VERSION));
    }

    #[test]
    fn prediction_line_has_the_guide_schema() {
        let engine = Engine::new();
        let a = engine.analyze("Восстановление школ в Мариуполе, нужны штукатуры, 115 000 руб/мес. Тел +7 949 260 37 81");
        let line = prediction_json(&a, "x1");
        assert_eq!(line["id"], "x1");
        assert_eq!(line["category"], "occupied_reconstruction");
        assert!(line["facts"]["money"].is_array());
        assert!(line["facts"]["places"].is_array());
        assert!(line["facts"]["phones"].is_array());
        assert!(line["facts"]["orgs"].is_array());
        assert!(line["facts"]["promises"].is_array());
        assert_eq!(line["scores"].as_object().map(|o| o.len()), Some(7));
    }

    #[test]
    fn large_inputs_complete() {
        let engine = Engine::new();
        let digits = "7".repeat(200_000);
        let _ = engine.analyze(&digits);
        let words = "контракт охранник вахта ".repeat(8_000);
        let a = engine.analyze(&words);
        assert_eq!(a.scores.len(), 7);
    }

    static ENGINE: std::sync::LazyLock<Engine> = std::sync::LazyLock::new(Engine::new);

    proptest! {
        #[test]
        fn analyze_never_panics(s in "\\PC{0,200}") {
            let a = ENGINE.analyze(&s);
            prop_assert_eq!(a.scores.len(), 7);
            for c in &a.cues {
                if let Some(span) = c.span {
                    prop_assert!(span.start <= span.end && span.end <= s.len());
                }
            }
        }
    }
}

//! The evaluation metrics of the labelling guide's `score.py`, in Rust, for `kuzot eval`.
//!
//! The figures are those of `score.py` exactly, edge cases included: a gold file is a map
//! from id to record (a repeated id keeps its last record, in the position of its first);
//! a message without a prediction counts as category `<missing>`; money is compared as the
//! set of distinct `(min, max, currency)` keys with amounts rounded to 2 decimals and the
//! currency upper-cased; places, phones, orgs and promises as sets of strings; precision of
//! an empty prediction set is 1 when nothing was expected and 0 otherwise; macro-F1 averages
//! the classes present in the gold labels; `lang` is compared as given (two missing
//! languages agree). [`Scores`] serialises to the same JSON as `score.py --json`, and its
//! `Display` prints the same table.
//!
//! ```
//! use std::collections::HashMap;
//! use kuzot_analysis::metrics::{GoldRecord, Prediction, score};
//! let gold: GoldRecord = serde_json::from_str(
//!     r#"{"id": "d1", "lang": "ru", "label": "pmc", "money": [], "places": [], "occupied": false}"#,
//! ).expect("gold line");
//! let pred: Prediction = serde_json::from_str(r#"{"id": "d1", "category": "pmc", "lang": "ru"}"#)
//!     .expect("prediction line");
//! let scores = score(&[gold], &HashMap::from([("d1".to_owned(), pred)]));
//! assert_eq!(scores.accuracy, 1.0);
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use kuzot_model::Category;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// One line of a gold file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GoldRecord {
    /// Message id (numbers are read as their decimal string, as `score.py` does).
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// Main language, as labelled; `None` when the line has none.
    #[serde(default)]
    pub lang: Option<Value>,
    /// The text (not scored).
    #[serde(default)]
    pub text: Option<String>,
    /// The category id.
    pub label: String,
    /// Amounts: objects with `min`, `max`, `currency`, `period`.
    #[serde(default)]
    pub money: Option<Vec<Value>>,
    /// Place ids.
    #[serde(default)]
    pub places: Option<Vec<Value>>,
    /// Whether the message names occupied territory.
    #[serde(default)]
    pub occupied: Option<Value>,
    /// Phone numbers, E.164.
    #[serde(default)]
    pub phones: Option<Vec<Value>>,
    /// Organisation ids.
    #[serde(default)]
    pub orgs: Option<Vec<Value>>,
    /// Promise ids.
    #[serde(default)]
    pub promises: Option<Vec<Value>>,
    /// Who speaks, to what end (`ad`, `report`, …); not scored by `score.py`, scored here
    /// when present.
    #[serde(default)]
    pub genre: Option<String>,
}

/// One line of a prediction file (the engine's JSONL output); extra fields are ignored.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Prediction {
    /// Message id.
    #[serde(default, deserialize_with = "optional_id_string")]
    pub id: Option<String>,
    /// The category id; `None` when the line has none.
    #[serde(default, deserialize_with = "present")]
    pub category: Option<Value>,
    /// Main language.
    #[serde(default)]
    pub lang: Option<Value>,
    /// The genre predicted.
    #[serde(default)]
    pub genre: Option<Value>,
    /// Extracted facts.
    #[serde(default)]
    pub facts: Option<PredictedFacts>,
}

/// The `facts` object of a prediction.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct PredictedFacts {
    /// Amounts: objects with `min`, `max`, `currency`.
    #[serde(default)]
    pub money: Option<Vec<Value>>,
    /// Places: objects with `id` and `occupied`, or bare ids.
    #[serde(default)]
    pub places: Option<Vec<Value>>,
    /// Phone numbers.
    #[serde(default)]
    pub phones: Option<Vec<Value>>,
    /// Organisation ids.
    #[serde(default)]
    pub orgs: Option<Vec<Value>>,
    /// Promise ids.
    #[serde(default)]
    pub promises: Option<Vec<Value>>,
}

fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(py_str(&Value::deserialize(d)?))
}

fn optional_id_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Some(py_str(&Value::deserialize(d)?)))
}

/// Keeps an explicit `null` apart from a missing field: `Some(Value::Null)`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Ok(Some(Value::deserialize(d)?))
}

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Prf {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
}

/// Scores of one category.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassScores {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
    /// Number of gold messages in the category.
    pub support: usize,
}

/// Scores of each kind of fact.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FactScores {
    /// Money, by distinct (min, max, currency).
    pub money: Prf,
    /// Place ids.
    pub places: Prf,
    /// Phone numbers.
    pub phones: Prf,
    /// Organisation ids.
    pub orgs: Prf,
    /// Promise ids.
    pub promises: Prf,
}

/// Everything `score.py` reports; serialises to its `--json` output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Number of gold messages.
    pub n: usize,
    /// Gold messages with no prediction.
    pub missing_predictions: usize,
    /// Category accuracy.
    pub accuracy: f64,
    /// Mean F1 over the categories present in the gold labels.
    pub macro_f1: f64,
    /// Risk category vs not.
    pub risk: Prf,
    /// Per category, for every category in gold or predicted.
    pub per_class: BTreeMap<String, ClassScores>,
    /// Language accuracy.
    pub lang_accuracy: f64,
    /// Accuracy of the `occupied` flag.
    pub occupied_accuracy: f64,
    /// Facts.
    pub facts: FactScores,
    /// `"gold -> predicted"` → count, for every wrong pair.
    pub confusions: BTreeMap<String, usize>,
    /// Genre accuracy over the gold messages that carry a genre (`None` when none does;
    /// then absent from the JSON, which keeps `score.py`'s keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub genre_accuracy: Option<f64>,
    /// Of the gold messages whose genre is not `ad` (news, warnings, testimonies…), how
    /// many were put in a risk category: (flagged, of them); `None` as above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_ads_flagged_as_risk: Option<(usize, usize)>,
}

const CATEGORY_IDS: [&str; 7] = [
    "military_contract",
    "pmc",
    "disguised_military",
    "frontline_labour",
    "occupied_reconstruction",
    "job_other",
    "other",
];

/// `prf` of `score.py`, with its edge cases.
fn prf(tp: usize, fp: usize, fn_: usize) -> Prf {
    let (tp, fp, fn_) = (tp as f64, fp as f64, fn_ as f64);
    let precision = if tp + fp > 0.0 {
        tp / (tp + fp)
    } else if fn_ == 0.0 {
        1.0
    } else {
        0.0
    };
    let recall = if tp + fn_ > 0.0 { tp / (tp + fn_) } else { 1.0 };
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    Prf {
        precision,
        recall,
        f1,
    }
}

/// Python's `str()` of a JSON value, for the cases labels and ids take.
fn py_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// Python's truthiness of a JSON value.
fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|x| x != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(Value::Bool(true)) => true,
    }
}

/// `num()` of `score.py`: `None`, the amount rounded to 2 decimals, or the value's text
/// when it is not a number. Rounded amounts are compared by their 2-decimal rendering,
/// which is what Python's `round(x, 2)` yields.
fn amount_key(v: Option<&Value>) -> String {
    let as_float = match v {
        None | Some(Value::Null) => return "none".to_owned(),
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::Bool(b)) => Some(if *b { 1.0 } else { 0.0 }),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match (as_float, v) {
        (Some(x), _) => format!("n:{x:.2}"),
        (None, Some(other)) => format!("s:{}", py_str(other)),
        (None, None) => "none".to_owned(),
    }
}

fn money_keys(items: Option<&Vec<Value>>) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for m in items.into_iter().flatten() {
        if let Value::Object(o) = m {
            let currency = match o.get("currency") {
                Some(c) if truthy(Some(c)) => py_str(c).to_uppercase(),
                _ => String::new(),
            };
            keys.insert(format!(
                "{}|{}|{}",
                amount_key(o.get("min")),
                amount_key(o.get("max")),
                currency
            ));
        }
    }
    keys
}

fn string_set(items: Option<&Vec<Value>>) -> BTreeSet<String> {
    items.into_iter().flatten().map(py_str).collect()
}

struct FactSets {
    sets: [BTreeSet<String>; 5],
    occupied: bool,
}

fn gold_facts(g: &GoldRecord) -> FactSets {
    FactSets {
        sets: [
            money_keys(g.money.as_ref()),
            string_set(g.places.as_ref()),
            string_set(g.phones.as_ref()),
            string_set(g.orgs.as_ref()),
            string_set(g.promises.as_ref()),
        ],
        occupied: truthy(g.occupied.as_ref()),
    }
}

fn predicted_facts(p: Option<&Prediction>) -> FactSets {
    let f = p.and_then(|p| p.facts.as_ref());
    let mut places = BTreeSet::new();
    let mut occupied = false;
    for pl in f.and_then(|f| f.places.as_ref()).into_iter().flatten() {
        match pl {
            Value::Object(o) => {
                places.insert(py_str(o.get("id").unwrap_or(&Value::Null)));
                occupied = occupied || truthy(o.get("occupied"));
            }
            other => {
                places.insert(py_str(other));
            }
        }
    }
    FactSets {
        sets: [
            money_keys(f.and_then(|f| f.money.as_ref())),
            places,
            string_set(f.and_then(|f| f.phones.as_ref())),
            string_set(f.and_then(|f| f.orgs.as_ref())),
            string_set(f.and_then(|f| f.promises.as_ref())),
        ],
        occupied,
    }
}

/// Scores `predictions` (keyed by id) against `gold`, as `score.py` does.
pub fn score(gold: &[GoldRecord], predictions: &HashMap<String, Prediction>) -> Scores {
    // A gold file is a dict in score.py: the last record of an id wins, at its first place.
    let mut order: Vec<&str> = Vec::new();
    let mut by_id: HashMap<&str, &GoldRecord> = HashMap::new();
    for g in gold {
        if by_id.insert(g.id.as_str(), g).is_none() {
            order.push(g.id.as_str());
        }
    }
    let mut conf: BTreeMap<(String, String), usize> = BTreeMap::new();
    let (mut lang_ok, mut occ_ok, mut missing) = (0usize, 0usize, 0usize);
    let mut risk = [0usize; 3];
    let mut facts = [[0usize; 3]; 5];
    let is_risk = |c: &str| CATEGORY_IDS[..5].contains(&c);
    let (mut genre_ok, mut genre_n, mut non_ads, mut non_ads_flagged) = (0usize, 0, 0, 0);
    for id in &order {
        let Some(g) = by_id.get(id) else { continue };
        let p = predictions.get(*id);
        if p.is_none() {
            missing += 1;
        }
        let gc = g.label.clone();
        let pc = match p.and_then(|p| p.category.as_ref()) {
            None => "<missing>".to_owned(),
            Some(v) => py_str(v),
        };
        let lang_pred = p.and_then(|p| p.lang.as_ref());
        if lang_pred == g.lang.as_ref() {
            lang_ok += 1;
        }
        let (gr, pr) = (is_risk(&gc), is_risk(&pc));
        if let Some(genre) = &g.genre {
            genre_n += 1;
            let predicted = p.and_then(|p| p.genre.as_ref()).map(py_str);
            genre_ok += usize::from(predicted.as_deref() == Some(genre.as_str()));
            if genre != "ad" {
                non_ads += 1;
                non_ads_flagged += usize::from(pr);
            }
        }
        risk[0] += usize::from(gr && pr);
        risk[1] += usize::from(pr && !gr);
        risk[2] += usize::from(gr && !pr);
        *conf.entry((gc, pc)).or_default() += 1;
        let (gf, pf) = (gold_facts(g), predicted_facts(p));
        occ_ok += usize::from(gf.occupied == pf.occupied);
        for (k, counts) in facts.iter_mut().enumerate() {
            let tp = gf.sets[k].intersection(&pf.sets[k]).count();
            counts[0] += tp;
            counts[1] += pf.sets[k].len() - tp;
            counts[2] += gf.sets[k].len() - tp;
        }
    }
    let n = order.len();
    let mut per_class = BTreeMap::new();
    let mut present_f1 = Vec::new();
    for c in CATEGORY_IDS {
        let tp = conf
            .get(&(c.to_owned(), c.to_owned()))
            .copied()
            .unwrap_or(0);
        let fp: usize = conf
            .iter()
            .filter(|((g, p), _)| p == c && g != c)
            .map(|(_, v)| v)
            .sum();
        let fn_: usize = conf
            .iter()
            .filter(|((g, p), _)| g == c && p != c)
            .map(|(_, v)| v)
            .sum();
        let support = tp + fn_;
        if support > 0 || fp > 0 {
            let m = prf(tp, fp, fn_);
            per_class.insert(
                c.to_owned(),
                ClassScores {
                    precision: m.precision,
                    recall: m.recall,
                    f1: m.f1,
                    support,
                },
            );
            if support > 0 {
                present_f1.push(m.f1);
            }
        }
    }
    let correct: usize = CATEGORY_IDS
        .iter()
        .map(|c| {
            conf.get(&((*c).to_owned(), (*c).to_owned()))
                .copied()
                .unwrap_or(0)
        })
        .sum();
    let ratio = |x: usize| if n > 0 { x as f64 / n as f64 } else { 0.0 };
    let fact = |k: usize| prf(facts[k][0], facts[k][1], facts[k][2]);
    Scores {
        n,
        missing_predictions: missing,
        accuracy: ratio(correct),
        macro_f1: if present_f1.is_empty() {
            0.0
        } else {
            present_f1.iter().sum::<f64>() / present_f1.len() as f64
        },
        risk: prf(risk[0], risk[1], risk[2]),
        per_class,
        lang_accuracy: ratio(lang_ok),
        occupied_accuracy: ratio(occ_ok),
        facts: FactScores {
            money: fact(0),
            places: fact(1),
            phones: fact(2),
            orgs: fact(3),
            promises: fact(4),
        },
        confusions: conf
            .into_iter()
            .filter(|((g, p), _)| g != p)
            .map(|((g, p), v)| (format!("{g} -> {p}"), v))
            .collect(),
        genre_accuracy: (genre_n > 0).then(|| genre_ok as f64 / genre_n as f64),
        non_ads_flagged_as_risk: (genre_n > 0).then_some((non_ads_flagged, non_ads)),
    }
}

/// Reads a JSONL file's text into gold records, as `score.py` loads it: blank lines
/// skipped, errors named by 1-based line number.
pub fn parse_gold(text: &str) -> Result<Vec<GoldRecord>, String> {
    parse_lines(text)
}

/// Reads a JSONL prediction file's text into a map keyed by id (a later line for the same
/// id replaces an earlier one).
pub fn parse_predictions(text: &str) -> Result<HashMap<String, Prediction>, String> {
    let lines: Vec<Prediction> = parse_lines(text)?;
    let mut map = HashMap::new();
    for (n, p) in lines.into_iter().enumerate() {
        let Some(id) = p.id.clone() else {
            return Err(format!("prediction {}: no id", n + 1));
        };
        map.insert(id, p);
    }
    Ok(map)
}

fn parse_lines<T: for<'de> Deserialize<'de>>(text: &str) -> Result<Vec<T>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let value: T = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
        out.push(value);
    }
    Ok(out)
}

impl fmt::Display for Scores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "messages {}  missing predictions {}",
            self.n, self.missing_predictions
        )?;
        writeln!(
            f,
            "category accuracy {:.3}  macro-F1 {:.3}",
            self.accuracy, self.macro_f1
        )?;
        let r = self.risk;
        writeln!(
            f,
            "risk-vs-not  P {:.3}  R {:.3}  F1 {:.3}",
            r.precision, r.recall, r.f1
        )?;
        for c in Category::ALL {
            if let Some(m) = self.per_class.get(c.as_str()) {
                writeln!(
                    f,
                    "  {:<24} P {:.3}  R {:.3}  F1 {:.3}  n={}",
                    c.as_str(),
                    m.precision,
                    m.recall,
                    m.f1,
                    m.support
                )?;
            }
        }
        writeln!(
            f,
            "lang accuracy {:.3}  occupied accuracy {:.3}",
            self.lang_accuracy, self.occupied_accuracy
        )?;
        if let Some(genre) = self.genre_accuracy {
            let (flagged, of) = self.non_ads_flagged_as_risk.unwrap_or_default();
            let share = if of > 0 {
                flagged as f64 / of as f64
            } else {
                0.0
            };
            writeln!(
                f,
                "genre accuracy {genre:.3}  non-ads (news, warnings, testimonies…) flagged as a risk ad {flagged}/{of} ({:.1}%)",
                100.0 * share
            )?;
        }
        let facts = [
            ("money", self.facts.money),
            ("places", self.facts.places),
            ("phones", self.facts.phones),
            ("orgs", self.facts.orgs),
            ("promises", self.facts.promises),
        ];
        for (k, m) in facts {
            writeln!(
                f,
                "  {k:<9} P {:.3}  R {:.3}  F1 {:.3}",
                m.precision, m.recall, m.f1
            )?;
        }
        if !self.confusions.is_empty() {
            let list: Vec<String> = self
                .confusions
                .iter()
                .map(|(k, v)| format!("{k} ({v})"))
                .collect();
            writeln!(f, "confusions: {}", list.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOLD: &str = include_str!("../tests/data/metrics_gold.jsonl");
    const PRED: &str = include_str!("../tests/data/metrics_pred.jsonl");
    /// `python3 score.py metrics_gold.jsonl metrics_pred.jsonl --json`
    const EXPECTED_JSON: &str = include_str!("../tests/data/metrics_expected.json");
    /// `python3 score.py metrics_gold.jsonl metrics_pred.jsonl`
    const EXPECTED_TABLE: &str = include_str!("../tests/data/metrics_expected.txt");

    fn scores() -> Scores {
        let gold = parse_gold(GOLD).expect("gold parses");
        let pred = parse_predictions(PRED).expect("predictions parse");
        score(&gold, &pred)
    }

    fn assert_close(got: &Value, want: &Value, path: &str) {
        match (got, want) {
            (Value::Object(a), Value::Object(b)) => {
                let ka: BTreeSet<&String> = a.keys().collect();
                let kb: BTreeSet<&String> = b.keys().collect();
                assert_eq!(ka, kb, "keys at {path}");
                for (k, v) in b {
                    assert_close(&a[k], v, &format!("{path}.{k}"));
                }
            }
            (Value::Number(a), Value::Number(b)) => {
                let (a, b) = (
                    a.as_f64().unwrap_or(f64::NAN),
                    b.as_f64().unwrap_or(f64::NAN),
                );
                assert!((a - b).abs() < 1e-12, "{path}: {a} != {b}");
            }
            _ => assert_eq!(got, want, "at {path}"),
        }
    }

    #[test]
    fn json_matches_score_py() {
        let got = serde_json::to_value(scores()).expect("serialises");
        let want: Value = serde_json::from_str(EXPECTED_JSON).expect("expected JSON");
        assert_close(&got, &want, "$");
    }

    #[test]
    fn table_matches_score_py() {
        assert_eq!(scores().to_string(), EXPECTED_TABLE);
    }

    #[test]
    fn prf_edge_cases() {
        assert_eq!(
            prf(0, 0, 0),
            Prf {
                precision: 1.0,
                recall: 1.0,
                f1: 1.0
            }
        );
        assert_eq!(
            prf(0, 0, 2),
            Prf {
                precision: 0.0,
                recall: 0.0,
                f1: 0.0
            }
        );
        assert_eq!(prf(0, 3, 0).precision, 0.0);
        assert_eq!(prf(0, 3, 0).recall, 1.0);
    }

    #[test]
    fn money_keys_round_and_upper_case() {
        let items = vec![
            serde_json::json!({"min": 100000, "max": null, "currency": "rub"}),
            serde_json::json!({"min": 100000.001, "max": null, "currency": "RUB"}),
            serde_json::json!({"min": "100000", "max": null, "currency": "RUB"}),
        ];
        assert_eq!(money_keys(Some(&items)).len(), 1);
    }

    #[test]
    fn empty_gold_scores_zero() {
        let s = score(&[], &HashMap::new());
        assert_eq!((s.n, s.accuracy, s.macro_f1), (0, 0.0, 0.0));
    }
}

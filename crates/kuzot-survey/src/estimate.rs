//! Estimates that tell the truth: every percentage with its base and a 95% interval.
//!
//! **Frequency tables.** The base is the respondents who answered the question, "don't
//! know" and refusals included; those are their own rows (found by their codes, see
//! [`special_row_kind`]), and the respondents without an answer are a "missing" row outside
//! the base. A select_multiple question gives, for each choice, the share of respondents
//! who chose it (the shares add up to more than 100%) and, separately, its mentions and
//! their share of all mentions. Questions that are not selects get one row per distinct
//! value. Questions inside repeats are not tabulated (their unit is the repeat instance).
//!
//! **Intervals**: see [`crate::intervals`] (Wilson, or Clopper–Pearson for small counts).
//! A share from fewer than [`SMALL_BASE`] answers is marked.
//!
//! **Weights.** With a weight question, each respondent counts with their weight (a
//! respondent without a positive weight is left out and counted in `unweighted_out`).
//! The share is Σw·y / Σw, and its interval is computed as if from the Kish effective
//! sample size n_eff = (Σw)² / Σw² with x = share × n_eff, so the interval widens as the
//! weights vary. The base shown stays the unweighted count of answers (plus n_eff); the
//! small-base mark uses the unweighted count. Cross-tab tests on weighted data use the
//! weighted counts rescaled to sum to n_eff (one design effect for every cell: a first-order
//! correction, not a full Rao–Scott test), with the asymptotic chi-square only.
//!
//! **Publication output** suppresses every count below [`SUPPRESS_BELOW`] (and its share
//! and interval); where exactly one cell of a single-choice table would be suppressed, the
//! next smallest is suppressed too, so the hidden one cannot be recovered from the base. In
//! a cross-tab the same is done along every row (whose cells add up to its total) and every
//! column (whose cells add up to its base), repeated until no sum shown reveals a hidden
//! cell on its own. (Zero cells are shown.)

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::association::{TestResult, test_association};
use crate::intervals::{Interval, proportion_interval};
use crate::responses::{Answer, Response};
use crate::xlsform::{Form, Question, QuestionKind};

/// Shares from fewer answers than this are marked.
pub const SMALL_BASE: u64 = 30;

/// In publication output, counts below this are suppressed.
pub const SUPPRESS_BELOW: u64 = 5;

/// How to tabulate.
#[derive(Debug, Clone, Default)]
pub struct TableOptions {
    /// The language of labels (a code of the form's languages); the plain label otherwise.
    pub language: Option<String>,
    /// A question (path or name) whose numeric answer is each respondent's weight.
    pub weight: Option<String>,
    /// Suppress small cells for publication.
    pub publication: bool,
}

/// What a row of a table stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// A choice of the list.
    Choice,
    /// A distinct value of a question that is not a select.
    Value,
    /// "Don't know": in the base, shown apart.
    DontKnow,
    /// Refused / prefer not to say: in the base, shown apart.
    Refused,
    /// No answer: outside the base.
    Missing,
}

/// The kind of a choice by its code: "don't know" and refusal codes as forms commonly
/// name them (`dk`, `dont_know`, `do_not_know`, `refused`, `prefer_not_to_say`, …).
pub fn special_row_kind(code: &str) -> RowKind {
    let code = code.to_ascii_lowercase().replace('-', "_");
    match code.as_str() {
        "dk" | "dont_know" | "don_t_know" | "do_not_know" | "dontknow" | "not_known" => {
            RowKind::DontKnow
        }
        "refused"
        | "refuse"
        | "refusal"
        | "prefer_not"
        | "prefer_not_to_say"
        | "prefer_not_to_answer"
        | "no_answer"
        | "declined" => RowKind::Refused,
        _ => RowKind::Choice,
    }
}

/// Why a table could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EstimateError {
    /// No question has that path or name.
    #[error("the form has no question {0:?}")]
    UnknownQuestion(String),
    /// Notes hold no answers.
    #[error("{0:?} is a note: it holds no answers")]
    NoAnswers(String),
    /// Repeat questions are per instance, not per respondent.
    #[error("{0:?} is inside a repeat group: tables over repeat instances are not supported")]
    InRepeat(String),
    /// The cross-tab's column question must have one answer per respondent.
    #[error("{0:?} is a select_multiple question: cross-tabulate by a single-answer question")]
    MultipleBy(String),
}

/// One count with its share and interval (all `None` when suppressed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Respondents (unweighted).
    pub count: Option<u64>,
    /// Weighted count, when weighted.
    pub weighted_count: Option<f64>,
    /// Share of the base, 0…1 (`None` for the missing row and suppressed cells).
    pub share: Option<f64>,
    /// 95% interval of the share.
    pub interval: Option<Interval>,
    /// The base has fewer than [`SMALL_BASE`] answers.
    pub small_base: bool,
    /// Hidden for publication.
    pub suppressed: bool,
}

/// The base of a share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Base {
    /// Respondents who answered (unweighted), "don't know" and refusals included.
    pub answered: u64,
    /// Respondents without an answer.
    pub missing: u64,
    /// Σ weights of those who answered, when weighted.
    pub weighted: Option<f64>,
    /// Kish effective sample size, when weighted.
    pub effective_n: Option<f64>,
}

/// One row of a frequency table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrequencyRow {
    /// The code (choice name or value); `None` for the missing row.
    pub code: Option<String>,
    /// The label in the chosen language.
    pub label: String,
    /// What the row stands for.
    pub kind: RowKind,
    /// Count, share of respondents and interval.
    pub cell: Cell,
    /// select_multiple: this choice's mentions as a share of all mentions.
    pub share_of_mentions: Option<f64>,
}

/// A question's frequency table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrequencyTable {
    /// The question's path.
    pub question: String,
    /// Its label.
    pub label: String,
    /// select_multiple: shares are of respondents and add up to more than 1.
    pub multiple: bool,
    /// The base.
    pub base: Base,
    /// Rows: choices in list order (or values in order), then "don't know", refusals, missing.
    pub rows: Vec<FrequencyRow>,
    /// select_multiple: all mentions.
    pub mentions: Option<u64>,
    /// Respondents left out for lack of a positive weight.
    pub unweighted_out: u64,
}

/// A cross-tabulation: the question's categories as rows, the `by` question's as columns,
/// shares within each column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossTab {
    /// The row question.
    pub question: String,
    /// Its label.
    pub label: String,
    /// The column question.
    pub by: String,
    /// Its label.
    pub by_label: String,
    /// select_multiple rows: shares of each column's respondents, adding up to more than 1.
    pub multiple: bool,
    /// Column categories (codes and labels).
    pub columns: Vec<Category>,
    /// Each column's base (respondents who answered both questions).
    pub column_bases: Vec<Base>,
    /// Rows with one cell per column, then the total column.
    pub rows: Vec<CrossRow>,
    /// The test of association over substantive categories (no test for select_multiple
    /// rows, whose choices are not exclusive).
    pub test: Option<TestResult>,
    /// Respondents without an answer to one of the two questions.
    pub excluded: u64,
    /// Respondents left out for lack of a positive weight.
    pub unweighted_out: u64,
}

/// A category of a cross-tab's column question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// Code.
    pub code: String,
    /// Label.
    pub label: String,
    /// Choice, value, "don't know" or refused.
    pub kind: RowKind,
}

/// One row of a cross-tab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossRow {
    /// Code.
    pub code: String,
    /// Label.
    pub label: String,
    /// What the row stands for.
    pub kind: RowKind,
    /// One cell per column.
    pub cells: Vec<Cell>,
    /// All columns together.
    pub total: Cell,
}

/// A question's answers reduced to category indexes per respondent.
struct Coded {
    categories: Vec<Category>,
    /// Per respondent: the categories they are in (empty = no answer).
    per_response: Vec<Vec<usize>>,
    multiple: bool,
}

fn find_question<'f>(form: &'f Form, path: &str) -> Result<&'f Question, EstimateError> {
    let question = form
        .question(path)
        .ok_or_else(|| EstimateError::UnknownQuestion(path.to_owned()))?;
    if question.kind.holds_no_answer() {
        return Err(EstimateError::NoAnswers(question.path.clone()));
    }
    if question.repeat.is_some() {
        return Err(EstimateError::InRepeat(question.path.clone()));
    }
    Ok(question)
}

fn label_of(question: &Question, language: Option<&str>) -> String {
    question
        .labels
        .get(language)
        .unwrap_or(&question.name)
        .to_owned()
}

/// Sort key for distinct values: numbers numerically, then text.
fn value_order(text: &str) -> (u8, f64, String) {
    match text.parse::<f64>() {
        Ok(number) if number.is_finite() => (0, number, String::new()),
        _ => (1, 0.0, text.to_owned()),
    }
}

fn code_answers(
    form: &Form,
    question: &Question,
    responses: &[Response],
    language: Option<&str>,
) -> Coded {
    let choices = form.choices_of(question);
    let multiple = matches!(question.kind, QuestionKind::SelectMultiple(_));
    if !choices.is_empty() {
        let index: BTreeMap<&str, usize> = choices
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.as_str(), i))
            .collect();
        let categories = choices
            .iter()
            .map(|c| Category {
                code: c.name.clone(),
                label: c.labels.get(language).unwrap_or(&c.name).to_owned(),
                kind: special_row_kind(&c.name),
            })
            .collect();
        let per_response = responses
            .iter()
            .map(|r| match r.answers.get(&question.path) {
                Some(Answer::Choice(code)) => index
                    .get(code.as_str())
                    .map(|&i| vec![i])
                    .unwrap_or_default(),
                Some(Answer::Choices(codes)) => codes
                    .iter()
                    .filter_map(|c| index.get(c.as_str()).copied())
                    .collect(),
                _ => Vec::new(),
            })
            .collect();
        // An answered select_multiple with no choice is still an answer: mark it with an
        // empty set that is told apart from "no answer" below.
        return Coded {
            categories,
            per_response,
            multiple,
        };
    }
    let texts: Vec<Option<String>> = responses
        .iter()
        .map(|r| r.answers.get(&question.path).map(Answer::as_text))
        .collect();
    let mut distinct: Vec<&String> = texts
        .iter()
        .flatten()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    distinct.sort_by(|a, b| {
        let (ka, kb) = (value_order(a), value_order(b));
        ka.0.cmp(&kb.0)
            .then(ka.1.total_cmp(&kb.1))
            .then(ka.2.cmp(&kb.2))
    });
    let index: BTreeMap<&str, usize> = distinct
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i))
        .collect();
    let categories = distinct
        .iter()
        .map(|t| Category {
            code: (*t).clone(),
            label: (*t).clone(),
            kind: RowKind::Value,
        })
        .collect();
    let per_response = texts
        .iter()
        .map(|t| {
            t.as_deref()
                .and_then(|t| index.get(t))
                .map(|&i| vec![i])
                .unwrap_or_default()
        })
        .collect();
    Coded {
        categories,
        per_response,
        multiple: false,
    }
}

/// Whether respondent `i` answered the question (a select_multiple answered with no
/// choice counts as answered).
fn answered(question: &Question, response: &Response) -> bool {
    response.answers.contains_key(&question.path)
}

/// Each respondent's weight: 1 without a weight question; `None` when the weight is
/// missing, not a number or not positive.
fn weights(
    form: &Form,
    weight: Option<&str>,
    responses: &[Response],
) -> Result<Vec<Option<f64>>, EstimateError> {
    let Some(weight) = weight else {
        return Ok(vec![Some(1.0); responses.len()]);
    };
    let question = find_question(form, weight)?;
    Ok(responses
        .iter()
        .map(|r| {
            let value = match r.answers.get(&question.path)? {
                Answer::Integer(i) => *i as f64,
                Answer::Decimal(d) => *d,
                other => other.as_text().trim().parse::<f64>().ok()?,
            };
            (value.is_finite() && value > 0.0).then_some(value)
        })
        .collect())
}

/// Accumulates weights for a share.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    count: u64,
    weight: f64,
    weight_squared: f64,
}

impl Sums {
    fn add(&mut self, w: f64) {
        self.count += 1;
        self.weight += w;
        self.weight_squared += w * w;
    }
}

fn base_of(answered: Sums, missing: u64, weighted: bool) -> Base {
    Base {
        answered: answered.count,
        missing,
        weighted: weighted.then_some(answered.weight),
        effective_n: (weighted && answered.weight_squared > 0.0)
            .then(|| answered.weight * answered.weight / answered.weight_squared),
    }
}

/// A cell: `part` of `base`.
fn cell(part: Sums, base: Sums, weighted: bool) -> Cell {
    let (share, interval) = if base.count == 0 {
        (None, None)
    } else if weighted {
        let share = part.weight / base.weight;
        let effective_n = base.weight * base.weight / base.weight_squared;
        (
            Some(share),
            proportion_interval(share * effective_n, effective_n),
        )
    } else {
        (
            Some(part.count as f64 / base.count as f64),
            proportion_interval(part.count as f64, base.count as f64),
        )
    };
    Cell {
        count: Some(part.count),
        weighted_count: weighted.then_some(part.weight),
        share,
        interval,
        small_base: base.count < SMALL_BASE,
        suppressed: false,
    }
}

fn suppress(cell: &mut Cell) {
    cell.count = None;
    cell.weighted_count = None;
    cell.share = None;
    cell.interval = None;
    cell.suppressed = true;
}

/// Primary suppression of counts in 1…[`SUPPRESS_BELOW`]−1 and, when `additive` and exactly
/// one cell was suppressed, the next smallest non-zero one.
fn suppress_small(cells: &mut [&mut Cell], additive: bool) {
    let mut suppressed = 0;
    for cell in cells.iter_mut() {
        if matches!(cell.count, Some(c) if c > 0 && c < SUPPRESS_BELOW) {
            suppress(cell);
            suppressed += 1;
        }
    }
    if additive && suppressed == 1 {
        let next = cells
            .iter_mut()
            .filter(|c| matches!(c.count, Some(n) if n > 0))
            .min_by_key(|c| c.count.unwrap_or(u64::MAX));
        if let Some(cell) = next {
            suppress(cell);
        }
    }
}

/// Suppresses one more cell (the smallest non-zero one left) in a group of cells whose sum
/// is shown, when exactly one of them is suppressed. Returns whether it did.
fn protect_complement(group: &mut [&mut Cell]) -> bool {
    if group.iter().filter(|c| c.suppressed).count() != 1 {
        return false;
    }
    let next = group
        .iter_mut()
        .filter(|c| matches!(c.count, Some(n) if n > 0))
        .min_by_key(|c| c.count.unwrap_or(u64::MAX));
    match next {
        Some(cell) => {
            suppress(cell);
            true
        }
        None => false,
    }
}

/// Publication suppression of a cross-tab: counts under [`SUPPRESS_BELOW`], then, until
/// no sum shown gives one of them away, a second cell in every row (its cells add up to
/// the row's total) and, when the rows are exclusive, in every column (its cells add up
/// to the column's base) that has exactly one suppressed.
fn suppress_cross_tab(rows: &mut [CrossRow], columns_add_up: bool) {
    for row in rows.iter_mut() {
        for cell in row.cells.iter_mut().chain(std::iter::once(&mut row.total)) {
            if matches!(cell.count, Some(n) if n > 0 && n < SUPPRESS_BELOW) {
                suppress(cell);
            }
        }
    }
    let width = rows.first().map_or(0, |r| r.cells.len());
    loop {
        let mut changed = false;
        if columns_add_up {
            // The total column is one more column: its cells add up to the total base.
            for j in 0..=width {
                let mut column: Vec<&mut Cell> = rows
                    .iter_mut()
                    .map(|r| {
                        if j < width {
                            &mut r.cells[j]
                        } else {
                            &mut r.total
                        }
                    })
                    .collect();
                changed |= protect_complement(&mut column);
            }
        }
        for row in rows.iter_mut() {
            let CrossRow { cells, total, .. } = row;
            let mut group: Vec<&mut Cell> =
                cells.iter_mut().chain(std::iter::once(total)).collect();
            changed |= protect_complement(&mut group);
        }
        if !changed {
            break;
        }
    }
}

/// The frequency table of one question.
pub fn frequency_table(
    form: &Form,
    responses: &[Response],
    question: &str,
    options: &TableOptions,
) -> Result<FrequencyTable, EstimateError> {
    let question = find_question(form, question)?;
    let language = options.language.as_deref();
    let weights = weights(form, options.weight.as_deref(), responses)?;
    let weighted = options.weight.is_some();
    let coded = code_answers(form, question, responses, language);
    let mut per_category = vec![Sums::default(); coded.categories.len()];
    let mut base = Sums::default();
    let mut missing = 0u64;
    let mut mentions = 0u64;
    let mut mention_counts = vec![0u64; coded.categories.len()];
    let mut unweighted_out = 0u64;
    for ((response, categories), weight) in responses.iter().zip(&coded.per_response).zip(&weights)
    {
        let Some(w) = *weight else {
            unweighted_out += 1;
            continue;
        };
        if !answered(question, response) {
            missing += 1;
            continue;
        }
        base.add(w);
        for &c in categories {
            per_category[c].add(w);
            mentions += 1;
            mention_counts[c] += 1;
        }
    }
    let mut rows: Vec<FrequencyRow> = Vec::new();
    // Substantive rows first, then "don't know", then refusals.
    for kind in [
        RowKind::Choice,
        RowKind::Value,
        RowKind::DontKnow,
        RowKind::Refused,
    ] {
        for (c, category) in coded.categories.iter().enumerate() {
            if category.kind != kind {
                continue;
            }
            rows.push(FrequencyRow {
                code: Some(category.code.clone()),
                label: category.label.clone(),
                kind,
                cell: cell(per_category[c], base, weighted),
                share_of_mentions: (coded.multiple && mentions > 0)
                    .then(|| mention_counts[c] as f64 / mentions as f64),
            });
        }
    }
    rows.push(FrequencyRow {
        code: None,
        label: "(no answer)".to_owned(),
        kind: RowKind::Missing,
        cell: Cell {
            count: Some(missing),
            weighted_count: None,
            share: None,
            interval: None,
            small_base: false,
            suppressed: false,
        },
        share_of_mentions: None,
    });
    if options.publication {
        let mut cells: Vec<&mut Cell> = rows.iter_mut().map(|r| &mut r.cell).collect();
        suppress_small(&mut cells, !coded.multiple);
        for row in &mut rows {
            if row.cell.suppressed {
                row.share_of_mentions = None;
            }
        }
    }
    Ok(FrequencyTable {
        question: question.path.clone(),
        label: label_of(question, language),
        multiple: coded.multiple,
        base: base_of(base, missing, weighted),
        rows,
        mentions: coded.multiple.then_some(mentions),
        unweighted_out,
    })
}

/// The cross-tab of `question` (rows) by `by` (columns), with column shares, a test of
/// association and its effect size.
pub fn cross_tab(
    form: &Form,
    responses: &[Response],
    question: &str,
    by: &str,
    options: &TableOptions,
) -> Result<CrossTab, EstimateError> {
    let row_question = find_question(form, question)?;
    let column_question = find_question(form, by)?;
    if matches!(column_question.kind, QuestionKind::SelectMultiple(_)) {
        return Err(EstimateError::MultipleBy(column_question.path.clone()));
    }
    let language = options.language.as_deref();
    let weights = weights(form, options.weight.as_deref(), responses)?;
    let weighted = options.weight.is_some();
    let rows_coded = code_answers(form, row_question, responses, language);
    let columns_coded = code_answers(form, column_question, responses, language);
    let (r, c) = (rows_coded.categories.len(), columns_coded.categories.len());
    let mut counts = vec![vec![Sums::default(); c]; r];
    let mut row_totals = vec![Sums::default(); r];
    let mut column_bases = vec![Sums::default(); c];
    let mut total_base = Sums::default();
    let mut excluded = 0u64;
    let mut unweighted_out = 0u64;
    for (i, response) in responses.iter().enumerate() {
        let Some(w) = weights[i] else {
            unweighted_out += 1;
            continue;
        };
        let column = columns_coded.per_response[i].first().copied();
        let (Some(column), true) = (column, answered(row_question, response)) else {
            excluded += 1;
            continue;
        };
        column_bases[column].add(w);
        total_base.add(w);
        for &row in &rows_coded.per_response[i] {
            counts[row][column].add(w);
            row_totals[row].add(w);
        }
    }
    let row_categories = &rows_coded.categories;
    let row_order: Vec<usize> = [
        RowKind::Choice,
        RowKind::Value,
        RowKind::DontKnow,
        RowKind::Refused,
    ]
    .iter()
    .flat_map(|&kind| (0..r).filter(move |&i| row_categories[i].kind == kind))
    .collect();
    let mut rows: Vec<CrossRow> = row_order
        .iter()
        .map(|&i| CrossRow {
            code: rows_coded.categories[i].code.clone(),
            label: rows_coded.categories[i].label.clone(),
            kind: rows_coded.categories[i].kind,
            cells: (0..c)
                .map(|j| cell(counts[i][j], column_bases[j], weighted))
                .collect(),
            total: cell(row_totals[i], total_base, weighted),
        })
        .collect();
    let test = if rows_coded.multiple {
        None
    } else {
        let substantive = |kind: RowKind| matches!(kind, RowKind::Choice | RowKind::Value);
        let test_rows: Vec<usize> = (0..r)
            .filter(|&i| substantive(rows_coded.categories[i].kind))
            .collect();
        let test_columns: Vec<usize> = (0..c)
            .filter(|&j| substantive(columns_coded.categories[j].kind))
            .collect();
        // Weighted counts are rescaled to sum to the Kish effective n.
        let scale = if weighted && total_base.weight_squared > 0.0 {
            total_base.weight / total_base.weight_squared
        } else {
            1.0
        };
        let table: Vec<Vec<f64>> = test_rows
            .iter()
            .map(|&i| {
                test_columns
                    .iter()
                    .map(|&j| {
                        if weighted {
                            counts[i][j].weight * scale
                        } else {
                            counts[i][j].count as f64
                        }
                    })
                    .collect()
            })
            .collect();
        test_association(&table)
    };
    if options.publication {
        suppress_cross_tab(&mut rows, !rows_coded.multiple);
    }
    Ok(CrossTab {
        question: row_question.path.clone(),
        label: label_of(row_question, language),
        by: column_question.path.clone(),
        by_label: label_of(column_question, language),
        multiple: rows_coded.multiple,
        columns: columns_coded.categories,
        column_bases: column_bases
            .into_iter()
            .map(|b| base_of(b, 0, weighted))
            .collect(),
        rows,
        test,
        excluded,
        unweighted_out,
    })
}

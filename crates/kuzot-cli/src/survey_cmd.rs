//! `kuzot survey table FORM.xlsx DATA.csv|.xlsx QUESTION [--by QUESTION]`: a question's
//! frequency table (or cross-tab) straight from a questionnaire and an export, with bases,
//! 95% intervals and, for cross-tabs, the test of association. Nothing is stored yet.

use std::path::{Path, PathBuf};

use anyhow::Context;
use kuzot_survey::{
    Base, Cell, CrossTab, EffectSize, Form, FrequencyTable, ImportOptions, ImportProblem, RowKind,
    TableOptions, TestMethod, TestResult,
};

/// Problems printed in full before the rest are only counted.
const PROBLEMS_SHOWN: usize = 20;

/// `kuzot survey …`.
#[derive(Debug, clap::Subcommand)]
pub enum SurveyCommand {
    /// Print a question's table (counts, % with base and 95% interval), or a cross-tab
    /// with `--by`. Rows of the export that do not match the form are warned about on
    /// stderr (row, column, reason) and left out; the rest is counted.
    Table(TableArgs),
}

/// Arguments of `kuzot survey table`.
#[derive(Debug, clap::Args)]
pub struct TableArgs {
    /// The questionnaire (XLSForm .xlsx).
    form: PathBuf,
    /// The responses: a KoboToolbox or ODK Central export (.csv or .xlsx).
    data: PathBuf,
    /// The question to tabulate (its name, or group/name).
    question: String,
    /// Cross-tabulate by this question (columns), e.g. sex or region.
    #[arg(long, value_name = "QUESTION")]
    by: Option<String>,
    /// Labels in this language of the form (ky, ru, en); the plain label otherwise.
    #[arg(long, value_name = "LANG")]
    lang: Option<String>,
    /// Weight each respondent by this numeric question (e.g. a design weight).
    #[arg(long, value_name = "QUESTION")]
    weight: Option<String>,
    /// The question or column with the pseudonymous participant id.
    #[arg(long, value_name = "COLUMN")]
    participant: Option<String>,
    /// For publication: counts under 5 (and what would reveal them) are suppressed.
    #[arg(long)]
    publication: bool,
}

/// Runs `kuzot survey`; returns the exit code (1 when some of the export was left out).
pub fn run(command: SurveyCommand, json: bool) -> anyhow::Result<u8> {
    match command {
        SurveyCommand::Table(args) => table(args, json),
    }
}

/// An unknown question named with the ones the form has, so that a mistyped name can be
/// put right without opening the spreadsheet.
fn with_the_questions(form: &kuzot_survey::Form, e: kuzot_survey::EstimateError) -> anyhow::Error {
    if !matches!(e, kuzot_survey::EstimateError::UnknownQuestion(_)) {
        return e.into();
    }
    let names: Vec<&str> = form
        .questions
        .iter()
        .filter(|q| !q.kind.holds_no_answer() && q.repeat.is_none())
        .map(|q| q.path.as_str())
        .collect();
    anyhow::anyhow!("{e}; its questions: {}", names.join(", "))
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

fn table(args: TableArgs, json: bool) -> anyhow::Result<u8> {
    let form = Form::from_xlsx(&read(&args.form)?)
        .map_err(|errors| anyhow::anyhow!("{}: {errors}", args.form.display()))?;
    let file_name = args
        .data
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let import = kuzot_survey::import_file(
        &form,
        &file_name,
        &read(&args.data)?,
        &ImportOptions {
            participant_column: args.participant.clone(),
        },
    )
    .with_context(|| args.data.display().to_string())?;
    warn_problems(&import.problems);
    let options = TableOptions {
        language: args.lang.clone(),
        weight: args.weight.clone(),
        publication: args.publication,
    };
    match &args.by {
        None => {
            let table =
                kuzot_survey::frequency_table(&form, &import.responses, &args.question, &options)
                    .map_err(|e| with_the_questions(&form, e))?;
            if json {
                print_json(&table, &import.problems)?;
            } else {
                print!("{}", frequency_text(&table));
            }
        }
        Some(by) => {
            let table =
                kuzot_survey::cross_tab(&form, &import.responses, &args.question, by, &options)
                    .map_err(|e| with_the_questions(&form, e))?;
            if json {
                print_json(&table, &import.problems)?;
            } else {
                print!("{}", cross_tab_text(&table));
            }
        }
    }
    Ok(u8::from(!import.problems.is_empty()))
}

fn warn_problems(problems: &[ImportProblem]) {
    if problems.is_empty() {
        return;
    }
    eprintln!(
        "warning: {} part(s) of the export do not match the form and were left out:",
        problems.len()
    );
    for problem in problems.iter().take(PROBLEMS_SHOWN) {
        eprintln!("  {problem}");
    }
    if problems.len() > PROBLEMS_SHOWN {
        eprintln!("  … and {} more", problems.len() - PROBLEMS_SHOWN);
    }
}

fn print_json<T: serde::Serialize>(table: &T, problems: &[ImportProblem]) -> anyhow::Result<()> {
    let value = serde_json::json!({ "table": table, "import_problems": problems.len() });
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(())
}

fn percent(share: f64) -> String {
    format!("{:.1}", share * 100.0)
}

/// "n=65", with the effective n when weighted.
fn base_text(base: &Base) -> String {
    match base.effective_n {
        Some(effective) => format!("n={} (effective n={effective:.1})", base.answered),
        None => format!("n={}", base.answered),
    }
}

/// A cell as "35.4 [24.9–47.5]" (or "<5" when suppressed), with `*` for a small base.
fn cell_text(cell: &Cell) -> String {
    if cell.suppressed {
        return "<5".to_owned();
    }
    let mark = if cell.small_base { "*" } else { "" };
    match (cell.share, cell.interval) {
        (Some(share), Some(interval)) => format!(
            "{}{mark} [{}–{}]",
            percent(share),
            percent(interval.low),
            percent(interval.high)
        ),
        (Some(share), None) => format!("{}{mark}", percent(share)),
        _ => String::new(),
    }
}

fn count_text(cell: &Cell) -> String {
    match (cell.suppressed, cell.count, cell.weighted_count) {
        (true, _, _) => "<5".to_owned(),
        (false, Some(count), Some(weighted)) => format!("{count} ({weighted:.1})"),
        (false, Some(count), None) => count.to_string(),
        (false, None, _) => String::new(),
    }
}

/// The footnote naming the rows that are "don't know" or refusals (told by their codes).
fn special_rows_note<'a>(rows: impl Iterator<Item = (&'a str, RowKind)>) -> String {
    let (mut dont_know, mut refused) = (Vec::new(), Vec::new());
    for (label, kind) in rows {
        match kind {
            RowKind::DontKnow => dont_know.push(label),
            RowKind::Refused => refused.push(label),
            _ => {}
        }
    }
    let mut parts = Vec::new();
    if !dont_know.is_empty() {
        parts.push(format!("\"don't know\": {}", dont_know.join(", ")));
    }
    if !refused.is_empty() {
        parts.push(format!("refused: {}", refused.join(", ")));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(
            "{} (in the base; left out of tests of association).\n",
            parts.join("; ")
        )
    }
}

/// Lays out rows of cells in columns padded by characters (labels may be Cyrillic).
fn layout(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|t| t.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, text) in row.iter().enumerate() {
            let pad = widths[c].saturating_sub(text.chars().count());
            if c == 0 {
                line.push_str(text);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(text);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn interval_methods(cells: &[&Cell]) -> String {
    let mut methods: Vec<&str> = cells
        .iter()
        .filter_map(|c| c.interval.map(|i| i.method.short_name()))
        .collect();
    methods.sort_unstable();
    methods.dedup();
    methods.join(", ")
}

fn footnotes(cells: &[&Cell]) -> String {
    let mut notes = String::new();
    let methods = interval_methods(cells);
    if !methods.is_empty() {
        notes.push_str(&format!(
            "95% intervals: {methods} (exact = Clopper–Pearson, for bases under 30 or counts under 5).\n"
        ));
    }
    if cells.iter().any(|c| c.small_base && c.share.is_some()) {
        notes.push_str("* from fewer than 30 answers.\n");
    }
    if cells.iter().any(|c| c.suppressed) {
        notes.push_str("<5: suppressed for publication (with what would reveal it).\n");
    }
    notes
}

fn frequency_text(table: &FrequencyTable) -> String {
    let mut out = format!("{} ({})\n", table.label, table.question);
    out.push_str(&format!(
        "base: {} answered, {} without an answer",
        base_text(&table.base),
        table.base.missing
    ));
    if table.unweighted_out > 0 {
        out.push_str(&format!(", {} without a weight", table.unweighted_out));
    }
    out.push('\n');
    let mut rows = vec![vec![
        String::new(),
        "n".to_owned(),
        if table.multiple {
            "% of respondents [95% CI]"
        } else {
            "% [95% CI]"
        }
        .to_owned(),
    ]];
    if table.multiple {
        rows[0].push("% of mentions".to_owned());
    }
    for row in &table.rows {
        let mut line = vec![
            row.label.clone(),
            count_text(&row.cell),
            cell_text(&row.cell),
        ];
        if table.multiple {
            line.push(row.share_of_mentions.map(percent).unwrap_or_default());
        }
        rows.push(line);
    }
    out.push_str(&layout(&rows));
    if let Some(mentions) = table.mentions {
        out.push_str(&format!(
            "mentions: {mentions} (a respondent may choose several; % of respondents add up to more than 100)\n"
        ));
    }
    let cells: Vec<&Cell> = table.rows.iter().map(|r| &r.cell).collect();
    out.push_str(&footnotes(&cells));
    out.push_str(&special_rows_note(
        table.rows.iter().map(|r| (r.label.as_str(), r.kind)),
    ));
    out
}

fn test_text(test: &TestResult) -> String {
    let method = match test.method {
        TestMethod::ChiSquare => format!(
            "chi-square = {:.2}, df = {}, {}",
            test.chi_square,
            test.degrees_of_freedom,
            p_text(test.p_value)
        ),
        TestMethod::ChiSquareMonteCarlo => format!(
            "chi-square = {:.2}, Monte Carlo {} ({} random tables with the same margins; expected counts too small for the asymptotic test)",
            test.chi_square,
            p_text(test.p_value),
            test.replicates.unwrap_or_default()
        ),
        TestMethod::FisherExact => {
            format!("Fisher's exact test, two-sided {}", p_text(test.p_value))
        }
    };
    let effect = match test.effect {
        EffectSize::Phi(phi) => format!("phi = {phi:.3}"),
        EffectSize::CramersV(v) => format!("Cramér's V = {v:.3}"),
    };
    let mut text = format!("{method}; {effect}\n");
    if let Some(note) = &test.note {
        text.push_str(&format!("note: {note}\n"));
    }
    text
}

/// "p = 0.2397", or "p < 0.001".
fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".to_owned()
    } else {
        format!("p = {p:.4}")
    }
}

fn cross_tab_text(table: &CrossTab) -> String {
    let mut out = format!(
        "{} ({}) by {} ({})\n",
        table.label, table.question, table.by_label, table.by
    );
    out.push_str(&format!(
        "% of each column{} [95% CI]; left out: {} without an answer to one of the two\n",
        if table.multiple {
            "'s respondents (several answers possible)"
        } else {
            ""
        },
        table.excluded
    ));
    let mut header = vec![String::new()];
    header.extend(table.columns.iter().map(|c| c.label.clone()));
    header.push("all".to_owned());
    let mut bases = vec!["base".to_owned()];
    bases.extend(table.column_bases.iter().map(base_text));
    let total: u64 = table.column_bases.iter().map(|b| b.answered).sum();
    bases.push(format!("n={total}"));
    let mut rows = vec![header, bases];
    for row in &table.rows {
        let mut line = vec![row.label.clone()];
        line.extend(row.cells.iter().map(cell_text));
        line.push(cell_text(&row.total));
        rows.push(line);
    }
    out.push_str(&layout(&rows));
    match &table.test {
        Some(test) => {
            out.push_str(&test_text(test));
        }
        None if table.multiple => {
            out.push_str("no test: the choices of a select_multiple question are not exclusive\n")
        }
        None => out.push_str("no test: fewer than two categories with answers on one side\n"),
    }
    let cells: Vec<&Cell> = table
        .rows
        .iter()
        .flat_map(|r| r.cells.iter().chain(std::iter::once(&r.total)))
        .collect();
    out.push_str(&footnotes(&cells));
    out.push_str(&special_rows_note(
        table
            .rows
            .iter()
            .map(|r| (r.label.as_str(), r.kind))
            .chain(table.columns.iter().map(|c| (c.label.as_str(), c.kind))),
    ));
    out
}

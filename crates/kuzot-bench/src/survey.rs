//! The survey benchmark: a generated questionnaire of 200 questions (10 groups; selects,
//! multi-selects, integers, decimals, texts and dates) and a KoboToolbox-style CSV export
//! of its responses, then the time to import it (parse + match to the form) and to make
//! tables and cross-tabs over it. Deterministic from a seed; fictional.

use std::time::Instant;

use kuzot_survey::{Form, ImportOptions, Table, TableOptions, TableRow};

use crate::SplitMix;

/// Questions per group.
const GROUP_SIZE: usize = 20;
/// Choices of every select_one list.
const SINGLE_CHOICES: usize = 5;
/// Choices of every select_multiple list.
const MULTIPLE_CHOICES: usize = 8;

/// The kind of the generated question `i`.
fn kind_of(i: usize) -> &'static str {
    match i % 20 {
        0..=11 => "select_one single",
        12..=14 => "select_multiple multiple",
        15 | 16 => "integer",
        17 => "decimal",
        18 => "text",
        _ => "date",
    }
}

fn cells(texts: &[String]) -> Vec<String> {
    texts.to_vec()
}

/// The generated form (built as its sheets, as the XLSForm reader sees them).
pub fn generated_form(questions: usize) -> Form {
    let header: Vec<String> = [
        "type",
        "name",
        "label::English (en)",
        "label::Русский (ru)",
        "required",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let mut rows = Vec::new();
    let mut push = |texts: [String; 5]| {
        let number = rows.len() + 2;
        rows.push(TableRow {
            number,
            cells: cells(&texts),
        });
    };
    for i in 0..questions {
        if i % GROUP_SIZE == 0 {
            let g = i / GROUP_SIZE;
            push([
                "begin group".into(),
                format!("g{g}"),
                format!("Section {g}"),
                format!("Раздел {g}"),
                String::new(),
            ]);
        }
        push([
            kind_of(i).into(),
            format!("q{i}"),
            format!("Question {i}"),
            format!("Вопрос {i}"),
            if i % 4 == 0 {
                "yes".into()
            } else {
                String::new()
            },
        ]);
        if i % GROUP_SIZE == GROUP_SIZE - 1 || i + 1 == questions {
            push([
                "end group".into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
    }
    let survey = Table {
        name: "survey".into(),
        header,
        rows,
    };
    let mut choice_rows = Vec::new();
    for (list, count) in [("single", SINGLE_CHOICES), ("multiple", MULTIPLE_CHOICES)] {
        for c in 0..count {
            choice_rows.push(TableRow {
                number: choice_rows.len() + 2,
                cells: vec![
                    list.into(),
                    format!("c{c}"),
                    format!("Choice {c}"),
                    format!("Вариант {c}"),
                ],
            });
        }
    }
    choice_rows.push(TableRow {
        number: choice_rows.len() + 2,
        cells: vec![
            "single".into(),
            "dont_know".into(),
            "Don't know".into(),
            "Не знаю".into(),
        ],
    });
    let choices = Table {
        name: "choices".into(),
        header: vec![
            "list_name".into(),
            "name".into(),
            "label::English (en)".into(),
            "label::Русский (ru)".into(),
        ],
        rows: choice_rows,
    };
    // The generated sheets are well formed by construction.
    Form::from_tables(&[survey, choices]).unwrap_or_else(|e| panic!("generated form: {e}"))
}

/// A Kobo-style CSV export (`;`, `group/question` headers, codes space-separated) of
/// `responses` responses to the first `questions` questions of [`generated_form`].
pub fn generated_export(questions: usize, responses: usize, seed: u64) -> Vec<u8> {
    let mut rng = SplitMix::new(seed);
    let mut out = String::new();
    out.push_str("_uuid;_submission_time;_index");
    for i in 0..questions {
        out.push_str(&format!(";g{}/q{i}", i / GROUP_SIZE));
    }
    out.push('\n');
    for r in 0..responses {
        out.push_str(&format!(
            "{:016x}-{r};2026-02-01T10:00:00;{}",
            rng.next_u64(),
            r + 1
        ));
        for i in 0..questions {
            out.push(';');
            // About 5% of optional answers are left empty.
            if i % 4 != 0 && rng.below(20) == 0 {
                continue;
            }
            match kind_of(i) {
                "select_one single" => {
                    let c = rng.below(SINGLE_CHOICES as u64 + 1);
                    if c == SINGLE_CHOICES as u64 {
                        out.push_str("dont_know");
                    } else {
                        out.push_str(&format!("c{c}"));
                    }
                }
                "select_multiple multiple" => {
                    let mut chosen: Vec<String> = (0..MULTIPLE_CHOICES)
                        .filter(|_| rng.below(3) == 0)
                        .map(|c| format!("c{c}"))
                        .collect();
                    // An answer names at least one choice.
                    if chosen.is_empty() {
                        chosen.push(format!("c{}", rng.below(MULTIPLE_CHOICES as u64)));
                    }
                    out.push_str(&chosen.join(" "));
                }
                "integer" => out.push_str(&(18 + rng.below(50)).to_string()),
                "decimal" => out.push_str(&format!("{}.{}", rng.below(200), rng.below(10))),
                "text" => out.push_str(&format!("note {}", rng.below(1000))),
                _ => out.push_str(&format!("2026-01-{:02}", 1 + rng.below(28))),
            }
        }
        out.push('\n');
    }
    out.into_bytes()
}

/// The milliseconds of the fastest of `runs` runs of `f` (at least one) and its last result.
fn fastest_ms<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut timed = || {
        let started = Instant::now();
        let value = f();
        (started.elapsed().as_secs_f64() * 1000.0, value)
    };
    let (mut best, mut last) = timed();
    for _ in 1..runs {
        let (ms, value) = timed();
        best = best.min(ms);
        last = value;
    }
    (best, last)
}

/// Runs the benchmark and returns its figures as one JSON object.
pub fn run(questions: usize, responses: usize, seed: u64) -> anyhow::Result<serde_json::Value> {
    let form = generated_form(questions);
    let export = generated_export(questions, responses, seed);
    let started = Instant::now();
    let import =
        kuzot_survey::import_file(&form, "export.csv", &export, &ImportOptions::default())?;
    let import_s = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        import.responses.len() == responses,
        "{} responses imported",
        import.responses.len()
    );
    let required_missing = import.problems.len();
    let options = TableOptions::default();
    let data = &import.responses;
    let (single_ms, single) = fastest_ms(5, || {
        kuzot_survey::frequency_table(&form, data, "q1", &options)
    });
    let (multiple_ms, multiple) = fastest_ms(5, || {
        kuzot_survey::frequency_table(&form, data, "q12", &options)
    });
    let (cross_ms, cross) = fastest_ms(5, || {
        kuzot_survey::cross_tab(&form, data, "q1", "q2", &options)
    });
    let (cross_multiple_ms, _) = fastest_ms(5, || {
        kuzot_survey::cross_tab(&form, data, "q12", "q2", &options)
    });
    let weighted = TableOptions {
        weight: Some("q17".into()),
        ..TableOptions::default()
    };
    let (weighted_ms, _) = fastest_ms(5, || {
        kuzot_survey::cross_tab(&form, data, "q1", "q2", &weighted)
    });
    anyhow::ensure!(
        single?.base.answered > 0 && multiple?.multiple && cross?.test.is_some(),
        "tables"
    );
    Ok(serde_json::json!({
        "benchmark": "survey",
        "questions": questions,
        "responses": responses,
        "export_bytes": export.len(),
        "import_s": import_s,
        "import_problems": required_missing,
        "table_select_one_ms": single_ms,
        "table_select_multiple_ms": multiple_ms,
        "cross_tab_ms": cross_ms,
        "cross_tab_select_multiple_ms": cross_multiple_ms,
        "cross_tab_weighted_ms": weighted_ms,
        "threads": 1,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_export_matches_its_form() {
        let form = generated_form(45);
        assert_eq!(form.questions.len(), 45);
        assert_eq!(form.groups.len(), 3);
        let export = generated_export(45, 50, 3);
        let import = kuzot_survey::import_file(&form, "e.csv", &export, &ImportOptions::default())
            .expect("import");
        assert_eq!(import.problems, []);
        assert_eq!(import.responses.len(), 50);
        let figures = run(45, 50, 3).expect("run");
        assert_eq!(figures["responses"], 50);
    }
}

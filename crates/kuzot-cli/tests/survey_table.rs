//! `kuzot survey table` over the fictional example survey: a table, a cross-tab, JSON, and
//! an export with problems warned about on stderr.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn example(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../kuzot-survey/example-survey")
        .join(file)
}

fn kuzot(args: &[&str]) -> Output {
    let form = example("questionnaire.xlsx");
    let data = example("responses-kobo.csv");
    let dir = tempfile::tempdir().expect("temp dir");
    Command::new(env!("CARGO_BIN_EXE_kuzot"))
        .current_dir(dir.path())
        .args(["survey", "table"])
        .arg(&form)
        .arg(&data)
        .args(args)
        .output()
        .expect("run kuzot")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_table_in_kyrgyz_with_base_and_intervals() {
    let output = kuzot(&["offered_military", "--lang", "ky"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.contains("Сизге аскердик жумуш сунушталганбы?"),
        "{text}"
    );
    assert!(text.contains("base: n=65 answered"), "{text}");
    assert!(text.contains("\"don't know\": Билбейм"), "{text}");
    assert!(text.contains("95% intervals:"), "{text}");
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_cross_tab_in_json_has_every_number() {
    let output = kuzot(&["seen_channels", "--by", "sex", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("json");
    let table = &value["table"];
    assert_eq!(table["multiple"], true);
    assert_eq!(table["by"], "respondent/sex");
    let bases: u64 = table["column_bases"]
        .as_array()
        .expect("bases")
        .iter()
        .map(|b| b["answered"].as_u64().expect("n"))
        .sum();
    assert_eq!(bases, 65);
    let cell = &table["rows"][0]["cells"][0];
    assert!(
        cell["interval"]["low"].as_f64().expect("low") <= cell["share"].as_f64().expect("share")
    );
    assert_eq!(value["import_problems"], 0);
}

#[test]
fn a_cross_tab_as_text_names_its_test() {
    let output = kuzot(&["offered_military", "--by", "sex", "--lang", "en"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = stdout(&output);
    assert!(text.contains("by Sex (respondent/sex)"), "{text}");
    assert!(text.contains("p = ") || text.contains("p < "), "{text}");
    assert!(
        text.contains("phi = ") || text.contains("Cramér's V = "),
        "{text}"
    );
}

#[test]
fn export_problems_are_warned_about_with_row_column_and_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "_uuid;respondent/sex;respondent/region;extra\nx1;male;atlantis;1\nx2;female;osh;2\n",
    )
    .expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_kuzot"))
        .current_dir(dir.path())
        .args(["survey", "table"])
        .arg(example("questionnaire.xlsx"))
        .arg(&bad)
        .arg("region")
        .output()
        .expect("run kuzot");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("column \"extra\": the column is not in the form"),
        "{stderr}"
    );
    assert!(
        stderr.contains("row 2, column \"respondent/region\": \"atlantis\" is not a choice"),
        "{stderr}"
    );
    // The rest was counted: one region answer (osh) of two respondents.
    let text = stdout(&output);
    assert!(
        text.contains("base: n=1 answered, 1 without an answer"),
        "{text}"
    );
    // A question the form does not have is a usage error.
    let output = kuzot(&["no_such_question"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("the form has no question"), "{stderr}");
    // … and lists the ones it has, to put a mistyped name right.
    assert!(
        stderr.contains("; its questions: ") && stderr.contains("region"),
        "{stderr}"
    );
}

//! Bad forms and bad exports are reported with where and why, the rest is imported; repeat
//! groups from both services; a newer export merges by submission id; publication output.

use kuzot_survey::{
    Answer, Form, FormError, ImportOptions, ImportProblem, MergeSummary, SurveyData, Table,
    TableOptions, TableRow, frequency_table, import_file, import_tables,
};
use rust_xlsxwriter::Workbook;

/// A workbook from sheets of text rows (first row = header).
fn xlsx(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    for (name, rows) in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(*name).expect("sheet name");
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                if !text.is_empty() {
                    sheet.write_string(r as u32, c as u16, *text).expect("cell");
                }
            }
        }
    }
    workbook.save_to_buffer().expect("xlsx")
}

fn table(name: &str, rows: &[&[&str]]) -> Table {
    Table {
        name: name.to_owned(),
        header: rows[0].iter().map(|s| (*s).to_owned()).collect(),
        rows: rows[1..]
            .iter()
            .enumerate()
            .map(|(i, row)| TableRow {
                number: i + 2,
                cells: row.iter().map(|s| (*s).to_owned()).collect(),
            })
            .collect(),
    }
}

const CHOICES: &[&[&str]] = &[
    &["list_name", "name", "label::English (en)"],
    &["yn", "yes", "Yes"],
    &["yn", "no", "No"],
    &["yn", "dont_know", "Don't know"],
    &["media", "tg", "Telegram"],
    &["media", "wa", "WhatsApp"],
];

fn small_form() -> Form {
    let survey: &[&[&str]] = &[
        &["type", "name", "label::English (en)", "required"],
        &["begin group", "g", "Group", ""],
        &["select_one yn", "offered", "Offered?", "yes"],
        &["select_multiple media", "seen", "Seen where?", ""],
        &["end group", "", "", ""],
        &["integer", "age", "Age", ""],
        &["begin repeat", "offers", "Offers", ""],
        &["text", "employer", "Employer (type)", ""],
        &["end repeat", "", "", ""],
    ];
    Form::from_xlsx(&xlsx(&[("survey", survey), ("choices", CHOICES)])).expect("form")
}

#[test]
fn form_syntax_errors_name_sheet_row_and_reason() {
    let survey: &[&[&str]] = &[
        &["type", "name", "label"],
        &["select_one missing_list", "q1", "Q1"],
        &["integr", "q2", "Q2"],
        &["select_multiple", "q3", "Q3"],
        &["text", "2bad", "Q4"],
        &["begin group", "grp", "G"],
        &["end repeat", "", ""],
        &["text", "q1", "Again"],
        &["begin repeat", "never_closed", "R"],
    ];
    let errors = Form::from_xlsx(&xlsx(&[("survey", survey), ("choices", CHOICES)]))
        .expect_err("errors")
        .0;
    let at = |row: usize| -> Vec<&FormError> {
        errors
            .iter()
            .filter(|e| e.sheet == "survey" && e.row == row)
            .collect()
    };
    assert!(
        at(2)[0]
            .reason
            .contains("\"missing_list\" is not in the choices sheet"),
        "{errors:?}"
    );
    assert!(
        at(3)[0].reason.contains("unknown type \"integr\""),
        "{errors:?}"
    );
    assert!(
        at(4)[0].reason.contains("needs a choice list name"),
        "{errors:?}"
    );
    assert!(at(5)[0].reason.contains("not a valid name"), "{errors:?}");
    assert!(at(7)[0].reason.contains("closes \"grp\""), "{errors:?}");
    assert_eq!(
        at(8)[0].reason,
        "the name \"q1\" is used twice",
        "{errors:?}"
    );
    assert!(
        at(9)[0]
            .reason
            .contains("repeat \"never_closed\" is never ended"),
        "{errors:?}"
    );
    assert_eq!(errors.len(), 7, "{errors:?}");
    // Same name in another group is fine; twice at one path is not.
    let duplicate: &[&[&str]] = &[&["type", "name"], &["text", "a"], &["text", "a"]];
    let errors = Form::from_xlsx(&xlsx(&[("survey", duplicate)]))
        .expect_err("duplicate")
        .0;
    assert_eq!(
        (errors[0].row, errors[0].reason.as_str()),
        (3, "the name \"a\" is used twice")
    );
    // No survey sheet, and a file that is no workbook at all.
    let errors = Form::from_xlsx(&xlsx(&[("choices", CHOICES)]))
        .expect_err("no survey")
        .0;
    assert!(errors[0].reason.contains("no `survey` sheet"));
    assert!(Form::from_xlsx(b"not a workbook").is_err());
}

#[test]
fn an_export_that_does_not_match_lists_rows_columns_and_reasons_and_imports_the_rest() {
    let form = small_form();
    let csv = "\
_uuid;g/offered;g/seen;age;mystery;_submission_time;_index
a1;yes;tg wa;31;x;2026-02-01T10:00:00;1
a2;maybe;tg;40;;2026-02-01T11:00:00;2
a3;;fax;twenty;;2026-02-01T12:00:00;3
a4;no;;25;;2026-02-01T13:00:00;4
";
    let import = import_file(
        &form,
        "export.csv",
        csv.as_bytes(),
        &ImportOptions::default(),
    )
    .expect("import");
    let problem = |row: usize, column: &str| -> Option<&ImportProblem> {
        import
            .problems
            .iter()
            .find(|p| p.row == row && p.column == column)
    };
    assert!(
        problem(1, "mystery")
            .expect("unknown column")
            .reason
            .contains("not in the form")
    );
    assert!(
        problem(3, "g/offered")
            .expect("out of choices")
            .reason
            .contains("\"maybe\" is not a choice of list \"yn\"")
    );
    assert!(
        problem(4, "g/offered")
            .expect("missing required")
            .reason
            .contains("required answer is missing")
    );
    assert!(
        problem(4, "g/seen")
            .expect("out of choices")
            .reason
            .contains("\"fax\"")
    );
    assert!(
        problem(4, "age")
            .expect("not an integer")
            .reason
            .contains("not an integer")
    );
    assert_eq!(import.problems.len(), 5, "{:#?}", import.problems);
    // Every row is imported, with what was valid in it.
    assert_eq!(import.responses.len(), 4);
    assert_eq!(
        import.responses[1].answers.get("age"),
        Some(&Answer::Integer(40))
    );
    assert!(!import.responses[1].answers.contains_key("g/offered"));
    assert_eq!(
        import.responses[0].answers.get("g/seen"),
        Some(&Answer::Choices(vec!["tg".into(), "wa".into()]))
    );
    assert!(import.responses[2].answers.is_empty());
    // An export without any id column cannot be merged later: refused with the reason.
    let no_id = "g/offered\nyes\n";
    let error = import_file(&form, "x.csv", no_id.as_bytes(), &ImportOptions::default())
        .expect_err("no id");
    assert!(error.to_string().contains("no submission id column"));
}

#[test]
fn a_missing_required_column_and_split_columns_that_disagree_are_reported() {
    let form = small_form();
    let csv = "KEY,g-seen,g-seen/tg,g-seen/wa\nuuid:b1,tg,1,1\n";
    let import =
        import_file(&form, "odk.csv", csv.as_bytes(), &ImportOptions::default()).expect("import");
    let reasons: Vec<String> = import.problems.iter().map(ToString::to_string).collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("\"g/offered\": a required question has no column")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("row 2") && r.contains("split 0/1 columns")),
        "{reasons:?}"
    );
    assert_eq!(import.responses[0].id, "b1");
    assert_eq!(
        import.responses[0].answers.get("g/seen"),
        Some(&Answer::Choices(vec!["tg".into()]))
    );
    // Central writes split columns only for values seen in its data: a code without a split
    // column is no disagreement.
    let partial = "KEY,g-offered,g-seen,g-seen/wa\nuuid:c1,no,tg wa,1\nuuid:c2,no,tg,0\n";
    let import = import_file(
        &form,
        "odk.csv",
        partial.as_bytes(),
        &ImportOptions::default(),
    )
    .expect("import");
    assert_eq!(import.problems, []);
    assert_eq!(
        import.responses[1].answers.get("g/seen"),
        Some(&Answer::Choices(vec!["tg".into()]))
    );
}

#[test]
fn repeat_groups_link_to_their_submission_in_kobo_and_odk_layouts() {
    let form = small_form();
    let kobo = import_tables(
        &form,
        &[
            table(
                "main",
                &[
                    &["_uuid", "g/offered", "_index"],
                    &["k1", "yes", "1"],
                    &["k2", "no", "2"],
                ],
            ),
            table(
                "offers",
                &[
                    &[
                        "offers/employer",
                        "_parent_index",
                        "_parent_table_name",
                        "_index",
                    ],
                    &["agency", "1", "main", "1"],
                    &["builder", "1", "main", "2"],
                    &["farm", "2", "main", "3"],
                    &["ghost", "9", "main", "4"],
                ],
            ),
        ],
        &ImportOptions::default(),
    )
    .expect("kobo");
    let odk = import_tables(
        &form,
        &[
            table(
                "form.csv",
                &[
                    &["g-offered", "KEY"],
                    &["yes", "uuid:k1"],
                    &["no", "uuid:k2"],
                ],
            ),
            table(
                "form-offers.csv",
                &[
                    &["offers-employer", "PARENT_KEY", "KEY"],
                    &["agency", "uuid:k1", "uuid:k1/offers[1]"],
                    &["builder", "uuid:k1", "uuid:k1/offers[2]"],
                    &["farm", "uuid:k2", "uuid:k2/offers[1]"],
                ],
            ),
        ],
        &ImportOptions::default(),
    )
    .expect("odk");
    assert_eq!(odk.problems, []);
    assert_eq!(kobo.problems.len(), 1, "{:?}", kobo.problems);
    assert_eq!(
        (kobo.problems[0].table.as_str(), kobo.problems[0].row),
        ("offers", 5)
    );
    for import in [&kobo, &odk] {
        let employers = |i: usize| -> Vec<String> {
            import.responses[i].repeats["offers"]
                .iter()
                .map(|r| r["offers/employer"].as_text())
                .collect()
        };
        assert_eq!(employers(0), ["agency", "builder"]);
        assert_eq!(employers(1), ["farm"]);
    }
    assert_eq!(kobo.responses, odk.responses);
    // The same Kobo export as the XLSX file Kobo writes: one sheet per table.
    let main: &[&[&str]] = &[
        &["_uuid", "g/offered", "_index"],
        &["k1", "yes", "1"],
        &["k2", "no", "2"],
    ];
    let offers: &[&[&str]] = &[
        &[
            "offers/employer",
            "_parent_index",
            "_parent_table_name",
            "_index",
        ],
        &["agency", "1", "main", "1"],
        &["builder", "1", "main", "2"],
        &["farm", "2", "main", "3"],
    ];
    let from_xlsx = import_file(
        &form,
        "export.xlsx",
        &xlsx(&[("main", main), ("offers", offers)]),
        &ImportOptions::default(),
    )
    .expect("xlsx");
    assert_eq!(from_xlsx.problems, []);
    assert_eq!(from_xlsx.responses, kobo.responses);
}

#[test]
fn reimporting_a_newer_export_adds_new_and_updates_edited_submissions() {
    let form = small_form();
    let first = "_uuid;g/offered;age\nr1;yes;30\nr2;no;41\n";
    let newer = "_uuid;g/offered;age\nr1;yes;30\nr2;no;42\nr3;dont_know;19\n";
    let mut data = SurveyData::default();
    let read = |csv: &str| {
        import_file(
            &form,
            "export.csv",
            csv.as_bytes(),
            &ImportOptions::default(),
        )
        .expect("import")
        .responses
    };
    assert_eq!(
        data.merge(read(first)),
        MergeSummary {
            added: 2,
            updated: 0,
            unchanged: 0
        }
    );
    assert_eq!(
        data.merge(read(newer)),
        MergeSummary {
            added: 1,
            updated: 1,
            unchanged: 1
        }
    );
    assert_eq!(data.responses.len(), 3);
    assert_eq!(
        data.responses[1].answers.get("age"),
        Some(&Answer::Integer(42))
    );
    assert_eq!(
        data.merge(read(newer)),
        MergeSummary {
            added: 0,
            updated: 0,
            unchanged: 3
        }
    );
    // Plain data: a stored copy reads back equal.
    let json = serde_json::to_string(&data).expect("json");
    assert_eq!(
        serde_json::from_str::<SurveyData>(&json).expect("back"),
        data
    );
}

#[test]
fn publication_output_suppresses_small_cells_and_their_complement() {
    let form = small_form();
    let mut csv = String::from("_uuid;g/offered\n");
    for i in 0..40 {
        let answer = match i {
            0..=2 => "dont_know",
            3..=11 => "yes",
            _ => "no",
        };
        csv.push_str(&format!("u{i};{answer}\n"));
    }
    let responses = import_file(&form, "e.csv", csv.as_bytes(), &ImportOptions::default())
        .expect("import")
        .responses;
    let plain =
        frequency_table(&form, &responses, "offered", &TableOptions::default()).expect("table");
    let published = frequency_table(
        &form,
        &responses,
        "offered",
        &TableOptions {
            publication: true,
            ..TableOptions::default()
        },
    )
    .expect("table");
    let count = |t: &kuzot_survey::FrequencyTable, code: &str| {
        t.rows
            .iter()
            .find(|r| r.code.as_deref() == Some(code))
            .map(|r| (r.cell.count, r.cell.suppressed))
    };
    assert_eq!(count(&plain, "dont_know"), Some((Some(3), false)));
    assert_eq!(count(&published, "dont_know"), Some((None, true)));
    // 3 hidden of a base of 40 would be 40 − 9 − 28: the next smallest (yes, 9) goes too.
    assert_eq!(count(&published, "yes"), Some((None, true)));
    assert_eq!(count(&published, "no"), Some((Some(28), false)));
    assert_eq!(published.base.answered, 40);
    // 9 of 40: small base is not flagged (40 ≥ 30); a sub-30 base would be.
    assert!(!plain.rows[0].cell.small_base);
}

#[test]
fn weights_change_the_share_and_the_effective_base() {
    let survey: &[&[&str]] = &[
        &["type", "name", "label"],
        &["select_one yn", "offered", "Offered?"],
        &["decimal", "w", "Weight"],
    ];
    let form = Form::from_xlsx(&xlsx(&[("survey", survey), ("choices", CHOICES)])).expect("form");
    // Two "yes" with weight 3, six "no" with weight 1, one without a weight.
    let mut csv = String::from("_uuid,offered,w\n");
    for i in 0..8 {
        let (answer, weight) = if i < 2 { ("yes", "3") } else { ("no", "1") };
        csv.push_str(&format!("u{i},{answer},{weight}\n"));
    }
    csv.push_str("u8,yes,\n");
    let responses = import_file(&form, "w.csv", csv.as_bytes(), &ImportOptions::default())
        .expect("import")
        .responses;
    let options = TableOptions {
        weight: Some("w".to_owned()),
        ..TableOptions::default()
    };
    let table = frequency_table(&form, &responses, "offered", &options).expect("table");
    // Σw = 12, Σw² = 2·9 + 6·1 = 24: Kish n_eff = 144/24 = 6; share of yes = 6/12.
    assert_eq!(table.base.answered, 8);
    assert_eq!(table.base.weighted, Some(12.0));
    assert_eq!(table.base.effective_n, Some(6.0));
    assert_eq!(table.unweighted_out, 1);
    let yes = &table.rows[0];
    assert_eq!(
        (yes.cell.count, yes.cell.weighted_count, yes.cell.share),
        (Some(2), Some(6.0), Some(0.5))
    );
    // The interval is that of share × n_eff = 3 of n_eff = 6 (a base under 30: exact).
    let expected = kuzot_survey::clopper_pearson(3.0, 6.0).expect("interval");
    assert_eq!(yes.cell.interval, Some(expected));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// Whatever an export holds, reading it never panics: it is imported or refused.
    #[test]
    fn arbitrary_exports_never_panic(
        header in proptest::collection::vec("[a-z_/-]{0,12}", 0..6),
        cells in proptest::collection::vec(proptest::collection::vec("[ -~]{0,10}", 0..7), 0..12),
        delimiter in proptest::sample::select(vec![',', ';', '\t']),
    ) {
        let form = small_form();
        let mut text = header.join(&delimiter.to_string());
        for row in &cells {
            text.push('\n');
            text.push_str(&row.join(&delimiter.to_string()));
        }
        let _ = import_file(&form, "any.csv", text.as_bytes(), &ImportOptions::default());
        if let Ok(import) = import_file(&form, "any.csv", format!("_uuid{delimiter}{text}").as_bytes(), &ImportOptions::default()) {
            for question in ["offered", "seen", "age"] {
                let table = frequency_table(&form, &import.responses, question, &TableOptions::default());
                proptest::prop_assert!(table.is_ok());
            }
        }
    }

    /// Arbitrary bytes are never a form, and never a panic.
    #[test]
    fn arbitrary_bytes_are_refused_as_a_form(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
        proptest::prop_assert!(Form::from_xlsx(&bytes).is_err());
    }
}

#[test]
fn an_edited_central_submission_keeps_its_key_and_is_an_update() {
    let form = small_form();
    let read = |csv: &str| {
        import_file(
            &form,
            "central.csv",
            csv.as_bytes(),
            &ImportOptions::default(),
        )
        .expect("import")
        .responses
    };
    let mut data = SurveyData::default();
    data.merge(read(
        "g-offered,age,meta-instanceID,KEY\nyes,30,uuid:first,uuid:first\n",
    ));
    // The edit has a new instanceID; KEY still names the submission.
    let summary = data.merge(read(
        "g-offered,age,meta-instanceID,KEY\nyes,31,uuid:edit-1,uuid:first\n",
    ));
    assert_eq!(
        summary,
        MergeSummary {
            added: 0,
            updated: 1,
            unchanged: 0
        }
    );
    assert_eq!(data.responses[0].id, "first");
    assert_eq!(
        data.responses[0].answers.get("age"),
        Some(&Answer::Integer(31))
    );
}

#[test]
fn cross_tab_suppression_protects_along_rows_and_columns() {
    let survey: &[&[&str]] = &[
        &["type", "name", "label"],
        &["select_one yn", "a", "A"],
        &["select_one yn", "b", "B"],
    ];
    let form = Form::from_xlsx(&xlsx(&[("survey", survey), ("choices", CHOICES)])).expect("form");
    let mut csv = String::from("_uuid,a,b\n");
    let mut id = 0;
    for (a, b, count) in [
        ("yes", "yes", 3),
        ("yes", "no", 20),
        ("no", "yes", 17),
        ("no", "no", 21),
    ] {
        for _ in 0..count {
            csv.push_str(&format!("u{id},{a},{b}\n"));
            id += 1;
        }
    }
    let responses = import_file(&form, "x.csv", csv.as_bytes(), &ImportOptions::default())
        .expect("import")
        .responses;
    let options = TableOptions {
        publication: true,
        ..TableOptions::default()
    };
    let table = kuzot_survey::cross_tab(&form, &responses, "a", "b", &options).expect("cross-tab");
    let suppressed = |row: usize, column: usize| table.rows[row].cells[column].suppressed;
    // 3 is under 5; 17 (same column) and 20 (same row) would give it away; then 21 (row
    // "no", where 17 was alone).
    assert!(suppressed(0, 0) && suppressed(1, 0) && suppressed(0, 1) && suppressed(1, 1));
    // Totals are shown: 23 and 38.
    assert_eq!(
        (table.rows[0].total.count, table.rows[1].total.count),
        (Some(23), Some(38))
    );
    // Without publication nothing is hidden.
    let plain = kuzot_survey::cross_tab(&form, &responses, "a", "b", &TableOptions::default())
        .expect("plain");
    assert!(
        plain
            .rows
            .iter()
            .flat_map(|r| &r.cells)
            .all(|c| !c.suppressed)
    );
}
